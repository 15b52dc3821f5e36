"""Every organiser route, walked as each role in the organisation that runs the petition and the
letter campaign: each route asks one duty of its user (the roles allowed are in
campaign/accounts/service/roles.py); a role it allows gets past the check, a role it does not
gets a 403 page that names the roles needed, and nothing is changed."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from campaign.accounts.deps import DUTY_OF, require_admin, require_organiser
from campaign.accounts.models import OrgRole, Role, User
from campaign.accounts.service.accounts import create_organiser
from campaign.accounts.service.roles import Duty
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.hooks.models import Webhook
from campaign.letters.models import LetterCampaign, Official
from campaign.petitions.field_forms import FieldForm
from campaign.petitions.forms import UpdateForm
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import coalition, fields, paper, updates
from campaign.prisoners.models import Facility, Prisoner, PrisonerEvent
from tests.accounts.test_route_walk import _calls
from tests.conftest import CSRF, PASSWORD, app_routes, log_in, with_two_factor
from tests.factories import (
    add_signature,
    make_letter_campaign,
    make_member,
    make_petition,
    make_prisoner,
    organisation,
)

# Open to every organiser, whatever their role: the lists (each shows only one's own
# organisations' campaigns) and the registers the install shares, read-only.
EVERY_ORGANISER = {
    ("GET", "/admin"),
    ("GET", "/admin/petitions"),
    ("GET", "/admin/letters"),
    ("GET", "/admin/officials"),
    ("GET", "/admin/officials/export.csv"),
    ("GET", "/admin/prisoners"),
    ("GET", "/admin/prisoners/dashboard"),
    ("GET", "/admin/prisoners/letters.csv"),
    ("GET", "/admin/prisoners/export.csv"),
    ("GET", "/admin/facilities"),
    ("GET", "/admin/organisations"),
}

# What each role may do, as the issue puts it: the walk checks the routes against this table.
MAY = {
    OrgRole.owner: {Duty.view, Duty.campaign, Duty.steward, Duty.manage, Duty.connect},
    OrgRole.campaigner: {Duty.view, Duty.campaign},
    OrgRole.steward: {Duty.view, Duty.steward},
    OrgRole.viewer: {Duty.view},
}
NEEDED = {
    Duty.campaign: "owner, campaigner",
    Duty.steward: "owner, data steward",
    Duty.manage: "owner",
    Duty.connect: "owner",
}


def duty_routes(app: Any) -> list[tuple[str, str, Duty | None, bool]]:
    """(method, path template, the duty it asks or None, admin only) of every organiser route."""
    routes = []
    for template, methods, dependant in app_routes(app):
        calls = _calls(dependant)
        if require_organiser not in calls:
            continue
        duties = {DUTY_OF[call] for call in calls if call in DUTY_OF}
        assert len(duties) <= 1, (template, duties)
        for method in sorted(methods - {"HEAD"}):
            routes.append((method, template, next(iter(duties), None), require_admin in calls))
    return routes


PARTNER = "Partner group"


def member(engine: Engine, role: OrgRole, *, two_factor: bool = True) -> User:
    """A member, in this role, of the tests' organisation (where the factories put campaigns)
    and of the partner organisation of its coalition petition."""
    with transaction(engine) as session:
        user = create_organiser(session, email=f"{role.value}@example.org", password=PASSWORD)
    make_member(engine, user.id, role=role)
    make_member(engine, user.id, role=role, name=PARTNER)
    return with_two_factor(engine, user) if two_factor else user


@pytest.fixture
def objects(engine: Engine, settings: Settings) -> dict[str, Any]:
    """One of everything an organiser route can name, in the tests' organisation; the petition
    is a coalition petition with a partner organisation."""
    petition = make_petition(engine, title="Free Maria")
    partner = organisation(engine, PARTNER)
    with transaction(engine) as session:
        coalition.set_partners(session, session.get(Petition, petition.id), {partner})  # type: ignore[arg-type]
        update = updates.write_draft(
            session, petition=petition, form=UpdateForm("News", "Text"), user_id=None
        )
        hook = Webhook(
            organisation_id=partner, url="https://hooks.example.org/in", events=[], secret="s"
        )
        session.add(hook)
        session.flush()
        webhook_id = hook.id
        field = fields.add_field(
            session,
            petition=session.get(Petition, petition.id),  # type: ignore[arg-type]
            form=FieldForm("checkbox", "I am a doctor", "", (), False, False),
        )
    add_signature(engine, settings, petition, email="signer@example.org")
    with transaction(engine) as session:
        # Answered, so that the walk's "remove" retires the field rather than deleting it.
        signature_id = session.exec(select(Signature.id)).one()
        fields.store_answers(
            session, signature_id=signature_id, answers=((field.id, "yes", False),)
        )
    with transaction(engine) as session:
        sheet = paper.enter_tally(
            session, petition=petition, number=1, count=1, country="BY", by=None
        )
    campaign = make_letter_campaign(engine, title="Write for Maria")
    prisoner = make_prisoner(engine)
    with transaction(engine) as session:
        event = PrisonerEvent(
            prisoner_id=prisoner.id, kind="hunger_strike", starts_on=date(2026, 1, 5)
        )  # type: ignore[arg-type]
        session.add(event)
        session.flush()
        event_id = event.id
    with Session(engine) as session:
        official = session.exec(select(Official)).first()
    assert official is not None
    return {
        "petition_id": petition.id,
        "campaign_id": campaign.id,
        "prisoner_id": prisoner.id,
        "event_id": event_id,
        "facility_id": prisoner.facility_id,
        "official_id": official.id,
        "organisation_id": partner,
        "account_id": 999_999,  # no such member: an allowed owner is told so, nothing changes
        "invitation_id": 999_999,
        "locale": "be",
        "update_id": update.id,
        "sheet_id": sheet.id,
        "webhook_id": webhook_id,
        "delivery_id": 999_999,  # no such dead letter: the owner is told so
        "field_id": field.id,
    }


def concrete(template: str, values: dict[str, Any]) -> list[str]:
    """The paths a template stands for: one per kind of content for the translation editor."""
    if "{kind}" not in template:
        return [re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(values[m.group(1)]), template)]
    kinds = [
        ("petition", values["petition_id"]),
        ("letters", values["campaign_id"]),
        ("prisoner", values["prisoner_id"]),
        ("petition_field", values["field_id"]),
    ]
    return [
        concrete(template.replace("{kind}", kind).replace("{object_id}", str(oid)), values)[0]
        for kind, oid in kinds
    ]


def state(engine: Engine, email: str) -> tuple[Any, ...]:
    """What a walk must not change: titles, register sizes, and what the walker did."""
    with Session(engine) as session:
        done = session.exec(select(AuditEvent.action).where(AuditEvent.actor == email)).all()
        return (
            sorted(session.exec(select(Petition.title, Petition.status)).all()),
            sorted(session.exec(select(LetterCampaign.title, LetterCampaign.status)).all()),
            session.exec(select(func.count()).select_from(Prisoner)).one(),
            sorted(session.exec(select(PrisonerEvent.kind, PrisonerEvent.ends_on)).all()),
            session.exec(select(func.count()).select_from(Facility)).one(),
            session.exec(select(func.count()).select_from(Official)).one(),
            [action for action in done if not action.startswith("account.")],
        )


def send(client: TestClient, method: str, path: str, token: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={"csrf_token": token}, follow_redirects=False)


def test_every_organiser_route_asks_a_duty_or_is_open_to_every_organiser(app: Any) -> None:
    unclassified = [
        f"{method} {template}"
        for method, template, duty, admin in duty_routes(app)
        if duty is None and not admin and (method, template) not in EVERY_ORGANISER
    ]
    assert not unclassified, unclassified


@pytest.mark.parametrize("role", list(OrgRole))
def test_each_role_reaches_what_it_may_and_gets_a_403_naming_the_roles_needed_elsewhere(
    app: Any, client: TestClient, engine: Engine, objects: dict[str, Any], role: OrgRole
) -> None:
    user = member(engine, role)
    log_in(client, user.email)
    token = CSRF.search(client.get("/admin").text).group(1)  # type: ignore[union-attr]
    walked, wrong = 0, []
    for method, template, duty, _admin in duty_routes(app):
        if duty is None:
            continue
        allowed = duty in MAY[role]
        for path in concrete(template, objects):
            before = state(engine, user.email) if not allowed else None
            response = send(client, method, path, token)
            walked += 1
            if allowed and response.status_code in (403, 404):
                wrong.append(f"{method} {path} → {response.status_code}, {role} may")
            if not allowed:
                if response.status_code != 403 or NEEDED[duty] not in response.text:
                    wrong.append(f"{method} {path} → {response.status_code}, {role} may not")
                elif state(engine, user.email) != before:
                    wrong.append(f"{method} {path} changed something")
    assert walked > 50 and not wrong, wrong


def test_the_403_page_says_which_organisation_and_which_roles(
    client: TestClient, engine: Engine, objects: dict[str, Any]
) -> None:
    log_in(client, member(engine, OrgRole.viewer).email)
    page = client.get(f"/admin/petitions/{objects['petition_id']}/export/signatures.csv")
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "This needs one of these roles in Test organisation: owner, data steward." in page.text
    assert "signer@example.org" not in page.text


@pytest.mark.parametrize("role", [OrgRole.campaigner, OrgRole.viewer])
def test_a_handover_with_names_needs_a_data_steward(
    client: TestClient, engine: Engine, objects: dict[str, Any], role: OrgRole
) -> None:
    log_in(client, member(engine, role).email)
    base = f"/admin/petitions/{objects['petition_id']}/handover"
    assert client.get(base).status_code == 200  # counts only: anyone in the organisation
    for path in (f"{base}?include_names=1", f"{base}.pdf?include_names=1"):
        refused = client.get(path)
        assert refused.status_code == 403 and "owner, data steward" in refused.text
    assert client.get(f"{base}.pdf").status_code == 200


def test_a_steward_without_two_factor_is_sent_to_set_it_up_before_seeing_any_name(
    app: Any, client: TestClient, engine: Engine, objects: dict[str, Any]
) -> None:
    steward = member(engine, OrgRole.steward, two_factor=False)
    log_in(client, steward.email)
    token = CSRF.search(client.get("/admin").text).group(1)  # type: ignore[union-attr]
    personal = [(m, t) for m, t, duty, _a in duty_routes(app) if duty is Duty.steward]
    assert len(personal) >= 3
    handover = f"/admin/petitions/{objects['petition_id']}/handover?include_names=1"
    for method, path in [(m, concrete(t, objects)[0]) for m, t in personal] + [("GET", handover)]:
        response = send(client, method, path, token)
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"] == "/account/two-factor"
        assert "signer@example.org" not in response.text
    page = client.get("/account/two-factor")
    assert "Turn on two-factor authentication to see supporters" in page.text
    assert state(engine, steward.email)[-1] == []  # no export, no invalidation recorded
    # Counts need no second factor.
    assert client.get(f"/admin/petitions/{objects['petition_id']}").status_code == 200


def test_a_site_administrator_sees_no_supporter_of_an_organisation_they_are_not_in(
    client: TestClient, engine: Engine, objects: dict[str, Any]
) -> None:
    with transaction(engine) as session:
        admin = create_organiser(
            session, email="siteadmin@example.org", password=PASSWORD, role=Role.admin
        )
    with_two_factor(engine, admin)
    log_in(client, admin.email)
    petition = objects["petition_id"]
    assert client.get(f"/admin/petitions/{petition}/export/signatures.csv").status_code == 404
    assert client.get(f"/admin/petitions/{petition}").status_code == 404
    assert "Free Maria" not in client.get("/admin/petitions").text
    assert client.get("/admin/accounts").status_code == 200  # what administrators do manage


def test_someone_in_several_organisations_has_each_organisations_role_there(
    client: TestClient, engine: Engine, objects: dict[str, Any]
) -> None:
    user = member(engine, OrgRole.viewer)
    make_member(engine, user.id, role=OrgRole.steward, name=PARTNER)
    theirs = make_petition(engine, title="Free Ales", organisation_id=organisation(engine, PARTNER))
    log_in(client, user.email)
    ours = objects["petition_id"]
    assert client.get(f"/admin/petitions/{ours}/export/signatures.csv").status_code == 403
    assert client.get(f"/admin/petitions/{theirs.id}/export/signatures.csv").status_code == 200
    assert client.get(f"/admin/petitions/{theirs.id}/edit").status_code == 403


def test_a_viewers_pages_offer_only_what_a_viewer_may_do(
    client: TestClient, engine: Engine, objects: dict[str, Any]
) -> None:
    log_in(client, member(engine, OrgRole.viewer).email)
    petition, campaign = objects["petition_id"], objects["campaign_id"]
    board = client.get(f"/admin/petitions/{petition}").text
    assert "by-country.csv" in board and "handover" in board  # counts
    for hidden in ("/edit", "signatures.csv", "/invalidate", "/updates", "/status"):
        assert f"/admin/petitions/{petition}{hidden}" not in board, hidden
    handover = client.get(f"/admin/petitions/{petition}/handover").text
    assert 'name="include_names"' not in handover
    assert "Only a data steward or an owner" in handover
    listed = client.get("/admin/petitions").text
    assert "Test organisation" in listed and "/admin/petitions/new" not in listed
    letters = client.get("/admin/letters").text
    assert f'href="/admin/letters/{campaign}/dashboard"' in letters
    assert "/admin/letters/new" not in letters
    delivery = client.get(f"/admin/letters/{campaign}/dashboard").text
    assert "/delivery" not in delivery and "/replies" not in delivery
    for register in ("/admin/prisoners", "/admin/officials", "/admin/facilities"):
        assert "/new" not in client.get(register).text, register


def test_a_campaigners_pages_offer_editing_but_no_supporters_names(
    client: TestClient, engine: Engine, objects: dict[str, Any]
) -> None:
    log_in(client, member(engine, OrgRole.campaigner).email)
    petition = objects["petition_id"]
    board = client.get(f"/admin/petitions/{petition}").text
    assert f"/admin/petitions/{petition}/edit" in board
    assert f"/admin/petitions/{petition}/updates" in board
    assert "signatures.csv" not in board and "/invalidate" not in board
    assert "/admin/petitions/new" in client.get("/admin/petitions").text
    assert "/admin/prisoners/new" in client.get("/admin/prisoners").text
