"""/my-data: a supporter asks by e-mail for what is stored about them, downloads it, erases it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.core.db import SessionDep
from campaign.core.fields import check_email
from campaign.core.i18n import _
from campaign.core.ratelimit import LinkRequest
from campaign.core.web import PRIVATE, FormData, FormErrors, render
from campaign.privacy import service as privacy

router = APIRouter(prefix="/my-data")


def _page(request: Request, context: dict[str, object], status_code: int = 200) -> Response:
    base: dict[str, object] = {"form": {}, "errors": FormErrors(), "sent": False, "token": ""}
    return render(
        request, "privacy/my_data.html", base | context, status_code=status_code, headers=PRIVATE
    )


@router.get("")
def my_data(request: Request, session: SessionDep, token: str = "") -> Response:
    """The request form; with a link's token, what is stored and the two buttons."""
    if not token:
        return _page(request, {})
    index = privacy.index_for_token(request.app.state.settings, token)
    if index is None:
        return _page(request, {"bad_link": True}, status_code=400)
    return _page(request, {"token": token, "held": privacy.holdings(session, index)})


@router.post("")
def ask(request: Request, session: SessionDep, raw: FormData) -> Response:
    """The same answer whether or not the address is known; the link goes only to that box."""
    settings = request.app.state.settings
    email, problem = check_email(raw.get("email", ""), smtputf8=settings.smtp_utf8)
    if problem:
        errors = FormErrors()
        errors.add("email", problem)
        return _page(request, {"form": raw, "errors": errors}, status_code=400)
    privacy.request_link(session, settings=settings, asked=LinkRequest.of(request, session, email))
    return _page(request, {"sent": True})


@router.post("/download")
def download(request: Request, session: SessionDep, raw: FormData) -> Response:
    index = privacy.index_for_token(request.app.state.settings, raw.get("token", ""))
    if index is None:
        return _page(request, {"bad_link": True}, status_code=400)
    return json_download(privacy.holdings(session, index))


def json_download(held: privacy.Holdings) -> Response:
    """Everything held about an address, as a JSON file nobody's cache keeps."""
    return Response(
        held.as_json(),
        media_type="application/json",
        headers={**PRIVATE, "content-disposition": 'attachment; filename="my-data.json"'},
    )


@router.post("/erase")
def erase(request: Request, session: SessionDep, raw: FormData) -> Response:
    token = raw.get("token", "")
    index = privacy.index_for_token(request.app.state.settings, token)
    if index is None:
        return _page(request, {"bad_link": True}, status_code=400)
    if raw.get("confirm") != "1":
        errors = FormErrors()
        errors.add("confirm", _("Tick the box to confirm that everything should be erased."))
        held = privacy.holdings(session, index)
        return _page(request, {"token": token, "held": held, "errors": errors}, status_code=400)
    privacy.erase(session, index)
    return _page(request, {"erased": True})
