"""Plain functions that make what tests need, with overridable defaults."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from campaign.accounts.models import Membership, Organisation, OrgRole
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.letters.models import (
    CampaignStatus,
    CampaignTarget,
    LetterCampaign,
    LetterTemplate,
    Official,
    OfficialEmail,
)
from campaign.mail import outbox
from campaign.mail.worker import MailWorker
from campaign.petitions.models import Petition, PetitionStatus
from campaign.prisoners.models import (
    Facility,
    Prisoner,
    PrisonerConsent,
    PrisonerStatus,
    SolidarityLetter,
)

_slugs = iter(range(1, 10**6))
DEFAULT_ORGANISATION = "Test organisation"


def organisation(engine: Engine, name: str = DEFAULT_ORGANISATION) -> int:
    """The id of the organisation of this name, made when missing (tests' petitions and
    campaigns belong to the default one unless told otherwise)."""
    with transaction(engine) as session:
        found = session.exec(select(Organisation.id).where(Organisation.name == name)).first()
        if found is not None:
            return found
        made = Organisation(name=name)
        session.add(made)
        session.flush()
        assert made.id is not None
        return made.id


def make_member(
    engine: Engine,
    user_id: int | None,
    role: OrgRole = OrgRole.owner,
    name: str = DEFAULT_ORGANISATION,
) -> None:
    """Give a person a role in an organisation (the default one unless told)."""
    organisation_id = organisation(engine, name)
    with transaction(engine) as session:
        session.merge(Membership(organisation_id=organisation_id, user_id=user_id, role=role))  # type: ignore[arg-type]


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
    values.setdefault("organisation_id", organisation(engine))
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
    named_in_handover: bool = False,
    wants_updates: bool = False,
    partners: frozenset[int] = frozenset(),
) -> None:
    """Sign (and by default confirm) through the service, as a supporter would; `partners`:
    the partner organisations whose "may contact me" box is ticked."""
    from campaign.core.ratelimit import Limiter
    from campaign.core.security import email_index
    from campaign.petitions.forms import SignForm
    from campaign.petitions.models import Signature
    from campaign.petitions.service import signing

    form = SignForm(
        name=name,
        email=email,
        country=country,
        city=city,
        wants_updates=wants_updates,
        show_publicly=True,
        named_in_handover=named_in_handover,
        partners=partners,
    )
    generous = settings.model_copy(
        update={
            "sign_limit_burst": "10000/minute",
            "sign_limit_sustained": "10000/hour",
            "sign_mail_limit_per_client": "10000/hour",
        }
    )
    with transaction(engine) as session:
        signing.sign_petition(
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
                select(Signature).where(
                    Signature.email_hash == email_index(settings, email),
                    Signature.petition_id == petition.id,
                )
            ).one()
            token = signing.confirmation_token(settings, row)
            signing.confirm_signature(
                session,
                settings=settings,
                petition=petition,
                token=token,
                named=named_in_handover,  # asked at signing and ticked again on confirming
                partners=partners,  # likewise
            )


LETTER_BODY_EN = (
    "{{ salutation }},\n\n"
    "I ask you to release {{ prisoner_name }}, {{ prisoner_details }}.\n\n"
    "{{ personal_paragraph }}\n\n"
    "{{ supporter_name }}, {{ supporter_city }}, {{ supporter_country }}\n{{ date }}"
)
LETTER_BODY_RU = (
    "{{ salutation }}!\n\n"
    "Прошу освободить {{ prisoner_name }}.\n\n"
    "{{ personal_paragraph }}\n\n"
    "{{ supporter_name }}, {{ supporter_city }}, {{ supporter_country }}\n{{ date }}"
)


def make_letter_campaign(engine: Engine, **overrides: Any) -> LetterCampaign:
    """An open campaign writing to two officials, with English and Russian templates.

    The Prosecutor General (Belarus, Russian) has an e-mail and a postal address; the
    ambassador (Lithuania, English) only an e-mail.
    """
    n = next(_slugs)
    overrides.setdefault("organisation_id", organisation(engine))
    with transaction(engine) as session:
        prosecutor = Official(
            name="Андрей Швед",
            title="Генеральный прокурор",
            institution="Генеральная прокуратура",
            country="BY",
            language="ru",
            postal_address="ул. Интернациональная, 22\n220030 Минск\nБЕЛАРУСЬ",
            forms={"ru": {"salutation": "Уважаемый господин Генеральный прокурор"}},
        )
        envoy = Official(
            name="Jane Envoy",
            title="Ambassador",
            country="LT",
            language="en",
            forms={"en": {"salutation": "Dear Ambassador"}},
        )
        session.add_all([prosecutor, envoy])
        session.flush()
        session.add_all(
            [
                OfficialEmail(official_id=prosecutor.id, address=f"pg{n}@prokuratura.example"),  # type: ignore[arg-type]
                OfficialEmail(official_id=envoy.id, address=f"envoy{n}@embassy.example"),  # type: ignore[arg-type]
            ]
        )
        values: dict[str, Any] = {
            "slug": f"write-{n}",
            "title": f"Write for prisoner {n}",
            "purpose": "Ask for her release.",
            "status": CampaignStatus.open,
            "prisoner_name": "Анна Ковальчук",
            "prisoner_details": "sentenced to four years",
            "send_from_hour": 0,
            "send_until_hour": 24,
            **overrides,
        }
        campaign = LetterCampaign(**values)
        session.add(campaign)
        session.flush()
        for official in (prosecutor, envoy):
            session.add(CampaignTarget(campaign_id=campaign.id, official_id=official.id))  # type: ignore[arg-type]
        for language, subjects, body in (
            ("en", "Release {{ prisoner_name }}", LETTER_BODY_EN),
            ("ru", "Освободите {{ prisoner_name }}", LETTER_BODY_RU),
        ):
            session.add(
                LetterTemplate(
                    campaign_id=campaign.id,  # type: ignore[arg-type]
                    language=language,
                    subjects=subjects,
                    body=body,
                )
            )
        session.flush()
        return campaign


def make_prisoner(engine: Engine, *, consent: bool = True, **overrides: Any) -> Prisoner:
    """A sentenced person who accepts letters, held in a Belarusian colony (made once), whom
    the family agreed to name publicly (consent=False: no consent recorded, so hidden)."""
    n = next(_slugs)
    with transaction(engine) as session:
        facility = session.exec(select(Facility).where(Facility.name == "Colony No. 4")).first()
        if facility is None:
            facility = Facility(
                name="Colony No. 4", address="ул. Антоновская, 1\n246035 Гомель", country="BY"
            )
            session.add(facility)
            session.flush()
        values: dict[str, Any] = {
            "external_id": f"x-{n}",
            "slug": f"prisoner-{n}",
            "name_latin": f"Prisoner {n}",
            "name_cyrillic": f"Заключённый {n}",
            "status": PrisonerStatus.sentenced,
            "facility_id": facility.id,
            "letter_address": f"Заключённому {n}\nул. Антоновская, 1\n246035 Гомель",
            **overrides,
        }
        prisoner = Prisoner(**values)
        session.add(prisoner)
        session.flush()
        if consent:
            session.add(
                PrisonerConsent(
                    prisoner_id=prisoner.id,
                    state="given",
                    given_by="family",
                    given_on=date(2024, 1, 1),
                    how="letter",
                )
            )
            session.flush()
        return prisoner


def log_letters(engine: Engine, prisoner: Prisoner, *days: date) -> None:
    """Letters sent to the prisoner on the given days, by no one in particular."""
    with transaction(engine) as session:
        for day in days:
            session.add(
                SolidarityLetter(
                    prisoner_id=prisoner.id,  # type: ignore[arg-type]
                    facility_id=prisoner.facility_id,
                    sent_on=day,
                )
            )
