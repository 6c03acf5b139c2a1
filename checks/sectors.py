"""The facts of Annexes 2 and 3 about a parcel: what the petitioner declared, what the plan adds.

A plan may ADD a fact, never REMOVE one. A parcel in a mapped médina is in the tissu ancien
whatever was declared (Annexe 2 §8); but plans rarely map listed buildings or accepted
lotissements, so "no such sector on the plan" says nothing: the declared value stands, and
with nothing declared the fact stays unknown (the procedure then names it as missing).

The one fact the plan itself decides is the land's use (Annexe 2 §7: « lorsque l'affectation
des terrains n'est pas définie par le plan d'aménagement … »): a parcel inside the plan's zones
has its use defined by them, a mapped `affectation_non_definie` sector or a parcel outside
every plan has none. Even there the plan only adds the burden: a declared « non définie »
stays.

Art. 3 and 4 exclusions (Bouregreg, Marchica, military buildings, buildings of worship) come
from the project's `exclusion` or from a mapped sector of that kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

from checks.project import Exclusion, Project

Source = Literal["declared", "plan"]

TISSU_ANCIEN = frozenset({"medina", "ksar", "kasbah"})
EXCLUSION_KINDS: frozenset[Exclusion] = frozenset(
    {"bouregreg", "marchica", "militaire", "culte_musulman"}
)
#: The Project fields the plan's sectors bear on (docs/http.md `sector_flags`).
SECTOR_FACTS = (
    "in_tissu_ancien",
    "in_lotissement_receptionne",
    "in_lotissement_restructure",
    "patrimoine",
    "affectation_definie",
)
#: For each fact, the value that brings a project under Annexe 2: the only one a plan adds.
BURDEN: dict[str, bool] = {
    "in_tissu_ancien": True,
    "in_lotissement_receptionne": True,
    "in_lotissement_restructure": True,
    "patrimoine": True,
    "affectation_definie": False,
}


class PlanFacts(BaseModel):
    """What the plan says of the parcel (derived by the caller from PostGIS)."""

    outside_plans: bool = False
    sector_kinds: frozenset[str] = frozenset()
    zoned: bool = False  # the parcel lies within the plan's zones


class SectorFacts(BaseModel):
    """The project with the plan's facts added, each fact's value and where it came from."""

    project: Project
    flags: dict[str, bool | str | None]
    source: dict[str, Source]


def plan_sector_values(plan: PlanFacts) -> dict[str, bool]:
    """The facts the plan establishes for the parcel; a fact it cannot tell is left out."""
    kinds = plan.sector_kinds
    values: dict[str, bool] = {}
    if kinds & TISSU_ANCIEN:
        values["in_tissu_ancien"] = True
    for fact, kind in (
        ("in_lotissement_receptionne", "lotissement_receptionne"),
        ("in_lotissement_restructure", "lotissement_restructure"),
        ("patrimoine", "patrimoine"),
    ):
        if kind in kinds:
            values[fact] = True
    if plan.outside_plans or "affectation_non_definie" in kinds:
        values["affectation_definie"] = False
    elif plan.zoned:
        values["affectation_definie"] = True
    return values


def plan_exclusion(plan: PlanFacts) -> Exclusion | None:
    """An art. 3 or 4 area mapped on the parcel, if any."""
    found = sorted(EXCLUSION_KINDS & plan.sector_kinds)
    return found[0] if found else None


def merge_sector_facts(project: Project, plan: PlanFacts | None) -> SectorFacts:
    """The declared facts, with those the plan adds (never removes)."""
    planned = plan_sector_values(plan) if plan is not None else {}
    updates: dict[str, bool | str | None] = {}
    source: dict[str, Source] = {}
    for fact in SECTOR_FACTS:
        declared: bool | None = getattr(project, fact)
        from_plan = planned.get(fact)
        if from_plan is not None and (declared is None or from_plan == BURDEN[fact]):
            value: bool | None = from_plan
            source[fact] = "declared" if declared == from_plan else "plan"
        else:
            value = declared
            if declared is not None:
                source[fact] = "declared"
        updates[fact] = value
    exclusion = project.exclusion or (plan_exclusion(plan) if plan is not None else None)
    if exclusion is not None:
        updates["exclusion"] = exclusion
        source["exclusion"] = "declared" if project.exclusion else "plan"
    merged = project.model_copy(update=updates)
    return SectorFacts(project=merged, flags=updates, source=source)


def sector_kinds_of(sectors: Iterable[dict[str, object]]) -> frozenset[str]:
    """The kinds of an overlay's sectors."""
    return frozenset(str(sector["kind"]) for sector in sectors)
