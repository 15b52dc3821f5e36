"""Printed letters: readable in every language, the address inside the envelope window."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from pypdf import PdfReader

from campaign.letters.pdf import PrintedLetter, letters_pdf

MM = 72 / 25.4
PAGE_HEIGHT_MM = 297.0

LETTER = PrintedLetter(
    sender_name="Аўгіня Шаўчэнка",
    sender_lines=["Vilnius", "Lithuania"],
    recipient_lines=[
        "Іван Іванавіч Пятроў",
        "Генеральны пракурор",
        "Генеральная пракуратура Рэспублікі Беларусь",
        "вул. Інтэрнацыянальная, 22",
        "220030 Мінск",
        "Беларусь",
    ],
    date="24 ноября 2026 г.",
    subject="Аб вызваленні палітвязня",
    body="Паважаны спадар пракурор!\n\nПрашу вызваліць усіх палітвязняў.\n\nЗ павагай",
)
LONG_BODY = "\n\n".join(
    f"Абзац {n}: палітвязні павінны быць вызваленыя неадкладна." for n in range(1, 201)
)
RETURN_LINE = "Аўгіня Шаўчэнка · Vilnius · Lithuania"


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    """All pages' text with wrapped lines joined again, as a reader would take them."""
    return " ".join(" ".join(page.extract_text().split()) for page in _reader(pdf).pages)


def _positions_mm(pdf: bytes, page: int = 0) -> list[tuple[str, float, float]]:
    """Each text run on the page with its x from the left and y from the top, in mm."""
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        runs.append((text.strip(), x / MM, PAGE_HEIGHT_MM - y / MM))

    _reader(pdf).pages[page].extract_text(visitor_text=visit)
    return runs


def test_pdf_is_titled_and_made_by_campaign() -> None:
    reader = _reader(letters_pdf([LETTER], title="Свабоду палітвязням"))

    assert reader.metadata is not None
    assert reader.metadata.title == "Свабоду палітвязням"
    assert reader.metadata.creator == "campaign"


def test_printed_letter_keeps_cyrillic_name_and_address() -> None:
    text = _text(letters_pdf([LETTER], title="Letters"))

    for line in LETTER.recipient_lines:
        assert line in text
    assert "Аўгіня Шаўчэнка" in text
    assert "24 ноября 2026 г." in text
    assert "Аб вызваленні палітвязня" in text
    assert "Прашу вызваліць усіх палітвязняў." in text


def test_polish_and_lithuanian_letters_keep_their_diacritics() -> None:
    polish = replace(
        LETTER,
        sender_name="Łucja Żółkiewska-Ćwik",
        recipient_lines=["Pan Mikołaj Kęszycki", "ul. Świętokrzyska 12", "00-950 Łódź"],
        subject="Wolność dla więźniów politycznych",
        body="Zażółć gęślą jaźń. Proszę o uwolnienie. Dziękuję, ńą.",
    )
    lithuanian = replace(
        LETTER,
        sender_name="Gražina Čiurlionytė",
        recipient_lines=["Gerb. ministrui", "Gedimino pr. 11", "LT-01103 Vilnius"],
        subject="Dėl politinių kalinių",
        body="Prašome išlaisvinti. Ąžuolas, ėglė, įlanka, ųžti, ūkis, čia, šiaudai, žąsis.",
    )
    text = _text(letters_pdf([polish, lithuanian], title="Listy"))

    assert "Łucja Żółkiewska-Ćwik" in text
    assert "00-950 Łódź" in text
    assert "Zażółć gęślą jaźń." in text
    assert "Dziękuję, ńą." in text
    assert "Gražina Čiurlionytė" in text
    assert "Dėl politinių kalinių" in text
    assert "Ąžuolas, ėglė, įlanka, ųžti, ūkis, čia, šiaudai, žąsis." in text


def test_address_shows_through_the_envelope_window() -> None:
    runs = _positions_mm(letters_pdf([LETTER], title="Letters"))

    texts = [text for text, _, _ in runs]
    # The address is written between the return line and the date; long lines wrap.
    address = runs[texts.index(RETURN_LINE) + 1 : texts.index(LETTER.date)]
    assert " ".join(text for text, _, _ in address) == " ".join(LETTER.recipient_lines)
    for text, x, y in address:
        assert 20 <= x <= 105, (text, x)
        assert 45 <= y <= 85, (text, y)


def test_return_address_sits_just_above_the_window() -> None:
    runs = _positions_mm(letters_pdf([LETTER], title="Letters"))

    (x, y) = next((x, y) for text, x, y in runs if text == RETURN_LINE)
    assert 20 <= x <= 105
    assert 38 <= y < 45


def test_long_address_is_cut_to_fit_the_window() -> None:
    crowded = replace(
        LETTER,
        recipient_lines=[
            "Іван Іванавіч Пятроў",
            "Намеснік міністра ўнутраных спраў " * 4,
            "Міністэрства ўнутраных спраў Рэспублікі Беларусь " * 3,
            "Аддзел па зваротах грамадзян",
            "Кабінет 101",
            "вул. Гарадскі Вал, 4",
            "220030 Мінск",
            "Беларусь",
        ],
    )
    runs = _positions_mm(letters_pdf([crowded], title="Letters"))

    address = [(text, x, y) for text, x, y in runs if 20 <= x <= 105 and 44 <= y <= 90]
    assert all(45 <= y <= 85 for _, _, y in address)
    texts = [text for text, _, _ in address]
    assert texts[0] == "Іван Іванавіч Пятроў"
    assert texts[-2:] == ["220030 Мінск", "Беларусь"]


def test_each_letter_starts_on_its_own_page() -> None:
    second = replace(
        LETTER,
        sender_name="Jonas Petraitis",
        recipient_lines=["Марыя Сцяпанаўна Казлова", "Міністр юстыцыі"],
        subject="Дзеля Алеся",
    )
    reader = _reader(letters_pdf([LETTER, second], title="Letters"))

    assert len(reader.pages) >= 2
    first_page, second_page = (page.extract_text() for page in reader.pages[:2])
    assert first_page.startswith("Аўгіня Шаўчэнка")
    assert "Аб вызваленні палітвязня" in first_page
    assert "Марыя Сцяпанаўна Казлова" not in first_page
    assert second_page.startswith("Jonas Petraitis")
    assert "Марыя Сцяпанаўна Казлова" in second_page
    assert "Дзеля Алеся" in second_page


def test_long_letter_flows_onto_further_pages_and_keeps_its_end() -> None:
    long = replace(LETTER, body=LONG_BODY)
    reader = _reader(letters_pdf([long], title="Letters"))

    assert len(reader.pages) >= 4
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Абзац 1: палітвязні" in text
    assert "Абзац 200: палітвязні павінны быць вызваленыя неадкладна." in text
    last_page = reader.pages[-1].extract_text()
    assert last_page.rstrip().endswith("Аўгіня Шаўчэнка")


def test_continuation_pages_keep_the_letter_margins() -> None:
    pdf = letters_pdf([replace(LETTER, body=LONG_BODY)], title="Letters")

    runs = _positions_mm(pdf, page=1)
    assert runs
    assert all(abs(x - 26) < 1.5 for _, x, _ in runs), {round(x) for _, x, _ in runs}
    assert all(10 <= y <= 297 - 15 for _, _, y in runs)


def test_a_letter_that_closes_with_the_date_and_name_prints_each_once() -> None:
    closing = replace(
        LETTER,
        body=LETTER.body + ",\nАўгіня Шаўчэнка\n24 ноября 2026 г.",
    )
    text = _text(letters_pdf([closing], title="Letters"))
    assert text.count("24 ноября 2026 г.") == 1
    # Once in the sender's block, once in the return line, once where the letter is signed.
    assert text.count("Аўгіня Шаўчэнка") == 3


def test_a_letter_without_them_gets_the_date_on_top_and_the_name_under_the_signature() -> None:
    text = _text(letters_pdf([LETTER], title="Letters"))
    assert text.count("24 ноября 2026 г.") == 1
    assert text.count("Аўгіня Шаўчэнка") == 3
