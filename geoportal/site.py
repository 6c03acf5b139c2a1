"""The parcel as the envelope code sees it, built from the plan: one builder for /check and NRU.

Both the compliance check (geoportal.projects.instruction) and the note's setbacks
(geoportal.nru.setbacks) take their Site from here, so the bands, rights-of-way and no-build
servitudes a note prints are those /check measures a project against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from checks.site import Site, ZonePart
from checks.zone_rules import ZoneRules
from zoning.site import SiteGeometries


def zone_part(code: str, rules: ZoneRules, geometry: Any) -> ZonePart:
    """A zone part with the explicit use lists of its règlement (allowed_uses, forbidden_uses)."""
    allowed = frozenset(rules.allowed_uses) if rules.allowed_uses is not None else None
    return ZonePart(code, rules, geometry, allowed, frozenset(rules.forbidden_uses))


def plan_site(
    geometry: Any,
    geometries: SiteGeometries,
    *,
    front_edges: Sequence[Any] | None = None,
) -> Site:
    """The parcel's zone parts (with their rules), nearby roads and no-build areas, as a Site.

    geometries: the overlay's site (Overlay.site_geometries()).
    """
    return Site(
        parcel=geometry,
        parts=[
            zone_part(code, ZoneRules.model_validate(rules), part)
            for code, rules, part in geometries.zone_parts
        ],
        roads=[road for _, road in geometries.roads],
        no_build=[area for _, area in geometries.no_build],
        front_edges=front_edges,
    )
