"""PDF documents with an embedded Unicode font, so Cyrillic, Polish, Lithuanian and Chinese,
Japanese or Korean names print right; and uploaded PDFs rewritten without the metadata that
names who wrote or scanned them."""

from __future__ import annotations

import io
import logging
import re
import uuid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.core.i18n import _
from campaign.core.settings import PROJECT_DIR

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = PROJECT_DIR / "static" / "fonts"
FONT = "DejaVu"
# Chinese, Japanese and Korean, which DejaVu lacks. 3.4 MB to parse (half a second), so it is
# added to a document only when a text needs it.
FALLBACK = "DroidFallback"
FALLBACK_FILE = FONT_DIR / "DroidSansFallback.ttf"

# fpdf2 warns with the characters a font lacks, and fontTools logs the glyphs it keeps, at INFO:
# both quote the document's text, supporters' names. However the process set up its logging.
logging.getLogger("fpdf").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.WARNING)


def document(title: str, *, numbered: bool = False, **options: Any) -> FPDF:
    """A new PDF (A4 unless told otherwise) with DejaVu Sans regular and bold embedded, and
    Droid Sans Fallback for the characters they lack; `numbered` puts "3 / 12" at the foot of
    each page, so a printed stack stays in order.

    fpdf2 (with fontTools, 45 MB) is imported by the first PDF an app process makes, not by
    every process at start: most never make one.
    """
    pdf = (_numbered_class() if numbered else _document_class())(**{"format": "A4", **options})
    pdf.set_title(title)
    pdf.set_creator("campaign")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    return pdf


def unprintable(*texts: str) -> str:
    """The characters of the texts that none of the shipped fonts has, each once: a PDF
    would print them as blanks, so the page can say so before the download."""
    chars = {char for text in texts for char in text if not char.isspace()}
    # Latin, Greek and Cyrillic are all in DejaVu: most texts never load a font's table.
    if all(ord(char) < 0x0530 for char in chars):
        return ""
    covered = _covered()
    return "".join(sorted(char for char in chars if ord(char) not in covered and char >= " "))


@cache
def _covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for path in (FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf", FALLBACK_FILE):
        with TTFont(str(path), lazy=True) as font:
            points |= set(font.getBestCmap())
    return frozenset(points)


@cache
def _document_class() -> type[FPDF]:
    from fpdf import FPDF

    class Document(FPDF):
        fallback_added = False

        def normalize_text(self, text: str) -> str:
            # Every text passes here before it is measured or placed (cell, multi_cell, write,
            # get_string_width), so the fallback font is in place before fpdf2 looks for it.
            text = str(super().normalize_text(text))
            cmap = getattr(self.current_font, "cmap", None)  # TTF fonts have one; ours all are
            if (
                not self.fallback_added
                and cmap
                and any(ord(char) not in cmap for char in text if char >= " ")
            ):
                self.fallback_added = True
                self.add_font(FALLBACK, "", str(FALLBACK_FILE))
                # The bold of a name in the fallback script is printed regular.
                self.set_fallback_fonts([FALLBACK], exact_match=False)
            return text

    return Document


@cache
def _numbered_class() -> type[FPDF]:
    class NumberedPDF(_document_class()):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.cell(0, 6, f"{self.page_no()} / {{nb}}", align="C")

    return NumberedPDF


# -- uploaded PDFs ---------------------------------------------------------------------------

MAX_PAGES = 100
# Keys that name people, programs or places, or that run or carry something besides the page:
# document and per-object XMP, application data, actions and scripts, attachments, forms,
# annotations (comments carry their author's name), tagged structure (alternate texts).
DROPPED_KEYS = frozenset(
    {
        "/Metadata",
        "/PieceInfo",
        "/LastModified",
        "/AA",
        "/OpenAction",
        "/JS",
        "/JavaScript",
        "/Names",
        "/EmbeddedFiles",
        "/AF",
        "/AcroForm",
        "/Annots",
        "/StructTreeRoot",
        "/StructParents",
        "/SpiderInfo",
    }
)

# A stream's filter names as written, abbreviations too (pypdf and some readers accept them).
JPEG_FILTERS = frozenset({"/DCTDecode", "/DCT"})
JPEG_2000_FILTERS = frozenset({"/JPXDecode", "/JPX"})


class PdfUploadError(ValueError):
    """The PDF cannot be kept; the message is for the person uploading."""


UPLOAD_MAX_BYTES = 5 * 1024 * 1024
STORED_PDF = re.compile(r"^[0-9a-f]{32}\.pdf$")


def store_pdf(data: bytes, directory: Path) -> str:
    """Keep an uploaded PDF, its pages rewritten without metadata, attachments or scripts
    (anyone may download it); returns its file name in the upload directory."""
    if not data.startswith(b"%PDF-"):
        raise PdfUploadError(_("Upload a PDF document."))
    if len(data) > UPLOAD_MAX_BYTES:
        raise PdfUploadError(_("The file is larger than 5 MB."))
    clean = without_metadata(data)
    name = f"{uuid.uuid4().hex}.pdf"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(clean)
    return name


def stored_pdf_path(directory: Path, name: str) -> Path | None:
    """The file for a name made by store_pdf, or None for anything else."""
    if not STORED_PDF.match(name):
        return None
    path = directory / name
    return path if path.is_file() else None


def without_metadata(data: bytes) -> bytes:
    """The pages of an uploaded PDF copied into a new file that keeps nothing else: no
    document information (/Author, /Creator, /Producer), no XMP anywhere, no attachments,
    scripts, forms or annotations. Old revisions and unreferenced objects stay behind too."""
    from pypdf import PasswordType, PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise PdfUploadError(_("Remove the password from the PDF and upload it again."))
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise PdfUploadError(_("The PDF has more than %(count)s pages.", count=MAX_PAGES))
        if not count:
            raise PdfUploadError(_("Upload a PDF or a JPEG, PNG or WebP image."))
        # Scrubbed in the reader, before copying: the writer would still write an object
        # that was copied and then unlinked. The pages are pypdf's copies of their dictionaries.
        _scrub([reader.root_object, *reader.pages])
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        writer.metadata = None  # no /Info at all, not even pypdf's /Producer
        output = io.BytesIO()
        writer.write(output)
    except PdfUploadError:
        raise
    except Exception as exc:  # a malformed file makes pypdf raise almost any kind of error
        raise PdfUploadError(_("Upload a PDF or a JPEG, PNG or WebP image.")) from exc
    return output.getvalue()


def _scrub(roots: list[Any]) -> None:
    """Drop DROPPED_KEYS from every dictionary and stream reachable from the roots."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    seen: set[tuple[int, int]] = set()
    stack = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in DROPPED_KEYS.intersection(item.keys()):
                del item[key]
            if isinstance(item, StreamObject):
                _scrub_image(item)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _filter_names(stream: Any) -> list[str]:
    """The names of a stream's filters, outermost first, an indirect /Filter or entry read."""
    from pypdf.generic import ArrayObject

    filters = stream.get("/Filter")
    filters = filters.get_object() if filters is not None else None
    if filters is None:
        return []
    items = filters if isinstance(filters, ArrayObject) else [filters]
    return [str(entry.get_object()) for entry in items]


def _scrub_image(stream: Any) -> None:
    """A scanner's JPEG keeps its own EXIF, XMP and comments inside the PDF: they are dropped,
    behind whatever other filters the JPEG was wrapped in. JPEG 2000 carries its metadata in
    boxes anywhere in the file (GeoJP2 puts the place there): such a PDF is refused."""
    from pypdf.filters import decode_stream_data
    from pypdf.generic import ArrayObject, NameObject, StreamObject

    names = _filter_names(stream)
    if JPEG_2000_FILTERS.intersection(names):
        raise PdfUploadError(
            _("This PDF contains a JPEG 2000 image; save it as a normal scan/PDF and upload again.")
        )
    if not JPEG_FILTERS.intersection(names):
        return
    if names[-1] not in JPEG_FILTERS or sum(name in JPEG_FILTERS for name in names) != 1:
        raise PdfUploadError(_("Upload a PDF or a JPEG, PNG or WebP image."))
    jpeg = decode_stream_data(stream)  # the outer filters undone; the JPEG's bytes as they are
    if len(names) > 1:
        # The JPEG is written bare: the outer filters and their parameters go, its own stay.
        parameters = stream.get("/DecodeParms")
        parameters = parameters.get_object() if parameters is not None else None
        if isinstance(parameters, ArrayObject) and len(parameters) == len(names):
            stream[NameObject("/DecodeParms")] = parameters[-1]
        elif "/DecodeParms" in stream:
            del stream["/DecodeParms"]
        stream[NameObject("/Filter")] = NameObject("/DCTDecode")
    StreamObject.set_data(stream, _jpeg_without_metadata(jpeg))


def _jpeg_without_metadata(data: bytes) -> bytes:
    """A JPEG's bytes without any APP1-APP13 or APP15 segment (EXIF, XMP, ICC, IPTC) or
    comment, wherever it stands (a progressive file may have them between its scans), the
    picture untouched; nothing after the end marker. APP0 (JFIF) and APP14 (Adobe) say how to
    read colours. A file whose markers cannot be followed is refused: what it holds is unknown."""
    if data[:2] != b"\xff\xd8":
        raise PdfUploadError(_("Upload a PDF or a JPEG, PNG or WebP image."))
    kept, at, size = [data[:2]], 2, len(data)
    while at + 2 <= size:
        if data[at] != 0xFF:
            raise PdfUploadError(_("Upload a PDF or a JPEG, PNG or WebP image."))
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0xD9:  # end of image
            kept.append(data[at : at + 2])
            return b"".join(kept)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            kept.append(data[at : at + 2])
            at += 2
            continue
        if at + 4 > size:
            break
        end = at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if end > size or end < at + 4:
            break
        if not (0xE1 <= marker <= 0xEF and marker != 0xEE) and marker != 0xFE:
            kept.append(data[at:end])
        at = end
        if marker == 0xDA:  # start of scan: coded data up to the next marker that is not a
            # stuffed 0xFF00 or a restart marker, which belong to the scan
            scan = at
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= size:  # cut short without an end marker: pixels only
                    kept.append(data[scan:])
                    return b"".join(kept)
                following = data[at + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    at += 2
                    continue
                break
            kept.append(data[scan:at])
    raise PdfUploadError(_("Upload a PDF or a JPEG, PNG or WebP image."))
