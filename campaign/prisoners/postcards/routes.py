"""A postcard for a prisoner: choose a picture and download the card; then, once it is posted,
log it by its code, typed or opened as a link, in one step."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.ratelimit import Limiter, pdf_refusal, wait_message
from campaign.core.security import ip_hash
from campaign.core.web import PRIVATE, FormData, FormErrors, found, redirect, render
from campaign.prisoners.models import Facility, Prisoner, Volunteer
from campaign.prisoners.postcards import pictures, service
from campaign.prisoners.postcards.pdf import postcard_pdf
from campaign.prisoners.postcards.service import CardOutcome
from campaign.prisoners.routes.volunteers import CurrentVolunteer, OptionalVolunteer
from campaign.prisoners.service import prisoners

router = APIRouter()
# Besides the limit every public PDF shares: each card is a stored row, so a stranger could
# otherwise fill the table at the pace of that limit all day long.
CARDS_PER_CLIENT = "40/day"
# Wrong codes, per client and per volunteer: 2^40 codes stay out of reach of guessing.
WRONG_CODES = "10/hour"


def _writable(session: Session, slug: str) -> tuple[Prisoner, Facility | None]:
    prisoner, facility = found(prisoners.public_prisoner(session, slug))
    if not prisoners.can_write(prisoner):
        raise HTTPException(status_code=404, detail=_("Letters do not reach this person."))
    return prisoner, facility


def _print_page(
    request: Request,
    session: Session,
    prisoner: Prisoner,
    facility: Facility | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    choices = pictures.choices(session)
    context = {
        "prisoner": prisoner,
        "address": prisoners.address_block(prisoner, facility),
        "pictures": choices,
        "form": {"picture": choices[0].key, **form},
        "errors": errors,
    }
    return render(request, "prisoners/postcard.html", context, status_code=status, headers=PRIVATE)


@router.get("/prisoners/{slug}/postcard")
def postcard_form(request: Request, session: SessionDep, slug: str) -> Response:
    """Choose the picture for the front of a card to this person."""
    prisoner, facility = _writable(session, slug)
    return _print_page(request, session, prisoner, facility, {}, FormErrors())


@router.post("/prisoners/{slug}/postcard")
def postcard_download(request: Request, session: SessionDep, slug: str, raw: FormData) -> Response:
    """The card as a PDF, stored with a new code; anyone may print one, as many as the
    per-client limits allow."""
    prisoner, facility = _writable(session, slug)
    errors = FormErrors()
    address = prisoners.address_block(prisoner, facility)
    settings = request.app.state.settings
    file = pictures.picture_file(session, raw.get("picture", ""), settings.upload_dir)
    if file is None:
        errors.add("picture", _("Choose a picture for the front."))
    if not address:
        errors.add("form", _("We do not know where this person is held at the moment."))
    if errors:
        return _print_page(request, session, prisoner, facility, raw, errors, status=400)
    limiter, client = Limiter(session), ip_hash(request, settings)
    refusal = pdf_refusal(limiter, settings.pdf_limit_per_client, client)
    if refusal is None and not limiter.hit(CARDS_PER_CLIENT, "postcards", client):
        refusal = wait_message(limiter.retry_after(CARDS_PER_CLIENT, "postcards", client))
    if refusal:
        errors.add("form", refusal)
        return _print_page(request, session, prisoner, facility, raw, errors, status=429)
    assert file is not None
    card = service.print_postcard(
        session, prisoner=prisoner, facility=facility, picture=raw["picture"]
    )
    document = postcard_pdf(picture=file, address=address, code=service.printed(card.code))
    return Response(
        document,
        media_type="application/pdf",
        headers={
            **PRIVATE,
            "content-disposition": f'attachment; filename="postcard-{prisoner.slug}.pdf"',
        },
    )


# -- logging a card by its code ---------------------------------------------------------------


def _log_page(
    request: Request,
    *,
    card: service.Card | None = None,
    code: str = "",
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    context = {
        "card": card,
        "code": service.printed(card.postcard.code) if card else code,
        "errors": errors or FormErrors(),
    }
    return render(request, "volunteers/postcard.html", context, status_code=status, headers=PRIVATE)


def _signin(next_path: str) -> Response:
    """To the sign-in page, which returns here: the mailed link keeps `next` too."""
    return redirect(f"/volunteer/signin?next={quote(next_path, safe='/')}")


def _find(
    request: Request, session: Session, volunteer: Volunteer, typed: str
) -> tuple[service.Card | None, FormErrors, int]:
    """The card for a typed code, or the error to show beside the field and its status; wrong
    codes are counted per client and per volunteer, so the field is no oracle."""
    errors = FormErrors()
    limiter = Limiter(session)
    who = (
        ("postcard-code", ip_hash(request, request.app.state.settings)),
        ("postcard-code-volunteer", str(volunteer.id)),
    )
    if not all(limiter.allowed(WRONG_CODES, *ids) for ids in who):
        errors.add("form", wait_message(max(limiter.retry_after(WRONG_CODES, *ids) for ids in who)))
        return None, errors, 429
    code = service.normalise(typed)
    card = service.card_by_code(session, code) if code else None
    if card is None:
        limiter.hit_groups(*(([WRONG_CODES], ids) for ids in who))
        errors.add(
            "code",
            _("No card has this code. Check the eight letters and digits on the card's back."),
        )
        return None, errors, 400 if code is None else 404
    return card, errors, 200


@router.get("/postcards")
def log_form(request: Request, volunteer: OptionalVolunteer) -> Response:
    """The field a volunteer types a card's code into."""
    if volunteer is None:
        return _signin("/postcards")
    return _log_page(request)


@router.get("/postcards/{code}")
def card_page(
    request: Request, session: SessionDep, code: str, volunteer: OptionalVolunteer
) -> Response:
    """A card's link: after signing in (the link is kept), whom it is for and the one button
    that logs it. Nothing is looked up for a visitor who is not signed in."""
    if volunteer is None:
        return _signin(f"/postcards/{service.normalise(code) or ''}".rstrip("/"))
    card, errors, status = _find(request, session, volunteer, code)
    return _log_page(request, card=card, code=code[:40], errors=errors, status=status)


@router.post("/postcards")
def log_card(
    request: Request, session: SessionDep, volunteer: CurrentVolunteer, raw: FormData
) -> Response:
    """Log the card with this code as sent today; a card is logged once, by whoever first does."""
    typed = raw.get("code", "")[:200]
    card, errors, status = _find(request, session, volunteer, typed)
    if card is None:
        return _log_page(request, code=typed, errors=errors, status=status)
    settings = request.app.state.settings
    outcome = service.log_postcard(session, settings=settings, volunteer=volunteer, card=card)
    if outcome is CardOutcome.already_logged:
        errors.add("code", _("This card is already logged."))
        return _log_page(request, card=card, errors=errors, status=409)
    if outcome is CardOutcome.too_many:
        errors.add(
            "form",
            _("You have logged as many letters as you can today. Please log this card tomorrow."),
        )
        return _log_page(request, card=card, errors=errors, status=429)
    message = (
        _("Your postcard is logged. Thank you!")
        if outcome is CardOutcome.logged
        else _("Logged, but the register says this person is no longer held: check the news.")
    )
    return redirect("/volunteer", flash=message, request=request)
