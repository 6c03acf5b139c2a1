"""Plans d'aménagement and their layers, in the deployment's storage SRID.

Revision ID: 0001_plans
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_plans"
down_revision = None
branch_labels = None
depends_on = None

LAYERS = ("zones", "roads", "servitudes", "reservations", "sectors")


def _srid() -> int:
    """The storage SRID handed over by zoning.schema (one per deployment)."""
    return int(context.config.attributes.get("storage_srid", 26191))


def _geometry(kind: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column("geom", Geometry(kind, srid=_srid(), spatial_index=False), nullable=nullable)


def _plan_fk() -> sa.Column[int]:
    return sa.Column(
        "plan_id", sa.BigInteger, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    srid = _srid()
    op.create_table(
        "plans",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("commune", sa.Text, nullable=False),
        sa.Column("province", sa.Text),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("srid", sa.Integer, nullable=False, comment="SRID of the plan as delivered"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("approval_act", sa.Text),
        sa.Column("approval_date", sa.Date),
        sa.Column("bo_number", sa.String(32)),
        sa.Column("bo_date", sa.Date),
        sa.Column("valid_until", sa.Date),
        sa.Column("tolerance_m2", sa.Float, nullable=False, server_default="1.0"),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("reglement", JSONB, nullable=False),
        sa.Column("import_report", JSONB, nullable=False),
        sa.Column("perimeter", Geometry("MULTIPOLYGON", srid=srid, spatial_index=False)),
        sa.CheckConstraint("status IN ('homologue', 'en_cours')", name="plans_status_check"),
        sa.CheckConstraint("kind IN ('plan_amenagement', 'pdar')", name="plans_kind_check"),
    )
    _layer(
        "zones",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("rules", JSONB, nullable=False),
        _geometry("MULTIPOLYGON"),
    )
    _layer(
        "roads",
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("width_m", sa.Float),
        sa.Column("centerline", Geometry("MULTILINESTRING", srid=srid, spatial_index=False)),
        _geometry("MULTIPOLYGON"),
    )
    _layer(
        "servitudes",
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("buffer_m", sa.Float),
        sa.Column(
            "source_geom", Geometry("GEOMETRY", srid=srid, spatial_index=False), nullable=False
        ),
        _geometry("MULTIPOLYGON"),
    )
    _layer(
        "reservations",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("label", sa.Text),
        _geometry("MULTIPOLYGON"),
    )
    _layer(
        "sectors",
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("label", sa.Text),
        _geometry("MULTIPOLYGON"),
    )
    op.create_index("plans_perimeter_gist", "plans", ["perimeter"], postgresql_using="gist")
    op.create_index("roads_centerline_gist", "roads", ["centerline"], postgresql_using="gist")
    op.create_index(
        "servitudes_source_geom_gist", "servitudes", ["source_geom"], postgresql_using="gist"
    )


def _layer(name: str, *columns: sa.Column[object]) -> None:
    """A layer table: id, plan, its columns; GiST on the geometry, b-tree on the plan."""
    op.create_table(
        name, sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True), _plan_fk(), *columns
    )
    op.create_index(f"{name}_plan_id_idx", name, ["plan_id"])
    op.create_index(f"{name}_geom_gist", name, ["geom"], postgresql_using="gist")


def downgrade() -> None:
    for name in LAYERS:
        op.drop_table(name)
    op.drop_table("plans")
