"""Events that call for letters: an organiser records a hearing or a hunger strike; volunteers
see it at the top of the list and on the person's page, with the birthdays, releases and
silences the register and the log tell; followers are reminded of each event once."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.letters.models import LetterCampaign
from campaign.prisoners import jobs, trail
from campaign.prisoners.models import (
    Follow,
    Prisoner,
    PrisonerEvent,
    ReminderSent,
    Volunteer,
)
from campaign.prisoners.service import events
from tests.conftest import csrf_from
from tests.factories import (
    log_letters,
    make_letter_campaign,
    make_prisoner,
    organisation,
    send_mail,
)
from tests.smtp_server import SmtpServer

# The months as a Belarusian date says them ("12 снежня").
BELARUSIAN_MONTHS = (
    "студзеня лютага сакавіка красавіка мая чэрвеня ліпеня жніўня верасня кастрычніка "
    "лістапада снежня"
)


def today() -> date:
    return utcnow().date()


def make_volunteer(
    engine: Engine, email: str, *, follows: list[Prisoner], **settings: object
) -> Volunteer:
    with transaction(engine) as session:
        volunteer = Volunteer(
            email=email,
            email_hash=email,
            login_nonce="a",
            session_nonce="b",
            **settings,  # type: ignore[arg-type]
        )
        session.add(volunteer)
        session.flush()
        for prisoner in follows:
            session.add(Follow(volunteer_id=volunteer.id, prisoner_id=prisoner.id))  # type: ignore[arg-type]
        return volunteer


def add_event(engine: Engine, prisoner: Prisoner, kind: str, days: int, **values: object) -> int:
    with transaction(engine) as session:
        event = PrisonerEvent(
            prisoner_id=prisoner.id,  # type: ignore[arg-type]
            kind=kind,
            starts_on=today() + timedelta(days=days),
            **values,  # type: ignore[arg-type]
        )
        session.add(event)
        session.flush()
        assert event.id is not None
        return event.id


def run_reminder_job(engine: Engine, settings: Settings, smtp: SmtpServer) -> list[str]:
    """The worker's hourly job, then the mail worker: the recipients of what went out."""
    before = len(smtp.handler.messages)
    with transaction(engine) as session:
        jobs.volunteer_reminders(session, settings)
    send_mail(engine, settings)
    return [message["To"] for message in smtp.handler.messages[before:]]


def body_of(smtp: SmtpServer) -> str:
    return str(smtp.handler.messages[-1].get_body(("plain",)).get_content())


def post_event(client: TestClient, path: str, **fields: str) -> object:
    token = csrf_from(client, path)
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def test_a_followers_reminder_of_a_hearing_goes_once_even_when_its_date_moves(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Followed")
    campaign = make_letter_campaign(engine, prisoner_id=prisoner.id)
    event_id = add_event(
        engine,
        prisoner,
        "hearing",
        5,
        note="The court hears her case.",
        letter_campaign_id=campaign.id,
    )
    make_volunteer(engine, "follower@example.org", follows=[prisoner], silence_alerts=True)
    make_volunteer(engine, "quiet@example.org", follows=[prisoner])  # no reminders asked
    make_volunteer(engine, "stranger@example.org", follows=[], birthday_reminders=True)

    assert run_reminder_job(engine, settings, smtp) == ["follower@example.org"]
    body = body_of(smtp)
    assert "Ales Followed: hearing on" in body and "The court hears her case." in body
    assert f"/letters/{campaign.slug}?lang=en" in body  # the campaign to the officials
    assert f"/prisoners/{prisoner.slug}?lang=en" in body

    assert run_reminder_job(engine, settings, smtp) == []  # the job runs hourly: not again
    path = f"/admin/prisoners/{prisoner.id}/events/{event_id}/edit"
    moved = today() + timedelta(days=7)
    response = post_event(
        organiser_client, path, kind="hearing", starts_on=moved.isoformat(), note="Moved."
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert run_reminder_job(engine, settings, smtp) == []  # a moved hearing is the same one

    response = post_event(
        organiser_client,
        f"/admin/prisoners/{prisoner.id}/events",
        kind="appeal",
        starts_on=(today() + timedelta(days=2)).isoformat(),
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert run_reminder_job(engine, settings, smtp) == ["follower@example.org"]
    assert "Ales Followed: appeal hearing on" in body_of(smtp)


def test_an_event_beyond_the_volunteers_window_waits_and_an_ongoing_one_is_sent(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Window Person")
    add_event(engine, prisoner, "hearing", 20)
    add_event(engine, prisoner, "hunger_strike", -4)
    make_volunteer(
        engine, "window@example.org", follows=[prisoner], birthday_reminders=True, reminder_days=14
    )
    assert run_reminder_job(engine, settings, smtp) == ["window@example.org"]
    body = body_of(smtp)
    assert "Window Person: hunger strike since" in body and "hearing" not in body


def test_no_event_of_a_hidden_prisoner_is_mailed_or_listed(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Person")
    add_event(engine, hidden, "hunger_strike", -1, note="Secret strike")
    make_volunteer(engine, "follower@example.org", follows=[hidden], silence_alerts=True)
    assert run_reminder_job(engine, settings, smtp) == []
    page = client.get("/prisoners").text
    assert "Hidden Person" not in page and "Secret strike" not in page


def test_the_top_of_the_list_says_write_now_with_the_date_in_the_visitors_language(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine, name_latin="Maryna Hearing")
    campaign = make_letter_campaign(engine, prisoner_id=prisoner.id)
    add_event(
        engine,
        prisoner,
        "hearing",
        0,
        ends_on=today() + timedelta(days=30),
        note="Come to the court.",
        letter_campaign_id=campaign.id,
    )
    add_event(engine, prisoner, "transfer", 40)  # beyond a month: not yet
    page = client.get("/prisoners?lang=en").text
    top = page.split('class="write-now"')[1].split("</section>")[0]
    assert "Maryna Hearing" in top and "hearing today" in top and "Come to the court." in top
    # Links on a shared page carry its language (#21): a click costs no redirect.
    assert f'href="/prisoners/{prisoner.slug}?lang=en"' in top
    assert f'href="/letters/{campaign.slug}?lang=en"' in top
    assert "transfer" not in top

    with transaction(engine) as session:
        event = session.exec(select(PrisonerEvent).where(PrisonerEvent.kind == "hearing")).one()
        event.starts_on = today() + timedelta(days=5)
        session.add(event)
        shown = event.starts_on
    page = client.get("/prisoners?lang=be").text
    month = BELARUSIAN_MONTHS.split()[shown.month - 1]
    top = page.split('class="write-now"')[1]
    assert f"{shown.day} {month} {shown.year}" in top and shown.isoformat() not in top


def test_a_linked_campaign_is_linked_only_while_the_public_may_write_in_it(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine, name_latin="Draft Linked")
    draft = make_letter_campaign(engine, status="draft")
    add_event(engine, prisoner, "hunger_strike", -2, letter_campaign_id=draft.id)
    page = client.get(f"/prisoners/{prisoner.slug}").text
    assert "hunger strike since" in page
    assert (
        f"/letters/{draft.slug}" not in page
        and f"/letters/{draft.slug}" not in client.get("/prisoners").text
    )
    with transaction(engine) as session:
        row = session.get(LetterCampaign, draft.id)
        assert row is not None
        row.status = "open"
        session.add(row)
    assert f"/letters/{draft.slug}" in client.get(f"/prisoners/{prisoner.slug}").text
    # A campaign naming someone hidden for want of consent is not linked either.
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Cellmate")
    naming = make_letter_campaign(engine, prisoner_id=hidden.id)
    add_event(engine, prisoner, "hearing", 3, letter_campaign_id=naming.id)
    for page in (client.get(f"/prisoners/{prisoner.slug}").text, client.get("/prisoners").text):
        assert "hearing on" in page or "hunger strike since" in page
        assert f"/letters/{naming.slug}" not in page and "Hidden Cellmate" not in page


def test_derived_events_appear_on_the_persons_page(client: TestClient, engine: Engine) -> None:
    soon = today() + timedelta(days=10)
    prisoner = make_prisoner(
        engine,
        name_latin="Derived Person",
        birth_date=date(1990, soon.month, min(soon.day, 28)),
        release_expected_on=today() + timedelta(days=20),
    )
    log_letters(engine, prisoner, today() - timedelta(days=75))
    page = client.get(f"/prisoners/{prisoner.slug}?lang=en").text
    section = page.split('id="events-heading"')[1].split("</section>")[0]
    assert "birthday on" in section
    assert "expected release on" in section
    assert "no letter logged for 75 days" in section
    assert "Derived Person" in client.get("/prisoners").text.split('class="write-now"')[1]


def test_the_event_form_shows_each_mistake_beside_its_field(
    organiser_client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    theirs = make_letter_campaign(
        engine, title="Another group's campaign", organisation_id=organisation(engine, "Others")
    )
    path = f"/admin/prisoners/{prisoner.id}/events"
    assert "Another group" not in organiser_client.get(path).text  # not offered
    response = post_event(
        organiser_client,
        path,
        kind="hearing",
        starts_on="2026-12-12",
        ends_on="2026-12-01",
        note="x" * 281,
        letter_campaign_id=str(theirs.id),
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    for field, message in (
        ("ends_on", "The end cannot be before the start."),
        ("note", "At most 280 characters."),
        ("letter_campaign_id", "Choose one of your organisations&#39; campaigns."),
    ):
        assert f'<p class="field-error" id="error-{field}">{message}</p>' in page, field
    missing = post_event(organiser_client, path, kind="picnic", starts_on="")
    assert 'id="error-kind"' in missing.text and 'id="error-starts_on"' in missing.text  # type: ignore[attr-defined]
    assert "Shown publicly" in organiser_client.get(path).text  # the note's warning
    with Session(engine) as session:
        assert session.exec(select(PrisonerEvent)).all() == []


def test_an_organiser_ends_a_hunger_strike_and_it_leaves_the_public_pages(
    organiser_client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine, name_latin="Striking Person")
    event_id = add_event(engine, prisoner, "hunger_strike", -6)
    with Session(engine) as session:
        shown = session.get(Prisoner, prisoner.id)
        assert shown is not None
        assert [
            o.kind for o in events.prisoner_occasions(session, shown, today() + timedelta(days=90))
        ] == ["hunger_strike"]  # open-ended: it goes on until ended
    make_volunteer(engine, "follower@example.org", follows=[prisoner], silence_alerts=True)
    with transaction(engine) as session:
        jobs.volunteer_reminders(session, organiser_client.app.state.settings)  # type: ignore[attr-defined]
    with Session(engine) as session:
        sent = session.exec(select(ReminderSent.kind, ReminderSent.occasion)).all()
        assert ("event", str(event_id)) in sent
    base = f"/admin/prisoners/{prisoner.id}/events"
    token = csrf_from(organiser_client, base)
    ended = organiser_client.post(
        f"{base}/{event_id}/end", data={"csrf_token": token}, follow_redirects=True
    )
    assert "The event is ended today." in ended.text
    with Session(engine) as session:
        shown = session.get(Prisoner, prisoner.id)
        assert shown is not None
        assert events.prisoner_occasions(session, shown, today() + timedelta(days=1)) == []
    deleted = organiser_client.post(
        f"{base}/{event_id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "The event is deleted." in deleted.text
    with Session(engine) as session:
        # Its reminder is forgotten with it: an id SQLite gives again is a new event.
        assert session.exec(select(ReminderSent.kind)).all() == ["silence"]
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [a for a in actions if a.startswith("prisoner.event")] == [
        "prisoner.event_ended",
        "prisoner.event_deleted",
    ]
    sentence = trail.SENTENCES["prisoner.event_ended"]({"who": "Olga", "about": "Striking Person"})
    assert sentence == "Olga ended an event of Striking Person"


def test_write_now_puts_recorded_events_first_and_names_each_person_once(
    engine: Engine,
) -> None:
    later = make_prisoner(engine, name_latin="Hearing Later")
    add_event(engine, later, "hearing", 20)
    add_event(engine, later, "transfer", 2)  # the same person: one line
    striking = make_prisoner(engine, name_latin="On Strike")
    add_event(engine, striking, "hunger_strike", -9)
    soon = today() + timedelta(days=3)
    make_prisoner(
        engine, name_latin="Birthday Soon", birth_date=date(1985, soon.month, min(soon.day, 28))
    )
    for days in (70, 90, 80):
        quiet = make_prisoner(engine, name_latin=f"Quiet {days}")
        log_letters(engine, quiet, today() - timedelta(days=days))
    with Session(engine) as session:
        shown = [(o.prisoner.name_latin, o.kind) for o in events.write_now(session, today())]
    assert shown == [
        ("On Strike", "hunger_strike"),
        ("Hearing Later", "transfer"),
        ("Birthday Soon", "birthday"),
        ("Quiet 90", "silence"),
        ("Quiet 80", "silence"),
    ]
