"""Public petition pages: the list, a petition with its sign form, confirmation."""

from __future__ import annotations

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import Session

from campaign.accounts.service.organisations import organisation_names
from campaign.content import service as translated_content
from campaign.core.charts import daily_bars
from campaign.core.countries import country_choices
from campaign.core.db import ReadSessionDep, SessionDep, once_per_session, utcnow
from campaign.core.i18n import _, get_locale
from campaign.core.markdown import render_markdown
from campaign.core.ratelimit import Limiter
from campaign.core.security import CONTENT_SECURITY_POLICY, cookie_header, ip_hash
from campaign.core.switches import SIGNING_PAUSED, get_flag
from campaign.core.web import (
    PRIVATE,
    FormData,
    FormErrors,
    form_data,
    found,
    language_in_url,
    not_modified,
    redirect,
    render,
    render_shared,
)
from campaign.core.worldmap import NO_COUNT, country_map, legend
from campaign.core.writes import PublicWriter
from campaign.letters.service import campaigns
from campaign.petitions.forms import (
    HONEYPOT_FIELD,
    STARTED_FIELD,
    PetitionSearch,
    Shown,
    checked,
    parse_petition_search,
    parse_sign_form,
    ticked_partners,
)
from campaign.petitions.models import Petition, SignatureStatus
from campaign.petitions.service import (
    coalition,
    counting,
    fields,
    finding,
    outcomes,
    public,
    signing,
    updates,
)

router = APIRouter(prefix="/petitions")

PAGE_CACHE = "private, no-cache"
SECTION_SIZE = 3  # won and closed petitions shown under the open ones
# The one page that may be framed (by partners' sites).
EMBED_POLICY = {
    "content-security-policy": CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors *"
    ),
}
EMBED_HEADERS = {"cache-control": "private, no-store", **EMBED_POLICY}


def public_petition(session: SessionDep, slug: str) -> Petition:
    """The public petition with this slug, or 404.

    Called inside each route rather than as a dependency: a sync dependency that queries would
    hold a pooled connection while the request waits for a worker thread to run the route, and
    under a surge those two waits deadlock until the pool times out.
    """
    return found(public.public_petition(session, slug))


@router.get("", dependencies=[Depends(language_in_url)])
def petition_list(request: Request, session: ReadSessionDep) -> Response:
    """Public petitions searched, filtered, sorted and paged, every choice in the address; the
    plain list of open petitions also shows the latest won and closed ones in their sections."""
    search = parse_petition_search(request.query_params)
    locale = get_locale()
    found = finding.find_petitions(session, search, locale=locale)
    sections = {}
    if search == PetitionSearch():
        sections = {
            shown: finding.find_petitions(
                session, PetitionSearch(shown=shown), locale=locale, page_size=SECTION_SIZE
            )
            for shown in (Shown.won, Shown.closed)
        }
    everyone = [*found.petitions, *(p for f in sections.values() for p in f.petitions)]
    names = organisation_names(session, {p.organisation_id for p in everyone})
    return render_shared(
        request,
        "petitions/list.html",
        {
            "search": search,
            "found": found,
            "petitions": translated_content.localized_many(
                session, "petition", found.petitions, locale
            ),
            "sections": {
                shown.value: translated_content.localized_many(
                    session, "petition", f.petitions, locale
                )
                for shown, f in sections.items()
                if f.total
            },
            "section_totals": {shown.value: f.total for shown, f in sections.items()},
            "counts": finding.counts_by_state(session),
            "displayed_goal": public.displayed_goal,
            "states": {p.id: public.public_status(p) for p in everyone},
            "organisations": {p.id: names.get(p.organisation_id, "") for p in everyone},
        },
    )


def _sign_form_context(
    request: Request,
    session: SessionDep,
    petition: Petition,
    form: dict[str, str] | None,
    errors: FormErrors | None,
    stamped: bool,
) -> dict[str, object]:
    """What the sign form needs, on the petition page and in the embed."""
    settings = request.app.state.settings
    return {
        "petition": translated_content.localized(session, "petition", petition, get_locale()),
        "organisation": public.organisation_name(session, petition),
        "partners": coalition.partners_of(session, petition.id),
        "goal": public.displayed_goal(petition.signature_count, petition.goal),
        "can_sign": public.accepts_signatures(
            petition, site_paused=get_flag(session, SIGNING_PAUSED)
        ),
        "countries": country_choices(),
        "fields": fields.form_fields(session, petition, get_locale()),
        # Only a form shown again after a post carries its stamp: a shared page cannot.
        "started": signing.form_started_token(settings, petition.id) if stamped else "",
        "honeypot_field": HONEYPOT_FIELD,
        "form": form or {},
        "errors": errors or FormErrors(),
        "page_url": f"{settings.base_url}/petitions/{petition.slug}",
    }


def _petition_page(
    request: Request,
    session: SessionDep,
    petition: Petition,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    """The petition page: shared by caches when asked for (GET), the visitor's own when it
    answers their form (what they typed, stamped)."""
    answering = request.method == "POST"
    context = _sign_form_context(request, session, petition, form, errors, stamped=answering)
    shown = context["petition"]
    assert isinstance(shown, translated_content.Localized)
    context |= {
        "body_html": render_markdown(shown.body),
        "signers": public.recent_public_signers(session, petition),
        "outcome": outcomes.shown_on_page(
            session, petition, get_locale(), original=request.app.state.settings.default_locale
        ),
    }
    if answering:
        return render(
            request, "petitions/petition.html", context, status_code=status_code, headers=PRIVATE
        )
    return render_shared(request, "petitions/petition.html", context)


@router.get("/{slug}", dependencies=[Depends(language_in_url)])
def petition_page(request: Request, session: ReadSessionDep, slug: str) -> Response:
    """The same bytes for every visitor in a language, so a shared cache can answer for the
    app during a surge (render_shared: public, a short max-age, an ETag)."""
    return _petition_page(request, session, public_petition(session, slug))


@router.get("/{slug}/breakdown")
def breakdown(request: Request, session: ReadSessionDep, slug: str) -> Response:
    """The petition's counted signatures by country (a table, and a map drawn here) and by
    day (a chart and a table): counts only, never a name."""
    petition = public_petition(session, slug)
    locale = get_locale()
    etag = public.version_tag(
        "breakdown",
        public.petition_version(petition),
        locale,
        utcnow().date().isoformat(),  # the days run to today
    )
    if (cached := not_modified(request, etag, PAGE_CACHE)) is not None:
        return cached
    by_country = counting.tallies(session, petition)
    by_day = counting.signatures_per_day(session, petition=petition)
    context = {
        "petition": translated_content.localized(session, "petition", petition, locale),
        "by_country": by_country,
        "by_day": by_day,
        "world_map": country_map(
            dict(by_country),
            label=_("Map of the countries signatures come from; the table below lists them."),
        ),
        "legend": legend(dict(by_country)),
        "no_count": NO_COUNT,
        "chart": daily_bars(by_day, label=_("Signatures per day")),
        "answers": fields.public_answer_counts(session, petition),
        "shown_fields": {f.id: f for f in fields.form_fields(session, petition, locale)},
    }
    return render(
        request,
        "petitions/breakdown.html",
        context,
        headers={"etag": etag, "cache-control": PAGE_CACHE},
    )


@router.get("/{slug}/updates/{update_id}/document")
def response_document(
    request: Request, session: ReadSessionDep, slug: str, update_id: int
) -> Response:
    """An official response's document; a PDF is a download, never shown inside the site."""
    petition = public_petition(session, slug)
    path = found(
        outcomes.document_path(session, petition, update_id, request.app.state.settings.upload_dir)
    )
    return FileResponse(
        path,
        media_type="application/pdf",
        content_disposition_type="attachment",
        filename=f"{petition.slug}-response-{update_id}.pdf",
        headers={"cache-control": "public, max-age=3600"},
    )


def _sign(
    request: Request,
    session: SessionDep,
    petition: Petition,
    raw: dict[str, str],
    *,
    client: str,
    embedded: bool,
) -> Response:
    """Check the form and sign; the same redirect follows whatever became of the signature."""
    settings = request.app.state.settings
    page = _embed_page if embedded else _petition_page
    if not public.accepts_signatures(petition, site_paused=get_flag(session, SIGNING_PAUSED)):
        return page(request, session, petition, status_code=409)
    form, errors = parse_sign_form(
        raw,
        smtputf8=settings.smtp_utf8,
        fields=fields.form_fields(session, petition, get_locale()),
    )
    if form is None:
        return page(request, session, petition, form=raw, errors=errors, status_code=400)
    # The stamp the form was given when shown again, else the one its first focus fetched.
    age = signing.form_age(settings, raw.get(STARTED_FIELD, ""), petition.id)  # type: ignore[arg-type]
    if age is None:
        cookie = request.cookies.get(signing.STAMP_COOKIE, "")
        age = signing.form_age(settings, cookie, petition.id)  # type: ignore[arg-type]
    if signing.needs_stamp(settings, age) and not raw.get(HONEYPOT_FIELD):
        # No stamp at all (no focus seen: a bot, or a browser that loads no images or keeps
        # no cookie in a partner's frame): the form again, as typed, stamped from now.
        return page(request, session, petition, form=raw)
    signing.sign_petition(
        session,
        settings=settings,
        limiter=Limiter(session),
        petition=petition,
        form=form,
        ip_hash=client,
        locale=get_locale(),
        honeypot=bool(raw.get(HONEYPOT_FIELD)),
        too_fast=signing.filled_too_fast(settings, age),
    )
    suffix = f"/embed/thanks?lang={get_locale()}" if embedded else "/thanks"
    return redirect(f"/petitions/{petition.slug}{suffix}")


async def _public_form(request: Request) -> tuple[str, dict[str, str], PublicWriter]:
    """What a public write route is given: the petition's slug, the form, the writer."""
    return request.path_params["slug"], await form_data(request), PublicWriter(request)


async def _signed(request: Request, *, embedded: bool) -> Response:
    slug, raw, writes = await _public_form(request)
    client = ip_hash(request, request.app.state.settings)  # once: the key and the limits
    return await writes.run(
        lambda session: _sign(
            request,
            session,
            public_petition(session, slug),
            raw,
            client=client,
            embedded=embedded,
        ),
        # Where a signature goes in its batch: by client first, since the limits' rows a
        # signature takes are its client's (two batches then take them in the same order and
        # never wait for each other in a circle), then by petition.
        key=f"{client} {slug}",
    )


async def sign(request: Request) -> Response:
    return await _signed(request, embedded=False)


async def embed_sign(request: Request) -> Response:
    return await _signed(request, embedded=True)


def _embed_page(
    request: Request,
    session: SessionDep,
    petition: Petition,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    answering = request.method == "POST"
    context = _sign_form_context(request, session, petition, form, errors, stamped=answering)
    context["embedded"] = True
    if answering:
        return render(
            request, "petitions/embed.html", context, status_code=status_code, headers=EMBED_HEADERS
        )
    return render_shared(request, "petitions/embed.html", context, headers=EMBED_POLICY)


@router.get("/{slug}/embed", dependencies=[Depends(language_in_url)])
def embed(request: Request, session: ReadSessionDep, slug: str) -> Response:
    """A counter and sign form for partner sites' iframes: the one page that may be framed."""
    petition = public_petition(session, slug)
    return _embed_page(request, session, petition)


@router.get("/{slug}/embed/thanks")
def embed_thanks(request: Request, session: SessionDep, slug: str) -> Response:
    petition = public_petition(session, slug)
    return render(
        request, "petitions/embed_thanks.html", {"petition": petition}, headers=EMBED_HEADERS
    )


@router.get("/{slug}/thanks")
def thanks(request: Request, session: SessionDep, slug: str) -> Response:
    petition = public_petition(session, slug)
    return render(request, "petitions/thanks.html", {"petition": petition}, headers=PRIVATE)


def _next_steps(session: Session, petition: Petition) -> dict[str, object]:
    """What a confirmed signer is shown: the petition in their language and the letter
    campaign that goes with it, if one takes letters now (read once per session: a surge's
    confirmations share one)."""
    locale = get_locale()
    return once_per_session(
        session, ("next_steps", petition.id, locale), lambda: _read_next_steps(session, petition)
    )


def _read_next_steps(session: Session, petition: Petition) -> dict[str, object]:
    locale = get_locale()
    letters = campaigns.open_campaign_for_petition(session, petition.id)  # type: ignore[arg-type]
    return {
        "petition": translated_content.localized(session, "petition", petition, locale),
        "letters": translated_content.localized(session, "letters", letters, locale)
        if letters is not None
        else None,
    }


@router.get("/{slug}/confirm")
def confirm_page(request: Request, session: SessionDep, slug: str, token: str = "") -> Response:
    petition = public_petition(session, slug)
    settings = request.app.state.settings
    signature = signing.signature_for_token(
        session, settings=settings, petition=petition, token=token
    )
    pending = signature is not None and signature.status == SignatureStatus.pending
    # What the button confirms, shown before it: whoever signed first with this address wrote
    # it, and that may not be the person who reads this mail. A link used before says so,
    # with the count and what to do next, and no button.
    return render(
        request,
        "petitions/confirm.html",
        {
            **_next_steps(session, petition),
            "token": token,
            "valid": signature is not None,
            "pending": pending,
            "signature": signature,
            "count": petition.signature_count,
            "page_url": f"{settings.base_url}/petitions/{petition.slug}",
            "asks_naming": pending and signature is not None and signature.named_in_handover,
            "asks_partners": coalition.asked_partners(session, signature.id)
            if pending and signature is not None
            else [],
        },
        status_code=200 if signature is not None else 400,
        headers=PRIVATE,
    )


async def confirm(request: Request) -> Response:
    slug, raw, writes = await _public_form(request)
    settings = request.app.state.settings

    def work(session: Session) -> tuple[Petition, signing.ConfirmOutcome, dict[str, object]]:
        petition = public_petition(session, slug)
        # Read before confirming: counting locks the petition's row until the commit.
        shown = _next_steps(session, petition)
        outcome = signing.confirm_signature(
            session,
            settings=settings,
            petition=petition,
            token=raw.get("token", ""),
            named=checked(raw, "named_in_handover"),
            partners=ticked_partners(raw),
        )
        return petition, outcome, {**shown, "count": counting.current_total(session, petition.id)}  # type: ignore[arg-type]

    def page(result: tuple[Petition, signing.ConfirmOutcome, dict[str, object]]) -> Response:
        petition, outcome, shown = result
        return render(
            request,
            "petitions/confirmed.html",
            {
                **shown,
                "outcome": outcome.value,
                "page_url": f"{settings.base_url}/petitions/{petition.slug}",
            },
            status_code=400 if outcome is signing.ConfirmOutcome.invalid else 200,
            headers=PRIVATE,
        )

    # Rendered after the commit: counting locks the petition's row (and its country's tally)
    # until then, and every confirmation of a petition in a surge would otherwise wait for the
    # previous one's rendering.
    return await writes.run_then(work, page, key=slug)


async def discard(request: Request) -> Response:
    slug, raw, writes = await _public_form(request)
    settings = request.app.state.settings

    def work(session: Session) -> tuple[Petition, bool]:
        petition = public_petition(session, slug)
        discarded = signing.discard_signature(
            session, settings=settings, petition=petition, token=raw.get("token", "")
        )
        return petition, discarded

    def page(result: tuple[Petition, bool]) -> Response:
        petition, discarded = result
        return render(
            request,
            "petitions/discarded.html",
            {"petition": petition, "discarded": discarded},
            status_code=200 if discarded else 400,
            headers=PRIVATE,
        )

    # Rendered after the commit, so the deleted row's lock is not held while rendering.
    return await writes.run_then(work, page, key=slug)


# The public writes, the POSTs of a surge: plain Starlette routes the app puts ahead of every
# other (site/app.py), with its checks called directly. FastAPI's route search and dependency
# solving were a tenth of their CPU (docs/benchmarks.md).
PUBLIC_WRITES = {
    "/petitions/{slug}/sign": sign,
    "/petitions/{slug}/embed/sign": embed_sign,
    "/petitions/{slug}/confirm": confirm,
    "/petitions/{slug}/confirm/discard": discard,
}


@router.get("/{slug}/qr.svg")
def qr_code(request: Request, session: ReadSessionDep, slug: str) -> Response:
    petition = public_petition(session, slug)
    url = f"{request.app.state.settings.base_url}/petitions/{petition.slug}"
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#000", light="#fff")
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "cache-control": "public, max-age=86400",
            "content-disposition": f'inline; filename="{petition.slug}.svg"',
        },
    )


unsubscribe_router = APIRouter()


@unsubscribe_router.get("/stamp", include_in_schema=False)
def stamp(request: Request) -> Response:
    """The fill-time stamp a sign form's first focus loads (site.css): a transparent pixel and
    a cookie with the signed time, never kept by a cache. The cookie is only a date, no
    credential, so it may ride in a partner's frame (SameSite=None where https allows it)."""
    settings = request.app.state.settings
    token = signing.form_started_token(settings, None)
    cookie = cookie_header(settings, signing.STAMP_COOKIE, token, max_age=None)
    if settings.secure_cookies:
        cookie = cookie.replace("SameSite=Lax", "SameSite=None") + "; Partitioned"
    headers = {"cache-control": "no-store", "set-cookie": cookie}
    return Response(signing.PIXEL, media_type="image/gif", headers=headers)


@unsubscribe_router.get("/unsubscribe")
def unsubscribe_page(request: Request, token: str = "") -> Response:
    return render(
        request, "petitions/unsubscribe.html", {"token": token, "done": False}, headers=PRIVATE
    )


@unsubscribe_router.post("/unsubscribe")
def unsubscribe(request: Request, session: SessionDep, raw: FormData, token: str = "") -> Response:
    """One click, from the mail client (RFC 8058) or the page's button; no login needed."""
    valid = updates.unsubscribe(
        session, settings=request.app.state.settings, token=token or raw.get("token", "")
    )
    return render(
        request,
        "petitions/unsubscribe.html",
        {"token": "", "done": valid, "invalid": not valid},
        status_code=200 if valid else 400,
        headers=PRIVATE,
    )
