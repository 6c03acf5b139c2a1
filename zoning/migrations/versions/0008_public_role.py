"""The public reads' role and the views they read: plans, every layer, the projects' events.

Revision ID: 0008_public_role
Revises: 0006_accounts
Create Date: 2026-12-01

The map, the open data, the OGC API, the tiles and the indicators connect as a role that can
read the `opendata` views and nothing else (zoning.roles); these views hold what those pages
show, and only public columns (never a petitioner's data).
"""

from __future__ import annotations

from alembic import context, op

from zoning.roles import PUBLIC_ROLE, ensure_public_role

revision = "0008_public_role"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None

_COUNTS = ", ".join(
    f"(SELECT count(*) FROM public.{t} l WHERE l.plan_id = p.id) AS {t}"
    for t in ("zones", "roads", "servitudes", "reservations", "sectors")
)

VIEWS = {
    "plans": f"""
        SELECT p.id, p.name, p.kind, p.commune, p.province, p.agency, p.srid, p.status,
               p.approval_act, p.approval_date, p.bo_number, p.bo_date, p.valid_until,
               p.tolerance_m2, p.imported_at, p.source_sha256,
               p.reglement -> 'legend' AS legend, {_COUNTS}, p.perimeter AS geom
        FROM public.plans p""",
    "reservations": """
        SELECT r.id, p.name AS plan, r.code, r.label, r.geom
        FROM public.reservations r JOIN public.plans p ON p.id = r.plan_id""",
    "secteurs": """
        SELECT s.id, p.name AS plan, s.kind, s.label, s.geom
        FROM public.sectors s JOIN public.plans p ON p.id = s.plan_id""",
    "evenements_projets": "SELECT e.id, e.project_id FROM public.project_events e",
}
# Views of 0004 given the columns the maps show; CREATE OR REPLACE adds columns at the end.
REPLACED = {
    "zones": """
        SELECT z.id, p.name AS plan, z.code, z.label,
               (z.rules ->> 'max_height_m')::float AS max_height_m,
               (z.rules ->> 'max_storeys')::int AS max_storeys, z.geom, z.rules
        FROM public.zones z JOIN public.plans p ON p.id = z.plan_id""",
    "servitudes": """
        SELECT s.id, p.name AS plan, s.kind, s.label, s.geom, s.buffer_m
        FROM public.servitudes s JOIN public.plans p ON p.id = s.plan_id""",
}
ORIGINAL = {
    "zones": """
        SELECT z.id, p.name AS plan, z.code, z.label,
               (z.rules ->> 'max_height_m')::float AS max_height_m,
               (z.rules ->> 'max_storeys')::int AS max_storeys, z.geom
        FROM public.zones z JOIN public.plans p ON p.id = z.plan_id""",
    "servitudes": """
        SELECT s.id, p.name AS plan, s.kind, s.label, s.geom
        FROM public.servitudes s JOIN public.plans p ON p.id = s.plan_id""",
}


def upgrade() -> None:
    for name, query in VIEWS.items():
        op.execute(f"CREATE VIEW opendata.{name} AS {query}")
    for name, query in REPLACED.items():
        op.execute(f"CREATE OR REPLACE VIEW opendata.{name} AS {query}")
    role = str(context.config.attributes.get("public_role", PUBLIC_ROLE))
    ensure_public_role(op.get_bind(), role)


def downgrade() -> None:
    role = op.get_bind().dialect.identifier_preparer.quote(
        str(context.config.attributes.get("public_role", PUBLIC_ROLE))
    )
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA opendata FROM {role}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA opendata REVOKE SELECT ON TABLES FROM {role}")
    op.execute(f"REVOKE USAGE ON SCHEMA opendata FROM {role}")
    for name in ORIGINAL:
        op.execute(f"DROP VIEW opendata.{name}")
        op.execute(f"CREATE VIEW opendata.{name} AS {ORIGINAL[name]}")
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS opendata.{name}")
