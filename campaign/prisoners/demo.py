"""Demo prisoners for `make run`: fictional people (their names say so), several facilities,
and letters logged over the past months, so that the list, the profile and the overview have
something to show."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlmodel import Session, select

from campaign.content.service import save_version
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.prisoners import forms
from campaign.prisoners.models import (
    Channel,
    EventKind,
    LetterState,
    Prisoner,
    PrisonerEvent,
    SolidarityLetter,
    Volunteer,
)
from campaign.prisoners.service import events, facilities, register

FACILITIES = [
    ("Penal colony No. 4 (demo)", "ул. Антоновская, 1\n246035 г. Гомель", "BY"),
    ("Penal colony No. 24 (demo)", "ул. Садовая, 1\n222520 г. Заречье", "BY"),
    ("Remand prison No. 1 (demo)", "ул. Володарского, 2\n220030 г. Минск", "BY"),
]
# Fictional people: "Prykladny" is Belarusian for "example".
# (Latin, Cyrillic, the Cyrillic in the dative case for the envelope, gender)
FIRST = [
    ("Alena", "Алена", "Алене", "female"),
    ("Maryna", "Марына", "Марыне", "female"),
    ("Iryna", "Ірына", "Ірыне", "female"),
    ("Siarhei", "Сяргей", "Сяргею", "male"),
    ("Pavel", "Павел", "Паўлу", "male"),
    ("Andrei", "Андрэй", "Андрэю", "male"),
    ("Volha", "Вольга", "Вользе", "female"),
    ("Dzmitry", "Дзмітры", "Дзмітрыю", "male"),
]
# The demo person shown as "waiting for consent" (never named publicly).
WAITING_FOR_CONSENT = 5
REGIONS = ["Minsk", "Hrodna", "Homiel", "Brest", "Viciebsk", "Mahiloŭ"]
# What visitors read on a person's page, in English and in the versions for be and ru readers.
INTERESTS = [
    {
        "en": "Gardening, crosswords, news about her cat",
        "be": "Садоўніцтва, крыжаванкі, навіны пра яе ката",
        "ru": "Садоводство, кроссворды, новости о её коте",
    },
    {
        "en": "Football (FC Dinamo Minsk), history books",
        "be": "Футбол (ФК «Дынама Мінск»), кнігі па гісторыі",
        "ru": "Футбол (ФК «Динамо Минск»), книги по истории",
    },
    {
        "en": "Poetry, drawing, letters from other countries",
        "be": "Паэзія, маляванне, лісты з іншых краін",
        "ru": "Поэзия, рисование, письма из других стран",
    },
    {
        "en": "Cooking, travel stories, learning English",
        "be": "Кулінарыя, расповеды пра падарожжы, вывучэнне англійскай",
        "ru": "Кулинария, рассказы о путешествиях, изучение английского",
    },
]
WRITER_NOTES = {
    "en": "A fictional record for the demo.",
    "be": "Выдуманы запіс для дэма.",
    "ru": "Вымышленная запись для демонстрации.",
}


def _demo_volunteers(session: Session, settings: Settings) -> list[int]:
    # "Fewest letters" counts writers, not letters: the demo's letters need writers of their own.
    volunteers = [
        Volunteer(
            email=f"volunteer{n}@demo.invalid",
            email_hash=email_index(settings, f"volunteer{n}@demo.invalid"),
            login_nonce=secrets.token_urlsafe(12),
            session_nonce=secrets.token_urlsafe(12),
        )
        for n in range(1, 9)
    ]
    session.add_all(volunteers)
    session.flush()
    return [volunteer.id for volunteer in volunteers if volunteer.id is not None]


def load_demo_prisoners(session: Session, *, settings: Settings, today: date) -> bool:
    """Add the demo register unless it is there; True when something was added."""
    if session.exec(select(Prisoner.id)).first() is not None:
        return False
    rng = random.Random("demo-prisoners")  # noqa: S311 - demo data, not security
    for name, address, country in FACILITIES:
        form, errors = forms.parse_facility({"name": name, "address": address, "country": country})
        assert form is not None, errors
        facilities.save_facility(session, form=form)
    rows = [_row(n, rng, today) for n in range(20)]
    report = register.import_prisoners(session, rows, apply=True, today=today)
    assert report.ok, report.errors
    _demo_versions(session)
    writers = _demo_volunteers(session, settings)
    pick = random.Random("demo-writers")  # noqa: S311 - apart, so the demo's letters stay as they were
    for prisoner in session.exec(select(Prisoner)).all():
        # Some get plenty of mail, some none: the list puts the forgotten first.
        for _ in range(rng.choice([0, 0, 1, 2, 4, 7])):
            sent = today - timedelta(days=rng.randint(1, 150))
            state = rng.choice(
                [LetterState.sent] * 5 + [LetterState.answered, LetterState.returned]
            )
            session.add(
                SolidarityLetter(
                    prisoner_id=prisoner.id,  # type: ignore[arg-type]
                    volunteer_id=pick.choice(writers),
                    facility_id=prisoner.facility_id,
                    sent_on=sent,
                    channel=rng.choice(list(Channel)).value,
                    state=state.value,
                    outcome_on=None if state == LetterState.sent else sent + timedelta(days=30),
                )
            )
    session.flush()
    report = register.import_prisoners(session, [ANNA], apply=True, today=today)
    assert report.ok, report.errors
    anna = session.exec(select(Prisoner).where(Prisoner.external_id == ANNA["external_id"])).one()
    for locale, fields in ANNA_VERSIONS.items():
        save_version(session, "prisoner", anna, locale, fields)
    return True


# The prisoner of the demo petition and letter campaign, named in each letter's language.
ANNA = {
    "external_id": "demo-anna",
    "name_latin": "Anna Kavalchuk",
    "name_cyrillic": "Ганна Кавальчук",
    "name_en": "Anna Kavalchuk",
    "name_ru": "Анна Ковальчук",
    "name_be": "Ганна Кавальчук",
    "name_pl": "Anna Kowalczuk",
    "gender": "female",
    "region": "Hrodna",
    "articles": "Art. 369 (fictional)",
    "sentence": "4 years (fictional)",
    "status": "sentenced",
    "facility": FACILITIES[1][0],
    "letter_address": "Кавальчук Ганне\n" + FACILITIES[1][1],
    "interests": "Nursing, her garden, letters from abroad",
    "writer_notes": "A fictional record for the demo.",
    "source": "Demo data: a fictional person",
    "consent": "given",
    "consent_from": "family",
    "consent_how": "in_person",
}


ANNA_VERSIONS = {
    "be": {"interests": "Медыцына, яе сад, лісты з-за мяжы", "writer_notes": WRITER_NOTES["be"]},
    "ru": {
        "interests": "Медицина, её сад, письма из-за границы",
        "writer_notes": WRITER_NOTES["ru"],
    },
}


def _demo_versions(session: Session) -> None:
    """The interests and notes in Belarusian and Russian, so their readers see no English."""
    for prisoner in session.exec(select(Prisoner)).all():
        n = int(str(prisoner.external_id).removeprefix("demo-")) - 1
        for locale in ("be", "ru"):
            fields = {
                "interests": INTERESTS[n % len(INTERESTS)][locale],
                "writer_notes": WRITER_NOTES[locale],
            }
            save_version(session, "prisoner", prisoner, locale, fields)


def _row(n: int, rng: random.Random, today: date) -> dict[str, str]:
    latin, cyrillic, cyrillic_dative, gender = FIRST[n % len(FIRST)]
    surname = "Prykladnaja" if gender == "female" else "Prykladny"
    surname_cyrillic = "Прыкладная" if gender == "female" else "Прыкладны"
    dative = "Прыкладной" if gender == "female" else "Прыкладнаму"
    facility, address, _country = FACILITIES[n % len(FACILITIES)]
    arrested = today - timedelta(days=rng.randint(200, 1500))
    birth = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
    if n == 3:
        birth = birth.replace(month=today.month)  # someone with a birthday this month
    status = "detained" if n % 7 == 0 else "sentenced"
    # Apart, so that the demo's other data stay as they were before consent was recorded.
    asked = random.Random(f"demo-consent-{n}")  # noqa: S311 - demo data, not security
    if n == 19:
        status = "released"
    return {
        "external_id": f"demo-{n + 1}",
        "name_latin": f"{latin} {surname} {n + 1}",
        "name_cyrillic": f"{cyrillic} {surname_cyrillic}",
        "gender": gender,
        "birth_date": birth.isoformat(),
        "region": REGIONS[n % len(REGIONS)],
        "articles": "Art. 342, 369 (fictional)",
        "sentence": "" if status == "detained" else f"{rng.randint(2, 8)} years (fictional)",
        "arrested_on": arrested.isoformat(),
        "release_expected_on": (arrested + timedelta(days=rng.randint(800, 3000))).isoformat()
        if status == "sentenced"
        else "",
        "status": status,
        "accepts_letters": "no" if n == 11 else "yes",
        # One takes letters from listed senders only; for some nobody has asked yet.
        "letters_from": "listed" if n == 6 else "unknown" if n % 4 == 1 else "anyone",
        "facility": facility,
        "letter_address": f"{dative} {cyrillic_dative}\n{address}",
        "interests": INTERESTS[n % len(INTERESTS)]["en"],
        "writer_notes": WRITER_NOTES["en"],
        "source": "Demo data: a fictional person",
        "source_date": today.isoformat(),
        # One person waits for consent: the organisers' overview shows them, the public never.
        "consent": "" if n == WAITING_FOR_CONSENT else "given",
        "consent_from": asked.choice(["person", "family", "lawyer"]),
        "consent_date": (today - timedelta(days=asked.randint(10, 300))).isoformat(),
        "consent_how": asked.choice(["in_person", "letter", "message", "lawyer"]),
    }


# Events that call for letters: Anna's hunger strike, with the letter campaign to the officials
# holding her, and a hearing coming up for another person.
DEMO_EVENTS = [
    ("demo-anna", "hunger_strike", -3, "Refuses food until she gets medical care (fictional)."),
    ("demo-3", "appeal", 12, "The appeal court hears her case (fictional)."),
]


def load_demo_events(session: Session, *, campaign_id: int | None, today: date) -> bool:
    """Add the demo's events unless there are some; True when something was added."""
    if session.exec(select(PrisonerEvent.id)).first() is not None:
        return False
    for external_id, kind, offset, note in DEMO_EVENTS:
        prisoner = session.exec(select(Prisoner).where(Prisoner.external_id == external_id)).one()
        form = events.EventForm(
            EventKind(kind),
            today + timedelta(days=offset),
            None,
            note,
            campaign_id if external_id == "demo-anna" else None,
        )
        events.save_event(session, prisoner=prisoner, form=form)
    return True
