"""Demo content for `make run`: two organisations, an organiser who owns the first, two
petitions with signatures (the second a coalition petition, the first organisation its
partner), a letter campaign, a welcome mail."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from typing import cast

from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts import emails as account_emails
from campaign.accounts.models import Organisation, OrgRole, Role
from campaign.accounts.service.accounts import create_organiser, find_user
from campaign.accounts.service.organisations import (
    add_member,
    create_organisation,
    memberships,
    organisation_named,
)
from campaign.content.service import save_version
from campaign.core.db import transaction, utcnow
from campaign.core.security import email_index
from campaign.core.settings import ConfigError, Settings
from campaign.letters import forms as letter_forms
from campaign.letters.models import LetterCampaign
from campaign.letters.service import campaigns, officials
from campaign.petitions.field_forms import FieldForm
from campaign.petitions.models import (
    PartnerConsent,
    Petition,
    PetitionStatus,
    Signature,
    SignatureStatus,
)
from campaign.petitions.service import coalition, paper
from campaign.petitions.service import fields as own_fields
from campaign.petitions.service.counting import count_signature
from campaign.prisoners.demo import load_demo_events, load_demo_prisoners
from campaign.prisoners.models import Prisoner

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed by `make run`; refused in production
# Fictional groups: the demo account owns the first, which runs most of the demo's campaigns.
ORGANISATIONS = ("Solidarity Centre", "Diaspora for Freedom")

PETITIONS = [
    {
        "slug": "free-anna-kavalchuk",
        "title": "Free Anna Kavalchuk",
        "summary": "A nurse from Hrodna, sentenced to four years for a comment under a news post.",
        "addressee": "The Prosecutor General of the Republic of Belarus",
        "addressee_country": "BY",
        "body": (
            "Anna Kavalchuk (a fictional prisoner for this demo) worked for twenty years "
            "as a nurse "
            "in Hrodna. In 2023 she was arrested for a comment under a news post and sentenced to "
            "**four years** in a penal colony.\n\n"
            "We ask you to:\n\n"
            "1. release Anna Kavalchuk at once and drop all charges;\n"
            "2. let her receive letters and see her family until then;\n"
            "3. give her the medical care she needs."
        ),
        "organisation": 0,
        "goal": 500,
        "weeks": 6,
        "signatures": 380,
        # Sheets from a street stall and a church hall, entered as tallies (number, count, where).
        "paper": [(1, 18, "LT"), (2, 11, "PL")],
        # A question of the sign form, not personal, its counts public (every signer answered).
        "question": ("I write to Anna as", ("a friend", "a stranger", "a colleague")),
        "question_versions": {
            "be": {"label": "Я пішу Ганне як", "help": "", "options": "сябар\nнезнаёмы\nкалега"},
            "ru": {"label": "Я пишу Анне как", "help": "", "options": "друг\nнезнакомец\nколлега"},
        },
        # Shown to visitors reading Belarusian or Russian (see campaign/content/service.py).
        "versions": {
            "be": {
                "title": "Вызваліце Ганну Кавальчук",
                "summary": "Медсястра з Гродна, асуджаная на чатыры гады за каментар пад навіной.",
                "addressee": "Генеральны пракурор Рэспублікі Беларусь",
                "body": (
                    "Ганна Кавальчук (выдуманая асоба для гэтага дэма) дваццаць гадоў працавала "
                    "медсястрой у Гродне. У 2023 годзе яе затрымалі за каментар пад навіной і "
                    "асудзілі на **чатыры гады** калоніі.\n\n"
                    "Мы просім:\n\n"
                    "1. неадкладна вызваліць Ганну Кавальчук і зняць усе абвінавачванні;\n"
                    "2. да таго часу дазволіць ёй атрымліваць лісты і бачыцца з сям’ёй;\n"
                    "3. забяспечыць ёй неабходную медыцынскую дапамогу."
                ),
            },
            "ru": {
                "title": "Освободите Анну Ковальчук",
                "summary": "Медсестра из Гродно, осуждённая на четыре года за комментарий.",
                "addressee": "Генеральный прокурор Республики Беларусь",
                "body": (
                    "Анна Ковальчук (вымышленный человек для этой демонстрации) двадцать лет "
                    "работала медсестрой в Гродно. В 2023 году её арестовали за комментарий под "
                    "новостью и приговорили к **четырём годам** колонии.\n\n"
                    "Мы просим:\n\n"
                    "1. немедленно освободить Анну Ковальчук и снять все обвинения;\n"
                    "2. до тех пор разрешить ей получать письма и видеться с семьёй;\n"
                    "3. обеспечить ей необходимую медицинскую помощь."
                ),
            },
        },
    },
    {
        "slug": "release-all-political-prisoners",
        "title": "Release all political prisoners in Belarus",
        "summary": (
            "More than a thousand people are held for their views. Every one of them must go free."
        ),
        "addressee": "The authorities of the Republic of Belarus",
        "addressee_country": "BY",
        "body": (
            "Human rights defenders count more than **1,100 political prisoners** in Belarus: "
            "journalists, lawyers, students, pensioners, workers.\n\n"
            "We call for the release of every one of them, an end to politically motivated "
            "prosecutions, and the right of prisoners to receive letters."
        ),
        "organisation": 1,
        "partners": [0],  # a coalition petition: Solidarity Centre is its partner
        "goal": 1000,
        "weeks": 10,
        "signatures": 260,
        "versions": {
            "be": {
                "title": "Вызваліце ўсіх палітычных вязняў у Беларусі",
                "summary": (
                    "Больш за тысячу чалавек трымаюць за іх погляды. Кожны з іх павінен выйсці "
                    "на волю."
                ),
                "addressee": "Улады Рэспублікі Беларусь",
                "body": (
                    "Праваабаронцы налічваюць у Беларусі больш за **1100 палітычных вязняў**: "
                    "журналістаў, юрыстаў, студэнтаў, пенсіянераў, рабочых.\n\n"
                    "Мы патрабуем вызваліць кожнага з іх, спыніць палітычна матываваныя "
                    "пераследы і забяспечыць вязням права атрымліваць лісты."
                ),
            },
            "ru": {
                "title": "Освободите всех политических заключённых в Беларуси",
                "summary": (
                    "Более тысячи человек находятся в заключении за свои взгляды. Каждый из них "
                    "должен выйти на свободу."
                ),
                "addressee": "Власти Республики Беларусь",
                "body": (
                    "Правозащитники насчитывают в Беларуси более **1100 политических "
                    "заключённых**: журналистов, юристов, студентов, пенсионеров, рабочих.\n\n"
                    "Мы требуем освободить каждого из них, прекратить политически мотивированные "
                    "преследования и обеспечить заключённым право получать письма."
                ),
            },
        },
    },
]

FIRST = [
    "Anna",
    "Maria",
    "Olga",
    "Iryna",
    "Katsiaryna",
    "Tatsiana",
    "Agnieszka",
    "Ona",
    "Lena",
    "Julia",
    "Ales",
    "Ihar",
    "Siarhei",
    "Pavel",
    "Andrei",
    "Tomasz",
    "Jonas",
    "Lukas",
    "Max",
    "Dzmitry",
]
LAST = [
    "Novik",
    "Kavalenka",
    "Shevchenko",
    "Kowalska",
    "Kazlauskas",
    "Schmidt",
    "Bondar",
    "Lis",
    "Petrauskas",
    "Wagner",
    "Zhuk",
    "Melnyk",
    "Nowak",
    "Vasilevich",
    "Krause",
]
COUNTRIES = (
    ["BY"] * 6 + ["LT"] * 4 + ["PL"] * 5 + ["DE"] * 4 + ["UA"] * 3 + ["GB", "FR", "US", "CZ", "SE"]
)
CITIES = {
    "BY": ["Minsk", "Hrodna", "Brest", "Homel"],
    "LT": ["Vilnius", "Kaunas"],
    "PL": ["Warszawa", "Białystok"],
    "DE": ["Berlin", "München"],
    "UA": ["Kyiv", "Lviv"],
}


# Each official's name and position are in their own language; the columns name_en,
# salutation_ru… give how letters in each of the campaign's languages name and greet them.
OFFICIALS = [
    {
        "name": "Генеральный прокурор Республики Беларусь",
        "institution": "Генеральная прокуратура Республики Беларусь",
        "country": "BY",
        "language": "ru",
        "emails": "prosecutor@prokuratura.example",
        "postal_address": "ул. Интернациональная, 22\n220030 Минск\nРеспублика Беларусь",
        "salutation_ru": "Уважаемый господин Генеральный прокурор",
        "name_en": "Prosecutor General of the Republic of Belarus",
        "salutation_en": "Dear Prosecutor General",
        "name_be": "Генеральны пракурор Рэспублікі Беларусь",
        "salutation_be": "Паважаны спадар Генеральны пракурор",
    },
    {
        "name": "Министр внутренних дел Республики Беларусь",
        "institution": "Министерство внутренних дел Республики Беларусь",
        "country": "BY",
        "language": "ru",
        "emails": "minister@mvd.example",
        "postal_address": "ул. Городской Вал, 4\n220030 Минск\nРеспублика Беларусь",
        "salutation_ru": "Уважаемый господин Министр",
        "name_en": "Minister of Internal Affairs of the Republic of Belarus",
        "salutation_en": "Dear Minister",
        "name_be": "Міністр унутраных спраў Рэспублікі Беларусь",
        "salutation_be": "Паважаны спадар Міністр",
    },
    {
        "name": "Ambassador of the Republic of Belarus to Lithuania",
        "institution": "Embassy of the Republic of Belarus in Vilnius",
        "country": "LT",
        "language": "en",
        "emails": "embassy@belarus-embassy.example",
        "postal_address": "Mindaugo g. 13\nLT-03225 Vilnius\nLithuania",
        "salutation_en": "Dear Ambassador",
        "name_ru": "Посол Республики Беларусь в Литовской Республике",
        "salutation_ru": "Уважаемый господин Посол",
        "name_be": "Пасол Рэспублікі Беларусь у Літоўскай Рэспубліцы",
        "salutation_be": "Паважаны спадар Пасол",
    },
]


LETTER_CAMPAIGN = {
    "slug": "write-for-anna",
    "title": "Write to the officials who hold Anna Kavalchuk",
    "purpose": "Ask the Prosecutor General, the Minister of Internal Affairs and the ambassador "
    "to release Anna Kavalchuk and, until then, to let her receive letters and medical care.",
    "prisoner_name": "Anna Kavalchuk",
    "prisoner_details": "a nurse from Hrodna, sentenced in 2023 to four years in a penal colony "
    "for a comment under a news post",
    # At any hour, so that a newcomer trying `make run` at night sees the letters arrive at
    # /dev/mail; a real campaign keeps the defaults (08:00 to 18:00), set by its organisers.
    "send_from_hour": "0",
    "send_until_hour": "24",
}
# The prisoner the letters are about, from the demo register: each letter names her in its
# language (the register has her name in Latin, Russian and Belarusian).
LETTER_PRISONER = "demo-anna"
# The campaign's page for be and ru readers (the letters themselves follow LETTER_TEMPLATES).
LETTER_CAMPAIGN_VERSIONS = {
    "be": {
        "title": "Напішыце чыноўнікам, якія трымаюць Ганну Кавальчук",
        "purpose": "Папрасіце Генеральнага пракурора, міністра ўнутраных спраў і пасла вызваліць "
        "Ганну Кавальчук, а да таго часу дазволіць ёй атрымліваць лісты і медыцынскую дапамогу.",
        "prisoner_name": "Ганна Кавальчук",
        "prisoner_details": "медсястра з Гродна, асуджаная ў 2023 годзе на чатыры гады калоніі "
        "за каментар пад навіной",
    },
    "ru": {
        "title": "Напишите должностным лицам, которые держат Анну Ковальчук в заключении",
        "purpose": "Попросите Генерального прокурора, министра внутренних дел и посла освободить "
        "Анну Ковальчук, а до тех пор разрешить ей получать письма и медицинскую помощь.",
        "prisoner_name": "Анна Ковальчук",
        "prisoner_details": "медсестра из Гродно, осуждённая в 2023 году на четыре года колонии "
        "за комментарий под новостью",
    },
}
LETTER_TEMPLATES = {
    "en": (
        "Release Anna Kavalchuk\nA letter about the case of Anna Kavalchuk",
        "{{ salutation }},\n\nI am writing from "
        "{% if supporter_city %}{{ supporter_city }}, {% endif %}{{ supporter_country }}, "
        "about {{ prisoner_name }}, {{ prisoner_details }}.\n\n"
        "I ask you to release her and, until then, to let her receive letters "
        "and the medical care she needs.\n\n{{ personal_paragraph }}\n\nYours sincerely,\n"
        "{{ supporter_name }}\n{{ date }}",
    ),
    "ru": (
        "Освободите Анну Ковальчук\nПисьмо по делу Анны Ковальчук",
        "{{ salutation }}!\n\nПишу вам"
        "{% if supporter_city %} из города {{ supporter_city }}{% endif %} "
        "({{ supporter_country }}) "
        "в защиту политической заключённой. Её имя — {{ prisoner_name }}.\n\n"
        "Прошу освободить её, а до тех пор обеспечить ей получение "
        "писем и необходимую медицинскую помощь.\n\n{{ personal_paragraph }}\n\n"
        "С уважением,\n{{ supporter_name }}\n{{ date }}",
    ),
    "be": (
        "Вызваліце Ганну Кавальчук\nЛіст па справе Ганны Кавальчук",
        "{{ salutation }}!\n\nПішу вам"
        "{% if supporter_city %} з горада {{ supporter_city }}{% endif %} "
        "({{ supporter_country }}) "
        "у абарону палітычнай зняволенай. Яе імя — {{ prisoner_name }}.\n\n"
        "Прашу вызваліць яе, а да таго часу забяспечыць ёй атрыманне "
        "лістоў і неабходную медыцынскую дапамогу.\n\n{{ personal_paragraph }}\n\n"
        "З павагай,\n{{ supporter_name }}\n{{ date }}",
    ),
}


def refuse_demo_account(engine: Engine) -> None:
    """In production the demo account, whose password is printed by `make run`, must not exist."""
    with transaction(engine) as session:
        if find_user(session, email=DEMO_EMAIL) is not None:
            raise ConfigError(f"the demo account {DEMO_EMAIL} exists; delete it before serving")


def load_demo(session: Session, *, settings: Settings) -> bool:
    """Add the demo content unless it is there already; True when something was added."""
    added = False
    organisations: list[Organisation] = []
    for name in ORGANISATIONS:
        found = organisation_named(session, name)
        if found is None:
            found = create_organisation(session, name)
            added = True
        organisations.append(found)
    user = find_user(session, email=DEMO_EMAIL)
    if user is None:
        user = create_organiser(
            session,
            email=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            # An organiser: an admin account opens nothing until two-factor login is set up.
            role=Role.organiser,
            name="Demo Organiser",
        )
        account_emails.welcome(session, to=user.email, name=user.name, base_url=settings.base_url)
        added = True
    if organisations[0] not in [organisation for organisation, _ in memberships(session, user)]:
        add_member(session, organisations[0], user, OrgRole.owner)
        added = True
    if not officials.list_officials(session):
        officials.import_officials(session, OFFICIALS, apply=True)
        added = True
    for spec in PETITIONS:
        if session.exec(select(Petition.id).where(Petition.slug == spec["slug"])).first() is None:
            organisation = organisations[int(spec["organisation"])]  # type: ignore[call-overload]
            _demo_petition(
                session,
                settings=settings,
                spec=spec,
                user_id=user.id,  # type: ignore[arg-type]
                organisation_id=organisation.id,  # type: ignore[arg-type]
                partners=[
                    oid
                    for i in spec.get("partners", [])  # type: ignore[attr-defined]
                    if (oid := organisations[i].id) is not None
                ],
            )
            added = True
    # The register first: the letter campaign names its prisoner from there.
    added = load_demo_prisoners(session, settings=settings, today=utcnow().date()) or added
    if not campaigns.all_campaigns(session, {o.id for o in organisations if o.id is not None}):
        _demo_letter_campaign(session, organisation_id=organisations[0].id)  # type: ignore[arg-type]
        added = True
    campaign_id = session.exec(
        select(LetterCampaign.id).where(LetterCampaign.slug == LETTER_CAMPAIGN["slug"])
    ).first()
    added = load_demo_events(session, campaign_id=campaign_id, today=utcnow().date()) or added
    return added


def _demo_letter_campaign(session: Session, *, organisation_id: int) -> None:
    ids = [str(official.id) for official, _ in officials.list_officials(session)]
    petition = session.exec(
        select(Petition.id).where(Petition.slug == PETITIONS[0]["slug"])
    ).first()
    defaults = campaigns.form_values(
        LetterCampaign(slug="", title="", organisation_id=organisation_id)
    )
    prisoner = session.exec(
        select(Prisoner.id).where(Prisoner.external_id == LETTER_PRISONER)
    ).first()
    form, errors = letter_forms.parse_campaign_form(
        {
            **defaults,
            **LETTER_CAMPAIGN,
            "petition_id": str(petition or ""),
            "prisoner_id": str(prisoner or ""),
        },
        ids,
    )
    assert form is not None, errors
    campaign = campaigns.save_campaign(
        session,
        form=form,
        campaign=LetterCampaign(
            slug=LETTER_CAMPAIGN["slug"], title="", organisation_id=organisation_id
        ),
    )
    for language, (subjects, body) in LETTER_TEMPLATES.items():
        values, errors = letter_forms.check_letter(
            {"language": language, "subjects": subjects, "body": body},
            today=utcnow().date(),
            campaign=campaign,
        )
        assert not errors, errors
        campaigns.save_template(session, campaign=campaign, values=values)
    refusal = campaigns.publish_refusal(session, campaign)
    assert refusal is None, refusal
    for locale, fields in LETTER_CAMPAIGN_VERSIONS.items():
        save_version(session, "letters", campaign, locale, fields)
    campaigns.change_status(session, campaign=campaign, action="publish")


def _demo_petition(
    session: Session,
    *,
    settings: Settings,
    spec: dict[str, object],
    user_id: int,
    organisation_id: int,
    partners: list[int],
) -> None:
    rng = random.Random(str(spec["slug"]))  # noqa: S311 - demo data, not security
    now = utcnow()
    weeks = int(spec["weeks"])  # type: ignore[call-overload]
    petition = Petition(
        slug=str(spec["slug"]),
        organisation_id=organisation_id,
        title=str(spec["title"]),
        summary=str(spec["summary"]),
        addressee=str(spec["addressee"]),
        addressee_country=str(spec["addressee_country"]),
        body=str(spec["body"]),
        goal=int(spec["goal"]),  # type: ignore[call-overload]
        status=PetitionStatus.open,
        created_by=user_id,
        published_at=now - timedelta(weeks=weeks),
        created_at=now - timedelta(weeks=weeks, days=1),
    )
    session.add(petition)
    session.flush()
    assert petition.id is not None
    versions: dict[str, dict[str, str]] = spec.get("versions", {})  # type: ignore[assignment]
    for locale, fields in versions.items():
        save_version(session, "petition", petition, locale, fields)
    coalition.set_partners(session, petition, partners)
    contactable: list[Signature] = []
    signatures: list[Signature] = []
    for n in range(int(spec["signatures"])):  # type: ignore[call-overload]
        country = rng.choice(COUNTRIES)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{spec['slug']}-{n}@example.org"
        # More signatures early on and after each share: a skewed spread over the weeks.
        signed = now - timedelta(minutes=int(weeks * 7 * 24 * 60 * rng.random() ** 1.6))
        state = rng.random()
        status = SignatureStatus.pending if state < 0.05 else SignatureStatus.confirmed
        suspect = 0.05 <= state < 0.08
        signature = Signature(
            petition_id=petition.id,
            name=name,
            email=email,
            email_hash=email_index(settings, email),
            country=country,
            city=rng.choice(CITIES.get(country, [""])),
            consent=True,
            wants_updates=rng.random() < 0.4,
            show_publicly=rng.random() < 0.5,
            # Every fifth, not drawn from rng: a draw here would change every later value.
            named_in_handover=n % 5 == 0,
            status=status,
            suspect=suspect,
            suspect_reason="rate limit" if suspect else "",
            ip_hash=secrets.token_hex(32),
            created_at=signed,
            confirmed_at=signed + timedelta(minutes=rng.randint(1, 600))
            if status == "confirmed"
            else None,
        )
        session.add(signature)
        signatures.append(signature)
        if n % 3 == 0:  # every third lets the partners contact them (not drawn: see above)
            contactable.append(signature)
        if status == SignatureStatus.confirmed and not suspect:
            count_signature(session, petition_id=petition.id, country=country, delta=1)
    session.flush()
    for signature in contactable:
        for partner in partners:
            session.add(PartnerConsent(signature_id=signature.id, organisation_id=partner))  # type: ignore[arg-type]
    session.flush()
    _demo_question(session, petition, spec, signed=[s.id for s in signatures if s.id])
    for number, count, country in spec.get("paper", []):  # type: ignore[attr-defined]
        paper.enter_tally(
            session, petition=petition, number=number, count=count, country=country, by=user_id
        )


def _demo_question(
    session: Session, petition: Petition, spec: dict[str, object], *, signed: list[int]
) -> None:
    """The petition's own question, answered by every demo signer in turn."""
    if "question" not in spec:
        return
    label, options = cast(tuple[str, tuple[str, ...]], spec["question"])
    form = FieldForm("choice", label, "", options, False, False, public=True)
    field = own_fields.add_field(session, petition=petition, form=form)
    versions = cast(dict[str, dict[str, str]], spec.get("question_versions", {}))
    for locale, words in versions.items():
        save_version(session, own_fields.KIND, field, locale, words)
    for n, signature_id in enumerate(signed):
        own_fields.store_answers(
            session,
            signature_id=signature_id,
            answers=((field.id, options[n % len(options)], False),),  # type: ignore[arg-type]
        )
