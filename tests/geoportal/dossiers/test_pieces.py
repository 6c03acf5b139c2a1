"""The pieces of a dossier: the agency's list (RGC art. 36-37) and files known by their bytes."""

from __future__ import annotations

from typing import get_args

import pytest

from checks.project import ProjectKind
from geoportal.dossiers.errors import DossierInvalid
from geoportal.dossiers.pieces import Upload, checked_upload, media_type, pieces_for, pieces_table


def test_every_kind_of_authorisation_has_its_principal_pieces() -> None:
    """Art. 37: « documents principaux et documents complémentaires »."""
    table = pieces_table()
    for kind in get_args(ProjectKind):  # every kind the checks know, none forgotten
        pieces = pieces_for(kind)
        assert kind in table.natures
        assert any(p.principal for p in pieces) and any(not p.principal for p in pieces)


def test_the_mandate_is_principal_when_an_architect_files() -> None:
    """Art. 34 al. 3: « ou toute autre personne dûment mandatée à cet effet »."""
    assert not {p.code: p for p in pieces_for("construction")}["mandat"].principal
    assert {p.code: p for p in pieces_for("construction", mandated=True)}["mandat"].principal


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"AC1032\x00\x00", "image/vnd.dwg"),
        (b"  0\nSECTION\n  2\nHEADER\n", "image/vnd.dxf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"II*\x00....", "image/tiff"),
        (b"MZ\x90\x00", None),
        (b"<html><script>", None),
    ],
)
def test_a_file_is_known_by_its_bytes_not_its_name(content: bytes, expected: str | None) -> None:
    assert media_type(content) == expected


def test_refusals_name_the_field() -> None:
    listed = pieces_for("construction")
    with pytest.raises(DossierInvalid) as big:
        checked_upload(Upload(b"%PDF-" + b"0" * 100, "a.pdf"), "plan_masse", listed, 50)
    assert big.value.code == "piece_trop_lourde"
    with pytest.raises(DossierInvalid) as unknown:
        checked_upload(Upload(b"%PDF-", "a.pdf"), "photo_du_chat", listed, 50)
    assert unknown.value.code == "piece_inconnue"
    with pytest.raises(DossierInvalid) as renamed:
        checked_upload(Upload(b"MZ\x90\x00", "plan.pdf"), "plan_masse", listed, 50)
    assert renamed.value.code == "piece_format"
