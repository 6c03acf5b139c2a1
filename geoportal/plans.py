"""Plan import as a service: validate, then load in the caller's transaction."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text

from geoportal.accounts import SYSTEM, Principal
from zoning.crs import transform_point
from zoning.package.load import (
    CheckedPlan,
    ImportOptions,
    Progress,
    check_package,
    load_plan,
    no_progress,
)
from zoning.package.reglement import parse_reglement
from zoning.package.report import Finding, ImportRefused, ImportReport
from zoning.territory import TERRITORY_TOLERANCE_M2, encroachments, lock_territories


def import_plan_files(
    conn: Connection,
    package: Path,
    rules_text: str,
    options: ImportOptions,
    *,
    rules_source: str = "reglement.yaml",
    package_source: str | None = None,
    progress: Progress = no_progress,
    dry_run: bool = False,
    by: Principal = SYSTEM,
) -> ImportReport:
    """Validate a package and its règlement; load it unless it has errors or `dry_run`.

    `package_source` names the package in the report (an upload: its file name, never the
    server's temporary path).

    The caller owns the transaction (``with engine.begin() as conn``): a refusal or a crash
    before its commit leaves the plan already in service untouched. An agent imports and
    replaces only the plans of their own agency.
    """
    reglement = parse_reglement(rules_text, source=rules_source)
    check_plan_agency(conn, by, reglement.plan.name, reglement.plan.agency)
    checked = check_package(
        package, reglement, rules_text, options, progress, source=package_source
    )
    if checked.report.ok:
        checked.report.add(territory_findings(conn, checked, options.storage_srid))
    if not checked.report.ok:
        raise ImportRefused(checked.report)
    if not dry_run:
        load_plan(conn, checked, options.storage_srid, progress, actor=by.actor)
    return checked.report


def check_plan_agency(conn: Connection, by: Principal, name: str, agency: str) -> None:
    """AgencyForbidden unless `by` acts for the new plan's agency and the one it replaces."""
    by.require_agency(agency, f"the plan {name!r} (règlement: plan.agency)")
    # FOR UPDATE: a concurrent replacement by someone else waits for this transaction.
    in_service = conn.execute(
        text("SELECT agency FROM plans WHERE name = :name FOR UPDATE"), {"name": name}
    ).first()
    if in_service is not None:
        by.require_agency(in_service[0], f"le plan {name!r} en vigueur")


def territory_findings(conn: Connection, checked: CheckedPlan, storage_srid: int) -> list[Finding]:
    """The plan overlapping another agency's plans beyond the tolerance: one error each.

    Takes the territories' lock until the caller's commit, so that two agencies importing
    overlapping plans at once cannot both pass.
    """
    plan = checked.reglement.plan
    lock_territories(conn)
    found = encroachments(conn, checked.perimeter, storage_srid, plan.agency, replacing=plan.name)
    return [
        Finding(
            "territoire_autre_agence",
            "error",
            e.message(f"le plan « {plan.name} »", TERRITORY_TOLERANCE_M2),
            layer="perimeter",
            area_m2=round(e.area_m2, 2),
            location=_plan_xy(e.location, storage_srid, plan.srid),
        )
        for e in found
        if e.area_m2 > TERRITORY_TOLERANCE_M2
    ]


def _plan_xy(xy: tuple[float, float], storage_srid: int, plan_srid: int) -> tuple[float, float]:
    """A point of the storage SRID in the plan's, as the report gives locations."""
    x, y = transform_point(xy[0], xy[1], storage_srid, plan_srid)
    return round(x, 2), round(y, 2)
