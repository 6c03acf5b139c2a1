"""checks.envelope.zone_buildable (the note's setbacks) and its agreement with /check's envelope.

Rules as a règlement writes them (docs/formats.md §1): a setback is « the larger of a distance
and a ratio of the building's height »; the note works a height ratio out for the zone's
maximum height. Areas are worked out by hand on a 20 × 30 m parcel fronting a road to the south.
"""

from __future__ import annotations

import pytest
from shapely import box

from checks.envelope import site_envelope, zone_buildable
from checks.site import Site, ZonePart
from checks.zone_rules import ZoneRules

PARCEL = box(0, 0, 20, 30)
ROAD_SOUTH = box(-10, -20, 30, 0)  # a 20 m right-of-way along the parcel's south side
R4 = ZoneRules.model_validate(
    {
        "label": "Zone d'immeubles (R+4)",
        "max_height_m": 17.5,
        "ces_max": 0.7,
        "setbacks": {"road": {"distance_m": 0}, "rear": {"distance_m": 5, "height_ratio": 0.5}},
    }
)


def site(rules: ZoneRules, **changes: object) -> Site:
    part = ZonePart("B4", rules, PARCEL)
    return Site(parcel=PARCEL, parts=[part], roads=[ROAD_SOUTH], **changes)  # type: ignore[arg-type]


def test_height_ratio_at_the_zone_maximum_and_same_envelope_as_check() -> None:
    """Rear max(5 m, 17.5 / 2 = 8.75 m): 20 × 8.75 m²; /check at 17.5 m draws the same."""
    [zone] = zone_buildable(site(R4))
    rear = next(b for b in zone.bands if b.side == "rear")
    assert rear.distance_m == pytest.approx(8.75) and rear.height_m == 17.5
    assert rear.area_m2 == pytest.approx(20 * 8.75)
    assert zone.envelope_m2 == pytest.approx(600 - 175)
    assert zone.footprint_m2 == pytest.approx(min(425, 0.7 * 600))  # the CES binds: 420
    _, _, envelope = site_envelope(site(R4), 17.5)  # /check for a 17.5 m building
    assert envelope.geometry is not None
    assert envelope.geometry.symmetric_difference(zone.envelope.geometry).area < 1e-6


def test_height_ratio_without_a_maximum_height_is_not_guessed() -> None:
    rules = R4.model_copy(update={"max_height_m": None})
    [zone] = zone_buildable(site(rules))
    rear = next(b for b in zone.bands if b.side == "rear")
    assert rear.distance_m is None and rear.area_m2 is None
    assert zone.footprint_m2 is None and zone.envelope.geometry is None
    assert zone.ces_cap_m2 == pytest.approx(420)


def test_a_green_zone_has_nothing_to_build() -> None:
    [zone] = zone_buildable(site(ZoneRules(label="Zone verte", constructible=False)))
    assert zone.footprint_m2 == 0 and zone.bands == () and zone.ces_cap_m2 is None
