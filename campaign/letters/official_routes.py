"""Public pages of officials on record: who published campaigns wrote to, and how they answered."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.content.service import localized_many
from campaign.core.db import ReadSessionDep
from campaign.core.i18n import get_locale
from campaign.core.web import found, not_modified, render
from campaign.letters.service import responsiveness
from campaign.letters.service.wording import recorded, words_for

router = APIRouter(prefix="/officials")

# As the petitions' public pages: only the reader's browser keeps a copy (the page is in their
# language), and it asks again each time, getting a 304 while nothing changed.
PAGE_CACHE = "private, no-cache"


def _revalidated(request: Request, response: Response) -> Response:
    """The page with its ETag, or a 304 when the browser already holds this version."""
    etag = f'W/"{hashlib.sha256(bytes(response.body)).hexdigest()[:24]}"'
    if (cached := not_modified(request, etag, PAGE_CACHE)) is not None:
        return cached
    response.headers["etag"] = etag
    response.headers["cache-control"] = PAGE_CACHE
    return response


@router.get("")
def official_list(request: Request, session: ReadSessionDep) -> Response:
    """Every official a published campaign writes to, with their record in all campaigns."""
    threshold = request.app.state.settings.answers_min_letters
    locale = get_locale()
    rows = [
        (official, words_for(official, locale), record)
        for official, record in responsiveness.officials_on_record(session, threshold=threshold)
    ]
    context = {"rows": rows, "threshold": threshold}
    return _revalidated(request, render(request, "letters/officials.html", context))


@router.get("/{official_id}")
def official_page(request: Request, session: ReadSessionDep, official_id: int) -> Response:
    """An official's page: their names in the reader's language, the published campaigns that
    wrote to them, their answers, and their record; nothing about any supporter."""
    threshold = request.app.state.settings.answers_min_letters
    official, table = found(
        responsiveness.official_record(session, official_id, threshold=threshold)
    )
    locale = get_locale()
    campaigns = localized_many(session, "letters", [line.campaign for line in table.lines], locale)
    forms = recorded(official, locale)
    context = {
        "official": official,
        "words": words_for(official, locale),
        # Where no form in the reader's language is recorded, the register's own name shows:
        # screen readers then read it in its language.
        "own_lang": "" if "name" in forms or official.language == locale else official.language,
        "salutation": forms.get("salutation", ""),
        "table": table,
        "titles": {c.id: c for c in campaigns},
        "answers": responsiveness.answers_of(session, official),
        "threshold": threshold,
    }
    return _revalidated(request, render(request, "letters/official.html", context))
