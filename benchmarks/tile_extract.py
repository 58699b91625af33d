"""Make a country-size OSM input from real roads by tiling the Huế extract (scale benchmark, issue 15).

The real extracts in ../shared are city-size (Huế: 1.7 MB of PBF). To measure the network layer at country
scale without downloading a country, this script copies the *road network* of one extract ``N`` times onto a
near-square grid (``cols = ceil(sqrt(N))`` columns) and links neighbouring copies with trunk roads:

* **Kept:** every way with a ``highway`` tag or ``route=ferry`` (with all its tags), and every node those ways
  reference (with its tags: barriers, traffic signals …). Node references missing from the extract are dropped from
  their way; a way left with fewer than 2 nodes is dropped.
* **Dropped:** all other nodes and ways (buildings, land use, POIs …) and **all relations** (turn restrictions,
  route and boundary relations) — a routing benchmark does not need them, and copying them would mean remapping
  members across tiles.
* **Tile k** (row ``k // cols``, column ``k % cols``) gets new node and way ids ``k * ID_STRIDE + rank``, where
  ``rank`` (1, 2, …) is the object's place in the source's id order and ``ID_STRIDE = 10**ceil(log10(n + 1))`` for
  the larger of the node and way counts (so ``tile = id // ID_STRIDE``). Renumbering keeps ids small: OSRM packs node
  ids in 40 bits (< 1.1e12), which offsetting today's 13-billion OSM ids would pass at 11 tiles. Coordinates are shifted by
  ``(row * dlat, col * dlon)``, where ``dlat``/``dlon`` are the source bounding box height/width plus ``--gap-km``
  (in degrees; the longitude gap is converted at the grid's highest latitude, so it is at least that wide
  everywhere; both are rounded up to 1e-7°, OSM's coordinate precision, so every copy is an exact translation).
  A grid that would leave lat ±85° / lon ±180° is refused.
* **Links:** every horizontally or vertically adjacent pair of tiles is joined by one new two-way way tagged
  ``highway=trunk``, ``ref=TILE-LINK``, ``maxspeed=80`` (ids above every tile id: ``tiles * ID_STRIDE + i``), from
  the node of one tile nearest to the middle of the shared edge to the node of the other tile nearest to it, with
  an intermediate node about every 1 km. Candidates are nodes on ``trunk``/``primary``/``secondary`` ways inside
  the largest strongly connected component of the drivable network (oneway-aware, access-aware, the same way rule
  as ``touroute.network.build``), falling back to any drivable node of that component, then to any road node — so
  the linked network stays one connected (and drivable) graph across tiles.

Output is a sorted PBF (nodes by id, then ways by id; header ``sorting=Type_then_ID``), written with
``osmium.SimpleWriter``. The source is read once (two streaming passes: ways, then their nodes) into compact numpy
arrays; tiles are then emitted one at a time. Rough sizes: one Huế tile ≈ 0.7 MB (89k nodes, 14k ways), 16 tiles
≈ 12 MB in ~8 s, so ~350 tiles ≈ 250 MB.

    python benchmarks/tile_extract.py --tiles N [--pbf PATH] --out OUT.osm.pbf [--gap-km 2]

Map data © OpenStreetMap contributors (ODbL 1.0); the output is derived OSM data: never commit it.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import osmium
from osmium.osm.mutable import Node, Way
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from touroute.network.build import way_is_wanted
from touroute.network.profiles import DENY_VALUES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PBF = ROOT.parent / "shared" / "data" / "osm" / "hue.osm.pbf"

MAX_LAT = 85.0
MAX_LON = 180.0
KM_PER_DEG_LAT = 110.574  # the smallest length of a degree of latitude (at the equator): the gap is at least gap_km
KM_PER_DEG_LON_EQ = 111.320
LINK_STEP_KM = 1.0
LINK_TAGS = {"highway": "trunk", "ref": "TILE-LINK", "maxspeed": "80", "oneway": "no"}
MAJOR_HIGHWAYS = frozenset({"trunk", "primary", "secondary"})
ACCESS_KEYS = ("access", "vehicle", "motor_vehicle", "motorcar")
COORD_STEP = 1e-7  # OSM fixed-point precision
OSRM_MAX_ID = 2 ** 40 - 1  # osrm-extract packs OSM node ids in 40 bits


class TileError(ValueError):
    """The requested tiling cannot be made (bad input, grid leaving valid coordinates …)."""


class Source(NamedTuple):
    """The road network of the source extract as compact arrays (a NamedTuple, not a dataclass: the module is
    also loaded by path with importlib, where dataclasses need a registered module)."""

    node_ids: np.ndarray  # int64, sorted
    lats: np.ndarray  # float64
    lons: np.ndarray
    node_tags: dict[int, dict[str, str]]  # index into node_ids -> tags (tagged nodes only)
    way_ids: np.ndarray  # int64, sorted
    way_ptr: np.ndarray  # int64, len(ways) + 1: refs of way i are way_refs[way_ptr[i]:way_ptr[i+1]]
    way_refs: np.ndarray  # int64 OSM node ids
    way_tags: list[dict[str, str]]

    @property
    def max_id(self) -> int:
        return int(max(self.node_ids.max(initial=0), self.way_ids.max(initial=0)))


def _is_road(tags: dict[str, str]) -> bool:
    return "highway" in tags or tags.get("route") == "ferry"


def read_source(src: Path) -> Source:
    """Read the road ways of ``src`` and the nodes they reference (two streaming passes over the file)."""
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    for w in osmium.FileProcessor(str(src), osmium.osm.WAY):
        tags = dict(w.tags)
        if _is_road(tags):
            ways.append((w.id, [n.ref for n in w.nodes], tags))
    if not ways:
        raise TileError(f"{src}: no highway (or route=ferry) ways — not a road extract")
    ways.sort(key=lambda t: t[0])
    wanted = {r for _, refs, _ in ways for r in refs}

    ids, lats, lons, tagged = [], [], [], {}
    for n in osmium.FileProcessor(str(src), osmium.osm.NODE):
        if n.id in wanted and n.location.valid():
            if n.tags:
                tagged[len(ids)] = dict(n.tags)
            ids.append(n.id)
            lats.append(n.location.lat)
            lons.append(n.location.lon)
    node_ids = np.asarray(ids, dtype=np.int64)
    order = np.argsort(node_ids, kind="stable")
    if not np.all(order == np.arange(len(order))):  # unsorted source: sort, remap the tag dictionary
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        tagged = {int(inv[i]): t for i, t in tagged.items()}
    node_ids = node_ids[order]
    lats = np.asarray(lats, dtype=np.float64)[order]
    lons = np.asarray(lons, dtype=np.float64)[order]

    way_ids, ptr, refs_all, way_tags = [], [0], [], []
    for wid, refs, tags in ways:
        r = np.asarray(refs, dtype=np.int64)
        pos = np.searchsorted(node_ids, r)
        ok = (pos < len(node_ids)) & (node_ids[np.minimum(pos, len(node_ids) - 1)] == r)
        r = r[ok]
        if len(r) < 2:
            continue
        way_ids.append(wid)
        refs_all.append(r)
        ptr.append(ptr[-1] + len(r))
        way_tags.append(tags)
    if not way_ids:
        raise TileError(f"{src}: no road way has 2 or more nodes present in the file")
    if node_ids[0] <= 0 or min(way_ids) <= 0:
        raise TileError(f"{src}: has zero or negative ids (an edited file?); tiling needs positive OSM ids")
    return Source(node_ids, lats, lons, tagged, np.asarray(way_ids, dtype=np.int64),
                  np.asarray(ptr, dtype=np.int64), np.concatenate(refs_all), way_tags)


def _denied(tags: dict[str, str]) -> bool:
    return any(tags.get(k) in DENY_VALUES for k in ACCESS_KEYS)


def _anchor_candidates(s: Source) -> list[np.ndarray]:
    """Node-index masks, best first: major roads in the largest drivable SCC, any node of that SCC, any road node."""
    n = len(s.node_ids)
    idx = np.searchsorted(s.node_ids, s.way_refs)
    us, vs, major = [], [], np.zeros(n, dtype=bool)
    for i, tags in enumerate(s.way_tags):
        if not way_is_wanted(tags) or _denied(tags):
            continue
        seg = idx[s.way_ptr[i]:s.way_ptr[i + 1]]
        a, b = seg[:-1], seg[1:]
        oneway = tags.get("oneway", "")
        if oneway in ("-1", "reverse"):
            a, b = b, a
        if oneway in ("yes", "true", "1", "-1", "reverse") or (
                oneway != "no" and (tags.get("junction") in ("roundabout", "circular")
                                    or tags.get("highway") in ("motorway", "motorway_link"))):
            us.append(a)
            vs.append(b)
        else:
            us += [a, b]
            vs += [b, a]
        if tags.get("highway") in MAJOR_HIGHWAYS:
            major[seg] = True
    masks = []
    if us:
        u, v = np.concatenate(us), np.concatenate(vs)
        g = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n, n)).tocsr()
        _, labels = connected_components(g, directed=True, connection="strong")
        drivable = np.zeros(n, dtype=bool)
        drivable[np.concatenate([u, v])] = True
        sizes = np.bincount(labels[drivable])
        in_scc = labels == int(np.argmax(sizes))
        masks += [in_scc & major, in_scc]
    masks.append(np.ones(n, dtype=bool))
    return [m for m in masks if m.any()]


def _nearest(s: Source, masks: list[np.ndarray], lat: float, lon: float) -> int:
    """Index of the best-class node nearest to (lat, lon) (equirectangular distance)."""
    m = masks[0]
    k = math.cos(math.radians(lat))
    d = (s.lats[m] - lat) ** 2 + ((s.lons[m] - lon) * k) ** 2
    return int(np.flatnonzero(m)[int(np.argmin(d))])


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _round_up(x: float) -> float:
    return math.ceil(round(x / COORD_STEP, 3)) * COORD_STEP


def tile_extract(src: Path, out: Path, tiles: int, gap_km: float = 2.0) -> dict:
    """Write ``tiles`` linked copies of the road network of ``src`` to the PBF ``out``; return a summary dict.

    Keys: tiles, rows, cols, id_stride, dlat, dlon, shifts (per-tile (dlat, dlon)), src_nodes, src_ways, nodes,
    ways, link_nodes, link_ways, bbox (west, south, east, north), out, size_mb, seconds.
    """
    t0 = time.perf_counter()
    src, out = Path(src), Path(out)
    if tiles < 1:
        raise TileError(f"--tiles must be at least 1 (got {tiles})")
    if gap_km <= 0:
        raise TileError(f"--gap-km must be positive (got {gap_km}): tiles would touch or overlap")
    if not src.is_file():
        raise TileError(f"{src}: OSM file not found")
    if not out.name.endswith(".pbf"):
        raise TileError(f"{out}: the output must be a .osm.pbf file")

    s = read_source(src)
    n_nodes, n_ways = len(s.node_ids), len(s.way_ids)
    stride = 10 ** math.ceil(math.log10(max(n_nodes, n_ways) + 1))
    if (tiles + 1) * stride >= OSRM_MAX_ID:
        raise TileError(f"{tiles} tiles × id stride {stride} pass OSRM's 40-bit node ids ({OSRM_MAX_ID:,})")
    way_ranks = np.searchsorted(s.node_ids, s.way_refs) + 1  # every ref is present (read_source dropped the rest)

    # --- layout
    cols = math.ceil(math.sqrt(tiles))
    rows = math.ceil(tiles / cols)
    south, north = float(s.lats.min()), float(s.lats.max())
    west, east = float(s.lons.min()), float(s.lons.max())
    dlat = _round_up(north - south + gap_km / KM_PER_DEG_LAT)
    top = north + (rows - 1) * dlat
    if south < -MAX_LAT or top > MAX_LAT:
        raise TileError(f"{rows} rows of {dlat:.4f}° from latitude {south:.4f} reach {top:.4f}°, beyond "
                        f"±{MAX_LAT}°: use fewer tiles, a smaller gap or a source nearer the equator")
    coslat = math.cos(math.radians(max(abs(south), abs(top))))
    gap_lon = gap_km / (KM_PER_DEG_LON_EQ * coslat)
    dlon = _round_up(east - west + gap_lon)
    right = east + (cols - 1) * dlon
    if west < -MAX_LON or right > MAX_LON:
        raise TileError(f"{cols} columns of {dlon:.4f}° from longitude {west:.4f} reach {right:.4f}°, beyond "
                        f"±{MAX_LON}°: use fewer tiles, a smaller gap or a source further west")
    shifts = [((k // cols) * dlat, (k % cols) * dlon) for k in range(tiles)]

    # --- links: the same source anchors serve every pair (tiles are translated copies)
    masks = _anchor_candidates(s)
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    gap_lat = dlat - (north - south)
    gap_lon = dlon - (east - west)
    a_east = _nearest(s, masks, mid_lat, east + gap_lon / 2)  # left tile, towards its right neighbour
    a_west = _nearest(s, masks, mid_lat, west - gap_lon / 2)  # right tile, towards its left neighbour
    a_north = _nearest(s, masks, north + gap_lat / 2, mid_lon)  # lower tile, towards the tile above
    a_south = _nearest(s, masks, south - gap_lat / 2, mid_lon)  # upper tile, towards the tile below
    pairs = []
    for k in range(tiles):
        if k % cols < cols - 1 and k + 1 < tiles:
            pairs.append((k, a_east, k + 1, a_west))
        if k + cols < tiles:
            pairs.append((k, a_north, k + cols, a_south))
    link_nodes: list[tuple[int, float, float]] = []  # (id, lat, lon)
    link_ways: list[tuple[int, list[int]]] = []
    next_node = next_way = tiles * stride + 1
    for ka, ia, kb, ib in pairs:
        lat1, lon1 = s.lats[ia] + shifts[ka][0], s.lons[ia] + shifts[ka][1]
        lat2, lon2 = s.lats[ib] + shifts[kb][0], s.lons[ib] + shifts[kb][1]
        steps = max(1, math.ceil(_haversine_km(lat1, lon1, lat2, lon2) / LINK_STEP_KM))
        refs = [ka * stride + int(ia) + 1]
        for j in range(1, steps):
            f = j / steps
            link_nodes.append((next_node, lat1 + f * (lat2 - lat1), lon1 + f * (lon2 - lon1)))
            refs.append(next_node)
            next_node += 1
        refs.append(kb * stride + int(ib) + 1)
        link_ways.append((next_way, refs))
        next_way += 1

    # --- write: all nodes (tile by tile, then link nodes), then all ways — ids ascending throughout
    header = osmium.io.Header()
    header.set("generator", "touroute benchmarks/tile_extract.py")
    header.set("sorting", "Type_then_ID")
    bbox = (west, south, right, top)
    header.add_box(osmium.osm.Box(*bbox))
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    writer = osmium.SimpleWriter(osmium.io.File(str(part), "pbf"), header=header, overwrite=True)
    try:
        for k in range(tiles):
            ids = (np.arange(1, n_nodes + 1, dtype=np.int64) + k * stride).tolist()
            lats = (s.lats + shifts[k][0]).tolist()
            lons = (s.lons + shifts[k][1]).tolist()
            tags = s.node_tags
            for i, (nid, lat, lon) in enumerate(zip(ids, lats, lons)):
                writer.add_node(Node(id=nid, location=(lon, lat), tags=tags.get(i)))
        for nid, lat, lon in link_nodes:
            writer.add_node(Node(id=nid, location=(lon, lat)))
        ptr = s.way_ptr.tolist()
        for k in range(tiles):
            wids = (np.arange(1, n_ways + 1, dtype=np.int64) + k * stride).tolist()
            refs = (way_ranks + k * stride).tolist()
            for i, (wid, tags) in enumerate(zip(wids, s.way_tags)):
                writer.add_way(Way(id=wid, nodes=refs[ptr[i]:ptr[i + 1]], tags=tags))
        for wid, refs in link_ways:
            writer.add_way(Way(id=wid, nodes=refs, tags=LINK_TAGS))
    except BaseException:
        writer.close()
        part.unlink(missing_ok=True)
        raise
    writer.close()
    os.replace(part, out)

    n_src, w_src = n_nodes, n_ways
    return {
        "tiles": tiles, "rows": rows, "cols": cols, "id_stride": stride, "dlat": dlat, "dlon": dlon,
        "shifts": shifts, "src_nodes": n_src, "src_ways": w_src,
        "nodes": tiles * n_src + len(link_nodes), "ways": tiles * w_src + len(link_ways),
        "link_nodes": len(link_nodes), "link_ways": len(link_ways), "bbox": bbox, "out": str(out),
        "size_mb": out.stat().st_size / 1e6, "seconds": time.perf_counter() - t0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiles", type=int, required=True, help="number of copies (grid of ceil(sqrt(N)) columns)")
    ap.add_argument("--pbf", type=Path, default=DEFAULT_PBF, help=f"source extract (default {DEFAULT_PBF})")
    ap.add_argument("--out", type=Path, required=True, help="output .osm.pbf (derived OSM data: never commit it)")
    ap.add_argument("--gap-km", type=float, default=2.0, help="gap between neighbouring tiles, km (default 2)")
    args = ap.parse_args(argv)
    try:
        r = tile_extract(args.pbf, args.out, args.tiles, args.gap_km)
    except TileError as e:
        print(f"tile_extract: {e}", file=sys.stderr)
        return 2
    print(f"tiles      {r['tiles']} ({r['rows']} rows × {r['cols']} cols, id stride {r['id_stride']:,})")
    print(f"nodes      {r['nodes']:,} ({r['src_nodes']:,} per tile + {r['link_nodes']:,} link nodes)")
    print(f"ways       {r['ways']:,} ({r['src_ways']:,} per tile + {r['link_ways']:,} TILE-LINK trunks)")
    print(f"output     {r['out']}: {r['size_mb']:.1f} MB")
    print(f"seconds    {r['seconds']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
