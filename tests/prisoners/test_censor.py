"""The letter helper checks a letter against the censor of the prisoner's country before it is
printed: another alphabet is refused, risky words are marked with their rule and print only
after "I have read the warnings", and nothing typed is stored anywhere."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, String, Text, cast, or_, select
from sqlalchemy.orm import Session as OrmSession

from campaign.core.db import transaction
from campaign.core.settings import LOCALES
from campaign.prisoners.models import Facility, Prisoner
from campaign.prisoners.service import censor, phrasebook
from campaign.site.models import metadata
from tests.conftest import csrf_from
from tests.factories import make_prisoner

WARNINGS = 'id="censor-findings"'
FEW_LATIN = "У нас выпал первый снег, а я по вечерам читаю книгу Harry Potter."


def greeting() -> str:
    return phrasebook.by_category()["greeting"][0].id


def post(client: TestClient, prisoner: Prisoner, action: str = "preview", **fields: str):  # type: ignore[no-untyped-def]
    path = f"/prisoners/{prisoner.slug}/write"
    data = {"csrf_token": csrf_from(client, path), "language": "ru", "phrase": [greeting()]}
    return client.post(path, data={**data, "action": action, **fields})


def held_in_russia(engine: Engine) -> Prisoner:
    with transaction(engine) as session:
        facility = Facility(name="ИК-2 Покров", address="ул. Франца Штольверка, 2", country="RU")
        session.add(facility)
        session.flush()
        facility_id = facility.id
    return make_prisoner(engine, facility_id=facility_id)


def findings_of(page: str) -> str:
    return page.split(WARNINGS)[1].split("</ol>")[0]


def test_latin_text_is_refused_for_a_prisoner_in_belarus_with_the_words_named(
    client: TestClient, engine: Engine
) -> None:
    response = post(client, make_prisoner(engine), "pdf", own_text="Dear friend, stay strong")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    error = response.text.split('id="error-own_text">')[1].split("</p>")[0]
    assert "Cyrillic" in error and "Dear, friend, stay, strong" in error
    # The text stays in the form, to be rewritten rather than retyped.
    assert "Dear friend, stay strong</textarea>" in response.text


def test_a_few_latin_words_in_a_cyrillic_letter_are_warned_of_not_refused(
    client: TestClient, engine: Engine
) -> None:
    response = post(client, make_prisoner(engine), own_text=FEW_LATIN)
    assert response.status_code == 200
    assert "«Harry», «Potter»" in findings_of(response.text)
    assert '<mark class="censor-mark">Harry<sup>1</sup></mark>' in response.text


def test_a_risky_word_is_flagged_with_its_rule_in_any_case_and_form(
    client: TestClient, engine: Engine
) -> None:
    text = "Желаю Вам СВОБОДЫ. Свобода близко, я верю в свободу. Суд был вчера, а судьба добра."
    response = post(client, make_prisoner(engine), own_text=text)
    assert response.status_code == 200
    listed = findings_of(response.text)
    freedom = load("freedom").reason_in("en")
    case = load("the-case").reason_in("en")
    assert "«СВОБОДЫ», «Свобода», «свободу»</strong>: " + freedom in listed
    assert "«Суд»</strong>: " + case in listed
    assert "судьба" not in listed  # fate is not the court
    assert '<mark class="censor-mark">Суд<sup>2</sup></mark>' in response.text
    assert 'name="read_warnings"' in response.text


def load(rule_id: str) -> censor.Rule:
    return next(rule for rule in censor.load_rules().rules if rule.id == rule_id)


def test_belarusian_and_russian_words_both_count_in_belarus_and_the_reason_follows_the_language(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    path = f"/prisoners/{prisoner.slug}/write?lang=de"
    data = {"csrf_token": csrf_from(client, path), "language": "be", "action": "preview"}
    text = "Я чытаю пра палітвязняў і пра Лукашэнку. Вясна прыйшла, пахне вясной."
    response = client.post(path, data={**data, "own_text": text})
    listed = findings_of(response.text)
    assert "«палітвязняў»" in listed and "«Лукашэнку»" in listed
    assert load("names").reason_in("de") in listed
    assert "Вясна" not in listed  # spring is not the human-rights centre


def test_clean_text_goes_straight_to_the_pdf(client: TestClient, engine: Engine) -> None:
    text = "У нас выпал первый снег, и я гуляю с собакой."
    preview = post(client, make_prisoner(engine), own_text=text)
    assert WARNINGS not in preview.text and 'name="read_warnings"' not in preview.text
    response = post(client, make_prisoner(engine), "pdf", own_text=text)
    assert response.headers["content-type"] == "application/pdf"
    assert "первый снег" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_printing_after_warnings_needs_the_tick_for_exactly_those_warnings(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    text = "Скоро выборы, а у нас снег."
    refused = post(client, prisoner, "pdf", own_text=text)
    assert refused.status_code == 400 and 'id="error-read_warnings"' in refused.text
    assert WARNINGS in refused.text  # the warnings are shown beside the refusal
    tick = refused.text.split('name="read_warnings" value="')[1].split('"')[0]
    more = post(client, prisoner, "pdf", own_text=text + " Свобода!", read_warnings=tick)
    assert more.status_code == 400  # a new risky word after the tick: shown first
    printed = post(client, prisoner, "pdf", own_text=text, read_warnings=tick)
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"


def test_a_prisoner_in_russia_gets_letters_in_russian_only(
    client: TestClient, engine: Engine
) -> None:
    prisoner = held_in_russia(engine)
    page = client.get(f"/prisoners/{prisoner.slug}/write")
    assert 'id="language-ru"' in page.text and 'id="language-be"' not in page.text
    refused = post(client, prisoner, language="be")
    assert refused.status_code == 400 and 'id="error-language"' in refused.text
    warned = post(client, prisoner, own_text="Я читаю про Навального и про войну.")
    listed = findings_of(warned.text)
    assert "«Навального»" in listed and "«войну»" in listed


def test_nothing_typed_is_stored_in_any_table(client: TestClient, engine: Engine) -> None:
    prisoner = make_prisoner(engine)
    secret = "Тайнословие"
    text = f"{secret} и свобода."
    post(client, prisoner, own_text=text, signature=secret, return_address=secret)
    refused = post(client, prisoner, "pdf", own_text=text, signature=secret)
    tick = refused.text.split('name="read_warnings" value="')[1].split('"')[0]
    pdf = post(client, prisoner, "pdf", own_text=text, signature=secret, read_warnings=tick)
    assert pdf.headers["content-type"] == "application/pdf"
    with OrmSession(engine) as session:
        for table in metadata.sorted_tables:
            texts = [c for c in table.columns if isinstance(c.type, String | Text)]
            if texts:
                query = select(table).where(or_(*(cast(c, Text).contains(secret) for c in texts)))
                assert session.execute(query).first() is None, table.name


def test_every_rule_has_a_reason_in_every_interface_language_and_some_words() -> None:
    book = censor.load_rules()
    assert {"BY", "RU"} <= set(book.countries)
    for rule in book.rules:
        assert set(rule.reason) >= set(LOCALES), rule.id
        assert all(text.strip() for text in rule.reason.values()), rule.id
        assert any(rule.words.values()), rule.id
    assert book.countries["BY"].languages == ("ru", "be")
    assert book.countries["RU"].languages == ("ru",)
