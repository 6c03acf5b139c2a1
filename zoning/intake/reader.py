"""From an upload to a checked parcel: pick the reader, then check rings, location and area."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from pyproj import CRS

from zoning.intake.assemble import assemble
from zoning.intake.contenance import area_mismatch, declared_area_m2
from zoning.intake.diagnostics import (
    Code,
    Diagnostic,
    error,
    fr,
    raise_if_errors,
    refuse,
    warning,
)
from zoning.intake.dxf import read_dxf
from zoning.intake.geojson import read_geojson
from zoning.intake.location import check_location, projected_crs, transform_points
from zoning.intake.model import Borne, ParcelInput, PlanPerimeter, SourceParcel
from zoning.intake.pairs import read_pairs
from zoning.intake.rings import CleanRing, clean_ring, ring_label
from zoning.intake.shape import shape_warnings
from zoning.intake.text import read_text
from zoning.intake.xlsx import read_xlsx

Coordinates = bytes | str | Sequence[Any]
Perimeters = Sequence[PlanPerimeter | tuple[str, int, Any]]

FORMATS = {
    ".txt": "text",
    ".csv": "text",
    ".tsv": "text",
    ".xyz": "text",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".dxf": "dxf",
}
_TIPS = {
    ".xls": " ; enregistrez le classeur au format .xlsx ou .csv",
    ".ods": " ; enregistrez le classeur au format .xlsx ou .csv",
    ".dwg": " ; exportez le dessin en DXF",
}
_DXF_START = re.compile(rb"\s*0\s*\r?\n\s*SECTION")


def read_coordinates(
    data: Coordinates,
    *,
    filename: str | None = None,
    srid: int,
    perimeters: Perimeters = (),
    declared_area: float | str | None = None,
    swap_axes: bool = False,
    dxf_layer: str | None = None,
) -> ParcelInput:
    """Read an upload (text, xlsx, GeoJSON, DXF, or [x, y] pairs) into a checked parcel."""
    source = read_source(data, filename=filename, dxf_layer=dxf_layer)
    return build_parcel(
        source,
        srid=srid,
        perimeters=perimeters,
        declared_area=declared_area,
        swap_axes=swap_axes,
    )


def read_source(
    data: Coordinates, *, filename: str | None = None, dxf_layer: str | None = None
) -> SourceParcel:
    """Parse an upload with the reader its file name (else its content) calls for."""
    if not isinstance(data, bytes | str):
        return read_pairs(data)
    fmt = detect_format(data, filename)
    if fmt == "xlsx":
        if isinstance(data, str):
            refuse(error(Code.UNREADABLE_FILE, "Un classeur .xlsx doit être envoyé en binaire."))
        return read_xlsx(data)
    if fmt == "geojson":
        return read_geojson(data)
    if fmt == "dxf":
        return read_dxf(data, layer=dxf_layer)
    return read_text(data)


def detect_format(data: bytes | str, filename: str | None) -> str:
    """« text », « xlsx », « geojson » or « dxf », from the extension, else from the content."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix:
        accepted = ", ".join(FORMATS)
        tip = _TIPS.get(suffix, "")
        message = f"Format « {suffix} » non pris en charge{tip} (acceptés : {accepted})."
        refuse(error(Code.UNSUPPORTED_FORMAT, message))
    return sniff_format(data)


def sniff_format(data: bytes | str) -> str:
    """Guess the format of an upload without a file name."""
    head = data[:512] if isinstance(data, bytes) else data[:512].encode("utf-8", "replace")
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head.startswith(b"PK"):
        return "xlsx"
    if head.lstrip().startswith(b"{"):
        return "geojson"
    if _DXF_START.match(head) or head.startswith(b"AutoCAD Binary DXF"):
        return "dxf"
    return "text"


#: A parcel's bornes are counted in tens; beyond this the upload is not a parcel (and the
#: self-intersection checks, quadratic in the points, would hold the service).
MAX_POINTS = 10_000
#: No coordinate of Morocco, in any CRS a file may declare (Lambert, UTM, Web Mercator,
#: degrees), reaches 10,000 km; beyond, a value is a slip or a probe, and GEOS overflows on
#: 1e308 (areas of infinity, TopologyException).
MAX_PROJECTED = 10_000_000.0


def build_parcel(
    source: SourceParcel,
    *,
    srid: int,
    perimeters: Perimeters = (),
    declared_area: float | str | None = None,
    swap_axes: bool = False,
) -> ParcelInput:
    """Check the rings read from an upload and return the parcel, or raise ParcelInputError."""
    target = projected_crs(srid)
    declared = declared_area_m2(declared_area)
    source_crs = source.crs or target
    rings = _swapped(source.rings) if swap_axes else source.rings
    diagnostics = [*source.warnings, *_swap_notice(swap_axes)]
    points = [b.xy for ring in rings for b in ring]
    if not points:
        refuse(error(Code.EMPTY_INPUT, "Aucune coordonnée trouvée."))
    if len(points) > MAX_POINTS:
        refuse(
            error(
                Code.TOO_MANY_POINTS,
                f"{fr(len(points), 0)} points : une parcelle en compte au "
                f"plus {fr(MAX_POINTS, 0)} (limite du service).",
            )
        )
    raise_if_errors(out_of_range(rings))
    plans = [PlanPerimeter(*p) for p in perimeters]
    location = check_location(
        points, source_crs=source_crs, srid=srid, perimeters=plans, swap_applied=swap_axes
    )
    projected = _to_target(rings, source_crs, target)
    if projected is None:
        refuse(*(location or [_unprojectable()]), *diagnostics)
    typed = source_crs == target
    cleaned = _clean(projected, diagnostics, source=source, typed=typed)
    raise_if_errors([*diagnostics, *location])
    geometry, assembly = assemble(cleaned)
    diagnostics.extend(assembly)
    raise_if_errors(diagnostics)
    diagnostics.extend(shape_warnings(cleaned, typed=typed))
    area = float(geometry.area)
    diagnostics.extend(area_mismatch(area, declared))
    return ParcelInput(
        geometry=geometry,
        bornes=tuple(b for ring in cleaned for b in ring.bornes),
        srid=srid,
        area_m2=area,
        declared_area_m2=declared,
        warnings=tuple(diagnostics),
        source_format=source.format,
        axes_swapped=swap_axes,
    )


def out_of_range(rings: Sequence[Sequence[Borne]]) -> list[Diagnostic]:
    """Bornes whose X or Y no place of Morocco has in any CRS (beyond MAX_PROJECTED)."""
    found = []
    for borne in (b for ring in rings for b in ring):
        for axis, value in (("X", borne.x), ("Y", borne.y)):
            if not abs(value) <= MAX_PROJECTED:  # NaN too
                found.append(_out_of_range(borne, axis, value))
    return found


def _out_of_range(borne: Borne, axis: str, value: float) -> Diagnostic:
    label = borne.label[:1].upper() + borne.label[1:]
    limit = f"{MAX_PROJECTED:,.0f}".replace(",", " ")
    return error(
        Code.COORDINATE_OUT_OF_RANGE,
        f"{label} : {axis} = {value:g} est hors des valeurs possibles (au plus {limit} en "
        "valeur absolue) : une valeur mal saisie ?",
        line=borne.line,
        point=borne.name,
    )


def _swapped(rings: Sequence[Sequence[Borne]]) -> tuple[tuple[Borne, ...], ...]:
    """Every borne with X and Y exchanged, as the caller asked."""
    return tuple(tuple(b.model_copy(update={"x": b.y, "y": b.x}) for b in ring) for ring in rings)


def _swap_notice(swap_axes: bool) -> list[Diagnostic]:
    """Record on the parcel that X and Y were exchanged on request."""
    if not swap_axes:
        return []
    message = "X et Y ont été échangés à la demande (« Inverser X et Y », swap_axes)."
    return [warning(Code.AXES_SWAP_APPLIED, message)]


def _to_target(
    rings: Sequence[Sequence[Borne]], source: CRS, target: CRS
) -> tuple[tuple[Borne, ...], ...] | None:
    """Bornes moved to the request's SRID (unchanged when already in it); None if impossible."""
    if source == target:
        return tuple(tuple(ring) for ring in rings)
    moved_rings = []
    for ring in rings:
        moved = transform_points([b.xy for b in ring], source, target)
        if moved is None:
            return None
        moved_rings.append(
            tuple(
                b.model_copy(update={"x": x, "y": y}) for b, (x, y) in zip(ring, moved, strict=True)
            )
        )
    return tuple(moved_rings)


def _unprojectable() -> Diagnostic:
    """Coordinates the transformation to the request's SRID cannot take."""
    return error(Code.OUTSIDE_SRID_AREA, "Les coordonnées ne peuvent pas être projetées.")


def _clean(
    rings: Sequence[Sequence[Borne]],
    diagnostics: list[Diagnostic],
    *,
    source: SourceParcel,
    typed: bool,
) -> list[CleanRing]:
    """Check each ring on its own; findings go to `diagnostics`.

    typed: the numbers are the ones uploaded (not moved from another CRS), so typing slips in
    them can be undone.
    """
    cleaned = []
    for number, bornes in enumerate(rings, start=1):
        label = ring_label(bornes, number, len(rings))
        ring, found = clean_ring(
            bornes,
            number=number,
            label=label,
            typed=typed,
            blank_lines=source.blank_lines_around(number - 1),
        )
        cleaned.append(ring)
        diagnostics.extend(found)
    return cleaned
