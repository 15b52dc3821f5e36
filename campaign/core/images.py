"""Uploaded images: checked, re-encoded and stripped of metadata (EXIF GPS!) before storing."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from campaign.core.i18n import _

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # refuses decompression bombs before they are decoded
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.jpg$")
_SRGB = ImageCms.createProfile("sRGB")


class ImageError(ValueError):
    """The upload is not an image we accept; the message is for the person uploading."""


def store_image(data: bytes, directory: Path) -> str:
    """Check and re-encode an upload as a plain JPEG without metadata; returns its file name."""
    if len(data) > MAX_BYTES:
        raise ImageError(_("The image is larger than 5 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ImageError(_("Upload a JPEG, PNG or WebP image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageError(_("The image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)  # keep the photo upright once EXIF is gone
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            clean = _pixels_only(upright, opened.info.get("icc_profile"))
        output = io.BytesIO()
        clean.save(output, format="JPEG", quality=85, optimize=True)
    except ImageError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ImageError(_("Upload a JPEG, PNG or WebP image.")) from exc
    name = f"{uuid.uuid4().hex}.jpg"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(output.getvalue())
    return name


def _pixels_only(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The picture in sRGB as a new image that carries nothing else.

    Pillow copies `info` (a JPEG comment, XMP, a PNG text chunk named "comment", the ICC
    profile) through convert() and writes some of it back on save, so only the pixels move
    over. Colours are turned into sRGB first, so dropping the profile changes no colour.
    """
    rgb = None
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            rgb = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            rgb = None  # a broken or unusual profile: the colours as they are
    if rgb is None:
        rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def image_path(directory: Path, name: str) -> Path | None:
    """The stored file for a name made by store_image, or None for anything else."""
    if not NAME_PATTERN.match(name):
        return None
    path = directory / name
    return path if path.is_file() else None
