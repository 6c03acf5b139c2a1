"""The NRU as an A4 PDF: the Annexe 1 letter, the terrain's data, the rules, the map extract.

HTML built here (every value escaped) and laid out by WeasyPrint with ``templates/nru.css``.
WeasyPrint may fetch ``data:`` URIs only: nothing from the network or the disk.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from html import escape
from importlib.resources import files
from typing import Any

import segno
from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from geoportal.nru.map_extract import MapExtract, crs_label, render_map_svg, scale_label
from geoportal.nru.model import Nru, PlanRef, ZoneShare
from geoportal.nru.setbacks import setbacks_html

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
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
NOT_REGULATED = "Non réglementé"
THOUSANDS = "\u202f"  # narrow no-break space, as in the letter's text (nru_text)
TF_RE = re.compile(
    r"^\s*(?:TF|T\.\s*F\.?|titre\s+foncier)\s*(?:n°|no\.?|n\.)?\s*(?P<num>\S.*)$", re.I
)
REQUISITION_RE = re.compile(
    r"^\s*(?:r[ée]quisition|r[ée]q\.?)\s*(?:n°|no\.?)?\s*(?P<num>\S.*)$", re.I
)


# --- formatting ----------------------------------------------------------------------------


def fr_number(value: float, decimals: int = 2, *, keep_zeros: bool = False) -> str:
    """1 234,56: French decimal comma, narrow no-break space between thousands; ',00' dropped."""
    text = f"{value:,.{decimals}f}".replace(",", THOUSANDS).replace(".", ",").replace("-", "−")
    if decimals and not keep_zeros:
        text = text.removesuffix("," + "0" * decimals)
    return "0" if text == "−0" else text


def fr_area(value_m2: float) -> str:
    """'1 234,56 m²'."""
    return f"{fr_number(value_m2)} m²"


def fr_percent(share: float) -> str:
    """A fraction (0..1) as '45,3 %'."""
    return f"{fr_number(share * 100, 1)} %"


def fr_coordinate(value: float) -> str:
    """A Lambert coordinate to the centimetre, as surveyors write it: '358 011,42'."""
    return fr_number(value, 2, keep_zeros=True)


def fr_date(day: dt.date | None) -> str:
    """'1er avril 2031', 'non précisée' for None."""
    if day is None:
        return "non précisée"
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def _w3c_datetime(moment: dt.datetime) -> str:
    """The PDF's creation date: the note's issue time, never the clock (naive: the day only)."""
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def land_reference_phrase(reference: str | None) -> str:
    """Annexe 1's « terrain objet du TF n° … / Réquisition n° … / Non immatriculé »."""
    if not reference or not reference.strip():
        return "relative au terrain non immatriculé"
    if match := TF_RE.match(reference):
        return f"relative au terrain objet du TF n° {match['num'].strip()}"
    if match := REQUISITION_RE.match(reference):
        return f"relative au terrain objet de la réquisition n° {match['num'].strip()}"
    return f"relative au terrain de référence foncière {reference.strip()}"


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
)
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


def _block(title: str, content: str) -> str:
    """A titled block kept on one page (a heading never ends a page alone)."""
    return f'<div class="bloc"><h3>{escape(title)}</h3>{content}</div>'


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
    css: str = "petit",
) -> str:
    """A table of already escaped cells; the columns in numeric are right-aligned."""
    head = "".join(
        f'<th class="nombre">{h}</th>' if i in numeric else f"<th>{h}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="nombre">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _letter_header(nru: Nru) -> str:
    """Annexe 1's heading: the Kingdom, the ministry, the agency; the note's number and date."""
    return (
        '<div class="entete"><div class="emetteur">'
        '<div class="royaume">ROYAUME DU MAROC</div>'
        f'<div class="ministere">{escape(MINISTRY)}</div>'
        '<div class="filet"></div>'
        f'<div class="agence">{escape(agency_name(nru.plan.agency))}</div>'
        f'<div class="numero">N° <span class="nru-number">{escape(nru.number)}</span></div>'
        "</div>"
        f'<div class="date-lieu">{escape(nru.plan.commune)}, le '
        f"{escape(fr_date(nru.issued_at.date()))}</div></div>"
    )


def _addressee(petitioner: str | None) -> str:
    """« À M./Mme … » and the address, only when the petitioner's identity is known."""
    if not petitioner or not petitioner.strip():
        return ""
    name, _, address = petitioner.strip().partition(", ")
    address_line = f"<br>{escape(address)}" if address else ""
    return f'<div class="destinataire">À<br>M./Mme {escape(name)}{address_line}</div>'


def _subject(nru: Nru) -> str:
    """The letter's « Objet » and « Réf » lines (Annexe 1)."""
    where = f"sis à la commune de {nru.plan.commune}"
    if nru.plan.province:
        where += f", Préfecture ou Province de {nru.plan.province}"
    subject = (
        f"Note de renseignements urbanistiques "
        f"{land_reference_phrase(nru.parcel.land_reference)}, {where}."
    )
    reference = f"Votre demande n° {nru.number} du {fr_date(nru.issued_at.date())}."
    return (
        f'<p class="objet"><span class="intitule">Objet :</span> {escape(subject)}</p>'
        f'<p class="reference"><span class="intitule">Réf :</span> {escape(reference)}</p>'
    )


def _body(paragraphs: Sequence[str]) -> str:
    """The filled Annexe 1 text, one <p> a paragraph, in order; list items indented."""
    html = []
    for paragraph in paragraphs:
        css = ' class="item"' if paragraph.lstrip().startswith(("–", "-", "•")) else ""
        html.append(f"<p{css}>{escape(paragraph).replace(chr(10), '<br>')}</p>")
    return '<div class="corps">' + "".join(html) + "</div>"


def letter_html(nru: Nru, petitioner: str | None) -> str:
    """Page 1: the letter of Annexe 1."""
    return (
        '<section class="lettre">'
        + _letter_header(nru)
        + _addressee(petitioner)
        + _subject(nru)
        + _body(nru.text)
        + '<div class="signature">Signature et cachet de l\'agence urbaine</div>'
        + "</section>"
    )


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


def _identity_table(nru: Nru) -> str:
    """The terrain's key facts as a two-column table."""
    parcel = nru.parcel
    x, y = parcel.centroid
    rows = [
        ("Référence foncière", parcel.land_reference or "Non immatriculé"),
        ("Commune", nru.plan.commune + (f" ({nru.plan.province})" if nru.plan.province else "")),
        ("Document d'urbanisme", plan_description(nru.plan)),
        *_area_rows(nru),
        ("Centre du terrain", f"X = {fr_coordinate(x)} ; Y = {fr_coordinate(y)}"),
        ("Système de coordonnées", f"{crs_label(parcel.srid)}, en mètres"),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="fiche">{body}</table>'


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


def _situation_table(nru: Nru) -> str:
    """Zones, servitudes, alignments, reservations, sectors and other plans over the parcel."""
    rows = [tuple(escape(cell) for cell in row) for row in _situation_rows(nru)]
    headers = ("Nature", "Élément", "Surface", "Part du terrain")
    return _block(
        "Situation au regard du document d'urbanisme", _table(headers, rows, numeric=(2, 3))
    )


def _context_tables(nru: Nru) -> str:
    """Neglected overlaps and warnings (only when present)."""
    html = ""
    if nru.omitted:
        rows = [
            (escape(o.layer), escape(o.name), fr_area(o.area_m2), escape(o.reason))
            for o in nru.omitted
        ]
        note = (
            '<p class="remarque">Superpositions inférieures à la tolérance du plan : '
            "listées ici, non retenues dans la note.</p>"
        )
        table = _table(("Couche", "Élément", "Surface", "Motif"), rows, numeric=(2,))
        html += _block("Superpositions négligées", note + table)
    if nru.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in nru.warnings)
        html += _block("Avertissements", f'<ul class="avertissements">{items}</ul>')
    return html


def _bornes_table(nru: Nru) -> str:
    """The bornes as the petitioner gave them (Lambert metres)."""
    if not nru.parcel.bornes:
        return ""
    rows = [(escape(b.id), fr_coordinate(b.x), fr_coordinate(b.y)) for b in nru.parcel.bornes]
    table = _table(("Borne", "X (m)", "Y (m)"), rows, numeric=(1, 2), css="petit bornes")
    return _block("Coordonnées des bornes", table)


def terrain_html(nru: Nru) -> str:
    """The terrain's data: identity, areas, zones, burdens, context, bornes."""
    return (
        '<section class="annexe">'
        "<h2>Renseignements sur le terrain</h2>"
        + _identity_table(nru)
        + _situation_table(nru)
        + setbacks_html(nru)  # issue #11 item 15 (geoportal.nru.setbacks)
        + _context_tables(nru)
        + _bornes_table(nru)
        + "</section>"
    )


def _rules_table(zones: Sequence[ZoneShare]) -> str:
    """The rules of a few zones side by side: a row per rule, a column per zone."""
    header = "".join(
        f'<th class="zone">Zone {escape(z.code)}<br><span class="libelle">{escape(z.label)}'
        "</span></th>"
        for z in zones
    )
    columns = [rule_rows(z.rules) for z in zones]
    body = "".join(
        f"<tr><th>{escape(label)}</th>"
        + "".join(f"<td>{column[index][1]}</td>" for column in columns)
        + "</tr>"
        for index, (_, label, _, _) in enumerate(RULE_ROWS)
    )
    missing = [z.code for z in zones if not z.rules]
    note = (
        f'<p class="remarque">Règlement non fourni pour : {escape(", ".join(missing))}.</p>'
        if missing
        else ""
    )
    return (
        f'<table class="regles"><thead><tr><th>Règle</th>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>{note}"
    )


def reglement_html(nru: Nru) -> str:
    """« Extrait de la réglementation »: the rules of every zone of the parcel."""
    step = ZONES_PER_RULES_TABLE
    tables = "".join(_rules_table(nru.zones[i : i + step]) for i in range(0, len(nru.zones), step))
    servitudes = "".join(
        f"<p><strong>{escape(s.label or s.kind)}</strong> : {escape(s.text)}</p>"
        for s in nru.servitudes
        if s.text
    )
    if servitudes:
        servitudes = _block("Servitudes", servitudes)
    return (
        '<section class="reglement">'
        "<h2>Extrait de la réglementation</h2>"
        f'<p class="remarque">Règlement d\'aménagement du document « {escape(nru.plan.name)} » '
        "applicable aux zones du terrain (art. 8 du décret n° 2-18-577).</p>"
        + tables
        + servitudes
        + "</section>"
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


def _cartouche(nru: Nru, verify_url: str) -> str:
    """Number, dates (art. 9 validity), art. 7 disclaimer and the verification QR code."""
    validity = (
        f"Valable jusqu'au {fr_date(nru.valid_until)}"
        if nru.valid_until
        else "Validité : durée des effets juridiques du document d'urbanisme"
    )
    return (
        '<table class="cartouche"><tr>'
        f'<td class="qr">{qr_svg(verify_url)}</td><td class="identite">'
        f"<p><strong>Note de renseignements urbanistiques n° {escape(nru.number)}</strong></p>"
        f"<p>Délivrée le {escape(fr_date(nru.issued_at.date()))} par "
        f"l'{escape(agency_name(nru.plan.agency))}</p>"
        # Art. 9: the note is valid as long as the plan's declaration of public utility.
        f"<p>{escape(validity)} (art. 9 du décret n° 2-18-577)</p>"
        f"<p>Terrain : {escape(nru.parcel.land_reference or 'non immatriculé')} — "
        f"{escape(fr_area(nru.parcel.area_m2))}</p>"
        # Art. 7: issued on the petitioner's data, no proof of it, no agreement in principle.
        '<p class="remarque">Délivrée sur la base des données fournies par le demandeur ; '
        "n'atteste pas de leur véracité et n'équivaut en aucun cas à un accord de principe "
        "(art. 7 du décret n° 2-18-577).</p>"
        f'<p class="url">Vérification (code QR) : {escape(verify_url)}</p>'
        "</td></tr></table>"
    )


def extrait_html(nru: Nru, extract: MapExtract, verify_url: str) -> str:
    """The map extract page with its caption and the note's cartouche."""
    kind = PLAN_KINDS.get(nru.plan.kind, nru.plan.kind)
    return (
        '<section class="extrait">'
        f"<h2>Extrait du {escape(kind)}</h2>"
        f'<figure class="carte">{render_map_svg(extract)}</figure>'
        f'<p class="legende-carte">{escape(_map_caption(nru, extract))}</p>'
        + _cartouche(nru, verify_url)
        + "</section>"
    )


@functools.cache
def _stylesheet() -> str:
    """The CSS of the note (package data)."""
    return (files("geoportal") / "templates" / "nru.css").read_text(encoding="utf-8")


def nru_html(
    nru: Nru, extract: MapExtract, *, verify_url: str, petitioner: str | None = None
) -> str:
    """The whole note as one HTML document (title and creation date become PDF metadata)."""
    if not nru.text:
        raise ValueError(f"NRU {nru.number} has no text: fill it (Annexe 1) before rendering")
    head = (
        '<head><meta charset="utf-8">'
        f"<title>{escape(nru.number)}</title>"
        f'<meta name="author" content="{escape(agency_name(nru.plan.agency))}">'
        '<meta name="description" content="Note de renseignements urbanistiques">'
        f'<meta name="dcterms.created" content="{_w3c_datetime(nru.issued_at)}">'
        f"<style>{_stylesheet()}</style></head>"
    )
    body = (
        letter_html(nru, petitioner)
        + terrain_html(nru)
        + reglement_html(nru)
        + extrait_html(nru, extract, verify_url)
    )
    return f'<!DOCTYPE html><html lang="fr">{head}<body>{body}</body></html>'


@functools.cache
def _font_config() -> FontConfiguration:
    """One font configuration for every render (building it costs more than a page)."""
    return FontConfiguration()


def render_nru_pdf(
    nru: Nru, extract: MapExtract, *, verify_url: str, petitioner: str | None = None
) -> bytes:
    """The note as an A4 PDF; the petitioner's name is printed here only (personal data)."""
    html = nru_html(nru, extract, verify_url=verify_url, petitioner=petitioner)
    # data: URIs only: user text never makes WeasyPrint read a file or call a server.
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    pdf = document.write_pdf(font_config=_font_config(), pdf_identifier=nru.id.encode())
    return bytes(pdf)
