"""A building project as a petitioner describes it (docs/http.md); unknown facts stay None."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
import shapely
import shapely.geometry
from annotated_types import MaxLen
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from shapely.errors import GEOSException
from shapely.validation import explain_validity

# RGC art. 5 lists the authorisations; art. 20 and Annexe 4 add the réfection works and the
# "installations saisonnières ou occasionnelles".
ProjectKind = Literal[
    "construction",
    "lotissement",
    "groupe_habitations",
    "morcellement",
    "modification",
    "surelevation",
    "demolition",
    "regularisation",
    "refection",
    "installation_saisonniere",
]

# Annexe 2 names the uses that make a grand projet: public buildings, establishments receiving
# the public (tourism, sport and leisure, teaching, health, social and cultural), and buildings
# for economic activities (commercial, services, industrial, logistics, ...).
ProjectUse = Literal[
    "habitation",
    "commerce",
    "bureaux",
    "services",
    "industrie",
    "logistique",
    "artisanat",
    "tourisme",
    "equipement",
    "erp",
    "sport_loisirs",
    "enseignement",
    "sante",
    "social_culturel",
    "administration",
    "agricole",
    "mixte",
    "autre",
]


#: 100 km², more than any Moroccan commune's urban perimeter: a larger area is a typo or a
#: probe (10^300 m², infinity), not a project, and must not reach the rules or the register.
MAX_AREA_M2 = 100_000_000.0
#: The register's bounds (RGC projects are buildings, not towers of a kilometre).
MAX_HEIGHT_M = 1000.0
MAX_STOREYS = 200


#: No coordinate of Morocco in metres reaches 10,000 km: beyond is a slip or a probe, and GEOS
#: overflows on 1e308 (areas of infinity, TopologyException).
MAX_COORDINATE_M = 10_000_000.0
#: A building's outline has tens of vertices; a parcel is refused beyond the same number.
MAX_VERTICES = 10_000
#: A coordinate list as typed: 10,000 bornes of a hundred characters at most. Lists of
#: positions need no bound here: the intake refuses more than 10,000 points, by their count.
MAX_COORDINATES_TEXT = 1_000_000
CoordinatesText = Annotated[str, MaxLen(MAX_COORDINATES_TEXT)]
#: What a request may send as a parcel's coordinates: the text as uploaded, [[x, y], …] or
#: rings of them.
CoordinatesInput = CoordinatesText | list[list[float]] | list[list[list[float]]]


def polygon_geojson(value: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon that shapely reads as a valid area, else ValueError."""
    try:
        geometry = shapely.geometry.shape(value)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, GEOSException):
        raise ValueError("pas une géométrie GeoJSON") from None
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"un Polygon ou un MultiPolygon est attendu, pas un {geometry.geom_type}")
    if geometry.is_empty:
        raise ValueError("le polygone est vide")
    _within_limits(shapely.get_coordinates(geometry))
    if not geometry.is_valid:
        # GEOS says what and where, e.g. « Self-intersection[358720 366620] »
        raise ValueError(f"le polygone est invalide : {explain_validity(geometry)}")
    return value


def _within_limits(coordinates: Any) -> None:
    """At most MAX_VERTICES vertices, each within MAX_COORDINATE_M (PydanticCustomError)."""
    if len(coordinates) > MAX_VERTICES:
        raise PydanticCustomError(
            "too_many_vertices",
            f"{len(coordinates)} sommets : une emprise en compte au plus {MAX_VERTICES} "
            "(limite du service)",
        )
    outside = ~(np.abs(coordinates) <= MAX_COORDINATE_M)  # NaN included
    if outside.any():
        x, y = coordinates[np.flatnonzero(outside.any(axis=1))[0]]
        limit = f"{MAX_COORDINATE_M:,.0f}".replace(",", " ")
        raise PydanticCustomError(
            "coordinate_out_of_range",
            f"le sommet ({x:g} ; {y:g}) est hors des valeurs possibles : des mètres Lambert sont "
            f"attendus, au plus {limit} en valeur absolue",
        )


Owner = Literal["prive", "public"]
# RGC art. 3 (the Bouregreg valley and Marchica lagoon development zones) and art. 4 (military
# buildings and installations, buildings for Muslim worship): the RGC does not apply there.
Exclusion = Literal["bouregreg", "marchica", "militaire", "culte_musulman"]
Procedure = Literal["grands_projets", "petits_projets", "refection"]
ParentProcedure = Literal["grands_projets", "petits_projets"]


class Project(BaseModel):
    """What classification, compliance and fees need to know; None means not stated."""

    # NaN and infinity are no figures of a project (and JSON cannot carry them back)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: ProjectKind
    use: ProjectUse | None = None
    owner: Owner | None = Field(
        None, description="public: built by or for an administration or public body (Annexe 2)"
    )
    height_m: float | None = Field(
        None,
        ge=0,
        le=MAX_HEIGHT_M,
        description="height in metres, toute superstructure confondue; after the works for a "
        "surélévation (Annexes 2 and 3)",
    )
    storeys: int | None = Field(
        None,
        ge=0,
        le=MAX_STOREYS,
        description="n of R+n, toute superstructure confondue; after the works",
    )
    in_lotissement_receptionne: bool | None = Field(
        None, description="in a lotissement whose works were accepted (réceptionnés)"
    )
    in_lotissement_restructure: bool | None = Field(
        None,
        description="in a non-regulatory lotissement restructured under loi 25-90 chapter II",
    )
    in_tissu_ancien: bool | None = Field(
        None, description="in a médina intra-muros, ksar or kasbah (Annexe 2)"
    )
    patrimoine: bool | None = Field(
        None, description="building listed (inscrit) or classified (classé), Annexe 2"
    )
    affectation_definie: bool | None = Field(
        None, description="the plan defines the land's use (Annexe 2, outside a lotissement)"
    )
    exclusion: Exclusion | None = Field(
        None,
        description="outside the RGC: bouregreg, marchica (art. 3), militaire, culte_musulman "
        "(art. 4)",
    )
    etablissement_classe: bool | None = Field(
        None,
        description="établissement classé (insalubre, incommode ou dangereux): the "
        "environment administration gives its avis (art. 26)",
    )
    parent_procedure: ParentProcedure | None = Field(
        None,
        description="procedure of the existing building a modification or demolition bears on",
    )
    changement_affectation: bool | None = Field(
        None, description="réfection works that change the building's use (Annexe 4 §1)"
    )
    modifie_elements_reglementes: bool | None = Field(
        None,
        description="works touching parties indivises, structures porteuses, façades or "
        "distribution intérieure (Annexe 4 §2)",
    )
    floor_area_m2: float | None = Field(
        None, ge=0, le=MAX_AREA_M2, description="surface de planchers"
    )
    footprint_area_m2: float | None = Field(
        None, ge=0, le=MAX_AREA_M2, description="emprise au sol"
    )
    footprint: dict[str, Any] | None = Field(
        None, description="GeoJSON geometry of the footprint, in the plan's Lambert metres"
    )
    added_floor_area_m2: float | None = Field(
        None,
        ge=0,
        le=MAX_AREA_M2,
        description="floor area added by a modification, extension or surélévation",
    )
    subdivided_area_m2: float | None = Field(
        None,
        ge=0,
        le=MAX_AREA_M2,
        description="surface lotie of a lotissement or ensemble immobilier",
    )
    dwellings: int | None = Field(None, ge=0, description="number of dwellings")
    coordinates: CoordinatesText | list[list[float]] | None = Field(
        None, description="parcel coordinates, used by callers to derive the sector flags"
    )
    srid: int | None = None

    @field_validator("footprint")
    @classmethod
    def _footprint_is_a_polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else polygon_geojson(value)

    def in_lotissement_equipe(self) -> bool | None:
        """In a lotissement réceptionné or restructuré (Annexes 2, 3): True, False or unknown."""
        flags = (self.in_lotissement_receptionne, self.in_lotissement_restructure)
        if any(flag is True for flag in flags):
            return True
        if all(flag is False for flag in flags):
            return False
        return None
