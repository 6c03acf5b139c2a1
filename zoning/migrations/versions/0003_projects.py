"""Register of authorized projects and the feed of their events (live public map).

Revision ID: 0003_projects
Revises: 0002_nru
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_projects"
down_revision = "0002_nru"
branch_labels = None
depends_on = None


def upgrade() -> None:
    srid = int(context.config.attributes.get("storage_srid", 26191))
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("permit_number", sa.String(64), nullable=False, unique=True),
        sa.Column("permit_date", sa.Date, nullable=False),
        sa.Column("commune", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("use", sa.String(32)),
        sa.Column("procedure", sa.String(16)),
        sa.Column("storeys", sa.Integer),
        sa.Column("height_m", sa.Float),
        sa.Column("floor_area_m2", sa.Float),
        sa.Column("status", sa.String(16), nullable=False, server_default="autorise"),
        sa.Column("filed_on", sa.Date),
        sa.Column("decided_on", sa.Date),
        sa.Column("agency", sa.Text),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.Column("petitioner", JSONB, comment="personal data: never on public endpoints"),
        sa.Column(
            "footprint", Geometry("MULTIPOLYGON", srid=srid, spatial_index=False), nullable=False
        ),
        # The point shown on the map, kept in WGS 84 for fast viewport queries and tiles.
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.CheckConstraint(
            "status IN ('autorise', 'en_chantier', 'acheve')", name="projects_status_check"
        ),
    )
    op.create_index("projects_footprint_gist", "projects", ["footprint"], postgresql_using="gist")
    op.create_index("projects_location_gist", "projects", ["location"], postgresql_using="gist")
    op.create_index("projects_permit_date_idx", "projects", ["permit_date"])
    op.create_index("projects_commune_idx", "projects", ["commune"])
    # One row per recorded project, in commit order: the SSE feed replays from Last-Event-ID.
    op.create_table(
        "project_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "project_id",
            sa.BigInteger,
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
    )


def downgrade() -> None:
    op.drop_table("project_events")
    op.drop_table("projects")
