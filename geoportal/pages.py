"""The pages the server renders (Jinja2, autoescape on): one base layout, the plans' page.

Every text of a plan (its name, commune, act, zone codes and labels) reaches the HTML through
the templates, which escape it; the pages run no inline script (api.headers: CSP).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, text

from geoportal.maps import zone_colours
from geoportal.render import as_date, render
from zoning import wording
from zoning.store import list_plans

TEMPLATES = Path(__file__).with_name("templates")
#: the thumbnail's size on the page (CSS pixels), and its detail: a vertex per this many pixels
THUMBNAIL_PX = 320
SIMPLIFY_PX = 1.0

#: the OGC API collections of a plan's layers (api.ogc), with the plan's filter
LAYER_COLLECTIONS = {
    "zones": ("opendata.zones", "Zones"),
    "roads": ("opendata.voies_amenagement", "Voies d'aménagement"),
    "servitudes": ("opendata.servitudes", "Servitudes"),
    "reservations": ("opendata.reservations", "Réservations"),
    "sectors": ("opendata.secteurs", "Secteurs"),
}
#: French names of the counts, singular and plural
COUNT_NAMES = {
    "zones": ("zone", "zones"),
    "roads": ("voie d'aménagement", "voies d'aménagement"),
    "servitudes": ("servitude", "servitudes"),
    "reservations": ("réservation", "réservations"),
    "sectors": ("secteur", "secteurs"),
}


@dataclass
class Thumbnail:
    """A plan drawn small (SVG paths): zones coloured by code, roads, reservations, sectors,
    perimeter."""

    view_box: str
    stroke: float  # one pixel, in the plan's metres
    zones: list[dict[str, str]] = field(default_factory=list)
    roads: list[str] = field(default_factory=list)
    reservations: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    perimeter: str = ""


@dataclass
class PlanCard:
    """What the plans' page shows of one plan."""

    plan: dict[str, Any]
    validity: str
    in_force: bool
    counts: list[str]
    links: dict[str, str]
    collections: list[tuple[str, str]]
    thumbnail: Thumbnail | None


def plans_page(conn: Connection, today: dt.date | None = None) -> str:
    """The plans d'aménagement: status, validity, counts, a small map and where to go next."""
    today = today or dt.date.today()
    cards = [plan_card(conn, plan, today) for plan in list_plans(conn)]
    return render("plans.html", cards=cards, today=today)


def plan_card(conn: Connection, plan: dict[str, Any], today: dt.date) -> PlanCard:
    """One plan's card: its validity said in words, its counts, links and thumbnail."""
    name = quote(plan["name"], safe="")
    validity, in_force = plan_validity(plan, today)
    plan_filter = f"?plan={quote(plan['name'])}&f=html"
    return PlanCard(
        plan=plan,
        validity=validity,
        in_force=in_force,
        counts=[_count(n, COUNT_NAMES[layer]) for layer, n in plan["counts"].items()],
        links={
            "map": f"/plans/{name}/map",
            "zones": f"/api/v1/plans/{name}/zones",
            "metadata": f"/api/v1/plans/{name}",
        },
        collections=[
            (label, f"/ogc/collections/{collection}/items{plan_filter}")
            for collection, label in LAYER_COLLECTIONS.values()
        ],
        thumbnail=plan_thumbnail(conn, plan["name"]),
    )


def plan_validity(plan: dict[str, Any], today: dt.date) -> tuple[str, bool]:
    """The plan's validity in words, and whether it is in force today.

    `valid_until` is the end of the plan's legal effects, from its règlement: what the notes
    issued on it are valid for (décret 2-18-577 art. 9: « La durée de validité de la note de
    renseignements urbanistiques correspond à la durée des effets juridiques découlant de la
    déclaration d'utilité publique en vertu du document d'urbanisme en vigueur. »). A plan
    *en cours* is not yet in force.
    """
    if plan["status"] != "homologue":
        return "en cours d'approbation : pas encore opposable", False
    until = as_date(plan["valid_until"])
    if until is None:
        return "homologué, sans date de fin de validité connue", True
    if until < today:
        return f"expiré le {wording.date_long(until)}", False
    return f"en vigueur jusqu'au {wording.date_long(until)}", True


_THUMBNAIL_SQL = """
    WITH frame AS (
        SELECT geom, legend, ST_XMin(geom) AS x0, ST_YMax(geom) AS y1,
               greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom), 1) AS side,
               ST_XMax(geom) - ST_XMin(geom) AS width, ST_YMax(geom) - ST_YMin(geom) AS height
        FROM opendata.plans WHERE name = :name
    )
    SELECT x0, y1, width, height, side, legend, ST_AsSVG(geom, 0, 1) AS perimeter,
        (SELECT json_agg(json_build_object(
                'code', z.code, 'label', z.label,
                'd', ST_AsSVG(ST_SimplifyPreserveTopology(z.geom, side / :px * :detail), 0, 1)))
         FROM opendata.zones z WHERE z.plan = :name) AS zones,
        (SELECT json_agg(ST_AsSVG(ST_SimplifyPreserveTopology(r.geom, side / :px * :detail), 0, 1))
         FROM opendata.voies_amenagement r WHERE r.plan = :name) AS roads,
        (SELECT json_agg(ST_AsSVG(ST_SimplifyPreserveTopology(r.geom, side / :px * :detail), 0, 1))
         FROM opendata.reservations r WHERE r.plan = :name) AS reservations,
        (SELECT json_agg(ST_AsSVG(ST_SimplifyPreserveTopology(s.geom, side / :px * :detail), 0, 1))
         FROM opendata.secteurs s WHERE s.plan = :name) AS sectors
    FROM frame"""


def plan_thumbnail(conn: Connection, name: str) -> Thumbnail | None:
    """The plan drawn in a THUMBNAIL_PX square, its shapes simplified to about a pixel."""
    row = conn.execute(
        text(_THUMBNAIL_SQL), {"name": name, "px": THUMBNAIL_PX, "detail": SIMPLIFY_PX}
    ).first()
    if row is None or row.perimeter is None:
        return None
    zones = row.zones or []
    codes = sorted({z["code"] for z in zones})
    colours = zone_colours(
        [{"code": c, "label": _label(zones, c)} for c in codes], dict(row.legend or {})
    )
    # ST_AsSVG writes -y: the frame's top is at -ymax
    view_box = f"{row.x0:.1f} {-row.y1:.1f} {row.width:.1f} {row.height:.1f}"
    return Thumbnail(
        view_box=view_box,
        stroke=float(row.side) / THUMBNAIL_PX,
        zones=[
            {"d": z["d"], "code": z["code"], "label": z["label"] or "", "fill": colours[z["code"]]}
            for z in zones
            if z["d"]
        ],
        roads=[d for d in row.roads or [] if d],
        reservations=[d for d in row.reservations or [] if d],
        sectors=[d for d in row.sectors or [] if d],
        perimeter=row.perimeter,
    )


def _label(zones: list[dict[str, Any]], code: str) -> str | None:
    return next((z["label"] for z in zones if z["code"] == code and z["label"]), None)


def _count(n: int, names: tuple[str, str]) -> str:
    return f"{wording.number(n, 0)} {names[0] if n < 2 else names[1]}"
