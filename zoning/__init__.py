"""Stored planning data: plans, zones, servitudes, roads, reservations, sectors; CRS; import."""
