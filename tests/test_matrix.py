"""Travel matrices on real OSM networks (Huế PBF, Đà Nẵng XML patch) and estimates where no network covers a leg."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

from touroute.matrix import (
    DEFAULT_CIRCUITY,
    MatrixError,
    Place,
    TravelTimes,
    calibrate_circuity,
    catalogue_matrix,
)
from touroute.network import UnknownProfileError, haversine_m
from touroute.network.trunk import corridor_model

from .network_fixtures import (  # noqa: F401  (fixtures)
    IMPERIAL_CITY,
    THIEN_MU,
    cli,
    danang_net,
    hue_net,
    touroute_data_dir,
)

pytestmark = [pytest.mark.shared, pytest.mark.slow]  # builds road networks from the real extracts

IMPERIAL = Place("imperial-city", *IMPERIAL_CITY, "Hoàng thành Huế (Ngọ Môn)")
PAGODA = Place("thien-mu", *THIEN_MU, "Chùa Thiên Mụ")
DANANG_A = Place("dn-a", 16.0510, 108.2090)  # inside the Hải Châu patch
DANANG_B = Place("dn-b", 16.0620, 108.2200)
HOI_AN = Place("hoi-an", 15.8773, 108.3285, "Đô thị cổ Hội An")
CHAM_ISLAND = Place("cu-lao-cham", 15.957954, 108.504785, "Cù Lao Chàm (Bãi Làng)")
LY_SON = Place("ly-son", 15.390851, 109.124844, "Chùa Hang")


def test_imperial_city_to_thien_mu_by_car(hue_net):
    """Between the catalogue's records of the two sites (the Imperial City's centre and the pagoda), on OSM roads
    via Lê Duẩn and Kim Long: 4.5–6 km. (From the Ngọ Môn gate itself it is a little shorter, ~4.4 km: Đường
    23 Tháng 8 in front of the gate is a pedestrian street, so the car stops ~160 m away; checked below against
    networkx on the same graph.)"""
    from touroute.pois import default_catalogue

    cat = default_catalogue()
    a, b = cat.get("hue-imperial-city"), cat.get("hue-thien-mu-pagoda")
    leg = TravelTimes([hue_net]).leg(Place(a.id, a.lat, a.lon), Place(b.id, b.lat, b.lon), "car")
    assert leg.source == "osm" and leg.network == "hue"
    assert 4.5 <= leg.km <= 6.0, leg
    assert 6 <= leg.minutes <= 20
    leg = TravelTimes([hue_net]).leg(IMPERIAL, PAGODA, "car")
    assert 4.0 <= leg.km <= 6.0, leg
    assert 6 <= leg.minutes <= 20
    # independent check on the same graph: networkx between the two snapped junctions
    import networkx as nx

    a, b = hue_net.snap(*IMPERIAL_CITY, "car"), hue_net.snap(*THIEN_MU, "car")
    G = hue_net.to_networkx("car")
    nx_s = nx.shortest_path_length(G, a.node, b.node, weight="seconds")
    road_s, _ = hue_net.travel_matrix([a], [b], "car")
    assert abs(nx_s - road_s[0, 0]) < 60  # snapped points vs nearest junctions differ by less than a block


def test_coach_slower_than_car_van_in_between(hue_net):
    tt = TravelTimes([hue_net])
    car, van, coach = (tt.leg(IMPERIAL, PAGODA, p) for p in ("car", "van", "coach"))
    assert car.seconds < van.seconds < coach.seconds
    assert coach.source == car.source == "osm"


def test_matrix_equals_networkx_dijkstra_on_the_same_graph(hue_net):
    """Places placed exactly on junctions: the csgraph matrix (with dead-end pruning and virtual nodes) must equal
    networkx's single-source Dijkstra on the same profile graph."""
    import networkx as nx

    rng = np.random.default_rng(11)
    nodes = rng.choice(np.flatnonzero(hue_net.routable["car"]), 25, replace=False)
    snaps = hue_net.snap_many(hue_net.node_lat[nodes], hue_net.node_lon[nodes], "car")
    assert max(s.distance_m for s in snaps) < 0.5
    sec, met = hue_net.travel_matrix(snaps, snaps, "car")
    G = hue_net.to_networkx("car")
    for i, src in enumerate(nodes.tolist()):
        dist = nx.single_source_dijkstra_path_length(G, src, weight="seconds")
        expect = np.array([dist[int(t)] for t in nodes])
        assert np.allclose(sec[i], expect, atol=0.05 + 1e-3 * expect.max()), i
    straight = haversine_m(hue_net.node_lat[nodes][:, None], hue_net.node_lon[nodes][:, None],
                           hue_net.node_lat[nodes][None, :], hue_net.node_lon[nodes][None, :])
    off = ~np.eye(len(nodes), dtype=bool)
    assert (met[off] >= straight[off] - 1).all()


def test_several_networks_and_estimates_offline_composite(hue_net, danang_net):
    tt = TravelTimes([hue_net, danang_net], estimate_model=None)   # the flat model's formula (corridor: below)
    assert tt.circuity.calibrated and 1.1 < tt.circuity.value < 1.6
    m = tt.matrix([IMPERIAL, PAGODA, DANANG_A, DANANG_B, HOI_AN], "car")
    src = m.sources
    assert src[0, 1] == "osm" and m.leg(0, 1).network == "hue"
    assert src[2, 3] == "osm" and m.leg("dn-a", "dn-b").network == "danang_haichau"
    assert src[0, 2] == "estimate" and src[1, 4] == "estimate" and src[4, 2] == "estimate"
    # estimate = great circle × circuity ÷ profile speed
    gc = float(haversine_m(IMPERIAL.lat, IMPERIAL.lon, HOI_AN.lat, HOI_AN.lon))
    leg = m.leg("imperial-city", "hoi-an")
    assert leg.metres == pytest.approx(gc * tt.circuity.value, rel=1e-9)
    assert leg.seconds == pytest.approx(leg.metres / (50 / 3.6), rel=1e-9)
    assert 100 < leg.km < 200 and 2 < leg.minutes / 60 < 4  # Huế → Hội An ≈ 130 km, 2.5–3 h
    assert m.counts() == {"osm": 4, "estimate": 16}
    assert m.attribution.startswith("© OpenStreetMap")
    assert m.estimate_model.startswith("flat model")
    # the corridor model (opt-in) changes only the estimated legs, and names itself
    c = TravelTimes([hue_net, danang_net], estimate_model=corridor_model()).matrix([IMPERIAL, PAGODA, DANANG_A, DANANG_B, HOI_AN], "car")
    assert c.estimate_model.startswith("corridor model") and c.to_json_dict()["estimate_model"] == c.estimate_model
    osm = c.sources == "osm"
    assert (c.sources == m.sources).all() and np.array_equal(c.seconds[osm], m.seconds[osm])
    assert 1.5 < c.leg("imperial-city", "hoi-an").minutes / 60 < 3.5


def test_everything_works_with_no_network_at_all():
    tt = TravelTimes([], estimate_model=None)
    assert not tt.circuity.calibrated and tt.circuity.value == DEFAULT_CIRCUITY
    m = tt.matrix([IMPERIAL, PAGODA, HOI_AN], "motorbike")
    assert (m.sources[~np.eye(3, dtype=bool)] == "estimate").all()
    gc = float(haversine_m(IMPERIAL.lat, IMPERIAL.lon, PAGODA.lat, PAGODA.lon))
    assert m.metres[0, 1] == pytest.approx(gc * DEFAULT_CIRCUITY)
    assert m.seconds[0, 1] == pytest.approx(gc * DEFAULT_CIRCUITY / (35 / 3.6))
    assert m.leg(0, 1).geometry() == [(IMPERIAL.lat, IMPERIAL.lon), (PAGODA.lat, PAGODA.lon)]
    assert np.all(np.diag(m.seconds) == 0)


def test_circuity_calibration_pools_networks(hue_net, danang_net):
    c = calibrate_circuity([hue_net])
    assert c.calibrated and c.pairs == hue_net.circuity_samples.size > 1000
    assert c.value == pytest.approx(float(np.median(hue_net.circuity_samples)))
    # the 2 × 2 km Hải Châu patch has almost no node pairs > 2 km apart: not enough alone, pooled with Huế
    alone = calibrate_circuity([danang_net])
    assert alone.value == DEFAULT_CIRCUITY or alone.calibrated
    both = calibrate_circuity([hue_net, danang_net])
    assert both.pairs == hue_net.circuity_samples.size + danang_net.circuity_samples.size


def test_snap_distance_reported_and_warned_above_1km(hue_net):
    lagoon = Place("thuan-an-offshore", 16.57, 107.66)  # sea off Thuận An, 1.4 km from the coast road
    far = Place("mountain", 16.40, 107.45)  # forest south-west of Huế, 4.5 km from a road
    m = TravelTimes([hue_net]).matrix([IMPERIAL, lagoon, far], "car")
    assert m.snap_m[0] < 200 and 1000 < m.snap_m[1] < 2000 and 4000 < m.snap_m[2] < 5000
    assert any("thuan-an-offshore" in w and "1.4 km" in w for w in m.warnings), m.warnings
    assert any("mountain" in w for w in m.warnings) and not any("imperial-city" in w for w in m.warnings)
    assert m.sources[0, 1] == "osm"  # still on the network (< 5 km), with the warning
    beyond = TravelTimes([hue_net], max_snap_m=1000).matrix([IMPERIAL, lagoon], "car")
    assert beyond.sources[0, 1] == "estimate"


def test_leg_geometry_follows_the_roads(hue_net):
    tt = TravelTimes([hue_net])
    leg = tt.leg(IMPERIAL, PAGODA, "car")
    coords = np.array(leg.geometry())
    assert coords.shape[0] > 20
    assert tuple(coords[0]) == (IMPERIAL.lat, IMPERIAL.lon) and tuple(coords[-1]) == (PAGODA.lat, PAGODA.lon)
    length = float(haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum())
    assert length == pytest.approx(leg.metres, rel=0.02)
    s, w, n, e = hue_net.bounds
    assert (coords[:, 0] >= s).all() and (coords[:, 1] <= e).all()


def test_island_legs_go_via_the_ferry(hue_net):
    tt = TravelTimes([hue_net])
    m = tt.matrix([HOI_AN, CHAM_ISLAND, LY_SON, IMPERIAL], "car")
    cham = m.leg("hoi-an", "cu-lao-cham")
    assert cham.source == "estimate" and cham.ferry == "cu-lao-cham-cua-dai"
    link = next(f for f in tt.ferries if f.id == cham.ferry)
    assert cham.seconds > link.leg_s and cham.km > link.sea_m / 1000
    assert m.leg("cu-lao-cham", "hoi-an").ferry == "cu-lao-cham-cua-dai"
    ly = m.leg("imperial-city", "ly-son")
    assert ly.ferry == "ly-son-sa-ky" and ly.source == "estimate"
    both = m.leg("cu-lao-cham", "ly-son")  # island to island: two boats
    assert both.seconds > m.leg("hoi-an", "ly-son").seconds
    geom = cham.geometry()
    assert (link.from_lat, link.from_lon) in geom and (link.to_lat, link.to_lon) in geom
    assert m.leg("hoi-an", "imperial-city").ferry is None


def test_catalogue_matrix_is_cached_and_invalidated(hue_net, danang_net, tmp_path):
    pois = pytest.importorskip("touroute.pois")
    cat = pois.load_catalogue(strict=False)
    tt = TravelTimes([hue_net])
    m1 = catalogue_matrix("car", router=tt, catalogue=cat, data_dir=tmp_path)
    files = list((tmp_path / "matrices").glob("car-*.npz"))
    assert len(files) == 1 and len(m1) == len(cat)
    m2 = catalogue_matrix("car", router=tt, catalogue=cat, data_dir=tmp_path)
    assert np.array_equal(m1.seconds, m2.seconds) and np.array_equal(m1.source_code, m2.source_code)
    assert list((tmp_path / "matrices").glob("car-*.npz")) == files
    hue_ids = [i for i in m1.ids if i.startswith("hue-")]
    if len(hue_ids) >= 2:
        assert m2.leg(hue_ids[0], hue_ids[1]).source == "osm"
        assert len(m2.leg(hue_ids[0], hue_ids[1]).geometry()) > 2
    # another network loaded → other key, old file replaced
    catalogue_matrix("car", router=TravelTimes([hue_net, danang_net]), catalogue=cat, data_dir=tmp_path)
    files2 = list((tmp_path / "matrices").glob("car-*.npz"))
    assert len(files2) == 1 and files2 != files
    # a changed catalogue (other fingerprint) → recomputed for its places
    sub = pois.Catalogue(list(cat)[:5], fingerprint="edited-catalogue")
    m3 = catalogue_matrix("car", router=tt, catalogue=sub, data_dir=tmp_path)
    assert len(m3) == 5 and list((tmp_path / "matrices").glob("car-*.npz")) != files2


def test_bad_requests_are_clear_errors():
    with pytest.raises(MatrixError, match="no places"):
        TravelTimes([]).matrix([], "car")
    with pytest.raises(UnknownProfileError):
        TravelTimes([]).matrix([IMPERIAL], "bicycle")
    with pytest.raises(MatrixError, match="not valid lat/lon"):
        Place("x", 123.0, 107.0)


# ------------------------------------------------------------------------------------------------ CLI
def _run(args):
    return CliRunner().invoke(cli(), args)


def test_cli_matrix_csv_and_json(hue_net, touroute_data_dir):
    coords = f"{IMPERIAL.lat},{IMPERIAL.lon},{PAGODA.lat},{PAGODA.lon},{HOI_AN.lat},{HOI_AN.lon}"
    res = _run(["matrix", "--places", coords, "--profile", "car", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 6 and {r["source"] for r in rows} == {"osm", "estimate"}
    r01 = next(r for r in rows if r["from_id"].startswith("16.46720") and r["to_id"].startswith("16.45330"))
    assert r01["source"] == "osm" and r01["network"] == "hue" and 4.0 <= float(r01["km"]) <= 6.0
    assert "OpenStreetMap" in res.stderr
    res = _run(["matrix", "--places", coords, "--profile", "coach", "--format", "json", "--geometry"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["profile"] == "coach" and data["source"][0][1] == "osm" and data["source"][0][2] == "estimate"
    assert len(data["seconds"]) == 3 and data["attribution"].startswith("© OpenStreetMap")
    assert len(data["geometry"]) == 6 and len(data["geometry"][0]["coords"]) > 10
    res = _run(["matrix", "--places", coords, "--no-network", "--format", "json"])
    assert {s for row in json.loads(res.stdout)["source"] for s in row} == {"estimate"}


def test_cli_matrix_with_catalogue_ids(hue_net, touroute_data_dir):
    pois = pytest.importorskip("touroute.pois")
    cat = pois.load_catalogue(strict=False)
    ids = [i for i in ("hue-imperial-city", "hue-thien-mu-pagoda") if i in cat]
    if len(ids) < 2:
        ids = [i for i in cat.df.index if i.startswith("hue-")][:2]
    if len(ids) < 2:
        pytest.skip("catalogue has no two Huế places yet")
    res = _run(["matrix", "--places", ",".join(ids), "--profile", "motorbike"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {r["from_id"] for r in rows} == set(ids) and all(r["source"] == "osm" for r in rows)
    assert all(r["from_name"] for r in rows)


@pytest.mark.parametrize("places, message", [
    ("16.4672", "no longitude follows"),
    ("16.4,107.5,999,1", "not a valid lat,lon pair"),
    ("no-such-place-id", "no place with id"),
    # a point in the Atlantic was "estimated" at 20,895 km from Huế; a lost sign is refused too
    ("hue-imperial-city,10.0,-50.0", "outside Vietnam"), ("-16.46,107.58,16.4,107.5", "outside Vietnam"),
])
def test_cli_matrix_bad_places(places, message, touroute_data_dir):
    res = _run(["matrix", "--places", places, "--no-network"])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_cli_matrix_named_network_missing(touroute_data_dir):
    res = _run(["matrix", "--places", "16.4,107.5,16.41,107.51", "--network", "nowhere"])
    assert res.exit_code == 2 and "no cached network 'nowhere'" in res.output


def test_plans_computing_the_same_matrix_at_once_do_not_break_each_other(tmp_path):
    """Two CLI runs (or two web workers) that compute the same catalogue matrix at the same time each write it and
    both succeed: each writes its own temporary file, and neither's clean-up deletes the other's (three runs of
    `touroute plan` on a new date used to end in FileNotFoundError for two of them)."""
    import subprocess
    import sys

    code = ("import sys; from touroute.matrix import catalogue_matrix; "
            "m = catalogue_matrix('car', data_dir=sys.argv[1]); print(len(m))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
        assert int(out.strip()) > 500
    files = sorted(p.name for p in (tmp_path / "matrices").iterdir())
    assert len(files) == 1 and files[0].startswith("car-") and files[0].endswith(".npz"), files
