"""Locating a parcel: its coordinates read and checked, then overlaid with the plan holding it.

The note (geoportal.nru), the project's check and classification (geoportal.projects) and the
dossier all start here, from what the petitioner uploaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Connection, text

from zoning.crs import transform_geometry
from zoning.intake import Code, ParcelInput, ParcelInputError, PlanPerimeter, read_coordinates
from zoning.overlay import Overlay, ParcelOutsidePlans, overlay_parcel
from zoning.refusal import Invalid, Problem


@dataclass(frozen=True)
class ParcelRequest:
    """A parcel as uploaded (docs/formats.md §3): its coordinates and how to read them."""

    coordinates: str | bytes | Sequence[Any]
    filename: str | None = None
    srid: int | None = None
    plan: str | None = None
    declared_area: float | str | None = None
    swap_axes: bool = False


class UnknownPlan(ParcelOutsidePlans):
    """The request's `plan` names no stored plan: a bad field of the request (422), not a
    missing resource, and not « the parcel lies outside » it. A ParcelOutsidePlans so that
    the callers refusing those (the CLI) refuse this one too."""

    def __init__(self, plan: str) -> None:
        self.plan = plan
        message = f"aucun plan nommé « {plan} » (GET /api/v1/plans les liste)"
        problem = Problem("unknown_plan", message, "plan")
        Invalid.__init__(self, "unknown_plan", f"Plan : {message}.", [problem])


def locate_parcel(
    conn: Connection, request: ParcelRequest, storage_srid: int, *, with_site: bool = False
) -> tuple[ParcelInput, Any, Overlay]:
    """Read and check the coordinates, then overlay the parcel with the plan holding most of it
    (with the geometries of its setbacks, `overlay.site`, when asked)."""
    delivered = plan_srid(conn, request.plan)  # first: an unknown plan is refused as such
    srid = request.srid or delivered or storage_srid
    parcel = read_parcel(request, srid, ())
    geometry = transform_geometry(parcel.geometry, srid, storage_srid)
    try:
        overlay = overlay_parcel(conn, geometry, storage_srid, request.plan, with_site=with_site)
    except ParcelOutsidePlans:
        # Only now load the perimeters: they let the intake say why (swapped axes, other zone).
        read_parcel(request, srid, plan_perimeters(conn, storage_srid))
        raise
    return parcel, geometry, overlay


def read_parcel(
    request: ParcelRequest, srid: int, perimeters: Sequence[PlanPerimeter]
) -> ParcelInput:
    return read_coordinates(
        request.coordinates,
        filename=request.filename,
        srid=srid,
        perimeters=perimeters,
        declared_area=request.declared_area,
        swap_axes=request.swap_axes,
    )


def plan_srid(conn: Connection, plan: str | None) -> int | None:
    """The SRID the named plan was delivered in (the parcel's default SRID)."""
    if plan is None:
        return None
    found = conn.execute(text("SELECT srid FROM plans WHERE name = :n"), {"n": plan}).scalar()
    if found is None:
        raise UnknownPlan(plan)
    return int(found)


def plan_perimeters(conn: Connection, storage_srid: int) -> list[PlanPerimeter]:
    """Every plan's perimeter, for the intake's location diagnostics."""
    rows = conn.execute(text("SELECT name, ST_AsBinary(perimeter) FROM plans"))
    return [PlanPerimeter(name, storage_srid, shapely.from_wkb(bytes(wkb))) for name, wkb in rows]


@dataclass(frozen=True)
class Located:
    """A parcel read and placed: its overlay, or None when it lies outside every plan."""

    parcel: ParcelInput
    geometry: Any  # in the storage SRID
    overlay: Overlay | None


def locate(
    conn: Connection, request: ParcelRequest, storage_srid: int, *, with_site: bool = False
) -> Located:
    """The parcel on the plan holding most of it; outside every plan, the parcel alone.

    Coordinates that fit a plan once read otherwise (swapped axes, another Lambert zone) are
    still refused as such: only a parcel truly outside every plan is answered.
    """
    try:
        parcel, geometry, overlay = locate_parcel(conn, request, storage_srid, with_site=with_site)
    except ParcelInputError as exc:
        if not exc.fatal or any(d.code != Code.OUTSIDE_PLANS for d in exc.fatal):
            raise
        srid = request.srid or plan_srid(conn, request.plan) or storage_srid
        parcel = read_parcel(request, srid, ())
        geometry = transform_geometry(parcel.geometry, parcel.srid, storage_srid)
        return Located(parcel, geometry, None)
    return Located(parcel, geometry, overlay)
