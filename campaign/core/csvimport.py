"""Reading uploaded CSV files, the report every import gives (all rows good, or nothing), and
the organisers' upload page that checks a file (a dry run) or imports it whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from campaign.core import audit
from campaign.core.i18n import _
from campaign.core.web import NO_STORE, FormErrors, redirect, render

Rows = list[dict[str, str]]


@dataclass
class ImportReport:
    """What an import did, or would do, and every bad row with its reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, message)
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (line, who, what)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_csv(
    data: bytes, *, required: set[str], columns: list[str]
) -> tuple[list[dict[str, str]], str | None]:
    """Rows of an uploaded CSV (UTF-8, comma-separated, with a header), or why it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], _('The file is not UTF-8 text. Save it as "CSV UTF-8".')
    if "\x00" in text:  # no spreadsheet writes NUL into a CSV, and PostgreSQL cannot store it
        return [], _("The file is not a readable CSV file.")
    try:
        reader = csv.DictReader(io.StringIO(text))
        if required - set(reader.fieldnames or []):
            return [], _(
                "The first line must name the columns: %(columns)s.", columns=", ".join(columns)
            )
        return [{k: v or "" for k, v in row.items() if k} for row in reader], None
    except csv.Error:
        return [], _("The file is not a readable CSV file.")


def rows_from_upload(
    data: bytes | None, *, limit: int, reader: Callable[[bytes], tuple[Rows, str | None]]
) -> tuple[Rows, FormErrors]:
    """The rows of an uploaded file, or the error to show next to the file field."""
    errors = FormErrors()
    if not data:
        errors.add("file", _("Choose a CSV file."))
        return [], errors
    if len(data) > limit:
        errors.add("file", _("The file is larger than %(size)s MB.", size=limit // (1024 * 1024)))
        return [], errors
    rows, problem = reader(data)
    if problem:
        errors.add("file", problem)
    return rows, errors


@dataclass(frozen=True)
class CsvImport:
    """A register's all-or-nothing CSV import, the same on its upload page and the command line:
    `read` turns a file into rows or says why it cannot; `run(session, rows, apply)` checks
    every row and changes something only when `apply` is set and all rows are good."""

    read: Callable[[bytes], tuple[Rows, str | None]]
    run: Callable[[Session, Rows, bool], ImportReport]


@dataclass(frozen=True)
class UploadImport:
    """A register's CSV upload page: a dry run shows what each row would change; a finished
    import is audited as `action` and goes back to `back` saying `done(rows added or changed)`."""

    template: str
    limit: int  # bytes
    csv: CsvImport
    action: str
    back: str
    done: Callable[[int], str]

    def form(self, request: Request) -> Response:
        """The page before any file is chosen."""
        return render(request, self.template, {"report": None}, headers=NO_STORE)

    def upload(
        self,
        request: Request,
        session: Session,
        by: audit.Actor,
        raw: Mapping[str, str],
        data: bytes | None,
    ) -> Response:
        """Check the file and show what each row would change (dry run), or import it whole."""
        rows, errors = rows_from_upload(data, limit=self.limit, reader=self.csv.read)
        if errors:
            context = {"report": None, "errors": errors}
            return render(request, self.template, context, status_code=400, headers=NO_STORE)
        apply = raw.get("action") == "import"
        report = self.csv.run(session, rows, apply)
        if apply and report.ok:
            audit.record(
                session, by=by, action=self.action, created=report.created, updated=report.updated
            )
            flash = self.done(report.created + report.updated)
            return redirect(self.back, flash=flash, request=request)
        return render(
            request,
            self.template,
            {"report": report, "dry_run": not apply},
            status_code=200 if report.ok else 400,
            headers=NO_STORE,
        )
