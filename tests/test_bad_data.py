"""Bad data never takes touroute down: each case gives a clear message naming the source, and what is valid keeps
being served.

Malformed catalogue rows (lenient loading in the web app), broken opening_hours at plan time, corrupt / empty /
truncated / non-OSM files, unreadable network caches, and Overpass servers that fail, answer garbage or never
answer. Real files, a real (tiny, hand-written) OSM extract built into a real cache, real local HTTP servers.
"""

from __future__ import annotations

import bz2
import csv
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from touroute.matrix import TravelTimes
from touroute.network import NetworkCacheError, OsmSourceError, build_network, list_networks, load_network
from touroute.planner import PlanningContext, plan
from touroute.pois import Catalogue, default_catalogue, default_paths
from touroute.resources import data_dir

MONDAY = "2026-12-07"

# A tiny drivable network in Đà Nẵng (two roads forming a loop): builds in about a second, no shared data needed.
TINY_OSM = b"""<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="touroute-test">
  <node id="1" lat="16.0600" lon="108.2000"/>
  <node id="2" lat="16.0650" lon="108.2050"/>
  <node id="3" lat="16.0700" lon="108.2100"/>
  <node id="4" lat="16.0650" lon="108.2150"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="name" v="A"/></way>
  <way id="11"><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="highway" v="secondary"/></way>
</osm>
"""


def _cli(args: list[str], **env):
    from touroute.cli import main

    return CliRunner().invoke(main, args, env=env or None)


# --------------------------------------------------------------------------------------------- catalogue rows
@pytest.fixture(scope="module")
def bad_catalogue(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A copy of the Đà Nẵng / Quảng Nam catalogue file with five rows broken in five ways.

    Returns the folder and, per broken row, the id of the place it held."""
    folder = tmp_path_factory.mktemp("catalogue")
    src = data_dir("poi") / "danang_quangnam.csv"
    with src.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    victims = [r for r in rows if r["category"] != "lodging" and r["id"] not in ("qnam-hoi-an", "dn-city-centre")
               and not r["part_of"] and r["id"] not in {x["part_of"] for x in rows}]
    broken = {"lat": victims[0]["id"], "id": victims[1]["id"], "dup": victims[2]["id"], "hours": victims[3]["id"]}
    for r in rows:
        if r["id"] == broken["lat"]:
            r["lat"] = "16.07abc"
        elif r["id"] == broken["id"]:
            r["id"] = ""
        elif r["id"] == broken["hours"]:
            r["opening_hours"], r["fee_as_of"] = "Mo-Fr 25:00-99:00 nonsense", r["fee_as_of"] or "2024"
    dup = dict(next(r for r in rows if r["id"] == broken["dup"]))
    dup["name_vi"] = dup["name_en"] = "A second place with the same id"
    rows.append(dup)
    with (folder / "places.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return folder, broken


def test_web_app_serves_the_valid_rows_of_a_bad_catalogue(bad_catalogue, tmp_path, monkeypatch, caplog):
    from touroute.web import create_app

    folder, broken = bad_catalogue
    monkeypatch.setenv("TOUROUTE_CATALOGUE_DIR", str(folder))
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path / "data"))  # no cached networks: estimates
    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "k", "PLAN_SECONDS": 0.5,
                      "TILES": None})
    c = app.test_client()
    with caplog.at_level(logging.WARNING, logger="touroute.web"):
        res = c.get("/api/pois?limit=500")
    assert res.status_code == 200
    ids = {p["id"] for p in res.get_json()["pois"]}
    expected_rows = 0
    with (data_dir("poi") / "danang_quangnam.csv").open(encoding="utf-8-sig") as f:
        expected_rows = sum(1 for _ in csv.DictReader(f))
    # four broken rows and the duplicated id (both copies: which one is right cannot be known) are left out
    assert len(ids) == expected_rows - 4 and "qnam-hoi-an" in ids
    assert not ids & set(broken.values())
    # each problem is logged once, naming the file, the line and the field
    log = caplog.text
    path = str(folder / "places.csv")
    for field in ("lat", "id", "opening_hours"):
        assert any(path in r.getMessage() and ", line " in r.getMessage() and f"field '{field}'" in r.getMessage()
                   for r in caplog.records), field
    assert "duplicate id" in log and "not valid OSM opening_hours syntax" in log and "must be a decimal number" in log
    # planning keeps working with the valid places
    res = c.post("/api/plans", json={"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": MONDAY,
                                     "days": 1, "solver": {"time_limit_s": 0.3}})
    assert res.status_code == 201 and res.get_json()["feasible"]
    res = c.post("/api/plans", json={"start": "qnam-hoi-an", "start_date": MONDAY, "days": 1,
                                     "must_visit": [broken["lat"]], "solver": {"time_limit_s": 0.3}})
    assert res.status_code == 422 and res.get_json()["fields"][0]["field"] == "must_visit"


def test_catalogue_dir_env_is_the_default_catalogue_location(bad_catalogue, monkeypatch):
    folder, _ = bad_catalogue
    monkeypatch.setenv("TOUROUTE_CATALOGUE_DIR", str(folder))
    assert default_paths() == [folder / "places.csv"]
    # strict command-line validation lists every problem with file and line, exit code 1 or 2, no traceback
    res = _cli(["pois", "validate"])
    assert res.exit_code != 0 and "places.csv" in res.output and "Traceback" not in res.output
    monkeypatch.delenv("TOUROUTE_CATALOGUE_DIR")
    assert all(p.parent == data_dir("poi") for p in default_paths())


def test_empty_catalogue_dir_is_a_clear_error(tmp_path, monkeypatch):
    from touroute.errors import DataError
    from touroute.web import create_app, planning_context

    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "k",
                      "CATALOGUE_DIR": str(tmp_path)})
    with app.app_context(), pytest.raises(DataError, match="no catalogue CSV files"):
        planning_context()


# --------------------------------------------------------------------------------------------- opening hours
def test_unreadable_opening_hours_at_plan_time_are_unknown_hours(tmp_path, caplog):
    """A record built in code (not through the CSV validator) with hours the library cannot read: planned as
    "hours unknown", with a warning naming the place, never an exception."""
    target = "qnam-my-son-sanctuary"
    recs = []
    for p in default_catalogue():
        if p.id == target:
            p = p.model_copy(update={"opening_hours": "Mo-Fr 25:00-99:00 nonsense"})  # not validated either
        recs.append(p)
    ctx = PlanningContext(catalogue=Catalogue(recs), router=TravelTimes([]), data_dir=str(tmp_path))
    from touroute.model import PlanRequest

    req = PlanRequest.model_validate({"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": MONDAY,
                                      "days": 2, "must_visit": [target], "solver": {"time_limit_s": 0.5}})
    with caplog.at_level(logging.WARNING, logger="touroute.planner"):
        it = plan(req, ctx)
    assert it.feasible
    assert any(s.place_id == target for d in it.days for s in d.stops)
    assert any(target in w and "cannot be read" in w for w in it.warnings)
    assert any("opening hours unknown" in w for w in it.warnings)
    assert target in caplog.text and "25:00" in caplog.text


# --------------------------------------------------------------------------------------------- OSM files
def _pbf_of_tiny(path: Path) -> Path:
    import osmium

    xml = path.with_suffix(".osm")
    xml.write_bytes(TINY_OSM)
    with osmium.SimpleWriter(str(path)) as w:
        for obj in osmium.FileProcessor(str(xml)):
            if obj.is_node():
                w.add_node(obj)
            elif obj.is_way():
                w.add_way(obj)
    xml.unlink()
    return path


@pytest.mark.parametrize("name, make, message", [
    ("cut.osm", lambda p: p.write_bytes(TINY_OSM[: len(TINY_OSM) * 2 // 3]), "not a readable OSM file"),
    ("cut.osm.bz2", lambda p: p.write_bytes(bz2.compress(TINY_OSM)[:60]), "not a readable OSM file"),
    ("truncated.osm.pbf", lambda p: p.write_bytes(_pbf_of_tiny(p).read_bytes()[:-40]), "not a readable OSM file"),
    ("picture.osm.pbf", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), "not a readable"),
    ("data.osm", lambda p: p.write_text(json.dumps({"type": "FeatureCollection", "features": []})),
     "not a readable OSM file"),
    ("page.osm", lambda p: p.write_text("<html><body>502 Bad Gateway</body></html>"), "not a readable OSM file"),
    ("blank.osm", lambda p: p.write_bytes(b"   \n"), "not a readable OSM file"),
])
def test_broken_osm_files_name_the_file(tmp_path, name, make, message):
    f = tmp_path / name
    make(f)
    assert f.stat().st_size > 0
    with pytest.raises(OsmSourceError, match=message) as exc:
        build_network(f, data_dir=tmp_path / "data")
    assert name in str(exc.value)
    res = _cli(["network", "build", str(f), "--data-dir", str(tmp_path / "data")])
    assert res.exit_code == 2, res.output
    assert name in res.output and "Error:" in res.output and "Traceback" not in res.output
    assert not list_networks(tmp_path / "data")  # nothing half-built left in the cache


def test_the_tiny_extract_itself_builds(tmp_path):
    """Control for the cases above: the same bytes, whole, are a valid extract (XML and PBF)."""
    (tmp_path / "tiny.osm").write_bytes(TINY_OSM)
    assert build_network(tmp_path / "tiny.osm", data_dir=tmp_path / "d").n_edges > 0
    assert build_network(_pbf_of_tiny(tmp_path / "tiny.osm.pbf"), data_dir=tmp_path / "d").n_edges > 0


# --------------------------------------------------------------------------------------------- network cache
@pytest.fixture()
def cached(tmp_path) -> Path:
    """A data dir holding one freshly built network cache ('tiny')."""
    (tmp_path / "tiny.osm").write_bytes(TINY_OSM)
    build_network(tmp_path / "tiny.osm", data_dir=tmp_path / "data")
    return tmp_path / "data"


def _corrupt(data: Path, how: str) -> Path:
    directory = data / "networks" / "tiny"
    if how == "truncated arrays":
        npz = directory / "network.npz"
        npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    elif how == "garbage arrays":
        (directory / "network.npz").write_bytes(b"not a zip file at all" * 50)
    elif how == "older version":
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        meta["format_version"] = 0
        (directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    elif how == "broken metadata":
        (directory / "meta.json").write_text('{"name": "tiny", "format_ver', encoding="utf-8")
    return directory


CACHE_DAMAGE = ["truncated arrays", "garbage arrays", "older version", "broken metadata"]


@pytest.mark.parametrize("how", CACHE_DAMAGE)
def test_bad_network_cache_is_refused_skipped_and_rebuilt(cached, tmp_path, how, caplog):
    directory = _corrupt(cached, how)
    with pytest.raises(NetworkCacheError) as exc:
        load_network("tiny", data_dir=cached)
    assert str(directory) in str(exc.value) and "ebuild" in str(exc.value)  # names the file, says what to do
    # planning falls back to estimates, with a note naming the skipped cache
    with caplog.at_level(logging.WARNING):
        router = TravelTimes.from_cache(data_dir=cached)
    assert router.networks == [] and any("tiny" in n for n in router.notes) and "tiny" in caplog.text
    # building again replaces the bad cache
    messages: list[str] = []
    net = build_network(tmp_path / "tiny.osm", data_dir=cached, progress=messages.append)
    assert any("stale" in m or "unusable" in m for m in messages), messages
    assert load_network("tiny", data_dir=cached).n_edges == net.n_edges


@pytest.mark.parametrize("how", ["truncated arrays", "older version"])
def test_web_app_keeps_serving_with_estimates_when_the_cache_is_bad(cached, tmp_path, monkeypatch, how):
    from touroute.web import create_app

    _corrupt(cached, how)
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(cached))
    monkeypatch.delenv("TOUROUTE_CATALOGUE_DIR", raising=False)
    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "k", "PLAN_SECONDS": 0.5,
                      "TILES": None})
    c = app.test_client()
    res = c.post("/api/plans", json={"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": MONDAY,
                                     "days": 1, "solver": {"time_limit_s": 0.3}})
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    legs = [leg for d in body["itinerary"]["days"] for leg in d["legs"]]
    assert legs and all(leg["source"] != "osm" for leg in legs)
    assert c.get(f"/p/{body['id']}/map").status_code == 200
    assert c.get("/healthz").status_code == 200


def test_cli_network_list_reports_a_bad_cache(cached):
    _corrupt(cached, "older version")
    res = _cli(["network", "list", "--data-dir", str(cached)])
    assert res.exit_code == 0 and "tiny" in res.output and "format 0" in res.output


# --------------------------------------------------------------------------------------------- Overpass
@pytest.fixture()
def bad_overpass(monkeypatch):
    """A local server playing a broken Overpass: ``mode`` = "500", "garbage" or "silent" (never answers)."""
    import osmnx as ox

    state = {"mode": "500", "hits": 0}
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _answer(self) -> None:
            state["hits"] += 1
            if state["mode"] == "silent":
                release.wait(30)
                return
            if state["mode"] == "500":
                body, code, ctype = b"<html><body>Internal error</body></html>", 500, "text/html"
            else:
                body, code, ctype = b"\x00\x01<html>definitely not overpass json", 200, "application/json"
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._answer()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    monkeypatch.setattr(ox.settings, "overpass_url", url)
    monkeypatch.setattr(ox.settings, "use_cache", False)
    monkeypatch.setenv("TOUROUTE_OVERPASS_TIMEOUT", "1.5")
    state["url"] = url
    try:
        yield state
    finally:
        release.set()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("mode, message", [("500", "500"), ("garbage", "not overpass json"),
                                           ("silent", "did not answer within 1.5 s")])
def test_broken_overpass_server_is_a_clear_error_without_hanging(bad_overpass, tmp_path, mode, message):
    bad_overpass["mode"] = mode
    t0 = time.monotonic()
    with pytest.raises(OsmSourceError) as exc:
        build_network(bbox="108.19,16.05,108.22,16.08", data_dir=tmp_path)
    elapsed = time.monotonic() - t0
    text = str(exc.value)
    assert bad_overpass["url"] in text and message in text, text
    assert bad_overpass["hits"] >= 1
    assert elapsed < 20, f"took {elapsed:.1f} s"  # osmnx alone would pause 60 s on an unreadable /status
    res = _cli(["network", "build", "--bbox", "108.19,16.05,108.22,16.08", "--data-dir", str(tmp_path)])
    assert res.exit_code == 2 and bad_overpass["url"] in res.output and "Traceback" not in res.output


def test_bad_overpass_timeout_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("TOUROUTE_OVERPASS_TIMEOUT", "soon")
    with pytest.raises(OsmSourceError, match="TOUROUTE_OVERPASS_TIMEOUT"):
        build_network(bbox="108.19,16.05,108.22,16.08", data_dir=tmp_path)



@pytest.mark.parametrize("args, option", [
    (["plan", "--start", "hue-hub-hue-city", "--days", "1", "--seconds", "0.5", "-o", "{missing}/plan.txt"], "--output"),
    (["pois", "quality", "--chart", "{missing}/quality.png"], "--chart"),
    (["analytics", "fairness", "{plan}", "--png", "{missing}/fair.png"], "--png"),
    (["export", "{plan}", "--format", "gpx", "-o", "{missing}/trip.gpx"], "--output"),
])
def test_an_output_file_in_a_missing_folder_is_a_usage_error(args, option, tmp_path, monkeypatch):
    """A file the command would write into a folder that does not exist is refused when the options are read,
    naming the option and the folder — it was a traceback after the plan or chart had been made."""
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path / "data"))
    plan_file = tmp_path / "plan.json"
    plan_file.write_text("{}", encoding="utf-8")
    missing = tmp_path / "no" / "such" / "folder"
    argv = [a.format(missing=missing, plan=plan_file) for a in args]
    r = _cli(argv)
    assert r.exit_code == 2, r.output
    assert option in r.output and str(missing) in r.output and "does not exist" in r.output, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert not missing.exists()
