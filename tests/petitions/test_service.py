"""Signing and counting without HTTP: canonical addresses, expiry, caps, exact counters."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from campaign.db import transaction, utcnow
from campaign.mail.models import OutboxMessage
from campaign.petitions import service
from campaign.petitions.forms import SignForm, parse_sign_form
from campaign.petitions.models import Petition, PetitionTally, Signature
from campaign.ratelimit import Limiter
from campaign.security import canonical_email, email_index
from campaign.settings import Settings
from tests.factories import make_petition


def form(email: str = "ana@example.org", country: str = "BY", **overrides: object) -> SignForm:
    values = {
        "name": "Ana Bialiatskaya",
        "email": email,
        "country": country,
        "city": "Minsk",
        "wants_updates": False,
        "show_publicly": True,
        **overrides,
    }
    return SignForm(**values)  # type: ignore[arg-type]


def sign(
    engine: Engine, settings: Settings, petition: Petition, signed: SignForm, ip: str = "ip"
) -> service.SignOutcome:
    with transaction(engine) as session:
        return service.sign_petition(
            session,
            settings=settings,
            limiter=Limiter(engine),
            petition=petition,
            form=signed,
            ip_hash=ip,
            locale="en",
        )


def confirm_all(engine: Engine, settings: Settings, petition: Petition) -> None:
    with Session(engine) as session:
        rows = session.exec(select(Signature)).all()
    for row in rows:
        with transaction(engine) as session:
            service.confirm_signature(
                session,
                settings=settings,
                petition=petition,
                token=service.confirmation_token(settings, row),
            )


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Ana@Example.ORG", "ana@example.org"),
        ("ana+petitions@example.org", "ana@example.org"),
        ("a.n.a+x@googlemail.com", "ana@gmail.com"),
        ("a.n.a@example.org", "a.n.a@example.org"),
    ],
)
def test_addresses_compare_in_canonical_form(typed: str, canonical: str) -> None:
    assert canonical_email(typed) == canonical


def test_the_same_mailbox_signs_once(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    assert sign(engine, settings, petition, form("a.n.a@gmail.com")) == service.SignOutcome.new
    assert sign(engine, settings, petition, form("ANA+x@gmail.com")) == service.SignOutcome.resent
    with Session(engine) as session:
        assert len(session.exec(select(Signature)).all()) == 1


def test_a_repeat_gets_at_most_a_few_mails(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    outcomes = [sign(engine, settings, petition, form()) for _ in range(5)]
    assert outcomes == ["new", "resent", "resent", "mail_cap", "mail_cap"]
    with Session(engine) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == service.MAX_MAILS_PER_SIGNATURE


def test_a_repeat_after_confirming_is_told_it_already_counts(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    sign(engine, settings, petition, form())
    confirm_all(engine, settings, petition)
    assert sign(engine, settings, petition, form()) == service.SignOutcome.already_confirmed
    with Session(engine) as session:
        templates = [m.template for m in session.exec(select(OutboxMessage)).all()]
    assert templates == ["confirm_signature", "already_signed"]


def test_confirmation_links_expire(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    petition = make_petition(engine)
    sign(engine, settings, petition, form())
    with Session(engine) as session:
        row = session.exec(select(Signature)).one()
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 8 * 86400)
    old_token = service.confirmation_token(settings, row)
    monkeypatch.setattr(itsdangerous.timed.time, "time", real)
    with transaction(engine) as session:
        assert (
            service.confirm_signature(
                session, settings=settings, petition=petition, token=old_token
            )
            == "invalid"
        )


def test_a_link_for_one_petition_does_not_confirm_on_another(
    engine: Engine, settings: Settings
) -> None:
    first, second = make_petition(engine), make_petition(engine)
    sign(engine, settings, first, form())
    with Session(engine) as session:
        token = service.confirmation_token(settings, session.exec(select(Signature)).one())
    with transaction(engine) as session:
        assert (
            service.confirm_signature(session, settings=settings, petition=second, token=token)
            == "invalid"
        )


def test_unconfirmed_signatures_are_purged_after_expiry(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    sign(engine, settings, petition, form("old@example.org"))
    sign(engine, settings, petition, form("confirmed@example.org"))
    sign(engine, settings, petition, form("fresh@example.org"))
    with transaction(engine) as session:
        rows = {row.email: row for row in session.exec(select(Signature)).all()}
        service.confirm_signature(
            session,
            settings=settings,
            petition=petition,
            token=service.confirmation_token(settings, rows["confirmed@example.org"]),
        )
        session.execute(
            update(Signature)
            .where(Signature.email_hash != email_index(settings, "fresh@example.org"))
            .values(created_at=utcnow() - timedelta(days=8))
        )  # type: ignore[arg-type]
    with transaction(engine) as session:
        assert service.purge_unconfirmed(session, settings=settings) == 1
    with Session(engine) as session:
        assert sorted(row.email for row in session.exec(select(Signature)).all()) == [
            "confirmed@example.org",
            "fresh@example.org",
        ]


def test_parallel_confirmations_count_exactly(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    total = 200 if engine.dialect.name == "postgresql" else 60
    with transaction(engine) as session:
        for n in range(total):
            session.add(
                Signature(
                    petition_id=petition.id,
                    name=f"P {n}",
                    email=f"p{n}@example.org",
                    email_hash=f"h{n}",  # type: ignore[arg-type]
                    country="BY" if n % 2 else "PL",
                    token_nonce=f"n{n}",
                    consent=True,
                )
            )
    with Session(engine) as session:
        tokens = [
            service.confirmation_token(settings, row)
            for row in session.exec(select(Signature)).all()
        ]
    tokens.append(tokens[0])  # one link used twice at the same time

    def confirm(token: str) -> str:
        with transaction(engine) as session:
            return service.confirm_signature(
                session, settings=settings, petition=petition, token=token
            ).value

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(confirm, tokens))
    assert outcomes.count("confirmed") == total
    with Session(engine) as session:
        assert session.get(Petition, petition.id).signature_count == total  # type: ignore[union-attr]
        tallies = dict(service.tallies(session, session.get(Petition, petition.id)))  # type: ignore[arg-type]
        assert tallies == {"BY": total // 2, "PL": total // 2}
        assert sum(t.count for t in session.exec(select(PetitionTally)).all()) == total


def test_only_counted_signers_who_opted_in_are_shown(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    sign(engine, settings, petition, form("shown@example.org", name="Ales Bialiatski"))
    sign(engine, settings, petition, form("hidden@example.org", show_publicly=False))
    sign(engine, settings, petition, form("pending@example.org"))
    with transaction(engine) as session:
        for row in session.exec(
            select(Signature).where(
                Signature.email_hash != email_index(settings, "pending@example.org")
            )
        ).all():
            service.confirm_signature(
                session,
                settings=settings,
                petition=petition,
                token=service.confirmation_token(settings, row),
            )
    with Session(engine) as session:
        signers = service.recent_public_signers(session, petition)
    assert [(s.display_name, s.city) for s in signers] == [("Ales B.", "Minsk")]


@pytest.mark.parametrize(
    ("count", "goal", "shown"),
    [
        (0, 1000, 1000),
        (999, 1000, 1000),
        (1000, 1000, 2000),
        (2500, 1000, 5000),
        (12000, 1000, 20000),
    ],
)
def test_the_goal_steps_up_once_passed(count: int, goal: int, shown: int) -> None:
    assert service.displayed_goal(count, goal) == shown


def test_names_starting_with_formula_characters_are_stored_as_typed() -> None:
    parsed, errors = parse_sign_form(
        {"name": "=HYPERLINK(1)", "email": "a@example.org", "country": "by", "consent": "on"}
    )
    assert not errors and parsed is not None
    assert parsed.name == "=HYPERLINK(1)" and parsed.country == "BY"


def test_every_field_has_a_length_limit() -> None:
    _, errors = parse_sign_form(
        {
            "name": "x" * 121,
            "email": "a" * 250 + "@example.org",
            "country": "BY",
            "city": "y" * 101,
            "consent": "1",
        }
    )
    assert set(errors) == {"name", "email", "city"}


def test_status_counts_separate_suspect_signatures(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    tight = settings.model_copy(update={"sign_limit_burst": "1/minute"})
    sign(engine, tight, petition, form("a@example.org"))
    sign(engine, tight, petition, form("b@example.org"))
    confirm_all(engine, tight, petition)
    with Session(engine) as session:
        assert service.status_counts(session, petition) == {
            "pending": 0,
            "confirmed": 1,
            "suspect": 1,
            "invalidated": 0,
        }
        assert session.get(Petition, petition.id).signature_count == 1  # type: ignore[union-attr]


def test_the_same_address_signing_at_the_same_moment_twice_is_one_signature(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    first_flushed = threading.Event()
    outcomes: dict[str, service.SignOutcome] = {}

    def attempt(who: str) -> None:
        if who == "second":
            first_flushed.wait(5)
        with transaction(engine) as session:
            outcomes[who] = service.sign_petition(
                session,
                settings=settings,
                limiter=Limiter(session),
                petition=petition,
                form=form("twice@example.org"),
                ip_hash=who,
                locale="en",
            )
            if who == "first":
                first_flushed.set()
                time.sleep(0.5)  # the other request arrives while this one is still open

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(attempt, "first"), pool.submit(attempt, "second")]:
            done.result()
    assert outcomes == {"first": service.SignOutcome.new, "second": service.SignOutcome.resent}
    with Session(engine) as session:
        assert len(session.exec(select(Signature)).all()) == 1
        assert len(session.exec(select(OutboxMessage)).all()) == 2
