"""A prisoner letter's PDF prints the volunteer's signature in Chinese too, and the preview says
which characters no font can print before the download."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine

from campaign.prisoners.service import phrasebook
from tests.conftest import csrf_from
from tests.factories import make_prisoner

NOTICE = "cannot print these characters"


def post(client: TestClient, path: str, action: str, **fields: str):  # type: ignore[no-untyped-def]
    greeting = phrasebook.by_category()["greeting"][0].id
    data = {"csrf_token": csrf_from(client, path), "language": "ru", "phrase": [greeting]}
    return client.post(path, data={**data, "action": action, **fields})


def test_a_chinese_signature_and_return_address_print_in_the_pdf(
    client: TestClient, engine: Engine
) -> None:
    path = f"/prisoners/{make_prisoner(engine).slug}/write"
    preview = post(client, path, "preview", signature="王小明", return_address="台北 100")
    assert preview.status_code == 200 and NOTICE not in preview.text
    response = post(client, path, "pdf", signature="王小明", return_address="台北 100")
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "王小明" in text and "台北" in text


def test_a_signature_no_font_has_is_flagged_in_the_preview(
    client: TestClient, engine: Engine
) -> None:
    path = f"/prisoners/{make_prisoner(engine).slug}/write"
    preview = post(client, path, "preview", signature="राम")
    assert preview.status_code == 200 and NOTICE in preview.text
    assert "र" in preview.text.split(NOTICE)[1].split("</p>")[0]
