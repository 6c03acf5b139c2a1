"""Zone colours: the règlement's legend first, else distinct shades of the zone's family."""

from __future__ import annotations

from geoportal.maps import zone_colours, zone_family


def test_legend_wins() -> None:
    zones = [{"code": "C", "label": "Zone d'immeubles"}]
    assert zone_colours(zones, {"C": "#123456"}) == {"C": "#123456"}


def test_same_family_codes_get_distinct_colours() -> None:
    zones = [
        {"code": "B3", "label": "Zone d'immeubles R+3"},
        {"code": "B4", "label": "Zone d'immeubles R+4"},
        {"code": "B5", "label": "Zone d'immeubles R+5"},
    ]
    colours = zone_colours(zones, {})
    assert len(set(colours.values())) == 3


def test_activity_zone_is_not_economic_housing() -> None:
    assert zone_family("Zone d'activités économiques") == "activites"
    assert zone_family("Zone d'habitat économique") == "habitat_economique"
    assert zone_family("Zone X") is None
