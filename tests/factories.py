"""Plain functions that make what tests need, with overridable defaults."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import Engine

from campaign.db import transaction, utcnow
from campaign.mail import outbox
from campaign.mail.worker import MailWorker
from campaign.petitions.models import Petition, PetitionStatus
from campaign.settings import Settings

_slugs = iter(range(1, 10**6))


def make_petition(engine: Engine, **overrides: Any) -> Petition:
    """An open petition (unless told otherwise), committed."""
    n = next(_slugs)
    values: dict[str, Any] = {
        "slug": f"free-prisoner-{n}",
        "title": f"Free prisoner number {n}",
        "summary": "Release him now.",
        "body": "He has been held for **three years** for a comment.",
        "addressee": "The Prosecutor General",
        "goal": 100,
        "status": PetitionStatus.open,
        "published_at": utcnow(),
        **overrides,
    }
    with transaction(engine) as session:
        petition = Petition(**values)
        session.add(petition)
        session.flush()
        return petition


def queue_mail(engine: Engine, count: int, *, locale: str = "en", prefix: str = "person") -> None:
    """Put `count` welcome messages in the outbox."""
    with transaction(engine) as session:
        for n in range(count):
            outbox.enqueue(
                session,
                to=f"{prefix}{n}@example.org",
                template="welcome",
                context={"name": f"Person {n}"},
                locale=locale,
                base_url="http://testserver",
            )


def send_mail(engine: Engine, settings: Settings, **options: Any) -> int:
    """Run a mail worker until the outbox has nothing due; how many rows it handled."""
    worker = MailWorker(engine, settings, **options)

    async def run() -> int:
        try:
            return await worker.drain()
        finally:
            await worker.close()

    return asyncio.run(run())


def link_in(text: str, path_part: str) -> str:
    """The first link in a mail text that contains path_part, relative to the site."""
    match = re.search(rf"https?://[^\s]*{re.escape(path_part)}[^\s]*", text)
    assert match, f"no link with {path_part} in {text!r}"
    return match.group(0).replace("http://testserver", "")


def add_signature(
    engine: Engine,
    settings: Settings,
    petition: Petition,
    *,
    email: str,
    name: str = "Ana Bialiatskaya",
    country: str = "BY",
    city: str = "Minsk",
    ip: str = "ip-hash",
    confirm: bool = True,
) -> None:
    """Sign (and by default confirm) through the service, as a supporter would."""
    from campaign.petitions import service
    from campaign.petitions.forms import SignForm
    from campaign.petitions.models import Signature
    from campaign.ratelimit import Limiter
    from campaign.security import email_index

    form = SignForm(
        name=name, email=email, country=country, city=city, wants_updates=False, show_publicly=True
    )
    generous = settings.model_copy(
        update={"sign_limit_burst": "10000/minute", "sign_limit_sustained": "10000/hour"}
    )
    with transaction(engine) as session:
        service.sign_petition(
            session,
            settings=generous,
            limiter=Limiter(engine),
            petition=petition,
            form=form,
            ip_hash=ip,
            locale="en",
        )
    if confirm:
        with transaction(engine) as session:
            from sqlmodel import select

            row = session.exec(
                select(Signature).where(Signature.email_hash == email_index(settings, email))
            ).one()
            token = service.confirmation_token(settings, row)
            service.confirm_signature(session, settings=settings, petition=petition, token=token)
