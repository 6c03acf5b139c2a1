"""The open data list of plans reads each plan's layer counts from its import report.

Revision ID: 0014_plan_counts
Revises: 0013_dossier_transmission
Create Date: 2026-12-03

`opendata.plans` counted the rows of every layer of every plan on each read: 80 ms for a store
of 200,000 zones, and a national store would hold millions (issue 15, item 8). A plan's layers
never change after its import (a new import replaces the plan whole, zoning.package.load), and
the import report keeps how many features of each layer it stored (`counts`): the view reads
them there, and counts the rows only for a report without them.
"""

from __future__ import annotations

from alembic import op

revision = "0014_plan_counts"
down_revision = "0013_dossier_transmission"
branch_labels = None
depends_on = None

LAYERS = ("zones", "roads", "servitudes", "reservations", "sectors")


def _counts(stored: bool) -> str:
    """The view's count columns: from the import report when `stored`, else counted."""
    columns = []
    for layer in LAYERS:
        counted = f"(SELECT count(*) FROM public.{layer} l WHERE l.plan_id = p.id)"
        if stored:
            # a layer the package did not have counts 0; a report without counts is counted
            counted = (
                f"coalesce((p.import_report #>> '{{counts,{layer}}}')::bigint, "
                f"CASE WHEN p.import_report ? 'counts' THEN 0 END, {counted})"
            )
        columns.append(f"{counted} AS {layer}")
    return ", ".join(columns)


def _plans_view(stored: bool) -> str:
    return f"""
        CREATE OR REPLACE VIEW opendata.plans AS
        SELECT p.id, p.name, p.kind, p.commune, p.province, p.agency, p.srid, p.status,
               p.approval_act, p.approval_date, p.bo_number, p.bo_date, p.valid_until,
               p.tolerance_m2, p.imported_at, p.source_sha256,
               p.reglement -> 'legend' AS legend, {_counts(stored)}, p.perimeter AS geom
        FROM public.plans p"""


def upgrade() -> None:
    op.execute(_plans_view(stored=True))


def downgrade() -> None:
    op.execute(_plans_view(stored=False))
