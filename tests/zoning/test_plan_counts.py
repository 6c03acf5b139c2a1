"""The open data list of plans reads the layer counts its import stored (migration 0014)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from zoning.store import LAYER_TABLES, list_plans


def counted(conn: Connection, plan: str) -> dict[str, int]:
    """Each layer's rows of the plan, counted in the tables."""
    return {
        layer: int(
            conn.execute(
                text(
                    f"SELECT count(*) FROM {layer} l JOIN plans p ON p.id = l.plan_id "
                    "WHERE p.name = :n"
                ),
                {"n": plan},
            ).scalar_one()
        )
        for layer in LAYER_TABLES
    }


def test_the_listing_counts_are_the_stored_rows(conn: Connection, demo: None) -> None:
    [plan] = [p for p in list_plans(conn) if p["name"] == "PA Ain Demo"]
    rows = counted(conn, "PA Ain Demo")
    assert plan["counts"] == rows
    assert rows["zones"] > 0 and rows["roads"] > 0  # the demo has both: not a trivial match


def test_a_layer_absent_from_the_package_counts_zero(conn: Connection, demo: None) -> None:
    conn.execute(
        text("""UPDATE plans SET import_report = jsonb_set(import_report, '{counts}',
                          (import_report -> 'counts') - 'sectors') WHERE name = 'PA Ain Demo'""")
    )
    [plan] = [p for p in list_plans(conn) if p["name"] == "PA Ain Demo"]
    assert plan["counts"]["sectors"] == 0
    assert plan["counts"]["zones"] == counted(conn, "PA Ain Demo")["zones"]


def test_a_report_without_counts_is_counted_in_the_tables(conn: Connection, demo: None) -> None:
    conn.execute(text("UPDATE plans SET import_report = import_report - 'counts'"))
    [plan] = [p for p in list_plans(conn) if p["name"] == "PA Ain Demo"]
    assert plan["counts"] == counted(conn, "PA Ain Demo")
