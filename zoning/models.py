"""GeoAlchemy2 models of the stored plans.

Geometry columns carry no SRID here on purpose: the one storage SRID of a deployment is set by
the Alembic migration from the settings (``GEOPORTAL_STORAGE_SRID``), never read at import time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Date, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the schema (migrations in zoning/migrations)."""


class Plan(Base):
    """A plan d'aménagement (or PDAR) and its legal status."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    commune: Mapped[str] = mapped_column(Text)
    province: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str] = mapped_column(Text)
    srid: Mapped[int] = mapped_column(comment="SRID of the plan as delivered (Lambert zone)")
    status: Mapped[str] = mapped_column(String(16), comment="homologue | en_cours")
    approval_act: Mapped[str | None] = mapped_column(Text)
    approval_date: Mapped[dt.date | None] = mapped_column(Date)
    bo_number: Mapped[str | None] = mapped_column(String(32))
    bo_date: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    tolerance_m2: Mapped[float] = mapped_column(Float, default=1.0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    source_sha256: Mapped[str] = mapped_column(String(64))
    reglement: Mapped[dict[str, Any]] = mapped_column(JSONB)
    import_report: Mapped[dict[str, Any]] = mapped_column(JSONB)
    perimeter: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", spatial_index=False))
    raster_path: Mapped[str | None] = mapped_column(Text)


class Zone(Base):
    """A zone polygon with its code and the rules of its règlement."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONB)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", spatial_index=False))


class Road(Base):
    """A planned road (voie d'aménagement): centre line and right-of-way (emprise) polygon."""

    __tablename__ = "roads"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(Text)
    width_m: Mapped[float | None] = mapped_column(Float)
    centerline: Mapped[Any] = mapped_column(
        Geometry("MULTILINESTRING", spatial_index=False), nullable=True
    )
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", spatial_index=False))


class Servitude(Base):
    """An easement burdening land; lines and points are stored buffered by `buffer_m`."""

    __tablename__ = "servitudes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(Text)
    buffer_m: Mapped[float | None] = mapped_column(Float)
    source_geom: Mapped[Any] = mapped_column(Geometry("GEOMETRY", spatial_index=False))
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", spatial_index=False))


class Reservation(Base):
    """Land reserved for a public facility (school, mosque, green space, parking...)."""

    __tablename__ = "reservations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", spatial_index=False))


class Sector(Base):
    """A sector with a procedural meaning (médina, lotissement réceptionné, patrimoine...)."""

    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", spatial_index=False))
