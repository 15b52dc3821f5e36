"""The pictures a postcard's front can carry: a few calm drawings shipped with the app (no
words, nothing a censor could read as political) and those organisers uploaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from campaign.core.i18n import _
from campaign.core.images import image_path, store_image
from campaign.core.settings import PROJECT_DIR
from campaign.prisoners.postcards.models import PostcardPicture

SHIPPED_DIR = PROJECT_DIR / "static" / "postcards"
SHIPPED = ("flowers", "hills", "birds", "sea")


@dataclass(frozen=True)
class Picture:
    """A picture to choose: its key (stored on the card), what it shows, and where it is served."""

    key: str
    label: str
    url: str


def _shipped_labels() -> dict[str, str]:
    return {
        "flowers": _("Flowers"),
        "hills": _("Green hills"),
        "birds": _("Two birds on a branch"),
        "sea": _("The sea at sunset"),
    }


def shipped() -> list[Picture]:
    """The pictures that come with the app."""
    labels = _shipped_labels()
    return [Picture(key, labels[key], f"/static/postcards/{key}.png") for key in SHIPPED]


def own(session: Session) -> list[PostcardPicture]:
    """The organisers' pictures, newest first."""
    return list(session.exec(select(PostcardPicture).order_by(col(PostcardPicture.id).desc())))


def choices(session: Session) -> list[Picture]:
    """The shipped pictures, then the organisers' own."""
    label = _("A picture the organisers added")
    return shipped() + [
        Picture(picture.file, label, f"/media/{picture.file}") for picture in own(session)
    ]


def picture_file(session: Session, key: str, upload_dir: Path) -> Path | None:
    """The file of a picture one may choose now, or None for anything else."""
    if key in SHIPPED:
        return SHIPPED_DIR / f"{key}.png"
    listed = session.exec(select(PostcardPicture.id).where(PostcardPicture.file == key)).first()
    return image_path(upload_dir, key) if listed is not None else None


def add_picture(
    session: Session, *, data: bytes, upload_dir: Path, user_id: int | None
) -> PostcardPicture:
    """Store an upload, checked and re-encoded without metadata (raises core.images.ImageError)."""
    picture = PostcardPicture(file=store_image(data, upload_dir), uploaded_by=user_id)
    session.add(picture)
    session.flush()
    return picture


def remove_picture(session: Session, *, picture_id: int, upload_dir: Path) -> bool:
    """Remove an organiser's picture and its file; cards printed with it keep their record."""
    picture = session.get(PostcardPicture, picture_id)
    if picture is None:
        return False
    session.delete(picture)
    session.flush()
    (upload_dir / picture.file).unlink(missing_ok=True)
    return True
