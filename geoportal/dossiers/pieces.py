"""The pieces a dossier asks for (data/pieces_dossier.yaml, RGC art. 36-37) and the files.

Art. 37: « Tout dossier ne comportant pas la totalité des documents principaux est
irrecevable. » and « L'absence d'un des documents complémentaires ne peut, en aucun cas,
constituer un motif de rejet des demandes ». The list itself is the agency's (art. 36: an
arrêté fixes it), read again when the file changes.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from geoportal.dossiers.errors import DossierInvalid

DEFAULT_PIECES_PATH = Path(__file__).resolve().parents[2] / "data" / "pieces_dossier.yaml"


class Piece(BaseModel):
    """One piece of the list: a stable code, its label, principal or complémentaire."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    principal: bool


class PiecesTable(BaseModel):
    """The pieces common to every kind, and each kind's own."""

    model_config = ConfigDict(extra="forbid")

    communes: list[Piece]
    natures: dict[str, list[Piece]]


def pieces_table(path: Path = DEFAULT_PIECES_PATH) -> PiecesTable:
    """The agency's table, read again only when the file changes."""
    return _table(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _table(path: Path, version: int) -> PiecesTable:
    return PiecesTable.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def pieces_for(kind: str, *, mandated: bool = False) -> list[Piece]:
    """Every piece a dossier of this kind asks for; the mandate is principal for an architect
    filing for the owner (art. 34 al. 3)."""
    table = pieces_table()
    listed: dict[str, Piece] = {}
    for piece in [*table.communes, *table.natures.get(kind, [])]:
        if piece.code == "mandat" and mandated:
            piece = piece.model_copy(update={"principal": True})
        listed[piece.code] = piece
    return list(listed.values())


@dataclass(frozen=True)
class Upload:
    """A file as received: its bytes, the name the petitioner gave it."""

    content: bytes
    filename: str | None


# What the first bytes say: RGC art. 34-37 pieces are plans and documents (PDF), drawings
# (DWG, DXF) or scans and photographs (images). The name's extension is not trusted.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"AC10", "image/vnd.dwg"),
    (b"AutoCAD Binary DXF", "image/vnd.dxf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def media_type(content: bytes) -> str | None:
    """The file's type by its magic bytes (a DXF by its first group code), else None."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    head = content[:64].lstrip(b"\xef\xbb\xbf").split()
    if len(head) >= 2 and head[0] == b"0" and head[1] in (b"SECTION", b"SECTION\r"):
        return "image/vnd.dxf"
    return None


def checked_upload(upload: Upload, kind: str, listed: list[Piece], max_bytes: int) -> str:
    """The upload's media type, or a 422 naming what is wrong (kind, size, type)."""
    codes = {piece.code for piece in listed}
    if kind not in codes:
        raise DossierInvalid(
            "piece_inconnue",
            f"kind : « {kind} » n'est pas une pièce de ce dossier ({', '.join(sorted(codes))}).",
        )
    if not upload.content:
        raise DossierInvalid("piece_vide", "file : le fichier est vide.")
    if len(upload.content) > max_bytes:
        raise DossierInvalid(
            "piece_trop_lourde",
            f"file : {len(upload.content)} octets ; une pièce en compte au plus {max_bytes} "
            f"({max_bytes // 1024**2} Mo).",
        )
    found = media_type(upload.content)
    if found is None:
        raise DossierInvalid(
            "piece_format",
            "file : ni PDF, ni DWG, ni DXF, ni image (PNG, JPEG, TIFF), d'après son contenu.",
        )
    return found


def sha256(content: bytes) -> str:
    """The piece's SHA-256, listed in the decision (art. 43, « ne varietur »)."""
    return hashlib.sha256(content).hexdigest()
