"""The signatures export is exactly the CSV an organiser always got, whatever is stored.

The export reads a signer's name, address and city from one ciphertext a row
(`Signature.personal`) and lets the database join the columns no one types; the reference
here is the plain way: each signature loaded as a model and each value written by csv.writer
through `csvcells.cell`. Both databases (the fixtures run each test on both).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text, update
from sqlmodel import Session, col, select

from campaign.core.crypto import new_key, use_keys
from campaign.core.csvcells import cell
from campaign.core.db import transaction
from campaign.core.migrate import upgrade
from campaign.core.settings import Settings
from campaign.petitions import exports
from campaign.petitions.models import (
    PERSONAL_SEPARATOR,
    Petition,
    PetitionField,
    Signature,
    SignatureAnswer,
    SignatureStatus,
)
from campaign.petitions.retention import erase_signatures
from campaign.petitions.service import fields
from campaign.site.key_rotation import rotate_keys
from tests.conftest import TEST_DATA_KEY, throwaway_postgres
from tests.factories import add_signature, make_petition

# What people type: formula starts, the CSV's own characters, other scripts.
NAMES = [
    "Ana Bialiatskaya",
    '=HYPERLINK("http://evil")',
    "Łukasz, the elder",
    'Jan "Janek" Nowak',
    "\uff1dfull-width",
    "Алесь Бяляцкі",
    "+375 29 000",
]
CITIES = ["Minsk", "", "-Brest", "Kraków, Old Town", '"Quoted"', "@home", "Vilnius", "\tx"]


def reference_csv(engine: Engine, petition_id: int) -> bytes:
    """The export as csv.writer writes `cell` of each value of each signature model."""
    with Session(engine) as session:
        own = fields.fields_of(session, petition_id)
        signatures = session.exec(
            select(Signature)
            .where(Signature.petition_id == petition_id)
            .order_by(col(Signature.id))
        ).all()
        given: dict[tuple[int, int], str] = {}
        for answer in session.exec(select(SignatureAnswer)).all():
            given[(answer.signature_id, answer.field_id)] = answer.secret or answer.value
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([*exports.SIGNATURE_COLUMNS, *(cell(f.label) for f in own)])
    for s in signatures:
        writer.writerow(
            [
                cell(value)
                for value in (
                    s.id,
                    s.name,
                    s.email,
                    s.country,
                    s.city,
                    s.status,
                    s.suspect,
                    s.consent,
                    s.wants_updates,
                    s.show_publicly,
                    s.named_in_handover,
                    s.created_at,
                    s.confirmed_at,
                    s.invalidated_at,
                    s.invalidation_reason,
                    *(given.get((s.id, f.id), "") for f in own),  # type: ignore[arg-type]
                )
            ]
        )
    return buffer.getvalue().encode()


def exported(engine: Engine, petition_id: int) -> bytes:
    return b"".join(exports.signatures_csv(engine, petition_id))


def fill(engine: Engine, settings: Settings, petition: Petition) -> None:
    """Signers with every kind of awkward value, answers to two fields, one invalidated with a
    reason, one left pending and one suspect."""
    for n, name in enumerate(NAMES):
        add_signature(
            engine,
            settings,
            petition,
            email=f"s{n}@example.org",
            name=name,
            city=CITIES[n % len(CITIES)],
            confirm=n != 4,
            wants_updates=bool(n % 2),
            named_in_handover=n % 3 == 0,
        )
    with transaction(engine) as session:
        asked = [
            PetitionField(petition_id=petition.id, position=1, kind="text", label="=Job, or not"),  # type: ignore[arg-type]
            PetitionField(
                petition_id=petition.id,  # type: ignore[arg-type]
                position=2,
                kind="text",
                label="Phone",
                personal=True,
            ),
        ]
        session.add_all(asked)
        session.flush()
        ids = session.exec(select(Signature.id).order_by(col(Signature.id))).all()
        for n, signature_id in enumerate(ids[:6]):
            fields.store_answers(
                session,
                signature_id=signature_id,  # type: ignore[arg-type]
                answers=[
                    (asked[0].id, ["teacher", "+cook", 'a "pro", really'][n % 3], False),  # type: ignore[list-item]
                    (asked[1].id, f"+48 {n}00", True),  # type: ignore[list-item]
                ][: 1 + n % 2],
            )
        session.execute(
            update(Signature)
            .where(col(Signature.id) == ids[2])
            .values(
                status=SignatureStatus.invalidated.value,
                invalidated_at=datetime(2026, 12, 1, 10, 30, 5, tzinfo=UTC),
                invalidation_reason='=duplicate, "same" person\nreally',
            )
        )
        session.execute(update(Signature).where(col(Signature.id) == ids[3]).values(suspect=True))
    # What the sign form would not let through, written as another path might (the model
    # reseals `personal`): line breaks, a tab, a quote at the start.
    with transaction(engine) as session:
        signers = session.exec(select(Signature).order_by(col(Signature.id))).all()
        odd = ["two\nlines", "carriage\rreturn", "tab\tinside", '"quoted" start']
        for signer, name in zip(signers[-len(odd) :], odd, strict=True):
            signer.name, signer.city = name, name[::-1]
            session.add(signer)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of three, so that the rows cross several batches and the read-ahead."""
    monkeypatch.setattr(exports, "BATCH", 3)


def test_the_export_is_byte_for_byte_what_it_always_was(
    engine: Engine, settings: Settings, small_batches: None
) -> None:
    petition = make_petition(engine)
    fill(engine, settings, petition)
    expected = reference_csv(engine, petition.id)  # type: ignore[arg-type]
    assert exported(engine, petition.id) == expected  # type: ignore[arg-type]
    text_of = expected.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text_of, newline="")))
    names = {row["name"] for row in rows}
    assert {'\'=HYPERLINK("http://evil")', "Łukasz, the elder"} <= names
    assert {"two\nlines", "carriage\rreturn", "tab\tinside", '"quoted" start'} <= names
    with Session(engine) as session:
        assert len(rows) == len(session.exec(select(Signature.id)).all())


def test_an_empty_petition_exports_its_header_alone(engine: Engine) -> None:
    petition = make_petition(engine)
    assert exported(engine, petition.id) == reference_csv(engine, petition.id)  # type: ignore[arg-type]


def test_each_signature_keeps_its_name_address_and_city_in_one_sealed_value(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", name="Ana", city="Minsk")
    with engine.connect() as connection:
        sealed = connection.execute(text("SELECT personal FROM signature")).scalar_one()
    assert sealed.startswith("v1$") and "Ana" not in sealed
    with Session(engine) as session:
        signer = session.exec(select(Signature)).one()
        assert signer.personal == PERSONAL_SEPARATOR.join(("Ana", "ana@example.org", "Minsk"))
        signer.name = "Ana B."  # a change through the model reseals
        session.add(signer)
        session.commit()
        session.refresh(signer)
        assert signer.personal == PERSONAL_SEPARATOR.join(("Ana B.", "ana@example.org", "Minsk"))


def test_a_row_without_its_sealed_value_still_exports_its_name(
    engine: Engine, settings: Settings, small_batches: None
) -> None:
    """A row some other writer left without `personal` reads the three columns instead."""
    petition = make_petition(engine)
    fill(engine, settings, petition)
    with engine.begin() as connection:
        connection.execute(text("UPDATE signature SET personal = '' WHERE id % 2 = 0"))
    assert exported(engine, petition.id) == reference_csv(engine, petition.id)  # type: ignore[arg-type]


def test_erasure_empties_the_sealed_value_and_the_export_shows_no_one(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    fill(engine, settings, petition)
    with transaction(engine) as session:
        erased = erase_signatures(session, col(Signature.petition_id) == petition.id)
    assert erased == len(NAMES)
    with engine.connect() as connection:
        left = connection.execute(text("SELECT name, email, city, personal FROM signature")).all()
    assert set(left) == {("", "", "", "")}
    content = exported(engine, petition.id)  # type: ignore[arg-type]
    assert content == reference_csv(engine, petition.id)  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {(r["name"], r["email"], r["city"]) for r in rows} == {("", "", "")}


def test_after_key_rotation_the_export_reads_with_the_new_key_alone(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    fill(engine, settings, petition)
    before = exported(engine, petition.id)  # type: ignore[arg-type]
    fresh = new_key()
    ring = use_keys([fresh, TEST_DATA_KEY])
    try:
        rotate_keys(engine, settings, ring)
        use_keys([fresh])  # the old key is gone
        with engine.connect() as connection:
            sealed = connection.execute(text("SELECT personal FROM signature")).scalars().all()
        assert all(value.startswith(f"v1${ring.current}$") for value in sealed)
        assert exported(engine, petition.id) == before  # type: ignore[arg-type]
    finally:
        use_keys([TEST_DATA_KEY])


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own, dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    with throwaway_postgres("campaign_personal") as url:
        yield url


def test_the_migration_seals_what_signers_gave_before_it(fresh_url: str) -> None:
    upgrade(fresh_url, "20c100000001")
    ring = use_keys([TEST_DATA_KEY])
    engine = create_engine(fresh_url)
    people = [("Ana", "ana@example.org", "Minsk"), ("Ales", "ales@example.org", ""), ("", "", "")]
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO organisation (name, created_at) VALUES ('Ours', :now)"),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO petition (slug, title, summary, body, addressee, goal, status,"
                " signing_paused, signature_count, created_at, updated_at, organisation_id)"
                " VALUES ('p', 'P', '', '', '', 10, 'open', :no, 0, :now, :now,"
                " (SELECT id FROM organisation))"
            ),
            {"no": False, "now": datetime.now(UTC)},
        )
        for n, person in enumerate(people):
            sealed = {
                field: ring.encrypt(value.encode(), f"signature.{field}".encode()) if value else ""
                for field, value in zip(("name", "email", "city"), person, strict=True)
            }
            connection.execute(
                text(
                    "INSERT INTO signature (petition_id, name, email, email_hash, country, city,"
                    " consent, wants_updates, show_publicly, named_in_handover, locale, status,"
                    " suspect, suspect_reason, ip_hash, token_nonce, mails_sent, created_at,"
                    " invalidation_reason) VALUES ((SELECT id FROM petition), :name, :email, :hash,"
                    " 'BY', :city, :yes, :no, :no, :no, 'en', 'confirmed', :no, '', '', '', 1, :now,"
                    " '')"
                ),
                {**sealed, "hash": f"h{n}", "yes": True, "no": False, "now": datetime.now(UTC)},
            )
        # A value no key in DATA_KEYS opens stops nothing: that row is left as it was.
        connection.execute(
            text(
                "INSERT INTO signature (petition_id, name, email, email_hash, country, city,"
                " consent, wants_updates, show_publicly, named_in_handover, locale, status,"
                " suspect, suspect_reason, ip_hash, token_nonce, mails_sent, created_at,"
                " invalidation_reason) SELECT petition_id, 'plain', 'text', 'h9', country, city,"
                " consent, wants_updates, show_publicly, named_in_handover, locale, status,"
                " suspect, suspect_reason, ip_hash, token_nonce, mails_sent, created_at,"
                " invalidation_reason FROM signature WHERE email_hash = 'h0'"
            )
        )
    upgrade(fresh_url)
    opened = ring.text_opener("signature.personal")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT personal FROM signature ORDER BY id")).scalars()
        assert [opened(value) for value in stored] == [
            PERSONAL_SEPARATOR.join(people[0]),
            PERSONAL_SEPARATOR.join(people[1]),
            "",
            "",
        ]
    engine.dispose()
