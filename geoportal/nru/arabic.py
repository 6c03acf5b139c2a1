"""The Arabic part of the NRU PDF (issue 16): a page of its own, right to left, beside the
French letter of Annexe 1 (décret 2-18-577), which stays the note's text as the model gives it.

Rendered from the Jinja2 template ``templates/nru_ar.html`` (autoescaped) with the bilingual
macros of ``templates/bilingual.html``; texts from the Arabic catalog (``geoportal.i18n``).
Identifiers and numbers are isolated left to right (``<bdi dir="ltr">``) and written with
Western digits, as the Moroccan administration prints them. The règlement's Arabic twins
(``label_ar``, ``affectation_ar``, ``interdictions_ar``, ``parking_ar``, ``servitudes_ar``)
are printed when present; where one is absent the French stands alone, no gap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup

from geoportal.i18n import iso, ltr, text
from geoportal.nru.model import Nru, ZoneShare
from geoportal.nru.pdf import (
    fr_area,
    fr_coordinate,
    fr_number,
    fr_percent,
    setback_text,
)
from geoportal.render import environment, template_text
from zoning.wording import LandReference

AR = "ar"


def t(key: str, **values: Any) -> str:
    """An Arabic text of the catalog (French when the catalog lacks it)."""
    return text(AR, key, **values)


def french(value: str) -> Markup:
    """A French text standing alone in the Arabic part (its Arabic twin is absent)."""
    return Markup('<span lang="fr" dir="ltr">{}</span>').format(value)


def twin(source: dict[str, Any], key: str) -> Markup | None:
    """The Arabic twin of a règlement text, else its French; None when neither is given."""
    arabic = source.get(f"{key}_ar")
    if isinstance(arabic, str) and arabic.strip():
        return iso(arabic)
    value = source.get(key)
    if isinstance(value, str) and value.strip():
        return french(value)
    return None


def twin_list(source: dict[str, Any], key: str) -> Markup | None:
    """A list of the règlement (interdictions) in Arabic when its twin is given, else French."""
    arabic = source.get(f"{key}_ar")
    if isinstance(arabic, list) and arabic:
        return Markup("، ").join(iso(str(item)) for item in arabic)
    items = source.get(key)
    if isinstance(items, list) and items:
        return french(" ; ".join(str(item) for item in items))
    return None


def land_phrase(reference: str | None) -> Markup:
    """« المتعلقة بالعقار موضوع الرسم العقاري عدد 12345/R », the number isolated."""
    land = LandReference.parse(reference)
    if land is None or land.kind == "non_immatricule":
        return iso(t("doc.land.none"))
    key = {"titre_foncier": "doc.land.tf", "requisition": "doc.land.requisition"}
    return iso(t(key.get(land.kind, "doc.land.other"))) + " " + ltr(str(land.number))


def _setbacks(setbacks: Any) -> Markup | None:
    """The road, side and rear setbacks, one a line."""
    if not isinstance(setbacks, dict):
        return None
    sides = (
        ("road", "doc.rule.setback_road"),
        ("side", "doc.rule.setback_side"),
        ("rear", "doc.rule.setback_rear"),
    )
    lines = [
        Markup("{} : {}").format(t(key), ltr(setback_text(setbacks[side])))
        for side, key in sides
        if setbacks.get(side)
    ]
    return Markup("<br>").join(lines) if lines else None


def _metres(value: Any) -> Markup:
    return ltr(f"{fr_number(float(value))} m")


#: (key of the règlement's zone, catalog key of its Arabic label, formatter): art. 8's order.
RULES_AR: tuple[tuple[str, str, Callable[[dict[str, Any]], Markup | None]], ...] = (
    ("affectation", "doc.rule.affectation", lambda r: twin(r, "affectation")),
    ("interdictions", "doc.rule.interdictions", lambda r: twin_list(r, "interdictions")),
    ("max_height_m", "doc.rule.max_height", lambda r: _opt(r, "max_height_m", _metres)),
    (
        "max_storeys",
        "doc.rule.max_storeys",
        lambda r: _opt(r, "max_storeys", lambda v: ltr("R" if int(v) == 0 else f"R+{int(v)}")),
    ),
    ("ces_max", "doc.rule.ces", lambda r: _opt(r, "ces_max", lambda v: ltr(fr_number(v)))),
    ("cos_max", "doc.rule.cos", lambda r: _opt(r, "cos_max", lambda v: ltr(fr_number(v)))),
    ("setbacks", "doc.rule.setbacks", lambda r: _setbacks(r.get("setbacks"))),
    (
        "min_parcel_area_m2",
        "doc.rule.min_area",
        lambda r: _opt(r, "min_parcel_area_m2", lambda v: ltr(fr_area(float(v)))),
    ),
    ("min_frontage_m", "doc.rule.min_frontage", lambda r: _opt(r, "min_frontage_m", _metres)),
    ("parking", "doc.rule.parking", lambda r: twin(r, "parking")),
    (
        "habitat_economique",
        "doc.rule.economic_housing",
        lambda r: iso(t("doc.yes" if r.get("habitat_economique") else "doc.no")),
    ),
    (
        "constructible",
        "doc.rule.constructible",
        lambda r: iso(t("doc.yes" if r.get("constructible", True) else "doc.not_constructible")),
    ),
)


def _opt(rules: dict[str, Any], key: str, format_: Callable[[Any], Markup]) -> Markup | None:
    value = rules.get(key)
    return None if value is None else format_(value)


def zone_rules_ar(rules: dict[str, Any]) -> list[tuple[Markup, Markup]]:
    """(Arabic label, value) rows of a zone's rules; « غير مقنن » where a figure is absent."""
    rows = []
    for _, label_key, format_ in RULES_AR:
        value = format_(rules)
        rows.append(
            (iso(t(label_key)), value if value is not None else iso(t("doc.not_regulated")))
        )
    return rows


def zone_label_ar(zone: ZoneShare) -> Markup:
    """The zone's Arabic label (règlement's ``label_ar``), else its French label."""
    arabic = zone.rules.get("label_ar") if zone.rules else None
    if isinstance(arabic, str) and arabic.strip():
        return iso(arabic)
    return french(zone.label)


def _agency_ar(agency: str) -> Markup:
    """« الوكالة الحضرية لـ Skhirate-Temara » from the plan's agency (full name or place)."""
    place = re.sub(r"^\s*agence\s+urbaine\s+(?:de\s+la\s+|de\s+|d['’]\s*)?", "", agency, flags=re.I)
    return iso(t("doc.agency")) + " " + ltr(place)


def _approval(nru: Nru) -> str | None:
    """« Décret n° 2-21-101 du 15/03/2021 (BO n° 6970) », as the act is written (French)."""
    approval = nru.plan.approval
    if nru.plan.status != "homologue" or not approval.act:
        return None
    text_ = approval.act
    if approval.date:
        text_ += f" du {approval.date:%d/%m/%Y}"
    if approval.bo:
        text_ += f" (BO n° {approval.bo})"
    return text_


def _validity(nru: Nru) -> Markup:
    """Art. 9: valid as long as the plan's effects; the date when the plan has one."""
    article = iso(t("doc.article_9"))
    if nru.valid_until:
        return (
            iso(t("doc.valid_until"))
            + " "
            + ltr(f"{nru.valid_until:%d/%m/%Y}")
            + " ("
            + article
            + ")"
        )
    return iso(t("doc.valid_plan")) + " (" + article + ")"


def _servitudes(nru: Nru) -> list[Markup]:
    """Each servitude: its Arabic text (règlement's ``servitudes_ar``) when given, else French."""
    lines = []
    for s in nru.servitudes:
        arabic = s.text_ar
        if arabic:
            lines.append(iso(arabic))
        elif s.text:
            lines.append(french(s.text))
        else:
            lines.append(french(s.label or s.kind))
    return lines


def context(nru: Nru, verify_url: str) -> dict[str, Any]:
    """The template's values, every one escaped or isolated here or by autoescape."""
    x, y = nru.parcel.centroid
    header = {
        "kingdom_fr": "ROYAUME DU MAROC",
        "kingdom_ar": t("doc.kingdom"),
        "ministry_fr": text("fr", "doc.ministry"),
        "ministry_ar": t("doc.ministry"),
        "agency_fr": nru.plan.agency,
        "agency_ar": _agency_ar(nru.plan.agency),
        "number_label": t("doc.number"),
        "number": nru.number,
        "number_class": "nru-number",  # the footers' « NRU n° … », when the Arabic comes first
        "date_label": t("doc.date"),
        "date": f"{nru.issued_at:%d/%m/%Y}",
    }
    return {
        # catalog texts with their figures isolated: « المرسوم رقم 2.18.577 » would otherwise be
        # drawn with Arabic dots, and « 1 234,56 m² » reordered by the bidi
        "t": lambda key: iso(t(key)),
        "header": header,
        "land": land_phrase(nru.parcel.land_reference),
        "commune": nru.plan.commune,
        "plan_name": nru.plan.name,
        "approval": _approval(nru),
        "zones": [
            {
                "code": z.code,
                "label": zone_label_ar(z),
                "area": fr_area(z.area_m2),
                "share": fr_percent(z.share),
                "rules": zone_rules_ar(z.rules) if z.rules else [],
            }
            for z in nru.zones
        ],
        "servitudes": _servitudes(nru),
        "land_reference": ltr(nru.parcel.land_reference)
        if nru.parcel.land_reference
        else t("doc.land.unregistered"),
        "area": fr_area(nru.parcel.area_m2),
        "centre": f"X = {fr_coordinate(x)} ; Y = {fr_coordinate(y)}",
        "validity": _validity(nru),
        "verify_url": verify_url,
    }


def stylesheet() -> str:
    """The Arabic part's CSS (package data)."""
    return template_text("nru_ar.css")


def arabic_html(nru: Nru, verify_url: str, *, first: bool = False) -> str:
    """The Arabic part as HTML (its own page), with its stylesheet."""
    body = environment().get_template("nru_ar.html").render(context(nru, verify_url))
    css = stylesheet()
    if first:  # Arabic before the French letter: the page break comes after it
        css += ".partie-arabe { break-before: auto; break-after: page; }"
    return f"<style>{css}</style>{body}"


def letters_in_languages(
    french_letter: str, nru: Nru, verify_url: str, languages: Sequence[str]
) -> str:
    """The French letter and the Arabic part in the order of GEOPORTAL_DOCUMENT_LANGUAGES."""
    parts = []
    for position, lang in enumerate(languages):
        if lang == "fr":
            parts.append(french_letter)
        elif lang == AR:
            parts.append(arabic_html(nru, verify_url, first=position == 0))
    return "".join(parts)
