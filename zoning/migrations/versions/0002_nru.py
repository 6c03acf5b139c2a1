"""Issued notes de renseignements urbanistiques and their per-agency yearly counters.

Revision ID: 0002_nru
Revises: 0001_plans
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002_nru"
down_revision = "0001_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    srid = int(context.config.attributes.get("storage_srid", 26191))
    # The plan's georeferenced raster (GeoTIFF), read by window for the NRU's map extract.
    op.add_column("plans", sa.Column("raster_path", sa.Text))
    # One row per agency and year; issuing takes the row lock, so concurrent requests get
    # consecutive, distinct numbers (NRU/2026/000123).
    op.create_table(
        "nru_counters",
        sa.Column("agency", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "nrus",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date),
        sa.Column("plan_name", sa.String(200), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("land_reference", sa.Text),
        sa.Column(
            "parcel", Geometry("MULTIPOLYGON", srid=srid, spatial_index=False), nullable=False
        ),
        sa.Column("document", JSONB, nullable=False, comment="the NRU as issued (public)"),
        sa.Column("petitioner", JSONB, comment="personal data: printed on the PDF only"),
        sa.Column("pdf", sa.LargeBinary),
        sa.Column("pdf_sha256", sa.String(64)),
        sa.UniqueConstraint("agency", "number", name="nrus_agency_number_key"),
    )
    op.create_index("nrus_parcel_gist", "nrus", ["parcel"], postgresql_using="gist")
    op.create_index("nrus_issued_at_idx", "nrus", ["issued_at"])


def downgrade() -> None:
    op.drop_table("nrus")
    op.drop_table("nru_counters")
    op.drop_column("plans", "raster_path")
