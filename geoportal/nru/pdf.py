"""The NRU as an A4 PDF: the Annexe 1 letter, the terrain's data, the rules, the map extract.

HTML from the Jinja2 templates ``templates/nru/note.html`` (the letter: ``nru/letter.html``;
other templates may be included after it), every value escaped, and laid out by WeasyPrint
with ``templates/nru.css``.
WeasyPrint may fetch ``data:`` URIs only: nothing from the network or the disk.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import segno
from markupsafe import Markup

from geoportal.nru.letter import validity_phrase
from geoportal.nru.map_extract import MapExtract, crs_label, render_map_svg, scale_label
from geoportal.nru.model import Nru, PlanRef, ZoneShare
from geoportal.nru.setbacks import setbacks_html
from geoportal.render import html_pdf, render, template_text
from zoning import wording
from zoning.wording import LandReference

MINISTRY = (
    "Ministère de l'Aménagement du Territoire National, de l'Urbanisme, de l'Habitat "
    "et de la Politique de la Ville"
)
PLAN_KINDS = {
    "plan_amenagement": "plan d'aménagement",
    "pdar": "plan de développement de l'agglomération rurale",
}
PLAN_STATUSES = {"homologue": "homologué", "en_cours": "en cours d'approbation"}
SECTOR_KINDS = {
    "medina": "Médina",
    "ksar": "Ksar",
    "kasbah": "Kasbah",
    "lotissement_receptionne": "Lotissement réceptionné",
    "lotissement_restructure": "Lotissement en restructuration",
    "patrimoine": "Patrimoine (bâtiment inscrit ou classé et sa zone de protection)",
    "affectation_non_definie": "Affectation non définie",
}
NOT_REGULATED = "Non réglementé"


# --- formatting ----------------------------------------------------------------------------


#: the product's French voice (zoning.wording), under the names this module's callers use
fr_number = wording.number
fr_area = wording.area
fr_coordinate = wording.coordinate


def fr_percent(share: float) -> str:
    """A fraction (0..1) as '45,3 %'."""
    return f"{fr_number(share * 100, 1)} %"


def fr_date(day: dt.date | None) -> str:
    """'1er avril 2031', 'non précisée' for None (zoning.wording.date_long)."""
    return wording.date_long(day)


def _w3c_datetime(moment: dt.datetime) -> str:
    """The PDF's creation date: the note's issue time, never the clock (naive: the day only)."""
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def land_reference_phrase(reference: str | None) -> str:
    """Annexe 1's « terrain objet du TF n° … / Réquisition n° … / Non immatriculé »."""
    parsed = LandReference.parse(reference)
    return parsed.phrase if parsed else "relative au terrain non immatriculé"


def agency_name(agency: str) -> str:
    """'Agence Urbaine de X', whether the plan stores the full name or only the place."""
    if agency.lower().startswith("agence"):
        return agency
    return f"Agence Urbaine de {agency}"


def plan_description(plan: PlanRef) -> str:
    """'PA X — plan d'aménagement homologué, Décret n° … du … (BO n° … du …)'."""
    kind = PLAN_KINDS.get(plan.kind, plan.kind)
    status = PLAN_STATUSES.get(plan.status, plan.status)
    text = f"{plan.name} — {kind} {status}"
    approval = plan.approval
    if approval.act:
        text += f", {approval.act}"
        if approval.date:
            text += f" du {fr_date(approval.date)}"
    if approval.bo:
        bo_date = f" du {fr_date(approval.bo_date)}" if approval.bo_date else ""
        text += f" (BO n° {approval.bo}{bo_date})"
    return text


# --- the rules of a zone (keys of checks.zone_rules.ZoneRules.model_dump) ---------------------


def height_fraction(ratio: float) -> str:
    """0.5 → 'H/2', 1 → 'H', 0.6 → '0,6 × H' (H: the building's height)."""
    if abs(ratio - 1) < 1e-9:
        return "H"
    inverse = 1 / ratio if ratio else 0
    if ratio and abs(inverse - round(inverse)) < 1e-6:
        return f"H/{round(inverse)}"
    return f"{fr_number(ratio)} × H"


def setback_text(setback: dict[str, Any]) -> str:
    """'4 m' or 'max(4 m, H/2)': a setback is the larger of a distance and a height ratio."""
    distance = f"{fr_number(float(setback.get('distance_m') or 0))} m"
    ratio = setback.get("height_ratio")
    if ratio is None:
        return distance
    return f"max({distance}, {height_fraction(float(ratio))})"


def _setbacks_html(setbacks: Any) -> str:
    """The road, side and rear setbacks as lines; 'Non réglementé' when none is set."""
    sides = (("road", "Par rapport à la voie"), ("side", "Limites séparatives"), ("rear", "Fond"))
    lines = [
        f"{label} : {escape(setback_text(setbacks[key]))}"
        for key, label in sides
        if isinstance(setbacks, dict) and setbacks.get(key)
    ]
    if not lines:
        return NOT_REGULATED
    uses_height = any(
        isinstance(v, dict) and v.get("height_ratio") is not None for v in setbacks.values()
    )
    legend = '<br><span class="remarque">H : hauteur de la construction</span>'
    return "<br>".join(lines) + (legend if uses_height else "")


def _plain(value: Any) -> str:
    return escape(str(value))


def _metres(value: Any) -> str:
    return f"{fr_number(float(value))} m"


def _storeys(value: Any) -> str:
    return "R" if int(value) == 0 else f"R+{int(value)}"


def _ces(value: Any) -> str:
    return f"{fr_number(float(value))} ({fr_percent(float(value))} de la surface du terrain)"


def _cos(value: Any) -> str:
    return fr_number(float(value))


def _area_rule(value: Any) -> str:
    return fr_area(float(value))


def _items(value: Any) -> str:
    if not value:
        return "Aucune"
    return "<ul>" + "".join(f"<li>{escape(str(item))}</li>" for item in value) + "</ul>"


def _economic_housing(value: Any) -> str:
    return "Oui : la réglementation de l'habitat économique s'applique" if value else "Non"


def _constructible(value: Any) -> str:
    return "Oui" if value else "<strong>Non : zone non constructible</strong>"


#: (key of ZoneRules, label, HTML formatter, value when the key is absent): art. 8's order.
RULE_ROWS: tuple[tuple[str, str, Callable[[Any], str], Any], ...] = (
    ("affectation", "Affectation", _plain, None),
    ("interdictions", "Utilisations interdites", _items, None),
    ("max_height_m", "Hauteur maximale", _metres, None),
    ("max_storeys", "Nombre de niveaux maximal", _storeys, None),
    ("ces_max", "CES (coefficient d'emprise au sol)", _ces, None),
    ("cos_max", "COS (coefficient d'occupation du sol)", _cos, None),
    ("setbacks", "Reculs", _setbacks_html, None),
    ("min_parcel_area_m2", "Surface minimale de la parcelle", _area_rule, None),
    ("min_frontage_m", "Façade minimale", _metres, None),
    ("parking", "Stationnement", _plain, None),
    ("habitat_economique", "Habitat économique", _economic_housing, False),
    ("constructible", "Constructible", _constructible, True),
    # art. 8: « les types d'utilisations soumis à des conditions spéciales »,
    # « l'implantation de plusieurs constructions sur une même propriété foncière »,
    # « les conditions d'accès afférentes à la voirie et aux parkings »: printed when given
    ("conditions_speciales", "Utilisations soumises à des conditions spéciales", _items, None),
    (
        "constructions_multiples",
        "Plusieurs constructions sur une même propriété",
        _plain,
        None,
    ),
    ("acces_voirie", "Accès à la voirie", _plain, None),
)
#: rows printed only when a zone of the table gives them (the règlement's optional art. 8 fields)
OPTIONAL_RULES = frozenset({"conditions_speciales", "constructions_multiples", "acces_voirie"})
#: Zones side by side in one rules table; more would make the columns too narrow.
ZONES_PER_RULES_TABLE = 3


def rule_rows(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, HTML value) rows of a zone's règlement, 'Non réglementé' where a figure is absent."""
    if not rules:
        return [(label, "—") for _, label, _, _ in RULE_ROWS]
    rows: list[tuple[str, str]] = []
    for key, label, formatter, default in RULE_ROWS:
        value = rules.get(key, default)
        rows.append((label, NOT_REGULATED if value is None else formatter(value)))
    return rows


# --- HTML pieces ---------------------------------------------------------------------------


def _addressee(petitioner: str | None) -> dict[str, str]:
    """The name and address of « A M./Mme … » (from « Nom, adresse »); empty when unknown."""
    if not petitioner or not petitioner.strip():
        return {}
    name, _, address = petitioner.strip().partition(", ")
    return {"name": name, "address": address}


def subject_line(nru: Nru) -> str:
    """The letter's « Objet » (Annexe 1)."""
    where = f"sis à la commune de {nru.plan.commune}"
    if nru.plan.province:
        where += f", Préfecture ou Province de {nru.plan.province}"
    return (
        f"Note de renseignements urbanistiques "
        f"{land_reference_phrase(nru.parcel.land_reference)}, {where}."
    )


def reference_line(nru: Nru) -> str:
    """« Votre demande n° … du … »: the request's own number and date (art. 6 al. 2), not the
    note's; a note stored before requests were recorded gives the day only."""
    if nru.request is None:
        return f"Votre demande du {fr_date(nru.issued_at.date())}."
    return f"Votre demande n° {nru.request.number} du {fr_date(nru.request.received_at.date())}."


def _letter_context(nru: Nru, petitioner: str | None) -> dict[str, Any]:
    """What the letter's template (nru/letter.html) prints."""
    return {
        "nru": nru,
        "ministry": MINISTRY,
        "agency": agency_name(nru.plan.agency),
        "addressee": _addressee(petitioner),
        "subject": subject_line(nru),
        "reference": reference_line(nru),
    }


def letter_html(nru: Nru, petitioner: str | None) -> str:
    """Page 1: the letter of Annexe 1."""
    return render("nru/letter.html", **_letter_context(nru, petitioner))


def _area_rows(nru: Nru) -> list[tuple[str, str]]:
    """The parcel's computed and declared areas, and their difference."""
    parcel = nru.parcel
    rows = [("Superficie calculée (coordonnées fournies)", fr_area(parcel.area_m2))]
    if parcel.declared_area_m2 is not None:
        difference = parcel.area_m2 - parcel.declared_area_m2
        relative = difference / parcel.declared_area_m2 if parcel.declared_area_m2 else 0.0
        sign = "+" if difference > 0 else ""  # fr_number writes the minus sign
        rows.append(("Superficie déclarée", fr_area(parcel.declared_area_m2)))
        rows.append(
            ("Écart calculée − déclarée", f"{sign}{fr_area(difference)} ({fr_percent(relative)})")
        )
    return rows


def _identity_rows(nru: Nru) -> list[tuple[str, str]]:
    """The terrain's key facts, as (label, value)."""
    parcel = nru.parcel
    x, y = parcel.centroid
    return [
        ("Référence foncière", parcel.land_reference or "Non immatriculé"),
        ("Commune", nru.plan.commune + (f" ({nru.plan.province})" if nru.plan.province else "")),
        ("Document d'urbanisme", plan_description(nru.plan)),
        *_area_rows(nru),
        ("Centre du terrain", f"X = {fr_coordinate(x)} ; Y = {fr_coordinate(y)}"),
        ("Système de coordonnées", f"{crs_label(parcel.srid)}, en mètres"),
    ]


def _share_of(nru: Nru, area_m2: float) -> str:
    """The share of the parcel's area, '—' when the parcel has no area."""
    return fr_percent(area_m2 / nru.parcel.area_m2) if nru.parcel.area_m2 > 0 else "—"


def _road_text(ref: str, name: str | None, width_m: float | None) -> str:
    """'V12 — Avenue des Villas, emprise de 20 m'."""
    text = ref + (f" — {name}" if name else "")
    return text + (f", emprise de {fr_number(width_m)} m" if width_m is not None else "")


def _situation_rows(nru: Nru) -> list[tuple[str, str, str, str]]:
    """(nature, element, area, share) of everything the plan says about the parcel."""
    rows = [(f"Zone {z.code}", z.label, fr_area(z.area_m2), fr_percent(z.share)) for z in nru.zones]
    rows += [
        ("Servitude", s.label or s.kind, fr_area(s.area_m2), fr_percent(s.share))
        for s in nru.servitudes
    ]
    rows += [
        (
            "Alignement",
            _road_text(r.ref, r.name, r.width_m),
            fr_area(r.area_m2),
            _share_of(nru, r.area_m2),
        )
        for r in nru.roads
    ]
    rows += [
        (f"Réservation {r.code}", r.label or r.code, fr_area(r.area_m2), _share_of(nru, r.area_m2))
        for r in nru.reservations
    ]
    rows += [
        ("Secteur", " — ".join(filter(None, (SECTOR_KINDS.get(s.kind, s.kind), s.label))), "—", "—")
        for s in nru.sectors
    ]
    if nru.outside_plan_m2 > 0:
        rows.append(
            (
                "Hors plan",
                f"Hors du périmètre de « {nru.plan.name} »",
                fr_area(nru.outside_plan_m2),
                _share_of(nru, nru.outside_plan_m2),
            )
        )
    rows += [
        ("Autre document", p.name, fr_area(p.area_m2), _share_of(nru, p.area_m2))
        for p in nru.other_plans
    ]
    return rows


def terrain_html(nru: Nru) -> str:
    """The terrain's data: identity, areas, zones, burdens, context, bornes (nru/terrain.html)."""
    return render(
        "nru/terrain.html",
        identity=_identity_rows(nru),
        situation=_situation_rows(nru),
        omitted=[(o.layer, o.name, fr_area(o.area_m2), o.reason) for o in nru.omitted],
        warnings=nru.warnings,
        bornes=[(b.id, fr_coordinate(b.x), fr_coordinate(b.y)) for b in nru.parcel.bornes],
        setbacks=Markup(setbacks_html(nru)),  # issue #11 item 15 (geoportal.nru.setbacks)
    )


def _rules_group(zones: Sequence[ZoneShare]) -> dict[str, Any]:
    """The rules of a few zones side by side: a row per rule, a column per zone; the optional
    art. 8 rows only when a zone gives them."""
    columns = [rule_rows(z.rules) for z in zones]
    rows = [
        (label, [Markup(column[index][1]) for column in columns])  # escaped by rule_rows
        for index, (key, label, _, _) in enumerate(RULE_ROWS)
        if key not in OPTIONAL_RULES or any(z.rules.get(key) for z in zones)
    ]
    return {"zones": zones, "rows": rows, "missing": [z.code for z in zones if not z.rules]}


def reglement_html(nru: Nru) -> str:
    """« Extrait de la réglementation »: the rules of every zone of the parcel."""
    step = ZONES_PER_RULES_TABLE
    return render(
        "nru/reglement.html",
        plan_name=nru.plan.name,
        groups=[_rules_group(nru.zones[i : i + step]) for i in range(0, len(nru.zones), step)],
        servitudes=[(s.label or s.kind, s.text) for s in nru.servitudes if s.text],
    )


def qr_svg(payload: str) -> str:
    """The verification QR code as inline SVG (segno); its payload is exactly the URL."""
    return str(segno.make(payload, error="m", micro=False).svg_inline(border=4, omitsize=True))


def _map_caption(nru: Nru, extract: MapExtract) -> str:
    """The map's caption: plan, scale when printed at 100 %, coordinate system."""
    kind = PLAN_KINDS.get(nru.plan.kind, nru.plan.kind)
    return (
        f"Extrait du {kind} « {nru.plan.name} » — échelle {scale_label(extract)} "
        f"(impression A4 à 100 %) — {crs_label(extract.srid)}, coordonnées en mètres ; "
        "le nord indiqué est celui du quadrillage Lambert."
    )


def svg_data_uri(svg: str) -> str:
    """An SVG document as a data: URI, for an <img>: WeasyPrint parses it with ElementTree, a
    fifth of the time its HTML parser takes on the same 60 kB inline (issue 15, item 8)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def extrait_html(nru: Nru, extract: MapExtract, verify_url: str) -> str:
    """The map extract page with its caption and the note's cartouche (nru/extrait.html)."""
    phrase = validity_phrase(nru)
    return render(
        "nru/extrait.html",
        nru=nru,
        kind=PLAN_KINDS.get(nru.plan.kind, nru.plan.kind),
        map_uri=svg_data_uri(render_map_svg(extract)),  # built from escaped plan text
        caption=_map_caption(nru, extract),
        qr=Markup(qr_svg(verify_url)),
        agency=agency_name(nru.plan.agency),
        validity=phrase[0].upper() + phrase[1:],
        verify_url=verify_url,
    )


def stylesheet() -> str:
    """The CSS of the note (package data)."""
    return template_text("nru.css")


def nru_html(
    nru: Nru,
    extract: MapExtract,
    *,
    verify_url: str,
    petitioner: str | None = None,
    languages: Sequence[str] = ("fr", "ar"),
    extra: Sequence[str] = (),
    context: dict[str, Any] | None = None,
) -> str:
    """The whole note as one HTML document (title and creation date become PDF metadata);
    `extra` names templates included after the letter, with `context` added to theirs."""
    if not nru.text:
        raise ValueError(f"NRU {nru.number} has no text: fill it (Annexe 1) before rendering")
    return render(
        "nru/note.html",
        **_letter_context(nru, petitioner),
        **(context or {}),
        created=_w3c_datetime(nru.issued_at),
        stylesheet=Markup(stylesheet()),
        extra=list(extra),
        terrain=Markup(terrain_html(nru)),
        reglement=Markup(reglement_html(nru)),
        extrait=Markup(extrait_html(nru, extract, verify_url)),
        **_arabic_parts(nru, verify_url, languages),
    )


def _arabic_parts(nru: Nru, verify_url: str, languages: Sequence[str]) -> dict[str, Markup]:
    """The Arabic part (issue 16), before or after the French letter as the languages say."""
    parts = {"arabic_before": Markup(""), "arabic_after": Markup("")}
    if "ar" not in languages:
        return parts
    from geoportal.nru.arabic import arabic_html  # it formats with this module

    first = "fr" not in languages or languages.index("ar") < languages.index("fr")
    html = Markup(arabic_html(nru, verify_url, first=first))
    parts["arabic_before" if first else "arabic_after"] = html
    return parts


def render_nru_pdf(
    nru: Nru,
    extract: MapExtract,
    *,
    verify_url: str,
    petitioner: str | None = None,
    languages: Sequence[str] = ("fr", "ar"),
    extra: Sequence[str] = (),
    context: dict[str, Any] | None = None,
) -> bytes:
    """The note as an A4 PDF; the petitioner's name is printed here only (personal data).
    `languages`: the parts printed and their order (GEOPORTAL_DOCUMENT_LANGUAGES); `extra` and
    `context`: templates included after the letter (see `nru_html`)."""
    html = nru_html(
        nru,
        extract,
        verify_url=verify_url,
        petitioner=petitioner,
        languages=languages,
        extra=extra,
        context=context,
    )
    return html_pdf(html, nru.id)
