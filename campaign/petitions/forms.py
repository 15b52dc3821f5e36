"""The petitions' forms, checked at the edge with an error per field: the sign form a supporter
fills in, and the organiser's forms for a petition, for picking signatures and for an update."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

from campaign.core.countries import is_country
from campaign.core.fields import check_day, check_email, row_id
from campaign.core.i18n import _
from campaign.core.slugs import SLUG_PATTERN, slugify
from campaign.core.web import FormErrors
from campaign.petitions.field_forms import FormField, parse_answers
from campaign.petitions.models import SignatureStatus

NAME_MAX = 120
CITY_MAX = 100
HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"


@dataclass(frozen=True)
class SignForm:
    """A valid signature as typed: names and cities are kept exactly, `= + - @` included."""

    name: str
    email: str
    country: str
    city: str
    wants_updates: bool
    show_publicly: bool
    named_in_handover: bool = False
    # The partner organisations (of a coalition petition) whose "may contact me" box is ticked.
    partners: frozenset[int] = frozenset()
    # The answers to the petition's own fields (fields.py): (field id, value, personal).
    answers: tuple[tuple[int, str, bool], ...] = ()


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key, "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def checked(raw: Mapping[str, object], key: str) -> bool:
    """Whether a checkbox came back ticked."""
    value = raw.get(key)
    return isinstance(value, str) and value in {"1", "on", "yes", "true"}


def parse_sign_form(
    raw: Mapping[str, object], *, smtputf8: bool = False, fields: Sequence[FormField] = ()
) -> tuple[SignForm | None, FormErrors]:
    """Check a submitted sign form, the petition's own `fields` too; a SignForm, or errors by
    field (`smtputf8`: the relay takes addresses with letters outside ASCII before the @)."""
    errors = FormErrors()
    name = _text(raw, "name")
    email = _text(raw, "email")
    country = _text(raw, "country").upper()
    city = _text(raw, "city")
    if not name:
        errors.add("name", _("Enter your full name."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("Use at most %(count)s characters.", count=NAME_MAX))
    email, problem = check_email(email, smtputf8=smtputf8)
    if problem:
        errors.add("email", problem)
    if not is_country(country):
        errors.add("country", _("Choose your country."))
    if len(city) > CITY_MAX:
        errors.add("city", _("Use at most %(count)s characters.", count=CITY_MAX))
    if not checked(raw, "consent"):
        errors.add("consent", _("Your signature can only be counted with your consent."))
    answers = parse_answers(raw, fields, errors)
    if errors:
        return None, errors
    form = SignForm(
        name=name,
        email=email,
        country=country,
        city=city,
        wants_updates=checked(raw, "wants_updates"),
        show_publicly=checked(raw, "show_publicly"),
        named_in_handover=checked(raw, "named_in_handover"),
        partners=ticked_partners(raw),
        answers=answers,
    )
    return form, errors


PARTNER_BOX = "partner_"


def ticked_partners(raw: Mapping[str, object]) -> frozenset[int]:
    """The organisations named by ticked `partner_<id>` boxes (on the sign form, and again on
    the confirmation page) (the service keeps only the
    petition's own partners)."""
    ids = {
        oid
        for key in raw
        if key.startswith(PARTNER_BOX)
        and checked(raw, key)
        and (oid := row_id(key[len(PARTNER_BOX) :])) is not None
    }
    return frozenset(sorted(ids)[:50])


# -- the organiser's forms ---------------------------------------------------------------------


@dataclass(frozen=True)
class PetitionForm:
    """What an organiser types for a petition."""

    title: str
    slug: str
    summary: str
    body: str
    addressee: str
    goal: int
    ends_at: datetime | None
    addressee_country: str = ""


def parse_petition_form(raw: dict[str, str]) -> tuple[PetitionForm | None, FormErrors]:
    """Check an organiser's petition form; a PetitionForm, or errors by field."""
    errors = FormErrors()
    title = " ".join(raw.get("title", "").split())
    slug = raw.get("slug", "").strip().lower() or slugify(title)
    summary = " ".join(raw.get("summary", "").split())
    body = raw.get("body", "").replace("\r\n", "\n").strip()
    addressee = " ".join(raw.get("addressee", "").split())
    addressee_country = raw.get("addressee_country", "").strip().upper()
    if not title:
        errors.add("title", _("Give the petition a title."))
    elif len(title) > 200:
        errors.add("title", _("Use at most %(count)s characters.", count=200))
    if not SLUG_PATTERN.match(slug) or len(slug) > 80:
        errors.add("slug", _("Use lower-case Latin letters, digits and hyphens."))
    if len(summary) > 500:
        errors.add("summary", _("Use at most %(count)s characters.", count=500))
    if len(body) > 50_000:
        errors.add("body", _("Use at most %(count)s characters.", count=50_000))
    if len(addressee) > 300:
        errors.add("addressee", _("Use at most %(count)s characters.", count=300))
    if addressee_country and not is_country(addressee_country):
        errors.add("addressee_country", _("Choose a country from the list, or none."))
    try:
        goal = int(raw.get("goal", "") or 1000)
        if not 1 <= goal <= 100_000_000:
            raise ValueError
    except ValueError:
        goal = 0
        errors.add("goal", _("Enter a whole number above zero."))
    ends_at, problem = check_day(raw.get("ends_at", ""), end_of_day=True)
    if problem:
        errors.add("ends_at", problem)
    if errors:
        return None, errors
    form = PetitionForm(title, slug, summary, body, addressee, goal, ends_at, addressee_country)
    return form, errors


@dataclass(frozen=True)
class SignatureFilter:
    """Which signatures an organiser means: every criterion given must hold."""

    email_domain: str = ""
    email_contains: str = ""
    ip_hash: str = ""
    country: str = ""
    status: str = ""
    suspect_only: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None

    def is_empty(self) -> bool:
        return not any(
            [
                self.email_domain,
                self.email_contains,
                self.ip_hash,
                self.country,
                self.status,
                self.suspect_only,
                self.created_from,
                self.created_to,
            ]
        )


def parse_signature_filter(values: Mapping[str, str]) -> tuple[SignatureFilter, FormErrors]:
    """The organiser's criteria for picking signatures (to invalidate or accept), and errors."""
    errors = FormErrors()
    dates: dict[str, datetime | None] = {}
    for name in ("created_from", "created_to"):
        dates[name] = None
        if values.get(name):
            try:
                dates[name] = datetime.fromisoformat(values[name]).replace(
                    tzinfo=datetime.now().astimezone().tzinfo
                )
            except ValueError:
                errors.add(name, _("Enter a date and time such as 2026-11-24T18:00."))
    status = values.get("status", "")
    if status and status not in {s.value for s in SignatureStatus}:
        errors.add("status", _("Choose a state from the list."))
    criteria = SignatureFilter(
        # "@" alone is no domain: it must not turn an empty filter into "every signature".
        email_domain=values.get("email_domain", "").strip().lstrip("@").strip()[:200],
        email_contains=values.get("email_contains", "").strip()[:200],
        ip_hash=values.get("ip_hash", "").strip()[:64],
        country=values.get("country", "").strip()[:2],
        status=status,
        suspect_only=values.get("suspect_only") == "1",
        created_from=dates["created_from"],
        created_to=dates["created_to"],
    )
    return criteria, errors


@dataclass(frozen=True)
class UpdateForm:
    """An organiser's update to the signers."""

    subject: str
    body: str


def parse_update_form(raw: Mapping[str, str]) -> tuple[UpdateForm | None, FormErrors]:
    """Check an update's subject and text; an UpdateForm, or errors by field."""
    subject = " ".join(raw.get("subject", "").split())
    body = raw.get("body", "").replace("\r\n", "\n").strip()
    errors = FormErrors()
    if not subject or len(subject) > 200:
        errors.add("subject", _("Write a subject of at most %(count)s characters.", count=200))
    if not body or len(body) > 20_000:
        errors.add("body", _("Write the message (at most %(count)s characters).", count=20_000))
    if errors:
        return None, errors
    return UpdateForm(subject, body), errors


class Shown(StrEnum):
    """Which petitions /petitions lists: those open for signing, those won, the others closed."""

    open = "open"
    won = "won"
    closed = "closed"


class Order(StrEnum):
    newest = "newest"
    signed = "signed"
    ending = "ending"


SEARCH_MAX = 100


@dataclass(frozen=True)
class PetitionSearch:
    """What a visitor looks for on /petitions; all of it lives in the address, to be shared."""

    text: str = ""
    shown: Shown = Shown.open
    order: Order = Order.newest
    page: int = 1

    def url(self, **changes: object) -> str:
        """/petitions with this search (and the changes), leaving out what is as by default."""
        search = replace(self, **changes)  # type: ignore[arg-type]
        default = PetitionSearch()
        names = {"q": "text", "status": "shown", "sort": "order", "page": "page"}
        params = {
            key: str(getattr(search, name))
            for key, name in names.items()
            if str(getattr(search, name)) != str(getattr(default, name))
        }
        return "/petitions" + (f"?{urlencode(params)}" if params else "")


def parse_petition_search(values: Mapping[str, str]) -> PetitionSearch:
    """The search in the address; whatever cannot be read is as by default (a link typed by
    hand, or an old one, still lists petitions)."""
    text = " ".join(str(values.get("q", "")).split())[:SEARCH_MAX]
    shown = values.get("status", "")
    order = values.get("sort", "")
    page = values.get("page", "")
    return PetitionSearch(
        text=text,
        shown=Shown(shown) if shown in Shown.__members__ else Shown.open,
        order=Order(order) if order in Order.__members__ else Order.newest,
        page=int(page) if len(page) <= 5 and page.isascii() and page.isdigit() and int(page) else 1,
    )
