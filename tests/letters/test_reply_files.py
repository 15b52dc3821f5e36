"""Scanned replies from officials: served to anyone, so they carry only what the page shows."""

from __future__ import annotations

import io
import re
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.pdfs import document
from campaign.letters.models import LetterCampaign, Official, OfficialReply
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


def scanned_jpeg(*, progressive: bool = False) -> bytes:
    """A scanner's JPEG naming its operator (EXIF) and office (comment)."""
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = "Scanner Operator Ivanova"  # Artist
    page = Image.new("RGB", (60, 80), (240, 240, 230))
    page.paste((20, 20, 20), (10, 10, 50, 20))  # some ink, so a progressive file has many scans
    page.save(
        photo,
        format="JPEG",
        exif=exif,
        comment=b"Scanned at Registry Office 4",
        progressive=progressive,
    )
    return photo.getvalue()


def pdf_with_jpeg(jpeg: bytes) -> bytes:
    pdf = document("Reply")
    pdf.add_page()
    pdf.image(io.BytesIO(jpeg), x=10, y=10, w=60)
    return bytes(pdf.output())


def every_stream_decoded(data: bytes) -> bytes:
    """Every stream of a PDF as a reader decodes it (outer filters undone), one after another."""
    reader = PdfReader(io.BytesIO(data))
    numbers = {number for table in reader.xref.values() for number in table}
    found = [reader.get_object(number) for number in sorted(numbers | set(reader.xref_objStm))]
    return b"".join(item.get_data() for item in found if isinstance(item, StreamObject))


def with_image_stream(original: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    """The PDF with its one image's stream changed by `change(writer, stream)`."""
    writer = PdfWriter(clone_from=io.BytesIO(original))
    (image,) = writer.pages[0]["/Resources"]["/XObject"].values()
    change(writer, image.get_object())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def test_a_comment_or_exif_between_the_scans_of_a_progressive_jpeg_is_dropped_too(
    organiser_client: TestClient, engine: Engine
) -> None:
    jpeg = scanned_jpeg(progressive=True)
    first_scan = jpeg.index(b"\xff\xda")
    second_scan = jpeg.index(b"\xff\xda", first_scan + 2)
    planted = (
        segment(0xFE, b"Comment of Clerk Ivanov")
        + segment(0xE1, b"Exif\x00\x00GPS 53.9045N 27.5615E")
        + segment(0xED, b"Photoshop 3.0\x00IPTC Byline Petrova")
    )
    trailer = b"Trailer: GPS 53.9045N, after the end of the picture"
    jpeg = jpeg[:second_scan] + planted + jpeg[second_scan:] + trailer
    assert Image.open(io.BytesIO(jpeg)).size == (60, 80)
    original = pdf_with_jpeg(jpeg)
    assert b"Clerk Ivanov" in original and b"53.9045N" in original
    campaign = make_letter_campaign(engine)
    assert record(organiser_client, campaign, engine, original).status_code == 303
    served = served_file(organiser_client, campaign)
    for secret in (
        b"Clerk Ivanov",
        b"53.9045N",
        b"Byline Petrova",
        b"Operator Ivanova",
        b"Trailer",
    ):
        assert secret not in served
    (image,) = PdfReader(io.BytesIO(served)).pages[0].images
    assert image.image is not None and image.image.size == (60, 80)
    assert image.image.convert("L").getpixel((30, 15)) < 100  # the ink is still there


def flate_then_dct(writer: PdfWriter, stream: StreamObject) -> None:
    del stream["/DecodeParms"]  # fpdf2's, meant for no filter of a JPEG
    StreamObject.set_data(stream, zlib.compress(stream.get_data()))
    stream[NameObject("/Filter")] = ArrayObject(
        [NameObject("/FlateDecode"), NameObject("/DCTDecode")]
    )


def indirect_dct(writer: PdfWriter, stream: StreamObject) -> None:
    stream[NameObject("/Filter")] = writer._add_object(NameObject("/DCTDecode"))


def indirect_array(writer: PdfWriter, stream: StreamObject) -> None:
    del stream["/DecodeParms"]
    StreamObject.set_data(stream, zlib.compress(stream.get_data()))
    stream[NameObject("/Filter")] = writer._add_object(
        ArrayObject([NameObject("/FlateDecode"), NameObject("/DCTDecode")])
    )


@pytest.mark.parametrize(
    "change", [flate_then_dct, indirect_dct, indirect_array], ids=lambda f: f.__name__
)
def test_a_jpeg_behind_another_filter_or_an_indirect_filter_loses_its_metadata_too(
    organiser_client: TestClient, engine: Engine, change
) -> None:  # type: ignore[no-untyped-def]
    original = with_image_stream(pdf_with_jpeg(scanned_jpeg()), change)
    assert b"Scanner Operator Ivanova" in every_stream_decoded(original)
    campaign = make_letter_campaign(engine)
    assert record(organiser_client, campaign, engine, original).status_code == 303
    served = served_file(organiser_client, campaign)
    decoded = every_stream_decoded(served)
    assert b"Scanner Operator Ivanova" not in decoded and b"Registry Office 4" not in decoded
    (image,) = PdfReader(io.BytesIO(served)).pages[0].images
    assert image.image is not None and image.image.size == (60, 80)


def jpeg2000_with_location() -> bytes:
    """A JPEG 2000 scan with an XML box naming where it was made (as GeoJP2 and GML do)."""
    picture = io.BytesIO()
    Image.new("RGB", (60, 80), (240, 240, 230)).save(picture, format="JPEG2000")
    box = b"<gml>Scanned at 53.9045N 27.5615E by Clerk Ivanov</gml>"
    return picture.getvalue() + (len(box) + 8).to_bytes(4, "big") + b"xml " + box


def jpx(writer: PdfWriter, stream: StreamObject) -> None:
    del stream["/DecodeParms"]
    StreamObject.set_data(stream, jpeg2000_with_location())
    stream[NameObject("/Filter")] = NameObject("/JPXDecode")


def flate_then_jpx(writer: PdfWriter, stream: StreamObject) -> None:
    del stream["/DecodeParms"]
    StreamObject.set_data(stream, zlib.compress(jpeg2000_with_location()))
    stream[NameObject("/Filter")] = writer._add_object(
        ArrayObject([NameObject("/FlateDecode"), NameObject("/JPXDecode")])
    )


@pytest.mark.parametrize("change", [jpx, flate_then_jpx], ids=lambda f: f.__name__)
def test_a_pdf_with_a_jpeg_2000_image_is_refused_with_what_to_do(
    organiser_client: TestClient, engine: Engine, change
) -> None:  # type: ignore[no-untyped-def]
    original = with_image_stream(pdf_with_jpeg(scanned_jpeg()), change)
    assert b"53.9045N" in every_stream_decoded(original)
    campaign = make_letter_campaign(engine)
    response = record(organiser_client, campaign, engine, original)
    assert response.status_code == 400 and 'id="error-file"' in response.text
    assert "This PDF contains a JPEG 2000 image" in response.text
    with Session(engine) as session:
        assert session.exec(select(OfficialReply)).all() == []
