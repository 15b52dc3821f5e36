"""The home page and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import URL

from campaign.accounts.deps import OptionalUser, acts_as_organiser
from campaign.content.service import localized_many
from campaign.core.db import ReadSessionDep, check_database
from campaign.core.i18n import get_locale
from campaign.core.images import image_path
from campaign.core.settings import ConfigError
from campaign.core.web import language_in_url, relative_url, render_shared, safe_next
from campaign.letters.service.campaigns import open_campaigns
from campaign.petitions.service.public import displayed_goal, open_petitions
from campaign.prisoners.service.prisoners import photo_owner

router = APIRouter()

# How long a cache may keep a prisoner's photo: withdrawn consent must hide it within minutes.
PHOTO_MAX_AGE = 300


@router.get("/", dependencies=[Depends(language_in_url)])
def home(request: Request, session: ReadSessionDep) -> Response:
    locale = get_locale()
    context = {
        "petitions": localized_many(session, "petition", open_petitions(session), locale),
        "displayed_goal": displayed_goal,
        "campaigns": localized_many(session, "letters", open_campaigns(session), locale),
    }
    return render_shared(request, "home.html", context)


@router.get("/language", include_in_schema=False)
def choose_language(request: Request, next: str = "/") -> Response:
    """Where a shared page's language switcher leads: the choice is kept in a cookie (the
    middleware sets it on this private answer), then the same page in that language."""
    target = URL(safe_next(next, default="/")).include_query_params(lang=get_locale())
    return RedirectResponse(relative_url(target), 303, headers={"cache-control": "no-store"})


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> Response:
    """Up when the database answers, and the read replica too when there is one (the public
    pages read from it, so without it they fail)."""
    engines = {"database": request.app.state.engine}
    if request.app.state.read_engine is not request.app.state.engine:
        engines["replica"] = request.app.state.read_engine
    report = {name: _answers(engine) for name, engine in engines.items()}
    healthy = all(state == "up" for state in report.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", **report},
        status_code=200 if healthy else 503,
        headers={"cache-control": "no-store"},
    )


def _answers(engine: Engine) -> str:
    try:
        check_database(engine)
    except (ConfigError, SQLAlchemyError):
        return "down"
    return "up"


@router.get("/media/{name}", include_in_schema=False)
def media(request: Request, name: str, session: ReadSessionDep, user: OptionalUser) -> Response:
    """Uploaded images (re-encoded on upload); names are random, so they can be cached long,
    except a prisoner's photo: consent can be withdrawn, and then the photo must go at once.
    A hidden person's photo is shown to organisers only (their admin pages show it)."""
    path = image_path(request.app.state.settings.upload_dir, name)
    if path is None:
        raise HTTPException(status_code=404)
    cache = "public, max-age=31536000, immutable"
    is_photo, public = photo_owner(session, name)
    if is_photo and not public:
        if not acts_as_organiser(user):
            raise HTTPException(status_code=404)
        cache = "private, no-store"
    elif is_photo:
        cache = f"public, max-age={PHOTO_MAX_AGE}"
    return FileResponse(path, media_type="image/jpeg", headers={"cache-control": cache})
