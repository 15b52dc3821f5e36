"""The organisers' pictures for postcard fronts: add one (checked, stripped of metadata such as
a photo's location) or remove one; both audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.images import MAX_BYTES, ImageError
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render, uploaded
from campaign.prisoners.postcards import pictures

router = APIRouter(prefix="/admin/postcards")
UploadedPicture = Annotated[bytes | None, Depends(uploaded("picture", MAX_BYTES))]


def _page(request: Request, session: SessionDep, errors: FormErrors, status: int = 200) -> Response:
    context = {"shipped": pictures.shipped(), "own": pictures.own(session), "errors": errors}
    return render(
        request, "admin/prisoners/postcards.html", context, status_code=status, headers=NO_STORE
    )


@router.get("")
def picture_list(request: Request, session: SessionDep, user: Campaigner) -> Response:
    """The pictures volunteers choose from: the shipped ones and the organisers' own."""
    return _page(request, session, FormErrors())


@router.post("")
def add_picture(
    request: Request, session: SessionDep, user: Campaigner, data: UploadedPicture
) -> Response:
    errors = FormErrors()
    if data is None:
        errors.add("picture", _("Choose a JPEG, PNG or WebP image."))
        return _page(request, session, errors, status=400)
    try:
        picture = pictures.add_picture(
            session, data=data, upload_dir=request.app.state.settings.upload_dir, user_id=user.id
        )
    except ImageError as exc:
        errors.add("picture", str(exc))
        return _page(request, session, errors, status=400)
    audit.record(
        session, by=user, action="postcard.picture_added", target=f"postcard_picture:{picture.id}"
    )
    return redirect("/admin/postcards", flash=_("The picture is added."), request=request)


@router.post("/remove")
def remove_picture(
    request: Request, session: SessionDep, user: Campaigner, raw: FormData
) -> Response:
    picture_id = raw.get("picture", "")
    removed = picture_id.isdigit() and pictures.remove_picture(
        session, picture_id=int(picture_id), upload_dir=request.app.state.settings.upload_dir
    )
    if not removed:
        return redirect("/admin/postcards", flash=_("There is no such picture."), request=request)
    audit.record(
        session, by=user, action="postcard.picture_removed", target=f"postcard_picture:{picture_id}"
    )
    return redirect("/admin/postcards", flash=_("The picture is removed."), request=request)
