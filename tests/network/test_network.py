"""Road network built from real OpenStreetMap extracts (../shared/data/osm): build, cache, profiles, errors, Overpass.

No mocks: the Huế PBF and the Đà Nẵng XML export are built for real, and the Overpass path is served by a local
HTTP server that evaluates osmnx's actual Overpass QL query against the Huế extract.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from click.testing import CliRunner

from touroute.network import (
    NetworkCacheError,
    OsmSourceError,
    UnknownProfileError,
    build_network,
    get_profile,
    list_networks,
    load_ferry_links,
    load_network,
    overpass_filters,
    way_is_wanted,
)
from touroute.network.profiles import CLASS_CODE, ROAD_CLASSES, edge_speed_kmh, parse_maxspeed, road_class

from ..network_fixtures import (  # noqa: F401  (fixtures)
    DANANG_XML,
    HUE_PBF,
    IMPERIAL_CITY,
    POI_CSV,
    THIEN_MU,
    cli,
    danang_net,
    hue_net,
    require,
    touroute_data_dir,
)

pytestmark = [pytest.mark.shared, pytest.mark.slow]  # road-network builds from the real extracts


# ------------------------------------------------------------------------------------------------ build & cache
def test_hue_network_has_roads_names_refs_and_osm_ids(hue_net):
    net = hue_net
    assert net.n_nodes > 10_000 and net.n_edges > 30_000
    s, w, n, e = net.bounds  # README: lon 107.41–107.78, lat 16.37–16.68
    assert 16.36 < s < n < 16.69 and 107.40 < w < e < 107.79
    classes = {ROAD_CLASSES[c] for c in np.unique(net.edge_class)}
    assert {"trunk", "primary", "secondary", "tertiary", "residential"} <= classes
    assert not classes & {"footway", "path", "steps", "pedestrian"}
    refs = {str(x) for x in net.strings[np.unique(net.edge_ref[net.edge_ref >= 0])]}
    assert any("QL.1" in r or "QL1" in r for r in refs), refs
    names = {str(x) for x in net.strings[np.unique(net.edge_name[net.edge_name >= 0])]}
    assert any("Lê Duẩn" in x for x in names)
    # OSM ids are kept: node ids and the way ids merged into each edge
    assert net.node_osmid.min() > 0 and net.osmids.min() > 0
    e0 = int(np.flatnonzero(net.edge_ref >= 0)[0])
    info = net.edge_info(e0)
    assert info["osmid"] and info["ref"] and info["length_m"] > 0 and set(info["seconds"]) == set(net.weights)
    assert net.meta["attribution"].startswith("© OpenStreetMap")


def test_cache_round_trip_gives_identical_matrices(hue_net, touroute_data_dir):
    loaded = load_network("hue")
    assert loaded is not hue_net and loaded.key == hue_net.key
    for name in ("node_osmid", "edge_u", "edge_v", "geom_ptr", "osmids"):
        assert np.array_equal(getattr(loaded, name), getattr(hue_net, name)), name
    rng = np.random.default_rng(7)
    lat = rng.uniform(16.42, 16.50, 30)
    lon = rng.uniform(107.54, 107.62, 30)
    for profile in ("car", "motorbike"):
        a = hue_net.snap_many(lat, lon, profile)
        b = loaded.snap_many(lat, lon, profile)
        s1, m1 = hue_net.travel_matrix(a, a, profile)
        s2, m2 = loaded.travel_matrix(b, b, profile)
        assert np.array_equal(s1, s2) and np.array_equal(m1, m2)
        assert np.isfinite(s1).all()


def test_second_build_of_same_file_uses_the_cache(hue_net, touroute_data_dir):
    messages: list[str] = []
    again = build_network(HUE_PBF, progress=messages.append)
    assert again.key == hue_net.key
    assert any("Using cached network 'hue'" in m for m in messages), messages
    assert [i.name for i in list_networks()].count("hue") == 1


def test_stale_cache_format_is_refused_then_rebuilt(danang_net, tmp_path):
    """A cache written by another format version gets a clear message, and `build` rebuilds it."""
    from touroute.network.store import network_dir

    data = tmp_path / "data"
    shutil.copytree(network_dir("danang_haichau"), data / "networks" / "danang_haichau")
    meta_path = data / "networks" / "danang_haichau" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["format_version"] = 0
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(NetworkCacheError, match=r"cache format 0.*Rebuild it: touroute network build"):
        load_network("danang_haichau", data_dir=data)
    assert any(i.problem and "format 0" in i.problem for i in list_networks(data))
    messages: list[str] = []
    rebuilt = build_network(DANANG_XML, data_dir=data, progress=messages.append)
    assert any("stale" in m for m in messages)
    assert load_network("danang_haichau", data_dir=data).n_edges == rebuilt.n_edges == danang_net.n_edges


def test_danang_xml_patch_builds_after_filtering(danang_net):
    """The OSM API export holds buildings and land use too; only drivable ways may become edges."""
    import osmium

    net = danang_net
    assert net.n_nodes > 100
    classes = {ROAD_CLASSES[c] for c in np.unique(net.edge_class)}
    assert classes <= {"primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
                       "residential", "unclassified", "living_street", "service", "alley"}
    ways_in_file = {w.id for w in osmium.FileProcessor(str(DANANG_XML), osmium.osm.WAY)}
    building_ways = {w.id for w in osmium.FileProcessor(str(DANANG_XML), osmium.osm.WAY) if "building" in w.tags}
    kept = set(net.osmids.tolist())
    assert building_ways and kept <= ways_in_file and not kept & building_ways
    s, w, n, e = net.bounds
    assert 16.04 < s < n < 16.07 and 108.20 < w < e < 108.23
    a = net.snap(16.0510, 108.2090, "car")
    b = net.snap(16.0620, 108.2200, "car")
    sec, met = net.travel_matrix([a], [b], "car")
    straight = 1000 * math.dist((16.0510 * 111.2, 108.2090 * 106.8), (16.0620 * 111.2, 108.2200 * 106.8))
    assert straight < met[0, 0] < 2.5 * straight and 60 < sec[0, 0] < 1200


# ------------------------------------------------------------------------------------------------ profiles
def test_profiles_speed_rules():
    car, coach, moto = get_profile("car"), get_profile("Coach"), get_profile("motorbike")
    assert edge_speed_kmh(moto, "motorway", math.nan, {}) == 0.0  # motorbikes banned from expressways
    assert edge_speed_kmh(car, "motorway", 80.0, {}) == pytest.approx(72.0)  # 90 % of the posted limit
    assert edge_speed_kmh(car, "residential", 10.0, {}) == 10.0  # maxspeed caps the table speed
    for cls in ROAD_CLASSES:
        c, k = edge_speed_kmh(car, cls, math.nan, {}), edge_speed_kmh(coach, cls, math.nan, {})
        assert k <= c, cls
    assert edge_speed_kmh(car, "residential", math.nan, {"motorcar": "no"}) == 0.0
    assert edge_speed_kmh(moto, "residential", math.nan, {"motorcar": "no"}) > 0.0
    assert edge_speed_kmh(moto, "primary", math.nan, {"motor_vehicle": "no", "motorcycle": "yes"}) > 0.0
    assert edge_speed_kmh(coach, "residential", math.nan, {"access": "private"}) == 0.0
    assert edge_speed_kmh(coach, "alley", math.nan, {}) == 0.0
    assert parse_maxspeed("50 mph") == pytest.approx(80.47, abs=0.01)
    assert parse_maxspeed("50;40") == 40 and math.isnan(parse_maxspeed("VN:urban")) and math.isnan(parse_maxspeed(None))
    assert road_class("service", "alley") == "alley" and road_class("footway") is None
    assert road_class(None, None, "ferry") == "ferry"
    with pytest.raises(UnknownProfileError, match="car, van, coach, motorbike"):
        get_profile("bicycle")


def test_filter_matches_overpass_filter_semantics():
    assert way_is_wanted({"highway": "primary"}) and way_is_wanted({"route": "ferry"})
    assert not way_is_wanted({"highway": "footway"}) and not way_is_wanted({"building": "yes"})
    assert not way_is_wanted({"highway": "service", "service": "parking_aisle"})
    assert not way_is_wanted({"highway": "residential", "area": "yes"})
    assert any("motorway" in f for f in overpass_filters())


def test_coach_slower_than_car_and_maxspeed_honoured(hue_net):
    net = hue_net
    car, coach, van = net.weights["car"], net.weights["coach"], net.weights["van"]
    both = np.isfinite(car) & np.isfinite(coach)
    assert both.sum() > 0.9 * np.isfinite(car).sum()
    assert (coach[both] >= car[both] - 1e-3).all() and (coach[both] > car[both]).mean() > 0.9
    assert (van[both] >= car[both] - 1e-3).all()
    tagged = np.isfinite(net.edge_maxspeed) & np.isfinite(car) & (net.edge_class != CLASS_CODE["motorway"])
    assert tagged.sum() > 0
    speed = net.edge_length[tagged] / car[tagged] * 3.6
    assert (speed <= net.edge_maxspeed[tagged] + 0.01).all()


def test_motorbike_never_on_motorway_edges(hue_net):
    """Huế's CT.01 section joins the rest only through interchanges mapped highway=construction, so the largest
    strongly connected component has no motorway; keep all components to test the rule on the real CT.01 edges."""
    from touroute.network.build import graph_from_file, network_from_graph

    G = graph_from_file(require(HUE_PBF))
    full = network_from_graph(G, name="hue-all", meta={}, largest_component=False)
    mw = np.isin(full.edge_class, [CLASS_CODE["motorway"], CLASS_CODE["motorway_link"]])
    assert mw.sum() >= 4 and full.edge_length[mw].sum() > 5_000, "Huế maps ~10 km of CT.01 as highway=motorway"
    refs = {full.string(int(r)) for r in full.edge_ref[mw]}
    assert any(r and "CT.01" in r for r in refs)
    assert np.isinf(full.weights["motorbike"][mw]).all()
    assert np.isfinite(full.weights["car"][mw]).all() and np.isfinite(full.weights["coach"][mw]).all()
    # and in the routed network no motorbike route ever uses a motorway edge
    a = hue_net.snap(*IMPERIAL_CITY, "motorbike")
    for lat, lon in ((16.40, 107.56), (16.43, 107.52), (16.48, 107.48)):
        r = hue_net.route(a, hue_net.snap(lat, lon, "motorbike"), "motorbike")
        used = {ROAD_CLASSES[int(hue_net.edge_class[e])] for e in r.edges}
        assert not used & {"motorway", "motorway_link"}


def test_one_way_streets_are_respected(hue_net):
    net = hue_net
    g = net._graph("car")
    keys = set(g.keys.tolist())
    shift = 1 << 32
    routable = net.routable["car"]
    candidates = [i for i in range(g.rows.shape[0])
                  if (int(g.cols[i]) * shift + int(g.rows[i])) not in keys and g.length[i] > 150
                  and routable[g.rows[i]] and routable[g.cols[i]]]
    assert candidates, "Huế has one-way streets"
    e = int(g.edge[candidates[0]])
    p, q = net._edge_slice(e, 0.2, 0.2)[0], net._edge_slice(e, 0.8, 0.8)[0]
    sp, sq = net.snap(p[0], p[1], "car"), net.snap(q[0], q[1], "car")
    assert e in sp.edges and e in sq.edges
    sec, _ = net.travel_matrix([sp, sq], [sp, sq], "car")
    assert sec[0, 1] < sec[1, 0]  # with the flow: straight along; against it: around the block
    assert sec[0, 1] == pytest.approx(0.6 * float(net.weights["car"][e]), rel=0.02, abs=0.5)


# ------------------------------------------------------------------------------------------------ bad input
def _run_cli(args: list[str]):
    return CliRunner().invoke(cli(), args)


@pytest.mark.parametrize("name, content, message", [
    ("empty.osm.pbf", b"", "file is empty"),
    ("garbage.osm.pbf", b"this is not a protobuf blob at all" * 10, "not a readable OSM file"),
    ("broken.osm", b"<?xml version='1.0'?><osm version='0.6'><node id='1' lat='16.4' lon='107.5'>", "not a readable"),
    ("nohighways.osm", b"<?xml version='1.0'?><osm version='0.6'><node id='1' lat='16.4' lon='107.5'/>"
                       b"<node id='2' lat='16.41' lon='107.5'/><way id='3'><nd ref='1'/><nd ref='2'/>"
                       b"<tag k='building' v='yes'/></way></osm>", "no drivable roads"),
])
def test_corrupt_or_empty_osm_file_gives_clear_error(tmp_path, name, content, message):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(OsmSourceError, match=message) as exc:
        build_network(f, data_dir=tmp_path / "data")
    assert name in str(exc.value)
    result = _run_cli(["network", "build", str(f), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output and name in result.output and "Traceback" not in result.output


def test_truncated_pbf_gives_clear_error(tmp_path):
    f = tmp_path / "truncated.osm.pbf"
    f.write_bytes(require(HUE_PBF).read_bytes()[:200_000])
    with pytest.raises(OsmSourceError, match="truncated.osm.pbf"):
        build_network(f, data_dir=tmp_path / "data")


def test_bad_sources_name_the_problem(tmp_path):
    with pytest.raises(OsmSourceError, match="not found"):
        build_network(tmp_path / "missing.osm.pbf")
    with pytest.raises(OsmSourceError, match="unsupported OSM file type"):
        (tmp_path / "roads.shp").write_text("x")
        build_network(tmp_path / "roads.shp")
    with pytest.raises(OsmSourceError, match="west < east"):
        build_network(bbox="107.7,16.3,107.4,16.6")
    with pytest.raises(OsmSourceError, match="exactly one OSM source"):
        build_network()


# ------------------------------------------------------------------------------------------------ CLI
def test_cli_network_list_and_info(hue_net, touroute_data_dir):
    out = _run_cli(["network", "list"])
    assert out.exit_code == 0 and "hue" in out.output and "OpenStreetMap" in out.output
    info = _run_cli(["network", "info", "hue"])
    assert info.exit_code == 0, info.output
    for word in ("Nodes", "Edges", "Bounds", "trunk", "residential", "motorbike", "Xe máy", "Circuity",
                 "OpenStreetMap contributors"):
        assert word in info.output
    missing = _run_cli(["network", "info", "no-such-network"])
    assert missing.exit_code == 2 and "no cached network 'no-such-network'" in missing.output


# ------------------------------------------------------------------------------------------------ ferries
def test_ferry_table_is_valid_and_ports_are_real_osm_points():
    links = {f.id: f for f in load_ferry_links()}
    ly, cham = links["ly-son-sa-ky"], links["cu-lao-cham-cua-dai"]
    assert 35 <= ly.crossing_min <= ly.crossing_max <= 60 and 15 <= cham.crossing_min <= 30
    times, exact = ly.departures("out")
    assert not exact and len(times) == 6 and times[0].strftime("%H:%M") == "07:30" \
        and times[-1].strftime("%H:%M") == "15:30"
    times, exact = cham.departures("out")
    assert exact and cham.next_departure(times[0]) == times[0]
    assert ly.on_island(15.385, 109.12) and not ly.on_island(15.2153, 108.9142)
    assert 25_000 < ly.sea_m < 30_000 and 10_000 < cham.sea_m < 20_000
    poi = require(POI_CSV)
    wanted = {f.from_osm_id.split("/")[1]: (f.from_lat, f.from_lon) for f in links.values()}
    wanted |= {f.to_osm_id.split("/")[1]: (f.to_lat, f.to_lon) for f in links.values()}
    found = {}
    with poi.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["osm_id"] in wanted:
                found[row["osm_id"]] = (float(row["lat"]), float(row["lon"]), row["amenity"])
    assert set(found) == set(wanted)
    for osm_id, (lat, lon) in wanted.items():
        assert found[osm_id][:2] == pytest.approx((lat, lon), abs=1e-6)
    assert found["1555066712"][2] == "ferry_terminal" and found["134031931"][2] == "ferry_terminal"


# ------------------------------------------------------------------------------------------------ Overpass
class _OverpassData:
    """Every highway/ferry way of the Huế extract with all its tags and node locations (as Overpass holds them)."""

    def __init__(self, pbf: Path) -> None:
        import osmium

        self.ways: list[tuple[int, list[int], dict[str, str]]] = []
        self.nodes: dict[int, tuple[float, float]] = {}
        fp = osmium.FileProcessor(str(pbf)).with_locations().with_filter(osmium.filter.KeyFilter("highway", "route"))
        for o in fp:
            if o.is_way():
                refs = [n.ref for n in o.nodes if n.location.valid()]
                for n in o.nodes:
                    if n.location.valid():
                        self.nodes[n.ref] = (n.location.lat, n.location.lon)
                self.ways.append((o.id, refs, {t.k: t.v for t in o.tags}))
        self.queries: list[str] = []
        self.geocodes: list[str] = []
        self.place_polygon: list[tuple[float, float]] = []

    _CLAUSE = re.compile(r'\["([^"]+)"(?:(=|!=|~|!~)"((?:[^"\\]|\\.)*)")?\]')

    def answer(self, query: str) -> dict:
        """Evaluate osmnx's query `(way[...](poly:'lat lon …');>;);out;` like Overpass does."""
        from shapely import contains_xy
        from shapely.geometry import Polygon

        self.queries.append(query)
        m = re.search(r"\(way((?:\[[^\]]*\])+)\(poly:['\"]([^'\"]+)['\"]\)", query)
        assert m, query
        clauses = self._CLAUSE.findall(m.group(1))
        nums = [float(x) for x in m.group(2).split()]
        poly = Polygon(list(zip(nums[1::2], nums[0::2])))

        def ok(tags: dict[str, str]) -> bool:
            for key, op, val in clauses:
                v = tags.get(key)
                if op == "" and v is None:
                    return False
                if op == "=" and v != val:
                    return False
                if op == "!=" and v == val:
                    return False
                if op == "~" and (v is None or not re.search(val, v)):
                    return False
                if op == "!~" and v is not None and re.search(val, v):
                    return False
            return True

        elements, used = [], set()
        for wid, refs, tags in self.ways:
            if not ok(tags) or not refs:
                continue
            lat = np.array([self.nodes[r][0] for r in refs])
            lon = np.array([self.nodes[r][1] for r in refs])
            if not contains_xy(poly, lon, lat).any():
                continue
            elements.append({"type": "way", "id": wid, "nodes": refs, "tags": tags})
            used.update(refs)
        nodes = [{"type": "node", "id": r, "lat": self.nodes[r][0], "lon": self.nodes[r][1]} for r in sorted(used)]
        return {"version": 0.6, "generator": "touroute test Overpass (Huế extract)",
                "osm3s": {"copyright": "The data included in this document is from www.openstreetmap.org. "
                                       "The data is made available under ODbL."},
                "elements": nodes + elements}

    def nominatim(self, q: str) -> list[dict]:
        self.geocodes.append(q)
        ring = [[lon, lat] for lat, lon in self.place_polygon]
        lats = [p[0] for p in self.place_polygon]
        lons = [p[1] for p in self.place_polygon]
        return [{"place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0", "osm_type": "relation",
                 "osm_id": 1, "lat": str(sum(lats) / len(lats)), "lon": str(sum(lons) / len(lons)),
                 "class": "boundary", "type": "administrative", "place_rank": 8, "importance": 0.7,
                 "addresstype": "city", "name": q.split(",")[0], "display_name": q,
                 "boundingbox": [str(min(lats)), str(max(lats)), str(min(lons)), str(max(lons))],
                 "geojson": {"type": "Polygon", "coordinates": [ring]}}]


@pytest.fixture(scope="module")
def overpass_server():
    """A local HTTP server speaking the Overpass (/api/status, /api/interpreter) and Nominatim (/search) APIs."""
    import osmnx as ox

    data = _OverpassData(require(HUE_PBF))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, body: bytes, ctype: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path.endswith("/status"):
                self._send(b"Connected as: 1\nCurrent time: 2026-01-01T00:00:00Z\nAnnounced endpoint: none\n"
                           b"Rate limit: 2\n2 slots available now.\n", "text/plain")
            elif url.path.endswith("/search"):
                q = parse_qs(url.query).get("q", [""])[0]
                self._send(json.dumps(data.nominatim(q)).encode(), "application/json")
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            self._send(json.dumps(data.answer(form["data"][0])).encode(), "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = (ox.settings.overpass_url, ox.settings.nominatim_url, ox.settings.use_cache)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    ox.settings.overpass_url = base + "/api"
    ox.settings.nominatim_url = base + "/nominatim"
    ox.settings.use_cache = False
    try:
        yield data
    finally:
        ox.settings.overpass_url, ox.settings.nominatim_url, ox.settings.use_cache = saved
        server.shutdown()
        server.server_close()


def test_overpass_bbox_build_matches_the_pbf_build(overpass_server, hue_net, tmp_path):
    """osmnx downloads through "Overpass" (the local server answering from the Huế extract): same graph."""
    s, w, n, e = hue_net.bounds
    net = build_network(bbox=(w - 0.02, s - 0.02, e + 0.02, n + 0.02), name="hue-overpass", data_dir=tmp_path)
    assert overpass_server.queries and all("poly:" in q for q in overpass_server.queries)
    assert any('["highway"~"^(motorway|' in q for q in overpass_server.queries)
    assert any('["route"="ferry"]' in q for q in overpass_server.queries)
    assert (net.n_nodes, net.n_edges) == (hue_net.n_nodes, hue_net.n_edges)
    assert np.array_equal(net.node_osmid, hue_net.node_osmid)
    assert np.array_equal(np.sort(net.osmids), np.sort(hue_net.osmids))
    pts = [IMPERIAL_CITY, THIEN_MU, (16.43, 107.60), (16.50, 107.55)]
    for profile in ("car", "coach"):
        a = hue_net.snap_many([p[0] for p in pts], [p[1] for p in pts], profile)
        b = net.snap_many([p[0] for p in pts], [p[1] for p in pts], profile)
        s1, m1 = hue_net.travel_matrix(a, a, profile)
        s2, m2 = net.travel_matrix(b, b, profile)
        assert np.array_equal(s1, s2) and np.array_equal(m1, m2)
    assert load_network("hue-overpass", data_dir=tmp_path).meta["source"]["kind"] == "bbox"


def test_overpass_place_build(overpass_server, hue_net, tmp_path):
    """By place name: Nominatim (local) gives the area polygon, Overpass (local) the roads inside it."""
    lat0, lon0 = IMPERIAL_CITY
    overpass_server.place_polygon = [(lat0 - 0.012, lon0 - 0.015), (lat0 - 0.012, lon0 + 0.015),
                                     (lat0 + 0.012, lon0 + 0.015), (lat0 + 0.012, lon0 - 0.015),
                                     (lat0 - 0.012, lon0 - 0.015)]
    net = build_network(place="Kinh thành Huế, Thừa Thiên Huế, Vietnam", data_dir=tmp_path)
    assert overpass_server.geocodes == ["Kinh thành Huế, Thừa Thiên Huế, Vietnam"]
    assert net.name == "kinh-thanh-hue-thua-thien-hue-vietnam"
    assert 100 < net.n_nodes < hue_net.n_nodes
    assert set(net.osmids.tolist()) <= set(_raw_way_ids(hue_net))
    s, w, n, e = net.bounds
    assert lat0 - 0.02 < s and n < lat0 + 0.02 and lon0 - 0.02 < w and e < lon0 + 0.02
    a, b = net.snap(*IMPERIAL_CITY, "car"), net.snap(lat0 - 0.008, lon0 + 0.01, "car")
    sec, met = net.travel_matrix([a], [b], "car")
    assert np.isfinite(sec).all() and met[0, 0] > 500


def _raw_way_ids(net) -> list[int]:
    """All way ids of drivable roads in the Huế extract (the place network may keep ways the SCC of the whole
    extract drops, so compare against the file, not the built network)."""
    import osmium

    return [w.id for w in osmium.FileProcessor(str(HUE_PBF), osmium.osm.WAY) if way_is_wanted(dict(w.tags))]


def test_overpass_unreachable_gives_clear_error(tmp_path):
    import osmnx as ox

    saved = ox.settings.overpass_url, ox.settings.use_cache, ox.settings.overpass_rate_limit
    ox.settings.overpass_url, ox.settings.use_cache, ox.settings.overpass_rate_limit = "http://127.0.0.1:9/api", False, False
    try:
        with pytest.raises(OsmSourceError, match="cannot reach the Overpass"):
            build_network(bbox="107.57,16.46,107.58,16.47", data_dir=tmp_path)
    finally:
        ox.settings.overpass_url, ox.settings.use_cache, ox.settings.overpass_rate_limit = saved

