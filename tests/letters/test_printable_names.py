"""A letter to print shows every name it carries, or the review page says before the download
which characters the PDF cannot print."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.factories import make_letter_campaign
from tests.letters.test_journey import review, send

NOTICE = "cannot print these characters"


def test_a_chinese_name_prints_in_the_downloaded_letter_without_a_warning(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    page, data = review(client, campaign, name="王小明", city="台北")
    assert NOTICE not in page
    response = send(client, campaign, data, channel="print")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "王小明" in text and "台北" in text


def test_a_name_in_a_script_no_font_has_is_flagged_on_the_review_page_before_the_download(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    page, _ = review(client, campaign, name="राम Kumar")
    assert NOTICE in page
    notice = page.split(NOTICE)[1].split("</p>")[0]
    assert page.index(NOTICE) < page.index("Download to print and post (PDF)")
    assert "र" in notice and "म" in notice and "K" not in notice
