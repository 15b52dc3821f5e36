"""One volunteer cannot bury a prisoner under logged letters: logging is limited per volunteer,
an identical log is refused, and "fewest letters" counts each volunteer once."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.prisoners.models import Prisoner, SolidarityLetter, Volunteer
from campaign.prisoners.service import prisoners
from campaign.prisoners.service.prisoners import Filters
from tests.conftest import csrf_from
from tests.factories import link_in, make_prisoner, send_mail
from tests.prisoners.test_volunteers import sign_in
from tests.smtp_server import SmtpServer

CHANNELS = ("post", "eletter", "relay")


def make_volunteer(engine: Engine, settings: Settings, email: str) -> Volunteer:
    with transaction(engine) as session:
        volunteer = Volunteer(
            email=email,
            email_hash=email_index(settings, email),
            login_nonce=secrets.token_urlsafe(12),
            session_nonce=secrets.token_urlsafe(12),
        )
        session.add(volunteer)
        session.flush()
        return volunteer


def letters_from(engine: Engine, volunteer: Volunteer, prisoner: Prisoner, *days: date) -> None:
    with transaction(engine) as session:
        for day in days:
            session.add(
                SolidarityLetter(
                    prisoner_id=prisoner.id,  # type: ignore[arg-type]
                    volunteer_id=volunteer.id,
                    sent_on=day,
                )
            )


def log(client: TestClient, prisoner: Prisoner, token: str, sent_on: date, channel: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/prisoners/{prisoner.slug}/log",
        data={"csrf_token": token, "sent_on": sent_on.isoformat(), "channel": channel},
        follow_redirects=False,
    )


def stored(engine: Engine, prisoner: Prisoner) -> int:
    with Session(engine) as session:
        query = select(SolidarityLetter).where(SolidarityLetter.prisoner_id == prisoner.id)
        return len(session.exec(query).all())


def test_one_volunteer_logging_200_letters_cannot_push_the_forgotten_prisoner_down(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    today = date.today()
    forgotten = make_prisoner(engine, name_latin="Aksana Forgotten")
    writers = [make_volunteer(engine, settings, f"writer{n}@example.org") for n in range(2)]
    others = [make_prisoner(engine, name_latin=f"Person {n:02}") for n in range(19)]
    for n, prisoner in enumerate(others):
        for writer in writers:  # two people wrote to each of the others lately
            letters_from(engine, writer, prisoner, today - timedelta(days=n % 20))
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{forgotten.slug}")
    answers = [
        log(client, forgotten, token, today - timedelta(days=n % 30), CHANNELS[n % 3]).status_code
        for n in range(200)
    ]
    assert answers.count(303) == settings.volunteer_letters_per_prisoner_per_day == 3
    assert set(answers[3:]) == {400, 429}  # logged already, or beyond the day's limit
    assert stored(engine, forgotten) == 3

    listed = client.get("/prisoners").text
    order = re.findall(r'href="/prisoners/(prisoner-[0-9]+)"', listed.split("<main")[1])
    assert len(order) == 20 and order.index(forgotten.slug) == 0
    for _ in range(10):
        picked = client.get("/prisoners/pick", follow_redirects=False)
        assert picked.headers["location"] == f"/prisoners/{forgotten.slug}"
    assert "1 volunteer wrote in the last 30 days" in listed


def test_fewest_letters_counts_each_volunteer_once_however_many_they_log(
    engine: Engine, settings: Settings
) -> None:
    today = date.today()
    flooded = make_prisoner(engine, name_latin="Flooded Person")
    written = make_prisoner(engine, name_latin="Written To")
    loud = make_volunteer(engine, settings, "loud@example.org")
    days = [today - timedelta(days=n) for n in range(25)]
    letters_from(engine, loud, flooded, *days, *days, *days)  # 75 letters from one account
    for n in range(2):
        letters_from(engine, make_volunteer(engine, settings, f"w{n}@example.org"), written, today)
    with Session(engine) as session:
        listed = prisoners.prisoners_needing_mail(session, filters=Filters(), today=today)
        picked = prisoners.pick_for_me(session, today=today)
        recent = prisoners.recent_letter_count(session, flooded, today)
    assert [(i.prisoner.name_latin, i.recent_letters) for i in listed] == [
        ("Flooded Person", 1),
        ("Written To", 2),
    ]
    assert picked is not None and picked.name_latin == "Flooded Person"
    assert recent == 1


def test_a_volunteer_logs_at_most_three_letters_a_day_to_one_person_and_is_told_why(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine)
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{prisoner.slug}")
    today = date.today()
    for channel in CHANNELS:
        assert log(client, prisoner, token, today, channel).status_code == 303
    refused = log(client, prisoner, token, today - timedelta(days=1), "post")
    assert refused.status_code == 429
    assert "You can log 3 letters a day to one person" in refused.text
    assert 'id="error-summary"' in refused.text and "Log my letter" in refused.text
    assert stored(engine, prisoner) == 3


def test_a_volunteer_logs_at_most_thirty_letters_a_day_in_all(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    people = [make_prisoner(engine, name_latin=f"Person {n:02}") for n in range(11)]
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{people[0].slug}")
    today = date.today()
    for prisoner in people[:10]:
        for channel in CHANNELS:
            assert log(client, prisoner, token, today, channel).status_code == 303
    refused = log(client, people[10], token, today, "post")
    assert refused.status_code == 429 and "You can log 30 letters a day" in refused.text
    assert stored(engine, people[10]) == 0


def test_logging_the_same_letter_twice_is_refused_with_a_clear_message(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine)
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{prisoner.slug}")
    day = date.today() - timedelta(days=2)
    assert log(client, prisoner, token, day, "relay").status_code == 303
    again = log(client, prisoner, token, day, "relay")
    assert again.status_code == 400
    assert 'id="error-sent_on"' in again.text
    assert "You have already logged this letter" in again.text
    assert f'value="{day.isoformat()}"' in again.text
    assert log(client, prisoner, token, day, "post").status_code == 303  # another way: fine
    assert stored(engine, prisoner) == 2


def test_the_limits_are_settings(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    settings.volunteer_letters_per_prisoner_per_day = 1
    prisoner = make_prisoner(engine)
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{prisoner.slug}")
    assert log(client, prisoner, token, date.today(), "post").status_code == 303
    refused = log(client, prisoner, token, date.today(), "relay")
    assert refused.status_code == 429 and "You can log 1 letter a day to one person" in refused.text


def sign_in_as(client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer) -> None:
    """Sign in as vol@example.org again, by the newest link in the mailbox."""
    smtp.handler.reset()
    token = csrf_from(client, "/volunteer/signin")
    client.post("/volunteer/signin", data={"csrf_token": token, "email": "vol@example.org"})
    send_mail(engine, settings)
    (mail,) = smtp.handler.to("vol@example.org")
    path = link_in(mail.get_body(("plain",)).get_content(), "/volunteer/signin")  # type: ignore[union-attr]
    link_token = parse_qs(urlsplit(path).query)["token"][0]
    done = client.post(
        "/volunteer/signin", data={"csrf_token": csrf_from(client, path), "token": link_token}
    )
    assert done.status_code == 303


def my_data_link(client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer) -> str:
    """Ask /my-data for vol@example.org's link, as its owner would (it works for a day)."""
    smtp.handler.reset()
    client.post(
        "/my-data", data={"csrf_token": csrf_from(client, "/my-data"), "email": "vol@example.org"}
    )
    send_mail(engine, settings)
    (mail,) = smtp.handler.to("vol@example.org")
    path = link_in(mail.get_body(("plain",)).get_content(), "/my-data?token=")  # type: ignore[union-attr]
    return path.split("testserver")[-1]


def erase_me(client: TestClient, path: str) -> None:
    """Erase everything about the link's address through /my-data."""
    token = parse_qs(urlsplit(path).query)["token"][0]
    done = client.post(
        "/my-data/erase",
        data={"csrf_token": csrf_from(client, path), "token": token, "confirm": "1"},
    )
    assert done.status_code == 200 and "is erased" in done.text


def test_erasing_and_signing_in_again_does_not_make_one_person_many_writers(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    today = date.today()
    forgotten = make_prisoner(engine, name_latin="Aksana Forgotten")
    writers = [make_volunteer(engine, settings, f"writer{n}@example.org") for n in range(3)]
    others = [make_prisoner(engine, name_latin=f"Person {n:02}") for n in range(19)]
    for prisoner in others:
        for writer in writers:  # three people wrote to each of the others lately
            letters_from(engine, writer, prisoner, today)
    erase_link = my_data_link(client, engine, settings, smtp)
    for cycle in range(4):  # sign in, log three letters, erase: four times over
        sign_in_as(client, engine, settings, smtp)
        token = csrf_from(client, f"/prisoners/{forgotten.slug}")
        for channel in CHANNELS:
            assert log(client, forgotten, token, today, channel).status_code == 303
        with Session(engine) as session:
            writing = prisoners.recent_letter_count(session, forgotten, today)
        assert writing == min(cycle + 1, 2)  # the erased ones together, and the one signed in
        erase_me(client, erase_link)
    assert stored(engine, forgotten) == 12

    with Session(engine) as session:
        assert prisoners.recent_letter_count(session, forgotten, today) == 1
        listed = prisoners.prisoners_needing_mail(session, filters=Filters(), today=today)
    assert listed[0].prisoner.id == forgotten.id and listed[0].recent_letters == 1
    for _ in range(10):
        picked = client.get("/prisoners/pick", follow_redirects=False)
        assert picked.headers["location"] == f"/prisoners/{forgotten.slug}"
