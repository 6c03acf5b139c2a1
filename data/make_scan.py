"""The demo's scanned coordinate table: data/demo/releve_scanne.jpg (issue 17).

A surveyor's table of 20 bornes around a villa lot of PA Ain Demo (zone D1), rendered with a real
font and photographed badly on purpose (rotation, perspective, blur, speckle, JPEG), as a
petitioner would send it. Deterministic: `.venv/bin/python data/make_scan.py` rebuilds it.
"""

from __future__ import annotations

import random
from pathlib import Path

import geopandas as gpd

from zoning.intake.synthetic_scan import make_scan, random_parcel

DEMO = Path(__file__).with_name("demo")
OUT = DEMO / "releve_scanne.jpg"
SEED = 17


def demo_points() -> list[tuple[str, float, float]]:
    """Twenty bornes of a lot inside the first villas zone (D1) of the demo plan."""
    zones = gpd.read_file(DEMO / "ain_demo.gpkg", layer="zones")
    centre = zones.loc[zones["code"] == "D1"].geometry.iloc[0].representative_point()
    return random_parcel(random.Random(SEED), 20, centre=(round(centre.x), round(centre.y)))


def main() -> None:
    scan = make_scan(SEED, "moyen", points=demo_points())
    OUT.write_bytes(scan.data)
    print(f"{OUT}: {len(scan.data) // 1024} KB, {len(scan.points)} bornes, style {scan.style}")


if __name__ == "__main__":
    main()
