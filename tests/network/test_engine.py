"""The OSRM engine on real data: profiles generated from the speed table, a build on the Huế extract, its table
against the embedded matrix, leg geometry and snapping through it, engine down → clear warning and the fallback,
replicas spreading load and failing over when one is killed mid-load.

OSRM runs in its own Python ≥ 3.12 environment (``touroute engine install``). The session installs it once into
``$TOUROUTE_TEST_ENGINE_DIR`` (default ``~/.cache/touroute-test-engine``) — or uses ``TOUROUTE_OSRM_BIN`` — and
skips with the reason when no Python ≥ 3.12 or no package index is reachable.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from touroute.matrix import Place, TravelTimes, catalogue_places
from touroute.network.engine import (EngineError, EngineNetwork, EngineServer, OsrmClient, build_engine,
                                     engine_bin, install_engine, parse_engine_urls, profile_lua)
from touroute.network.engine.lua import graph_family, shared_profile_lua
from touroute.network.profiles import PROFILES

from ..network_fixtures import HUE_PBF, IMPERIAL_CITY, THIEN_MU, hue_net, require, touroute_data_dir  # noqa: F401


# ------------------------------------------------------------------------------------------- no engine needed
def test_lua_profiles_come_from_the_one_speed_table(tmp_path):
    for name, prof in PROFILES.items():
        lua = profile_lua(prof, tmp_path)
        for cls, kmh in prof.speeds_kmh.items():
            if cls not in ("alley", "ferry"):
                assert f"  {cls} = {kmh:g}" in lua, (name, cls)
        assert f"max_kmh = {prof.max_kmh:g}" in lua and "p.vehicle_max_speed = v.max_kmh" in lua
        assert f'"{prof.access_keys[0]}"' in lua
        assert "p.excludable = Sequence {}" in lua                    # no exclude metrics to customize
    assert "  motorway =" not in profile_lua("motorbike", tmp_path)   # banned from expressways by law
    assert "alley = nil" in profile_lua("coach", tmp_path)            # a coach does not fit an alley
    assert "alley = 8" in profile_lua("car", tmp_path)


def test_only_vehicles_of_one_graph_share_an_extract(tmp_path):
    """The car and the van use the same roads with the same access keys, so one extract can carry both; the coach
    (no alleys, bus keys) and the motorbike (no motorways) drive on other graphs and are refused."""
    assert graph_family("car") == graph_family("van")
    assert graph_family("coach") != graph_family("car") != graph_family("motorbike")
    lua = shared_profile_lua(("car", "van"), tmp_path, tmp_path / "speeds")
    assert '"car"' in lua and '"van"' in lua and str(tmp_path / "speeds") in lua
    with pytest.raises(ValueError, match="different graphs"):
        shared_profile_lua(("car", "coach"), tmp_path, tmp_path / "speeds")


def test_engine_urls_are_read_strictly():
    assert parse_engine_urls("http://a:5000") == {"car": ["http://a:5000"]}
    got = parse_engine_urls("car=http://a:5000, car=http://b:5000 coach=http://a:5001/")
    assert got == {"car": ["http://a:5000", "http://b:5000"], "coach": ["http://a:5001"]}
    with pytest.raises(EngineError, match="truck"):
        parse_engine_urls("truck=http://a:5000")
    with pytest.raises(EngineError, match="ftp://x"):
        parse_engine_urls("ftp://x")


def test_a_bad_engine_url_setting_is_one_clear_cli_error(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from touroute.cli import main

    monkeypatch.setenv("TOUROUTE_OSRM_URL", "lorry=http://127.0.0.1:1")
    r = CliRunner().invoke(main, ["matrix", "--places", "qnam-hoi-an", "--places", "dn-city-centre", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2 and "lorry" in r.output and "Traceback" not in r.output


@pytest.mark.shared
def test_an_extract_too_big_for_memory_is_refused_at_once_pointing_to_the_engine(tmp_path):
    """The embedded build predicts its peak memory from the file's road references and refuses, before building the
    graph, what would not fit — a country extract fails in seconds with the way forward, never by running out of
    memory."""
    from click.testing import CliRunner

    from touroute.cli import main

    t0 = time.perf_counter()
    r = CliRunner().invoke(main, ["network", "build", str(require(HUE_PBF)), "--data-dir", str(tmp_path),
                                  "--memory-limit-mb", "100"])
    assert r.exit_code == 2 and "--engine osrm" in r.output and "GB" in r.output and "Traceback" not in r.output
    assert time.perf_counter() - t0 < 10 and not (tmp_path / "networks").exists()


@pytest.mark.shared
def test_the_memory_prediction_bounds_a_real_build_from_above_and_not_by_much(tmp_path):
    """The prediction is what the refusal rests on: a real embedded build of the Huế extract, in a child process
    whose own peak resident memory is measured, stays under it, and the prediction is not so loose that it refuses
    builds that would fit (≤ 1.6× the measured peak)."""
    import subprocess
    import sys

    from touroute.network.build import predict_embedded_peak_mb

    pbf = require(HUE_PBF)
    # VmHWM, not ru_maxrss: Linux carries the forking parent's peak into the child's ru_maxrss across exec, so a
    # child of a big pytest worker would report the worker's size
    child = ("import sys\n"
             "from pathlib import Path\n"
             "from touroute.network import build_network\n"
             "build_network(sys.argv[1], data_dir=sys.argv[2], memory_limit_mb=1e9)\n"
             "hwm = next(l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM:'))\n"
             "print(int(hwm.split()[1]) / 1024)\n")
    out = subprocess.run([sys.executable, "-c", child, str(pbf), str(tmp_path)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    peak = float(out.stdout.strip().splitlines()[-1])
    predicted = predict_embedded_peak_mb(pbf)
    assert peak <= predicted <= 1.6 * peak, (peak, predicted)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_engine_down_gives_a_warning_and_the_estimate_never_a_cached_matrix(tmp_path):
    """A configured engine that does not answer: every leg estimated, the warning says why, and the stand-in
    matrix is not cached (the next call, with the engine back, must use it)."""
    from touroute.matrix import catalogue_matrix

    client = OsrmClient({"car": [f"http://127.0.0.1:{_closed_port()}", f"http://127.0.0.1:{_closed_port()}"]},
                        timeout=2)
    tt = TravelTimes([], engine=EngineNetwork(client), ferries=[])
    m = tt.matrix([Place("a", *IMPERIAL_CITY), Place("b", *THIEN_MU)], "car")
    assert m.degraded and m.counts()["osm"] == 0 and np.isfinite(m.seconds).all()
    assert any("road engine did not answer" in w for w in m.warnings)
    leg = m.leg(0, 1)
    assert leg.source == "estimate" and len(leg.geometry()) == 2
    from touroute.pois import load_catalogue

    cat = load_catalogue()
    assert catalogue_matrix("car", router=tt, catalogue=cat, data_dir=tmp_path).degraded
    assert not list(tmp_path.glob("matrices/*.npz"))


# --------------------------------------------------------------------------------------------- a real engine
@pytest.fixture(scope="module")
def osrm_bin(tmp_path_factory):
    explicit = os.environ.get("TOUROUTE_OSRM_BIN")
    if explicit:
        return Path(explicit)
    home = Path(os.environ.get("TOUROUTE_TEST_ENGINE_DIR", Path.home() / ".cache" / "touroute-test-engine"))
    found = engine_bin(home, required=False)
    if found is None:
        try:
            found = install_engine(home)
        except EngineError as exc:
            pytest.skip(f"OSRM engine not installable here: {exc}")
    return found


@pytest.fixture(scope="module")
def hue_engine(osrm_bin, touroute_data_dir, monkeypatch_module):  # noqa: F811
    monkeypatch_module.setenv("TOUROUTE_OSRM_BIN", str(osrm_bin))
    return build_engine(require(HUE_PBF), profiles=("car", "coach", "motorbike"))


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def served(hue_engine):
    with EngineServer(hue_engine, replicas=2) as srv:
        yield srv


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.server
def test_engine_table_agrees_with_the_embedded_matrix(served, hue_net):  # noqa: F811
    """Same roads, same speed table, two routers: the times agree within a documented band (OSRM adds turn and
    signal costs the embedded graph does not model: a few per cent), distances within 1 %."""
    places = [p for p in catalogue_places() if hue_net.contains(p.lat, p.lon, 0)]
    assert len(places) >= 30
    engine = EngineNetwork(OsrmClient({p: served.urls(p) for p in ("car", "coach", "motorbike")}))
    for prof in ("car", "coach", "motorbike"):
        me = TravelTimes([], engine=engine, ferries=[]).matrix(places, prof)
        mn = TravelTimes([hue_net], ferries=[]).matrix(places, prof)
        both = (me.source_code == 0) & (mn.source_code == 0) & ~np.eye(len(places), dtype=bool)
        assert both.sum() >= 0.9 * (len(places) ** 2 - len(places)), prof
        t = me.seconds[both] / mn.seconds[both]
        d = me.metres[both] / mn.metres[both]
        assert 0.97 <= np.median(t) <= 1.10 and np.percentile(t, 90) <= 1.25, (prof, np.median(t))
        assert 0.99 <= np.median(d) <= 1.01, (prof, np.median(d))
    coach = TravelTimes([], engine=engine, ferries=[]).matrix(places, "coach")
    car = TravelTimes([], engine=engine, ferries=[]).matrix(places, "car")
    off = ~np.eye(len(places), dtype=bool)
    assert np.median(coach.seconds[off] / car.seconds[off]) > 1.1  # the coach profile is slower, as defined


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.server
def test_engine_snaps_routes_and_leaves_far_places_to_the_estimate(served):
    engine = EngineNetwork(OsrmClient({"car": served.urls("car")}))
    tt = TravelTimes([], engine=engine, ferries=[])
    nha_trang = Place("nt", 12.2388, 109.1967, "Nha Trang")
    m = tt.matrix([Place("a", *IMPERIAL_CITY, "Ngọ Môn"), Place("b", *THIEN_MU, "Thiên Mụ"), nha_trang], "car")
    leg = m.leg(0, 1)
    assert leg.source == "osm" and leg.network == "osrm" and 4 < leg.km < 8
    geom = leg.geometry()
    assert len(geom) > 10 and geom[0] == IMPERIAL_CITY and geom[-1] == THIEN_MU
    assert m.leg(0, 2).source == "estimate"  # Nha Trang is ~ 500 km outside the Huế extract
    assert m.snap_m[0] < 300 and np.isnan(m.snap_m[2])


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.server
def test_planning_carries_on_when_one_replica_is_killed_mid_load(hue_engine):
    """Two car servers; four threads ask for matrices; one server is SIGKILLed halfway. Every answer still comes
    from the engine and equals the first (fail-over), and the client records the fail-over."""
    with EngineServer(hue_engine, profiles=("car",), replicas=2) as srv:
        client = OsrmClient({"car": srv.urls("car")}, timeout=5)
        places = [Place(f"p{i}", 16.40 + 0.01 * (i % 8), 107.52 + 0.01 * (i // 8)) for i in range(40)]
        first = TravelTimes([], engine=EngineNetwork(client), ferries=[]).matrix(places, "car")
        assert not first.degraded and first.counts()["estimate"] == 0
        results: list[object] = []
        errors: list[BaseException] = []
        deadline = time.monotonic() + 60

        def work() -> None:
            try:
                for _ in range(15):
                    eng = EngineNetwork(client)  # a fresh snap cache: every call goes to the servers
                    results.append(TravelTimes([], engine=eng, ferries=[]).matrix(places, "car"))
                    if time.monotonic() > deadline:
                        return
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        while len(results) < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        srv.kill(srv.urls("car")[0])
        for t in threads:
            t.join(timeout=90)
        assert not errors, errors
        assert len(results) == 60
        for m in results:
            assert not m.degraded and m.counts()["estimate"] == 0
            assert np.allclose(m.seconds, first.seconds)
        assert client.failovers >= 1


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.server
def test_the_car_and_the_van_from_one_extract_answer_as_from_their_own(osrm_bin, tmp_path, monkeypatch):
    """One extract for the car and the van (the van's speeds applied by osrm-customize) answers as one extract each:
    the car cell for cell, the van within OSRM's updater rounding (at most a decisecond per node of an edge)."""
    monkeypatch.setenv("TOUROUTE_OSRM_BIN", str(osrm_bin))
    pbf = require(HUE_PBF)
    from click.testing import CliRunner

    from touroute.cli import main
    from touroute.network.engine import load_engine_build

    r = CliRunner().invoke(main, ["network", "build", str(pbf), "--engine", "osrm", "--profile", "car", "--profile",
                                  "van", "--name", "shared", "--data-dir", str(tmp_path)])
    assert r.exit_code == 0 and "one extract for car + van" in r.output and "in all" in r.output, r.output
    shared = load_engine_build("shared", tmp_path)
    alone = build_engine(pbf, name="alone", profiles=("car", "van"), data_dir=tmp_path, share_extracts=False)
    assert shared.shared_profiles == ["car", "van"] and not alone.shared_profiles
    assert set(shared.shared_step_seconds) == {"extract", "partition"}
    assert "extract" not in shared.step_seconds["van"] and "extract" in alone.step_seconds["van"]
    assert not (shared.directory / "_shared").exists()          # the shared extract's folder is cleaned up
    rng = np.random.default_rng(15)
    lat, lon = rng.uniform(16.44, 16.50, 120), rng.uniform(107.55, 107.62, 120)
    tables = {}
    for label, b in (("shared", shared), ("alone", alone)):
        with EngineServer(b, data_dir=tmp_path) as srv:
            client = OsrmClient({p: srv.urls(p) for p in ("car", "van")})
            tables[label] = {p: client.table(lat, lon, p)[0] for p in ("car", "van")}
    car_s, car_a = tables["shared"]["car"], tables["alone"]["car"]
    assert np.array_equal(np.isfinite(car_s), np.isfinite(car_a)) and np.isfinite(car_a).mean() > 0.95
    assert np.array_equal(car_s[np.isfinite(car_a)], car_a[np.isfinite(car_a)])
    van_s, van_a = tables["shared"]["van"], tables["alone"]["van"]
    ok = np.isfinite(van_a)
    assert np.array_equal(np.isfinite(van_s), ok)
    assert np.abs(van_s[ok] - van_a[ok]).max() <= 1.0
    off = ok & (car_a > 60)
    assert np.median(van_s[off] / car_a[off]) > 1.03          # the van's own (slower) speeds, not the car's


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.server
def test_the_handlers_the_profiles_skip_change_no_answer(osrm_bin, tmp_path, monkeypatch):
    """The generated profiles skip OSRM's guidance-only way handlers (lua.GUIDANCE_HANDLERS) to make extracts
    faster; every answer must stay what OSRM's full car rules give — the coach and the motorbike cell for cell on
    Huế (the two vehicles not built elsewhere in this module; car and van: BENCHMARKS.md, "Lean way handlers")."""
    from touroute.network.engine import lua

    monkeypatch.setenv("TOUROUTE_OSRM_BIN", str(osrm_bin))
    pbf = require(HUE_PBF)
    profiles = ("coach", "motorbike")
    assert "names" not in lua.GUIDANCE_HANDLERS and "classification" not in lua.GUIDANCE_HANDLERS
    lean = build_engine(pbf, name="lean", profiles=profiles, data_dir=tmp_path)
    assert "WayHandlers.turn_lanes" not in (lean.directory / "coach" / "touroute-coach.lua").read_text()
    monkeypatch.setattr(lua, "GUIDANCE_HANDLERS", ())
    full = build_engine(pbf, name="full", profiles=profiles, data_dir=tmp_path)
    assert "WayHandlers.turn_lanes" in (full.directory / "coach" / "touroute-coach.lua").read_text()
    rng = np.random.default_rng(16)
    lat, lon = rng.uniform(16.42, 16.52, 150), rng.uniform(107.53, 107.64, 150)
    tables = {}
    for label, b in (("lean", lean), ("full", full)):
        with EngineServer(b, data_dir=tmp_path) as srv:
            client = OsrmClient({p: srv.urls(p) for p in profiles})
            tables[label] = {p: client.table(lat, lon, p)[0] for p in profiles}
    for p in profiles:
        a, b = tables["lean"][p], tables["full"][p]
        assert np.isfinite(b).mean() > 0.9, p
        assert np.array_equal(np.isfinite(a), np.isfinite(b)) and np.array_equal(a[np.isfinite(b)], b[np.isfinite(b)]), p
