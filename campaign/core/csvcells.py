"""CSV whose cells spreadsheet programs will not run as formulas."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A value as a CSV cell; text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return safe_text(str(value))


def safe_text(text: str) -> str:
    """Text as a CSV cell: a leading apostrophe when it starts like a formula.

    Spreadsheet programs read the full-width signs (U+FF1D, U+FF0B, U+FF0D, U+FF20) and other
    compatibility forms as the ASCII ones, so the first character is compared after NFKC.
    """
    first = text[:1]
    if not first.isascii():  # Optimization: ASCII needs no normalising (most export cells).
        first = unicodedata.normalize("NFKC", first)
    return "'" + text if first.startswith(FORMULA_START) else text


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """CSV in chunks of about 64 kB, every cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
