"""Open data views (schema `opendata`): only public columns, for OGC API Features and tiles.

Revision ID: 0004_opendata
Revises: 0003_projects
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004_opendata"
down_revision = "0003_projects"
branch_labels = None
depends_on = None

# Views, not tables: the OGC server publishes every column it sees, and the petitioner's
# personal data must never be among them.
VIEWS = {
    "projets_autorises": """
        SELECT id, permit_number, permit_date, commune, kind, use, procedure, storeys,
               height_m, floor_area_m2, status, filed_on, decided_on, location AS geom
        FROM public.projects""",
    "zones": """
        SELECT z.id, p.name AS plan, z.code, z.label,
               (z.rules ->> 'max_height_m')::float AS max_height_m,
               (z.rules ->> 'max_storeys')::int AS max_storeys, z.geom
        FROM public.zones z JOIN public.plans p ON p.id = z.plan_id""",
    "voies_amenagement": """
        SELECT r.id, p.name AS plan, r.ref, r.name, r.width_m, r.geom
        FROM public.roads r JOIN public.plans p ON p.id = r.plan_id""",
    "servitudes": """
        SELECT s.id, p.name AS plan, s.kind, s.label, s.geom
        FROM public.servitudes s JOIN public.plans p ON p.id = s.plan_id""",
}


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS opendata")
    for name, query in VIEWS.items():
        op.execute(f"CREATE VIEW opendata.{name} AS {query}")


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS opendata.{name}")
    op.execute("DROP SCHEMA IF EXISTS opendata")
