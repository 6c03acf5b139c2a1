"""A hand-built note and map extract near X 358000 Y 366000 (inside the demo raster)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from shapely.geometry import Polygon, box

from geoportal.nru.map_extract import MapExtract, window_around
from geoportal.nru.model import (
    Approval,
    Borne,
    Nru,
    Omitted,
    OtherPlan,
    ParcelInfo,
    PlanRef,
    RequestRef,
    ReservationShare,
    RoadAlignment,
    SectorHit,
    ServitudeShare,
    Signatory,
    ZoneShare,
)

DEMO_RASTER = Path(__file__).resolve().parents[3] / "data" / "demo" / "ain_demo_plan.tif"
SRID = 26191
NUMBER = "AU-ST/2026/000123"
REQUEST_NUMBER = "DEM/2026/000077"
VERIFY_URL = "https://geoportail.example.ma/nru/verifier/5f0c1a2e-7d4b-4b7e-9a51-2c8e3f6d9b10"
LAND_REFERENCE = "TF 12345/R"

BORNES = [
    ("B1", 357985.0, 365985.0),
    ("B2", 358035.0, 365982.0),
    ("B3", 358040.0, 366036.0),
    ("B4", 358010.0, 366042.0),
    ("B5", 357982.0, 366028.0),
]
PARCEL = Polygon([(x, y) for _, x, y in BORNES])
ZONE_C = box(357900, 365900, 358020, 366030)
ZONE_D1 = box(358020, 365900, 358140, 366030)
ZONE_B4 = box(357900, 366050, 358140, 366160)
ROAD_V12 = box(357900, 366030, 358140, 366050)  # right-of-way of a 20 m road
SERVITUDE = box(357900, 365900, 358140, 365990)  # a non aedificandi band along the south
RESERVATION_EP = box(358028, 365995, 358085, 366022)  # a school plot biting the east side

RULES_C: dict[str, Any] = {
    "label": "Zone d'habitat continu (R+2)",
    "affectation": "Habitat individuel en bande ; commerces de proximité en rez-de-chaussée",
    "interdictions": ["Industrie", "Dépôts", "Ateliers bruyants"],
    "max_height_m": 11.5,
    "max_storeys": 2,
    "ces_max": 0.75,
    "cos_max": 2.25,
    "setbacks": {
        "road": {"distance_m": 0.0, "height_ratio": None},
        "side": None,
        "rear": {"distance_m": 4.0, "height_ratio": 0.5},
    },
    "min_parcel_area_m2": 100.0,
    "min_frontage_m": 8.0,
    "parking": "1 place par logement pour les parcelles de plus de 150 m²",
    "habitat_economique": False,
    "constructible": True,
    "label_ar": None,  # Arabic twins (issue 16): none here, the French stands alone
    "affectation_ar": None,
    "interdictions_ar": [],
    "parking_ar": None,
    "allowed_uses": ["habitation", "commerce", "bureaux"],
    "forbidden_uses": ["industrie"],
    "conditions_speciales": ["Café, restaurant : sous réserve de l'avis de la commune"],
    "constructions_multiples": "Distance entre deux constructions : au moins H/2, minimum 4 m",
    "acces_voirie": "Accès carrossable de 4 m au moins sur une voie publique",
}
RULES_D1: dict[str, Any] = {
    "label": "Zone de villas isolées (R+1)",
    "affectation": "Habitat individuel isolé",
    "interdictions": ["Commerce", "Industrie", "Immeubles collectifs"],
    "max_height_m": 8.5,
    "max_storeys": 1,
    "ces_max": 0.3,
    "cos_max": 0.5,
    "setbacks": {
        "road": {"distance_m": 5.0, "height_ratio": None},
        "side": {"distance_m": 4.0, "height_ratio": None},
        "rear": {"distance_m": 4.0, "height_ratio": None},
    },
    "min_parcel_area_m2": 500.0,
    "min_frontage_m": 18.0,
    "parking": "2 places à l'intérieur de la parcelle",
    "habitat_economique": False,
    "constructible": True,
    "label_ar": None,
    "affectation_ar": None,
    "interdictions_ar": [],
    "parking_ar": None,
    "allowed_uses": ["habitation"],
    "forbidden_uses": [],
    "conditions_speciales": [],
    "constructions_multiples": None,
    "acces_voirie": None,
}


def _share(geometry: Any) -> tuple[float, float]:
    """(area, share) of the parcel inside a geometry."""
    area = float(PARCEL.intersection(geometry).area)
    return round(area, 2), round(area / float(PARCEL.area), 4)


def letter_text() -> list[str]:
    """The Annexe 1 letter as the text module would fill it (hand-written here)."""
    area_c, share_c = _share(ZONE_C)
    area_d1, share_d1 = _share(ZONE_D1)
    return [
        "En réponse à votre demande citée en référence, j'ai l'honneur de vous faire connaître "
        "que d'après les dispositions du plan d'aménagement de Ain Demo approuvé par Décret "
        "n° 2-21-101 du 15/03/2021 (BO n° 6970 du 01/04/2021), le terrain en question est "
        "affecté comme suit :",
        f"– situé en zone C (Zone d'habitat continu (R+2)) sur {area_c:.0f} m², soit "
        f"{share_c * 100:.0f} % du terrain ;",
        f"– situé en zone D1 (Zone de villas isolées (R+1)) sur {area_d1:.0f} m², soit "
        f"{share_d1 * 100:.0f} % du terrain ;",
        "– grevé par la bande non aedificandi de l'oued ;",
        "Par ailleurs, il convient de signaler qu'un nouvel alignement est à respecter le long "
        "de la voie d'aménagement n° V12 de 20 m d'emprise.",
        "De même, vous trouverez ci-joint une copie de la réglementation urbanistique "
        "applicable aux zones susvisées ainsi qu'un extrait du document d'urbanisme "
        "(plan d'aménagement).",
        "Par ailleurs, il est à préciser que la présente note, valable jusqu'au 1er avril "
        "2031, est délivrée sur la base des données fournies par le demandeur et "
        "ne peut, donc, attester de leur véracité et n'équivaut, en aucun cas, à un accord de "
        "principe pour la réalisation d'un quelconque projet, lequel doit respecter :",
        "• les dispositions de la loi n° 12-90 relative à l'urbanisme ;",
        "• et de manière générale, satisfaire aux lois et règlements en vigueur.",
        "Veuillez agréer, M./Mme, l'expression de mes salutations distinguées.",
    ]


def sample_nru() -> Nru:
    """Two zones, a servitude, a road alignment, a reservation, a sector, an omitted sliver."""
    centroid = PARCEL.centroid
    area_c, share_c = _share(ZONE_C)
    area_d1, share_d1 = _share(ZONE_D1)
    area_s, share_s = _share(SERVITUDE)
    return Nru(
        id="5f0c1a2e-7d4b-4b7e-9a51-2c8e3f6d9b10",
        number=NUMBER,
        issued_at=dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC),
        request=RequestRef(
            id="0b9f4c1e-2d3a-4f5b-8c6d-7e8f9a0b1c2d",
            number=REQUEST_NUMBER,
            received_at=dt.datetime(2026, 3, 13, 16, 5, tzinfo=dt.UTC),
            qualite="proprietaire",
        ),
        signatory=Signatory(name="Nadia Bennani", title="La Directrice de l'Agence Urbaine"),
        valid_until=dt.date(2031, 4, 1),
        plan=PlanRef(
            name="PA Ain Demo",
            kind="plan_amenagement",
            status="homologue",
            commune="Ain Demo",
            province="Skhirate-Temara",
            agency="Agence Urbaine de Skhirate-Temara",
            approval=Approval(
                act="Décret n° 2-21-101",
                date=dt.date(2021, 3, 15),
                bo="6970",
                bo_date=dt.date(2021, 4, 1),
            ),
            valid_until=dt.date(2031, 4, 1),
        ),
        parcel=ParcelInfo(
            srid=SRID,
            area_m2=round(float(PARCEL.area), 2),
            declared_area_m2=2950.0,
            centroid=(round(float(centroid.x), 2), round(float(centroid.y), 2)),
            land_reference=LAND_REFERENCE,
            bornes=[Borne(id=i, x=x, y=y) for i, x, y in BORNES],
        ),
        zones=[
            ZoneShare(
                code="C", label=RULES_C["label"], area_m2=area_c, share=share_c, rules=RULES_C
            ),
            ZoneShare(
                code="D1", label=RULES_D1["label"], area_m2=area_d1, share=share_d1, rules=RULES_D1
            ),
        ],
        servitudes=[
            ServitudeShare(
                kind="non_aedificandi",
                label="Bande non aedificandi de l'oued",
                area_m2=area_s,
                share=share_s,
                text="Zone non aedificandi : toute construction y est interdite.",
            )
        ],
        roads=[
            RoadAlignment(
                ref="V12", name="Avenue des Villas", width_m=20.0, area_m2=_share(ROAD_V12)[0]
            )
        ],
        reservations=[
            ReservationShare(code="EP", label="École primaire", area_m2=_share(RESERVATION_EP)[0])
        ],
        sectors=[SectorHit(kind="lotissement_receptionne", label="Lotissement Al Amal")],
        outside_plan_m2=12.4,
        other_plans=[OtherPlan(name="PA Témara", area_m2=12.4)],
        omitted=[
            Omitted(
                layer="zones",
                name="ZV",
                area_m2=0.31,
                reason="Superposition inférieure à la tolérance de 1 m²",
            )
        ],
        warnings=["La superficie calculée diffère de la superficie déclarée de plus de 1 %."],
        text=letter_text(),
    )


def sample_extract(*, raster: Path | None = None) -> MapExtract:
    """The map extract of the sample parcel, with or without the demo raster."""
    return MapExtract(
        bbox=window_around(PARCEL),
        srid=SRID,
        parcel=PARCEL,
        bornes=BORNES,
        zones=[
            ("C", RULES_C["label"], "#ffd34d", ZONE_C),
            ("D1", RULES_D1["label"], "#fcc79a", ZONE_D1),
            ("B4", "Zone d'immeubles (R+4)", "#e8840c", ZONE_B4),
        ],
        servitudes=[("non_aedificandi", "Bande non aedificandi de l'oued", SERVITUDE)],
        roads=[("V12", 20.0, ROAD_V12)],
        reservations=[("EP", "École primaire", RESERVATION_EP)],
        raster=raster,
    )
