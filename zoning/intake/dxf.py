"""DXF drawings: the closed polylines are the parcel's rings, their vertices its bornes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ezdxf import recover

from zoning.intake.diagnostics import Code, Diagnostic, error, refuse, warning
from zoning.intake.model import Borne, SourceParcel
from zoning.messages import printable

SAME_VERTEX_M = 0.001


def read_dxf(data: bytes | str, *, layer: str | None = None) -> SourceParcel:
    """Read the closed LWPOLYLINE/POLYLINE of the model space, on `layer` if one is given."""
    entities = _polylines(_load(data), layer)
    warnings: list[Diagnostic] = []
    closed: list[tuple[Any, list[tuple[float, float]]]] = []
    for entity in entities:
        vertices, bulged = _vertices(entity)
        if not _is_closed(entity, vertices):
            warnings.append(_open_warning(entity))
            continue
        if bulged:
            warnings.append(_arc_warning(entity))
        closed.append((entity, vertices))
    if not closed:
        refuse(_no_closed_error(layer, open_count=len(entities)), *warnings)
    layers = sorted({str(entity.dxf.layer) for entity, _ in closed})
    if len(layers) > 1:
        warnings.append(_layers_warning(layers))
    return SourceParcel(rings=_rings(closed), format="dxf", warnings=tuple(warnings))


def _load(data: bytes | str) -> Any:
    """Open the drawing, recovering what a lenient CAD program would."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        document, _auditor = recover.read(io.BytesIO(raw))
    # ezdxf reading arbitrary bytes fails in many ways (DXFError, ValueError, struct.error, …):
    # each means this is no DXF we can read, never a server fault.
    except Exception as exc:
        refuse(error(Code.UNREADABLE_FILE, f"Fichier DXF illisible : {printable(exc)}"))
    return document


def _polylines(document: Any, layer: str | None) -> list[Any]:
    """2D/3D polylines of the model space (meshes excluded), filtered by layer, case-blind."""
    found = []
    for entity in document.modelspace().query("LWPOLYLINE POLYLINE"):
        if entity.dxftype() == "POLYLINE" and not (entity.is_2d_polyline or entity.is_3d_polyline):
            continue
        if layer is None or str(entity.dxf.layer).casefold() == layer.casefold():
            found.append(entity)
    return found


def _vertices(entity: Any) -> tuple[list[tuple[float, float]], bool]:
    """World coordinates of the vertices, and whether any side is an arc (bulge)."""
    if entity.dxftype() == "LWPOLYLINE":
        points = entity.vertices_in_wcs()
        bulged = any(bulge for _x, _y, bulge in entity.get_points("xyb"))
    else:
        points = entity.points_in_wcs()
        bulged = any(vertex.dxf.bulge for vertex in entity.vertices)
    return [(float(p.x), float(p.y)) for p in points], bulged


def _is_closed(entity: Any, vertices: Sequence[tuple[float, float]]) -> bool:
    """Closed by its flag, or drawn back onto its first vertex."""
    flag = entity.closed if entity.dxftype() == "LWPOLYLINE" else entity.is_closed
    if flag:
        return True
    if len(vertices) < 4:
        return False
    (x0, y0), (x1, y1) = vertices[0], vertices[-1]
    return abs(x0 - x1) <= SAME_VERTEX_M and abs(y0 - y1) <= SAME_VERTEX_M


def _rings(
    closed: Sequence[tuple[Any, list[tuple[float, float]]]],
) -> tuple[tuple[Borne, ...], ...]:
    """One ring of bornes per closed polyline, points numbered through the drawing."""
    rings = []
    rank = 0
    for number, (_entity, vertices) in enumerate(closed, start=1):
        bornes = []
        for x, y in vertices:
            rank += 1
            bornes.append(Borne(id=None, x=x, y=y, ring=number, rank=rank))
        rings.append(tuple(bornes))
    return tuple(rings)


def _describe(entity: Any) -> str:
    """« polyligne #2F du calque PARCELLE »: how a CAD user finds the entity."""
    return f"polyligne #{entity.dxf.handle} du calque {entity.dxf.layer}"


def _open_warning(entity: Any) -> Diagnostic:
    """An open polyline cannot bound a parcel: say it was left out."""
    return warning(Code.OPEN_POLYLINE_IGNORED, f"{_describe(entity)} ouverte : ignorée.")


def _arc_warning(entity: Any) -> Diagnostic:
    """Arcs are replaced by their chords, which changes the area a little."""
    message = f"{_describe(entity)} : les arcs sont remplacés par leurs cordes (sommets seuls)."
    return warning(Code.ARC_FLATTENED, message)


def _layers_warning(layers: Sequence[str]) -> Diagnostic:
    """Polylines from several layers were combined; the layer option narrows the reading."""
    names = ", ".join(layers)
    message = f"Polylignes fermées de plusieurs calques réunies ({names}) ; précisez le calque."
    return warning(Code.SEVERAL_LAYERS, message)


def _no_closed_error(layer: str | None, *, open_count: int) -> Diagnostic:
    """No closed polyline to read a parcel from."""
    where = f"sur le calque {layer}" if layer is not None else "dans l'espace objet"
    detail = f" ({open_count} polyligne(s) ouverte(s) : fermez-les)" if open_count else ""
    return error(Code.NO_CLOSED_POLYLINE, f"Aucune polyligne fermée {where}{detail}.")
