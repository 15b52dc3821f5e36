"""Scanned replies from officials: served to anyone, so they carry only what the page shows."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.letters.models import LetterCampaign, Official, OfficialReply
from campaign.pdfs import document
from tests.conftest import csrf_from
from tests.factories import make_letter_campaign

PLANTED = (
    b"Clerk Ivanov",  # /Author
    b"Embassy Scanner 3000",  # /Creator
    b"Ministry PDF Producer",  # /Producer
    b"Secret Registry No 17",  # document XMP
    b"Page Owner Petrova",  # a page's own XMP
    b"Font Maker Sidorov",  # a font's XMP
    b"SupportersList",  # an embedded file
    b"SecretScript",  # JavaScript
)


def xmp(value: str) -> StreamObject:
    stream = StreamObject()
    stream.set_data(
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>'
        + value.encode()
        + b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    return stream


def scanned_reply_pdf() -> bytes:
    """A one-page reply whose file names its author, its scanner, and more, in every place."""
    pdf = document("Reply")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 10, "The case is under review.")
    writer = PdfWriter(clone_from=io.BytesIO(bytes(pdf.output())))
    writer.add_metadata(
        {
            "/Author": "Clerk Ivanov",
            "/Creator": "Embassy Scanner 3000",
            "/Producer": "Ministry PDF Producer",
        }
    )
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp("Secret Registry No 17"))
    page = writer.pages[0]
    page[NameObject("/Metadata")] = writer._add_object(xmp("Page Owner Petrova"))
    page[NameObject("/PieceInfo")] = DictionaryObject()
    font = next(iter(page["/Resources"]["/Font"].values())).get_object()
    font[NameObject("/Metadata")] = writer._add_object(xmp("Font Maker Sidorov"))
    writer.add_attachment("SupportersList", b"name,email\nAna,ana@example.org\n")
    writer.add_open_action(JavaScript("var SecretScript = 1"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def record(client: TestClient, campaign: LetterCampaign, engine: Engine, data: bytes):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        envoy = session.exec(select(Official.id).where(Official.name == "Jane Envoy")).first()
    token = csrf_from(client, f"/admin/letters/{campaign.id}/dashboard")
    return client.post(
        f"/admin/letters/{campaign.id}/replies",
        data={
            "csrf_token": token,
            "official_id": str(envoy),
            "received_on": "2026-11-20",
            "summary": "The embassy says the case is under review.",
        },
        files={"file": ("reply.pdf", data, "application/pdf")},
    )


def served_file(client: TestClient, campaign: LetterCampaign) -> bytes:
    public = client.get(f"/letters/{campaign.slug}")
    link = re.search(r'href="(/letters/[^"]+/file)"', public.text)
    assert link is not None
    served = client.get(link.group(1))
    assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
    return served.content


def test_a_scanned_reply_pdf_is_served_without_author_creator_xmp_or_attachments(
    organiser_client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    original = scanned_reply_pdf()
    assert all(planted in original for planted in PLANTED)
    assert record(organiser_client, campaign, engine, original).status_code == 303
    served = served_file(organiser_client, campaign)
    for planted in PLANTED:
        assert planted not in served
    for key in (b"/Author", b"/Creator", b"/Producer", b"/Metadata", b"/EmbeddedFile", b"/JS"):
        assert key not in served
    reader = PdfReader(io.BytesIO(served))
    assert len(reader.pages) == 1
    assert "The case is under review." in reader.pages[0].extract_text()
    assert not reader.metadata and reader.xmp_metadata is None


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", b"%PDF-" + b"\x00" * 500],
    ids=["no-pages", "garbage"],
)
def test_a_pdf_that_cannot_be_read_is_refused_next_to_the_field(
    organiser_client: TestClient, engine: Engine, data: bytes
) -> None:
    campaign = make_letter_campaign(engine)
    response = record(organiser_client, campaign, engine, data)
    assert response.status_code == 400
    assert 'id="error-file"' in response.text
    assert "Upload a PDF or a JPEG, PNG or WebP image." in response.text
    with Session(engine) as session:
        assert session.exec(select(OfficialReply)).all() == []


def test_a_password_protected_pdf_is_refused_with_a_reason(
    organiser_client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    writer = PdfWriter(clone_from=io.BytesIO(scanned_reply_pdf()))
    writer.encrypt(user_password="secret", owner_password="secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    response = record(organiser_client, campaign, engine, out.getvalue())
    assert response.status_code == 400
    assert "Remove the password from the PDF" in response.text


def test_a_scanned_page_keeps_no_exif_or_comment_inside_its_jpeg(
    organiser_client: TestClient, engine: Engine
) -> None:
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = "Scanner Operator Ivanova"  # Artist
    Image.new("RGB", (60, 80), (240, 240, 230)).save(
        photo, format="JPEG", exif=exif, comment=b"Scanned at Registry Office 4"
    )
    pdf = document("Reply")
    pdf.add_page()
    pdf.image(io.BytesIO(photo.getvalue()), x=10, y=10, w=60)
    original = bytes(pdf.output())
    assert b"Scanner Operator Ivanova" in original and b"Registry Office 4" in original
    campaign = make_letter_campaign(engine)
    assert record(organiser_client, campaign, engine, original).status_code == 303
    served = served_file(organiser_client, campaign)
    assert b"Scanner Operator Ivanova" not in served and b"Registry Office 4" not in served
    (image,) = PdfReader(io.BytesIO(served)).pages[0].images
    assert image.image is not None and image.image.size == (60, 80)
