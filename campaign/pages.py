"""The home page and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from campaign.db import check_database
from campaign.settings import ConfigError
from campaign.web import render

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html")


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> Response:
    try:
        check_database(request.app.state.engine)
    except (ConfigError, SQLAlchemyError):
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"}, headers={"cache-control": "no-store"})
