"""The home page and the health check."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from campaign.db import ReadSessionDep, check_database
from campaign.i18n import get_locale
from campaign.images import image_path
from campaign.letters.campaigns import open_campaigns
from campaign.petitions.service import displayed_goal, open_petitions
from campaign.settings import ConfigError
from campaign.translated_content import localized_many
from campaign.web import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: ReadSessionDep) -> Response:
    locale = get_locale()
    context = {
        "petitions": localized_many(session, "petition", open_petitions(session), locale),
        "displayed_goal": displayed_goal,
        "campaigns": localized_many(session, "letters", open_campaigns(session), locale),
    }
    return render(request, "home.html", context)


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> Response:
    try:
        check_database(request.app.state.engine)
    except (ConfigError, SQLAlchemyError):
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"}, headers={"cache-control": "no-store"})


@router.get("/media/{name}", include_in_schema=False)
def media(request: Request, name: str) -> Response:
    """Uploaded images (re-encoded on upload); names are random, so they can be cached long."""
    path = image_path(request.app.state.settings.upload_dir, name)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"cache-control": "public, max-age=31536000, immutable"},
    )
