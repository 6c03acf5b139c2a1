"""The setbacks of the note: each zone part's setback bands and its buildable footprint.

RGC art. 8: the note gives « les dispositions principales du document d'urbanisme concerné,
notamment … les possibilités maximales d'occupation et d'utilisation du sol, les conditions
d'implantation des Immeubles par rapport aux limites séparatives ou mitoyennes … »; here those
conditions are measured on the parcel (issue #11 item 15). The figures come from
checks.envelope.zone_buildable on the Site of geoportal.site, the same code and the same site
as /api/v1/check: the road setback is measured from the rights-of-way the roads layer shows
along the parcel (the note has no front named by the petitioner), the side and rear ones from
the edges told from that front. A setback « H/2 » is worked out for the zone's maximum height
(the largest band the zone can require), and says so.
"""

from __future__ import annotations

from html import escape
from typing import Any

from checks.envelope import SetbackBand, ZoneBuildable, zone_buildable
from geoportal.nru.model import BuildableReason, Nru, SetbackArea, ZoneShare
from geoportal.site import plan_site
from zoning.overlay import Overlay
from zoning.wording import area, number

KIND_LABELS = {"road": "sur voie", "side": "latéral", "rear": "de fond"}
UNLOCATED = {
    "road": "aucune voie d'aménagement du plan ne longe le terrain",
    "side": "façade sur voie inconnue : limites latérales non localisées",
    "rear": "façade sur voie inconnue : limite de fond non localisée",
}


def parcel_buildable(geometry: Any, overlay: Overlay) -> list[ZoneBuildable]:
    """The parcel's zone parts, bands and envelopes under the plan (Lambert metres), from the
    overlay made with its site."""
    return zone_buildable(plan_site(geometry, overlay.site_geometries()))


def attach_setbacks(nru: Nru, results: list[ZoneBuildable]) -> Nru:
    """Fill each zone of the note with its setback bands and buildable footprint."""
    by_zone = {result.zone: result for result in results}
    for zone in nru.zones:
        result = by_zone.get(zone.code)
        if result is not None:
            _fill(zone, result)
    filled = [zone for zone in nru.zones if zone.buildable_reasons]
    footprints = [zone.buildable_footprint_m2 for zone in filled]
    known = [f for f in footprints if f is not None]
    nru.buildable_footprint_m2 = (
        round(sum(known), 2) if filled and len(known) == len(footprints) else None
    )
    nru.buildable_reasons = [
        _sentence(zone.code, r) for zone in filled for r in zone.buildable_reasons
    ]
    return nru


def _sentence(code: str, reason: BuildableReason) -> str:
    """« Zone D1 — dans les bandes de recul (sur voie, latéral, de fond) : 518 m² »."""
    figure = f" : {area(reason.area_m2)}" if reason.area_m2 is not None else ""
    return f"Zone {code} — {reason.text}{figure}"


def _fill(zone: ZoneShare, result: ZoneBuildable) -> None:
    zone.setbacks = [_setback_area(band) for band in result.bands]
    zone.buildable_footprint_m2 = result.footprint_m2
    zone.buildable_reasons = buildable_reasons(result)


def height_note(band: SetbackBand) -> str | None:
    """« max(5 m ; H/2) pour H = 17,5 m, hauteur maximale de la zone : 8,75 m »."""
    if band.height_ratio is None:
        return None
    if band.height_m is None or band.distance_m is None:
        return (
            f"recul proportionnel à la hauteur ({_ratio(band.height_ratio)}) : la zone ne fixe "
            "pas de hauteur maximale, le recul n'est pas calculé"
        )
    return (
        f"max({_metres(band.fixed_m)} ; {_ratio(band.height_ratio)}) calculé pour "
        f"H = {_metres(band.height_m)}, hauteur maximale de la zone : {_metres(band.distance_m)}"
    )


def _metres(value: float) -> str:
    """'17,5 m', '8,75 m', '5 m': a distance as the règlement writes it."""
    return f"{_coefficient(value)} m"


def _coefficient(value: float) -> str:
    """0,3 not 0,30: a coefficient as the règlement writes it."""
    text = number(value, 4)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _ratio(ratio: float) -> str:
    """0.5 → 'H/2', 1 → 'H', else '0,3 × H'."""
    if ratio == 1:
        return "H"
    if ratio > 0 and float(1 / ratio).is_integer():
        return f"H/{int(1 / ratio)}"
    return f"{number(ratio)} × H"


def _setback_area(band: SetbackBand) -> SetbackArea:
    note = height_note(band)
    if band.area_m2 is None and band.distance_m is not None:
        note = "; ".join(filter(None, [note, UNLOCATED[band.side]]))
    return SetbackArea(
        kind=band.side,
        distance_m=None if band.distance_m is None else round(band.distance_m, 2),
        area_m2=band.area_m2,
        height_ratio=band.height_ratio,
        height_m=band.height_m,
        note=note,
    )


def buildable_reasons(result: ZoneBuildable) -> list[BuildableReason]:
    """From the zone part to its footprint, step by step, each with its stable code."""
    if not result.constructible:
        return [BuildableReason(code="not_constructible", text="zone non constructible", area_m2=0)]
    reasons = [
        BuildableReason(
            code="zone_part", text="partie du terrain dans la zone", area_m2=result.part_m2
        )
    ]
    if result.alignment_m2 > 0:
        text = "dans l'emprise des voies d'aménagement (alignement), non constructible"
        reasons.append(BuildableReason(code="alignment", text=text, area_m2=result.alignment_m2))
    reasons += _band_reasons(result)
    if result.no_build_m2 > 0:
        text = "sous une servitude non aedificandi"
        reasons.append(BuildableReason(code="no_build", text=text, area_m2=result.no_build_m2))
    reasons += _envelope_reasons(result)
    return reasons


def _band_reasons(result: ZoneBuildable) -> list[BuildableReason]:
    """The bands' land, or why they cannot be drawn."""
    unlocated = [b for b in result.bands if b.area_m2 is None]
    reasons = [
        BuildableReason(
            code="setback_unlocated",
            text=f"recul {KIND_LABELS[b.side]} : {UNLOCATED[b.side]}"
            if b.distance_m is not None
            else f"recul {KIND_LABELS[b.side]} : {height_note(b)}",
        )
        for b in unlocated
    ]
    if result.setbacks_m2:
        kinds = ", ".join(KIND_LABELS[b.side] for b in result.bands if b.area_m2)
        text = f"dans les bandes de recul ({kinds}), hors emprise des voies"
        reasons.append(BuildableReason(code="setbacks", text=text, area_m2=result.setbacks_m2))
    return reasons


def _envelope_reasons(result: ZoneBuildable) -> list[BuildableReason]:
    """The envelope left, then the CES cap (binding or not)."""
    reasons = []
    if result.envelope_m2 is not None:
        text = "enveloppe constructible après reculs, alignement et servitudes"
        reasons.append(BuildableReason(code="envelope", text=text, area_m2=result.envelope_m2))
    if result.ces_cap_m2 is not None and result.ces_max is not None:
        net = result.part_m2 - result.alignment_m2
        if result.envelope_m2 is None:
            verdict = "plafond de l'emprise, l'enveloppe n'étant pas déterminée"
        elif result.ces_cap_m2 < result.envelope_m2:
            verdict = "plafond retenu"
        else:
            verdict = "non atteint par l'enveloppe"
        text = (
            f"CES {_coefficient(result.ces_max)} × {area(net)} (partie hors emprise des voies) : "
        )
        reasons.append(
            BuildableReason(code="ces_cap", text=text + verdict, area_m2=result.ces_cap_m2)
        )
    return reasons


def _cell(value: float | None, unit: str) -> str:
    """A figure with its unit, « non localisé » when it cannot be measured."""
    if value is None:
        return "non localisé"
    return _metres(value) if unit == "m" else area(value)


def _footprint_line(zone: ZoneShare) -> str:
    """« Zone D1 : emprise constructible 360 m² (CES 0,3 × 1 200 m² : plafond retenu) »."""
    ces = next((r.text for r in zone.buildable_reasons if r.code == "ces_cap"), None)
    figure = (
        area(zone.buildable_footprint_m2)
        if zone.buildable_footprint_m2 is not None
        else "non déterminée (reculs non localisés)"
    )
    return f"Zone {zone.code} : emprise constructible {figure}" + (f" — {ces}" if ces else "")


def setbacks_html(nru: Nru) -> str:
    """The PDF's small table of setback bands and buildable footprints ('' when none)."""
    zones = [z for z in nru.zones if z.setbacks or z.buildable_reasons]
    if not zones:
        return ""
    rows = "".join(
        f"<tr><td>{escape(z.code)}</td><td>{escape(KIND_LABELS.get(s.kind, s.kind))}</td>"
        f'<td class="nombre">{escape(_cell(s.distance_m, "m"))}</td>'
        f'<td class="nombre">{escape(_cell(s.area_m2, "m²"))}</td>'
        f"<td>{escape(s.note or '')}</td></tr>"
        for z in zones
        for s in z.setbacks
    )
    head = (
        '<tr><th>Zone</th><th>Recul</th><th class="nombre">Distance</th>'
        '<th class="nombre">Surface du terrain dans la bande</th><th>Remarque</th></tr>'
    )
    lines = "".join(f"<li>{escape(_footprint_line(z))}</li>" for z in zones)
    note = (
        '<p class="remarque">Emprise constructible : partie de la zone hors bandes de recul, '
        "emprise des voies (alignement) et servitudes non aedificandi, plafonnée par le CES ; "
        "un recul proportionnel à la hauteur est calculé pour la hauteur maximale de la zone."
        "</p>"
    )
    table = (
        f'<table class="petit reculs"><thead>{head}</thead><tbody>{rows}</tbody></table>'
        if rows
        else '<p class="remarque">Le règlement ne fixe pas de recul pour ces zones.</p>'
    )
    return (
        '<div class="bloc"><h3>Reculs et emprise constructible</h3>'
        f'{table}<ul class="emprises">{lines}</ul>{note}</div>'
    )
