"""Personal data at rest: a dump without the keys names nobody; keys rotate while data stays."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session, select

from campaign.accounts.models import User
from campaign.core.crypto import DecryptionError, Keyring, new_key, use_keys
from campaign.core.db import transaction
from campaign.core.migrate import upgrade
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.letters.models import Letter, LetterSender
from campaign.letters.service.replies import report_reply
from campaign.mail.models import OutboxMessage
from campaign.petitions.models import Petition, PetitionTally, Signature
from campaign.prisoners.models import SolidarityLetter, Volunteer
from campaign.site.backup import _pg_command
from campaign.site.key_rotation import rotate_keys, stale_values
from campaign.site.models import metadata
from tests.conftest import TEST_DATA_KEY, add_user, with_two_factor
from tests.factories import (
    add_signature,
    make_letter_campaign,
    make_petition,
    make_prisoner,
    send_mail,
)
from tests.letters.test_delivery import confirm_all, write
from tests.smtp_server import SmtpServer

SIGNER = ("ales.secret-signer@example.org", "Алесь Бяляцкі", "Zhodzina-Hidden")
SENDER = ("marta.secret-sender@example.org", "Marta Secretwriter")
VOLUNTEER = ("vol@example.org", "Vasil Quietvolunteer", "a postcard only she saw")
# What a sender wrote into the letters, the subjects rendered for them, what they said about an
# answer, and an organiser's two-factor secret.
LETTER = (
    "Paragraph-only-Marta-wrote about her cousin",
    "Release Анна Ковальчук",
    "Освободите Анна Ковальчук",
    "the prosecutor phoned my mother back",
)
TOTP = "GUARDSQUIETSECRETGUARDSQUIETSEC2"


def fill_with_people(engine: Engine, settings: Settings, smtp: SmtpServer) -> Petition:
    """A signer, a letter sender and a volunteer, with their mail sent and their rows in place."""
    petition = make_petition(engine)
    email, name, city = SIGNER
    add_signature(engine, settings, petition, email=email, name=name, city=city)
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, SENDER[0], name=SENDER[1], paragraph=LETTER[0])
    confirm_all(engine, settings, campaign)
    with transaction(engine) as session:
        sender = session.exec(select(LetterSender)).one()
        report_reply(session, sender=sender, answered=True, note=LETTER[3])
    with_two_factor(engine, add_user(engine, "second@example.org"), TOTP)
    prisoner = make_prisoner(engine)
    with transaction(engine) as session:
        volunteer = Volunteer(
            email=VOLUNTEER[0],
            email_hash=email_index(settings, VOLUNTEER[0]),
            display_name=VOLUNTEER[1],
            login_nonce="a",
            session_nonce="b",
        )
        session.add(volunteer)
        session.flush()
        session.add(
            SolidarityLetter(
                prisoner_id=prisoner.id,  # type: ignore[arg-type]
                volunteer_id=volunteer.id,
                sent_on=date(2026, 11, 1),
                note=VOLUNTEER[2],
            )
        )
    send_mail(engine, settings)
    return petition


def every_row_as_text(engine: Engine) -> str:
    """Every value of every table, as a reader of a stolen dump would see it."""
    with engine.connect() as connection:
        return "\n".join(
            repr(connection.execute(text(f'SELECT * FROM "{table.name}"')).all())  # noqa: S608
            for table in metadata.sorted_tables
        )


def database_dump(engine: Engine, db_url: str) -> str:
    """The database as files or pg_dump carry it."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return open(str(url.database), "rb").read().decode("utf-8", "replace")
    args, environment = _pg_command("pg_dump", url)
    dumped = subprocess.run(
        [*args, "--data-only", "--format=plain", str(url.database)],
        env=environment,
        capture_output=True,
        check=True,
    )
    return dumped.stdout.decode()


def spellings(secret: str) -> list[str]:
    """The ways a value could sit in a dump: as typed, lower-cased, escaped as JSON."""
    return [secret.lower(), json.dumps(secret)[1:-1].lower()]


def test_a_dump_without_the_keys_names_no_supporter_but_the_site_still_works(
    organiser_client: TestClient,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    db_url: str,
) -> None:
    petition = fill_with_people(engine, settings, smtp)
    secrets = [*SIGNER, *SENDER, *VOLUNTEER, *LETTER, TOTP]
    for dump in (every_row_as_text(engine), database_dump(engine, db_url)):
        leaked = [s for s in secrets if any(form in dump.lower() for form in spellings(s))]
        assert leaked == []
    with Session(engine) as session:  # what was searched for is there, readable with the keys
        letters = session.exec(select(Letter)).all()
        assert {letter.subject for letter in letters} == {LETTER[1], LETTER[2]}
        assert all(LETTER[0] in letter.body for letter in letters)
        assert session.exec(select(LetterSender)).one().reply_note == LETTER[3]
        user = session.exec(select(User).where(User.email == "second@example.org")).one()
        assert user.totp_secret == TOTP
    # With the keys, the organiser's export and the counts are as before.
    export = organiser_client.get(f"/admin/petitions/{petition.id}/export/signatures.csv")
    assert SIGNER[0] in export.text and SIGNER[1] in export.text and SIGNER[2] in export.text
    with Session(engine) as session:
        assert session.get(Petition, petition.id).signature_count == 1  # type: ignore[union-attr]
        assert [t.count for t in session.exec(select(PetitionTally)).all()] == [1]
    # The mails went out readable: the worker decrypts what it sends.
    assert any(SIGNER[0] in str(m["To"]) for m in smtp.messages)


def test_an_altered_or_moved_value_is_refused_not_misread(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="a@example.org", name="Ana")
    with engine.begin() as connection:
        email = connection.execute(text("SELECT email FROM signature")).scalar_one()
        connection.execute(text("UPDATE signature SET name = :v"), {"v": email})
    with Session(engine) as session, pytest.raises(DecryptionError, match=r"signature\.name"):
        session.exec(select(Signature)).one()


def test_rotating_keys_moves_every_value_to_the_new_key_and_the_old_one_can_go(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    fill_with_people(engine, settings, smtp)
    fresh = new_key()
    ring = use_keys([fresh, TEST_DATA_KEY])
    try:
        assert stale_values(engine, ring) > 10
        done = rotate_keys(engine, settings, ring)
        assert done.reencrypted["signature"] == 4 and done.reencrypted["volunteer"] == 2
        assert stale_values(engine, ring) == 0
        assert rotate_keys(engine, settings, ring).values == 0  # a second run finds nothing
        use_keys([fresh])  # the old key is gone; everything still reads
        with Session(engine) as session:
            signer = session.exec(select(Signature)).one()
            assert (signer.email, signer.name, signer.city) == SIGNER
            assert session.exec(select(LetterSender)).one().name == SENDER[1]
            assert session.exec(select(SolidarityLetter)).one().note == VOLUNTEER[2]
    finally:
        use_keys([TEST_DATA_KEY])


def test_rotation_refreshes_the_look_up_hashes_after_the_secret_key_changed(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="Ana@Example.org")
    renewed = settings.model_copy(update={"secret_key": "another-secret-key-" * 3})
    done = rotate_keys(engine, renewed, Keyring([TEST_DATA_KEY]))
    assert (done.values, done.reindexed["signature"]) == (0, 1)
    with Session(engine) as session:
        signer = session.exec(select(Signature)).one()
    assert signer.email_hash == email_index(renewed, "ana@example.org")


def test_rows_stored_before_encryption_are_encrypted_by_the_migration(
    db_url: str, engine: Engine, settings: Settings
) -> None:
    if make_url(db_url).get_backend_name() == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
    upgrade(db_url, "ccf7bda76b4c")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO petition (slug, title, summary, body, addressee, goal, status,"
                " signing_paused, signature_count, created_at, updated_at)"
                " VALUES ('p', 'P', '', '', '', 10, 'open', false, 0, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO signature (petition_id, name, email, email_hash, country, city,"
                " consent, wants_updates, show_publicly, locale, status, suspect, suspect_reason,"
                " ip_hash, token_nonce, mails_sent, created_at, invalidation_reason)"
                " VALUES (1, 'Ana Old', 'old@example.org', 'h', 'BY', '', true, false, false,"
                " 'en', 'pending', false, '', '', '', 1, '2026-01-01', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO outbox_message (message_id, to_addr, template, context, headers,"
                " locale, status, attempts, next_attempt_at, created_at)"
                " VALUES ('m1', 'old@example.org', 'confirm_signature', '{\"name\": \"Ana Old\"}',"
                " '{}', 'en', 'sent', 1, '2026-01-01', '2026-01-01')"
            )
        )
    upgrade(db_url)
    assert "old@example.org" not in every_row_as_text(engine)
    with Session(engine) as session:
        signer = session.exec(select(Signature)).one()
        assert (signer.name, signer.email, signer.city) == ("Ana Old", "old@example.org", "")
        message = session.exec(select(OutboxMessage)).one()
        assert (message.to_addr, message.context, message.headers) == (
            "old@example.org",
            {"name": "Ana Old"},
            {},
        )


def test_the_bulk_reader_used_by_exports_refuses_what_a_single_read_refuses() -> None:
    old, new = new_key(), new_key()
    ring = Keyring([new, old])
    stored = Keyring([old]).encrypt(b"Ana Bialiatskaya", b"signature.name")
    open_name = ring.text_opener("signature.name")
    assert open_name(stored) == "Ana Bialiatskaya" and open_name("") == ""
    flipped = stored[:-3] + ("A" if stored[-3] != "A" else "B") + stored[-2:]
    for bad, reason in (
        (ring.encrypt(b"Ana", b"signature.email"), "altered or moved"),
        (flipped, "altered or moved"),
        (stored[:-1] + "!", "altered or moved"),
        (Keyring([new_key()]).encrypt(b"Ana", b"signature.name"), "which DATA_KEYS lacks"),
        ("Ana in plain text", "not an encrypted value"),
    ):
        with pytest.raises(DecryptionError, match=reason):
            open_name(bad)
        with pytest.raises(DecryptionError, match=reason):
            ring.texts_opener("signature.name")([stored, bad])
    assert ring.texts_opener("signature.name")([stored, "", stored]) == [
        "Ana Bialiatskaya",
        "",
        "Ana Bialiatskaya",
    ]
