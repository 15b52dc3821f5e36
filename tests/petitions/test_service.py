"""Signing and counting without HTTP: canonical addresses, expiry, caps, exact counters."""

import string
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from campaign.core.db import transaction, utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.security import canonical_email, email_index, row_token
from campaign.core.settings import Settings
from campaign.mail.models import OutboxMessage
from campaign.petitions.forms import SignForm, parse_sign_form
from campaign.petitions.models import Petition, PetitionTally, Signature
from campaign.petitions.service import counting, public, signing
from tests.factories import add_signature, make_petition
from tests.petitions.conftest import sign_with_service


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
) -> signing.SignOutcome:
    return sign_with_service(engine, settings, petition, signed, ip=ip)


def confirm_all(engine: Engine, settings: Settings, petition: Petition) -> None:
    with Session(engine) as session:
        rows = session.exec(select(Signature)).all()
    for row in rows:
        with transaction(engine) as session:
            signing.confirm_signature(
                session,
                settings=settings,
                petition=petition,
                token=signing.confirmation_token(settings, row),
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
    assert sign(engine, settings, petition, form("a.n.a@gmail.com")) == signing.SignOutcome.new
    assert sign(engine, settings, petition, form("ANA+x@gmail.com")) == signing.SignOutcome.resent
    with Session(engine) as session:
        assert len(session.exec(select(Signature)).all()) == 1


def test_a_repeat_gets_at_most_a_few_mails(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    outcomes = [sign(engine, settings, petition, form()) for _ in range(5)]
    assert outcomes == ["new", "resent", "resent", "mail_cap", "mail_cap"]
    with Session(engine) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == signing.MAX_MAILS_PER_SIGNATURE


def test_a_repeat_after_confirming_is_told_it_already_counts(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    sign(engine, settings, petition, form())
    confirm_all(engine, settings, petition)
    assert sign(engine, settings, petition, form()) == signing.SignOutcome.already_confirmed
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
    old_token = signing.confirmation_token(settings, row)
    monkeypatch.setattr(itsdangerous.timed.time, "time", real)
    with transaction(engine) as session:
        assert (
            signing.confirm_signature(
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
        token = signing.confirmation_token(settings, session.exec(select(Signature)).one())
    with transaction(engine) as session:
        assert (
            signing.confirm_signature(session, settings=settings, petition=second, token=token)
            == "invalid"
        )


def test_unconfirmed_signatures_are_purged_after_expiry(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    sign(engine, settings, petition, form("old@example.org"))
    sign(engine, settings, petition, form("confirmed@example.org"))
    sign(engine, settings, petition, form("fresh@example.org"))
    with transaction(engine) as session:
        rows = {row.email: row for row in session.exec(select(Signature)).all()}
        signing.confirm_signature(
            session,
            settings=settings,
            petition=petition,
            token=signing.confirmation_token(settings, rows["confirmed@example.org"]),
        )
        session.execute(
            update(Signature)
            .where(Signature.email_hash != email_index(settings, "fresh@example.org"))
            .values(created_at=utcnow() - timedelta(days=8))
        )  # type: ignore[arg-type]
    with transaction(engine) as session:
        assert signing.purge_unconfirmed(session, settings=settings) == 1
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
            signing.confirmation_token(settings, row)
            for row in session.exec(select(Signature)).all()
        ]
    tokens.append(tokens[0])  # one link used twice at the same time

    def confirm(token: str) -> str:
        with transaction(engine) as session:
            return signing.confirm_signature(
                session, settings=settings, petition=petition, token=token
            ).value

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(confirm, tokens))
    assert outcomes.count("confirmed") == total
    with Session(engine) as session:
        assert session.get(Petition, petition.id).signature_count == total  # type: ignore[union-attr]
        tallies = dict(counting.tallies(session, session.get(Petition, petition.id)))  # type: ignore[arg-type]
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
            signing.confirm_signature(
                session,
                settings=settings,
                petition=petition,
                token=signing.confirmation_token(settings, row),
            )
    with Session(engine) as session:
        signers = public.recent_public_signers(session, petition)
    assert [(s.display_name, s.city) for s in signers] == [("Ales B.", "Minsk")]


@pytest.mark.parametrize(
    ("count", "goal", "shown"),
    [
        (0, 1000, 1000),
        (999, 1000, 1000),
        (1000, 1000, 2000),
        (2500, 1000, 5000),
        (12000, 1000, 20000),
        (9, 9, 10),
        (2000, 1000, 5000),
    ],
)
def test_the_goal_steps_up_once_passed(count: int, goal: int, shown: int) -> None:
    assert public.displayed_goal(count, goal) == shown


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
        assert counting.status_counts(session, petition) == {
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
    outcomes: dict[str, signing.SignOutcome] = {}

    def attempt(who: str) -> None:
        if who == "second":
            first_flushed.wait(5)
        with transaction(engine) as session:
            outcomes[who] = signing.sign_petition(
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
    assert outcomes == {"first": signing.SignOutcome.new, "second": signing.SignOutcome.resent}
    with Session(engine) as session:
        assert len(session.exec(select(Signature)).all()) == 1
        assert len(session.exec(select(OutboxMessage)).all()) == 2


def test_a_signature_is_kept_with_the_choices_and_language_of_its_signer(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    before = utcnow()
    with transaction(engine) as session:
        for email, locale, choice, ip in [
            ("yes@example.org", "uk", True, "client-a"),
            ("no@example.org", "de", False, "client-b"),
        ]:
            signing.sign_petition(
                session,
                settings=settings,
                limiter=Limiter(session),
                petition=petition,
                form=form(
                    email,
                    country="UA" if choice else "DE",
                    name=f"Name {locale}",
                    city=f"City {locale}",
                    wants_updates=choice,
                    show_publicly=not choice,
                    named_in_handover=choice,
                ),
                ip_hash=ip,
                locale=locale,
            )
    with Session(engine) as session:
        rows = sorted(session.exec(select(Signature)).all(), key=lambda s: s.id or 0)
    assert [
        (
            r.petition_id,
            r.name,
            r.email,
            r.email_hash,
            r.country,
            r.city,
            r.consent,
            r.wants_updates,
            r.show_publicly,
            r.named_in_handover,
            r.locale,
            r.status,
            r.suspect,
            r.suspect_reason,
            r.ip_hash,
            r.mails_sent,
            r.confirmed_at,
            r.invalidation_reason,
        )
        for r in rows
    ] == [
        (
            petition.id,
            "Name uk",
            "yes@example.org",
            email_index(settings, "yes@example.org"),
            "UA",
            "City uk",
            True,
            True,
            False,
            True,
            "uk",
            "pending",
            False,
            "",
            "client-a",
            1,
            None,
            "",
        ),
        (
            petition.id,
            "Name de",
            "no@example.org",
            email_index(settings, "no@example.org"),
            "DE",
            "City de",
            True,
            False,
            True,
            False,
            "de",
            "pending",
            False,
            "",
            "client-b",
            1,
            None,
            "",
        ),
    ]
    assert all(before <= r.created_at.replace(tzinfo=before.tzinfo) <= utcnow() for r in rows)


def test_a_suspect_signature_says_every_reason(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    tight = settings.model_copy(update={"sign_limit_burst": "0/minute"})
    with transaction(engine) as session:
        signing.sign_petition(
            session,
            settings=tight,
            limiter=Limiter(session),
            petition=petition,
            form=form(),
            ip_hash="ip",
            locale="en",
            too_fast=True,
        )
    with Session(engine) as session:
        row = session.exec(select(Signature)).one()
    assert (row.suspect, row.suspect_reason) == (True, "form sent too fast, rate limit")


def test_each_confirmation_link_holds_its_own_unguessable_nonce(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    generous = settings.model_copy(update={"sign_limit_burst": "1000/minute"})
    for n in range(20):
        sign(engine, generous, petition, form(f"n{n}@example.org"))
    with Session(engine) as session:
        rows = session.exec(select(Signature)).all()
    nonces = [row.token_nonce for row in rows]
    # 12 random bytes (96 bits) each, in URL-safe base64: nothing a stranger could guess.
    assert all(len(nonce) == 16 for nonce in nonces)
    assert all(set(nonce) <= set(string.ascii_letters + string.digits + "-_") for nonce in nonces)
    assert len(set(nonces)) == 20
    # A link naming one signature with another's nonce confirms nothing.
    first, second = rows[0], rows[1]
    forged = row_token(settings, "signature", first.id, second.token_nonce)
    with transaction(engine) as session:
        outcome = signing.confirm_signature(
            session, settings=settings, petition=petition, token=forged
        )
    assert outcome == signing.ConfirmOutcome.invalid


def test_the_counts_by_country_are_this_petitions_largest_first(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    other = make_petition(engine)
    with transaction(engine) as session:
        for country, delta in [("DE", 1), ("LT", 1), ("PL", 3), ("BY", 1), ("LT", -1)]:
            counting.count_signature(
                session,
                petition_id=petition.id,  # type: ignore[arg-type]
                country=country,
                delta=delta,
            )
        counting.count_signature(session, petition_id=other.id, country="UA", delta=5)  # type: ignore[arg-type]
    with Session(engine) as session:
        # LT's only signature was invalidated: a country with none is not listed.
        assert counting.tallies(session, petition) == [("PL", 3), ("BY", 1), ("DE", 1)]


def test_status_counts_add_up_every_group(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    other = make_petition(engine)
    generous = settings.model_copy(update={"sign_limit_burst": "1000/minute"})
    emails = [f"s{n}@example.org" for n in range(7)]
    for email in emails:
        sign(engine, generous, petition, form(email))
    sign(engine, generous, other, form("elsewhere@example.org"))
    confirm_all(engine, generous, petition)
    states = [
        ("pending", False),  # s0
        ("pending", True),  # s1: suspect, not yet confirmed
        ("confirmed", True),  # s2: suspect, confirmed
        ("confirmed", False),  # s3
        ("confirmed", False),  # s4
        ("invalidated", False),  # s5
        ("invalidated", True),  # s6
    ]
    with transaction(engine) as session:
        for email, (status, suspect) in zip(emails, states, strict=True):
            session.execute(
                update(Signature)
                .where(col(Signature.email_hash) == email_index(settings, email))
                .values(status=status, suspect=suspect)
            )
    with Session(engine) as session:
        assert counting.status_counts(session, petition) == {
            "pending": 1,
            "confirmed": 2,
            "suspect": 2,
            "invalidated": 2,
        }


def test_the_page_shows_the_ten_newest_shown_signers_as_first_name_and_initial(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    other = make_petition(engine)
    names = [f"Signer{n} Middle Surname{n}" for n in range(11)] + ["Maria"]
    for n, name in enumerate(names):
        add_signature(
            engine, settings, petition, email=f"p{n}@example.org", name=name, city=f"C{n}"
        )
    add_signature(engine, settings, petition, email="suspect@example.org", name="Suspect Person")
    add_signature(engine, settings, other, email="other@example.org", name="Other Petition")
    start = utcnow() - timedelta(hours=1)
    with transaction(engine) as session:
        for n in range(len(names)):
            session.execute(
                update(Signature)
                .where(col(Signature.email_hash) == email_index(settings, f"p{n}@example.org"))
                .values(confirmed_at=start + timedelta(minutes=n))
            )
        session.execute(
            update(Signature)
            .where(col(Signature.email_hash) == email_index(settings, "suspect@example.org"))
            .values(suspect=True, confirmed_at=start + timedelta(minutes=30))
        )
        session.execute(
            update(Signature)
            .where(col(Signature.email_hash) == email_index(settings, "other@example.org"))
            .values(confirmed_at=start + timedelta(minutes=30))
        )
    with Session(engine) as session:
        shown = public.recent_public_signers(session, petition)
    assert [(s.display_name, s.city) for s in shown] == [("Maria", "C11")] + [
        (f"Signer{n} S.", f"C{n}") for n in range(10, 1, -1)
    ]


def test_the_list_shows_signable_petitions_newest_first(engine: Engine) -> None:
    now = utcnow()
    older = make_petition(engine, published_at=now - timedelta(days=2))
    tie_low = make_petition(engine, published_at=now - timedelta(days=1))
    tie_high = make_petition(engine, published_at=now - timedelta(days=1))
    newest = make_petition(engine, published_at=now - timedelta(hours=1))
    ending = make_petition(
        engine, published_at=now - timedelta(days=3), ends_at=now + timedelta(days=1)
    )
    make_petition(engine, published_at=now, ends_at=now - timedelta(seconds=1))  # ended
    make_petition(engine, published_at=now, status="closed")
    make_petition(engine, published_at=now, status="draft")
    with Session(engine) as session:
        listed = [p.id for p in public.open_petitions(session)]
    assert listed == [newest.id, tie_high.id, tie_low.id, older.id, ending.id]
