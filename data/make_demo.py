"""Generate « Ain Demo », a deterministic and realistic demo commune with its plan d'aménagement.

The commune is fictitious: an irregular territory of about 3 km x 3 km on land just south /
south-west of Témara (province of Skhirate-Témara), in Lambert Nord Maroc (EPSG:26191).
Everything derives from one fixed seed, so two runs give the same features and attributes.

Run from the project root::

    .venv/bin/python data/make_demo.py

It writes into ``data/demo/``:

- ``ain_demo.gpkg``: the plan package of docs/formats.md §1, layers ``zones``, ``perimeter``,
  ``roads``, ``servitudes``, ``reservations`` and ``sectors``;
- ``reglement.yaml``: the plan's identity and the règlement of every zone code of the layer;
- ``projets_autorises.gpkg``: layer ``projets_autorises``, a register of authorized projects;
- ``ain_demo_plan.tif``: an RGB rendering of the plan (2 m pixels, tiled, DEFLATE);
- the zone palette of that rendering goes to the règlement's ``legend`` block (web maps).

The zones are a street-block partition of the perimeter: the planned roads, a skewed grid of
secondary streets and the edges of the river's green band are noded on the centimetre grid and
polygonized, so neighbouring zones share their boundaries exactly. The script ends by reading
the files back, checking coverage, containment and counts, and printing one line per layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import rasterio
import shapely
import yaml
from pydantic import ValidationError
from pyogrio.raw import write
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.features import rasterize
from rasterio.transform import from_origin
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

from checks.zone_rules import ZoneRules

SEED = 2026
SRID = 26191
GRID_M = 0.01  # coordinates on the centimetre grid, the precision of a surveyor's plan
OUT_DIR = Path(__file__).resolve().parent / "demo"
PLAN_GPKG = "ain_demo.gpkg"
PROJECTS_GPKG = "projets_autorises.gpkg"
RASTER_TIF = "ain_demo_plan.tif"

COMMUNE = "Ain Demo"
TEMARA_LONLAT = (-6.91, 33.93)
# The centre lies 1.5 km west and 4.5 km south of Témara: inland, the coast being ~6 km west.
CENTRE_OFFSET_M = (-1500.0, -4500.0)
RADIUS_M = 1600.0
MIN_BLOCK_M2 = 12_000.0  # slivers left by the street grid are merged into a neighbour
RIVER_BAND_M = 75.0  # half-width of the green band (ZV) along the oued
LINE_END_INSET_M = 0.02  # lines stop this short of the boundary (see build_zones_and_roads)
PROJECT_COUNT = 240
# The register's "today": fixed, not the clock, so that statuses are reproducible.
REFERENCE_DATE = date(2026, 11, 1)
FIRST_FILING = date(2023, 1, 2)
LAST_FILING = date(2026, 8, 14)  # + 60 days of instruction + a week: before REFERENCE_DATE

# Urbanism palette: housing in yellows and oranges, villas light orange, industry violet,
# green zones green, agriculture pale green, équipements blue, médina brown.
ZONE_COLOURS: dict[str, str] = {
    "B4": "#e8840c",
    "B3": "#f4a640",
    "C": "#ffd34d",
    "HE": "#f7e98e",
    "D1": "#fcc79a",
    "D2": "#fde0c5",
    "M": "#8b5a2b",
    "I": "#8e5cb5",
    "ZA": "#c7a6e0",
    "ZE": "#4a8fd9",
    "ZT": "#e67fb2",
    "ZV": "#3da35a",
    "RA": "#d9edc6",
}
RESERVATION_COLOUR = "#a9cdf2"
SERVITUDE_COLOURS: dict[str, str] = {
    "non_aedificandi": "#2f7fd0",
    "ligne_ht": "#d0312d",
    "monument": "#6a2c91",
    "cimetiere": "#5f6f52",
}

SETBACK_NONE: dict[str, float] = {"distance_m": 0}

# Règlement d'aménagement per zone code, with figures usual in Moroccan plans d'aménagement.
#: The uses each zone's affectation admits and its interdictions exclude, as checks.Project.use
#: values, so the compliance check can decide the use without reading the text.
HOUSING = ["habitation", "commerce", "bureaux", "services"]
ZONE_USES: dict[str, tuple[list[str], list[str]]] = {
    "B4": (HOUSING, ["industrie", "logistique", "agricole"]),
    "B3": (HOUSING, ["industrie", "logistique", "agricole"]),
    "C": (HOUSING, ["industrie", "logistique", "agricole"]),
    "HE": (["habitation", "commerce", "artisanat"], ["industrie", "logistique"]),
    "D1": (["habitation"], ["commerce", "industrie", "logistique"]),
    "D2": (["habitation"], ["commerce", "industrie", "logistique"]),
    "M": (["habitation", "commerce", "artisanat", "tourisme"], ["industrie", "logistique"]),
    "I": (["industrie", "logistique", "artisanat", "bureaux"], ["habitation"]),
    "ZA": (["commerce", "bureaux", "services", "artisanat", "logistique"], ["habitation"]),
    "ZE": (
        [
            "equipement",
            "enseignement",
            "sante",
            "administration",
            "sport_loisirs",
            "social_culturel",
            "erp",
        ],
        ["industrie"],
    ),
    "ZT": (["tourisme", "commerce", "sport_loisirs"], ["industrie"]),
    "ZV": ([], ["habitation", "industrie", "commerce"]),
    "RA": (["agricole", "habitation"], ["industrie", "logistique"]),
}

ZONE_REGULATIONS: dict[str, dict[str, Any]] = {
    "B4": {
        "label": "Zone d'immeubles (R+4)",
        "affectation": "Habitat collectif ; commerces et bureaux en rez-de-chaussée et à l'étage",
        "interdictions": [
            "Établissements industriels de 1re et 2e catégorie",
            "Dépôts et entrepôts",
            "Constructions à usage agricole",
        ],
        "max_height_m": 17.5,
        "max_storeys": 4,
        "ces_max": 0.7,
        "cos_max": 3.2,
        "setbacks": {
            "road": SETBACK_NONE,
            "side": SETBACK_NONE,
            "rear": {"distance_m": 5, "height_ratio": 0.5},
        },
        "min_parcel_area_m2": 300,
        "min_frontage_m": 15,
        "parking": "1 place par logement ; 1 place pour 50 m² de commerces ou de bureaux",
    },
    "B3": {
        "label": "Zone d'immeubles (R+3)",
        "affectation": "Habitat collectif ; commerces et services en rez-de-chaussée",
        "interdictions": [
            "Établissements industriels de 1re et 2e catégorie",
            "Dépôts et entrepôts",
        ],
        "max_height_m": 15.0,
        "max_storeys": 3,
        "ces_max": 0.65,
        "cos_max": 2.5,
        "setbacks": {
            "road": SETBACK_NONE,
            "side": SETBACK_NONE,
            "rear": {"distance_m": 4, "height_ratio": 0.5},
        },
        "min_parcel_area_m2": 200,
        "min_frontage_m": 12,
        "parking": "1 place par logement",
    },
    "C": {
        "label": "Zone d'habitat continu (R+2)",
        "affectation": "Habitat individuel en bande (maison marocaine moderne) ; "
        "commerces de proximité en rez-de-chaussée",
        "interdictions": ["Industrie", "Dépôts", "Ateliers bruyants"],
        "max_height_m": 11.5,
        "max_storeys": 2,
        "ces_max": 0.75,
        "cos_max": 2.25,
        "setbacks": {"road": SETBACK_NONE, "side": SETBACK_NONE},
        "min_parcel_area_m2": 100,
        "min_frontage_m": 8,
        "parking": "1 place par logement pour les parcelles de plus de 150 m²",
    },
    "HE": {
        "label": "Zone d'habitat économique (R+2)",
        "affectation": "Habitat économique ; commerces de proximité en rez-de-chaussée",
        "interdictions": ["Industrie", "Dépôts", "Ateliers bruyants"],
        "max_height_m": 11.5,
        "max_storeys": 2,
        "ces_max": 0.8,
        "cos_max": 2.4,
        "setbacks": {"road": SETBACK_NONE, "side": SETBACK_NONE},
        "min_parcel_area_m2": 80,
        "min_frontage_m": 8,
        "habitat_economique": True,
    },
    "D1": {
        "label": "Zone de villas isolées (R+1)",
        "affectation": "Habitat individuel isolé",
        "interdictions": ["Commerce", "Industrie", "Immeubles collectifs"],
        "max_height_m": 8.5,
        "max_storeys": 1,
        "ces_max": 0.3,
        "cos_max": 0.5,
        "setbacks": {
            "road": {"distance_m": 5},
            "side": {"distance_m": 4},
            "rear": {"distance_m": 4},
        },
        "min_parcel_area_m2": 500,
        "min_frontage_m": 18,
        "parking": "2 places à l'intérieur de la parcelle",
    },
    "D2": {
        "label": "Zone de villas jumelées (R+1)",
        "affectation": "Habitat individuel jumelé",
        "interdictions": ["Industrie", "Immeubles collectifs"],
        "max_height_m": 8.5,
        "max_storeys": 1,
        "ces_max": 0.4,
        "cos_max": 0.7,
        "setbacks": {
            "road": {"distance_m": 4},
            "side": {"distance_m": 3},
            "rear": {"distance_m": 4},
        },
        "min_parcel_area_m2": 300,
        "min_frontage_m": 12,
        "parking": "1 place à l'intérieur de la parcelle",
    },
    "M": {
        "label": "Zone de la médina (tissu ancien à sauvegarder)",
        "affectation": "Habitat traditionnel, artisanat, commerces, maisons d'hôtes",
        "interdictions": [
            "Surélévation au-delà de R+2",
            "Matériaux et couleurs non traditionnels en façade",
            "Démolition des bâtiments d'intérêt patrimonial",
        ],
        "max_height_m": 8.5,
        "max_storeys": 2,
        "ces_max": 0.85,
        "setbacks": {"road": SETBACK_NONE, "side": SETBACK_NONE},
        "parking": "Non exigé",
    },
    "I": {
        "label": "Zone industrielle",
        "affectation": "Industries de 2e et 3e catégorie, entrepôts, ateliers",
        "interdictions": ["Habitat, sauf logement de gardiennage", "Industries insalubres"],
        "max_height_m": 15.0,
        "max_storeys": 2,
        "ces_max": 0.6,
        "cos_max": 1.2,
        "setbacks": {
            "road": {"distance_m": 10},
            "side": {"distance_m": 5, "height_ratio": 0.5},
            "rear": {"distance_m": 5, "height_ratio": 0.5},
        },
        "min_parcel_area_m2": 1000,
        "min_frontage_m": 25,
        "parking": "1 place pour 100 m² de plancher ; aires de chargement dans la parcelle",
    },
    "ZA": {
        "label": "Zone d'activités économiques",
        "affectation": "Commerces de gros, services, artisanat, petites industries non nuisantes",
        "interdictions": ["Habitat", "Industries de 1re catégorie"],
        "max_height_m": 12.0,
        "max_storeys": 2,
        "ces_max": 0.6,
        "cos_max": 1.5,
        "setbacks": {
            "road": {"distance_m": 5},
            "side": SETBACK_NONE,
            "rear": {"distance_m": 4, "height_ratio": 0.5},
        },
        "min_parcel_area_m2": 500,
        "min_frontage_m": 20,
        "parking": "1 place pour 50 m² de plancher",
    },
    "ZE": {
        "label": "Zone d'équipements publics",
        "affectation": "Équipements publics et d'intérêt général : enseignement, santé, "
        "administration, culte, sport",
        "interdictions": ["Habitat, sauf logement de fonction", "Industrie"],
        "max_height_m": 15.0,
        "max_storeys": 3,
        "ces_max": 0.5,
        "cos_max": 1.5,
        "setbacks": {
            "road": {"distance_m": 5},
            "side": {"distance_m": 4, "height_ratio": 0.5},
            "rear": {"distance_m": 4, "height_ratio": 0.5},
        },
        "parking": "Selon la nature de l'équipement",
    },
    "ZT": {
        "label": "Zone touristique",
        "affectation": "Hôtels, résidences touristiques, restauration, loisirs",
        "interdictions": ["Habitat individuel hors résidences touristiques", "Industrie"],
        "max_height_m": 15.0,
        "max_storeys": 3,
        "ces_max": 0.3,
        "cos_max": 1.0,
        "setbacks": {
            "road": {"distance_m": 10},
            "side": {"distance_m": 6, "height_ratio": 0.5},
            "rear": {"distance_m": 6, "height_ratio": 0.5},
        },
        "min_parcel_area_m2": 5000,
        "min_frontage_m": 40,
        "parking": "1 place pour 2 chambres",
    },
    "ZV": {
        "label": "Zone verte (espaces verts et promenades)",
        "affectation": "Jardins publics, promenades, aires de jeux",
        "interdictions": ["Toute construction, sauf kiosques et sanitaires publics démontables"],
        "constructible": False,
    },
    "RA": {
        "label": "Zone agricole",
        "affectation": "Activités agricoles ; habitation de l'exploitant",
        "interdictions": ["Lotissements", "Groupes d'habitations", "Industrie"],
        "max_height_m": 8.5,
        "max_storeys": 1,
        "ces_max": 0.02,
        "cos_max": 0.04,
        "setbacks": {
            "road": {"distance_m": 10},
            "side": {"distance_m": 10},
            "rear": {"distance_m": 10},
        },
        "min_parcel_area_m2": 10000,
        "min_frontage_m": 50,
    },
}

SERVITUDE_TEXTS: dict[str, str] = {
    "non_aedificandi": "Zone non aedificandi : toute construction y est interdite, "
    "clôtures en dur comprises.",
    "ligne_ht": "Couloir de ligne électrique à haute tension : toute construction y est "
    "interdite ; plantations et travaux soumis à l'accord préalable de l'ONEE.",
    "monument": "Zone de protection d'un monument historique : tout projet est soumis à l'avis "
    "préalable du ministère chargé de la Culture (loi n° 22-80) ; hauteurs, matériaux et "
    "couleurs y sont réglementés.",
    "cimetiere": "Cimetière : toute construction autre que funéraire ou cultuelle y est interdite.",
}

PLAN_META: dict[str, Any] = {
    "name": "PA Ain Demo",
    "kind": "plan_amenagement",
    "commune": COMMUNE,
    "province": "Skhirate-Temara",
    "agency": "Agence Urbaine de Skhirate-Temara",
    "srid": SRID,
    "status": "homologue",
    "approval": {
        "act": "Décret n° 2-21-101",
        "date": date(2021, 3, 15),
        "bo": "6970",
        "bo_date": date(2021, 4, 1),
    },
    # Art. 28 of loi 12-90: the plan's effects last ten years from its publication.
    "valid_until": date(2031, 4, 1),
}


@dataclass(frozen=True)
class Frame:
    """Local frame of the commune: offsets in metres from its centre, in Lambert coordinates."""

    cx: float
    cy: float

    def xy(self, dx: float, dy: float) -> tuple[float, float]:
        """Lambert coordinates of an offset from the centre."""
        return (self.cx + dx, self.cy + dy)

    def line(self, offsets: Sequence[tuple[float, float]]) -> LineString:
        """A LineString through offsets from the centre."""
        return LineString([self.xy(dx, dy) for dx, dy in offsets])

    def offsets(self, geom: Any) -> tuple[float, float]:
        """Offset from the centre of a geometry's representative point."""
        point = geom.representative_point()
        return (float(point.x) - self.cx, float(point.y) - self.cy)


@dataclass(frozen=True)
class Road:
    """A planned road (voie d'aménagement): centreline or right-of-way polygon."""

    ref: str
    name: str
    width_m: float | None
    geometry: Any


@dataclass(frozen=True)
class Feature:
    """A plain feature of a layer: its attributes and its geometry."""

    attributes: dict[str, Any]
    geometry: Any


@dataclass
class Plan:
    """Every layer of the plan package, in memory."""

    perimeter: Any
    zones: list[Feature]
    roads: list[Road]
    servitudes: list[Feature]
    reservations: list[Feature] = field(default_factory=list)
    sectors: list[Feature] = field(default_factory=list)


@dataclass(frozen=True)
class Place:
    """Where a block lies, as the land-use rules of the layout see it."""

    dx: float
    dy: float
    to_boulevard_m: float
    in_river_band: bool
    in_medina: bool


# Land-use layout, first match wins: the oued's green band, the médina north-east of the
# central roundabout, farmland to the south, tourism south-west, economic housing south,
# industry east along the power line, villas north-west, apartment blocks along the boulevard.
LAYOUT_RULES: tuple[tuple[str, Callable[[Place], bool]], ...] = (
    ("ZV", lambda p: p.in_river_band),
    ("M", lambda p: p.in_medina),
    ("RA", lambda p: p.dy < -1200 or (p.dx > 550 and p.dy < -700)),
    ("ZT", lambda p: p.dx < -500 and p.dy < -700),
    ("HE", lambda p: p.dy < -700 or (p.dx < -650 and -600 < p.dy < 250)),
    ("I", lambda p: p.dx > 900 and p.dy < 650),
    ("ZA", lambda p: p.dx > 700),
    ("D1", lambda p: p.dx < -950 and p.dy > 250),
    ("D2", lambda p: p.dx < -300 and p.dy > 450),
    ("B4", lambda p: p.to_boulevard_m < 280 and -600 < p.dy < 760),
    ("B3", lambda p: math.hypot(p.dx, p.dy) < 1000),
)


def commune_frame() -> Frame:
    """The commune's centre, placed from Témara's Lambert coordinates."""
    to_lambert = Transformer.from_crs("EPSG:4326", f"EPSG:{SRID}", always_xy=True)
    temara_x, temara_y = to_lambert.transform(*TEMARA_LONLAT)
    # Rounded to 10 m so that the plan's coordinates read like a surveyor's.
    cx = round((temara_x + CENTRE_OFFSET_M[0]) / 10) * 10
    cy = round((temara_y + CENTRE_OFFSET_M[1]) / 10) * 10
    return Frame(float(cx), float(cy))


def perimeter_outline(frame: Frame, rng: np.random.Generator) -> Any:
    """An irregular, star-shaped boundary of about 3 km x 3 km around the centre."""
    count = 36
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False) + rng.uniform(-0.05, 0.05, count)
    phases = rng.uniform(0, 2 * np.pi, 3)
    wobble = (
        0.07 * np.sin(2 * angles + phases[0])
        + 0.05 * np.sin(3 * angles + phases[1])
        + 0.03 * np.sin(5 * angles + phases[2])
    )
    radii = RADIUS_M * (1 + wobble) + rng.normal(0, 25, count)
    ring = [frame.xy(r * math.cos(a), r * math.sin(a)) for r, a in zip(radii, angles, strict=True)]
    return shapely.set_precision(Polygon(ring), GRID_M)


def arc_offsets(radius: float, start_deg: float, end_deg: float) -> list[tuple[float, float]]:
    """Points of a circular arc around the centre, every 5 degrees."""
    steps = int(abs(end_deg - start_deg) / 5) + 1
    angles = np.radians(np.linspace(start_deg, end_deg, steps))
    return [(radius * math.cos(a), radius * math.sin(a)) for a in angles]


def planned_road_lines(frame: Frame) -> list[Road]:
    """The voies d'aménagement V1-V8 as unclipped centrelines, with their right-of-way."""
    specs: list[tuple[str, str, float, list[tuple[float, float]]]] = [
        (
            "V1",
            "Boulevard de Témara",
            40,
            [(-350, -2000), (-150, -600), (0, 0), (120, 700), (300, 2000)],
        ),
        (
            "V2",
            "Avenue de l'Oued",
            30,
            [(-2000, 150), (-800, 60), (0, 0), (900, -80), (2000, -200)],
        ),
        ("V3", "Avenue de la Zone Industrielle", 25, [(-1700, -2000), (2000, 1000)]),
        ("V4", "Rocade Sud", 20, arc_offsets(1000, 172, 368)),
        ("V5", "Avenue des Villas", 20, [(-900, -2000), (-960, 0), (-1000, 2000)]),
        ("V6", "Rue de la Koubba", 15, [(-2000, 800), (0, 740), (2000, 650)]),
        ("V7", "Rue des Ateliers", 15, [(900, -2000), (880, 0), (850, 2000)]),
        ("V8", "Rue de la Médina", 12, [(700, -100), (690, 760)]),
    ]
    return [Road(ref, name, width, frame.line(points)) for ref, name, width, points in specs]


def roundabout(frame: Frame) -> Road:
    """The central roundabout of V1 and V2, given as a right-of-way polygon."""
    disc = shapely.set_precision(Point(frame.xy(0, 0)).buffer(40, quad_segs=16), GRID_M)
    return Road("V9", "Place centrale (carrefour giratoire)", None, disc)


def grid_positions(rng: np.random.Generator) -> list[float]:
    """Offsets of secondary streets, 330 to 430 m apart."""
    positions = [-1750 + float(rng.uniform(0, 150))]
    while positions[-1] < 1600:
        positions.append(positions[-1] + float(rng.uniform(330, 430)))
    return positions


def street_grid(frame: Frame, rng: np.random.Generator) -> list[LineString]:
    """Secondary streets: a slightly skewed grid cutting the land into blocks of a few hectares."""
    lines = []
    for x in grid_positions(rng):
        tilt = float(rng.uniform(-60, 60))
        lines.append(frame.line([(x - tilt, -1900), (x + tilt, 1900)]))
    for y in grid_positions(rng):
        tilt = float(rng.uniform(-60, 60))
        lines.append(frame.line([(-1900, y - tilt), (1900, y + tilt)]))
    return lines


def river_course(frame: Frame, rng: np.random.Generator) -> LineString:
    """The oued, meandering from the east (upstream) to the west (towards the Atlantic)."""
    xs = np.linspace(1900, -1900, 77)
    phases = rng.uniform(0, 2 * np.pi, 2)
    ys = -650 + 90 * np.sin(xs / 380 + phases[0]) + 35 * np.sin(xs / 160 + phases[1])
    return frame.line(list(zip(xs.tolist(), ys.tolist(), strict=True)))


def power_line(frame: Frame) -> LineString:
    """The 225 kV line crossing the east of the commune from north to south."""
    return frame.line([(1450, 1900), (1150, 250), (1250, -1900)])


def clip_line(line: Any, perimeter: Any) -> Any:
    """The part of a line inside the perimeter, as one LineString on the centimetre grid."""
    inside = shapely.line_merge(shapely.intersection(line, perimeter, grid_size=GRID_M))
    if inside.geom_type == "MultiLineString":
        # A line leaving and re-entering the commune keeps its longest stretch.
        inside = max(inside.geoms, key=lambda part: part.length)
    return inside


def polygon_faces(perimeter: Any, cut_lines: Sequence[Any]) -> list[Any]:
    """Faces of the perimeter cut by the lines, noded by snap-rounding to the centimetre grid."""
    clipped = [shapely.intersection(line, perimeter) for line in cut_lines]
    network = shapely.union_all([perimeter.exterior, *clipped], grid_size=GRID_M)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(network)))
    return [face for face in faces if perimeter.contains(face.representative_point())]


def shared_length(a: Any, b: Any) -> float:
    """Length of the boundary two blocks share."""
    return float(shapely.intersection(a.boundary, b.boundary).length)


def merge_small_blocks(blocks: list[Any]) -> list[Any]:
    """Merge every block smaller than MIN_BLOCK_M2 into the neighbour it shares most with."""
    blocks = list(blocks)
    while True:
        areas = [block.area for block in blocks]
        smallest = int(np.argmin(areas))
        if areas[smallest] >= MIN_BLOCK_M2:
            return blocks
        small = blocks.pop(smallest)
        lengths = [shared_length(small, block) for block in blocks]
        host = int(np.argmax(lengths))
        blocks[host] = shapely.union(blocks[host], small, grid_size=GRID_M)


def is_in_medina(frame: Frame, block: Any) -> bool:
    """The old town: between V1, V2, V6 and V8, around its centre north-east of the roundabout."""
    dx, dy = frame.offsets(block)
    return 60 < dx < 690 and 0 < dy < 740 and math.hypot(dx - 370, dy - 360) < 340


def place_of(frame: Frame, block: Any, boulevard: Any, river_band: Any) -> Place:
    """The facts the layout rules need about a block."""
    point = block.representative_point()
    dx, dy = frame.offsets(block)
    return Place(
        dx=dx,
        dy=dy,
        to_boulevard_m=float(boulevard.distance(point)),
        in_river_band=bool(river_band.contains(point)),
        in_medina=is_in_medina(frame, block),
    )


def layout_code(place: Place) -> str:
    """The zone code the layout gives to a block; habitat continu where no rule applies."""
    for code, applies in LAYOUT_RULES:
        if applies(place):
            return code
    return "C"


def compactness(polygon: Any) -> float:
    """Polsby-Popper score: 1 for a disc, about 0.785 for a square, near 0 for a ribbon."""
    return float(4 * math.pi * polygon.area / polygon.length**2)


SCATTERED_CODES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("ZE", ("B3", "B4", "C", "HE", "D2"), 4),
    ("ZV", ("C", "D1", "B3"), 2),
)


def scatter_codes(codes: list[str], blocks: list[Any], rng: np.random.Generator) -> None:
    """Turn a few housing blocks into équipements (ZE) and neighbourhood parks (ZV)."""
    for new_code, sources, count in SCATTERED_CODES:
        # Mid-sized, compact blocks: a huge or ribbon-like block of équipements looks wrong.
        candidates = [
            i
            for i, code in enumerate(codes)
            if code in sources and 25_000 < blocks[i].area < 90_000 and compactness(blocks[i]) > 0.6
        ]
        for i in rng.choice(candidates, size=count, replace=False).tolist():
            codes[i] = new_code


def zone_features(
    frame: Frame, blocks: list[Any], roads: list[Road], river_band: Any, rng: np.random.Generator
) -> list[Feature]:
    """The zones layer: one feature per block, coded by the layout."""
    boulevard = next(road.geometry for road in roads if road.ref == "V1")
    codes = [layout_code(place_of(frame, block, boulevard, river_band)) for block in blocks]
    scatter_codes(codes, blocks, rng)
    return [
        Feature({"code": code, "label": ZONE_REGULATIONS[code]["label"]}, block)
        for code, block in zip(codes, blocks, strict=True)
    ]


def end_rocade_at_avenue(roads: list[Road]) -> list[Road]:
    """The southern ring road V4 stops where it meets V2, instead of running past it."""
    avenue = next(road.geometry for road in roads if road.ref == "V2")
    trimmed = []
    for road in roads:
        geometry = road.geometry
        if road.ref == "V4":
            pieces = shapely.get_parts(shapely.difference(geometry, avenue))
            geometry = max(pieces, key=lambda piece: piece.length)
        trimmed.append(Road(road.ref, road.name, road.width_m, geometry))
    return trimmed


def servitude_lines(river: Any, power: Any) -> list[Feature]:
    """The oued's no-build strip and the power line's corridor, as lines with a buffer."""
    river_label = "Oued Ain Demo : bande non aedificandi de 30 m de part et d'autre"
    power_label = "Ligne électrique 225 kV : couloir de 15 m de part et d'autre de l'axe"
    return [
        Feature({"kind": "non_aedificandi", "label": river_label, "buffer_m": 30.0}, river),
        Feature({"kind": "ligne_ht", "label": power_label, "buffer_m": 15.0}, power),
    ]


def build_zones_and_roads(frame: Frame, rng: np.random.Generator) -> Plan:
    """Perimeter, roads, servitude lines and the zone partition they cut."""
    outline = perimeter_outline(frame, rng)
    lines = planned_road_lines(frame)
    roads = [Road(r.ref, r.name, r.width_m, clip_line(r.geometry, outline)) for r in lines]
    roads = end_rocade_at_avenue(roads)
    river = clip_line(river_course(frame, rng), outline)
    band = river.buffer(RIVER_BAND_M)
    cut_lines = [road.geometry for road in roads] + street_grid(frame, rng) + [band.exterior]
    blocks = merge_small_blocks(polygon_faces(outline, cut_lines))
    # The legal boundary is the union of the blocks: the outline plus the nodes of the cuts.
    perimeter = shapely.union_all(blocks, grid_size=GRID_M)
    zones = zone_features(frame, blocks, roads, band, rng)
    # Lines stop 2 cm short of the boundary: rounded to the centimetre, an end exactly on it
    # could fall a few millimetres outside, and the layers must lie within the perimeter.
    inner = perimeter.buffer(-LINE_END_INSET_M)
    roads = [Road(r.ref, r.name, r.width_m, clip_line(r.geometry, inner)) for r in roads]
    roads.append(roundabout(frame))
    servitudes = servitude_lines(clip_line(river, inner), clip_line(power_line(frame), inner))
    return Plan(perimeter=perimeter, zones=zones, roads=roads, servitudes=servitudes)


def right_of_way(roads: Sequence[Road]) -> Any:
    """Union of the roads' rights-of-way: lines buffered by half their width, flat ends."""
    parts = [
        road.geometry.buffer(road.width_m / 2, cap_style="flat")
        if road.width_m is not None
        else road.geometry
        for road in roads
    ]
    return shapely.union_all(parts)


def no_build_area(servitudes: Sequence[Feature]) -> Any:
    """Where the servitudes forbid building: river strip, power corridor, cemetery."""
    parts = []
    for servitude in servitudes:
        kind = servitude.attributes["kind"]
        buffer_m = servitude.attributes.get("buffer_m")
        if kind == "monument":
            continue  # a protection zone, not a no-build zone: projects go to grands projets
        parts.append(servitude.geometry.buffer(buffer_m) if buffer_m else servitude.geometry)
    return shapely.union_all(parts)


def orientation_deg(polygon: Any) -> float:
    """Direction of the longest side of a polygon's minimum rotated rectangle."""
    corners = list(shapely.oriented_envelope(polygon).exterior.coords)
    sides = [(corners[i], corners[i + 1]) for i in range(2)]
    (x0, y0), (x1, y1) = max(sides, key=lambda s: math.dist(s[0], s[1]))
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def rectangle(centre: tuple[float, float], width: float, depth: float, angle_deg: float) -> Any:
    """A rotated rectangle on the centimetre grid."""
    box = shapely.box(-width / 2, -depth / 2, width / 2, depth / 2)
    placed = affinity.translate(affinity.rotate(box, angle_deg, origin=(0, 0)), *centre)
    return shapely.set_precision(placed, GRID_M)


def fit_rectangle(region: Any, width: float, depth: float, angle_deg: float) -> Any | None:
    """A rectangle centred on the most interior point of the region, if it fits inside."""
    if region.is_empty:
        return None
    centre = shapely.maximum_inscribed_circle(region, 0.5).coords[0]
    rect = rectangle(centre, width, depth, angle_deg)
    return rect if region.contains(rect) else None


def blocks_of(zones: Sequence[Feature], codes: Sequence[str]) -> list[int]:
    """Indexes of the zone features having one of the codes."""
    return [i for i, zone in enumerate(zones) if zone.attributes["code"] in codes]


def buildable_region(zone: Feature, forbidden: Any) -> Any:
    """The part of a zone where something may stand, half a metre inside its edges."""
    return zone.geometry.difference(forbidden).buffer(-0.5)


def place_servitude_polygons(plan: Plan, forbidden: Any) -> None:
    """The monument and the cemetery: the two servitudes that are not lines."""
    medina = [plan.zones[i].geometry for i in blocks_of(plan.zones, ["M"])]
    monument = shapely.set_precision(
        shapely.union_all(medina).point_on_surface(), GRID_M
    )  # the koubba stands in the médina
    plan.servitudes.append(
        Feature(
            {
                "kind": "monument",
                "label": "Koubba de la médina, monument historique classé : "
                "zone de protection de 150 m",
                "buffer_m": 150.0,
            },
            monument,
        )
    )
    cemetery = None
    for i in sorted(blocks_of(plan.zones, ["HE"]), key=lambda i: -plan.zones[i].geometry.area):
        region = buildable_region(plan.zones[i], forbidden)
        cemetery = fit_rectangle(region, 150, 110, orientation_deg(plan.zones[i].geometry))
        if cemetery is not None:
            break
    else:
        raise RuntimeError("no room for the cemetery")
    plan.servitudes.append(
        Feature({"kind": "cimetiere", "label": "Cimetière musulman", "buffer_m": None}, cemetery)
    )


RESERVATION_SPECS: tuple[tuple[str, str, tuple[str, ...], float, float], ...] = (
    ("EP", "École primaire", ("HE",), 70, 90),
    ("EP", "École primaire", ("C",), 70, 90),
    ("CO", "Collège", ("B3",), 90, 110),
    ("MQ", "Mosquée", ("HE",), 40, 50),
    ("MQ", "Mosquée", ("D2", "C"), 40, 50),
    ("PV", "Espace vert public", ("B4",), 80, 100),
    ("P", "Parking public", ("B4", "B3"), 40, 70),
    ("ES", "Centre de santé", ("C", "B3"), 45, 55),
    ("AD", "Annexe administrative", ("B3", "B4"), 50, 60),
    ("SP", "Terrain de sports de proximité", ("HE", "D1"), 100, 120),
)


def place_reservations(plan: Plan, forbidden: Any, rng: np.random.Generator) -> None:
    """Reserve land for public facilities, one per block, away from roads and servitudes."""
    used: set[int] = set()
    for code, label, zone_codes, width, depth in RESERVATION_SPECS:
        candidates = [i for i in blocks_of(plan.zones, zone_codes) if i not in used]
        for i in rng.permutation(candidates).tolist():
            zone = plan.zones[i]
            region = buildable_region(zone, forbidden)
            rect = fit_rectangle(region, width, depth, orientation_deg(zone.geometry))
            if rect is not None:
                plan.reservations.append(Feature({"code": code, "label": label}, rect))
                used.add(i)
                break
        else:
            raise RuntimeError(f"no room for the reservation {code} ({label})")


def union_of_component(polygons: Sequence[Any]) -> Any:
    """Union of polygons; the largest connected part when they are not contiguous."""
    union = shapely.union_all(polygons, grid_size=GRID_M)
    if union.geom_type == "MultiPolygon":
        union = max(union.geoms, key=lambda part: part.area)
    return union


def place_sectors(plan: Plan, frame: Frame) -> None:
    """Médina, a lotissement réceptionné, the monument's protection zone, a restructured douar."""
    zones = plan.zones
    medina = union_of_component([zones[i].geometry for i in blocks_of(zones, ["M"])])
    villas = [
        zones[i].geometry
        for i in blocks_of(zones, ["D1"])
        if frame.offsets(zones[i].geometry)[1] > 500
    ]
    douar = [
        zones[i].geometry
        for i in blocks_of(zones, ["HE"])
        if frame.offsets(zones[i].geometry)[0] > -100
    ]
    monument = next(s.geometry for s in plan.servitudes if s.attributes["kind"] == "monument")
    protection = shapely.intersection(
        monument.buffer(150, quad_segs=16), plan.perimeter, grid_size=GRID_M
    )
    plan.sectors = [
        Feature({"kind": "medina", "label": "Médina d'Ain Demo (tissu ancien)"}, medina),
        Feature(
            {"kind": "lotissement_receptionne", "label": "Lotissement Les Orangers (réceptionné)"},
            union_of_component(villas),
        ),
        Feature(
            {"kind": "patrimoine", "label": "Koubba classée et sa zone de protection de 150 m"},
            protection,
        ),
        Feature(
            {"kind": "lotissement_restructure", "label": "Douar Ouled Demo (restructuration)"},
            union_of_component(douar),
        ),
    ]


def build_plan(rng: np.random.Generator) -> Plan:
    """The whole plan package in memory."""
    frame = commune_frame()
    plan = build_zones_and_roads(frame, rng)
    forbidden = shapely.union_all([right_of_way(plan.roads), no_build_area(plan.servitudes)])
    place_servitude_polygons(plan, forbidden)
    forbidden = shapely.union_all([forbidden, no_build_area(plan.servitudes)])
    place_reservations(plan, forbidden, rng)
    place_sectors(plan, frame)
    return plan


# ---------------------------------------------------------------- authorized projects

ZONE_WEIGHTS: dict[str, float] = {
    "B4": 0.13, "B3": 0.14, "C": 0.14, "HE": 0.17, "D1": 0.09, "D2": 0.07, "M": 0.05,
    "I": 0.06, "ZA": 0.06, "ZE": 0.03, "ZT": 0.03, "RA": 0.03,
}  # fmt: skip

USES_BY_ZONE: dict[str, tuple[tuple[str, float], ...]] = {
    "B4": (("habitation", 0.6), ("commerce", 0.2), ("bureaux", 0.2)),
    "B3": (("habitation", 0.75), ("commerce", 0.15), ("bureaux", 0.1)),
    "C": (("habitation", 0.85), ("commerce", 0.15)),
    "HE": (("habitation", 0.9), ("commerce", 0.1)),
    "D1": (("habitation", 1.0),),
    "D2": (("habitation", 1.0),),
    "M": (("habitation", 0.6), ("commerce", 0.2), ("artisanat", 0.1), ("tourisme", 0.1)),
    "I": (("industrie", 0.8), ("logistique", 0.2)),
    "ZA": (("commerce", 0.4), ("bureaux", 0.3), ("artisanat", 0.3)),
    "ZE": (("equipement", 1.0),),
    "ZT": (("tourisme", 1.0),),
    "RA": (("habitation", 0.6), ("agricole", 0.4)),
}

# Footprint sides in metres: (min width, max width, min depth, max depth).
FOOTPRINTS: dict[str, tuple[float, float, float, float]] = {
    "B4": (16, 24, 20, 30), "B3": (14, 22, 18, 26), "C": (9, 12, 12, 16), "HE": (8, 9, 10, 12),
    "D1": (14, 18, 16, 22), "D2": (11, 14, 13, 17), "M": (7, 10, 9, 14), "I": (30, 60, 40, 80),
    "ZA": (25, 40, 30, 60), "ZE": (30, 50, 40, 60), "ZT": (30, 50, 40, 70), "RA": (12, 15, 15, 20),
    "lotissement": (90, 140, 110, 170), "groupe_habitations": (60, 90, 70, 110),
}  # fmt: skip

KIND_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("construction", 0.56),
    ("modification", 0.10),
    ("surelevation", 0.07),
    ("refection", 0.09),
    ("demolition", 0.03),
    ("lotissement", 0.09),
    ("groupe_habitations", 0.06),
)
KIND_ZONES: dict[str, frozenset[str]] = {
    "lotissement": frozenset({"D1", "D2", "HE", "C", "B3", "I", "ZA"}),
    "groupe_habitations": frozenset({"D1", "D2", "HE", "C", "B3"}),
    "surelevation": frozenset({"B4", "B3", "C", "HE"}),
}
SUBDIVISIONS = frozenset({"lotissement", "groupe_habitations", "morcellement"})


@dataclass
class Project:
    """An authorized project of the register."""

    zone_code: str
    kind: str
    use: str
    footprint: Any
    storeys: int | None = None
    height_m: float | None = None
    floor_area_m2: float | None = None
    procedure: str = ""
    filed_on: date = FIRST_FILING
    decided_on: date = FIRST_FILING
    permit_date: date = FIRST_FILING
    status: str = ""
    permit_number: str = ""


def weighted_choice(options: Sequence[tuple[str, float]], rng: np.random.Generator) -> str:
    """One option drawn with its weight."""
    weights = np.array([weight for _, weight in options])
    return options[int(rng.choice(len(options), p=weights / weights.sum()))][0]


def draw_kind(zone_code: str, rng: np.random.Generator) -> str:
    """The kind of authorization, a plain construction where the zone excludes the drawn one."""
    kind = weighted_choice(KIND_WEIGHTS, rng)
    allowed = KIND_ZONES.get(kind)
    return kind if allowed is None or zone_code in allowed else "construction"


def draw_storeys(rules: ZoneRules, rng: np.random.Generator) -> tuple[int, bool]:
    """n of R+n, mostly the zone's maximum; 4 % exceed it (a derogation); and whether it exceeds."""
    top = rules.max_storeys if rules.max_storeys is not None else 1
    if rng.random() < 0.04:
        return top + 1, True
    choices = list(range(max(0, top - 2), top + 1))
    weights = np.arange(1, len(choices) + 1, dtype=float) ** 2
    return choices[int(rng.choice(len(choices), p=weights / weights.sum()))], False


def draw_height(
    storeys: int, use: str, rules: ZoneRules, exceeds: bool, rng: np.random.Generator
) -> float:
    """Height from the storeys (ground floor 3.5 m or 6 m for sheds, 3 m a floor, parapet)."""
    ground, floor = (6.0, 4.0) if use in ("industrie", "logistique") else (3.5, 3.0)
    height = ground + floor * storeys + float(rng.uniform(0.5, 1.2))
    if rules.max_height_m is not None and not exceeds:
        height = min(height, rules.max_height_m)
    return round(height * 20) / 20  # to 5 cm, as written on the plans


def draw_figures(project: Project, rules: ZoneRules, rng: np.random.Generator) -> None:
    """Storeys, height and floor area; none for a subdivision (its lots are built later)."""
    if project.kind in SUBDIVISIONS and project.kind != "groupe_habitations":
        return
    storeys, exceeds = draw_storeys(rules, rng)
    project.storeys = storeys
    project.height_m = draw_height(storeys, project.use, rules, exceeds, rng)
    floors = storeys + 1
    coverage = 0.45 if project.kind == "groupe_habitations" else float(rng.uniform(0.88, 1.0))
    project.floor_area_m2 = round(project.footprint.area * floors * coverage, 1)


def procedure_for(project: Project, sectors: set[str]) -> str:
    """Annexes 2 and 3 as the demo applies them: petits projets are dwellings up to R+3 and 15.50 m.

    The thresholds rise to R+4 and 18.50 m in a lotissement réceptionné or restructuré;
    subdivisions, other uses, the médina and the monument's protection zone are grands projets.
    """
    if project.kind == "refection":
        return "refection"
    if project.kind in SUBDIVISIONS or sectors & {"medina", "patrimoine"}:
        return "grands_projets"
    if project.use != "habitation" or project.storeys is None or project.height_m is None:
        return "grands_projets"
    equipped = {"lotissement_receptionne", "lotissement_restructure"}
    max_storeys, max_height = (4, 18.5) if sectors & equipped else (3, 15.5)
    if project.storeys <= max_storeys and project.height_m <= max_height:
        return "petits_projets"
    return "grands_projets"


def working_day(day: date) -> date:
    """The day itself, or the next Monday for a Saturday or a Sunday."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def draw_dates(project: Project, rng: np.random.Generator) -> None:
    """Filing, decision 3-60 days later (longer for grands projets), permit signed within a week."""
    span = (LAST_FILING - FIRST_FILING).days
    project.filed_on = working_day(FIRST_FILING + timedelta(days=int(rng.integers(0, span + 1))))
    low, high = (15, 58) if project.procedure == "grands_projets" else (3, 28)
    # At most 58 days, so that moving a week-end decision to Monday stays within 60.
    project.decided_on = working_day(
        project.filed_on + timedelta(days=int(rng.integers(low, high + 1)))
    )
    signature = timedelta(days=int(rng.integers(0, 6)))
    project.permit_date = working_day(project.decided_on + signature)


STATUS_WEIGHTS: tuple[tuple[int, tuple[tuple[str, float], ...]], ...] = (
    (120, (("autorise", 0.7), ("en_chantier", 0.3))),
    (730, (("autorise", 0.15), ("en_chantier", 0.65), ("acheve", 0.2))),
    (100_000, (("en_chantier", 0.25), ("acheve", 0.75))),
)


def draw_status(project: Project, rng: np.random.Generator) -> str:
    """Works status from the permit's age at REFERENCE_DATE; small works finish in six months."""
    age = (REFERENCE_DATE - project.permit_date).days
    if project.kind in ("refection", "demolition", "modification") and age > 180:
        return "acheve"
    for max_age, weights in STATUS_WEIGHTS:
        if age <= max_age:
            return weighted_choice(weights, rng)
    return "acheve"


def footprint_size(zone_code: str, kind: str, rng: np.random.Generator) -> tuple[float, float]:
    """Width and depth of the footprint, in whole decimetres."""
    low_w, high_w, low_d, high_d = FOOTPRINTS.get(kind, FOOTPRINTS[zone_code])
    return round(float(rng.uniform(low_w, high_w)), 1), round(float(rng.uniform(low_d, high_d)), 1)


def try_footprint(
    region: Any, size: tuple[float, float], angle_deg: float, rng: np.random.Generator
) -> Any | None:
    """A rectangle at a random spot of the region, if one fits in 40 tries."""
    if region.is_empty:
        return None
    minx, miny, maxx, maxy = region.bounds
    for _ in range(40):
        centre = (float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy)))
        rect = rectangle(centre, size[0], size[1], angle_deg)
        if region.contains(rect):
            return rect
    return None


@dataclass
class Site:
    """Where projects may still go in one zone polygon."""

    code: str
    region: Any
    angle_deg: float


def building_sites(plan: Plan) -> list[Site]:
    """Buildable land per zone polygon: constructible, off roads, servitudes and reservations."""
    reserved = [r.geometry.buffer(2) for r in plan.reservations]
    forbidden = shapely.union_all(
        [right_of_way(plan.roads), no_build_area(plan.servitudes), *reserved]
    )
    sites = []
    for zone in plan.zones:
        code = zone.attributes["code"]
        if ZONE_REGULATIONS[code].get("constructible", True):
            region = buildable_region(zone, forbidden)
            shapely.prepare(region)
            sites.append(Site(code, region, orientation_deg(zone.geometry)))
    return sites


def draw_project(sites: list[Site], rng: np.random.Generator) -> Project | None:
    """One project in a zone drawn by weight, or None when no footprint fitted."""
    zone_code = weighted_choice(tuple(ZONE_WEIGHTS.items()), rng)
    kind = draw_kind(zone_code, rng)
    use = (
        "habitation"
        if kind == "groupe_habitations"
        else weighted_choice(USES_BY_ZONE[zone_code], rng)
    )
    size = footprint_size(zone_code, kind, rng)
    candidates = [site for site in sites if site.code == zone_code]
    site = candidates[int(rng.integers(len(candidates)))]
    angle = site.angle_deg + (90.0 if rng.random() < 0.5 else 0.0)
    footprint = try_footprint(site.region, size, angle, rng)
    if footprint is None:
        return None
    # Neighbouring projects keep 4 m apart: the next ones go around this one.
    site.region = site.region.difference(footprint.buffer(4))
    shapely.prepare(site.region)
    return Project(zone_code=zone_code, kind=kind, use=use, footprint=footprint)


def sectors_touching(footprint: Any, sectors: Sequence[Feature]) -> set[str]:
    """Kinds of the sectors a footprint touches."""
    return {s.attributes["kind"] for s in sectors if s.geometry.intersects(footprint)}


def number_permits(projects: list[Project], rng: np.random.Generator) -> None:
    """Permit numbers AU-ST/yyyy/nnnnn in date order; gaps are other communes' permits."""
    counters: dict[int, int] = {}
    for project in projects:
        year = project.permit_date.year
        counters[year] = counters.get(year, int(rng.integers(5, 40))) + int(rng.integers(1, 5))
        project.permit_number = f"AU-ST/{year}/{counters[year]:05d}"


def build_projects(plan: Plan, rng: np.random.Generator) -> list[Project]:
    """The register of authorized projects, sorted by permit date."""
    sites = building_sites(plan)
    projects: list[Project] = []
    for _ in range(20 * PROJECT_COUNT):  # bounded: a full zone must not loop forever
        if len(projects) == PROJECT_COUNT:
            break
        project = draw_project(sites, rng)
        if project is None:
            continue
        rules = ZoneRules.model_validate(ZONE_REGULATIONS[project.zone_code])
        draw_figures(project, rules, rng)
        project.procedure = procedure_for(
            project, sectors_touching(project.footprint, plan.sectors)
        )
        draw_dates(project, rng)
        project.status = draw_status(project, rng)
        projects.append(project)
    if len(projects) < PROJECT_COUNT:
        raise RuntimeError(f"only {len(projects)} projects found room")
    projects.sort(key=lambda p: (p.permit_date, p.filed_on))
    number_permits(projects, rng)
    return projects


# ---------------------------------------------------------------- writing


def features_frame(features: Sequence[Feature]) -> gpd.GeoDataFrame:
    """A GeoDataFrame of features, in the plan's SRID."""
    return gpd.GeoDataFrame(
        [f.attributes for f in features], geometry=[f.geometry for f in features], crs=SRID
    )


def roads_frame(roads: Sequence[Road]) -> gpd.GeoDataFrame:
    """The roads layer: ref, width_m (null for the right-of-way polygon), name."""
    rows = [{"ref": r.ref, "width_m": r.width_m, "name": r.name} for r in roads]
    return gpd.GeoDataFrame(rows, geometry=[r.geometry for r in roads], crs=SRID)


PROJECT_TEXT_FIELDS = (
    "permit_number",
    "kind",
    "use",
    "procedure",
    "status",
    "zone_code",
)
PROJECT_DATE_FIELDS = ("permit_date", "filed_on", "decided_on")


def project_columns(projects: Sequence[Project]) -> dict[str, npt.NDArray[Any]]:
    """Column arrays of the projets_autorises layer; NaN marks a missing figure."""
    columns: dict[str, npt.NDArray[Any]] = {
        name: np.array([getattr(p, name) for p in projects], dtype=object)
        for name in PROJECT_TEXT_FIELDS
    }
    columns["commune"] = np.full(len(projects), COMMUNE, dtype=object)
    for name in PROJECT_DATE_FIELDS:
        columns[name] = np.array([getattr(p, name) for p in projects], dtype="datetime64[D]")
    columns["storeys"] = np.array([p.storeys or 0 for p in projects], dtype=np.int32)
    for name in ("height_m", "floor_area_m2"):
        values = [getattr(p, name) for p in projects]
        columns[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
    return columns


PROJECT_FIELD_ORDER = (
    "permit_number", "permit_date", "commune", "kind", "use", "procedure", "storeys",
    "height_m", "floor_area_m2", "status", "filed_on", "decided_on", "zone_code",
)  # fmt: skip


def write_plan_package(plan: Plan, out_dir: Path) -> None:
    """Write the GeoPackage of the plan, one layer per docs/formats.md §1 table row."""
    path = out_dir / PLAN_GPKG
    path.unlink(missing_ok=True)
    perimeter = [Feature({"name": f"Périmètre du {PLAN_META['name']}"}, plan.perimeter)]
    layers = {
        "zones": features_frame(plan.zones),
        "perimeter": features_frame(perimeter),
        "roads": roads_frame(plan.roads),
        "servitudes": features_frame(plan.servitudes),
        "reservations": features_frame(plan.reservations),
        "sectors": features_frame(plan.sectors),
    }
    for name, frame in layers.items():
        # Roads and servitudes mix geometry types: pyogrio writes them as "Unknown".
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")


def write_projects(projects: Sequence[Project], out_dir: Path) -> None:
    """Write the register of authorized projects, dates as GeoPackage DATE fields."""
    path = out_dir / PROJECTS_GPKG
    path.unlink(missing_ok=True)
    columns = project_columns(projects)
    # geopandas would store the dates as DATETIME; pyogrio's raw writer keeps datetime64[D] as DATE.
    storeys_missing = np.array([p.storeys is None for p in projects])
    write(
        str(path),
        shapely.to_wkb(np.array([p.footprint for p in projects], dtype=object)),
        [columns[name] for name in PROJECT_FIELD_ORDER],
        list(PROJECT_FIELD_ORDER),
        field_mask=[storeys_missing if name == "storeys" else None for name in PROJECT_FIELD_ORDER],
        layer="projets_autorises",
        driver="GPKG",
        geometry_type="Polygon",
        crs=f"EPSG:{SRID}",
    )


#: Arabic twins of the règlement's texts (issue 16): printed in the NRU's Arabic part.
ZONE_REGULATIONS_AR: dict[str, dict[str, Any]] = {
    "B4": {
        "label_ar": "منطقة العمارات (R+4)",
        "affectation_ar": "السكن الجماعي؛ التجارة والمكاتب في الطابق الأرضي والطابق الأول",
        "interdictions_ar": [
            "المؤسسات الصناعية من الصنفين الأول والثاني",
            "المستودعات والمخازن",
            "البنايات ذات الاستعمال الفلاحي",
        ],
        "parking_ar": "موقف واحد لكل مسكن؛ موقف واحد لكل 50 m² من التجارة أو المكاتب",
    },
    "B3": {
        "label_ar": "منطقة العمارات (R+3)",
        "affectation_ar": "السكن الجماعي؛ التجارة والخدمات في الطابق الأرضي",
        "interdictions_ar": ["المؤسسات الصناعية من الصنفين الأول والثاني", "المستودعات والمخازن"],
        "parking_ar": "موقف واحد لكل مسكن",
    },
    "C": {
        "label_ar": "منطقة السكن المسترسل (R+2)",
        "affectation_ar": (
            "السكن الفردي المسترسل (الدار المغربية العصرية)؛ تجارة القرب في الطابق الأرضي"
        ),
        "interdictions_ar": ["الصناعة", "المستودعات", "الورشات المزعجة"],
        "parking_ar": "موقف واحد لكل مسكن بالنسبة للبقع التي تفوق مساحتها 150 m²",
    },
    "HE": {
        "label_ar": "منطقة السكن الاقتصادي (R+2)",
        "affectation_ar": "السكن الاقتصادي؛ تجارة القرب في الطابق الأرضي",
        "interdictions_ar": ["الصناعة", "المستودعات", "الورشات المزعجة"],
    },
    "D1": {
        "label_ar": "منطقة الفيلات المنفردة (R+1)",
        "affectation_ar": "السكن الفردي المنفرد",
        "interdictions_ar": ["التجارة", "الصناعة", "العمارات الجماعية"],
        "parking_ar": "موقفان داخل البقعة",
    },
    "D2": {
        "label_ar": "منطقة الفيلات المزدوجة (R+1)",
        "affectation_ar": "السكن الفردي المزدوج",
        "interdictions_ar": ["الصناعة", "العمارات الجماعية"],
        "parking_ar": "موقف واحد داخل البقعة",
    },
    "M": {
        "label_ar": "منطقة المدينة العتيقة (نسيج عتيق يتعين الحفاظ عليه)",
        "affectation_ar": "السكن التقليدي، الصناعة التقليدية، التجارة، دور الضيافة",
        "interdictions_ar": [
            "التعلية فوق R+2",
            "المواد والألوان غير التقليدية في الواجهات",
            "هدم البنايات ذات القيمة التراثية",
        ],
        "parking_ar": "غير مطلوب",
    },
    "I": {
        "label_ar": "المنطقة الصناعية",
        "affectation_ar": "الصناعات من الصنفين الثاني والثالث، المستودعات، الورشات",
        "interdictions_ar": ["السكن، باستثناء سكن الحراسة", "الصناعات غير الصحية"],
        "parking_ar": "موقف واحد لكل 100 m² من المساحة المغطاة؛ مساحات الشحن داخل البقعة",
    },
    "ZA": {
        "label_ar": "منطقة الأنشطة الاقتصادية",
        "affectation_ar": "تجارة الجملة، الخدمات، الصناعة التقليدية، الصناعات الصغرى غير المضرة",
        "interdictions_ar": ["السكن", "الصناعات من الصنف الأول"],
        "parking_ar": "موقف واحد لكل 50 m² من المساحة المغطاة",
    },
    "ZE": {
        "label_ar": "منطقة التجهيزات العمومية",
        "affectation_ar": (
            "التجهيزات العمومية وذات المصلحة العامة: التعليم، الصحة، الإدارة، العبادة، الرياضة"
        ),
        "interdictions_ar": ["السكن، باستثناء السكن الوظيفي", "الصناعة"],
        "parking_ar": "حسب طبيعة التجهيز",
    },
    "ZT": {
        "label_ar": "المنطقة السياحية",
        "affectation_ar": "الفنادق، الإقامات السياحية، المطاعم، الترفيه",
        "interdictions_ar": ["السكن الفردي خارج الإقامات السياحية", "الصناعة"],
        "parking_ar": "موقف واحد لكل غرفتين",
    },
    "ZV": {
        "label_ar": "المنطقة الخضراء (المساحات الخضراء والمنتزهات)",
        "affectation_ar": "الحدائق العمومية، المنتزهات، فضاءات الألعاب",
        "interdictions_ar": ["كل بناء، باستثناء الأكشاك والمرافق الصحية العمومية القابلة للتفكيك"],
    },
    # RA (zone agricole) keeps its French alone: the NRU prints it so, with no gap.
}
SERVITUDE_TEXTS_AR = {
    "non_aedificandi": (
        "منطقة يمنع فيها البناء (non aedificandi): يمنع فيها كل بناء، بما في ذلك الأسوار الصلبة."
    ),
    "ligne_ht": (
        "ممر خط كهربائي ذي جهد عال: يمنع فيه كل بناء؛ ويخضع الغرس والأشغال "
        "للموافقة المسبقة للمكتب الوطني للكهرباء والماء الصالح للشرب."
    ),
    "monument": (
        "منطقة حماية معلمة تاريخية: يخضع كل مشروع للرأي المسبق للوزارة المكلفة "
        "بالثقافة (القانون رقم 22-80)؛ والعلو والمواد والألوان فيها مقننة."
    ),
    "cimetiere": "مقبرة: يمنع فيها كل بناء غير جنائزي أو تعبدي.",
}


class PlainDumper(yaml.SafeDumper):
    """A safe YAML dumper writing shared values in full: no &anchors for agents to decode."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never alias."""
        return True


def write_reglement(
    zone_codes: Sequence[str], servitude_kinds: Sequence[str], out_dir: Path
) -> None:
    """Write reglement.yaml: the plan, the rules of every zone code used, the servitude texts."""
    document = {
        "plan": PLAN_META,
        "zones": {
            code: {
                **ZONE_REGULATIONS[code],
                **ZONE_REGULATIONS_AR.get(code, {}),
                "allowed_uses": ZONE_USES[code][0],
                "forbidden_uses": ZONE_USES[code][1],
            }
            for code in ZONE_REGULATIONS
            if code in zone_codes
        },
        "servitudes": {kind: SERVITUDE_TEXTS[kind] for kind in servitude_kinds},
        "servitudes_ar": {
            kind: SERVITUDE_TEXTS_AR[kind] for kind in servitude_kinds if kind in SERVITUDE_TEXTS_AR
        },
        "legend": {code: ZONE_COLOURS[code] for code in ZONE_COLOURS if code in zone_codes},
    }
    text = yaml.dump(document, Dumper=PlainDumper, allow_unicode=True, sort_keys=False, width=100)
    header = "# Generated by data/make_demo.py: edit the script, not this file.\n"
    (out_dir / "reglement.yaml").write_text(header + text, encoding="utf-8")


# ---------------------------------------------------------------- raster rendering

PIXEL_M = 2.0
MARGIN_M = 60.0

Image = npt.NDArray[np.uint8]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """The (r, g, b) of a #rrggbb colour."""
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


@dataclass(frozen=True)
class Canvas:
    """Pixel grid of the rendering."""

    transform: Any
    height: int
    width: int

    def mask(self, geometries: Sequence[Any]) -> npt.NDArray[np.bool_]:
        """Pixels covered by the geometries."""
        shapes = [(g, 1) for g in geometries if not g.is_empty]
        burnt = rasterize(shapes, out_shape=(self.height, self.width), transform=self.transform)
        return np.asarray(burnt, dtype=bool)


def paint(image: Image, mask: npt.NDArray[np.bool_], colour: str, opacity: float = 1.0) -> None:
    """Paint a colour over the masked pixels, blended with what is below."""
    colour_array = np.array(rgb(colour), dtype=float)[:, None]
    below = image[:, mask].astype(float)
    image[:, mask] = np.round(below * (1 - opacity) + colour_array * opacity).astype(np.uint8)


def hatching(canvas: Canvas, spacing: int = 10) -> npt.NDArray[np.bool_]:
    """Diagonal hatching lines, two pixels wide."""
    rows, cols = np.indices((canvas.height, canvas.width))
    return np.asarray((rows + cols) % spacing < 2)


def paint_servitudes(image: Image, canvas: Canvas, plan: Plan) -> None:
    """Servitudes' areas tinted and hatched in their colour; the oued drawn in blue."""
    hatch = hatching(canvas)
    for servitude in plan.servitudes:
        kind = servitude.attributes["kind"]
        buffer_m = servitude.attributes.get("buffer_m")
        area = servitude.geometry.buffer(buffer_m) if buffer_m else servitude.geometry
        area = area.intersection(plan.perimeter)
        mask = canvas.mask([area])
        paint(image, mask, SERVITUDE_COLOURS[kind], 0.2)
        paint(image, mask & hatch, SERVITUDE_COLOURS[kind], 0.7)
        if servitude.geometry.geom_type == "LineString":
            paint(image, canvas.mask([servitude.geometry.buffer(2)]), SERVITUDE_COLOURS[kind])


def render_image(plan: Plan, canvas: Canvas) -> Image:
    """The plan drawn in the urbanism palette: zones, reservations, roads, servitudes, boundary."""
    image = np.full((3, canvas.height, canvas.width), 255, dtype=np.uint8)
    for code, colour in ZONE_COLOURS.items():
        paint(
            image,
            canvas.mask([z.geometry for z in plan.zones if z.attributes["code"] == code]),
            colour,
        )
    paint(image, canvas.mask([z.geometry.boundary for z in plan.zones]), "#7a7a7a", 0.6)
    reserved = canvas.mask([r.geometry for r in plan.reservations])
    paint(image, reserved, RESERVATION_COLOUR)
    paint(image, canvas.mask([r.geometry.boundary for r in plan.reservations]), "#1f4e8c")
    row = right_of_way(plan.roads).intersection(plan.perimeter)
    paint(image, canvas.mask([row]), "#ffffff")
    paint(image, canvas.mask([row.boundary.buffer(1.5)]) & canvas.mask([plan.perimeter]), "#8c8c8c")
    paint_servitudes(image, canvas, plan)
    paint(image, canvas.mask([plan.perimeter.exterior.buffer(3)]), "#000000")
    return image


def write_raster(plan: Plan, out_dir: Path) -> None:
    """Write the rendering as a tiled, DEFLATE-compressed RGB GeoTIFF with overviews."""
    minx, miny, maxx, maxy = plan.perimeter.bounds
    left = math.floor((minx - MARGIN_M) / PIXEL_M) * PIXEL_M
    top = math.ceil((maxy + MARGIN_M) / PIXEL_M) * PIXEL_M
    width = math.ceil((maxx + MARGIN_M - left) / PIXEL_M)
    height = math.ceil((top - (miny - MARGIN_M)) / PIXEL_M)
    canvas = Canvas(from_origin(left, top, PIXEL_M, PIXEL_M), height, width)
    image = render_image(plan, canvas)
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 3, "dtype": "uint8",
        "crs": f"EPSG:{SRID}", "transform": canvas.transform, "compress": "deflate",
        "predictor": 2, "tiled": True, "blockxsize": 256, "blockysize": 256,
        "photometric": "RGB", "interleave": "pixel",
    }  # fmt: skip
    with rasterio.open(out_dir / RASTER_TIF, "w", **profile) as dataset:
        dataset.write(image)
        dataset.build_overviews([2, 4, 8], Resampling.average)
        dataset.update_tags(
            TITLE=f"{PLAN_META['name']} — plan de zonage", SOURCE="data/make_demo.py"
        )


# ---------------------------------------------------------------- verification


def check_zones(zones: gpd.GeoDataFrame, perimeter: Any) -> list[str]:
    """Validity, overlaps and gaps of the zone partition."""
    problems = [
        f"zone {i} invalid" for i, valid in enumerate(shapely.is_valid(zones.geometry)) if not valid
    ]
    geometries = zones.geometry.to_numpy()
    left, right = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
    worst = max(
        (shapely.intersection(geometries[i], geometries[j]).area for i, j in pairs), default=0.0
    )
    if worst >= 0.01:
        problems.append(f"zones overlap by up to {worst:.4f} m²")
    union = shapely.union_all(geometries)
    gap = shapely.difference(perimeter, union).area
    outside = shapely.difference(union, perimeter).area
    if gap >= 1 or outside >= 1:
        problems.append(f"zones leave {gap:.3f} m² of gaps and {outside:.3f} m² outside")
    return problems


def check_within(name: str, frame: gpd.GeoDataFrame, perimeter: Any) -> list[str]:
    """Every feature of a layer lies within the perimeter, boundary included."""
    outside = [i for i, geom in enumerate(frame.geometry) if not perimeter.covers(geom)]
    return [f"{name}: features {outside} leave the perimeter"] if outside else []


def check_reglement(zones: gpd.GeoDataFrame, out_dir: Path) -> list[str]:
    """The YAML has a valid rule set for every zone code and no other."""
    document = yaml.safe_load((out_dir / "reglement.yaml").read_text(encoding="utf-8"))
    problems = []
    for code, rules in document["zones"].items():
        try:
            ZoneRules.model_validate(rules)
        except ValidationError as error:
            problems.append(f"règlement of zone {code}: {error}")
    codes = set(zones["code"])
    if set(document["zones"]) != codes:
        problems.append("zone codes differ from the YAML")
    if len(codes) < 12:
        problems.append(f"only {len(codes)} zone codes")
    return problems


def check_projects(projects: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, no_build: Any) -> list[str]:
    """Projects: enough of them, in a constructible zone of their code, off no-build land."""
    problems = [] if len(projects) >= 200 else [f"only {len(projects)} projects"]
    for row in projects.itertuples():
        zone = zones[zones.intersects(row.geometry.buffer(-0.1))]
        if len(zone) != 1 or zone.iloc[0]["code"] != row.zone_code:
            problems.append(f"project {row.permit_number} not within one zone {row.zone_code}")
        if not ZONE_REGULATIONS[row.zone_code].get("constructible", True):
            problems.append(f"project {row.permit_number} in a non-constructible zone")
        if row.geometry.intersection(no_build).area > 0.01:
            problems.append(f"project {row.permit_number} on no-build land")
        if not 3 <= (row.decided_on - row.filed_on).days <= 60:
            problems.append(
                f"project {row.permit_number}: decided {row.decided_on}, filed {row.filed_on}"
            )
    return problems


def check_geometry_types(layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """The mixed layers read back with every geometry type the plan package allows."""
    expected = {
        "roads": {"LineString", "Polygon"},
        "servitudes": {"LineString", "Point", "Polygon"},
        "zones": {"Polygon"},
        "perimeter": {"Polygon"},
    }
    return [
        f"{name}: geometry types {sorted(set(layers[name].geom_type))}, expected {sorted(types)}"
        for name, types in expected.items()
        if set(layers[name].geom_type) != types
    ]


def check_raster(out_dir: Path) -> list[str]:
    """The rendering is a georeferenced RGB GeoTIFF of 2 m pixels, under 3 MB."""
    path = out_dir / RASTER_TIF
    with rasterio.open(path) as dataset:
        georeferenced = dataset.crs.to_epsg() == SRID and dataset.res == (PIXEL_M, PIXEL_M)
        rgb_bands = dataset.count == 3 and dataset.dtypes[0] == "uint8"
    problems = [] if georeferenced and rgb_bands else [f"{RASTER_TIF}: wrong CRS, pixels or bands"]
    if path.stat().st_size > 3e6:
        problems.append(f"{RASTER_TIF} is larger than 3 MB")
    return problems


def read_layers(out_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    """Every layer written, read back from disk."""
    layers = {
        name: gpd.read_file(out_dir / PLAN_GPKG, layer=name, engine="pyogrio")
        for name in ("zones", "perimeter", "roads", "servitudes", "reservations", "sectors")
    }
    projects = gpd.read_file(out_dir / PROJECTS_GPKG, layer="projets_autorises", engine="pyogrio")
    layers["projets_autorises"] = projects
    return layers


def optional_float(value: Any) -> float | None:
    """A float read back from a layer, None for a null (NaN)."""
    return None if value is None or math.isnan(value) else float(value)


def summary_line(name: str, frame: gpd.GeoDataFrame) -> str:
    """Count, geometry types and total area or length of a layer."""
    types = ",".join(sorted(set(frame.geom_type)))
    area = frame.geometry.area.sum()
    length = frame.geometry[frame.geom_type == "LineString"].length.sum()
    return (
        f"{name:<18} {len(frame):>4} features  {types:<26} "
        f"area {area / 10_000:8.2f} ha  lines {length:7.0f} m"
    )


def verify(out_dir: Path) -> None:
    """Read the outputs back, check coverage, containment and counts; print one line per layer."""
    layers = read_layers(out_dir)
    perimeter = layers["perimeter"].geometry.iloc[0]
    servitudes = [
        Feature({"kind": r.kind, "buffer_m": optional_float(r.buffer_m)}, r.geometry)
        for r in layers["servitudes"].itertuples()
    ]
    problems = check_zones(layers["zones"], perimeter) + check_reglement(layers["zones"], out_dir)
    problems += check_geometry_types(layers) + check_raster(out_dir)
    for name, frame in layers.items():
        problems += check_within(name, frame, perimeter)
    lines = layers["roads"][layers["roads"].geom_type == "LineString"]
    if len(lines) < 6:
        problems.append(f"only {len(lines)} road centrelines")
    problems += check_projects(
        layers["projets_autorises"], layers["zones"], no_build_area(servitudes)
    )
    for name, frame in layers.items():
        print(summary_line(name, frame))
    size = sum(path.stat().st_size for path in out_dir.iterdir()) / 1e6
    print(
        f"data/demo: {size:.2f} MB; Lambert extent {tuple(round(v, 2) for v in perimeter.bounds)}"
    )
    if problems:
        raise SystemExit("verification failed:\n" + "\n".join(problems))
    print("verification passed")


def main() -> None:
    """Generate every file of data/demo, then verify them."""
    rng = np.random.default_rng(SEED)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    plan = build_plan(rng)
    projects = build_projects(plan, rng)
    write_plan_package(plan, OUT_DIR)
    zone_codes = sorted({z.attributes["code"] for z in plan.zones})
    write_reglement(zone_codes, [s.attributes["kind"] for s in plan.servitudes], OUT_DIR)
    write_projects(projects, OUT_DIR)
    write_raster(plan, OUT_DIR)
    verify(OUT_DIR)


if __name__ == "__main__":
    main()
