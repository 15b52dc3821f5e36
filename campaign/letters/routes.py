"""Public letter pages: a campaign, the supporter's letters, and the three ways to send them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import Session

from campaign.accounts.service.organisations import organisation_names
from campaign.content.service import Localized, localized, localized_many
from campaign.core.countries import country_choices, country_name
from campaign.core.db import ReadSessionDep, SessionDep, utcnow
from campaign.core.fields import check_email
from campaign.core.i18n import _, get_locale, language_name
from campaign.core.markdown import render_markdown
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
)
from campaign.letters.models import LetterCampaign, LetterSender, LetterStatus, SenderStatus
from campaign.letters.pdf import PrintedLetter, letters_pdf
from campaign.letters.service import (
    campaigns,
    compose,
    counting,
    dashboard,
    delivery,
    holding,
    replies,
    responsiveness,
)
from campaign.letters.service.compose import Channel, Letters
from campaign.letters.service.letter_templates import letter_date
from campaign.letters.service.wording import words_for
from campaign.petitions.service.public import public_petition_by_id

router = APIRouter(prefix="/letters")

HONEYPOT_FIELD = "website"


def public_campaign(session: SessionDep, slug: str) -> LetterCampaign:
    """The public campaign with this slug, or 404 (looked up inside routes, as for petitions)."""
    return found(campaigns.public_campaign(session, slug))


@router.get("", dependencies=[Depends(language_in_url)])
def campaign_list(request: Request, session: ReadSessionDep) -> Response:
    shown = localized_many(session, "letters", campaigns.open_campaigns(session), get_locale())
    return render_shared(request, "letters/list.html", {"campaigns": shown})


def _campaign_page(
    request: Request,
    session: SessionDep,
    campaign: LetterCampaign,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    officials = campaigns.targets(session, campaign)
    addresses = compose.email_addresses(session, officials)
    shown = localized(session, "letters", campaign, get_locale())
    names = organisation_names(session, {campaign.organisation_id})
    answers = responsiveness.campaign_table(
        session, campaign, threshold=request.app.state.settings.answers_min_letters
    )
    context = {
        "campaign": shown,
        "organisation": names.get(campaign.organisation_id, ""),
        "purpose_html": render_markdown(shown.purpose),
        "officials": [words_for(o, get_locale()) for o in officials]
        if campaign.target_mode == "all"
        else [],
        "languages": [language_name(t.language) for t in campaigns.templates_of(session, campaign)],
        "channels": compose.channels(campaign, officials, addresses),
        "can_write": campaigns.accepts_letters(campaign),
        "tally": dashboard.public_tally(session, campaign),
        "replies": replies.replies_of(session, campaign),
        "answers": answers,
        "official_headings": {
            line.official.id: words_for(line.official, get_locale()).heading
            for line in answers.lines
        },
        "petition": _linked_petition(session, campaign),
        "countries": country_choices(),
        "honeypot_field": HONEYPOT_FIELD,
        "form": form or {},
        "errors": errors or FormErrors(),
    }
    if request.method == "POST":  # what the visitor typed, with their errors
        return render(
            request, "letters/campaign.html", context, status_code=status_code, headers=PRIVATE
        )
    return render_shared(request, "letters/campaign.html", context)


@router.get("/{slug}", dependencies=[Depends(language_in_url)])
def campaign_page(request: Request, session: ReadSessionDep, slug: str) -> Response:
    return _campaign_page(request, session, public_campaign(session, slug))


def _letters(
    session: SessionDep, campaign: LetterCampaign, raw: dict[str, str], *, sending: bool = False
) -> Letters:
    if sending:
        # What goes out is what the supporter saw: a language picked but not yet shown
        # (its button not pressed) changes nothing.
        raw = {
            **raw,
            **{f"language-{k[11:]}": v for k, v in raw.items() if k.startswith("written-in-")},
        }
    return compose.prepare(session, campaign, raw, locale=get_locale(), today=utcnow().date())


def _review_page(
    request: Request,
    campaign: LetterCampaign,
    letters: Letters,
    raw: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    context = {
        "campaign": campaign,
        "letters": letters,
        "form": raw,
        "errors": errors,
        "country": country_name(letters.writer.country) if letters.writer else "",
        "language_choices": [(code, language_name(code)) for code in letters.languages],
        "unprintable": _unprintable(letters) if "print" in letters.channels else "",
    }
    return render(request, "letters/review.html", context, status_code=status_code, headers=PRIVATE)


def _unprintable(letters: Letters) -> str:
    """What the PDF would leave blank of the writer's name, city and letters."""
    writer = letters.writer
    texts = [writer.name, writer.city] if writer else []
    return unprintable(*texts, *(f"{d.subject}\n{d.body}" for d in letters.drafts))


@router.post("/{slug}/write")
def write(request: Request, session: SessionDep, slug: str, raw: FormData) -> Response:
    """Step 1 to 2: the writer's details in, their letters out for review and editing."""
    campaign = public_campaign(session, slug)
    if not campaigns.accepts_letters(campaign):
        return _campaign_page(request, session, campaign, status_code=409)
    letters = _letters(session, campaign, raw)
    if letters.writer is None:
        return _campaign_page(
            request, session, campaign, form=raw, errors=letters.errors, status_code=400
        )
    if not letters.drafts or not letters.channels:
        return _campaign_page(request, session, campaign, form=raw, status_code=409)
    return _review_page(request, campaign, letters, raw, letters.warnings)


@router.post("/{slug}/send")
def send(request: Request, session: SessionDep, slug: str, raw: FormData) -> Response:
    """Step 2 to 3: the letters go by e-mail (after confirmation), mailto: or paper."""
    campaign = public_campaign(session, slug)
    if not campaigns.accepts_letters(campaign):
        return _campaign_page(request, session, campaign, status_code=409)
    letters = _letters(session, campaign, raw, sending=True)
    channel = raw.get("channel", "")
    if letters.writer is None:
        return _campaign_page(
            request, session, campaign, form=raw, errors=letters.errors, status_code=400
        )
    if channel not in letters.channels or not letters.drafts:
        errors = FormErrors()
        errors.add("channel", _("Choose one of the ways to send your letters."))
        return _review_page(request, campaign, letters, raw, errors, status_code=400)
    if letters.problems:
        return _review_page(request, campaign, letters, raw, letters.problems, status_code=400)
    if channel == Channel.email:
        return _send_by_email(request, session, campaign, letters, raw)
    drafts = compose.reachable_drafts(letters, channel)
    settings = request.app.state.settings
    if channel == Channel.print:
        limit = settings.pdf_limit_per_client
        refusal = pdf_refusal(Limiter(session), limit, ip_hash(request, settings))
        if refusal:
            errors = FormErrors()
            errors.add("channel", refusal)
            return _review_page(request, campaign, letters, raw, errors, status_code=429)
    printed = _print(campaign, letters, drafts) if channel == Channel.print else None
    if raw.get("count_me") == "1":
        # Counted after the PDF is made: the count locks its row until the commit, and a
        # surge of supporters printing would otherwise wait for each other's PDFs.
        counting.count_own_letters(
            session,
            settings=settings,
            limiter=Limiter(session),
            campaign=campaign,
            drafts=drafts,
            channel=channel,
            ip_hash=ip_hash(request, settings),
        )
    if printed is not None:
        return printed
    links = [(d, compose.mailto_link(letters.addresses[d.official_id], d)) for d in drafts]
    context = {
        "campaign": campaign,
        "links": links,
        "tally": dashboard.public_tally(session, campaign),
    }
    return render(request, "letters/mailto.html", context, headers=PRIVATE)


def _send_by_email(
    request: Request,
    session: SessionDep,
    campaign: LetterCampaign,
    letters: Letters,
    raw: dict[str, str],
) -> Response:
    smtputf8 = request.app.state.settings.smtp_utf8
    email, problem = check_email(raw.get("email", ""), smtputf8=smtputf8)
    if problem:
        errors = FormErrors()
        errors.add("email", problem)
        return _review_page(request, campaign, letters, raw, errors, status_code=400)
    assert letters.writer is not None
    if not raw.get(HONEYPOT_FIELD):  # a bot filled the hidden field: it sees the same page
        settings = request.app.state.settings
        drafts = compose.reachable_drafts(letters, Channel.email)
        holding.submit(
            session,
            settings=settings,
            limiter=Limiter(session),
            campaign=campaign,
            submission=holding.Submission(
                letters.writer, email, drafts, get_locale(), raw.get("ask_about_reply") == "1"
            ),
            ip_hash=ip_hash(request, settings),
        )
    return redirect(f"/letters/{campaign.slug}/check-your-mail")


def _print(campaign: LetterCampaign, letters: Letters, drafts: list[compose.Draft]) -> Response:
    writer = letters.writer
    assert writer is not None
    printed = [
        PrintedLetter(
            sender_name=writer.name,
            sender_lines=[
                line for line in (writer.city, country_name(writer.country, d.language)) if line
            ],
            recipient_lines=compose.recipient_lines(d),
            date=letter_date(utcnow().date(), d.language),
            subject=d.subject,
            body=d.body,
        )
        for d in drafts
    ]
    return Response(
        letters_pdf(printed, title=campaign.title),
        media_type="application/pdf",
        headers={
            **PRIVATE,
            "content-disposition": f'attachment; filename="{campaign.slug}-letters.pdf"',
        },
    )


@router.get("/{slug}/check-your-mail")
def check_your_mail(request: Request, session: SessionDep, slug: str) -> Response:
    campaign = public_campaign(session, slug)
    return render(request, "letters/check_mail.html", {"campaign": campaign}, headers=PRIVATE)


@router.get("/{slug}/confirm")
def confirm_page(request: Request, session: SessionDep, slug: str, token: str = "") -> Response:
    campaign = public_campaign(session, slug)
    sender = holding.sender_for_token(
        session, settings=request.app.state.settings, campaign=campaign, token=token
    )
    letters = holding.letters_of(session, sender) if sender is not None else []
    confirmed = sender is not None and sender.status == SenderStatus.confirmed
    context = {
        "campaign": localized(session, "letters", campaign, get_locale()),
        "token": token,
        "valid": sender is not None,
        "sender": sender,
        # Used already: the page says so, with what went out and no button. Only the link's
        # holder gets here; anyone else sees the page of a link that does not work.
        "confirmed": confirmed,
        # What the button sends, shown before it is pressed: the supporter sees whose words
        # and whose name go out under their address.
        "letters": [(letter, words_for(official, letter.language)) for letter, official in letters],
        # Some still to go: when they go, as the thank-you page said.
        "sending": _sending(campaign, sender)
        if confirmed and any(letter.status in WAITING for letter, _ in letters)
        else None,
    }
    return render(
        request,
        "letters/confirm.html",
        context,
        status_code=200 if sender is not None else 400,
        headers=PRIVATE,
    )


WAITING = (LetterStatus.waiting, LetterStatus.queued)


def _sending(campaign: LetterCampaign, sender: LetterSender | None) -> delivery.NextSending:
    """When confirmed letters go: said as it is, for nothing goes out outside sending hours."""
    return delivery.next_sending(campaign, country=sender.country if sender else "", now=utcnow())


def _linked_petition(session: Session, campaign: LetterCampaign) -> Localized | None:
    """The campaign's petition, if the public may see it, in the visitor's language."""
    petition = public_petition_by_id(session, campaign.petition_id)
    return None if petition is None else localized(session, "petition", petition, get_locale())


@router.post("/{slug}/confirm")
def confirm(request: Request, session: SessionDep, slug: str, raw: FormData) -> Response:
    """The thank-you page: when the letters go, the count so far, the related petition."""
    campaign = public_campaign(session, slug)
    settings = request.app.state.settings
    token = raw.get("token", "")
    outcome = holding.confirm(session, settings=settings, campaign=campaign, token=token)
    sender = holding.sender_for_token(session, settings=settings, campaign=campaign, token=token)
    context = {
        "campaign": localized(session, "letters", campaign, get_locale()),
        "outcome": outcome.value,
        "sending": _sending(campaign, sender),
        "tally": dashboard.public_tally(session, campaign),
        "petition": _linked_petition(session, campaign),
    }
    status = 400 if outcome is holding.ConfirmOutcome.invalid else 200
    return render(request, "letters/thanks.html", context, status_code=status, headers=PRIVATE)


@router.get("/{slug}/reply")
def reply_page(request: Request, session: SessionDep, slug: str, token: str = "") -> Response:
    campaign = public_campaign(session, slug)
    sender = replies.sender_for_reply_token(
        session, settings=request.app.state.settings, campaign=campaign, token=token
    )
    context = {"campaign": campaign, "token": token, "valid": sender is not None, "done": False}
    return render(
        request,
        "letters/reply.html",
        context,
        status_code=200 if sender else 400,
        headers=PRIVATE,
    )


@router.post("/{slug}/reply")
def report_reply(request: Request, session: SessionDep, slug: str, raw: FormData) -> Response:
    """A supporter tells whether an official answered them (and, if they like, what)."""
    campaign = public_campaign(session, slug)
    token = raw.get("token", "")
    sender = replies.sender_for_reply_token(
        session, settings=request.app.state.settings, campaign=campaign, token=token
    )
    if sender is not None and raw.get("answered") in {"yes", "no"}:
        replies.report_reply(
            session, sender=sender, answered=raw["answered"] == "yes", note=raw.get("note", "")
        )
        context = {"campaign": campaign, "valid": True, "done": True}
        return render(request, "letters/reply.html", context, headers=PRIVATE)
    context = {"campaign": campaign, "token": token, "valid": sender is not None, "done": False}
    if sender is not None:
        context["errors"] = {"answered": _("Choose yes or no.")}
    return render(request, "letters/reply.html", context, status_code=400, headers=PRIVATE)


@router.get("/{slug}/replies/{reply_id}/file")
def reply_file(request: Request, session: SessionDep, slug: str, reply_id: int) -> Response:
    """The scan of an official's reply; a PDF is a download, never shown inside the site."""
    campaign = public_campaign(session, slug)
    reply = found(replies.reply_of(session, campaign, reply_id))
    path = found(
        replies.reply_file_path(request.app.state.settings.upload_dir, reply.file_name or "")
    )
    is_pdf = path.suffix == ".pdf"
    return FileResponse(
        path,
        media_type="application/pdf" if is_pdf else "image/jpeg",
        content_disposition_type="attachment" if is_pdf else "inline",
        filename=f"reply-{reply.id}{path.suffix}",
        headers={"cache-control": "public, max-age=3600"},
    )
