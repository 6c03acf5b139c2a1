"""The demo commune (data/demo): loaded once, reloaded only when its files change."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from geoportal.plans import import_plan_files
from geoportal.projects.register import read_register_file, record_project
from zoning.package.load import ImportOptions, Progress, no_progress, source_digest
from zoning.package.read import sha256_of
from zoning.package.reglement import parse_reglement

DEMO_PACKAGE = "demo/ain_demo.gpkg"
DEMO_RULES = "demo/reglement.yaml"
DEMO_RASTER = "demo/ain_demo_plan.tif"
DEMO_PROJECTS = "demo/projets_autorises.gpkg"


def load_demo(
    engine: Engine, data_dir: Path, storage_srid: int, progress: Progress = no_progress
) -> str:
    """Import the demo plan unless the same source is already stored; say what happened."""
    package, rules = data_dir / DEMO_PACKAGE, data_dir / DEMO_RULES
    rules_text = rules.read_text(encoding="utf-8")
    reglement = parse_reglement(rules_text, source=str(rules))
    digest = source_digest(sha256_of(package), rules_text)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT source_sha256 FROM plans WHERE name = :n"), {"n": reglement.plan.name}
        ).scalar()
    if stored == digest:
        return f"demo plan {reglement.plan.name!r} already loaded"
    options = ImportOptions(storage_srid=storage_srid, raster=data_dir / DEMO_RASTER)
    with engine.begin() as conn:
        report = import_plan_files(
            conn, package, rules_text, options, rules_source=str(rules), progress=progress
        )
    counts = ", ".join(f"{n} {layer}" for layer, n in report.counts.items())
    return f"demo plan {reglement.plan.name!r} loaded: {counts}"


def load_demo_projects(engine: Engine, data_dir: Path, storage_srid: int) -> str:
    """Record the demo's authorized projects in the register: those not there yet."""
    records = read_register_file(data_dir / DEMO_PROJECTS, storage_srid)
    with engine.begin() as conn:
        present = set(
            conn.execute(
                text("SELECT permit_number FROM projects WHERE permit_number = ANY(:numbers)"),
                {"numbers": [r.permit_number for r in records]},
            ).scalars()
        )
        missing = [r for r in records if r.permit_number not in present]
        for record in missing:
            record_project(conn, record, storage_srid)
    if not missing:
        return "demo projects already in the register"
    return f"{len(missing)} demo projects recorded in the register"
