"""Letters read as one letter in one language: the official's and the prisoner's forms in the
letter's language, its date written that language's way, a campaign that would mix languages
kept closed, and a supporter's words in another alphabet flagged before anything is sent."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.letters.models import LetterCampaign, LetterTemplate, Official
from campaign.letters.service import campaigns, compose, officials
from campaign.prisoners import exports
from campaign.prisoners.models import Prisoner
from campaign.prisoners.service import register
from campaign.prisoners.service.prisoners import name_in
from tests.conftest import csrf_from
from tests.factories import make_letter_campaign, make_prisoner
from tests.letters.test_campaigns import new_campaign, publish_with_english_forms
from tests.letters.test_officials import rows

TODAY = date(2026, 12, 6)
BODY_BE = (
    "{{ salutation }}!\n\nПрашу вызваліць {{ prisoner_name }}.\n\n{{ personal_paragraph }}\n\n"
    "{{ supporter_name }}\n{{ date }}"
)
PROSECUTOR_FORMS = {
    "ru": {"salutation": "Уважаемый господин Генеральный прокурор"},
    "be": {
        "name": "Андрэй Швед",
        "title": "Генеральны пракурор",
        "salutation": "Паважаны спадар Генеральны пракурор",
    },
    "en": {
        "name": "Andrei Shved",
        "title": "Prosecutor General",
        "salutation": "Dear Prosecutor General",
    },
}


def campaign_in_three_languages(engine: Engine) -> LetterCampaign:
    """The sample campaign with a Belarusian template too, about a prisoner of the register."""
    prisoner = make_prisoner(
        engine,
        name_latin="Anna Kavalchuk",
        name_cyrillic="Ганна Кавальчук",
        names={"ru": "Анна Ковальчук"},
    )
    campaign = make_letter_campaign(engine, prisoner_id=prisoner.id)
    with transaction(engine) as session:
        session.add(
            LetterTemplate(
                campaign_id=campaign.id,  # type: ignore[arg-type]
                language="be",
                subjects="Вызваліце {{ prisoner_name }}",
                body=BODY_BE,
            )
        )
        prosecutor = session.exec(select(Official).where(Official.language == "ru")).one()
        prosecutor.forms = PROSECUTOR_FORMS
        session.add(prosecutor)
    return campaign


def letters_in(session: Session, campaign: LetterCampaign, language: str) -> compose.Letters:
    prosecutor = session.exec(select(Official).where(Official.language == "ru")).one()
    raw = {
        "name": "Ales Writer",
        "country": "LT",
        "city": "Vilnius",
        "paragraph": "",
        f"language-{prosecutor.id}": language,
    }
    return compose.prepare(session, campaign, raw, locale="en", today=TODAY)


def test_each_language_greets_and_names_the_official_and_the_prisoner_from_the_register(
    engine: Engine, session: Session
) -> None:
    campaign = campaign_in_three_languages(engine)
    expected = {
        "ru": (
            "Уважаемый господин Генеральный прокурор!",
            "Прошу освободить Анна Ковальчук.",
            "6 декабря 2026\u202fг.",  # Babel puts a narrow no-break space before г.
        ),
        "be": (
            "Паважаны спадар Генеральны пракурор!",
            "Прашу вызваліць Ганна Кавальчук.",
            "6 снежня 2026\u202fг.",
        ),
        "en": ("Dear Prosecutor General,", "release Anna Kavalchuk", "6 December 2026"),
    }
    for language, (greeting, prisoner, day) in expected.items():
        letters = letters_in(session, campaign, language)
        [draft] = [d for d in letters.drafts if d.official.language == "ru"]
        assert draft.language == language
        assert draft.body.startswith(greeting), draft.body
        assert prisoner in draft.body and draft.body.endswith(day)
        assert "(ая)" not in draft.body and "Dear %" not in draft.body
    be = next(d for d in letters_in(session, campaign, "be").drafts if d.language == "be")
    assert compose.recipient_lines(be)[:2] == ["Андрэй Швед", "Генеральны пракурор"]


def test_an_official_without_a_recorded_salutation_gets_a_neutral_greeting(
    engine: Engine, session: Session
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor = session.exec(select(Official).where(Official.language == "ru")).one()
    prosecutor.forms = {}
    session.add(prosecutor)
    session.flush()
    [draft] = [
        d for d in letters_in(session, campaign, "ru").drafts if d.official.id == prosecutor.id
    ]
    assert draft.body.startswith("Здравствуйте!")


def test_publishing_is_refused_while_a_language_lacks_an_officials_forms_and_says_what(
    organiser_client: TestClient, engine: Engine, session: Session
) -> None:
    url = new_campaign(organiser_client, session, "Forms first", allow_print="1")
    organiser_client.post(
        url + "/template",
        data={
            "csrf_token": csrf_from(organiser_client, url),
            "language": "en",
            "subjects": "Free her",
            "body": "{{ salutation }},\n{{ official_name }}\n{{ personal_paragraph }}",
            "action": "save",
        },
    )
    page = organiser_client.get(url).text
    assert "Андрэй Швед has no name in this language." in page  # shown before publishing
    refused = organiser_client.post(
        url + "/status", data={"csrf_token": csrf_from(organiser_client, url), "action": "publish"}
    )
    assert refused.status_code == 409
    assert "English:" in refused.text and "Андрэй Швед has no salutation in this language." in (
        refused.text
    )
    assert "Jane Envoy has no salutation in this language." in refused.text
    with Session(engine) as check:
        assert check.exec(select(LetterCampaign)).one().status == "draft"
    assert publish_with_english_forms(organiser_client, session, url) == 303


def test_the_register_csv_carries_each_languages_forms_and_old_files_still_import(
    session: Session,
) -> None:
    header = "name,title,country,language,name_ru,salutation_ru,salutation_be\n"
    shved_row = "Андрэй Швед,Генеральны пракурор,BY,be,Андрей Швед,"
    shved_row += "Уважаемый господин Генеральный прокурор,Паважаны спадар пракурор\n"
    report = officials.import_officials(
        session, rows(header + shved_row + "Jane Envoy,Ambassador,LT,en,,,\n"), apply=True
    )
    assert report.ok, report.errors
    exported = officials.export_csv(session).decode("utf-8-sig")
    parsed = {r["name"]: r for r in csv.DictReader(io.StringIO(exported))}
    shved = parsed["Андрэй Швед"]
    assert (
        shved["name_ru"] == "Андрей Швед" and shved["salutation_be"] == "Паважаны спадар пракурор"
    )
    assert "salutation_de" in shved and shved["salutation_de"] == ""
    # A file of the old columns only updates the rest and keeps the forms already recorded.
    old = "id,name,title,institution,country,language\n" + (
        f"{shved['id']},Андрэй Швед,Генеральны пракурор,Пракуратура,BY,be\n"
    )
    assert officials.import_officials(session, rows(old), apply=True).ok
    official = session.get(Official, int(shved["id"]))
    assert official is not None and official.institution == "Пракуратура"
    assert official.forms["ru"]["name"] == "Андрей Швед"
    # A Latin name given as the Russian form is refused with the row and column.
    latin = "id,name,name_ru\n" + f"{shved['id']},Андрэй Швед,Andrei Shved\n"
    refused = officials.import_officials(session, rows(latin), apply=True)
    assert [(line, column) for line, column, _ in refused.errors] == [(2, "name_ru")]


def test_the_official_form_saves_a_salutation_per_language(
    organiser_client: TestClient, session: Session
) -> None:
    path = "/admin/officials/new"
    response = organiser_client.post(
        path,
        data={
            "csrf_token": csrf_from(organiser_client, path),
            "name": "Jan Kowalski",
            "language": "pl",
            "salutation_pl": "Szanowny Panie Prokuratorze",
            "salutation_de": "Sehr geehrter Herr Generalstaatsanwalt",
        },
    )
    assert response.status_code == 303
    official = session.exec(select(Official)).one()
    assert official.forms == {
        "pl": {"salutation": "Szanowny Panie Prokuratorze"},
        "de": {"salutation": "Sehr geehrter Herr Generalstaatsanwalt"},
    }
    edit = organiser_client.get(f"/admin/officials/{official.id}/edit").text
    assert 'value="Szanowny Panie Prokuratorze"' in edit


def write(client: TestClient, campaign: LetterCampaign, **fields: str) -> str:
    token = csrf_from(client, f"/letters/{campaign.slug}")
    data = {"csrf_token": token, "name": "Ales", "country": "LT", "city": "Vilnius", **fields}
    return client.post(f"/letters/{campaign.slug}/write", data=data).text


def test_latin_words_for_a_russian_letter_are_flagged_until_rewritten_or_ticked(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    words = "I was arrested myself once, in Minsk."
    page = write(client, campaign, paragraph=words)
    [russian] = re.findall(r'name="written-in-(\d+)" value="ru"', page)
    [english] = re.findall(r'name="written-in-(\d+)" value="en"', page)
    # The warning sits next to the Russian letter only, before anything can be sent.
    assert f'id="error-body-{russian}"' in page and "another alphabet" in page
    assert f'id="error-body-{english}"' not in page
    assert 'name="paragraph_as_is"' in page
    bodies = dict(re.findall(r'<textarea id="field-(body-\d+)"[^>]*>([^<]*)</textarea>', page))
    token = csrf_from(client, f"/letters/{campaign.slug}")
    data = {
        "csrf_token": token,
        "name": "Ales",
        "country": "LT",
        "city": "Vilnius",
        "paragraph": words,
        f"written-in-{russian}": "ru",
        f"written-in-{english}": "en",
        **{key: body.replace("&#39;", "'") for key, body in bodies.items()},
        "channel": "mailto",
    }
    refused = client.post(f"/letters/{campaign.slug}/send", data=data)
    assert refused.status_code == 400 and f'id="error-body-{russian}"' in refused.text
    ticked = client.post(f"/letters/{campaign.slug}/send", data={**data, "paragraph_as_is": "1"})
    assert ticked.status_code == 200 and "mailto:" in ticked.text
    # Rewritten in the Russian letter itself: nothing left to flag there.
    rewritten = {**data, f"body-{russian}": bodies[f"body-{russian}"].replace(words, "Меня тоже.")}
    sent = client.post(f"/letters/{campaign.slug}/send", data=rewritten)
    assert sent.status_code == 200 and "mailto:" in sent.text


def test_the_review_page_says_each_letters_language_and_switches_one(
    client: TestClient, engine: Engine
) -> None:
    campaign = campaign_in_three_languages(engine)
    page = write(client, campaign, paragraph="")
    assert "This letter is in Русский." in page and "This letter is in English." in page
    [prosecutor] = re.findall(r'name="written-in-(\d+)" value="ru"', page)
    switched = write(
        client,
        campaign,
        paragraph="",
        **{f"language-{prosecutor}": "be", f"written-in-{prosecutor}": "ru"},
        **{f"body-{prosecutor}": "an edit made to the Russian letter"},
    )
    assert "This letter is in Беларуская." in switched
    assert "Паважаны спадар Генеральны пракурор!" in switched
    assert "an edit made to the Russian letter" not in switched


def test_a_prisoner_named_only_in_latin_keeps_the_russian_letters_closed(
    engine: Engine, session: Session
) -> None:
    prisoner = make_prisoner(engine, name_latin="Anna Kavalchuk", name_cyrillic="")
    campaign = make_letter_campaign(engine, prisoner_id=prisoner.id, status="draft")
    found = campaigns.language_gaps(session, session.get(LetterCampaign, campaign.id))  # type: ignore[arg-type]
    latin_only = "The prisoner's name is not written in this language."
    assert latin_only in found["ru"] and latin_only not in found["en"]
    refusal = campaigns.publish_refusal(session, session.get(LetterCampaign, campaign.id))  # type: ignore[arg-type]
    assert refusal is not None and "Русский:" in refusal and latin_only in refusal


def test_the_prisoners_register_csv_carries_the_name_per_language(session: Session) -> None:
    header = "external_id,name_latin,name_cyrillic,name_ru,name_be,name_pl\n"
    row = "v-1,Anna Kavalchuk,Ганна Кавальчук,Анна Ковальчук,Ганна Кавальчук,Anna Kowalczuk\n"
    found, problem = register.read_csv((header + row).encode())
    assert problem is None
    assert register.import_prisoners(session, found, apply=True, today=TODAY).ok
    exported = list(csv.DictReader(io.StringIO(exports.export_csv(session).decode("utf-8-sig"))))
    assert (exported[0]["name_ru"], exported[0]["name_pl"]) == ("Анна Ковальчук", "Anna Kowalczuk")
    first = session.exec(select(Prisoner)).one()
    assert name_in(first, "uk") == "Ганна Кавальчук"  # no Ukrainian form: the Cyrillic one
    assert name_in(first, "en") == "Anna Kavalchuk"
    # An old file without the columns changes the rest and keeps the names.
    old, _problem = register.read_csv(b"external_id,name_latin,region\nv-1,Anna Kavalchuk,Hrodna\n")
    assert register.import_prisoners(session, old, apply=True, today=TODAY).ok
    prisoner = session.exec(select(Prisoner)).one()
    assert prisoner.region == "Hrodna" and prisoner.names["pl"] == "Anna Kowalczuk"
    latin, _problem = register.read_csv(b"external_id,name_latin,name_ru\nv-1,Anna,Anna\n")
    report = register.import_prisoners(session, latin, apply=True, today=TODAY)
    assert [(line, column) for line, column, _ in report.errors] == [(2, "name_ru")]
