"""Petition images: only real images, re-encoded, with no hidden location data."""

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import Engine

from campaign.core.settings import Settings
from tests.conftest import csrf_from
from tests.factories import make_petition


def photo_with_gps(fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (2400, 1200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)  # where the photo was taken: Minsk
    gps[1], gps[2] = "N", (IFDRational(53), IFDRational(54), IFDRational(0))
    gps[3], gps[4] = "E", (IFDRational(27), IFDRational(33), IFDRational(0))
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def upload(
    client: TestClient, petition_id: int, content: bytes, filename: str = "photo.jpg", **fields: str
):  # type: ignore[no-untyped-def]
    path = f"/admin/petitions/{petition_id}/edit"
    data = {
        "csrf_token": csrf_from(client, path),
        "title": "Free Maria",
        "slug": "free-maria",
        "goal": "100",
        **fields,
    }
    return client.post(path, data=data, files={"image": (filename, content, "image/jpeg")})


def test_an_uploaded_photo_is_re_encoded_without_its_location(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="free-maria")
    assert (
        Image.open(io.BytesIO(photo_with_gps())).getexif().get_ifd(0x8825)
    )  # the original has GPS
    response = upload(organiser_client, petition.id, photo_with_gps())  # type: ignore[arg-type]
    assert response.status_code == 303
    page = organiser_client.get("/petitions/free-maria").text
    src = page.split('class="petition-image" src="')[1].split('"')[0]
    served = organiser_client.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(served.content))
    assert stored.format == "JPEG" and max(stored.size) == 1600
    assert not stored.getexif()
    assert b"PhoneMaker" not in served.content
    assert 'property="og:image"' in page


def test_a_file_that_is_not_an_image_is_refused_next_to_the_field(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="free-maria")
    response = upload(
        organiser_client, petition.id, b"<?php system($_GET['c']); ?>", filename="shell.php.jpg"
    )  # type: ignore[arg-type]
    assert response.status_code == 400
    assert (
        'id="error-image"' in response.text and "Upload a JPEG, PNG or WebP image." in response.text
    )
    assert (
        not any(Path(settings.upload_dir).glob("*")) if Path(settings.upload_dir).exists() else True
    )


def test_an_oversized_upload_is_refused(organiser_client: TestClient, engine: Engine) -> None:
    petition = make_petition(engine, slug="free-maria")
    response = upload(organiser_client, petition.id, b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10))  # type: ignore[arg-type]
    assert response.status_code == 400
    assert "larger than 5 MB" in response.text


def test_replacing_and_removing_an_image_deletes_the_old_file(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="free-maria")
    upload(organiser_client, petition.id, photo_with_gps())  # type: ignore[arg-type]
    upload(organiser_client, petition.id, photo_with_gps("PNG"), filename="p.png")  # type: ignore[arg-type]
    assert len(list(Path(settings.upload_dir).glob("*.jpg"))) == 1
    path = f"/admin/petitions/{petition.id}/edit"
    organiser_client.post(
        path,
        data={
            "csrf_token": csrf_from(organiser_client, path),
            "title": "Free Maria",
            "slug": "free-maria",
            "goal": "100",
            "remove_image": "1",
        },
    )
    assert list(Path(settings.upload_dir).glob("*.jpg")) == []
    assert "petition-image" not in organiser_client.get("/petitions/free-maria").text


def test_media_serves_only_stored_images(client: TestClient) -> None:
    assert client.get("/media/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/media/" + "0" * 32 + ".jpg").status_code == 404


PLANTED = (b"53.9045N", b"Ivan Photographer", b"Minsk safe house", b"PhoneMaker")
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Ivan Photographer"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
# An IPTC caption in a Photoshop APP13 segment, as cameras and editors write it.
IPTC = (
    b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x16\x1c\x02\x78\x00\x10Minsk safe house\x00"
)


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo_with_every_metadata_kind() -> bytes:
    """A JPEG carrying EXIF GPS, XMP, IPTC, an ICC profile and a comment naming the place."""
    image = Image.new("RGB", (800, 600), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = "Ivan Photographer"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (IFDRational(53), IFDRational(54), IFDRational(0))
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        exif=exif,
        xmp=XMP,
        icc_profile=_srgb_profile(),
        comment=b"GPS 53.9045N 27.5615E; photographer Ivan Photographer",
    )
    data = out.getvalue()
    app13 = b"\xff\xed" + (len(IPTC) + 2).to_bytes(2, "big") + IPTC
    return data[:2] + app13 + data[2:]


def png_with_text_chunks(comment_size: int = 0) -> bytes:
    """A PNG with tEXt, iTXt and zTXt chunks and an ICC profile."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("comment", "GPS 53.9045N; photographer Ivan Photographer" + "x" * comment_size)
    info.add_itxt("Author", "Ivan Photographer", lang="ru", tkey="Автор")
    info.add_text("Location", "Minsk safe house", zip=True)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 200, 90)).save(
        out, format="PNG", pnginfo=info, icc_profile=_srgb_profile()
    )
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def served_image(client: TestClient, slug: str) -> bytes:
    page = client.get(f"/petitions/{slug}").text
    src = page.split('class="petition-image" src="')[1].split('"')[0]
    served = client.get(src)
    assert served.status_code == 200
    return served.content


def assert_no_metadata(served: bytes) -> None:
    for planted in PLANTED:
        assert planted not in served
    for marker in (b"Exif", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"ICC_PROFILE"):
        assert marker not in served
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"iCCP"):
        assert chunk not in served
    markers = jpeg_segments(served)
    # Only the image itself: no APPn but JFIF (0xE0), no comment (0xFE).
    assert [m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE] == []


def test_a_served_photo_keeps_no_comment_xmp_iptc_or_profile_from_the_upload(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, slug="free-maria")
    original = photo_with_every_metadata_kind()
    assert all(planted in original for planted in PLANTED)
    assert upload(organiser_client, petition.id, original).status_code == 303  # type: ignore[arg-type]
    assert_no_metadata(served_image(organiser_client, "free-maria"))


def test_a_served_png_keeps_none_of_its_text_chunks_or_profile(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, slug="free-maria")
    original = png_with_text_chunks()
    assert b"Ivan Photographer" in original and b"zTXt" in original and b"iCCP" in original
    response = upload(organiser_client, petition.id, original, filename="p.png")  # type: ignore[arg-type]
    assert response.status_code == 303
    served = served_image(organiser_client, "free-maria")
    assert Image.open(io.BytesIO(served)).getpixel((5, 5)) == pytest.approx((10, 200, 90), abs=3)
    assert_no_metadata(served)


def test_a_png_with_a_huge_comment_is_accepted_without_it(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, slug="free-maria")
    original = png_with_text_chunks(comment_size=70_000)
    response = upload(organiser_client, petition.id, original, filename="p.png")  # type: ignore[arg-type]
    assert response.status_code == 303
    assert_no_metadata(served_image(organiser_client, "free-maria"))


def test_an_image_that_cannot_be_decoded_is_a_form_error(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="free-maria")
    whole = photo_with_gps()
    response = upload(organiser_client, petition.id, whole[: len(whole) // 3])  # type: ignore[arg-type]
    assert response.status_code == 400
    assert "Upload a JPEG, PNG or WebP image." in response.text
