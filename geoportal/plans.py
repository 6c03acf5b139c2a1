"""Plan import as a service: validate, then load in the caller's transaction."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from zoning.importer import ImportOptions, Progress, check_package, load_plan, no_progress
from zoning.reglement import parse_reglement
from zoning.report import ImportRefused, ImportReport


def import_plan_files(
    conn: Connection,
    package: Path,
    rules_text: str,
    options: ImportOptions,
    *,
    rules_source: str = "reglement.yaml",
    progress: Progress = no_progress,
    dry_run: bool = False,
) -> ImportReport:
    """Validate a package and its règlement; load it unless it has errors or `dry_run`.

    The caller owns the transaction (``with engine.begin() as conn``): a refusal or a crash
    before its commit leaves the plan already in service untouched.
    """
    reglement = parse_reglement(rules_text, source=rules_source)
    checked = check_package(package, reglement, rules_text, options, progress)
    if not checked.report.ok:
        raise ImportRefused(checked.report)
    if not dry_run:
        load_plan(conn, checked, options.storage_srid, progress)
    return checked.report
