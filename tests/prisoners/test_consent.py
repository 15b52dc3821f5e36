"""Consent first: a prisoner is named publicly only once an organiser recorded consent; without it
(never recorded, or withdrawn) every public page, list, campaign and reminder acts as if the
person were unknown, while the organisers still see and count them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.db import transaction, utcnow
from campaign.core.images import store_image
from campaign.core.migrate import upgrade
from campaign.core.settings import Settings
from campaign.letters.models import LetterCampaign
from campaign.prisoners.models import Prisoner, PrisonerConsent, Volunteer
from campaign.prisoners.service import consent, reminders, volunteers
from campaign.prisoners.service.dashboard import without_mail
from tests.conftest import app_routes, csrf_from, throwaway_postgres
from tests.factories import log_letters, make_letter_campaign, make_prisoner
from tests.prisoners.test_volunteers import sign_in
from tests.smtp_server import SmtpServer

UNKNOWN = "no-such-person-or-campaign"
BEFORE = "19b100000001"  # the revision before consent was tracked


def _filled(path: str, slug: str) -> str:
    """The path with its slug, and any other parameter a value no record has."""
    path = path.replace("{slug}", slug)
    return re.sub(r"\{[^}]+\}", "1", path)


def _walk(client: TestClient, app: Any, prefix: str, slug: str) -> dict[tuple[str, str], int]:
    """The status of every public route under `prefix` that takes a slug, asked with this one."""
    token = csrf_from(client, "/volunteer/signin")
    found: dict[tuple[str, str], int] = {}
    for path, methods, _dependant in app_routes(app):
        if not path.startswith(prefix) or "{slug}" not in path:
            continue
        for method in sorted(methods & {"GET", "POST"}):
            url = _filled(path, slug)
            data = {"csrf_token": token, "sent_on": utcnow().date().isoformat(), "on": "1"}
            response = client.request(method, url, data=data if method == "POST" else None)
            found[(method, path)] = response.status_code
            assert slug == UNKNOWN or "Hidden Person" not in response.text, (method, path)
    return found


def test_a_prisoner_without_consent_is_unknown_on_every_public_route_that_names_them(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Person")
    shown = make_prisoner(engine, name_latin="Shown Person")
    sign_in(client, engine, settings, smtp)  # a volunteer may log and follow: still nothing
    walked = _walk(client, client.app, "/prisoners/", hidden.slug)
    assert walked == _walk(client, client.app, "/prisoners/", UNKNOWN)
    assert walked[("GET", "/prisoners/{slug}")] == 404
    assert walked[("GET", "/prisoners/{slug}/write")] == 404
    assert walked[("POST", "/prisoners/{slug}/write")] == 404
    assert walked[("POST", "/prisoners/{slug}/log")] == 404
    assert walked[("POST", "/prisoners/{slug}/follow")] == 404
    # The walk means something: the same routes answer for a person with consent.
    assert client.get(f"/prisoners/{shown.slug}").status_code == 200
    assert client.get(f"/prisoners/{shown.slug}/write").status_code == 200


def test_a_prisoner_without_consent_is_absent_from_lists_filters_and_pick(
    client: TestClient, engine: Engine
) -> None:
    make_prisoner(engine, consent=False, name_latin="Hidden Person", region="Secret Region")
    shown = make_prisoner(engine, name_latin="Shown Person", region="Minsk")
    log_letters(engine, shown, utcnow().date() - timedelta(days=2))  # the hidden has fewer
    listed = client.get("/prisoners")
    assert "Shown Person" in listed.text
    assert "Hidden Person" not in listed.text and "Secret Region" not in listed.text
    assert "Hidden Person" not in client.get("/prisoners?region=Secret+Region").text
    for _ in range(5):
        assert client.get("/prisoners/pick").headers["location"] == f"/prisoners/{shown.slug}"


def test_a_letter_campaign_naming_a_hidden_prisoner_is_hidden_until_consent(
    client: TestClient, engine: Engine
) -> None:
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Person")
    campaign = make_letter_campaign(engine, title="Write for the hidden one", prisoner_id=hidden.id)
    walked = _walk(client, client.app, "/letters/", campaign.slug)
    assert walked == _walk(client, client.app, "/letters/", UNKNOWN)
    assert walked[("GET", "/letters/{slug}")] == 404
    assert "Write for the hidden one" not in client.get("/letters").text
    with transaction(engine) as session:
        session.add(
            PrisonerConsent(
                prisoner_id=hidden.id,  # type: ignore[arg-type]
                state="given",
                given_by="lawyer",
                given_on=date(2026, 1, 5),
                how="lawyer",
            )
        )
    assert client.get(f"/letters/{campaign.slug}").status_code == 200
    assert "Write for the hidden one" in client.get("/letters").text


def _record(client: TestClient, prisoner: Prisoner, **fields: str) -> Any:
    path = f"/admin/prisoners/{prisoner.id}/consent"
    data = {"csrf_token": csrf_from(client, path), "given_on": "2026-11-30", **fields}
    return client.post(path, data=data)


def test_an_organiser_records_consent_and_a_withdrawal_hides_at_once_and_pauses_campaigns(
    organiser_client: TestClient, engine: Engine
) -> None:
    person = make_prisoner(engine, consent=False, name_latin="Named Later")
    campaign = make_letter_campaign(engine, prisoner_id=person.id)
    assert organiser_client.get(f"/prisoners/{person.slug}").status_code == 404
    given = _record(
        organiser_client,
        person,
        state="given",
        given_by="family",
        how="message",
        note="Her sister Olga asked on Signal",
    )
    assert given.status_code == 303
    assert organiser_client.get(f"/prisoners/{person.slug}").status_code == 200
    page = organiser_client.get(f"/admin/prisoners/{person.id}/consent")
    assert "Her sister Olga asked on Signal" in page.text and "Public." in page.text

    withdrawn = _record(
        organiser_client, person, state="withdrawn", given_by="lawyer", how="lawyer"
    )
    assert withdrawn.status_code == 303
    assert organiser_client.get(f"/prisoners/{person.slug}").status_code == 404
    assert organiser_client.get(f"/letters/{campaign.slug}").status_code == 404
    with Session(engine) as session:
        assert session.get(LetterCampaign, campaign.id).delivery_paused  # type: ignore[union-attr]
        actions = set(session.exec(select(AuditEvent.action)).all())
        assert {"prisoner.consent:given", "prisoner.consent:withdrawn"} <= actions
        assert "letters.delivery_paused_for_consent" in actions
        history = consent.history(session, person.id)  # type: ignore[arg-type]
        assert [row.state for row in history] == ["withdrawn", "given"]
    page = organiser_client.get(f"/admin/prisoners/{person.id}/consent")
    assert "Hidden." in page.text and "delivery paused" in page.text


def test_a_consent_form_with_a_future_date_or_no_source_is_refused(
    organiser_client: TestClient, engine: Engine
) -> None:
    person = make_prisoner(engine, consent=False)
    future = (utcnow().date() + timedelta(days=3)).isoformat()
    refused = _record(
        organiser_client, person, state="given", given_by="", how="letter", given_on=future
    )
    assert refused.status_code == 400
    forged = _record(
        organiser_client, person, state="given", given_by="before_tracking", how="letter"
    )
    assert forged.status_code == 400
    with Session(engine) as session:
        assert consent.history(session, person.id) == []  # type: ignore[arg-type]


def test_the_dashboard_lists_people_waiting_for_consent_and_internal_counts_include_them(
    organiser_client: TestClient, engine: Engine
) -> None:
    make_prisoner(engine, consent=False, name_latin="Waiting Person")
    make_prisoner(engine, name_latin="Consented Person")
    overview = organiser_client.get("/admin/prisoners/dashboard")
    waiting = overview.text.split('id="consent"')[1].split("<h2>")[0]
    assert "Waiting Person" in waiting and "Consented Person" not in waiting
    listing = organiser_client.get("/admin/prisoners")
    assert "waiting for consent" in listing.text
    with Session(engine) as session:  # both held without mail: both counted for organisers
        assert without_mail(session, today=utcnow().date()) == 2
    front = organiser_client.get("/admin")
    assert "Prisoners waiting for consent to be named" in front.text


def test_a_volunteer_following_a_hidden_person_gets_no_reminder_about_them(
    engine: Engine, settings: Settings
) -> None:
    today = date(2026, 12, 24)
    hidden = make_prisoner(
        engine, consent=False, name_latin="Hidden Person", birth_date=date(1990, 1, 3)
    )
    with transaction(engine) as session:
        volunteer = Volunteer(
            email="vol@example.org",
            email_hash="vol",
            login_nonce="a",
            session_nonce="b",
            birthday_reminders=True,
            silence_alerts=True,
        )
        session.add(volunteer)
        session.flush()
        prisoner = session.get(Prisoner, hidden.id)
        assert prisoner is not None
        volunteers.set_follow(session, volunteer=volunteer, prisoner=prisoner, on=True)
        assert reminders.due_reminders(session, volunteer, today) == []


def test_every_public_query_about_prisoners_goes_through_the_consent_filter() -> None:
    """A new public listing cannot forget consent: the services that serve the public name it."""
    root = Path(__file__).resolve().parents[2] / "campaign"
    for name in (
        "prisoners/service/prisoners.py",
        "prisoners/service/reminders.py",
        "letters/service/campaigns.py",
        "letters/service/responsiveness.py",
    ):
        text = (root / name).read_text()
        assert "named_publicly" in text or "campaign_may_be_public" in text, name


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own (not the shared, migrated one), dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    with throwaway_postgres("campaign_consent") as url:
        yield url


def test_an_upgrade_keeps_existing_prisoners_public_and_marks_them_for_review(
    fresh_url: str,
) -> None:
    upgrade(fresh_url, BEFORE)
    now = datetime.now(UTC)
    engine = create_engine(fresh_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO prisoner (external_id, slug, name_latin, name_cyrillic, names, "
                "gender, region, articles, sentence, status, accepts_letters, letter_address, "
                "interests, writer_notes, source, created_at, updated_at) VALUES ('v-1', "
                "'old-record', 'Old Record', '', '{}', '', '', '', '', 'sentenced', :yes, '', "
                "'', '', '', :now, :now)"
            ),
            {"yes": True, "now": now},
        )
    engine.dispose()
    upgrade(fresh_url, "head")
    engine = create_engine(fresh_url)
    with Session(engine) as session:
        (prisoner,) = session.exec(select(Prisoner)).all()
        assert consent.is_public(session, prisoner.id)
        assert [p.name_latin for p in consent.review_due(session)] == ["Old Record"]
        assert consent.waiting(session) == []
    engine.dispose()


def test_the_organiser_pages_of_a_campaign_say_it_is_hidden_for_want_of_consent(
    organiser_client: TestClient, engine: Engine
) -> None:
    hidden = make_prisoner(engine, consent=False)
    campaign = make_letter_campaign(engine, prisoner_id=hidden.id)
    for path in (f"/admin/letters/{campaign.id}", f"/admin/letters/{campaign.id}/dashboard"):
        assert 'id="consent-notice"' in organiser_client.get(path).text, path
    shown = make_letter_campaign(engine, prisoner_id=make_prisoner(engine).id)
    assert 'id="consent-notice"' not in organiser_client.get(f"/admin/letters/{shown.id}").text


def _photo(engine: Engine, settings: Settings, prisoner: Prisoner) -> str:
    picture = io.BytesIO()
    Image.new("RGB", (32, 32), "grey").save(picture, format="PNG")
    name = store_image(picture.getvalue(), settings.upload_dir)
    with transaction(engine) as session:
        stored = session.get(Prisoner, prisoner.id)
        assert stored is not None
        stored.photo = name
        session.add(stored)
    return f"/media/{name}"


def test_a_hidden_persons_photo_is_unknown_to_strangers_and_goes_when_consent_is_withdrawn(
    organiser_client: TestClient, app: Any, engine: Engine, settings: Settings
) -> None:
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Person")
    shown = make_prisoner(engine, name_latin="Shown Person")
    hidden_url, shown_url = _photo(engine, settings, hidden), _photo(engine, settings, shown)
    with TestClient(app) as stranger:
        assert stranger.get(hidden_url).status_code == 404
        public = stranger.get(shown_url)
        # A cache may keep a public person's photo minutes, not a year: consent can go.
        assert public.status_code == 200 and "immutable" not in public.headers["cache-control"]
        own = organiser_client.get(hidden_url)  # the register's edit page shows it
        assert own.status_code == 200 and own.headers["cache-control"] == "private, no-store"
        _record(organiser_client, shown, state="withdrawn", given_by="family", how="message")
        assert stranger.get(shown_url).status_code == 404


def test_the_organisers_overview_links_a_hidden_person_to_consent_not_to_a_missing_page(
    organiser_client: TestClient, engine: Engine
) -> None:
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Person")  # no letter yet
    shown = make_prisoner(engine, name_latin="Shown Person")
    overview = organiser_client.get("/admin/prisoners/dashboard").text
    assert f'href="/prisoners/{hidden.slug}"' not in overview
    assert f'href="/admin/prisoners/{hidden.id}/consent"' in overview
    assert f'href="/prisoners/{shown.slug}"' in overview
