"""Dossier and permit numbers, taken from a counter row as the notes' are (geoportal.nru.store).

A number has no « / » (`AINDEMO-2026-000123`), so it fits a path (`/suivi/{number}`). The
counter's row is updated in the act's own transaction: a crash takes no number, and two acts
at once wait on the row instead of sharing a number.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Connection, text

#: the permit's letters per kind of authorisation (Annexe 7's models)
PERMIT_LETTERS = {
    "construction": "PC",
    "modification": "PC",
    "surelevation": "PC",
    "lotissement": "PL",
    "groupe_habitations": "GH",
    "morcellement": "PM",
    "refection": "PR",
    "installation_saisonniere": "PR",
    "demolition": "PD",
    "regularisation": "RG",
}

_NEXT_SQL = text("""
INSERT INTO dossier_counters (prefix, year, last_number) VALUES (:prefix, :year, 1)
ON CONFLICT (prefix, year) DO UPDATE SET last_number = dossier_counters.last_number + 1
RETURNING last_number
""")


def commune_code(commune: str) -> str:
    """« Aïn Démo » → AINDEMO: ASCII capitals and digits only."""
    ascii_name = unicodedata.normalize("NFKD", commune).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]", "", ascii_name.upper())[:24] or "COMMUNE"


def _next(conn: Connection, prefix: str, year: int) -> int:
    return int(conn.execute(_NEXT_SQL, {"prefix": prefix, "year": year}).scalar_one())


def dossier_number(conn: Connection, commune: str, year: int) -> str:
    """The next dossier number of the commune's bureau d'ordre (art. 34: « numéroté »)."""
    code = commune_code(commune)
    return f"{code}-{year}-{_next(conn, code, year):06d}"


def permit_number(conn: Connection, commune: str, kind: str, year: int) -> str:
    """The next permit number of the commune for this kind (Annexe 7: « Décision N° … »)."""
    prefix = f"{commune_code(commune)}-{PERMIT_LETTERS.get(kind, 'PA')}"
    return f"{prefix}-{year}-{_next(conn, prefix, year):06d}"
