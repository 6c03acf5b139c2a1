"""The geometries the compliance check needs around a parcel (the overlay query brings them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely

#: Servitude kinds where nothing may be built (a footprint there fails the check).
NO_BUILD_KINDS = ("non_aedificandi", "ligne_ht", "cimetiere")
#: Roads within this distance of the parcel matter for the alignment and the road setback.
ROAD_SEARCH_M = 30.0


@dataclass
class SiteGeometries:
    """Zone parts (with their rules), nearby road rights-of-way, no-build areas: Lambert metres."""

    zone_parts: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    roads: list[tuple[str, Any]] = field(default_factory=list)
    no_build: list[tuple[str, Any]] = field(default_factory=list)


def site_from_json(site: dict[str, Any], rules: dict[str, Any]) -> SiteGeometries:
    """The site the overlay query brought (hex WKB pieces), with each zone's rules."""
    found = SiteGeometries()
    for zone in site["zones"] or []:
        if (piece := _piece(zone["wkb"])) is not None:
            found.zone_parts.append((zone["code"], rules.get(zone["code"]) or {}, piece))
    for road in site["roads"] or []:
        if (piece := _piece(road["wkb"])) is not None:
            found.roads.append((road["ref"], piece))
    for area in site["no_build"] or []:
        if (piece := _piece(area["wkb"])) is not None:
            found.no_build.append((area["kind"], piece))
    return found


def _piece(wkb: str) -> Any:
    """A piece of the site, None when the intersection left nothing."""
    geometry = shapely.from_wkb(wkb)
    return None if geometry.is_empty else geometry
