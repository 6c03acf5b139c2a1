"""The product's French voice: numbers, areas, dates, plan kinds and land references.

One module so that the letter, the PDF, the verification page, the map extract, the intake's
diagnostics and the command line write « 1 234,56 m² » the same way: a decimal comma and a
narrow no-break space (U+202F) between thousands, as the French typographic norm and the
Moroccan administration's printed documents do.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

THOUSANDS = "\u202f"  # narrow no-break space
MINUS = "−"  # U+2212, the typographic minus
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

#: plan kinds as the texts name them (loi 12-90; the PDAR of the rural agglomerations)
PLAN_KINDS = {
    "plan_amenagement": "plan d'aménagement",
    "pdar": "plan de développement d'agglomération rurale",
}
PLAN_STATUSES = {
    "homologue": "homologué",
    "en_cours": "en cours d'approbation",
}


def number(value: float, decimals: int = 2, *, keep_zeros: bool = False) -> str:
    """1 234,56: French decimal comma, narrow no-break space between thousands; ',00' dropped."""
    text = f"{value:,.{decimals}f}".replace(",", THOUSANDS).replace(".", ",").replace("-", MINUS)
    if decimals and not keep_zeros:
        text = text.removesuffix("," + "0" * decimals)
    return "0" if text == MINUS + "0" else text


def area(value_m2: float, decimals: int = 2) -> str:
    """'1 234,56 m²'."""
    return f"{number(value_m2, decimals)} m²"


def length(value_m: float, decimals: int = 2) -> str:
    """'12,5 m'."""
    return f"{number(value_m, decimals)} m"


def percent(share: float, decimals: int = 1) -> str:
    """A fraction (0..1) as '45,3 %' (a narrow no-break space before the sign)."""
    return f"{number(share * 100, decimals)}{THOUSANDS}%"


def coordinate(value: float) -> str:
    """A Lambert coordinate to the centimetre, as surveyors write it: '358 011,42'."""
    return number(value, 2, keep_zeros=True)


def whole_metres(value: float) -> str:
    """A coordinate on a map's frame, in whole metres: '358 050'."""
    return number(round(value), 0)


def xy(x: float, y: float) -> str:
    """Coordinates as a sentence fragment: 'X = 366 745,09 ; Y = 381 141,99'."""
    return f"X = {coordinate(x)} ; Y = {coordinate(y)}"


def date_long(day: dt.date | None, missing: str = "non précisée") -> str:
    """'1er avril 2031', the way a letter writes a date in full."""
    if day is None:
        return missing
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def date_short(day: dt.date | None, missing: str = "…") -> str:
    """'15/03/2021', the way the administration writes a date in a reference."""
    return day.strftime("%d/%m/%Y") if day else missing


def plan_kind(kind: str) -> str:
    """'plan d'aménagement' for `plan_amenagement`; an unknown kind as it is."""
    return PLAN_KINDS.get(kind, kind)


def plan_status(status: str) -> str:
    """'homologué' or 'en cours d'approbation'."""
    return PLAN_STATUSES.get(status, status)


LandKind = Literal["titre_foncier", "requisition", "non_immatricule", "autre"]
_LAND_PATTERN = re.compile(
    r"(?i)^(?P<kind>tf|t\.f\.?|titre(?:\s+foncier)?|r[ée]q(?:uisition)?\.?)\s*(?:n\s*°|n°|no\.?)?"
    r"\s*(?P<number>.+)$"
)
_UNREGISTERED = re.compile(r"(?i)^non[\s-]*immatricul[ée]e?s?$")


@dataclass(frozen=True)
class LandReference:
    """A land reference (Annexe 1): a titre foncier, a réquisition, or land not registered."""

    kind: LandKind
    number: str | None = None

    @classmethod
    def parse(cls, value: str | None) -> LandReference | None:
        """« tf 12345/r » → TF 12345/R; « req 678/r » → réquisition; blank → None."""
        if not value or not value.strip():
            return None
        cleaned = re.sub(r"\s+", " ", value.strip())
        if _UNREGISTERED.match(cleaned):
            return cls("non_immatricule")
        match = _LAND_PATTERN.match(cleaned)
        if not match:  # a form the grammar does not know: kept as written
            return cls("autre", cleaned)
        kind: LandKind = "requisition" if match["kind"].lower().startswith("r") else "titre_foncier"
        return cls(kind, match["number"].strip().upper())

    @property
    def label(self) -> str:
        """'TF 12345/R', 'Réquisition 678/R' or 'Non immatriculé' (tables, registers)."""
        if self.kind == "non_immatricule":
            return "Non immatriculé"
        if self.kind == "autre":
            return str(self.number)
        prefix = "TF" if self.kind == "titre_foncier" else "Réquisition"
        return f"{prefix} {self.number}"

    @property
    def phrase(self) -> str:
        """Annexe 1's words: « relative au terrain objet du TF n° 12345/R »."""
        if self.kind == "non_immatricule":
            return "relative au terrain non immatriculé"
        if self.kind == "requisition":
            return f"relative au terrain objet de la réquisition n° {self.number}"
        if self.kind == "autre":
            return f"relative au terrain de référence foncière {self.number}"
        return f"relative au terrain objet du TF n° {self.number}"


def land_label(value: str | None) -> str:
    """A stored land reference as a table prints it; none is « Non immatriculé »."""
    reference = LandReference.parse(value)
    return reference.label if reference else "Non immatriculé"
