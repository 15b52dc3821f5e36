"""Coalition petitions: partner organisations named on a petition each get their own "may contact
me" box on the sign form, off by default; the total counts everyone, each partner's data steward
exports exactly the counted signers who ticked its box, and the host's export follows the host's
own box."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from campaign.accounts.models import OrgRole, User
from campaign.accounts.service.accounts import create_organiser
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.petitions import retention
from campaign.petitions.models import PartnerConsent, Petition, Signature
from campaign.petitions.service import coalition
from tests.conftest import PASSWORD, csrf_from, log_in, with_two_factor
from tests.factories import (
    add_signature,
    link_in,
    make_member,
    make_petition,
    organisation,
    send_mail,
)
from tests.petitions.conftest import sign_form

RAZAM, LIBERECO = "Razam e.V.", "Libereco"


def coalition_petition(engine: Engine, **overrides: Any) -> tuple[Petition, int, int]:
    """An open petition of the tests' organisation with two partners; (petition, a, b)."""
    a, b = organisation(engine, RAZAM), organisation(engine, LIBERECO)
    petition = make_petition(engine, **overrides)
    with transaction(engine) as session:
        coalition.set_partners(session, session.get(Petition, petition.id), {a, b})  # type: ignore[arg-type]
    return petition, a, b


def steward_of(engine: Engine, name: str) -> User:
    """A data steward (with two-factor login on) of the organisation of this name only."""
    with transaction(engine) as session:
        user = create_organiser(
            session, email=f"steward-{organisation(engine, name)}@example.org", password=PASSWORD
        )
    make_member(engine, user.id, role=OrgRole.steward, name=name)
    return with_two_factor(engine, user)


def exported(client: TestClient, path: str) -> set[str]:
    """The e-mail addresses in a signatures export."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row["email"] for row in rows}


def test_each_organisation_exports_exactly_the_signers_who_ticked_its_box(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    petition, a, b = coalition_petition(engine)
    elsewhere = organisation(engine, "Not a partner")
    signers = {
        "host@example.org": {"wants_updates": True},
        "razam@example.org": {"partners": frozenset({a})},
        "both@example.org": {"partners": frozenset({a, b})},
        "nobody@example.org": {},
        "libereco-host@example.org": {"partners": frozenset({b}), "wants_updates": True},
        "forged@example.org": {"partners": frozenset({a, elsewhere})},
    }
    for email, boxes in signers.items():
        add_signature(engine, settings, petition, email=email, **boxes)
    add_signature(
        engine,
        settings,
        petition,
        email="pending@example.org",
        partners=frozenset({a}),
        confirm=False,
    )
    with Session(engine) as session:
        assert session.get(Petition, petition.id).signature_count == 6  # type: ignore[union-attr]
        consents = session.exec(
            select(func.count())
            .select_from(PartnerConsent)
            .where(PartnerConsent.organisation_id == elsewhere)
        ).one()
    assert consents == 0  # a forged box for an organisation that is no partner is not kept

    log_in(client, organiser.email)  # an owner of the host organisation
    assert exported(client, f"/admin/petitions/{petition.id}/export/signatures.csv") == {
        "host@example.org",
        "libereco-host@example.org",
    }
    client.cookies.clear()
    log_in(client, steward_of(engine, RAZAM).email)
    base = f"/admin/petitions/{petition.id}"
    assert exported(client, f"{base}/partners/{a}/signatures.csv") == {
        "razam@example.org",
        "both@example.org",
        "forged@example.org",
    }  # counted signers only: the one still unconfirmed is not there
    assert client.get(f"{base}/partners/{b}/signatures.csv").status_code == 404
    assert client.get(f"{base}/export/signatures.csv").status_code == 404
    page = client.get(f"{base}/partners/{a}")
    assert (
        page.status_code == 200
        and "Signers who agreed that Razam e.V. may contact them" in page.text
    )
    assert "<dd>3</dd>" in page.text and "<dd>6</dd>" in page.text
    client.cookies.clear()
    log_in(client, steward_of(engine, LIBERECO).email)
    assert exported(client, f"{base}/partners/{b}/signatures.csv") == {
        "both@example.org",
        "libereco-host@example.org",
    }
    with Session(engine) as session:
        trail = session.exec(
            select(AuditEvent).where(AuditEvent.action == "petition.exported")
        ).all()
    assert [event.details.get("export") for event in trail] == [
        "signatures",
        "partner signatures",
        "partner signatures",
    ]


def test_the_sign_form_offers_each_partner_its_own_box_off_by_default(
    quick: Any, client: TestClient, engine: Engine
) -> None:
    petition, a, b = coalition_petition(engine, slug="free-maria")
    page = client.get("/petitions/free-maria").text
    assert "By Test organisation, with Libereco, Razam e.V." in page
    assert "Razam e.V. may contact me" in page and "Libereco may contact me" in page
    assert "Test organisation may send me updates about this campaign" in page
    for oid in (a, b):
        box = page.split(f'name="partner_{oid}"')[1].split(">")[0]
        assert "checked" not in box
    response = sign_form(client, "free-maria", **{f"partner_{a}": "1", "email": "ales@example.org"})
    assert response.status_code in (200, 303)
    with Session(engine) as session:
        ticked = session.exec(
            select(PartnerConsent.organisation_id)
            .join(Signature, Signature.id == PartnerConsent.signature_id)  # type: ignore[arg-type]
            .where(Signature.petition_id == petition.id)
        ).all()
    assert ticked == [a]
    plain = make_petition(engine, slug="free-ihar")
    assert "may contact me" not in client.get(f"/petitions/{plain.slug}").text


def test_the_host_names_partners_on_the_edit_page_and_the_change_is_recorded(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Maria", slug="free-maria")
    a, host = organisation(engine, RAZAM), organisation(engine)
    edit = f"/admin/petitions/{petition.id}/edit"
    page = organiser_client.get(edit).text
    assert "Partner organisations" in page and RAZAM in page
    assert f'name="partners" value="{host}"' not in page  # never its own partner
    form = {
        "csrf_token": csrf_from(organiser_client, edit),
        "title": "Free Maria",
        "slug": "free-maria",
        "goal": "100",
    }
    refused = organiser_client.post(edit, data={**form, "partners": [str(host)]})
    assert (
        refused.status_code == 400 and "Choose partner organisations from the list." in refused.text
    )
    saved = organiser_client.post(edit, data={**form, "partners": [str(a)]})
    assert saved.status_code == 303
    with Session(engine) as session:
        assert coalition.partners_of(session, petition.id) == [(a, RAZAM)]
        changes = session.exec(
            select(AuditEvent).where(AuditEvent.action == "petition.partners_changed")
        ).all()
    assert [event.details["partners"] for event in changes] == [[RAZAM]]
    assert (
        "By Test organisation, with Razam e.V."
        in organiser_client.get("/petitions/free-maria").text
    )
    board = organiser_client.get(f"/admin/petitions/{petition.id}").text
    assert "Partner organisations" in board and "this organisation's box" in board


@pytest.mark.parametrize("role", [OrgRole.viewer, OrgRole.campaigner])
def test_a_partners_members_who_are_not_stewards_see_counts_but_export_nothing(
    client: TestClient, engine: Engine, settings: Settings, role: OrgRole
) -> None:
    petition, a, _b = coalition_petition(engine)
    add_signature(engine, settings, petition, email="razam@example.org", partners=frozenset({a}))
    with transaction(engine) as session:
        user = create_organiser(session, email="member@example.org", password=PASSWORD)
    make_member(engine, user.id, role=role, name=RAZAM)
    with_two_factor(engine, user)
    log_in(client, user.email)
    listed = client.get("/admin/petitions").text
    assert f"/admin/petitions/{petition.id}/partners/{a}" in listed
    page = client.get(f"/admin/petitions/{petition.id}/partners/{a}")
    assert page.status_code == 200 and "signatures.csv" not in page.text
    refused = client.get(f"/admin/petitions/{petition.id}/partners/{a}/signatures.csv")
    assert refused.status_code == 403 and "razam@example.org" not in refused.text
    assert client.get(f"/admin/petitions/{petition.id}").status_code == 404  # the host's page


def test_erasing_a_signer_withdraws_every_partners_permission_and_their_own_page_lists_them(
    engine: Engine, settings: Settings
) -> None:
    petition, a, b = coalition_petition(engine)
    add_signature(engine, settings, petition, email="ales@example.org", partners=frozenset({a, b}))
    add_signature(engine, settings, petition, email="stays@example.org", partners=frozenset({a}))
    index = email_index(settings, "ales@example.org")
    with Session(engine) as session:
        held = retention.holdings(session, index)
    assert held[0]["partners_may_contact"] == [LIBERECO, RAZAM]
    with transaction(engine) as session:
        assert retention.erase_address(session, index) == 1
    with Session(engine) as session:
        counts = coalition.consent_counts(session, session.get(Petition, petition.id))  # type: ignore[arg-type]
        assert session.get(Petition, petition.id).signature_count == 2  # type: ignore[union-attr]
    assert counts == {a: 1}  # the erased signer still counts, but no partner may contact them


def test_odd_partner_boxes_are_ignored_not_an_error(
    quick: Any, client: TestClient, engine: Engine
) -> None:
    coalition_petition(engine, slug="free-maria")
    forged = {"partner_²": "1", "partner_" + "9" * 5000: "1", "partner_-1": "1"}
    response = sign_form(client, "free-maria", email="odd@example.org", **forged)
    assert response.status_code in (200, 303)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(PartnerConsent)).one() == 0


def test_a_partner_never_gets_a_suspect_signature_and_the_host_box_rule_outlives_the_partners(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition, a, _b = coalition_petition(engine)
    add_signature(engine, settings, petition, email="kept@example.org", partners=frozenset({a}))
    add_signature(engine, settings, petition, email="flood@example.org", partners=frozenset({a}))
    with transaction(engine) as session:
        row = session.exec(select(Signature).where(Signature.id == 2)).one()
        row.suspect = True  # held back until an organiser accepts it: not counted
        session.add(row)
    with Session(engine) as session:
        assert coalition.consent_counts(session, session.get(Petition, petition.id)) == {a: 1}  # type: ignore[arg-type]
    # Taking every partner off does not open the host's export to signers who left its box empty.
    with transaction(engine) as session:
        coalition.set_partners(session, session.get(Petition, petition.id), set())  # type: ignore[arg-type]
    assert (
        exported(organiser_client, f"/admin/petitions/{petition.id}/export/signatures.csv") == set()
    )


def test_a_partner_is_told_in_its_own_trail_and_sees_no_draft_of_the_host(
    organiser_client: TestClient, engine: Engine
) -> None:
    draft = make_petition(engine, title="A draft", slug="a-draft", status="draft")
    a = organisation(engine, RAZAM)
    edit = f"/admin/petitions/{draft.id}/edit"
    form = {"csrf_token": csrf_from(organiser_client, edit), "title": "A draft", "slug": "a-draft"}
    assert (
        organiser_client.post(edit, data={**form, "goal": "100", "partners": [str(a)]}).status_code
        == 303
    )
    with Session(engine) as session:
        told = session.exec(select(AuditEvent.action).where(AuditEvent.organisation_id == a)).all()
    assert told == ["petition.partner_named"]
    steward = steward_of(engine, RAZAM)
    organiser_client.cookies.clear()
    log_in(organiser_client, steward.email)
    assert "A draft" not in organiser_client.get("/admin/petitions").text
    assert organiser_client.get(f"/admin/petitions/{draft.id}/partners/{a}").status_code == 404


@pytest.mark.parametrize("ticked_again", ["b", "none", "both"])
def test_a_stranger_typing_someone_elses_address_cannot_hand_it_to_a_partner(
    quick: Any, client: TestClient, engine: Engine, settings: Settings, smtp: Any, ticked_again: str
) -> None:
    petition, a, b = coalition_petition(engine, slug="free-maria")
    # The stranger ticks both partners' boxes with Ana's address; Ana only confirms her signature.
    sign_form(
        client, "free-maria", email="ana@example.org", **{f"partner_{a}": "1", f"partner_{b}": "1"}
    )
    send_mail(engine, settings)
    [mail] = [m for m in smtp.handler.messages if "ana@example.org" in str(m["To"])]
    link = link_in(mail.get_body(("plain",)).get_content(), "/confirm?token=")
    path = link.split("testserver")[-1]
    page = client.get(path).text
    for name in (RAZAM, LIBERECO):
        assert f"{name} may contact me" in page
        box = page.split(f"{name} may contact me")[0].rsplit("<input", 1)[1]
        assert "checked" not in box  # asked again, unticked
    token = path.split("token=")[1].split("&")[0]
    again = {"b": [b], "none": [], "both": [a, b]}[ticked_again]
    confirmed = client.post(
        "/petitions/free-maria/confirm",
        data={
            "csrf_token": csrf_from(client, path),
            "token": token,
            **{f"partner_{partner}": "1" for partner in again},
        },
    )
    assert confirmed.status_code == 200
    with Session(engine) as session:
        kept = session.exec(select(PartnerConsent.organisation_id)).all()
        assert session.get(Petition, petition.id).signature_count == 1  # type: ignore[union-attr]
    assert sorted(kept) == sorted(again)  # only the boxes ticked again by the mailbox's holder
