"""An organisation's API tokens page, as its owner uses it: a token is shown once and kept
only as a fingerprint, its last use is shown, it can be revoked, and both are audited."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import ApiToken, OrgRole, User
from campaign.accounts.service.accounts import create_organiser
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.security import token_digest
from tests.conftest import CSRF, PASSWORD, log_in
from tests.factories import make_member, organisation

SECRET = re.compile(r'value="(cpt_[A-Za-z0-9_-]+)"')


def tokens_page(organisation_id: int) -> str:
    return f"/admin/organisations/{organisation_id}/api-tokens"


def issue(client: TestClient, org: int, name: str, role: str) -> tuple[int, str]:
    """The form sent: its status, and the page it shows (after the redirect, if any)."""
    token = CSRF.search(client.get(tokens_page(org)).text).group(1)  # type: ignore[union-attr]
    response = client.post(tokens_page(org), data={"name": name, "role": role, "csrf_token": token})
    if response.status_code != 303:
        return response.status_code, response.text
    return 303, client.get(response.headers["location"]).text


def test_a_new_token_is_shown_once_and_only_its_fingerprint_is_kept(
    organiser_client: TestClient, engine: Engine
) -> None:
    org = organisation(engine)
    status, page = issue(organiser_client, org, "CiviCRM sync", "people")
    assert status == 303 and "Copy the token CiviCRM sync now" in page
    secret = SECRET.search(page).group(1)  # type: ignore[union-attr]
    assert len(secret) > 40
    with Session(engine) as session:
        stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == token_digest(secret)
    assert stored.prefix == secret[:10] and secret not in str(stored.model_dump())
    again = organiser_client.get(tokens_page(org)).text  # a reload
    assert secret not in again and "Copy the token" not in again
    assert "CiviCRM sync" in again and f"{stored.prefix}…" in again and "never" in again
    organiser_client.get("/api/osdi/v1/petitions", headers={"OSDI-API-Token": secret})
    assert "never" not in organiser_client.get(tokens_page(org)).text


def test_revoking_a_token_is_audited_and_it_no_longer_works(
    organiser_client: TestClient, engine: Engine
) -> None:
    org = organisation(engine)
    _status, page = issue(organiser_client, org, "Mailer", "counts")
    secret = SECRET.search(page).group(1)  # type: ignore[union-attr]
    with Session(engine) as session:
        token_id = session.exec(select(ApiToken.id)).one()
    csrf = CSRF.search(page).group(1)  # type: ignore[union-attr]
    revoked = organiser_client.post(
        f"{tokens_page(org)}/revoke", data={"token_id": str(token_id), "csrf_token": csrf}
    )
    assert revoked.status_code == 303
    listed = organiser_client.get(tokens_page(org)).text
    assert "The token Mailer is revoked" in listed and "revoked on" in listed
    answer = organiser_client.get("/api/osdi/v1/", headers={"OSDI-API-Token": secret})
    assert answer.status_code == 401
    trail = organiser_client.get(f"/admin/organisations/{org}/audit").text
    assert "issued the API token Mailer" in trail and "revoked the API token Mailer" in trail
    with Session(engine) as session:
        actions = session.exec(select(AuditEvent.action, AuditEvent.details)).all()
    assert all(secret not in str(details) for _action, details in actions)


def test_a_token_needs_a_name_and_a_known_role(
    organiser_client: TestClient, engine: Engine
) -> None:
    org = organisation(engine)
    status, page = issue(organiser_client, org, "  ", "counts")
    assert status == 400 and "Name the system" in page
    status, page = issue(organiser_client, org, "CRM", "everything")
    assert status == 400 and "Choose what the token may read" in page
    with Session(engine) as session:
        assert session.exec(select(ApiToken)).all() == []


def test_another_organisations_token_cannot_be_revoked_from_here(
    organiser_client: TestClient, engine: Engine, organiser: User
) -> None:
    other = organisation(engine, "Other group")
    make_member(engine, organiser.id, role=OrgRole.owner, name="Other group")
    _status, page = issue(organiser_client, other, "Theirs", "counts")
    with Session(engine) as session:
        token_id = session.exec(select(ApiToken.id)).one()
    own = organisation(engine)
    csrf = CSRF.search(page).group(1)  # type: ignore[union-attr]
    organiser_client.post(
        f"{tokens_page(own)}/revoke", data={"token_id": str(token_id), "csrf_token": csrf}
    )
    with Session(engine) as session:
        assert session.exec(select(ApiToken.revoked_at)).one() is None


def test_an_owner_without_two_factor_cannot_issue_a_token_that_reads_people(
    client: TestClient, engine: Engine
) -> None:
    with transaction(engine) as session:
        owner = create_organiser(session, email="owner@example.org", password=PASSWORD)
    make_member(engine, owner.id, role=OrgRole.owner)
    log_in(client, owner.email)
    org = organisation(engine)
    status, page = issue(client, org, "CRM", "people")
    assert status == 303 and "Turn on two-factor authentication" in page
    status, page = issue(client, org, "Counter", "counts")
    assert status == 303 and SECRET.search(page)
    with Session(engine) as session:
        assert session.exec(select(ApiToken.role)).all() == ["counts"]


def test_members_who_are_not_owners_cannot_open_the_tokens_page(
    client: TestClient, engine: Engine
) -> None:
    with transaction(engine) as session:
        steward = create_organiser(session, email="steward@example.org", password=PASSWORD)
    make_member(engine, steward.id, role=OrgRole.steward)
    log_in(client, steward.email)
    assert client.get(tokens_page(organisation(engine))).status_code == 403
