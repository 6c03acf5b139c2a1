"""A scanned coordinate table (JPG, PNG, TIFF, PDF) read into points to review (issue 17).

The surveyor's table (Borne / X / Y) is read by OCR, offline (zoning.intake.scan_ocr), or taken
from a PDF's own text when it has some. Nothing read here is trusted: the points come back with
each cell's confidence and a flag on every point whose reading is not sure
(zoning.intake.scan_review), and the usual intake runs on them (closure, self-intersection,
area against the contenance) so that its findings point at bornes too. A note is issued only
from points a person has confirmed, sent again as ordinary coordinates.

Bad files are refused before any heavy work: the image's size is read from its header and
checked against the pixel limit before it is decoded (a decompression bomb never expands), a
PDF's or a TIFF's page count before any page is rendered.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np

from zoning.intake.diagnostics import (
    Code,
    Diagnostic,
    ParcelInputError,
    Severity,
    error,
    fr,
    refuse,
    warning,
)
from zoning.intake.model import Borne, ParcelInput, PlanPerimeter, SourceParcel
from zoning.intake.reader import build_parcel
from zoning.intake.scan_image import straighten
from zoning.intake.scan_ocr import engine, reading_lock
from zoning.intake.scan_review import Review, flag_bornes, review_rows
from zoning.intake.scan_table import (
    Cell,
    Word,
    group_rows,
    join_label,
    read_table,
    text_words,
    words_of,
)

SCAN_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"}
_MAGIC = {
    b"\xff\xd8\xff": "image",
    b"\x89PNG\r\n\x1a\n": "image",
    b"II*\x00": "image",
    b"MM\x00*": "image",
    b"%PDF-": "pdf",
}
#: A phone photo is 12 to 50 megapixels; an A4 page at 600 dpi is 35. Beyond, refused unread.
MAX_PIXELS = 60_000_000
#: A coordinate table fills a page or three; a long PDF is not one (and each page costs OCR).
MAX_PAGES = 20
#: Pages are read at most this long on their longest side (A4 at about 200 dpi): the text of
#: a table stays well readable, and the OCR's time follows the pixels.
WORK_SIDE = 2200
#: A PDF's scanned page is rendered at this resolution.
PDF_DPI = 200
#: A PDF page whose text holds at least this many table rows is read from its text.
PDF_TEXT_ROWS = 3


def is_scan(data: bytes | str | Sequence[Any], filename: str | None = None) -> bool:
    """True for an image or a PDF (by its name, else by its first bytes)."""
    if filename and PurePath(filename).suffix.lower() in SCAN_SUFFIXES:
        return True
    if not isinstance(data, bytes):
        return False
    return any(data.startswith(magic) for magic in _MAGIC)


@dataclass(frozen=True)
class ScanCell:
    """One cell as read, with its confidence and whether it is sure."""

    text: str
    confidence: float
    uncertain: bool
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The cell as the preview answers it."""
        return {
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "uncertain": self.uncertain,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class ScanPoint:
    """A borne as read from the table: a point's confidence is its weaker coordinate's."""

    borne: str
    x: float
    y: float
    confidence: float
    uncertain: bool
    line: int
    page: int
    cells: dict[str, ScanCell]

    def to_json(self) -> dict[str, Any]:
        """The point as the preview answers it (issue 17)."""
        return {
            "borne": self.borne,
            "x": self.x,
            "y": self.y,
            "confidence": round(self.confidence, 3),
            "uncertain": self.uncertain,
            "line": self.line,
            "page": self.page,
            "cells": {name: cell.to_json() for name, cell in self.cells.items()},
        }


@dataclass(frozen=True)
class ScanReading:
    """What was read from a scan, before any person checked it."""

    points: tuple[ScanPoint, ...]
    pages: int
    source: str  # « ocr » or « texte_pdf »
    engine: str | None
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def needs_review(self) -> bool:
        """Always true in spirit; false only when every point was read surely."""
        return any(p.uncertain for p in self.points) or bool(self.warnings)


@dataclass(frozen=True)
class ScanResult:
    """A reading with the intake's verdict on it: the parcel if the points make one."""

    reading: ScanReading
    parcel: ParcelInput | None
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The findings that would refuse these points as coordinates."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The other findings (the reading's and the intake's)."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def needs_review(self) -> bool:
        """True when a point is uncertain or the intake found anything to say."""
        return self.reading.needs_review or bool(self.diagnostics) or self.parcel is None


# --- reading -------------------------------------------------------------------------------


def read_scan(
    data: bytes,
    *,
    filename: str | None = None,
    max_pixels: int = MAX_PIXELS,
    max_pages: int = MAX_PAGES,
    engine_name: str = "rapidocr",
) -> ScanReading:
    """The coordinate table of an image or a PDF, each point with its confidence and flag."""
    pages = open_pages(data, filename, max_pixels=max_pixels, max_pages=max_pages)
    lines: list[tuple[int, list[Word]]] = []
    exact = True
    for number, page in enumerate(pages, start=1):
        if isinstance(page, list):
            lines.extend((number, text_words(line)) for line in page)
            continue
        exact = False
        lines.extend((number, words) for words in ocr_lines(page, engine_name))
    table = read_table(lines)
    if not table.rows:
        refuse(
            error(
                Code.NO_TABLE_FOUND,
                "Aucun tableau de coordonnées (Borne, X, Y) n'a été trouvé sur "
                f"{'la page' if len(pages) == 1 else f'les {len(pages)} pages'} : "
                "photographiez le tableau du géomètre bien à plat, net et en entier.",
            )
        )
    reviews = review_rows(table.rows, exact=exact, unread=len(table.unread))
    warnings = [
        warning(Code.UNREAD_ROW, f"Ligne non lue : « {text[:80]} » ; ajoutez la borne à la main.")
        for text in table.unread
    ]
    return ScanReading(
        points=tuple(_point(r) for r in reviews),
        pages=len(pages),
        source="texte_pdf" if exact else "ocr",
        engine=None if exact else engine_name,
        warnings=tuple(warnings),
    )


def ocr_lines(gray: np.ndarray, engine_name: str = "rapidocr") -> list[list[Word]]:
    """A page's lines of words, by OCR, once the table is straightened."""
    table = straighten(gray)
    with reading_lock:
        tokens = engine(engine_name).read(table)
    return [join_label(words_of(row)) for row in group_rows(tokens)]


def _point(review: Review) -> ScanPoint:
    """A reviewed row as a point."""
    row = review.row
    cells = {
        "borne": _cell(row.label, review.borne, review.reasons.get("borne", [])),
        "x": _cell(row.x, None, review.reasons.get("x", [])),
        "y": _cell(row.y, None, review.reasons.get("y", [])),
    }
    return ScanPoint(
        borne=review.borne,
        x=float(row.x.value or 0.0),
        y=float(row.y.value or 0.0),
        confidence=min(row.x.confidence, row.y.confidence),
        uncertain=review.uncertain,
        line=row.number,
        page=row.page,
        cells=cells,
    )


def _cell(cell: Cell | None, text: str | None, reasons: Sequence[str]) -> ScanCell:
    return ScanCell(
        text=text if text is not None else (cell.text if cell else ""),
        confidence=cell.confidence if cell else 0.0,
        uncertain=bool(reasons),
        reasons=tuple(reasons),
    )


# --- files ---------------------------------------------------------------------------------

Page = np.ndarray | list[str]  # a greyscale image, or a PDF page's text lines


def open_pages(
    data: bytes, filename: str | None, *, max_pixels: int = MAX_PIXELS, max_pages: int = MAX_PAGES
) -> list[Page]:
    """The pages of an image (each frame of a TIFF) or of a PDF, checked before decoding."""
    if data.startswith(b"%PDF-") or (filename or "").lower().endswith(".pdf"):
        return _pdf_pages(data, max_pixels, max_pages)
    return _image_pages(data, max_pixels, max_pages)


def _image_pages(data: bytes, max_pixels: int, max_pages: int) -> list[Page]:
    """Every frame of an image, its size checked from the header before it is decoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError:
        # Pillow's own guard, on the header too, for sizes far over ours
        refuse(
            _too_large(f"l'image dépasse {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f}", max_pixels)
        )
    except (UnidentifiedImageError, OSError, ValueError):
        refuse(_not_an_image())
    frames = getattr(image, "n_frames", 1)
    if frames > max_pages:
        refuse(_too_many_pages(frames, max_pages))
    pages: list[Page] = []
    for index in range(frames):
        image.seek(index)
        _check_pixels(image.size, max_pixels, index + 1 if frames > 1 else None)
        try:
            pages.append(_decoded(image, ImageOps))
        except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
            refuse(_not_an_image(damaged=True))
    return pages


def _decoded(image: Any, image_ops: Any) -> np.ndarray:
    """A frame in grey, upright (EXIF orientation), at most WORK_SIDE long."""
    from PIL import Image

    longest = max(image.size)
    if image.format == "JPEG" and longest > 2 * WORK_SIDE:
        # JPEG decodes at 1/2, 1/4 or 1/8 directly: a phone photo never expands at full size
        image.draft(
            "L", (image.size[0] * WORK_SIDE // longest, image.size[1] * WORK_SIDE // longest)
        )
    frame = image_ops.exif_transpose(image.convert("L") if image.mode != "L" else image)
    if max(frame.size) > WORK_SIDE:
        scale = WORK_SIDE / max(frame.size)
        size = (round(frame.size[0] * scale), round(frame.size[1] * scale))
        frame = frame.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(frame, dtype=np.uint8)


def _pdf_pages(data: bytes, max_pixels: int, max_pages: int) -> list[Page]:
    """A PDF's pages: the text of those that have a table in it, the others rendered."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except (pypdfium2.PdfiumError, ValueError, OSError):
        refuse(error(Code.UNREADABLE_FILE, "Le PDF est illisible ou protégé par un mot de passe."))
    try:
        count = len(document)
        if count > max_pages:
            refuse(_too_many_pages(count, max_pages))
        if count == 0:
            refuse(error(Code.EMPTY_INPUT, "Le PDF n'a aucune page."))
        return [_pdf_page(document[i], max_pixels, i + 1) for i in range(count)]
    finally:
        document.close()


def _pdf_page(page: Any, max_pixels: int, number: int) -> Page:
    """A page's text lines when they hold the table, else the page rendered in grey."""
    lines: list[str] = str(page.get_textpage().get_text_range()).splitlines()
    table = read_table((1, text_words(line)) for line in lines)
    if len(table.rows) >= PDF_TEXT_ROWS:
        return lines
    width, height = page.get_size()
    scale = min(PDF_DPI / 72, WORK_SIDE / max(width, height, 1))
    _check_pixels((int(width * scale), int(height * scale)), max_pixels, number)
    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    return np.asarray(image, dtype=np.uint8)


def _check_pixels(size: tuple[int, int], max_pixels: int, page: int | None) -> None:
    """Refuse an image over the pixel limit (read from its header: nothing decoded yet)."""
    width, height = size
    if width * height > max_pixels:
        where = f"la page {page} fait" if page else "l'image fait"
        refuse(
            _too_large(
                f"{where} {width} × {height} pixels, soit {width * height / 1e6:.0f}", max_pixels
            )
        )


def _too_large(what: str, max_pixels: int) -> Diagnostic:
    return error(
        Code.IMAGE_TOO_LARGE,
        f"Image trop grande : {what} mégapixels ; la limite est de {max_pixels / 1e6:.0f} "
        "mégapixels. Réduisez sa définition.",
    )


def _too_many_pages(count: int, limit: int) -> Diagnostic:
    return error(
        Code.TOO_MANY_PAGES,
        f"Le document a {count} pages ; un tableau de coordonnées en compte au plus {limit} "
        "(limite du service). N'envoyez que les pages du tableau.",
    )


def _not_an_image(*, damaged: bool = False) -> Diagnostic:
    message = (
        "L'image est endommagée et ne peut pas être lue."
        if damaged
        else "Le fichier n'est pas une image lisible (JPG, PNG, TIFF) ni un PDF."
    )
    return error(Code.UNREADABLE_FILE, message)


# --- the intake on the points --------------------------------------------------------------

#: The intake's findings that name a borne whose place is then in doubt.
_PLACE_CODES = {
    Code.SELF_INTERSECTION: "le contour se recoupe près de cette borne",
    Code.DUPLICATE_POINT: "même position qu'une autre borne",
    Code.REPEATED_POINT: "même position qu'une autre borne",
    Code.CLOSING_POINT_MISMATCH: "dernière borne proche de la première sans la rejoindre",
    Code.DEGENERATE_RING: "contour sans surface",
}


def review_parcel(
    reading: ScanReading,
    *,
    srid: int,
    perimeters: Sequence[PlanPerimeter | tuple[str, int, Any]] = (),
    declared_area: float | str | None = None,
) -> ScanResult:
    """Run the usual intake on the points read, and flag the bornes its findings name."""
    source = SourceParcel(
        rings=(tuple(_borne(p, i) for i, p in enumerate(reading.points, 1)),), format="scan"
    )
    try:
        parcel: ParcelInput | None = build_parcel(
            source, srid=srid, perimeters=perimeters, declared_area=declared_area
        )
        found = list(parcel.warnings) if parcel else []
    except ParcelInputError as exc:
        parcel, found = None, list(exc.diagnostics)
    points = list(reading.points)
    for diagnostic in found:
        reason = _PLACE_CODES.get(diagnostic.code)
        names = set(diagnostic.bornes or ((diagnostic.point,) if diagnostic.point else ()))
        # a finding among bornes one of which is already in doubt is explained by it
        if reason and names and not any(p.uncertain for p in points if p.borne in names):
            points = _flagged(points, names, reason)
    diagnostics = [*reading.warnings, *_outlying(points), *found]
    return ScanResult(
        reading=ScanReading(
            points=tuple(points),
            pages=reading.pages,
            source=reading.source,
            engine=reading.engine,
            warnings=reading.warnings,
        ),
        parcel=parcel,
        diagnostics=tuple(diagnostics),
    )


def _borne(point: ScanPoint, rank: int) -> Borne:
    return Borne(id=point.borne, x=point.x, y=point.y, line=point.line, rank=rank)


def _flagged(points: Sequence[ScanPoint], names: set[str], reason: str) -> list[ScanPoint]:
    """The points named, flagged on both coordinates with `reason`."""
    flagged = []
    for point in points:
        if point.borne not in names:
            flagged.append(point)
            continue
        cells = dict(point.cells)
        for key in ("x", "y"):
            cell = cells[key]
            cells[key] = ScanCell(cell.text, cell.confidence, True, (*cell.reasons, reason))
        flagged.append(
            ScanPoint(
                point.borne, point.x, point.y, point.confidence, True, point.line, point.page, cells
            )
        )
    return flagged


def _outlying(points: Sequence[ScanPoint]) -> list[Diagnostic]:
    """The review's spikes said as the intake says things: one warning per borne."""
    found = []
    for point in points:
        reasons = point.cells["x"].reasons
        if any(r.startswith(("pointe", "le contour revient", "valeur très")) for r in reasons):
            found.append(
                warning(
                    Code.OUTLYING_BORNE,
                    f"La borne {point.borne} (ligne {point.line}) s'écarte du contour "
                    f"(X = {fr(point.x)} ; Y = {fr(point.y)}) : vérifiez sa lecture.",
                    line=point.line,
                    point=point.borne,
                    location=(point.x, point.y),
                )
            )
    return found


def scan_borne_pairs(points: Sequence[dict[str, Any]]) -> list[list[float]]:
    """Points confirmed by a person ([{borne, x, y}, …]) as the [[x, y], …] the intake takes."""
    return [[float(p["x"]), float(p["y"])] for p in points]


__all__ = [
    "MAX_PAGES",
    "MAX_PIXELS",
    "ScanPoint",
    "ScanReading",
    "ScanResult",
    "flag_bornes",
    "is_scan",
    "read_scan",
    "review_parcel",
]
