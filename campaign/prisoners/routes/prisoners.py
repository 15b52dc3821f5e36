"""Public prisoner pages: who needs mail, a person's page with the address and the rules."""

from __future__ import annotations

from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from campaign.content.service import localized
from campaign.core.db import ReadSessionDep, SessionDep, utcnow
from campaign.core.i18n import _, get_locale, ngettext
from campaign.core.pdfs import unprintable
from campaign.core.ratelimit import Limiter, pdf_refusal
from campaign.core.security import ip_hash
from campaign.core.web import PRIVATE, FormData, FormErrors, found, redirect, render, repeated
from campaign.prisoners import forms
from campaign.prisoners.models import Facility, Prisoner, Volunteer
from campaign.prisoners.pdf import letter_pdf
from campaign.prisoners.routes.volunteers import (
    CurrentVolunteer,
    OptionalVolunteer,
    volunteer_for_header,
)
from campaign.prisoners.service import phrasebook, prisoners, volunteers
from campaign.prisoners.service.volunteers import LogOutcome

router = APIRouter(prefix="/prisoners")


@router.get("", dependencies=[Depends(volunteer_for_header)])
def prisoner_list(
    request: Request,
    session: ReadSessionDep,
    birthday: bool = False,
    release: bool = False,
    women: bool = False,
    accepting: bool = False,
    region: str = "",
) -> Response:
    """Everyone held, least mail first; filters are plain query parameters (no JavaScript)."""
    filters = prisoners.Filters(birthday, release, women, accepting, region[:100])
    today = utcnow().date()
    context = {
        "listed": prisoners.prisoners_needing_mail(session, filters=filters, today=today),
        "filters": filters,
        "regions": prisoners.regions(session),
    }
    return render(request, "prisoners/list.html", context)


@router.get("/pick")
def pick(request: Request, session: SessionDep) -> Response:
    """ "Pick someone for me": one of those who got the fewest letters lately."""
    prisoner = prisoners.pick_for_me(session, today=utcnow().date())
    return redirect(f"/prisoners/{prisoner.slug}" if prisoner else "/prisoners")


@router.get("/{slug}")
def prisoner_page(
    request: Request, session: SessionDep, slug: str, volunteer: OptionalVolunteer
) -> Response:
    prisoner, facility = found(prisoners.public_prisoner(session, slug))
    return _profile_page(request, session, prisoner, facility, volunteer)


def _profile_page(
    request: Request,
    session: SessionDep,
    prisoner: Prisoner,
    facility: Facility | None,
    volunteer: Volunteer | None,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    today = utcnow().date()
    context = {
        "prisoner": localized(session, "prisoner", prisoner, get_locale()),
        "facility": facility,
        "address": prisoners.address_block(prisoner, facility),
        "rules": prisoners.writing_rules(facility.country if facility else "BY"),
        "can_write": prisoners.can_write(prisoner),
        "recent": prisoners.recent_letter_count(session, prisoner, today),
        "next_birthday": prisoners.next_birthday(prisoner.birth_date, today)
        if prisoner.birth_date
        else None,
        "volunteer": volunteer,
        "following": volunteer is not None
        and prisoner.id in volunteers.follows(session, volunteer),
        "today": today.isoformat(),
        "form": form or {},
        "errors": errors or FormErrors(),
    }
    return render(request, "prisoners/profile.html", context, status_code=status, headers=PRIVATE)


@router.post("/{slug}/log")
def log_letter(
    request: Request, session: SessionDep, volunteer: CurrentVolunteer, slug: str, raw: FormData
) -> Response:
    """Log a letter sent to this person; a released person's letter is kept with a warning,
    a letter logged already or beyond the day's limits is refused beside the form."""
    prisoner, facility = found(prisoners.public_prisoner(session, slug))
    checked, errors = forms.parse_log(raw, today=utcnow().date())
    if checked is None:
        return _profile_page(
            request, session, prisoner, facility, volunteer, form=raw, errors=errors, status=400
        )
    settings = request.app.state.settings
    outcome = volunteers.log_letter(
        session,
        settings=settings,
        volunteer=volunteer,
        prisoner=prisoner,
        sent_on=checked[0],
        channel=checked[1],
    )
    if outcome in {LogOutcome.logged, LogOutcome.released}:
        message = (
            _("Your letter is logged. Thank you!")
            if outcome is LogOutcome.logged
            else _("Logged, but the register says this person is no longer held: check the news.")
        )
        # Back to the top of the person's page, where the confirmation is (an anchor to the
        # form hid it on a phone): the volunteer may log another letter or follow them.
        return redirect(f"/prisoners/{slug}", flash=message, request=request)
    if outcome is LogOutcome.duplicate:
        errors.add("sent_on", _("You have already logged this letter: same day, same way."))
        status = 400
    elif outcome is LogOutcome.too_many_to_prisoner:
        limit = settings.volunteer_letters_per_prisoner_per_day
        errors.add(
            "form",
            ngettext(
                "You can log %(num)d letter a day to one person. Please log the others tomorrow.",
                "You can log %(num)d letters a day to one person. Please log the others tomorrow.",
                limit,
            ),
        )
        status = 429
    else:
        errors.add(
            "form",
            ngettext(
                "You can log %(num)d letter a day. Please log the others tomorrow.",
                "You can log %(num)d letters a day. Please log the others tomorrow.",
                settings.volunteer_letters_per_day,
            ),
        )
        status = 429
    return _profile_page(
        request, session, prisoner, facility, volunteer, form=raw, errors=errors, status=status
    )


def _helper_page(
    request: Request,
    prisoner: Prisoner,
    form: dict[str, str],
    chosen: list[str],
    errors: FormErrors,
    letter: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "prisoner": prisoner,
        "groups": phrasebook.by_category(),
        "categories": phrasebook.category_names(),
        "locale": get_locale(),
        "form": form,
        "chosen": set(chosen),
        "errors": errors,
        "letter": letter,
        "unprintable": unprintable(letter, form.get("return_address", "")) if letter else "",
    }
    return render(request, "prisoners/write.html", context, status_code=status, headers=PRIVATE)


def writable_prisoner(session: SessionDep, slug: str) -> tuple[Prisoner, Facility | None]:
    """A prisoner letters reach, with their facility; 404 otherwise."""
    prisoner, facility = found(prisoners.public_prisoner(session, slug))
    if not prisoners.can_write(prisoner):
        raise HTTPException(status_code=404, detail=_("Letters do not reach this person."))
    return prisoner, facility


@router.get("/{slug}/write")
def write_form(request: Request, session: SessionDep, slug: str) -> Response:
    prisoner, _facility = writable_prisoner(session, slug)
    return _helper_page(request, prisoner, {"language": "ru"}, [], FormErrors())


@router.post("/{slug}/write")
def write(
    request: Request,
    session: SessionDep,
    slug: str,
    raw: FormData,
    chosen: Annotated[list[str], Depends(repeated("phrase"))],
) -> Response:
    """Preview the assembled letter, or download it with its envelope as a PDF; nothing is kept."""
    prisoner, facility = writable_prisoner(session, slug)
    draft, errors = forms.parse_draft(raw, chosen)
    if draft is None:
        return _helper_page(request, prisoner, raw, chosen, errors, status=400)
    letter = phrasebook.assemble(draft)
    if raw.get("action") != "pdf":
        return _helper_page(request, prisoner, raw, chosen, errors, letter=letter)
    settings = request.app.state.settings
    limit = settings.pdf_limit_per_client
    refusal = pdf_refusal(Limiter(session), limit, ip_hash(request, settings))
    if refusal:
        errors.add("form", refusal)
        return _helper_page(request, prisoner, raw, chosen, errors, letter=letter, status=429)
    sender = [line.strip() for line in raw.get("return_address", "").splitlines() if line.strip()]
    document = letter_pdf(
        title=prisoner.name_latin,
        body=letter,
        recipient=prisoners.address_block(prisoner, facility),
        sender=sender[:6],
        date=format_date(utcnow().date(), format="long", locale=draft.language),
    )
    return Response(
        document,
        media_type="application/pdf",
        headers={
            **PRIVATE,
            "content-disposition": f'attachment; filename="letter-{prisoner.slug}.pdf"',
        },
    )
