"""/dev/mail: the messages caught by the development mail catcher. Mounted only in development."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from campaign.core.web import render
from campaign.mail.sink import NAME_PATTERN, list_caught, read_caught

router = APIRouter(prefix="/dev/mail")

LINK = re.compile(r"https?://[^\s<>\"']+")


@router.get("")
def caught_mail(request: Request, page: int = 1, to: str = "") -> Response:
    """Every caught message, newest first, a page at a time; `to` keeps those to an address."""
    caught = list_caught(request.app.state.settings.dev_mail_dir, page=page, to=to[:254])
    return render(request, "dev/mail_list.html", {"caught": caught, "to": to[:254]})


@router.get("/{name}")
def caught_message(request: Request, name: str) -> Response:
    message = read_caught(_path(request, name))
    return render(
        request, "dev/mail_message.html", {"message": message, "links": LINK.findall(message.text)}
    )


@router.get("/{name}/html")
def caught_message_html(request: Request, name: str) -> Response:
    message = read_caught(_path(request, name))
    if message.html is None:
        raise HTTPException(status_code=404)
    # The sandbox keeps a caught message's HTML from running script or submitting forms here.
    return HTMLResponse(
        message.html,
        headers={"content-security-policy": "sandbox; default-src 'none'; img-src 'self' data:"},
    )


def _path(request: Request, name: str) -> Path:
    if not re.fullmatch(NAME_PATTERN, name):
        raise HTTPException(status_code=404)
    path = request.app.state.settings.dev_mail_dir / f"{name}.eml"
    if not path.is_file():
        raise HTTPException(status_code=404)
    return path
