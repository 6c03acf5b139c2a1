"""Web maps of a plan (folium / Leaflet), served with local Leaflet assets: no CDN needed.

Every text of the plan is escaped before folium sees it: its tooltips write the properties
into the page as HTML (a zone label `<img src=x onerror=…>` would run in visitors' browsers).
So no `<` of the plan's is left in the page, and each `<script>` in it is folium's own.
"""

from __future__ import annotations

import colorsys
import hashlib
from html import escape
from typing import Any

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template

LEAFLET_JS = [("leaflet", "/static/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/static/leaflet/leaflet.css")]

#: Colours by zone family, close to the usual palette of Moroccan plans d'aménagement; used
#: when the règlement has no `legend` block.
FAMILY_COLOURS = {
    "immeubles": "#f4a259",
    "villas": "#ffd27f",
    "habitat_economique": "#f7e463",
    "industrie": "#9b6fd0",
    "activites": "#d6b3f2",
    "equipements": "#7fb3e6",
    "verte": "#58b368",
    "agricole": "#cfe8a9",
    "medina": "#a0703f",
    "tourisme": "#f28cb1",
}
# Order matters: "activités économiques" is an activity zone, not economic housing.
_FAMILY_WORDS = (
    ("activit", "activites"),
    ("économique", "habitat_economique"),
    ("economique", "habitat_economique"),
    ("villa", "villas"),
    ("immeuble", "immeubles"),
    ("habitat", "immeubles"),
    ("industri", "industrie"),
    ("équipement", "equipements"),
    ("equipement", "equipements"),
    ("vert", "verte"),
    ("agricol", "agricole"),
    ("médina", "medina"),
    ("medina", "medina"),
    ("touris", "tourisme"),
)
#: Styles of the other layers: roads' right-of-way, servitudes hatched-looking, reservations.
LAYER_STYLES: dict[str, dict[str, Any]] = {
    "roads": {"color": "#555", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.9},
    "servitudes": {
        "color": "#c0392b",
        "weight": 1.5,
        "dashArray": "6 4",
        "fillColor": "#c0392b",
        "fillOpacity": 0.15,
    },
    "reservations": {"color": "#1f5fa8", "weight": 2, "fillColor": "#a9cdf2", "fillOpacity": 0.6},
    "sectors": {"color": "#222", "weight": 2, "dashArray": "2 6", "fillOpacity": 0},
}
LAYER_TITLES = {
    "roads": "Voies d'aménagement (emprise)",
    "servitudes": "Servitudes",
    "reservations": "Réservations",
    "sectors": "Secteurs",
}


def zone_colours(zone_codes: list[dict[str, Any]], legend: dict[str, str]) -> dict[str, str]:
    """A colour per zone code: the règlement's legend, else its family's, shaded per code."""
    colours: dict[str, str] = {}
    seen: dict[str, int] = {}
    for zone in zone_codes:
        code = zone["code"]
        if code in legend:
            colours[code] = legend[code]
            continue
        family = zone_family(zone.get("label"))
        if family is None:
            colours[code] = _hashed_colour(code)
            continue
        rank = seen.get(family, 0)
        seen[family] = rank + 1
        colours[code] = _shade(FAMILY_COLOURS[family], rank)
    return colours


def zone_family(label: str | None) -> str | None:
    """The family of a zone from the words of its label, or None."""
    lowered = (label or "").lower()
    return next((family for word, family in _FAMILY_WORDS if word in lowered), None)


def _shade(colour: str, rank: int) -> str:
    """The family colour, darker then lighter for the 2nd, 3rd… code of the same family."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, light, sat = colorsys.rgb_to_hls(red, green, blue)
    step = ((rank + 1) // 2) * 0.12 * (-1 if rank % 2 else 1)
    red, green, blue = colorsys.hls_to_rgb(hue, min(0.92, max(0.2, light + step)), sat)
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (red, green, blue)))


def _hashed_colour(code: str) -> str:
    digest = hashlib.sha1(code.encode()).digest()
    return "#{:02x}{:02x}{:02x}".format(*(96 + b % 140 for b in digest[:3]))


def plan_map_html(
    plan: dict[str, Any], zones: dict[str, Any], layers: dict[str, dict[str, Any]]
) -> str:
    """A standalone HTML page: zones coloured by code with a legend, the other layers on top."""
    colours = zone_colours(plan["zone_codes"], plan.get("legend") or {})
    zones = escaped_properties(zones)
    layers = {layer: escaped_properties(collection) for layer, collection in layers.items()}
    west, south, east, north = plan["extent"]["bbox_wgs84"]
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        tiles=None,
        control_scale=False,  # folium's scale bar adds feet: a metric one below
        prefer_canvas=True,
    )
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(folium.Element(f"<title>{escape(plan['name'])}</title>"))
    # Tiles only when online: the zones are the background, so the map works without them.
    folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap (en ligne)", show=False, overlay=True
    ).add_to(fmap)
    _zones_layer(zones, colours).add_to(fmap)
    for layer, collection in layers.items():
        if collection["features"]:
            _overlay(layer, collection).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    MetricScale().add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    present = [layer for layer, collection in layers.items() if collection["features"]]
    root.html.add_child(folium.Element(legend_html(plan, colours, present)))
    return str(root.render())


def escaped_properties(collection: dict[str, Any]) -> dict[str, Any]:
    """A copy of a GeoJSON FeatureCollection whose text properties are HTML-escaped."""
    return {
        **collection,
        "features": [
            {
                **feature,
                "properties": {
                    key: escape(value) if isinstance(value, str) else value
                    for key, value in (feature.get("properties") or {}).items()
                },
            }
            for feature in collection["features"]
        ],
    }


def _zones_layer(zones: dict[str, Any], colours: dict[str, str]) -> folium.GeoJson:
    colours = {escape(code): colour for code, colour in colours.items()}  # codes escaped too
    return folium.GeoJson(
        zones,
        name="Zones du plan",
        style_function=lambda f: {
            "fillColor": colours.get(f["properties"]["code"], "#ccc"),
            "color": "#444",
            "weight": 0.6,
            "fillOpacity": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(
            ["code", "label", "max_height_m", "max_storeys"],
            aliases=["Zone", "", "Hauteur max (m)", "Niveaux (R+n)"],
        ),
    )


def _overlay(layer: str, collection: dict[str, Any]) -> folium.GeoJson:
    style = LAYER_STYLES[layer]
    fields = [k for k in collection["features"][0]["properties"] if k != "buffer_m"]
    return folium.GeoJson(
        collection,
        name=LAYER_TITLES[layer],
        style_function=lambda f: style,
        tooltip=folium.GeoJsonTooltip(fields, aliases=[""] * len(fields)),
    )


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres only: a plan d'aménagement is drawn in metres."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MetricScale"

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, metric: true}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


#: Legend texts of the other layers, as the plan's maps name them.
LAYER_LEGEND = {
    "roads": "Voie d'aménagement (emprise)",
    "servitudes": "Servitude (terrain grevé)",
    "reservations": "Réservation pour équipement public",
    "sectors": "Secteur (médina, lotissement, patrimoine…)",
}


def _layer_swatch(layer: str) -> str:
    """A legend swatch drawn with the layer's own map style (fixed values, no plan text)."""
    style = LAYER_STYLES[layer]
    border = "dashed" if style.get("dashArray") else "solid"
    opacity = float(style.get("fillOpacity", 1))
    fill = style.get("fillColor", "transparent") if opacity else "transparent"
    return (
        f'<span class="swatch" style="background:{fill};opacity:{max(opacity, 0.5)};'
        f'border:2px {border} {style["color"]}"></span>'
    )


def legend_html(
    plan: dict[str, Any], colours: dict[str, str], layers: list[str] | None = None
) -> str:
    """A fixed legend box: plan name and status, one swatch per zone code, then the other
    layers the plan has (roads, servitudes, reservations, sectors)."""
    labels = {z["code"]: z.get("label") or "" for z in plan["zone_codes"]}
    rows = "".join(
        f'<div class="legend-row"><span class="swatch" style="background:{colour}"></span>'
        f"<b>{escape(code)}</b> {escape(labels[code])}</div>"
        for code, colour in colours.items()
    )
    rows += "".join(
        f'<div class="legend-row legend-layer" data-layer="{layer}">{_layer_swatch(layer)}'
        f"{escape(LAYER_LEGEND[layer])}</div>"
        for layer in LAYER_LEGEND
        if layer in (layers or [])
    )
    status = "homologué" if plan["status"] == "homologue" else "en cours d'approbation"
    return f"""
<div id="legend" style="position:fixed;bottom:24px;right:12px;z-index:1000;background:#fff;
  padding:8px 10px;border:1px solid #999;border-radius:4px;font:12px/1.4 sans-serif;
  max-height:70vh;overflow:auto">
  <div style="font-weight:bold">{escape(plan["name"])}</div>
  <div style="color:#555;margin-bottom:4px">{escape(plan["commune"])} — plan {status}</div>
  <style>.swatch{{display:inline-block;width:14px;height:10px;margin-right:6px;
    border:1px solid #555;vertical-align:middle}}</style>
  {rows}
</div>"""
