"""benchmarks/tile_extract.py: tiling the real Huế extract into a linked, country-size road network (issue 15).

Map data © OpenStreetMap contributors (ODbL 1.0).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import osmium
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

pytestmark = pytest.mark.shared

ROOT = Path(__file__).resolve().parents[2]
HUE = ROOT.parent / "shared" / "data" / "osm" / "hue.osm.pbf"
TILES = 4


def _load_tiler():
    spec = importlib.util.spec_from_file_location("tile_extract", ROOT / "benchmarks" / "tile_extract.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def tiled(tmp_path_factory):
    if not HUE.exists():
        pytest.skip(f"{HUE} not present (../shared/data/osm holds the real Huế extract)")
    tiler = _load_tiler()
    out = tmp_path_factory.mktemp("tiles") / "hue4.osm.pbf"
    summary = tiler.tile_extract(HUE, out, TILES)
    nodes: dict[int, tuple[float, float]] = {}
    ids: list[int] = []
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    for o in osmium.FileProcessor(str(out)):
        if o.is_node():
            ids.append(o.id)
            nodes[o.id] = (o.location.lat, o.location.lon)
        elif o.is_way():
            ways.append((o.id, [n.ref for n in o.nodes], dict(o.tags)))
    return tiler, summary, ids, nodes, ways


def test_summary_and_counts(tiled):
    tiler, summary, ids, nodes, ways = tiled
    src = tiler.read_source(HUE)
    assert summary["tiles"] == TILES and (summary["rows"], summary["cols"]) == (2, 2)
    assert summary["link_ways"] == 4  # 2 × 2 grid: 2 horizontal + 2 vertical neighbour pairs
    assert len(ids) == TILES * len(src.node_ids) + summary["link_nodes"] == summary["nodes"]
    assert len(ways) == TILES * len(src.way_ids) + summary["link_ways"] == summary["ways"]
    assert summary["size_mb"] > 0


def test_ids_unique_sorted_and_refs_exist(tiled):
    _, summary, ids, nodes, ways = tiled
    assert len(set(ids)) == len(ids), "node ids must be unique"
    assert ids == sorted(ids), "nodes must be written sorted by id"
    way_ids = [w[0] for w in ways]
    assert len(set(way_ids)) == len(way_ids) and way_ids == sorted(way_ids)
    missing = [(wid, r) for wid, refs, _ in ways for r in refs if r not in nodes]
    assert not missing, f"ways reference absent nodes, e.g. {missing[:5]}"
    links = [w for w in ways if w[2].get("ref") == "TILE-LINK"]
    assert len(links) == summary["link_ways"]
    stride = summary["id_stride"]
    for wid, refs, tags in links:
        assert tags["highway"] == "trunk" and tags["maxspeed"] == "80"
        assert wid // stride == TILES and all(r // stride == TILES for r in refs[1:-1])
        assert refs[0] // stride != refs[-1] // stride, "a link joins two different tiles"
        assert refs[0] // stride < TILES and refs[-1] // stride < TILES
    # ids are renumbered per tile, not offset OSM ids: a Vietnam-size grid (150+ tiles) stays inside the 40-bit node
    # ids osrm-extract accepts (offsetting 13-billion ids by 1e11 per tile failed at 11 tiles)
    tiler = tiled[0]
    assert max(ids) < stride * (TILES + 1) and 1000 * stride < tiler.OSRM_MAX_ID


def test_tile_bounding_boxes_do_not_overlap(tiled):
    _, summary, ids, nodes, _ = tiled
    stride = summary["id_stride"]
    boxes = {}
    for nid, (lat, lon) in nodes.items():
        k = nid // stride
        if k >= TILES:
            continue  # link nodes live in the gaps
        s, w, n, e = boxes.get(k, (lat, lon, lat, lon))
        boxes[k] = (min(s, lat), min(w, lon), max(n, lat), max(e, lon))
        assert -85 <= lat <= 85 and -180 <= lon <= 180
    assert sorted(boxes) == list(range(TILES))
    for a in range(TILES):
        for b in range(a + 1, TILES):
            sa, wa, na, ea = boxes[a]
            sb, wb, nb, eb = boxes[b]
            overlap = sa <= nb and sb <= na and wa <= eb and wb <= ea
            assert not overlap, f"tiles {a} and {b} overlap: {boxes[a]} vs {boxes[b]}"


def test_road_graph_connected_across_tiles(tiled):
    _, summary, ids, nodes, ways = tiled
    stride = summary["id_stride"]
    node_ids = np.asarray(ids, dtype=np.int64)
    us, vs = [], []
    for _, refs, tags in ways:
        if "highway" not in tags:
            continue
        idx = np.searchsorted(node_ids, np.asarray(refs, dtype=np.int64))
        us.append(idx[:-1])
        vs.append(idx[1:])
    u, v = np.concatenate(us), np.concatenate(vs)
    g = coo_matrix((np.ones(len(u)), (u, v)), shape=(len(node_ids), len(node_ids)))
    _, labels = connected_components(g, directed=False)
    largest = np.argmax(np.bincount(labels))
    tiles_in_largest = set(np.unique(node_ids[labels == largest] // stride).tolist())
    assert set(range(TILES)) <= tiles_in_largest


def test_copied_coordinates_are_shifted_source_coordinates(tiled):
    tiler, summary, _, nodes, _ = tiled
    src = tiler.read_source(HUE)
    stride = summary["id_stride"]
    rng = np.random.default_rng(15)
    picks = rng.choice(len(src.node_ids), size=50, replace=False)
    for k in range(TILES):
        dlat, dlon = summary["shifts"][k]
        assert (dlat, dlon) == pytest.approx(((k // summary["cols"]) * summary["dlat"],
                                              (k % summary["cols"]) * summary["dlon"]))
        for i in picks:
            lat, lon = nodes[k * stride + int(i) + 1]  # renumbered: rank in the source id order
            assert lat == pytest.approx(src.lats[i] + dlat, abs=1e-6)
            assert lon == pytest.approx(src.lons[i] + dlon, abs=1e-6)


def test_refuses_grid_beyond_valid_coordinates(tmp_path):
    if not HUE.exists():
        pytest.skip(f"{HUE} not present (../shared/data/osm holds the real Huế extract)")
    tiler = _load_tiler()
    with pytest.raises(tiler.TileError, match="beyond"):
        tiler.tile_extract(HUE, tmp_path / "huge.osm.pbf", 100, gap_km=2000.0)
    assert not list(tmp_path.iterdir()), "a refused tiling writes nothing"
