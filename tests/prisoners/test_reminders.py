"""Reminders: birthdays coming up and followed people without mail, each mailed once."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.mail.models import OutboxMessage
from campaign.prisoners.models import Prisoner, Volunteer
from campaign.prisoners.service import reminders, volunteers
from tests.factories import log_letters, make_prisoner, send_mail
from tests.smtp_server import SmtpServer

TODAY = date(2026, 12, 24)


def make_volunteer(engine: Engine, email: str = "vol@example.org", **settings: object) -> Volunteer:
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
        return volunteer


def send(engine: Engine, settings: Settings, today: date = TODAY) -> list[OutboxMessage]:
    with transaction(engine) as session:
        reminders.send_reminders(session, settings=settings, today=today)
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_a_birthday_across_new_year_is_reminded_once(engine: Engine, settings: Settings) -> None:
    make_prisoner(engine, name_latin="January Born", birth_date=date(1990, 1, 3))
    make_prisoner(engine, name_latin="Far Off", birth_date=date(1990, 3, 3))
    make_volunteer(engine, birthday_reminders=True, reminder_days=14)
    mails = send(engine, settings)
    assert len(mails) == 1
    names = [item["name"] for item in mails[0].context["items"]]
    assert names == ["January Born"] and mails[0].context["items"][0]["occasion"] == "2027-01-03"
    assert "List-Unsubscribe" in mails[0].headers
    assert len(send(engine, settings, TODAY + timedelta(days=1))) == 1  # not again


def test_an_address_that_cannot_be_mailed_stops_no_one_elses_reminder(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    make_prisoner(engine, name_latin="January Born", birth_date=date(1990, 1, 3))
    # The demo's fictional writers live at .invalid; an old row may hold what no rule takes now.
    make_volunteer(engine, "volunteer1@demo.invalid", birthday_reminders=True, reminder_days=14)
    make_volunteer(engine, birthday_reminders=True, reminder_days=14)
    with caplog.at_level(logging.WARNING, logger="campaign.mail"):
        mails = send(engine, settings)
    assert [mail.to_addr for mail in mails] == ["vol@example.org"]
    assert "reminders: 1 recipients left out" in caplog.text and "demo.invalid" not in caplog.text


def test_29_february_is_remembered_in_ordinary_years(engine: Engine, settings: Settings) -> None:
    make_prisoner(engine, name_latin="Leap Born", birth_date=date(1984, 2, 29))
    make_volunteer(engine, birthday_reminders=True, reminder_days=3)
    mails = send(engine, settings, date(2027, 2, 26))
    assert mails and mails[0].context["items"][0]["occasion"] == "2027-02-28"


def test_followed_people_without_mail_for_60_days_raise_an_alert_once(
    engine: Engine, settings: Settings
) -> None:
    quiet = make_prisoner(engine, name_latin="Quiet One")
    busy = make_prisoner(engine, name_latin="Busy One")
    unfollowed = make_prisoner(engine, name_latin="Not Followed")
    log_letters(engine, quiet, TODAY - timedelta(days=70))
    log_letters(engine, busy, TODAY - timedelta(days=5))
    volunteer = make_volunteer(engine, silence_alerts=True)
    with transaction(engine) as session:
        fresh = session.get(Volunteer, volunteer.id)
        assert fresh is not None
        for prisoner in (quiet, busy):
            volunteers.set_follow(
                session,
                volunteer=fresh,
                prisoner=session.get(Prisoner, prisoner.id),
                on=True,  # type: ignore[arg-type]
            )
    mails = send(engine, settings)
    assert [i["name"] for i in mails[0].context["items"]] == ["Quiet One"]
    assert unfollowed.name_latin not in str(mails[0].context)
    assert len(send(engine, settings, TODAY + timedelta(days=2))) == 1


def test_one_click_unsubscribe_stops_every_reminder(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    make_prisoner(engine, birth_date=date(1990, 1, 3))
    volunteer = make_volunteer(engine, birthday_reminders=True, silence_alerts=True)
    token = reminders.unsubscribe_token(settings, volunteer)
    assert client.post(f"/volunteer/unsubscribe?token={token}").status_code == 200
    assert client.post("/volunteer/unsubscribe?token=forged").status_code == 400
    assert send(engine, settings) == []


def test_the_birthday_is_written_as_the_volunteers_language_writes_dates(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    make_prisoner(engine, name_latin="January Born", birth_date=date(1990, 1, 3))
    make_volunteer(engine, birthday_reminders=True, reminder_days=14, locale="be")
    send(engine, settings)
    send_mail(engine, settings)
    body = smtp.handler.messages[-1].get_body(("plain",)).get_content()
    assert "3 студзеня 2027" in body and "г.." not in body
    assert "2027-01-03" not in body
    assert "?lang=be" in body and "&lang=be" in body  # the links keep the volunteer's language
