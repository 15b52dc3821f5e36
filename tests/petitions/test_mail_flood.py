"""A flood of signatures from one client is not a flood of mail: genuine confirmations go
first, and past an hourly cap the flood's addresses are mailed nothing at all."""

from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from campaign.core.db import transaction
from campaign.core.ratelimit import Limiter
from campaign.core.settings import ConfigError, Settings, load_settings
from campaign.mail import outbox
from campaign.mail.models import MailPriority, OutboxMessage
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import signing
from tests.factories import make_petition, send_mail
from tests.petitions.test_service import form
from tests.smtp_server import SmtpServer

CAP = 20
FLOODER = "one-client"


@pytest.fixture
def capped(settings: Settings, engine: Engine) -> Settings:
    if engine.dialect.name == "postgresql":
        # Thousands of one-row transactions: a crash-safe commit each would be most of the time.
        event.listen(engine, "connect", _commit_without_waiting_for_the_disk)
        engine.dispose()
    return settings.model_copy(update={"over_limit_mail_per_client": f"{CAP}/hour"})


def _commit_without_waiting_for_the_disk(connection: Any, _record: Any) -> None:
    connection.execute("SET synchronous_commit = off")
    connection.commit()


def attempt(
    engine: Engine, settings: Settings, petition: Petition, email: str, client: str
) -> signing.SignOutcome:
    """One signature as the sign route makes it: its own transaction, limits counted in it."""
    with transaction(engine) as session:
        return signing.sign_petition(
            session,
            settings=settings,
            limiter=Limiter(session),
            petition=petition,
            form=form(email),
            ip_hash=client,
            locale="en",
        )


def queued(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_a_flood_from_one_client_never_delays_a_genuine_confirmation_and_stops_at_the_cap(
    engine: Engine, capped: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine)
    genuine = [f"supporter{n}@example.org" for n in range(50)]
    for n in range(2000):
        attempt(engine, capped, petition, f"target{n}@example.org", FLOODER)
        if n % 40 == 39:
            supporter = genuine[n // 40]
            assert attempt(engine, capped, petition, supporter, f"client-{supporter}") == "new"

    send_mail(engine, capped)  # the real worker, against the real SMTP server

    delivered = [message["To"] for message in smtp.messages]
    within_limits = [f"target{n}@example.org" for n in range(5)]  # the burst limit is 5/minute
    normal = set(genuine) | set(within_limits)
    assert set(delivered[: len(normal)]) == normal
    over_limit = delivered[len(normal) :]
    assert len(over_limit) == CAP
    assert set(over_limit) <= {f"target{n}@example.org" for n in range(5, 2000)}
    # Nothing beyond the cap waits in the outbox to be sent later either.
    assert len(queued(engine)) == len(normal) + CAP


def test_past_the_cap_a_client_cannot_have_an_address_mailed_again(
    engine: Engine, capped: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine)
    for n in range(5 + CAP):
        attempt(engine, capped, petition, f"target{n}@example.org", FLOODER)
    assert [row.priority for row in queued(engine)] == [MailPriority.normal] * 5 + [
        MailPriority.low
    ] * CAP

    attempt(engine, capped, petition, "target0@example.org", FLOODER)
    attempt(engine, capped, petition, "target7@example.org", FLOODER)
    assert len(queued(engine)) == 5 + CAP

    # The address's owner, from their own connection, still gets their link again, first.
    assert attempt(engine, capped, petition, "target7@example.org", "owner") == "resent"
    *_, resent = queued(engine)
    assert resent.to_addr == "target7@example.org"
    assert resent.priority == MailPriority.normal


def test_the_cap_counts_a_clients_over_limit_mail_across_petitions(
    engine: Engine, capped: Settings, smtp: SmtpServer
) -> None:
    first, second = make_petition(engine), make_petition(engine)
    for n in range(5 + CAP):
        attempt(engine, capped, first, f"a{n}@example.org", FLOODER)
    for n in range(10):
        attempt(engine, capped, second, f"b{n}@example.org", FLOODER)
    with Session(engine) as session:
        counts = outbox.counts_by_status(session)
    # Within the second petition's limits five go out as usual; over them, the cap is spent.
    assert counts["queued"] == 5 + CAP + 5


def test_one_client_signing_on_many_petitions_gets_normal_mail_only_up_to_its_own_limit(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    # Within each petition's own limits (30 an hour, none of it in a burst) the signatures count
    # as usual; across petitions the client's normal-priority mail stops at 60 an hour.
    roomy = settings.model_copy(
        update={"sign_limit_burst": "30/minute", "sign_limit_sustained": "30/hour"}
    )
    assert roomy.sign_mail_limit_per_client == "60/hour"
    petitions = [make_petition(engine) for _ in range(5)]
    for p, petition in enumerate(petitions):
        for n in range(30):
            outcome = attempt(engine, roomy, petition, f"p{p}-{n}@example.org", FLOODER)
            assert outcome == "new"
    assert attempt(engine, roomy, petitions[-1], "genuine@example.org", "another") == "new"

    mail = queued(engine)
    flood = [row.priority for row in mail if row.to_addr != "genuine@example.org"]
    cap = 50  # OVER_LIMIT_MAIL_PER_CLIENT: past it, the client's signatures are mailed nothing
    assert flood == [MailPriority.normal] * 60 + [MailPriority.low] * cap
    [genuine] = [row for row in mail if row.to_addr == "genuine@example.org"]
    assert genuine.priority == MailPriority.normal
    with Session(engine) as session:
        counted = session.exec(select(Signature).where(col(Signature.suspect).is_(False))).all()
    assert len(counted) == 5 * 30 + 1  # counting is per petition, as before

    send_mail(engine, roomy)
    delivered = [message["To"] for message in smtp.messages]
    assert "genuine@example.org" in delivered[:61]


def test_a_mail_limit_that_is_not_a_rate_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="SIGN_MAIL_LIMIT_PER_CLIENT"):
        load_settings(sign_mail_limit_per_client="lots")
