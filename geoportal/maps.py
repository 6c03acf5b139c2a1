"""Web maps of a plan (folium / Leaflet), served with local Leaflet assets: no CDN needed."""

from __future__ import annotations

import hashlib
from html import escape
from typing import Any

import folium
from branca.element import Figure

LEAFLET_JS = [("leaflet", "/static/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/static/leaflet/leaflet.css")]

#: Colours by zone family, close to the usual palette of Moroccan plans d'aménagement.
FAMILY_COLOURS = {
    "immeubles": "#f4a259",
    "villas": "#ffd27f",
    "habitat_economique": "#f7e463",
    "industrie": "#b48ee0",
    "activites": "#d6b3f2",
    "equipements": "#7fb3e6",
    "verte": "#78c27a",
    "agricole": "#cfe8a9",
    "medina": "#b5835a",
    "tourisme": "#f28cb1",
}
_FAMILY_WORDS = (
    ("économique", "habitat_economique"),
    ("economique", "habitat_economique"),
    ("villa", "villas"),
    ("immeuble", "immeubles"),
    ("industri", "industrie"),
    ("activit", "activites"),
    ("équipement", "equipements"),
    ("equipement", "equipements"),
    ("vert", "verte"),
    ("agricol", "agricole"),
    ("médina", "medina"),
    ("medina", "medina"),
    ("touris", "tourisme"),
)


def zone_colour(code: str, label: str | None) -> str:
    """A colour for a zone: its family from the label, else a stable colour from its code."""
    lowered = (label or "").lower()
    for word, family in _FAMILY_WORDS:
        if word in lowered:
            return FAMILY_COLOURS[family]
    digest = hashlib.sha1(code.encode()).digest()
    return "#{:02x}{:02x}{:02x}".format(*(96 + b % 140 for b in digest[:3]))


def plan_map_html(plan: dict[str, Any], zones: dict[str, Any]) -> str:
    """A standalone HTML page: the plan's zones coloured by code, with a legend."""
    colours = {z["code"]: zone_colour(z["code"], z.get("label")) for z in plan["zone_codes"]}
    west, south, east, north = plan["extent"]["bbox_wgs84"]
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
    )
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(folium.Element(f"<title>{escape(plan['name'])}</title>"))
    folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap (en ligne)", show=False, overlay=True
    ).add_to(fmap)
    folium.GeoJson(
        zones,
        name="Zones du plan",
        style_function=lambda f: {
            "fillColor": colours.get(f["properties"]["code"], "#ccc"),
            "color": "#444",
            "weight": 0.6,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(
            ["code", "label", "max_height_m", "max_storeys"],
            aliases=["Zone", "", "Hauteur max (m)", "Niveaux (R+n)"],
        ),
    ).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    folium.LayerControl(collapsed=False).add_to(fmap)
    root.html.add_child(folium.Element(legend_html(plan, colours)))
    return str(root.render())


def legend_html(plan: dict[str, Any], colours: dict[str, str]) -> str:
    """A fixed legend box: plan name and status, one swatch per zone code."""
    labels = {z["code"]: z.get("label") or "" for z in plan["zone_codes"]}
    rows = "".join(
        f'<div class="legend-row"><span class="swatch" style="background:{colour}"></span>'
        f"<b>{escape(code)}</b> {escape(labels[code])}</div>"
        for code, colour in colours.items()
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
