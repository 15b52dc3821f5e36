"""CSV exports, streamed row by row from the database so memory stays flat at any size."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import (
    Engine,
    Text,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlmodel import Session, col

from campaign.core.crypto import keyring
from campaign.core.csvcells import csv_lines, safe_text
from campaign.petitions.models import (
    PERSONAL_SEPARATOR,
    PartnerConsent,
    Petition,
    PetitionField,
    Signature,
    SignatureAnswer,
    SignatureStatus,
)
from campaign.petitions.service.counting import signatures_per_day, tallies
from campaign.petitions.service.fields import fields_of

BATCH = 2000

# The rows as plain values, as few a row as can be: the personal fields as one ciphertext
# (`Signature.personal`), the columns no one types (status, flags, moments) joined into one
# cell by the database, which also formats the moments. Building a million ORM objects, a
# column type's layers for each of ten million values, a datetime for each moment, three
# decryptions a row and a cell per value is what made a big export slow.
SIGNATURE_COLUMNS = [
    "id",
    "name",
    "email",
    "country",
    "city",
    "status",
    "suspect",
    "consent",
    "wants_updates",
    "show_publicly",
    "named_in_handover",
    "signed_at",
    "confirmed_at",
    "invalidated_at",
    "invalidation_reason",
]


def _moment(column: Any, dialect: str) -> Any:
    """A timestamp column as `YYYY-MM-DD HH:MM:SS` in UTC, or '' when NULL, formatted by the
    database (on PostgreSQL in UTC whatever the session's time zone, which a pooler may not
    pass on; SQLite stores UTC as text in this layout)."""
    if dialect == "postgresql":
        formatted = func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS")
    else:
        formatted = func.substr(type_coerce(column, Text), 1, 19)
    return func.coalesce(formatted, "")


def _columns(dialect: str) -> tuple[Any, ...]:
    """id, personal, the three columns where personal is "" (else NULL), country, the cells
    from status to invalidated_at as one text, and the invalidation reason."""

    def plain(column: Any) -> Any:
        return type_coerce(column, Text)

    def flag(column: Any) -> Any:
        return case((column, literal(",yes")), else_=literal(",no"))

    # A status is one of SignatureStatus's words, flags are yes/no and moments digits: no
    # cell here needs quoting or an apostrophe, so the database may join them.
    middle = plain(Signature.status)
    for flagged in (
        Signature.suspect,
        Signature.consent,
        Signature.wants_updates,
        Signature.show_publicly,
        Signature.named_in_handover,
    ):
        middle = middle + flag(flagged)
    for moment in (Signature.created_at, Signature.confirmed_at, Signature.invalidated_at):
        middle = middle + literal(",") + _moment(moment, dialect)
    # Rows whose `personal` is "": erased ones (all three empty: NULL here too) and any a
    # writer left without it; ciphertexts hold no space.
    three = case(
        (
            and_(
                plain(Signature.personal) == "",
                or_(
                    plain(Signature.name) != "",
                    plain(Signature.email) != "",
                    plain(Signature.city) != "",
                ),
            ),
            plain(Signature.name) + " " + plain(Signature.email) + " " + plain(Signature.city),
        ),
    )
    return (
        col(Signature.id),
        plain(Signature.personal),
        three,
        plain(Signature.country),
        middle,
        plain(Signature.invalidation_reason),
    )


class _Apostrophe(dict[str, str]):
    """The apostrophe a cell starting with a character needs ("'" or ""), by that character:
    `safe_text`'s rule, looked up once per character an export meets."""

    def __missing__(self, first: str) -> str:
        self[first] = mark = "'" if safe_text(first) != first else ""
        return mark


def signatures_csv(
    engine: Engine, petition_id: int, only: Any = None, *, personal: bool = True
) -> Iterator[bytes]:
    """Every signature of a petition with its consent flags and a column per field of its own
    (or only those `only`, a condition, selects), in id order, batch by batch; `personal`:
    the answers to personal fields too.

    The same bytes as csv.writer writing `csvcells.cell` of each value (tested): text made
    formula-safe, flags as yes/no, moments to the second. The next batch is fetched while
    this one is written (the database works on the other core); at most two are held.
    """
    ring = keyring()
    with Session(engine) as session:
        own = [f for f in fields_of(session, petition_id) if personal or not f.personal]
    answers = _answers_reader(engine, own)
    sealed_open = ring.texts_opener("signature.personal")
    name_open, email_open, city_open = (
        ring.text_opener(f"signature.{field}") for field in ("name", "email", "city")
    )
    query = (
        select(*_columns(engine.dialect.name))
        .where(col(Signature.petition_id) == petition_id, col(Signature.id) > bindparam("last"))
        .order_by(col(Signature.id))
        .limit(BATCH)
    )
    if only is not None:
        query = query.where(only)
    commas = len(SIGNATURE_COLUMNS) + len(own) - 1
    blank = "," * len(own)
    apostrophe = _Apostrophe()
    writer_buffer = io.StringIO()
    writer = csv.writer(writer_buffer)

    def fetch(last_id: int) -> Sequence[Any]:
        # A short session per batch: no transaction stays open while the client reads. The
        # driver's own tuples, without a Row object around each.
        with engine.connect() as connection:
            result = connection.execute(query, {"last": last_id})
            rows = result.cursor.fetchall()
            result.close()
            return rows

    def three(row: Any) -> tuple[str, str, str]:
        """Name, address and city of a row whose `personal` is empty."""
        if row[2] is None:
            return "", "", ""
        name, email, city = row[2].split(" ")
        return name_open(name), email_open(email), city_open(city)

    def slow(row: Any, name: str, email: str, city: str, given: tuple[str, ...]) -> str:
        """The line csv.writer writes, for the rare row with a cell to quote."""
        writer_buffer.seek(0)
        writer_buffer.truncate()
        writer.writerow(
            [
                row[0],
                safe_text(name),
                safe_text(email),
                safe_text(row[3]),
                safe_text(city),
                *row[4].split(","),
                safe_text(row[5]),
                *given,
            ]
        )
        return writer_buffer.getvalue()

    def lines(batch: Sequence[Any]) -> str:
        given = answers(batch[0][0], batch[-1][0]) if own else {}
        out = []
        for row, plain in zip(batch, sealed_open([row[1] for row in batch]), strict=True):
            name, email, city = plain.split(PERSONAL_SEPARATOR) if plain else three(row)
            country, reason = row[3], row[5] or ""
            cells = given.get(row[0])
            tail = ("," + ",".join(cells)) if cells else blank
            line = (
                f"{row[0]},{apostrophe[name[:1]]}{name},{apostrophe[email[:1]]}{email},"
                f"{apostrophe[country[:1]]}{country},{apostrophe[city[:1]]}{city},{row[4]},"
                f"{apostrophe[reason[:1]]}{reason}{tail}"
            )
            # With the expected commas and no quote or line break, no cell needs quoting:
            # csv.writer (the excel dialect, QUOTE_MINIMAL) would write just this line.
            if line.count(",") != commas or '"' in line or "\r" in line or "\n" in line:
                line = slow(row, name, email, city, cells or ("",) * len(own))[:-2]
            out.append(line)
        out.append("")
        return "\r\n".join(out)

    writer.writerow([*SIGNATURE_COLUMNS, *(safe_text(f.label) for f in own)])
    # A BOM, so spreadsheet programs read the names as UTF-8.
    yield ("\ufeff" + writer_buffer.getvalue()).encode()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-fetch") as fetcher:
        batch = fetch(0)
        while batch:
            following = fetcher.submit(fetch, batch[-1][0]) if len(batch) == BATCH else None
            yield lines(batch).encode()
            batch = following.result() if following is not None else []


def _answers_reader(
    engine: Engine, own: list[PetitionField]
) -> Callable[[int, int], dict[int, tuple[str, ...]]]:
    """A function giving the answers of the signatures with ids from first to last, as a row of
    cells per signature in the fields' order: one query per batch, personal ones decrypted."""
    column = {f.id: i for i, f in enumerate(own)}
    opened = keyring().text_opener("signature_answer.secret")
    query = select(
        col(SignatureAnswer.signature_id),
        col(SignatureAnswer.field_id),
        type_coerce(SignatureAnswer.value, Text),
        type_coerce(SignatureAnswer.secret, Text),
    ).where(
        col(SignatureAnswer.field_id).in_(list(column)),
        col(SignatureAnswer.signature_id).between(bindparam("first"), bindparam("last")),
    )

    def read(first: int, last: int) -> dict[int, tuple[str, ...]]:
        cells: dict[int, list[str]] = {}
        with engine.connect() as connection:
            rows = connection.execute(query, {"first": first, "last": last}).all()
        for signature_id, field_id, value, secret in rows:
            row = cells.setdefault(signature_id, [""] * len(own))
            row[column[field_id]] = safe_text(opened(secret) if secret else value)
        return {signature_id: tuple(row) for signature_id, row in cells.items()}

    return read


def host_consenting() -> Any:
    """On a coalition petition, the signers the host organisation may contact: its own box."""
    return col(Signature.wants_updates).is_(True)


def partner_consenting(organisation_id: int) -> Any:
    """The counted signers who ticked a partner's "may contact me" box."""
    ticked = select(col(PartnerConsent.signature_id)).where(
        col(PartnerConsent.organisation_id) == organisation_id
    )
    return and_(
        col(Signature.status) == SignatureStatus.confirmed.value,
        col(Signature.suspect).is_(False),
        col(Signature.id).in_(ticked),
    )


def by_day_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per day since the first one."""
    return b"".join(
        csv_lines([["date", "signatures"], *signatures_per_day(session, petition=petition)])
    )


def by_country_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per country."""
    return b"".join(csv_lines([["country", "signatures"], *tallies(session, petition)]))
