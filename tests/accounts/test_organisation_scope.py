"""A member of another organisation reaches none of an organisation's campaigns: every organiser
route that names a petition, a letter campaign or its translations answers 404 (its existence
is not told) and changes nothing, and the organiser lists show only one's own organisations'."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import User
from campaign.accounts.service.accounts import create_organiser
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.letters.models import LetterCampaign
from campaign.petitions.field_forms import FieldForm
from campaign.petitions.forms import UpdateForm
from campaign.petitions.models import Petition, PetitionUpdate
from campaign.petitions.service import fields, paper, updates
from campaign.prisoners.models import PrisonerEvent
from tests.accounts.test_route_walk import organiser_routes
from tests.conftest import CSRF, PASSWORD, log_in
from tests.factories import (
    make_letter_campaign,
    make_member,
    make_petition,
    make_prisoner,
    organisation,
)

OTHER = "Another organisation"


def outsider(engine: Engine) -> User:
    """An owner of another organisation, and a member of no other."""
    with transaction(engine) as session:
        user = create_organiser(session, email="outsider@example.org", password=PASSWORD)
    make_member(engine, user.id, name=OTHER)
    return user


def test_every_route_of_another_organisations_campaign_is_a_404_and_changes_nothing(
    app: Any, client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Maria")
    with transaction(engine) as session:
        update = updates.write_draft(
            session, petition=petition, form=UpdateForm("News", "Text"), user_id=None
        )
        field = fields.add_field(
            session,
            petition=session.get(Petition, petition.id),  # type: ignore[arg-type]
            form=FieldForm("checkbox", "I am a doctor", "", (), False, False),
        )
        sheet = paper.enter_tally(
            session, petition=petition, number=1, count=3, country="PL", by=None
        )
    campaign = make_letter_campaign(engine, title="Write for Maria")
    log_in(client, outsider(engine).email)
    token = CSRF.search(client.get("/admin").text).group(1)  # type: ignore[union-attr]
    ids = {
        "petition_id": petition.id,
        "campaign_id": campaign.id,
        "organisation_id": organisation(engine),
        "update_id": update.id,
        "field_id": field.id,
        "sheet_id": sheet.id,
    }
    walked, let_in = 0, []
    for method, template, _admin in organiser_routes(app, concrete=False):
        names = set(re.findall(r"\{(\w+)", template))
        if (
            not names & {"petition_id", "campaign_id", "object_id", "field_id"}
            or "reply_id" in names
        ):
            continue
        kinds = (
            [("petition", petition.id), ("letters", campaign.id), ("petition_field", field.id)]
            if "object_id" in names
            else [(None, None)]
        )
        for kind, object_id in kinds:
            values = {**ids, "kind": kind, "object_id": object_id, "locale": "be"}
            path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m, v=values: str(v[m.group(1)]), template)
            if method == "GET":
                response = client.get(path, follow_redirects=False)
            else:
                response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
            walked += 1
            if response.status_code != 404:
                let_in.append(f"{method} {path} → {response.status_code}")
    assert walked > 25 and not let_in, let_in
    with Session(engine) as session:
        assert session.get(Petition, petition.id).title == "Free Maria"  # type: ignore[union-attr]
        assert session.get(PetitionUpdate, update.id).status == "draft"  # type: ignore[union-attr]
        assert session.get(LetterCampaign, campaign.id).title == "Write for Maria"  # type: ignore[union-attr]
        done = session.exec(
            select(AuditEvent.action).where(AuditEvent.actor == "outsider@example.org")
        ).all()
    assert [action for action in done if not action.startswith("account.")] == []


def test_the_organiser_lists_show_only_ones_own_organisations_campaigns(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    make_petition(engine, title="Free Maria")
    make_letter_campaign(engine, title="Write for Maria")
    log_in(client, outsider(engine).email)
    assert "Free Maria" not in client.get("/admin/petitions").text
    assert "Write for Maria" not in client.get("/admin/letters").text
    client.cookies.clear()
    log_in(client, organiser.email)  # an owner of the campaigns' organisation
    assert "Free Maria" in client.get("/admin/petitions").text
    assert "Write for Maria" in client.get("/admin/letters").text


def test_a_letter_campaigns_form_offers_only_ones_own_organisations_petitions(
    client: TestClient, engine: Engine
) -> None:
    make_petition(engine, title="A draft of someone else's", status="draft")
    log_in(client, outsider(engine).email)
    assert "A draft of someone else" not in client.get("/admin/letters/new").text


def test_an_event_links_only_a_campaign_of_the_organisers_own_organisations(
    client: TestClient, engine: Engine
) -> None:
    """The register is the install's, its events too; the letter campaign an event calls for
    is one of the organiser's own organisations (another's is neither offered nor accepted, and
    a link another organisation made stays as it was, its draft's title untold)."""
    ours = make_letter_campaign(engine, title="Write for Maria", status="draft")
    prisoner = make_prisoner(engine)
    with transaction(engine) as session:
        event = PrisonerEvent(
            prisoner_id=prisoner.id,  # type: ignore[arg-type]
            kind="hearing",
            starts_on=date(2026, 12, 12),
            letter_campaign_id=ours.id,
        )
        session.add(event)
        session.flush()
        event_id = event.id
    log_in(client, outsider(engine).email)
    base = f"/admin/prisoners/{prisoner.id}/events"
    page = client.get(base).text
    assert "Write for Maria" not in page and "a campaign of another organisation" in page
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    fields = {"csrf_token": token, "kind": "hearing", "starts_on": "2026-12-20"}
    refused = client.post(base, data={**fields, "letter_campaign_id": str(ours.id)})
    assert refused.status_code == 400 and 'id="error-letter_campaign_id"' in refused.text
    kept = client.post(
        f"{base}/{event_id}/edit", data={**fields, "letter_campaign_id": str(ours.id)}
    )
    assert kept.status_code == 303
    with Session(engine) as session:
        assert [e.letter_campaign_id for e in session.exec(select(PrisonerEvent)).all()] == [
            ours.id
        ]
