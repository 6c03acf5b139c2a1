"""The administrations whose avis the law requires on a project (RGC art. 26, art. 29).

Art. 26: « les membres non permanents desdites commissions d'instruction sont limités aux
seuls représentants des administrations dont l'avis ou le visa est requis par la législation
en vigueur ». Which ones depends on the project (its use, a listed building, an établissement
classé) and on the site (the plan's sectors, the servitudes over the parcel, the roads along
it). The agency keeps the table (data/administrations_art26.yaml): each line names the
administration, the text that requires its avis, and what brings it in. This module only
applies the table; the caller derives the site's facts from the plan.

Art. 22 al. 3 adds that members « dont les domaines d'intervention sont régis par des textes
réglementaires » sit only at the president's express request; the table lists the
administrations whose avis a law requires, and the agency may drop a line its commissions
treat under al. 3.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from checks.project import Project, ProjectUse

DEFAULT_TABLE_PATH = Path(__file__).resolve().parents[1] / "data" / "administrations_art26.yaml"
RoadCategory = Literal["autoroute", "nationale", "regionale", "provinciale"]
#: The Project facts a line of the table may name (true brings the administration in).
ProjectFact = Literal["patrimoine", "in_tissu_ancien", "etablissement_classe"]

# Moroccan road numbering: national roads N1-N17 (formerly RN), regional R100-R799 (RR),
# provincial P1000-P7999 (RP), motorways A1-A9; or the category spelt out in the road's name.
_REF_PATTERNS: tuple[tuple[RoadCategory, re.Pattern[str]], ...] = (
    ("autoroute", re.compile(r"^A\s?\d{1,2}$")),
    ("nationale", re.compile(r"^(RN\s?\d{1,3}|N\s?\d{1,2})$")),
    ("regionale", re.compile(r"^(RR\s?\d{1,4}|R\s?\d{3})$")),
    ("provinciale", re.compile(r"^(RP\s?\d{1,4}|P\s?\d{4})$")),
)
_NAME_PATTERNS: tuple[tuple[RoadCategory, re.Pattern[str]], ...] = (
    ("autoroute", re.compile(r"\bautoroute\b", re.IGNORECASE)),
    ("nationale", re.compile(r"\broute\s+nationale\b", re.IGNORECASE)),
    ("regionale", re.compile(r"\broute\s+r[ée]gionale\b", re.IGNORECASE)),
    ("provinciale", re.compile(r"\broute\s+provinciale\b", re.IGNORECASE)),
)


class Trigger(BaseModel):
    """What brings an administration in: any one of these suffices."""

    model_config = ConfigDict(extra="forbid")

    usages: list[ProjectUse] = Field(default_factory=list)
    projet: list[ProjectFact] = Field(default_factory=list)
    secteurs: list[str] = Field(default_factory=list, description="sector kinds of the plan")
    servitudes: list[str] = Field(default_factory=list, description="servitude kinds")
    servitudes_libelle: list[str] = Field(
        default_factory=list, description="words of a servitude's label (any kind), e.g. oued"
    )
    voies: list[RoadCategory] = Field(default_factory=list, description="adjoining roads")


class Administration(BaseModel):
    """One line of the agency's table."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    base: str = Field(min_length=1, description="the text that requires its avis or visa")
    quand: Trigger


class AdministrationsTable(BaseModel):
    """The table of art. 26 administrations."""

    model_config = ConfigDict(extra="forbid")

    administrations: list[Administration]


class ServitudeFact(BaseModel):
    """A servitude over the parcel."""

    kind: str
    label: str | None = None


class RoadFact(BaseModel):
    """A road along the parcel; its category, when the plan or its numbering tells it."""

    ref: str
    name: str | None = None
    category: RoadCategory | None = None


class SiteFacts(BaseModel):
    """What the plan says around the parcel, for art. 26."""

    sectors: frozenset[str] = frozenset()
    servitudes: list[ServitudeFact] = Field(default_factory=list)
    roads: list[RoadFact] = Field(default_factory=list)


class AvisRequis(BaseModel):
    """An administration whose avis is required, the text requiring it, and why here."""

    code: str
    label: str
    base: str
    reasons: list[str]


def load_table(path: Path = DEFAULT_TABLE_PATH) -> AdministrationsTable:
    """Read and validate the agency's table (read on call, never at import)."""
    with path.open(encoding="utf-8") as handle:
        return AdministrationsTable.model_validate(yaml.safe_load(handle))


def road_category(ref: str, name: str | None = None) -> RoadCategory | None:
    """The category of a road from its number (N1, RR301, P4012, A5) or its name; None if local."""
    compact = ref.strip().upper()
    for category, pattern in _REF_PATTERNS:
        if pattern.match(compact):
            return category
    for category, pattern in _NAME_PATTERNS:
        if name and pattern.search(name):
            return category
    return None


def avis_requis(project: Project, site: SiteFacts, table: AdministrationsTable) -> list[AvisRequis]:
    """The administrations of the table this project and site bring in, each with its reasons."""
    found = []
    for line in table.administrations:
        reasons = _reasons(line.quand, project, site)
        if reasons:
            found.append(
                AvisRequis(code=line.code, label=line.label, base=line.base, reasons=reasons)
            )
    return found


def _reasons(trigger: Trigger, project: Project, site: SiteFacts) -> list[str]:
    """Why the trigger applies, one sentence per fact; empty when it does not."""
    reasons = []
    if project.use is not None and project.use in trigger.usages:
        reasons.append(f"Usage du projet : « {project.use} ».")
    reasons += [
        f"Projet déclaré ou situé « {fact} »."
        for fact in trigger.projet
        if getattr(project, fact) is True
    ]
    reasons += [
        f"Parcelle dans un secteur « {kind} » du plan."
        for kind in sorted(site.sectors & set(trigger.secteurs))
    ]
    for servitude in site.servitudes:
        label = servitude.label or ""
        by_label = any(word.lower() in label.lower() for word in trigger.servitudes_libelle)
        if servitude.kind in trigger.servitudes or by_label:
            named = f" ({label})" if label else ""
            reasons.append(f"Parcelle grevée par la servitude « {servitude.kind} »{named}.")
    for road in site.roads:
        if road.category is not None and road.category in trigger.voies:
            named = f" ({road.name})" if road.name else ""
            reasons.append(f"Parcelle le long de la voie {road.ref}{named}, {road.category}.")
    return list(dict.fromkeys(reasons))
