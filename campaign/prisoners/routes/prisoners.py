"""Public prisoner pages: who needs mail, a person's page with the address and the rules."""

from __future__ import annotations

from functools import partial
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
from campaign.core.web import (
    PRIVATE,
    FormData,
    FormErrors,
    found,
    language_in_url,
    redirect,
    render,
    render_shared,
    repeated,
)
from campaign.prisoners import event_forms, forms
from campaign.prisoners.models import Facility, Prisoner, Volunteer
from campaign.prisoners.pdf import letter_pdf
from campaign.prisoners.routes.volunteers import (
    CurrentVolunteer,
    OptionalVolunteer,
    volunteer_for_header,
)
from campaign.prisoners.service import (
    censor,
    events,
    phrasebook,
    prisoners,
    transfers,
    volunteers,
)
from campaign.prisoners.service.volunteers import LogOutcome

router = APIRouter(prefix="/prisoners")


@router.get("", dependencies=[Depends(language_in_url), Depends(volunteer_for_header)])
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
        "write_now": events.write_now(session, today),
        "event_kinds": event_forms.kind_labels(),
        "today": today,
    }
    return render_shared(request, "prisoners/list.html", context)  # private if signed in


@router.get("/pick")
def pick(request: Request, session: SessionDep) -> Response:
    """ "Pick someone for me": one of those who got the fewest letters lately."""
    prisoner = prisoners.pick_for_me(session, today=utcnow().date())
    return redirect(f"/prisoners/{prisoner.slug}" if prisoner else "/prisoners")


@router.get("/{slug}", dependencies=[Depends(language_in_url)])
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
        "moved_on": transfers.recent_move(session, prisoner, today),
        "can_write": prisoners.can_write(prisoner),
        "recent": prisoners.recent_letter_count(session, prisoner, today),
        "next_birthday": prisoners.next_birthday(prisoner.birth_date, today)
        if prisoner.birth_date
        else None,
        "volunteer": volunteer,
        "following": volunteer is not None
        and prisoner.id in volunteers.follows(session, volunteer),
        "today": today.isoformat(),
        "occasions": events.prisoner_occasions(session, prisoner, today),
        "event_day": today,
        "event_kinds": event_forms.kind_labels(),
        "form": form or {},
        "errors": errors or FormErrors(),
    }
    if request.method == "GET":  # shared by caches, unless a volunteer is signed in
        return render_shared(request, "prisoners/profile.html", context)
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
    judge: censor.Censor,
    form: dict[str, str],
    chosen: list[str],
    errors: FormErrors,
    letter: str | None = None,
    report: censor.Report | None = None,
    status: int = 200,
) -> Response:
    report = report or censor.Report()
    context = {
        "prisoner": prisoner,
        "groups": phrasebook.by_category(),
        "categories": phrasebook.category_names(),
        "locale": get_locale(),
        "languages": judge.languages,
        "form": {"language": judge.languages[0], **form},
        "chosen": set(chosen),
        "errors": errors,
        "letter": letter,
        "paragraphs": censor.marked(letter, report.hits) if letter else [],
        "report": report,
        "unprintable": unprintable(letter, form.get("return_address", "")) if letter else "",
    }
    return render(request, "prisoners/write.html", context, status_code=status, headers=PRIVATE)


def writable_prisoner(
    session: SessionDep, slug: str
) -> tuple[Prisoner, Facility | None, censor.Censor]:
    """A prisoner letters reach, with their facility and its country's censor; 404 otherwise."""
    prisoner, facility = found(prisoners.public_prisoner(session, slug))
    if not prisoners.can_write(prisoner):
        raise HTTPException(status_code=404, detail=_("Letters do not reach this person."))
    return prisoner, facility, censor.censor_for(prisoners.held_in(facility))


@router.get("/{slug}/write")
def write_form(request: Request, session: SessionDep, slug: str) -> Response:
    prisoner, _facility, judge = writable_prisoner(session, slug)
    return _helper_page(request, prisoner, judge, {}, [], FormErrors())


@router.post("/{slug}/write")
def write(
    request: Request,
    session: SessionDep,
    slug: str,
    raw: FormData,
    chosen: Annotated[list[str], Depends(repeated("phrase"))],
) -> Response:
    """Preview the assembled letter with what the censor would object to, or download it with
    its envelope as a PDF once the warnings are read; nothing is kept."""
    prisoner, facility, judge = writable_prisoner(session, slug)
    draft, errors = forms.parse_draft(raw, chosen, censor=judge)
    if draft is None:
        return _helper_page(request, prisoner, judge, raw, chosen, errors, status=400)
    letter = phrasebook.assemble(draft)
    report = censor.check(letter, own_text=draft.own_text, censor=judge, locale=get_locale())
    page = partial(_helper_page, request, prisoner, judge, raw, chosen, errors, letter, report)
    if raw.get("action") != "pdf":
        return page()
    if report.findings and raw.get("read_warnings") != report.fingerprint:
        errors.add(
            "read_warnings",
            _(
                "The censor may hold this letter back: read the warnings under your letter, "
                "then change the words or tick “I have read the warnings” to print it anyway."
            ),
        )
        return page(status=400)
    settings = request.app.state.settings
    limit = settings.pdf_limit_per_client
    refusal = pdf_refusal(Limiter(session), limit, ip_hash(request, settings))
    if refusal:
        errors.add("form", refusal)
        return page(status=429)
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
