"""Petition images: only real images, re-encoded, with no hidden location data."""

import io
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import Engine

from campaign.settings import Settings
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
