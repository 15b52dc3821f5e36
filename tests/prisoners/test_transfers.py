"""Transfers: an organiser records that a prisoner was moved (often learnt late); each volunteer
who follows the person or wrote to them lately is mailed the new address once, in their own
language; letters left at the old address are marked; the person's page says when they moved."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage

from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaign.core.audit import AuditEvent
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.prisoners import jobs
from campaign.prisoners.models import (
    Facility,
    Follow,
    Placement,
    Prisoner,
    PrisonerStatus,
    SolidarityLetter,
    Volunteer,
)
from campaign.prisoners.service import dashboard, register, transfers
from tests.conftest import csrf_from, log_in
from tests.factories import make_prisoner, send_mail
from tests.prisoners.test_volunteers import sign_in
from tests.smtp_server import SmtpServer

TODAY = utcnow().date()
ARRIVED = TODAY - timedelta(days=100)  # in the colony since
MOVED = TODAY - timedelta(days=10)  # the organiser learnt of it ten days late
NEW_ADDRESS = "Заключённому Новікаву\nвул. Турмавая, 2\n220030 Мінск"


def new_facility(engine: Engine, name: str = "Remand prison No. 1") -> Facility:
    with transaction(engine) as session:
        facility = Facility(name=name, address="вул. Турмавая, 2\n220030 Мінск", country="BY")
        session.add(facility)
        session.flush()
        return facility


def held_since(engine: Engine, prisoner: Prisoner, since: date = ARRIVED) -> None:
    """The register's record of where the person is, since when."""
    with transaction(engine) as session:
        session.add(
            Placement(prisoner_id=prisoner.id, facility_id=prisoner.facility_id, since=since)  # type: ignore[arg-type]
        )


def volunteer(engine: Engine, email: str, locale: str = "en", **choices: object) -> Volunteer:
    with transaction(engine) as session:
        row = Volunteer(
            email=email,
            email_hash=email,
            login_nonce="a",
            session_nonce="b",
            locale=locale,
            **choices,  # type: ignore[arg-type]
        )
        session.add(row)
        session.flush()
        return row


def follows(engine: Engine, who: Volunteer, prisoner: Prisoner) -> None:
    with transaction(engine) as session:
        session.add(Follow(volunteer_id=who.id, prisoner_id=prisoner.id))  # type: ignore[arg-type]


def wrote(engine: Engine, who: Volunteer, prisoner: Prisoner, on: date, facility_id: int) -> None:
    with transaction(engine) as session:
        session.add(
            SolidarityLetter(
                prisoner_id=prisoner.id,  # type: ignore[arg-type]
                volunteer_id=who.id,
                facility_id=facility_id,
                sent_on=on,
            )
        )


def record(client: TestClient, prisoner: Prisoner, **fields: str) -> tuple[int, str]:
    """Post the "Record a transfer" form as an organiser would fill it."""
    path = f"/admin/prisoners/{prisoner.id}/transfer"
    data = {"csrf_token": csrf_from(client, path), "letter_address": NEW_ADDRESS, **fields}
    response = client.post(path, data=data)
    return response.status_code, response.text


def notices(engine: Engine, settings: Settings, smtp: SmtpServer) -> list[EmailMessage]:
    """What the worker's job mails, as the SMTP server received it."""
    before = len(smtp.handler.messages)
    with transaction(engine) as session:
        jobs.transfer_notices(session, settings)
    send_mail(engine, settings)
    return list(smtp.handler.messages[before:])


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def test_a_transfer_mails_each_follower_and_recent_writer_once_in_their_language(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Novikau")
    held_since(engine, prisoner)
    remand = new_facility(engine)
    follower = volunteer(engine, "follower@example.org", "be")
    writer = volunteer(engine, "writer@example.org", "en")
    long_ago = volunteer(engine, "long-ago@example.org", "ru")  # wrote 90 days before the move
    stranger = volunteer(engine, "stranger@example.org", "en")  # follows someone else
    follows(engine, follower, prisoner)
    follows(engine, stranger, make_prisoner(engine))
    colony = prisoner.facility_id or 0
    wrote(engine, writer, prisoner, MOVED - timedelta(days=30), colony)
    wrote(engine, long_ago, prisoner, MOVED - timedelta(days=90), colony)

    status, _page = record(
        organiser_client, prisoner, facility=remand.name, moved_on=MOVED.isoformat()
    )
    assert status == 303
    mails = notices(engine, settings, smtp)
    assert sorted(str(m["To"]) for m in mails) == ["follower@example.org", "writer@example.org"]

    (in_belarusian,) = smtp.handler.to("follower@example.org")
    assert in_belarusian["Subject"] == "Адрас для лістоў: Ales Novikau"
    body = text_of(in_belarusian)
    assert "Добры дзень!" in body and "Дзе ўтрымліваецца: Remand prison No. 1" in body
    assert format_date(MOVED, format="long", locale="be") in body  # a date as be writes it
    assert "Заключённому Новікаву\nвул. Турмавая, 2\n220030 Мінск\nREPUBLIC OF BELARUS" in body
    assert "lang=be" in in_belarusian["List-Unsubscribe"]
    (in_english,) = smtp.handler.to("writer@example.org")
    assert in_english["Subject"] == "Address for letters: Ales Novikau"
    assert "Hello," in text_of(in_english) and "Добры" not in text_of(in_english)

    # Saving the record again, or importing the same list, is no new transfer: no more mail.
    edit = f"/admin/prisoners/{prisoner.id}/edit"
    with Session(engine) as session:
        fresh = session.get(Prisoner, prisoner.id)
        assert fresh is not None
        values = register.form_values(fresh, {remand.id or 0: remand.name})
        exported = (
            ",".join(register.COLUMNS)
            + "\n"
            + ",".join('"' + values[name].replace('"', '""') + '"' for name in register.COLUMNS)
        )
    saved = organiser_client.post(
        edit, data={"csrf_token": csrf_from(organiser_client, edit)} | values
    )
    assert saved.status_code == 303
    with transaction(engine) as session:
        found, problem = register.read_csv(exported.encode())
        assert problem is None
        report = register.import_prisoners(session, found, apply=True, today=TODAY)
        assert report.ok and report.unchanged == 1
    assert notices(engine, settings, smtp) == []


def test_a_writer_whose_address_cannot_be_mailed_stops_no_one_elses_notice(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Novikau")
    held_since(engine, prisoner)
    remand = new_facility(engine)
    colony = prisoner.facility_id or 0
    # The demo's fictional writers live at .invalid: the job once failed on them every second,
    # and nobody else heard of the transfer.
    fictional = volunteer(engine, "volunteer1@demo.invalid")
    writer = volunteer(engine, "writer@example.org")
    for who in (fictional, writer):
        wrote(engine, who, prisoner, MOVED - timedelta(days=5), colony)

    status, _page = record(
        organiser_client, prisoner, facility=remand.name, moved_on=MOVED.isoformat()
    )
    assert status == 303
    assert [str(m["To"]) for m in notices(engine, settings, smtp)] == ["writer@example.org"]
    assert notices(engine, settings, smtp) == []


def test_the_unsubscribe_link_stops_notices_of_transfers_and_nothing_else(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Novikau")
    held_since(engine, prisoner)
    remand, hospital = new_facility(engine), new_facility(engine, "Prison hospital")
    follower = volunteer(engine, "follower@example.org", birthday_reminders=True)
    follows(engine, follower, prisoner)
    record(organiser_client, prisoner, facility=remand.name, moved_on=MOVED.isoformat())
    (mail,) = notices(engine, settings, smtp)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert organiser_client.post("/volunteer/unsubscribe/transfers?token=forged").status_code == 400
    # One click from the mail client: no cookie, no CSRF token, the signed link is enough.
    organiser_client.cookies.clear()
    assert organiser_client.post("/" + path).status_code == 200
    with Session(engine) as session:
        after = session.get(Volunteer, follower.id)
        assert after is not None and not after.transfer_notices and after.birthday_reminders

    log_in(organiser_client, "organiser@example.org")
    status, _page = record(
        organiser_client, prisoner, facility=hospital.name, moved_on=TODAY.isoformat()
    )
    assert status == 303
    assert notices(engine, settings, smtp) == []


def test_no_notice_names_a_person_without_consent_nor_one_released(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Person")
    released = make_prisoner(engine, status=PrisonerStatus.released, name_latin="Free Person")
    remand = new_facility(engine)
    follower = volunteer(engine, "follower@example.org")
    for prisoner in (hidden, released):
        held_since(engine, prisoner)
        follows(engine, follower, prisoner)
        status, _page = record(
            organiser_client, prisoner, facility=remand.name, moved_on=MOVED.isoformat()
        )
        assert status == 303
    assert notices(engine, settings, smtp) == []


def test_letters_left_at_the_old_address_are_marked_for_the_volunteer_and_in_the_statistics(
    organiser_client: TestClient,
    client: TestClient,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Novikau")
    held_since(engine, prisoner)
    remand = new_facility(engine)
    colony = prisoner.facility_id or 0
    record(organiser_client, prisoner, facility=remand.name, moved_on=MOVED.isoformat())
    client.cookies.clear()
    sign_in(client, engine, settings, smtp)
    with Session(engine) as session:
        me = session.exec(select(Volunteer)).one()
    wrote(engine, me, prisoner, MOVED - timedelta(days=3), colony)  # before the move: fine
    wrote(engine, me, prisoner, MOVED + timedelta(days=2), colony)  # after it, to the colony
    wrote(engine, me, prisoner, MOVED + timedelta(days=4), remand.id or 0)  # the new address

    page = client.get("/volunteer").text
    assert page.count("sent to an old address") == 1
    row = re.search(r"<tr id=\"letter-\d+\">(?:(?!</tr>).)*sent to an old address", page, re.S)
    assert row is not None and (MOVED + timedelta(days=2)).strftime("%B") in row.group()

    with Session(engine) as session:
        stats = {row.name: row for row in dashboard.facility_stats(session)}
    assert (stats["Colony No. 4"].sent, stats["Colony No. 4"].old_address) == (2, 1)
    assert (stats[remand.name].sent, stats[remand.name].old_address) == (1, 0)
    client.cookies.clear()
    log_in(client, "organiser@example.org")
    overview = client.get("/admin/prisoners/dashboard").text
    assert '<th scope="col">Sent to an old address</th>' in overview
    assert "<tr><td>Colony No. 4</td><td>2</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>" in (
        overview
    )


def test_moving_back_to_an_earlier_facility_makes_its_letters_good_again(engine: Engine) -> None:
    prisoner = make_prisoner(engine)
    held_since(engine, prisoner)
    colony = prisoner.facility_id or 0
    remand = new_facility(engine)
    with transaction(engine) as session:
        person = session.get(Prisoner, prisoner.id)
        assert person is not None
        for facility_id, on in ((remand.id or 0, MOVED), (colony, MOVED + timedelta(days=5))):
            form = transfers.TransferForm(facility_id, on, "", "")
            transfers.record_transfer(session, prisoner=person, form=form, today=TODAY)
    writer = volunteer(engine, "writer@example.org")
    for day in (1, 6):
        wrote(engine, writer, prisoner, MOVED + timedelta(days=day), colony)
    with Session(engine) as session:
        late = transfers.old_address_letters(session, volunteer_id=writer.id)
        letters = session.exec(
            select(SolidarityLetter).order_by(col(SolidarityLetter.sent_on))
        ).all()
    assert [letter.id in late for letter in letters] == [True, False]


def test_the_prisoners_page_says_when_they_were_moved_in_the_readers_language(
    organiser_client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Novikau")
    held_since(engine, prisoner)
    page = f"/prisoners/{prisoner.slug}"
    assert "Moved on" not in organiser_client.get(page).text
    record(
        organiser_client, prisoner, facility=new_facility(engine).name, moved_on=MOVED.isoformat()
    )
    english = organiser_client.get(page).text
    written = format_date(MOVED, format="long", locale="en")
    assert f"Moved on {written}:" in english
    assert f"letters sent before {written} may not arrive" in english
    assert "вул. Турмавая, 2" in english  # the new address is the one shown
    belarusian = organiser_client.get(page + "?lang=be").text
    assert format_date(MOVED, format="long", locale="be") in belarusian
    with Session(engine) as session:
        person = session.get(Prisoner, prisoner.id)
        assert person is not None
        assert transfers.recent_move(session, person, TODAY) == MOVED
        assert transfers.recent_move(session, person, MOVED + timedelta(days=61)) is None


def test_a_backdated_transfer_closes_the_old_placement_on_its_date_and_is_audited(
    organiser_client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    held_since(engine, prisoner)
    remand = new_facility(engine)
    status, _page = record(
        organiser_client,
        prisoner,
        facility=remand.name,
        moved_on=MOVED.isoformat(),
        note="Told by her lawyer",
    )
    assert status == 303
    with Session(engine) as session:
        history = session.exec(
            select(Placement.facility_id, Placement.since, Placement.until, Placement.note)
            .where(Placement.prisoner_id == prisoner.id)
            .order_by(col(Placement.id))
        ).all()
        moved = session.get(Prisoner, prisoner.id)
        audited = session.exec(
            select(AuditEvent).where(AuditEvent.action == "prisoner.transferred")
        ).one()
    assert history == [
        (prisoner.facility_id, ARRIVED, MOVED, ""),
        (remand.id, MOVED, None, "Told by her lawyer"),
    ]
    assert moved is not None and moved.facility_id == remand.id
    assert moved.letter_address == NEW_ADDRESS
    assert audited.target == f"prisoner:{prisoner.id}"
    shown = organiser_client.get(f"/admin/prisoners/{prisoner.id}/transfer").text
    assert "Told by her lawyer" in shown and remand.name in shown


def test_impossible_transfers_are_refused_with_the_error_beside_the_field(
    organiser_client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine, arrested_on=ARRIVED - timedelta(days=200))
    held_since(engine, prisoner)
    remand = new_facility(engine)
    cases = [
        (
            {"facility": remand.name, "moved_on": (TODAY + timedelta(days=1)).isoformat()},
            "moved_on",
            "The transfer cannot be in the future.",
        ),
        (
            {"facility": remand.name, "moved_on": (ARRIVED - timedelta(days=1)).isoformat()},
            "moved_on",
            "The transfer cannot come before",
        ),
        (
            {"facility": remand.name, "moved_on": "yesterday"},
            "moved_on",
            "Enter a date such as 2027-03-31.",
        ),
        (
            {"facility": "Colony No. 4", "moved_on": MOVED.isoformat()},
            "facility",
            "The person is held there already.",
        ),
        (
            {"facility": "", "moved_on": MOVED.isoformat()},
            "facility",
            "Choose the facility the person was moved to.",
        ),
    ]
    for fields, name, message in cases:
        status, page = record(organiser_client, prisoner, **fields)
        assert status == 400, fields
        beside = re.search(rf'<p class="field-error" id="error-{name}">([^<]*)</p>', page)
        assert beside is not None and message in beside.group(1), fields
    with Session(engine) as session:
        placements = session.exec(
            select(Placement).where(Placement.prisoner_id == prisoner.id)
        ).all()
    assert len(placements) == 1 and placements[0].until is None


def test_an_import_that_moves_someone_dates_the_transfer_by_the_list_and_mails_once(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Novikau")
    held_since(engine, prisoner)
    remand = new_facility(engine)
    follows(engine, volunteer(engine, "follower@example.org", "ru"), prisoner)
    listed_on = TODAY - timedelta(days=5)
    with Session(engine) as session:
        fresh = session.get(Prisoner, prisoner.id)
        assert fresh is not None
        values = register.form_values(fresh, {})
    values |= {"facility": remand.name, "source_date": listed_on.isoformat()}
    values["letter_address"] = NEW_ADDRESS
    line = ",".join('"' + values[name].replace('"', '""') + '"' for name in register.COLUMNS)
    data = (",".join(register.COLUMNS) + "\n" + line + "\n").encode()
    for _twice in range(2):
        with transaction(engine) as session:
            rows, problem = register.read_csv(data)
            assert problem is None
            assert register.import_prisoners(session, rows, apply=True, today=TODAY).ok
    with Session(engine) as session:
        opened = session.exec(
            select(Placement.since).where(
                Placement.prisoner_id == prisoner.id, col(Placement.until).is_(None)
            )
        ).one()
    assert opened == listed_on
    (mail,) = notices(engine, settings, smtp)
    assert mail["Subject"] == "Адрес для писем: Ales Novikau"
    assert notices(engine, settings, smtp) == []


def test_a_letter_logged_after_the_move_but_sent_before_it_counts_for_the_old_facility(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Ales Novikau")
    held_since(engine, prisoner)
    remand = new_facility(engine)
    record(organiser_client, prisoner, facility=remand.name, moved_on=MOVED.isoformat())
    organiser_client.cookies.clear()
    sign_in(organiser_client, engine, settings, smtp)
    page = f"/prisoners/{prisoner.slug}"
    for sent_on in (MOVED - timedelta(days=2), MOVED + timedelta(days=1)):
        logged = organiser_client.post(
            f"{page}/log",
            data={"csrf_token": csrf_from(organiser_client, page), "sent_on": sent_on.isoformat()},
        )
        assert logged.status_code == 303
    with Session(engine) as session:
        went_to = session.exec(
            select(SolidarityLetter.facility_id).order_by(col(SolidarityLetter.sent_on))
        ).all()
    assert went_to == [prisoner.facility_id, remand.id]
    assert "sent to an old address" not in organiser_client.get("/volunteer").text


def test_a_volunteer_turns_notices_of_transfers_off_and_on_in_their_settings(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    sign_in(client, engine, settings, smtp)
    page = client.get("/volunteer").text
    box = re.search(r'<input[^>]*name="transfer_notices"[^>]*>', page)
    assert box is not None and "checked" in box.group()  # on for every new volunteer
    token = csrf_from(client, "/volunteer")
    saved = client.post("/volunteer/settings", data={"csrf_token": token, "reminder_days": "14"})
    assert saved.status_code == 303
    with Session(engine) as session:
        assert not session.exec(select(Volunteer)).one().transfer_notices
    client.post(
        "/volunteer/settings",
        data={"csrf_token": token, "reminder_days": "14", "transfer_notices": "1"},
    )
    with Session(engine) as session:
        assert session.exec(select(Volunteer)).one().transfer_notices
