"""The note de renseignements urbanistiques as data (docs/http.md; RGC art. 6-9, Annexe 1).

These models are what is stored, returned as JSON and rendered to PDF; the names of
docs/http.md are kept as they are (agencies' programs depend on them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class Approval(BaseModel):
    """The plan's approval act and its Bulletin officiel publication."""

    act: str | None = None
    date: dt.date | None = None
    bo: str | None = None
    bo_date: dt.date | None = None


class PlanRef(BaseModel):
    """The plan d'aménagement (or PDAR) that answers for the parcel."""

    name: str
    kind: str
    status: str  # homologue | en_cours
    commune: str
    province: str | None = None
    agency: str
    approval: Approval = Field(default_factory=Approval)
    valid_until: dt.date | None = None
    #: a plan en cours: the opening of its public inquiry, start of the twelve months of loi
    #: 12-90 art. 27 (Annexe 1); None when the règlement does not give it
    enquete_publique: dt.date | None = None


class Signatory(BaseModel):
    """Who signs the letter for the agency (settings, else the plan's règlement)."""

    name: str
    title: str | None = None


class RequestRef(BaseModel):
    """The request the note answers (art. 6 al. 2: received « contre récépissé dûment daté »)."""

    id: str
    number: str
    received_at: dt.datetime
    qualite: str | None = None  # proprietaire | mandataire | administration (art. 5, art. 6)


class Borne(BaseModel):
    """A corner of the parcel as the surveyor numbered it."""

    id: str
    x: float
    y: float


class ParcelInfo(BaseModel):
    """The parcel as computed from the petitioner's coordinates (Lambert metres)."""

    srid: int
    area_m2: float
    declared_area_m2: float | None = None
    centroid: tuple[float, float]
    land_reference: str | None = None  # "TF 12345/R", "Réquisition 6789/R" or None
    bornes: list[Borne] = Field(default_factory=list)


class SetbackArea(BaseModel):
    """The parcel's land of a zone part inside one setback band (issue #11 item 15).

    distance_m and area_m2 are None when the band cannot be drawn (boundary not located);
    a height-ratio setback (H/2) is worked out for height_m, the zone's maximum height.
    """

    kind: str  # road | side | rear
    distance_m: float | None
    area_m2: float | None
    height_ratio: float | None = None
    height_m: float | None = None
    note: str | None = None


class BuildableReason(BaseModel):
    """One step from the zone part to its buildable footprint, with a stable code."""

    code: str
    text: str
    area_m2: float | None = None


class ZoneShare(BaseModel):
    """A zone (merged by code) over the parcel, with the rules of its règlement."""

    code: str
    label: str
    area_m2: float
    share: float
    rules: dict[str, Any] = Field(default_factory=dict)
    setbacks: list[SetbackArea] = Field(default_factory=list)
    buildable_footprint_m2: float | None = None
    buildable_reasons: list[BuildableReason] = Field(default_factory=list)


class ServitudeShare(BaseModel):
    """An easement burdening part of the parcel."""

    kind: str
    label: str | None = None
    area_m2: float
    share: float
    text: str | None = None  # the règlement's sentence for this kind
    text_ar: str | None = None  # its Arabic twin (règlement's servitudes_ar), when given


class RoadAlignment(BaseModel):
    """The part of the parcel inside a planned road's right-of-way: the alignment to respect."""

    ref: str
    name: str | None = None
    width_m: float | None = None
    area_m2: float


class ReservationShare(BaseModel):
    """Land of the parcel reserved for a public facility."""

    code: str
    label: str | None = None
    area_m2: float


class SectorHit(BaseModel):
    """A sector the parcel lies in (médina, lotissement réceptionné, patrimoine...)."""

    kind: str
    label: str | None = None


class Omitted(BaseModel):
    """An overlap under the plan's tolerance: listed, never silently dropped."""

    layer: str
    name: str
    area_m2: float
    reason: str


class OtherPlan(BaseModel):
    """Part of the parcel under another plan than the one answering."""

    name: str
    area_m2: float


class Nru(BaseModel):
    """One issued note, as stored and returned (docs/http.md)."""

    id: str
    number: str
    issued_at: dt.datetime
    valid_until: dt.date | None
    plan: PlanRef
    parcel: ParcelInfo
    zones: list[ZoneShare]
    servitudes: list[ServitudeShare]
    roads: list[RoadAlignment]
    reservations: list[ReservationShare]
    sectors: list[SectorHit]
    outside_plan_m2: float
    other_plans: list[OtherPlan] = Field(default_factory=list)
    omitted: list[Omitted]
    warnings: list[str]
    text: list[str] = Field(default_factory=list)  # the Annexe 1 letter, paragraph by paragraph
    #: the parcel's buildable footprint, the sum of its zone parts' (None when one cannot be
    #: told), and the steps to it in French, zone by zone (issue #11 item 15)
    buildable_footprint_m2: float | None = None
    buildable_reasons: list[str] = Field(default_factory=list)
    links: dict[str, str] = Field(default_factory=dict)
    request: RequestRef | None = None  # the « Réf : Votre demande n° … du … » of the letter
    signatory: Signatory | None = None
