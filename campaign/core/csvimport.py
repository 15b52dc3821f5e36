"""Reading uploaded CSV files, and the report every import gives: all rows good, or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from campaign.core.i18n import _
from campaign.core.web import FormErrors

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
