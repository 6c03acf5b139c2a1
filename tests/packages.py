"""Helpers building plan packages on disk for the tests (over zoning.synthetic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zoning.package.load import CheckedPlan, ImportOptions, check_package
from zoning.package.reglement import parse_reglement
from zoning.package.report import Finding
from zoning.synthetic import plan_layers, reglement, write_geopackage, write_reglement


def write_plan(
    tmp: Path,
    layers: dict[str, Any] | None = None,
    name: str = "PA Test",
    rules: dict[str, Any] | None = None,
) -> tuple[Path, str]:
    """A GeoPackage and its règlement text, in `tmp` (created if needed)."""
    tmp.mkdir(parents=True, exist_ok=True)
    package = write_geopackage(layers if layers is not None else plan_layers(), tmp / "plan.gpkg")
    text = write_reglement(rules or reglement(name), tmp / "reglement.yaml")
    return package, text


def check(package: Path, text: str, **options: Any) -> CheckedPlan:
    """Check a package with the given import options."""
    return check_package(package, parse_reglement(text), text, ImportOptions(**options))


def findings(checked: CheckedPlan, code: str) -> list[Finding]:
    """The findings of one code."""
    return [f for f in checked.report.findings if f.code == code]
