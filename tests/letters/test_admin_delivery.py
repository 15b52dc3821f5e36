"""The organiser's side of letters: the dashboard, pauses, cancelling, test letters, replies."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.letters.models import CampaignTarget, LetterCampaign, Official, OfficialReply
from campaign.letters.service import delivery
from tests.conftest import csrf_from
from tests.factories import make_letter_campaign, send_mail
from tests.letters.test_delivery import confirm_all, write
from tests.smtp_server import SmtpServer


def dashboard_path(campaign: LetterCampaign) -> str:
    return f"/admin/letters/{campaign.id}/dashboard"


def test_the_dashboard_counts_letters_per_official_and_exports_them_without_supporters(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")
    write(engine, settings, campaign, "boris@example.org", name="Boris Petrov")
    confirm_all(engine, settings, campaign)
    page = organiser_client.get(dashboard_path(campaign))
    assert page.status_code == 200
    assert "Jane Envoy" in page.text and "<svg" in page.text
    exported = organiser_client.get(f"/admin/letters/{campaign.id}/counts.csv")
    assert exported.status_code == 200
    lines = exported.text.strip().splitlines()
    assert lines[0] == "date,official,title,written,confirmed,sent,bounced,cancelled,mailto,printed"
    assert any(",Jane Envoy,Ambassador,2,2,0,0,0,0,0" in line for line in lines)
    assert "ana@example.org" not in exported.text and "Boris" not in exported.text
    with Session(engine) as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert "letters.counts_exported" in actions


def test_an_organiser_pauses_an_official_and_cancels_their_letters(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")
    confirm_all(engine, settings, campaign)
    with Session(engine) as session:
        envoy = session.exec(select(Official.id).where(Official.name == "Jane Envoy")).first()
    token = csrf_from(organiser_client, dashboard_path(campaign))
    path = f"/admin/letters/{campaign.id}/delivery"
    paused = organiser_client.post(
        path, data={"csrf_token": token, "official_id": str(envoy), "action": "pause"}
    )
    assert paused.status_code == 303
    with Session(engine) as session:
        target = session.exec(
            select(CampaignTarget).where(CampaignTarget.official_id == envoy)
        ).one()
        assert target.paused
    cancelled = organiser_client.post(
        path, data={"csrf_token": token, "official_id": str(envoy), "action": "cancel"}
    )
    assert cancelled.status_code == 303
    page = organiser_client.get(dashboard_path(campaign))
    assert "1 letter cancelled." in page.text
    with transaction(engine) as session:
        assert delivery.release_due(session, settings=settings) == 1  # the prosecutor's only
    stranger = organiser_client.post(
        path, data={"csrf_token": token, "official_id": "999999", "action": "pause"}
    )
    assert stranger.status_code == 400


def test_an_organiser_gets_a_test_letter_marked_as_such(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    token = csrf_from(organiser_client, dashboard_path(campaign))
    response = organiser_client.post(
        f"/admin/letters/{campaign.id}/test", data={"csrf_token": token, "language": "ru"}
    )
    assert response.status_code == 303
    send_mail(engine, settings)
    (letter,) = smtp.messages
    assert letter["Subject"].startswith("[TEST] Освободите")
    assert "Anna Kavalchuk" in letter.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_recorded_reply_with_its_scan_appears_on_the_campaign_page(
    organiser_client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    with Session(engine) as session:
        envoy = session.exec(select(Official.id).where(Official.name == "Jane Envoy")).first()
    token = csrf_from(organiser_client, dashboard_path(campaign))
    scan = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(scan, format="PNG")
    response = organiser_client.post(
        f"/admin/letters/{campaign.id}/replies",
        data={
            "csrf_token": token,
            "official_id": str(envoy),
            "received_on": "2026-11-20",
            "summary": "The embassy says the case is under review.",
        },
        files={"file": ("scan.png", scan.getvalue(), "image/png")},
    )
    assert response.status_code == 303
    public = organiser_client.get(f"/letters/{campaign.slug}")
    assert "The embassy says the case is under review." in public.text
    link = re.search(r'href="(/letters/[^"]+/file)"', public.text)
    assert link is not None
    image = organiser_client.get(link.group(1))
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"


def test_a_reply_with_a_bad_file_or_no_summary_is_refused_with_reasons(
    organiser_client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    token = csrf_from(organiser_client, dashboard_path(campaign))
    response = organiser_client.post(
        f"/admin/letters/{campaign.id}/replies",
        data={"csrf_token": token, "official_id": "", "received_on": "yesterday", "summary": ""},
        files={"file": ("reply.exe", b"MZ\x90\x00not a document", "application/octet-stream")},
    )
    assert response.status_code == 400
    for field in ("official_id", "received_on", "summary"):
        assert f'id="error-{field}"' in response.text
    with Session(engine) as session:
        assert session.exec(select(OfficialReply)).all() == []
