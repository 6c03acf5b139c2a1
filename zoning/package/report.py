"""The validation report of a plan import: findings with layer, feature, area and location."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from zoning import wording
from zoning.refusal import Invalid, Problem

Severity = Literal["error", "warning", "info"]


#: the severities as a report prints them
SEVERITIES = {"error": "erreur", "warning": "avertissement", "info": "info"}


@dataclass(frozen=True)
class Finding:
    """One problem (or remark) found in a plan package."""

    code: str
    severity: Severity
    message: str
    layer: str | None = None
    feature: int | None = None  # 1-based row number in the layer, as a GIS shows it
    area_m2: float | None = None
    location: tuple[float, float] | None = None  # in the plan's Lambert SRID

    def describe(self) -> str:
        """One line for the terminal or an error message."""
        where = [
            f"couche {self.layer}" if self.layer else "",
            f"objet n° {self.feature}" if self.feature else "",
        ]
        if self.location:
            where.append(f"en {wording.xy(*self.location)}")
        if self.area_m2 is not None:
            where.append(wording.area(self.area_m2))
        detail = ", ".join(w for w in where if w)
        said = SEVERITIES.get(self.severity, self.severity)
        return f"{said} : {self.message}" + (f" ({detail})" if detail else "")


@dataclass
class ImportReport:
    """Everything the import found, and what it loaded."""

    plan: str
    source: str
    srid: int
    storage_srid: int
    sha256: str = ""
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: what the NRU map extracts of this plan are drawn on: « raster » (the scanned plan,
    #: georeferenced) or « vecteurs » (the layers alone)
    extract_base: str = "vecteurs"
    extract_base_message: str = (
        "Les extraits de plan des notes seront dessinés à partir des couches vectorielles "
        "(aucun plan scanné n'accompagne l'import)."
    )

    @property
    def errors(self) -> list[Finding]:
        """Findings that refuse the import."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when nothing refuses the import."""
        return not self.errors

    def add(self, findings: list[Finding]) -> None:
        """Append findings."""
        self.findings.extend(findings)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the plan and returned by the API."""
        data = asdict(self)
        data["ok"] = self.ok
        data["error_count"] = len(self.errors)
        data["warning_count"] = sum(f.severity == "warning" for f in self.findings)
        return data


class ImportRefused(Invalid, ValueError):
    """The package has errors: nothing was written; `report` names each problem."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        detail = (
            f"Le dossier du plan « {report.plan} » comporte {len(report.errors)} erreur(s) ; "
            "rien n'a été écrit."
        )
        errors = [Problem(f.code, f.describe(), f.layer) for f in report.errors]
        super().__init__("import_refused", detail, errors, report=report.to_dict())

    def __str__(self) -> str:
        lines = "\n".join(f"  - {f.describe()}" for f in self.report.errors)
        return f"{self.detail}\n{lines}"
