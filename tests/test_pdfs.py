"""PDFs print every supporter's name, in any script the shipped fonts cover, and the server
log never learns the names while the PDF is made."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

from pypdf import PdfReader

from campaign.core.settings import PROJECT_DIR
from campaign.letters.pdf import PrintedLetter, letters_pdf

CHINESE = "王小明"
LITHUANIAN = "Žemaitė Šimkūnaitė"
CYRILLIC = "Алеся Пісьменніца"
KOREAN = "김민수"
JAPANESE = "山田はなこ"
# Devanagari is in neither DejaVu Sans nor Droid Sans Fallback: fpdf2 warns, naming each glyph.
UNCOVERED = "राम"


def letter(sender: str, body: str = "Free the political prisoners.") -> PrintedLetter:
    return PrintedLetter(
        sender_name=sender,
        sender_lines=["Vilnius", "Lithuania"],
        recipient_lines=["Jane Envoy", "Embassy", "Minsk"],
        date="1 December 2026",
        subject="Free Anna",
        body=body,
    )


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_a_chinese_japanese_or_korean_name_prints_in_the_letter() -> None:
    pdf = letters_pdf(
        [letter(CHINESE), letter(f"{KOREAN} {LITHUANIAN}", body=f"{JAPANESE} {CYRILLIC}")],
        title="Letters",
    )
    text = text_of(pdf)
    for name in (CHINESE, KOREAN, JAPANESE, LITHUANIAN, CYRILLIC):
        assert name in text
    assert text.count(CHINESE) == 3  # the sender block, the return address, the signature


def test_a_letter_in_latin_or_cyrillic_embeds_no_cjk_font() -> None:
    pdf = letters_pdf([letter(f"{LITHUANIAN} {CYRILLIC}")], title="Letters")
    assert LITHUANIAN in text_of(pdf)
    assert b"DroidSans" not in pdf


def test_rendering_names_under_the_servers_logging_puts_no_part_of_them_in_the_log() -> None:
    names = [CHINESE, LITHUANIAN, CYRILLIC, KOREAN, f"{UNCOVERED} Kumar"]
    script = textwrap.dedent(
        f"""
        import logging, logging.config
        from campaign.site.cli import LOGGING
        logging.config.dictConfig(LOGGING)
        from campaign.letters.pdf import PrintedLetter, letters_pdf
        names = {names!r}
        letters = [
            PrintedLetter(name, ["Vilnius"], ["Jane Envoy", name], "1 December 2026", name, name)
            for name in names
        ]
        pdf = letters_pdf(letters, title="Letters")
        logging.getLogger("campaign.test").warning("rendered %d bytes", len(pdf))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    log = done.stderr
    assert "rendered" in log  # the log was there to catch a leak
    parts = {part for name in names for part in name.split()}
    parts |= {char for char in "".join(names) if ord(char) > 0x2E7F}  # CJK, one by one
    parts |= {f"{ord(char):04x}" for char in CHINESE + KOREAN + UNCOVERED}  # '\u738b'
    leaked = sorted(part for part in parts if part.lower() in log.lower())
    assert not leaked, log[:2000]
    assert "fontTools" not in log and "fpdf" not in log
