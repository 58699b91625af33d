"""The web app through Flask's test client: pages, REST API, validation, saved plans, edits, exports, escaping.

Real SQLite file in a temp dir, real planner (no road network: every leg estimated) with 1-second solver limits.
"""

from __future__ import annotations

import json
import re

import gpxpy
import icalendar
import pytest

from touroute.matrix import TravelTimes
from touroute.planner import PlanningContext
from touroute.pois import Catalogue, default_catalogue

MONDAY = "2026-12-07"
BASE_REQ = {"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": MONDAY, "days": 2,
            "solver": {"time_limit_s": 1.0}}


@pytest.fixture(scope="module")
def app(ctx, tmp_path_factory):
    from touroute.web import create_app

    db = tmp_path_factory.mktemp("db") / "plans.sqlite3"
    return create_app({"DB_URL": f"sqlite:///{db}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0,
                       "REPLAN_SECONDS": 1.0, "MAX_PLAN_SECONDS": 10, "TILES": None, "PUBLIC_PLANS": True},
                      ctx=ctx)


@pytest.fixture()
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token the page at ``path`` puts in its forms (same session as later posts of ``client``)."""
    page = client.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, "the page has no CSRF token in its form"
    return m.group(1)


@pytest.fixture(scope="module")
def saved(app):
    """One plan created through the API, shared by the read-only tests."""
    res = app.test_client().post("/api/plans", json=dict(BASE_REQ, title="Hội An → Đà Nẵng"))
    assert res.status_code == 201, res.get_json()
    return res.get_json()


# --------------------------------------------------------------------------------------------- pages & i18n
def test_form_defaults_and_language_switch(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Lập lịch trình" in page
    assert 'value="hue-hub-hue-city"' in page and "Thành phố Huế" in page  # sensible defaults
    assert re.search(r'name="along_the_way" value="1"\s+checked', page)  # a journey's nights along the way, by default
    assert re.search(r'name="islands" value="1"\s+checked', page)  # island nights tried, by default
    assert "OpenStreetMap" in page
    en = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Plan my trip" in en
    # remembered in the session
    assert '<html lang="en">' in client.get("/plans").get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/plans?lang=vi").get_data(as_text=True)


def test_static_vendor_assets_are_local(client):
    for url in ("/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css", "/vendor/jquery/jquery.min.js",
                "/vendor/font_awesome/css/all.min.css", "/static/app.css", "/static/map.css", "/static/app.js"):
        res = client.get(url)
        assert res.status_code == 200 and len(res.data) > 100, url
    assert client.get("/vendor/nope/x.js").status_code == 404
    assert client.get("/vendor/leaflet/../../../etc/passwd").status_code == 404


# --------------------------------------------------------------------------------------------- places API
def test_pois_search_with_and_without_diacritics(client):
    a = client.get("/api/pois?q=hoi an&limit=5").get_json()["pois"]
    b = client.get("/api/pois?q=Hội An&limit=5").get_json()["pois"]
    assert a and [p["id"] for p in a] == [p["id"] for p in b]
    assert any("Hội An" in p["name_vi"] for p in a)
    her = client.get("/api/pois?category=heritage&province=Quang Nam&limit=50").get_json()["pois"]
    assert her and all(p["category"] == "heritage" and p["province"] == "Quảng Nam" for p in her)
    tagged = client.get("/api/pois?tag=unesco&limit=50").get_json()["pois"]
    assert tagged and all("unesco" in p["tags"] for p in tagged)
    en = client.get("/api/pois?q=hoi an&lang=en&limit=1").get_json()["pois"][0]
    assert en["name"] == en["name_en"]


@pytest.mark.parametrize("query, field", [("category=castle", "category"), ("tag=nope", "tag"),
                                          ("province=Atlantis", "province"), ("limit=0", "limit"),
                                          ("limit=abc", "limit")])
def test_pois_bad_filters_are_400_naming_the_field(client, query, field):
    res = client.get(f"/api/pois?{query}")
    assert res.status_code == 400
    assert res.get_json()["fields"][0]["field"] == field


# --------------------------------------------------------------------------------------------- plans API
def test_create_get_list_plan(client, saved):
    assert saved["title"] == "Hội An → Đà Nẵng"
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", saved["id"])
    it = saved["itinerary"]
    assert it["feasible"] and len(it["days"]) == 2 and it["totals"]["stops"] >= 2
    assert all(leg["source"] == "estimate" for d in it["days"] for leg in d["legs"])
    got = client.get(f"/api/plans/{saved['id']}").get_json()
    assert got["itinerary"] == it and got["request"]["days"] == 2
    listed = client.get("/api/plans").get_json()
    assert saved["id"] in [p["id"] for p in listed["plans"]] and listed["total"] >= 1
    assert client.get(f"/p/{saved['id']}").status_code == 200


@pytest.mark.parametrize("patch, field", [
    ({"days": 30}, "days"),
    ({"start": None}, "start"),
    ({"day_end": "09:00"}, "day_end"),
    ({"pace": "sprint"}, "pace"),
    ({"group_size": 0}, "group_size"),
    ({"regional": {"must_cover": ["Atlantis"]}}, "regional.must_cover.0"),
    ({"regional": {"max_share_one_province": 2}}, "regional.max_share_one_province"),
    ({"solver": {"time_limit_s": 100}}, "solver.time_limit_s"),
    ({"vehicle": "coach", "max_driving_minutes_per_day": 660}, "max_driving_minutes_per_day"),  # the legal 10 h
    # found by the API fuzz test: a 7e307 ₫ night overflowed the cost total to inf, written as null
    ({"costs": {"lodging_per_night_per_person": 7.183261974949564e+307}}, "costs.lodging_per_night_per_person"),
    ({"costs": {"vehicle_per_km": 1e300}}, "costs.vehicle_per_km"),
    ({"must_visit": ["qnam-hoi-an-ancient-town"], "exclude": ["qnam-hoi-an-ancient-town"]}, "exclude"),
    ({"surprise": 1}, "surprise"),
])
def test_invalid_requests_are_422_naming_the_field(client, patch, field):
    body = dict(BASE_REQ, **patch)
    body = {k: v for k, v in body.items() if v is not None}
    res = client.post("/api/plans", json=body)
    assert res.status_code == 422, res.get_json()
    data = res.get_json()
    assert data["error"] and field in [f["field"] for f in data["fields"]], data


@pytest.mark.parametrize("patch, field", [({"start": "no-such-place"}, "start"),
                                          ({"must_visit": ["no-such-place"]}, "must_visit"),
                                          ({"overnight": {"pinned": {"1": "no-such-hub"}}}, "overnight.pinned")])
def test_unknown_place_ids_are_422(client, patch, field):
    res = client.post("/api/plans", json=dict(BASE_REQ, **patch))
    assert res.status_code == 422
    data = res.get_json()
    assert data["fields"][0]["field"] == field and "no-such" in data["error"]


def test_malformed_bodies(client, app):
    res = client.post("/api/plans", data="{nope", content_type="application/json")
    assert res.status_code == 400 and res.get_json()["fields"][0]["field"] == "request"
    res = client.post("/api/plans", json=[1, 2])
    assert res.status_code == 400
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    res = client.post("/api/plans", data=json.dumps({"title": big}), content_type="application/json")
    assert res.status_code == 413 and res.is_json and "error" in res.get_json()
    res = client.get("/api/plans/doesnotexist")
    assert res.status_code == 404 and res.get_json()["fields"][0]["field"] == "id"
    res = client.get("/p/doesnotexist")
    assert res.status_code == 404 and "Traceback" not in res.get_data(as_text=True)
    assert client.get("/api/plans?limit=9999").status_code == 400


def test_unexpected_errors_are_clean_500(ctx, tmp_path):
    from touroute.web import create_app

    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "k"}, ctx=ctx)

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/boom")
    def boom_page():
        raise RuntimeError("secret internals")

    c = app.test_client()
    res = c.get("/api/boom")
    assert res.status_code == 500 and res.get_json() == {"error": "internal error; the request was logged"}
    page = c.get("/boom").get_data(as_text=True)
    assert "secret internals" not in page and "Traceback" not in page


def test_openapi_document(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/plans", "/api/plans/{id}", "/api/pois", "/api/plans/{id}/export.{fmt}"):
        assert path in doc["paths"]
    schemas = doc["components"]["schemas"]
    assert schemas["PlanRequest"]["properties"]["days"]["maximum"] == 14
    assert "ThemeWeights" in schemas and "Itinerary" in schemas and "Error" in schemas
    assert "#/$defs" not in json.dumps(doc)  # every $ref resolves inside components


# --------------------------------------------------------------------------------------------- exports
def test_exports_over_http(client, saved):
    sid = saved["id"]
    g = gpxpy.parse(client.get(f"/api/plans/{sid}/export.gpx").get_data(as_text=True))
    assert len(g.tracks) == 2
    res = client.get(f"/p/{sid}/export.ics?lang=en")
    assert res.mimetype == "text/calendar" and "attachment" in res.headers["Content-Disposition"]
    events = icalendar.Calendar.from_ical(res.data).walk("VEVENT")
    evenings = sum(1 for d in saved["itinerary"]["days"] if d.get("evening"))  # optional evening outings
    assert len(events) == saved["itinerary"]["totals"]["stops"] + evenings
    assert str(events[0]["summary"]).startswith("Visit: ")
    fc = client.get(f"/api/plans/{sid}/export.geojson").get_json(force=True)
    assert fc["type"] == "FeatureCollection"
    csv_text = client.get(f"/p/{sid}/export.csv").get_data(as_text=True)
    assert "OpenStreetMap" in csv_text
    assert client.get(f"/p/{sid}/export.kml").status_code == 404
    page = client.get(f"/p/{sid}/print").get_data(as_text=True)
    assert "print.css" in page and "data-print" in page and "onclick" not in page  # print button via app.js (CSP)
    assert saved["itinerary"]["days"][0]["stops"][0]["name_en"] in client.get(f"/p/{sid}/print?lang=en").get_data(
        as_text=True)


# --------------------------------------------------------------------------------------------- the form & result
def test_form_plan_result_and_map(client, app):
    form = {"start": "Hoi An", "end": "", "start_date": MONDAY, "days": "2", "day_start": "08:00",
            "day_end": "18:00", "theme_heritage": "1", "theme_coastal": "1", "theme_other": "0.5",
            "theme_mice": "0", "pace": "normal", "group_size": "4", "lodging_cost": "500000",
            "include_fees": "1", "lunch": "1", "seconds": "1"}
    res = client.post("/plan", data=dict(form, csrf_token=csrf_token(client)))
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    slug = res.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/p/{slug}").get_data(as_text=True)
    assert page.count('class="tl-row"') == 2 and page.count('class="card day"') == 2
    assert f"/p/{slug}/map" in page and "GPX" in page
    plan = client.get(f"/api/plans/{slug}").get_json()
    assert plan["request"]["start"] == {"id": "qnam-hoi-an", "lat": None, "lon": None, "name": None}
    assert plan["request"]["overnight"]["along_the_way"] is False  # an unticked checkbox is absent from the form
    assert plan["request"]["overnight"]["islands"] is False
    for d in plan["itinerary"]["days"]:
        for s in d["stops"]:
            assert f'data-place="{s["place_id"]}"' in page
    html = client.get(f"/p/{slug}/map").get_data(as_text=True)
    # one FeatureGroup per day, routes classed per day and drawn dashed (estimated legs)
    assert len(re.findall(r"L\.featureGroup\(", html)) >= 2
    assert {int(x) for x in re.findall(r"tr-day-(\d+)", html)} == {1, 2}
    assert '"dashArray": "9 9"' in html and "tr-estimate" in html
    assert "Ngày 1" in html and "Ngày 2" in html
    assert "OpenStreetMap" in html and "ODbL" in html
    # every script and stylesheet is served by the app itself
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert "cdn" not in html.lower()


def test_form_errors_name_the_field(client):
    tok = csrf_token(client)
    res = client.post("/plan", data={"start": "Atlantis Palace", "days": "3", "start_date": MONDAY,
                                     "csrf_token": tok})
    assert res.status_code == 422
    page = res.get_data(as_text=True)
    assert "<code>start</code>" in page and "Atlantis Palace" in page
    res = client.post("/plan", data={"start": "hue-hub-hue-city", "days": "40", "start_date": MONDAY,
                                     "theme_heritage": "1", "csrf_token": tok})
    assert res.status_code == 422 and "<code>days</code>" in res.get_data(as_text=True)
    # the form's percentage is checked as a percentage ("150" said "less than or equal to 1")
    res = client.post("/plan", data={"start": "hue-hub-hue-city", "days": "1", "start_date": MONDAY,
                                     "theme_heritage": "1", "max_share": "150", "csrf_token": tok})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "<code>max_share</code>" in page and "at most 100" in page
    assert "less than or equal to 1" not in page


def test_form_posts_need_the_csrf_token(client, app):
    """A cross-site form post (no token, or a forged one) is refused with 400 naming csrf_token; nothing is saved."""
    from touroute.web import store

    before = len(store(app).list(limit=1000))
    form = {"start": "Hoi An", "start_date": MONDAY, "days": "1", "theme_heritage": "1", "seconds": "1"}
    for data in (form, dict(form, csrf_token="forged")):
        res = client.post("/plan", data=data)
        assert res.status_code == 400
        page = res.get_data(as_text=True)
        assert "<code>csrf_token</code>" in page and "Traceback" not in page
    assert len(store(app).list(limit=1000)) == before
    # the JSON API stays token-free but only takes application/json (what a cross-site form cannot send)
    res = client.post("/api/plans", data=json.dumps(BASE_REQ), content_type="text/plain")
    assert res.status_code == 400 and res.get_json()["fields"][0]["field"] == "request"
    assert "Content-Type" in res.get_json()["error"]
    # JSON with the right type but a broken text says where it breaks, not that the type is wrong
    res = client.post("/api/plans", data='{"days": 2,\n "start": }', content_type="application/json")
    body = res.get_json()
    assert res.status_code == 400 and "line 2, column" in body["error"] and "Content-Type" not in body["error"]


def test_a_town_typed_in_the_form_is_its_hub_and_an_unknown_one_is_named(client):
    """The form's start and end read a town's name as its hub ("Da Nang" is not the Museum of Cham Sculpture Đà
    Nẵng); an end matched by no place's names ("Da Lat", outside the region) is refused naming the field."""
    form = {"start": "Da Nang", "end": "", "start_date": MONDAY, "days": "1", "theme_heritage": "1",
            "seconds": "0.5"}
    res = client.post("/plan", data=dict(form, csrf_token=csrf_token(client)))
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    plan = _api_plan(client, res.headers["Location"].rsplit("/", 1)[1])
    assert plan["request"]["start"]["id"] == "dn-city-centre"
    res = client.post("/plan", data=dict(form, end="Da Lat", csrf_token=csrf_token(client)))
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "Da Lat" in page and "Traceback" not in page  # the form, back with the field


# --------------------------------------------------------------------------------------------- edit & re-plan
def _api_plan(client, slug):
    return client.get(f"/api/plans/{slug}").get_json()


def _edit(client, slug, **form):
    res = client.post(f"/p/{slug}/edit", data=dict(form, csrf_token=csrf_token(client, f"/p/{slug}")))
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    loc = res.headers["Location"]
    assert "replanned=" in loc
    new = loc.split("/p/", 1)[1].split("?", 1)[0]
    assert new != slug
    return new


def test_edit_remove_lock_add_and_hub(client, saved):
    slug = saved["id"]
    day1 = saved["itinerary"]["days"][0]["stops"]
    victim = day1[0]["place_id"]
    s2 = _edit(client, slug, action="remove", place_id=victim)
    p2 = _api_plan(client, s2)
    assert victim in p2["request"]["exclude"] and p2["parent"] == slug
    assert victim not in [s["place_id"] for d in p2["itinerary"]["days"] for s in d["stops"]]
    # the original permalink is unchanged
    assert _api_plan(client, slug)["itinerary"] == saved["itinerary"]

    mover = p2["itinerary"]["days"][0]["stops"][-1]["place_id"]
    s3 = _edit(client, s2, action="lock", place_id=mover, day="2")
    p3 = _api_plan(client, s3)
    assert {"place_id": mover, "day": 2} in p3["request"]["locks"]
    assert mover in [s["place_id"] for s in p3["itinerary"]["days"][1]["stops"]]
    assert [s for s in p3["itinerary"]["days"][1]["stops"] if s["place_id"] == mover][0]["locked"]

    # typed, not picked from the list (a review: "place_id: required for add", a field nobody sees)
    s4 = _edit(client, s3, action="add", place_query="My Son Sanctuary", place_id="")
    p4 = _api_plan(client, s4)
    assert "qnam-my-son-sanctuary" in [s["place_id"] for d in p4["itinerary"]["days"] for s in d["stops"]]
    res = client.post(f"/p/{s3}/edit", data=dict(action="add", place_query="Huee Citadl", place_id="",
                                                  csrf_token=csrf_token(client, f"/p/{s3}")))
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "Huee Citadl" in page and "place_id" not in page

    s5 = _edit(client, s4, action="hub", night="1", hub="qnam-tam-ky")
    p5 = _api_plan(client, s5)
    assert p5["itinerary"]["days"][0]["lodging"]["place_id"] == "qnam-tam-ky"
    assert p5["request"]["overnight"]["pinned"] == {"1": "qnam-tam-ky"}
    page = client.get(f"/p/{s5}?replanned=0.9").get_data(as_text=True)
    assert 'id="replanned"' in page


def test_edit_api_and_bad_edits(client, saved):
    res = client.post(f"/api/plans/{saved['id']}/edits", json={"action": "remove",
                                                                 "place_id": saved["itinerary"]["days"][1]["stops"][0]["place_id"]})
    assert res.status_code == 201 and res.get_json()["time_limit_s"] == 1.0
    res = client.post(f"/api/plans/{saved['id']}/edits", json={"action": "explode"})
    assert res.status_code == 422 and res.get_json()["fields"][0]["field"] == "action"
    res = client.post(f"/api/plans/{saved['id']}/edits", json={"action": "lock", "place_id": "qnam-my-son-sanctuary",
                                                                "day": 9})
    assert res.status_code == 422 and res.get_json()["fields"][0]["field"] in ("locks", "locks.0.day", "request")
    res = client.post(f"/api/plans/{saved['id']}/edits", json={"action": "add", "place_id": "nowhere-at-all"})
    assert res.status_code == 422 and res.get_json()["fields"][0]["field"] == "must_visit"


# --------------------------------------------------------------------------------------------- database
def test_saved_plans_persist_in_sqlite_wal(app, ctx, saved):
    from touroute.web import create_app, store

    st = store(app)
    assert st.engine.dialect.name == "sqlite" and st.journal_mode() == "wal"
    again = create_app({"DB_URL": st.url, "SECRET_KEY": "other", "PUBLIC_PLANS": True}, ctx=ctx)  # a new process would see the same
    c = again.test_client()
    assert c.get(f"/api/plans/{saved['id']}").get_json()["title"] == saved["title"]
    listing = c.get("/plans").get_data(as_text=True)
    assert "Hội An → Đà Nẵng" in listing and f"/p/{saved['id']}" in listing
    slugs = {st.save("t", "{}", "{}").slug for _ in range(20)}
    assert len(slugs) == 20


def test_default_db_lives_in_data_dir(tmp_path, monkeypatch, ctx):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TOUROUTE_DB_URL", raising=False)
    monkeypatch.delenv("TOUROUTE_SECRET_KEY", raising=False)
    from touroute.web import create_app, store

    app = create_app(ctx=ctx)
    assert store(app).url == f"sqlite:///{tmp_path / 'web' / 'touroute.sqlite3'}"
    assert (tmp_path / "web" / "touroute.sqlite3").exists()
    assert len(app.config["SECRET_KEY"]) == 64  # random per process when unset


# --------------------------------------------------------------------------------------------- escaping
def test_script_in_names_is_escaped_everywhere(tmp_path):
    from touroute.web import create_app

    base = default_catalogue()
    evil_name = "<script>alert('x')</script>`${document.cookie}`"
    recs = [p.model_copy(update={"name_vi": evil_name, "name_en": evil_name, "source": "javascript:alert(1); <b>x</b>"})
            if p.id == "qnam-my-son-sanctuary" else p for p in base]
    ctx = PlanningContext(catalogue=Catalogue(recs), router=TravelTimes([]), data_dir=str(tmp_path / "data"))
    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "k", "TILES": None,
                      "PUBLIC_PLANS": True}, ctx=ctx)
    c = app.test_client()
    res = c.post("/api/plans", json=dict(BASE_REQ, must_visit=["qnam-my-son-sanctuary"],
                                         title="<img src=x onerror=alert(1)>"))
    assert res.status_code == 201, res.get_json()
    sid = res.get_json()["id"]
    for url in (f"/p/{sid}", f"/p/{sid}/map", f"/p/{sid}/print", "/plans", f"/p/{sid}?lang=en"):
        html = c.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "<b>x</b>" not in html
    map_html = c.get(f"/p/{sid}/map").get_data(as_text=True)
    assert "&lt;script&gt;alert" in map_html
    # folium puts popups/tooltips in JavaScript template literals: no backtick or ${ may survive there
    assert "${document.cookie}" not in map_html and "&#96;&#36;{document.cookie}&#96;" in map_html


def test_main_roads_layer_absent_without_network():
    from touroute.render.maps import main_roads_geojson

    assert main_roads_geojson(TravelTimes([])) is None


def test_serve_command_is_registered():
    from click.testing import CliRunner

    from touroute.cli import main

    res = CliRunner().invoke(main, ["serve", "--help"])
    assert res.exit_code == 0 and "--prod" in res.output and "--workers" in res.output


def test_immutable_reads_are_cached_and_revalidated(client, app, saved):
    """A saved plan never changes: its JSON, exports and map are computed once per process, answered with an ETag
    (a revalidation is a 304 without a body), and the map still gets a fresh CSP nonce per response."""
    from touroute.web.cache import read_cache

    sid = saved["id"]
    cache = read_cache(app)
    first = client.get(f"/api/plans/{sid}")
    hits = cache.hits
    again = client.get(f"/api/plans/{sid}")
    assert cache.hits == hits + 1 and again.data == first.data
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"] and "private" in first.headers["Cache-Control"]
    res = client.get(f"/api/plans/{sid}", headers={"If-None-Match": etag})
    assert res.status_code == 304 and res.data == b""
    gpx = client.get(f"/api/plans/{sid}/export.gpx")
    assert gpx.status_code == 200 and client.get(f"/api/plans/{sid}/export.gpx",
                                                 headers={"If-None-Match": gpx.headers["ETag"]}).status_code == 304
    m1, m2 = (client.get(f"/p/{sid}/map").get_data(as_text=True) for _ in range(2))
    n1, n2 = (re.search(r'<script nonce="([^"]+)"', m).group(1) for m in (m1, m2))
    assert n1 != n2 and m1.replace(n1, "") == m2.replace(n2, "")
    # a miss is not cached: an unknown plan stays a 404 (JSON naming the id) every time
    for _ in range(2):
        res = client.get("/api/plans/NoSuchPlan123/export.gpx")
        assert res.status_code == 404 and res.get_json()["fields"][0]["field"] == "id"


def test_form_errors_speak_the_page_language(client):
    """A bound broken in the form is said in the page's language ("days: phải nhỏ hơn hoặc bằng 14"), not in
    pydantic's English; the API keeps English in `message` and adds `message_vi`."""
    tok = csrf_token(client)
    res = client.post("/plan?lang=vi", data={"start": "hue-hub-hue-city", "days": "40", "start_date": MONDAY,
                                             "theme_heritage": "1", "csrf_token": tok})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "phải nhỏ hơn hoặc bằng 14" in page and "Input should be" not in page
    api = client.post("/api/plans", json={"start_date": MONDAY, "start": "hue-hub-hue-city", "days": 40})
    field = next(f for f in api.get_json()["fields"] if f["field"] == "days")
    assert field["message"] == "must be at most 14" and field["message_vi"] == "phải nhỏ hơn hoặc bằng 14"
