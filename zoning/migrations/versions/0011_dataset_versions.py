"""A version per open data set, bumped in the transaction that changes it (HTTP ETags).

Revision ID: 0011_dataset_versions
Revises: 0008_public_role
Create Date: 2026-12-02

api.caching answers If-None-Match from these versions instead of hashing bodies: `plans`
moves with any import or replacement of a plan (its zones and layers), `projects` with any
project recorded or changed. Statement-level triggers, so a plan of 200,000 zones loaded in
one INSERT bumps once; the table lives in `opendata` so the public role (replicas included)
reads it, and tipg does not publish it (it has no geometry).
"""

from __future__ import annotations

from alembic import op

revision = "0011_dataset_versions"
down_revision = "0010_dossiers"
branch_labels = None
depends_on = None

TABLES = {
    "plans": ("plans", "zones", "roads", "servitudes", "reservations", "sectors"),
    "projects": ("projects",),
}


def upgrade() -> None:
    op.execute("""CREATE TABLE opendata.dataset_versions (
                    name text PRIMARY KEY,
                    version bigint NOT NULL DEFAULT 1,
                    changed_at timestamptz NOT NULL DEFAULT now())""")
    op.execute("INSERT INTO opendata.dataset_versions (name) VALUES ('plans'), ('projects')")
    op.execute("""CREATE FUNCTION public.bump_dataset_version() RETURNS trigger
                  LANGUAGE plpgsql AS $$
                  BEGIN
                    UPDATE opendata.dataset_versions
                       SET version = version + 1, changed_at = now()
                     WHERE name = TG_ARGV[0];
                    RETURN NULL;
                  END $$""")
    for dataset, tables in TABLES.items():
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_dataset_version "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.{table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION public.bump_dataset_version('{dataset}')"
            )


def downgrade() -> None:
    for tables in TABLES.values():
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_dataset_version ON public.{table}")
    op.execute("DROP FUNCTION IF EXISTS public.bump_dataset_version()")
    op.execute("DROP TABLE IF EXISTS opendata.dataset_versions")
