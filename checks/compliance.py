"""Compliance of a project with the règlement d'aménagement of the zones its parcel lies in.

Each part of the parcel follows its own zone (docs/formats.md §1). A check whose input is missing
is à vérifier, never guessed; the verdict is non_conforme as soon as one check fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shapely import unary_union
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from checks.envelope import Envelope, RequiredSetback, site_envelope
from checks.habitat_economique import SOURCE as SOURCE_HABITAT_ECONOMIQUE
from checks.habitat_economique import HabitatEconomique, check_habitat_economique
from checks.project import Project
from checks.results import Check, Verdict, verdict_of
from checks.site import ParcelEdges, Site, ZonePart, frontage_m

# An overlap below 0.01 m² (a 10 cm square) is floating-point noise or drawing slack, not an
# encroachment: surveyed coordinates are given to the centimetre.
AREA_TOLERANCE_M2 = 0.01
DISTANCE_TOLERANCE_M = 0.01
SOURCE_ALIGNEMENT = "Plan d'aménagement: emprise des voies d'aménagement (RGC art. 8, Annexe 1)"
SOURCE_SERVITUDE = "Plan d'aménagement: servitude non aedificandi"
LIMITE = {"road": "alignement de la voie", "side": "limites latérales", "rear": "limite de fond"}


@dataclass(frozen=True)
class ComplianceResult:
    """The verdict, every check, and the buildable envelope (None when it cannot be drawn)."""

    verdict: Verdict
    checks: list[Check]
    envelope: BaseGeometry | None
    frontage_m: float | None


def footprint_geometry(project: Project) -> BaseGeometry | None:
    """The project's footprint as a shapely geometry, from its GeoJSON in Lambert metres."""
    return None if project.footprint is None else shape(project.footprint)


def check_compliance(
    project: Project,
    site: Site,
    *,
    footprint: BaseGeometry | None = None,
    habitat_economique: HabitatEconomique | None = None,
) -> ComplianceResult:
    """Every check of the project on this site, and the verdict over them."""
    if footprint is None:
        footprint = footprint_geometry(project)
    edges, requirements, envelope = site_envelope(site, project.height_m)
    concerned = _concerned_parts(site, footprint)
    checks = [
        *_zone_checks(site, footprint),
        *_use_checks(project, concerned),
        *_gabarit_checks(project, concerned),
        *_ces_checks(project, site, concerned, footprint),
        *_cos_checks(project, site, concerned, footprint),
        *_parcel_checks(site, edges, concerned),
        *_setback_checks(site, requirements, concerned, footprint),
        *_footprint_checks(site, envelope, footprint),
        *_habitat_economique_checks(concerned, habitat_economique),
    ]
    return ComplianceResult(verdict_of(checks), checks, envelope.geometry, frontage_m(edges))


def _source(part: ZonePart, what: str) -> str:
    """Where a zone's figure comes from."""
    return f"Règlement d'aménagement, zone {part.code} ({part.rules.label}): {what}"


def _area(geometry: BaseGeometry) -> float:
    """Area in m²."""
    return float(geometry.area)


def _concerned_parts(site: Site, footprint: BaseGeometry | None) -> list[ZonePart]:
    """Constructible parts the building stands on; all of them when its footprint is unknown."""
    parts = [part for part in site.parts if part.rules.constructible]
    if footprint is None:
        return parts
    return [p for p in parts if _area(footprint.intersection(p.geometry)) > AREA_TOLERANCE_M2]


def _zone_checks(site: Site, footprint: BaseGeometry | None) -> list[Check]:
    """The parcel lies in a zone; nothing is built on a non-constructible part (e.g. ZV)."""
    if not site.parts:
        return [Check(rule="zone", ok=None, source="Plan d'aménagement", note="aucune zone")]
    none_constructible = not any(part.rules.constructible for part in site.parts)
    checks = []
    for part in site.parts:
        if part.rules.constructible:
            continue
        if footprint is None:
            built, ok = None, (False if none_constructible else None)
        else:
            built = round(_area(footprint.intersection(part.geometry)), 2)
            ok = built <= AREA_TOLERANCE_M2
        source = _source(part, "zone non constructible")
        checks.append(
            Check(
                rule="constructible", zone=part.code, limit=0.0, value=built, ok=ok, source=source
            )
        )
    return checks


def _use_checks(project: Project, parts: Sequence[ZonePart]) -> list[Check]:
    """The use is allowed: explicit flags decide, the règlement's text needs a person."""
    return [check for part in parts if (check := _use_check(project, part)) is not None]


def _use_check(project: Project, part: ZonePart) -> Check | None:
    """One zone's affectation and interdictions against the project's use."""
    rules = part.rules
    has_text = bool(rules.affectation or rules.interdictions)
    if part.allowed_uses is None and not part.forbidden_uses and not has_text:
        return None
    limit = "; ".join(filter(None, [rules.affectation, *rules.interdictions])) or None
    source = _source(part, "affectation et interdictions")
    if project.use is None:
        return Check(
            rule="use",
            zone=part.code,
            limit=limit,
            ok=None,
            source=source,
            note="usage du projet non précisé",
        )
    if project.use in part.forbidden_uses:
        ok: bool | None = False
    elif part.allowed_uses is not None:
        ok = project.use in part.allowed_uses
    else:
        ok = None
    note = "à vérifier au regard du texte du règlement" if ok is None else None
    return Check(
        rule="use", zone=part.code, limit=limit, value=project.use, ok=ok, source=source, note=note
    )


def _at_most(value: float | None, limit: float) -> bool | None:
    """value ≤ limit, unknown when value is."""
    return None if value is None else value <= limit


def _gabarit_checks(project: Project, parts: Sequence[ZonePart]) -> list[Check]:
    """Height and R+n in every zone the building stands in."""
    checks = []
    for part in parts:
        rules = part.rules
        if rules.max_height_m is not None:
            checks.append(
                Check(
                    rule="max_height_m",
                    zone=part.code,
                    limit=rules.max_height_m,
                    value=project.height_m,
                    ok=_at_most(project.height_m, rules.max_height_m),
                    source=_source(part, "hauteur maximale"),
                )
            )
        if rules.max_storeys is not None:
            checks.append(
                Check(
                    rule="max_storeys",
                    zone=part.code,
                    limit=rules.max_storeys,
                    value=project.storeys,
                    ok=_at_most(project.storeys, rules.max_storeys),
                    source=_source(part, "nombre de niveaux (R+n)"),
                )
            )
    return checks


def _net_area(site: Site, part: ZonePart) -> float:
    """The part's land behind the alignement: in the parcel, off the rights-of-way."""
    return _area(part.geometry.intersection(site.net_parcel()))


def _coefficient_check(
    rule: str, part: ZonePart, area: float | None, land: float, note: str | None
) -> Check:
    """A coefficient (CES, COS): an area over the part's net land, within 0.01 m² of the limit."""
    limit = part.rules.ces_max if rule == "ces_max" else part.rules.cos_max
    assert limit is not None  # callers check only the coefficients the zone sets
    value, ok = None, None
    if area is not None and land > 0:
        value, ok = round(area / land, 4), area <= limit * land + AREA_TOLERANCE_M2
    what = "CES" if rule == "ces_max" else "COS"
    source = _source(part, what)
    return Check(
        rule=rule, zone=part.code, limit=limit, value=value, ok=ok, source=source, note=note
    )


def _built_in(
    project: Project, part: ZonePart, parts: Sequence[ZonePart], footprint: BaseGeometry | None
) -> float | None:
    """Footprint area in this part: from the geometry, or the stated area if only one zone."""
    if footprint is not None:
        return _area(footprint.intersection(part.geometry))
    return project.footprint_area_m2 if len(parts) == 1 else None


def _ces_checks(
    project: Project, site: Site, parts: Sequence[ZonePart], footprint: BaseGeometry | None
) -> list[Check]:
    """CES: footprint over the part's net land, zone by zone."""
    note = "emprise au sol / surface de la partie en zone, hors emprise des voies"
    return [
        _coefficient_check(
            "ces_max", part, _built_in(project, part, parts, footprint), _net_area(site, part), note
        )
        for part in parts
        if part.rules.ces_max is not None
    ]


def _floor_in(
    project: Project, part: ZonePart, parts: Sequence[ZonePart], footprint: BaseGeometry | None
) -> tuple[float | None, str | None]:
    """Floor area in this part: all of it in a single zone, else pro rata of the footprint."""
    floor = project.floor_area_m2
    if floor is None or len(parts) == 1:
        return floor, None
    if footprint is None or _area(footprint) <= 0:
        return None, "répartition de la surface de plancher entre zones inconnue"
    share = _area(footprint.intersection(part.geometry)) / _area(footprint)
    return floor * share, "surface de plancher répartie au prorata de l'emprise"


def _cos_checks(
    project: Project, site: Site, parts: Sequence[ZonePart], footprint: BaseGeometry | None
) -> list[Check]:
    """COS: floor area over the part's net land, zone by zone."""
    checks = []
    for part in parts:
        if part.rules.cos_max is None:
            continue
        floor, note = _floor_in(project, part, parts, footprint)
        checks.append(_coefficient_check("cos_max", part, floor, _net_area(site, part), note))
    return checks


def _parcel_checks(site: Site, edges: ParcelEdges, parts: Sequence[ZonePart]) -> list[Check]:
    """Minimum parcel area (the whole parcel) and frontage on the road."""
    checks = []
    area = round(_area(site.parcel), 2)
    frontage = frontage_m(edges)
    for part in parts:
        rules = part.rules
        if rules.min_parcel_area_m2 is not None:
            checks.append(
                Check(
                    rule="min_parcel_area_m2",
                    zone=part.code,
                    limit=rules.min_parcel_area_m2,
                    value=area,
                    ok=area >= rules.min_parcel_area_m2,
                    source=_source(part, "superficie minimale de la parcelle"),
                )
            )
        if rules.min_frontage_m is not None:
            ok = (
                None
                if frontage is None
                else frontage + DISTANCE_TOLERANCE_M >= rules.min_frontage_m
            )
            checks.append(
                Check(
                    rule="min_frontage_m",
                    zone=part.code,
                    limit=rules.min_frontage_m,
                    value=None if frontage is None else round(frontage, 2),
                    ok=ok,
                    source=_source(part, "façade minimale sur voie"),
                    note="façade sur voie non localisée" if frontage is None else None,
                )
            )
    return checks


def _setback_checks(
    site: Site,
    requirements: Sequence[RequiredSetback],
    parts: Sequence[ZonePart],
    footprint: BaseGeometry | None,
) -> list[Check]:
    """Each setback of each zone, measured from the part of the building inside that zone."""
    by_code = {part.code: part for part in parts}
    checks = []
    for requirement in requirements:
        part = by_code.get(requirement.zone)
        if part is None or requirement.distance_m == 0:
            continue
        if requirement.reference is not None and requirement.reference.is_empty:
            continue  # the parcel has no such boundary
        checks.append(_setback_check(site, part, requirement, footprint))
    return checks


def _setback_check(
    site: Site, part: ZonePart, requirement: RequiredSetback, footprint: BaseGeometry | None
) -> Check:
    """Distance from the building's part in the zone to the boundary, against the setback."""
    value, note = None, None
    if requirement.distance_m is None:
        note = "recul proportionnel à la hauteur: hauteur du projet inconnue"
    elif requirement.reference is None:
        note = "limite de la parcelle non localisée (voie ou façade non fournie)"
    elif footprint is None:
        note = "emprise du projet non fournie"
    else:
        zone_geometry = unary_union([p.geometry for p in site.parts if p.code == part.code])
        value = round(
            float(footprint.intersection(zone_geometry).distance(requirement.reference)), 2
        )
    ok = None
    if value is not None and requirement.distance_m is not None:
        ok = value + DISTANCE_TOLERANCE_M >= requirement.distance_m
    limit = None if requirement.distance_m is None else round(requirement.distance_m, 2)
    return Check(
        rule=f"setback_{requirement.side}",
        zone=part.code,
        limit=limit,
        value=value,
        ok=ok,
        source=_source(part, f"recul sur {LIMITE[requirement.side]}"),
        note=note,
    )


def _footprint_checks(
    site: Site, envelope: Envelope, footprint: BaseGeometry | None
) -> list[Check]:
    """The footprint lies in the parcel, off the roads and no-build land, inside the envelope."""
    if footprint is None:
        return [
            Check(
                rule="buildable_envelope",
                ok=None,
                source="RGC art. 8; plan d'aménagement",
                note="emprise du projet non fournie",
            )
        ]
    outside_parcel = _area(footprint.difference(site.parcel))
    in_roads = _area(footprint.intersection(site.roads_union()))
    in_no_build = _area(footprint.intersection(unary_union(list(site.no_build))))
    checks = [
        _overlap_check("footprint_in_parcel", outside_parcel, "Titre foncier / parcelle"),
        _overlap_check("alignement", in_roads, SOURCE_ALIGNEMENT),
        _overlap_check("servitude_non_aedificandi", in_no_build, SOURCE_SERVITUDE),
    ]
    if envelope.geometry is None:
        checks.append(
            Check(
                rule="buildable_envelope",
                limit=0.0,
                ok=None,
                source="Règlement d'aménagement: reculs",
                note="; ".join(envelope.unknown),
            )
        )
    else:
        outside = _area(footprint.difference(envelope.geometry))
        checks.append(
            _overlap_check(
                "buildable_envelope", outside, "Règlement d'aménagement: reculs, voies, servitudes"
            )
        )
    return checks


def _overlap_check(rule: str, area: float, source: str) -> Check:
    """An area that must be nil (within tolerance)."""
    return Check(
        rule=rule,
        limit=0.0,
        value=round(area, 2),
        ok=area <= AREA_TOLERANCE_M2,
        source=source,
        note="surface en m², tolérance 0.01 m²",
    )


def _habitat_economique_checks(
    parts: Sequence[ZonePart], projet: HabitatEconomique | None
) -> list[Check]:
    """In a zone d'habitat économique the 1964 regulation applies too (its art. 1)."""
    codes = [part.code for part in parts if part.rules.habitat_economique]
    if not codes:
        return []
    zone = ", ".join(codes)
    if projet is None:
        return [
            Check(
                rule="habitat_economique",
                zone=zone,
                ok=None,
                source=f"{SOURCE_HABITAT_ECONOMIQUE}, art. 1",
                note="zone d'habitat économique: données du règlement de 1964 non fournies",
            )
        ]
    return [check.model_copy(update={"zone": zone}) for check in check_habitat_economique(projet)]
