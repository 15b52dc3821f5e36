"""The letter helper: phrases ticked in the volunteer's language become a Russian or Belarusian
letter, with a printable PDF of the letter and its envelope."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine

from campaign.core.settings import LOCALES, Settings
from campaign.prisoners.service import censor, phrasebook
from tests.conftest import csrf_from
from tests.factories import make_prisoner


def test_the_phrasebook_is_complete_in_both_letter_languages_and_all_interface_languages() -> None:
    phrases = phrasebook.load_phrasebook()
    assert len(phrases) >= 40
    assert len({p.id for p in phrases}) == len(phrases)
    groups = phrasebook.by_category()
    assert all(groups[category] for category in phrasebook.CATEGORIES)
    for phrase in phrases:
        assert all(phrase.text[language].strip() for language in ("ru", "be")), phrase.id
        assert set(phrase.meaning) >= set(LOCALES), phrase.id
        assert all(value.strip() for value in phrase.meaning.values()), phrase.id
        assert "{" not in phrase.text["ru"] + phrase.text["be"], phrase.id
        # Belarusian text uses Belarusian letters, not Russian ones.
        assert not re.search(r"[щъи]", phrase.text["be"].lower()), phrase.id


def first(category: str) -> str:
    return phrasebook.by_category()[category][0].id


def test_ticked_phrases_become_a_letter_greeting_first_and_sign_off_last(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    path = f"/prisoners/{prisoner.slug}/write"
    page = client.get(path + "?lang=de")
    greeting = phrasebook.by_category()["greeting"][0]
    assert greeting.meaning["de"] in page.text
    chosen = [first("signoff"), first("everyday"), first("greeting")]
    preview = client.post(
        path,
        data={
            "csrf_token": csrf_from(client, path),
            "language": "be",
            "phrase": chosen,
            "own_text": "У нас сёння ішоў снег.",
            "signature": "Ганна",
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    letter = preview.text.split('class="letter-text"')[1].split("</div>")[0]
    by_id = {p.id: p for p in phrasebook.load_phrasebook()}
    positions = [
        letter.index(by_id[pid].text["be"].split("\n")[0][:20]) for pid in reversed(chosen)
    ]
    assert positions == sorted(positions)
    assert letter.index("снег") < letter.index(by_id[first("signoff")].text["be"][:15])
    assert letter.rstrip().endswith("Ганна</p>")


def test_own_words_in_latin_letters_are_refused_with_a_reason(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    path = f"/prisoners/{prisoner.slug}/write"
    response = client.post(
        path,
        data={"csrf_token": csrf_from(client, path), "language": "ru", "own_text": "Hello there"},
    )
    assert response.status_code == 400 and 'id="error-own_text"' in response.text
    empty = client.post(path, data={"csrf_token": csrf_from(client, path), "language": "ru"})
    assert empty.status_code == 400 and 'id="error-phrases"' in empty.text


def test_the_pdf_holds_the_letter_and_the_cyrillic_envelope_address(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    path = f"/prisoners/{prisoner.slug}/write"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_from(client, path),
            "language": "ru",
            "phrase": [first("greeting"), first("wish")],
            "return_address": "Anna K.\nul. Pivoniju 5\nVilnius, Lithuania",
            "action": "pdf",
        },
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 2
    greeting = phrasebook.by_category()["greeting"][0].text["ru"]
    assert greeting[:10] in pages[0].extract_text()
    envelope = pages[1].extract_text()
    assert "ул. Антоновская, 1" in envelope and "REPUBLIC OF BELARUS" in envelope
    assert "Vilnius, Lithuania" in envelope


def test_letter_pdfs_are_limited_per_client_and_the_preview_still_works(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(update={"pdf_limit_per_client": "1/hour"})  # type: ignore[attr-defined]
    prisoner = make_prisoner(engine)
    path = f"/prisoners/{prisoner.slug}/write"
    letter = {"language": "ru", "phrase": [first("greeting"), first("wish")]}

    def post(action: str):  # type: ignore[no-untyped-def]
        return client.post(
            path, data={"csrf_token": csrf_from(client, path), **letter, "action": action}
        )

    assert post("pdf").headers["content-type"] == "application/pdf"
    refused = post("pdf")
    assert refused.status_code == 429
    assert "Too many attempts. Try again in 60 minutes." in refused.text
    assert post("preview").status_code == 200


def test_no_helper_for_someone_letters_do_not_reach(client: TestClient, engine: Engine) -> None:
    prisoner = make_prisoner(engine, accepts_letters=False)
    assert client.get(f"/prisoners/{prisoner.slug}/write").status_code == 404


def test_no_phrase_uses_a_word_the_censor_holds_letters_back_for() -> None:
    for country in ("BY", "RU"):
        judge = censor.censor_for(country)
        for phrase in phrasebook.load_phrasebook():
            for language in judge.languages:
                text = phrase.text[language]
                report = censor.check(text, own_text="", censor=judge, locale="en")
                found = [(f.rule, f.words) for f in report.findings]
                assert found == [], (country, phrase.id, language, found)


def test_a_risky_word_in_a_phrase_would_be_caught() -> None:
    judge = censor.censor_for("BY")
    report = censor.check("Желаю Вам свободы!", own_text="", censor=judge, locale="en")
    assert [(f.rule, f.words) for f in report.findings] == [("freedom", ("свободы",))]
