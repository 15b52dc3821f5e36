"""An organisation's data stewards answer a request about personal data for what their own
campaigns hold (signatures on its petitions, signers of coalition petitions who let it contact
them); an erasure asked of one organisation erases the address everywhere."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import OrgRole, User
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import coalition
from tests.conftest import PASSWORD, add_user, csrf_from, log_in, with_two_factor
from tests.factories import add_signature, make_member, make_petition, organisation

ADDRESS = "ana@example.org"


def steward(engine: Engine, name: str, email: str) -> User:
    from campaign.accounts.service.accounts import create_organiser

    with transaction(engine) as session:
        user = create_organiser(session, email=email, password=PASSWORD)
    make_member(engine, user.id, role=OrgRole.steward, name=name)
    return with_two_factor(engine, user)


def test_each_organisation_sees_its_own_and_an_erasure_erases_everywhere(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    ours = make_petition(engine, title="Free Maria")  # the tests' organisation
    razam, libereco = organisation(engine, "Razam e.V."), organisation(engine, "Libereco")
    theirs = make_petition(engine, title="Free Ales", organisation_id=libereco)
    with transaction(engine) as session:
        coalition.set_partners(session, session.get(Petition, ours.id), {razam})  # type: ignore[arg-type]
    add_signature(engine, settings, ours, email=ADDRESS, name="Ana Requester", partners=frozenset())
    add_signature(engine, settings, theirs, email=ADDRESS, name="Ana Requester")

    log_in(client, steward(engine, "Razam e.V.", "s-razam@example.org").email)
    page = f"/admin/organisations/{razam}/privacy"
    token = csrf_from(client, page)
    shown = client.post(page, data={"csrf_token": token, "email": ADDRESS})
    # Ana did not let Razam contact her: it holds nothing about her.
    assert shown.status_code == 200 and "Nothing is held about this address." in shown.text

    client.cookies.clear()
    log_in(client, steward(engine, "Libereco", "s-libereco@example.org").email)
    page = f"/admin/organisations/{libereco}/privacy"
    token = csrf_from(client, page)
    shown = client.post(page, data={"csrf_token": token, "email": ADDRESS})
    assert 'Signature on "Free Ales"' in shown.text and "Free Maria" not in shown.text
    download = client.post(f"{page}/download", data={"csrf_token": token, "email": ADDRESS})
    held = json.loads(download.text)["signatures"]
    assert [s["petition"] for s in held] == ["Free Ales"]
    erased = client.post(
        f"{page}/erase", data={"csrf_token": token, "email": ADDRESS, "confirm": "1"}
    )
    assert erased.status_code == 200 and "is erased" in erased.text
    with Session(engine) as session:
        names = sorted(s.name for s in session.exec(select(Signature)).all())
        trail = session.exec(
            select(AuditEvent).where(AuditEvent.action.startswith("privacy."))  # type: ignore[attr-defined]
        ).all()
    assert names == ["", ""]  # both organisations' signatures, erased
    assert {e.organisation_id for e in trail} == {razam, libereco}
    assert "ana" not in " ".join(str(e.details).lower() for e in trail)


def test_a_viewer_cannot_and_a_steward_without_two_factor_is_sent_to_set_it_up(
    client: TestClient, engine: Engine
) -> None:
    viewer = add_user(engine, "viewer@example.org")
    make_member(engine, viewer.id, role=OrgRole.viewer)
    log_in(client, viewer.email)
    page = f"/admin/organisations/{organisation(engine)}/privacy"
    assert client.get(page).status_code == 403
    client.cookies.clear()
    plain = add_user(engine, "plain-steward@example.org")
    make_member(engine, plain.id, role=OrgRole.steward)
    log_in(client, plain.email)
    response = client.get(page)
    assert response.status_code == 303 and response.headers["location"] == "/account/two-factor"
    other = f"/admin/organisations/{organisation(engine, 'Elsewhere')}/privacy"
    assert client.get(other).status_code == 404


def test_an_administrator_sees_no_other_organisations_supporter_but_erases_everywhere(
    admin_client: TestClient, engine: Engine, settings: Settings
) -> None:
    ours = make_petition(engine, title="Free Maria")  # the admin owns the tests' organisation
    theirs = make_petition(
        engine, title="Free Ales", organisation_id=organisation(engine, "Libereco")
    )
    add_signature(engine, settings, ours, email=ADDRESS, name="Ana Requester")
    add_signature(engine, settings, theirs, email=ADDRESS, name="Ana Requester")
    token = csrf_from(admin_client, "/admin/privacy")
    shown = admin_client.post("/admin/privacy", data={"csrf_token": token, "email": ADDRESS})
    assert 'Signature on "Free Maria"' in shown.text and "Free Ales" not in shown.text
    download = admin_client.post(
        "/admin/privacy/download", data={"csrf_token": token, "email": ADDRESS}
    )
    assert [s["petition"] for s in json.loads(download.text)["signatures"]] == ["Free Maria"]
    admin_client.post(
        "/admin/privacy/erase", data={"csrf_token": token, "email": ADDRESS, "confirm": "1"}
    )
    with Session(engine) as session:
        assert sorted(s.name for s in session.exec(select(Signature)).all()) == ["", ""]
