"""The rules of a zone of a plan d'aménagement, as written in its règlement (docs/formats.md §1)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from checks.project import ProjectUse


class Setback(BaseModel):
    """A setback (recul): the larger of a fixed distance and a ratio of the building's height."""

    model_config = ConfigDict(extra="forbid")

    distance_m: float = Field(0.0, ge=0, description="minimum distance in metres")
    height_ratio: float | None = Field(
        None, ge=0, description="the setback is at least this ratio times the building's height"
    )

    def required_m(self, height_m: float | None) -> float | None:
        """Setback in metres for this height; None when the height is needed but unknown."""
        if self.height_ratio is None:
            return self.distance_m
        if height_m is None:
            return None
        return max(self.distance_m, self.height_ratio * height_m)


class Setbacks(BaseModel):
    """Setbacks from the road (alignement), the side and the rear boundaries."""

    model_config = ConfigDict(extra="forbid")

    road: Setback | None = None
    side: Setback | None = None
    rear: Setback | None = None


class ZoneRules(BaseModel):
    """Règlement d'aménagement of one zone: uses, prohibitions, the figures a project must meet."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1)
    affectation: str | None = None
    interdictions: list[str] = Field(default_factory=list)
    max_height_m: float | None = Field(None, gt=0)
    max_storeys: int | None = Field(None, ge=0, description="n of R+n")
    ces_max: float | None = Field(None, ge=0, le=1, description="coefficient d'emprise au sol")
    cos_max: float | None = Field(None, ge=0, description="coefficient d'occupation du sol")
    setbacks: Setbacks = Field(default_factory=Setbacks)
    min_parcel_area_m2: float | None = Field(None, ge=0)
    min_frontage_m: float | None = Field(None, ge=0)
    parking: str | None = None
    habitat_economique: bool = False
    constructible: bool = True
    # Arabic twins of the texts (issue 16): printed in the NRU's Arabic part when present,
    # the French standing alone where one is absent.
    label_ar: str | None = Field(None, min_length=1)
    affectation_ar: str | None = None
    interdictions_ar: list[str] = Field(default_factory=list)
    parking_ar: str | None = None
    allowed_uses: list[ProjectUse] | None = Field(
        None, description="uses the affectation admits (Project.use values); None: text only"
    )
    forbidden_uses: list[ProjectUse] = Field(
        default_factory=list, description="uses the interdictions exclude (Project.use values)"
    )
    # Art. 8 of décret 2-18-577: the note states « les types d'utilisations soumis à des
    # conditions spéciales », « l'implantation de plusieurs constructions sur une même
    # propriété foncière » and « les conditions d'accès afférentes à la voirie et aux parkings »
    conditions_speciales: list[str] = Field(
        default_factory=list, description="uses allowed only under special conditions (art. 8)"
    )
    constructions_multiples: str | None = Field(
        None, description="several buildings on one property: distance between them (art. 8)"
    )
    acces_voirie: str | None = Field(
        None, description="access to the roads (art. 8); parking is `parking`"
    )
