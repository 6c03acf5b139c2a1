"""DXF: closed polylines become rings, their vertices bornes; open ones are set aside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Polygon

from tests.zoning.intake.samples import (
    SQUARE,
    SQUARE_AREA,
    SQUARE_POLYGON,
    box_points,
    codes,
    new_dxf,
    only,
    refusal,
    same_shape,
    save_dxf,
)
from zoning.intake import Code, ParcelInputError, read_coordinates, read_dxf


def xy(points: list[tuple[str, float, float]]) -> list[tuple[float, float]]:
    """The coordinates of named points."""
    return [(x, y) for _, x, y in points]


def read(path: Path, layer: str | None = None) -> Any:
    """Read a DXF file through the public entry point."""
    return read_coordinates(path.read_bytes(), filename=path.name, srid=26191, dxf_layer=layer)


def test_closed_lwpolyline(tmp_path: Path) -> None:
    document = new_dxf()
    document.modelspace().add_lwpolyline(xy(SQUARE), close=True, dxfattribs={"layer": "PARCELLE"})
    parcel = read(save_dxf(document, tmp_path / "parcelle.dxf"))
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert [b.rank for b in parcel.bornes] == [1, 2, 3, 4]
    assert parcel.source_format == "dxf"
    assert parcel.warnings == ()


def test_polyline_drawn_back_to_its_start_counts_as_closed(tmp_path: Path) -> None:
    document = new_dxf()
    document.modelspace().add_polyline2d([*xy(SQUARE), xy(SQUARE)[0]])
    parcel = read(save_dxf(document, tmp_path / "polyline.dxf"))
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)
    assert len(parcel.bornes) == 4


def test_open_polyline_is_ignored_with_a_warning(tmp_path: Path) -> None:
    document = new_dxf()
    space = document.modelspace()
    space.add_lwpolyline(xy(SQUARE), close=True)
    space.add_lwpolyline(xy(SQUARE)[:3], dxfattribs={"layer": "COTES"})
    parcel = read(save_dxf(document, tmp_path / "open.dxf"))
    assert "calque COTES ouverte" in only(parcel.warnings, Code.OPEN_POLYLINE_IGNORED).message


def test_hole_from_two_nested_polylines(tmp_path: Path) -> None:
    document = new_dxf()
    space = document.modelspace()
    space.add_lwpolyline(xy(box_points(366_700, 381_100, 100, 100)), close=True)
    space.add_lwpolyline(xy(box_points(366_740, 381_140, 20, 20)), close=True)
    parcel = read(save_dxf(document, tmp_path / "trou.dxf"))
    assert isinstance(parcel.geometry, Polygon)
    assert parcel.area_m2 == pytest.approx(9_600)


def test_layer_option_picks_the_parcel_among_other_drawings(tmp_path: Path) -> None:
    document = new_dxf()
    space = document.modelspace()
    space.add_lwpolyline(xy(SQUARE), close=True, dxfattribs={"layer": "PARCELLE"})
    building = box_points(SQUARE[0][1] + 5, SQUARE[0][2] + 5, 10, 10)
    space.add_lwpolyline(xy(building), close=True, dxfattribs={"layer": "BATIMENT"})
    path = save_dxf(document, tmp_path / "plan.dxf")
    mixed = read(path)
    assert mixed.area_m2 == pytest.approx(SQUARE_AREA - 100)
    assert "BATIMENT, PARCELLE" in only(mixed.warnings, Code.SEVERAL_LAYERS).message
    parcel = read(path, layer="parcelle")
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)
    assert parcel.warnings == ()


def test_arcs_are_flattened_with_a_warning(tmp_path: Path) -> None:
    document = new_dxf()
    points = [(x, y, 0.0, 0.0, 0.5 if n == 0 else 0.0) for n, (x, y) in enumerate(xy(SQUARE))]
    document.modelspace().add_lwpolyline(points, format="xyseb", close=True)
    parcel = read(save_dxf(document, tmp_path / "arc.dxf"))
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)
    assert codes(list(parcel.warnings)) == [Code.ARC_FLATTENED]


def test_no_closed_polyline(tmp_path: Path) -> None:
    document = new_dxf()
    document.modelspace().add_lwpolyline(xy(SQUARE))
    with pytest.raises(ParcelInputError) as caught:
        read(save_dxf(document, tmp_path / "ouvert.dxf"))
    diagnostics = refusal(caught.value)
    assert codes(diagnostics) == [Code.NO_CLOSED_POLYLINE, Code.OPEN_POLYLINE_IGNORED]
    assert "1 polyligne(s) ouverte(s)" in diagnostics[0].message


def test_unknown_layer_finds_nothing(tmp_path: Path) -> None:
    document = new_dxf()
    document.modelspace().add_lwpolyline(xy(SQUARE), close=True)
    with pytest.raises(ParcelInputError) as caught:
        read(save_dxf(document, tmp_path / "calque.dxf"), layer="LIMITE")
    assert "sur le calque LIMITE" in refusal(caught.value)[0].message


def test_not_a_dxf() -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_dxf(b"garbage\nnot a drawing\n")
    assert codes(refusal(caught.value)) == [Code.UNREADABLE_FILE]
