"""Paper sheets as organisers use them: a printable sheet, a returned one entered and counted on
every public count, a number refused the second time, and an undo only a data steward may do."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaign.accounts.models import OrgRole
from campaign.core.audit import AuditEvent
from campaign.petitions.models import PaperSheet, Petition
from tests.conftest import add_user, csrf_from, log_in, with_two_factor
from tests.factories import make_member, make_petition


@pytest.fixture
def petition(engine: Engine) -> Petition:
    return make_petition(
        engine, title="Свабоду Ганне Кавальчук", slug="free-hanna", addressee="The Prosecutor"
    )


def enter(client: TestClient, petition: Petition, **fields: str):  # type: ignore[no-untyped-def]
    page = f"/admin/petitions/{petition.id}/paper"
    data = {"csrf_token": csrf_from(client, page), "number": "1", "count": "15", **fields}
    data.setdefault("country", "BY")
    return client.post(f"{page}/tally", data=data)


def pdf_text(content: bytes) -> tuple[str, int]:
    """The text of a PDF and how many images its pages hold."""
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(p.extract_text() for p in pages), sum(len(p.images) for p in pages)


def test_the_sheet_pdf_has_the_demand_its_number_link_and_qr_code(
    organiser_client: TestClient, petition: Petition
) -> None:
    response = organiser_client.get(
        f"/admin/petitions/{petition.id}/paper/sheets.pdf?first=41&sheets=2&lang=en"
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "free-hanna-sheets-41-42-en.pdf" in response.headers["content-disposition"]
    text, images = pdf_text(response.content)
    assert "Свабоду Ганне Кавальчук" in text
    assert "Sheet no. 41" in text and "Sheet no. 42" in text
    assert "testserver/petitions/free-hanna" in text
    assert "To: The Prosecutor" in text
    assert images == 2  # a QR code on each sheet


def test_a_bad_sheet_download_is_explained_next_to_its_field(
    organiser_client: TestClient, petition: Petition
) -> None:
    response = organiser_client.get(
        f"/admin/petitions/{petition.id}/paper/sheets.pdf?first=0&sheets=500&lang=xx"
    )
    assert response.status_code == 400
    for field in ("first", "sheets", "lang"):
        assert f'id="error-{field}"' in response.text


def test_a_tally_counts_on_every_public_count(
    organiser_client: TestClient, engine: Engine, petition: Petition
) -> None:
    response = enter(organiser_client, petition, number="3", count="15")
    assert response.status_code == 303
    page = organiser_client.get(f"/petitions/{petition.slug}").text
    assert "<strong>15 signatures</strong>" in page and 'value="15"' in page  # count and goal
    listed = organiser_client.get("/petitions").text
    assert "15 signatures" in listed
    breakdown = organiser_client.get(f"/petitions/{petition.slug}/breakdown").text
    assert "On paper: 15" in breakdown and "Belarus" in breakdown
    counts = organiser_client.get(f"/petitions/{petition.slug}/counts.json").json()
    assert counts["signature_count"] == 15
    assert (counts["online_count"], counts["paper_count"]) == (0, 15)
    assert counts["signatures_by_country"] == {"BY": 15}
    handover = organiser_client.get(f"/admin/petitions/{petition.id}/handover").text
    assert "15 signatures" in handover and "15 of them signed on paper." in handover
    handover_pdf = organiser_client.get(f"/admin/petitions/{petition.id}/handover.pdf")
    assert "15 of them signed on paper." in pdf_text(handover_pdf.content)[0]
    export = organiser_client.get(f"/admin/petitions/{petition.id}/export/signatures.csv")
    assert export.status_code == 200 and len(export.text.splitlines()) == 1  # online signers only
    dashboard = organiser_client.get(f"/admin/petitions/{petition.id}").text
    assert re.search(r"On paper</dt><dd>15<", dashboard)
    with Session(engine) as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "petition.paper_entered")
        ).one()
    assert event.details["number"] == 3 and event.details["count"] == 15
    assert "entered paper sheet no. 3" in dashboard  # the activity reads as a sentence


def test_a_sheet_entered_twice_is_refused_by_its_number(
    organiser_client: TestClient, petition: Petition, engine: Engine
) -> None:
    assert enter(organiser_client, petition, number="9").status_code == 303
    again = enter(organiser_client, petition, number="9", count="4")
    assert again.status_code == 400
    assert 'id="error-number"' in again.text
    assert "A sheet with this number is already entered." in again.text
    with Session(engine) as session:
        assert session.get(Petition, petition.id).signature_count == 15  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"count": "0"}, "count"),
        ({"count": "21"}, "count"),
        ({"count": "many"}, "count"),
        ({"number": "-1"}, "number"),
        ({"country": "XX"}, "country"),
    ],
)
def test_bad_tallies_are_refused_next_to_the_field(
    organiser_client: TestClient, petition: Petition, fields: dict[str, str], field: str
) -> None:
    response = enter(organiser_client, petition, **fields)
    assert response.status_code == 400
    assert f'id="error-{field}"' in response.text


def test_a_sheet_entered_row_by_row(
    organiser_client: TestClient, petition: Petition, engine: Engine
) -> None:
    page = f"/admin/petitions/{petition.id}/paper/rows"
    data = {
        "csrf_token": csrf_from(organiser_client, page),
        "number": "5",
        "country": "LT",
        "name_1": "Jonas",
        "city_1": "Kaunas",
        "country_2": "PL",
        "name_3": "x" * 121,
    }
    refused = organiser_client.post(page, data=data)
    assert refused.status_code == 400 and 'id="error-name_3"' in refused.text
    data["name_3"] = "Rūta"
    assert organiser_client.post(page, data=data).status_code == 303
    counts = organiser_client.get(f"/petitions/{petition.slug}/counts.json").json()
    assert counts["signatures_by_country"] == {"LT": 2, "PL": 1}


def test_only_a_data_steward_undoes_an_entry(
    client: TestClient, engine: Engine, petition: Petition
) -> None:
    campaigner = add_user(engine, "campaigner@example.org")
    make_member(engine, campaigner.id, OrgRole.campaigner)
    assert log_in(client, campaigner.email).status_code == 303
    assert enter(client, petition, number="2", count="10").status_code == 303
    with Session(engine) as session:
        sheet = session.exec(select(PaperSheet)).one()
    paper_page = f"/admin/petitions/{petition.id}/paper"
    token = csrf_from(client, paper_page)
    assert "/undo" not in client.get(paper_page).text
    refused = client.post(f"{paper_page}/{sheet.id}/undo", data={"csrf_token": token})
    assert refused.status_code == 403
    client.cookies.clear()

    steward = add_user(engine, "steward@example.org")
    make_member(engine, steward.id, OrgRole.steward)
    with_two_factor(engine, steward)
    assert log_in(client, steward.email).status_code == 303
    token = csrf_from(client, paper_page)
    assert f"{sheet.id}/undo" in client.get(paper_page).text
    assert client.post(f"{paper_page}/tally", data={"csrf_token": token}).status_code == 403
    done = client.post(f"{paper_page}/{sheet.id}/undo", data={"csrf_token": token})
    assert done.status_code == 303
    with Session(engine) as session:
        assert session.get(Petition, petition.id).signature_count == 0  # type: ignore[union-attr]
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.actor_id).where(
                col(AuditEvent.action).startswith("petition.paper")
            )
        ).all()
    assert sorted(actions) == [
        ("petition.paper_entered", campaigner.id),
        ("petition.paper_undone", steward.id),
    ]
    assert "undone" in client.get(paper_page).text
