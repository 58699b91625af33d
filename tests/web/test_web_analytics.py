"""Regional analytics in the web app (issue 6) through Flask's test client, against the library's own numbers.

Real SQLite file, real planner (no road network: legs estimated) with 1-second solver limits; every page and JSON
number is compared with :mod:`touroute.analytics` called directly on the same inputs.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import pytest

from touroute.analytics import compare, default_hubs, fairness_report, hub_matrix, reachable
from touroute.itinerary import Itinerary

MONDAY = "2026-12-07"
HUBS = ["hue-hub-hue-city", "dn-city-centre", "bd-quy-nhon"]


@pytest.fixture(scope="module")
def app(ctx, tmp_path_factory):
    from touroute.web import create_app

    tmp = tmp_path_factory.mktemp("web")
    return create_app({"DB_URL": f"sqlite:///{tmp / 'plans.sqlite3'}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0,
                       "TILES": None, "JOBS_DIR": str(tmp / "jobs"), "ANALYTICS_MAX_HUBS": 5,
                       # a tourism department's own server: every saved plan may be picked for a report
                       "PUBLIC_PLANS": True}, ctx=ctx)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def plans(app):
    """Two saved plans through the API (different regions, so the reports differ)."""
    c = app.test_client()
    out = []
    for req in ({"start": "qnam-hoi-an", "end": "dn-city-centre", "days": 2},
                {"start": "bd-quy-nhon", "end": "kh-hub-nha-trang", "days": 3}):
        res = c.post("/api/plans", json=dict(req, start_date=MONDAY, solver={"time_limit_s": 1.0}))
        assert res.status_code == 201, res.get_json()
        body = res.get_json()
        out.append((body["id"], Itinerary.model_validate(body["itinerary"])))
    return out


def _field(res) -> str:
    body = res.get_json()
    assert body and "error" in body and body["fields"], body
    return body["fields"][0]["field"]


# --------------------------------------------------------------------------------------------- nav & i18n
def test_nav_links_and_languages(client):
    vi = client.get("/analytics/?lang=vi").get_data(as_text=True)
    assert "Phân tích vùng" in vi and 'href="/analytics/"' in vi and 'href="/packages/"' in vi
    en = client.get("/analytics/?lang=en").get_data(as_text=True)
    assert "Regional analytics" in en and "Hub-to-hub matrix" in en and "Fair-benefit report" in en
    assert "Regional analytics" in client.get("/?lang=en").get_data(as_text=True)  # in the main nav


# --------------------------------------------------------------------------------------------- hub matrix
def test_matrix_api_equals_library(client, ctx):
    res = client.get("/api/analytics/matrix?profile=van&hub=" + "&hub=".join(HUBS))
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    hm = hub_matrix(ctx, HUBS, "van")
    assert body["profile"] == "van" and [h["id"] for h in body["hubs"]] == HUBS
    for i in range(len(HUBS)):
        for j in range(len(HUBS)):
            assert body["minutes"][i][j] == pytest.approx(hm.matrix.seconds[i, j] / 60, abs=0.051)
            assert body["km"][i][j] == pytest.approx(hm.matrix.metres[i, j] / 1000, abs=0.051)
            assert body["sources"][i][j] == hm.matrix.sources[i, j]
    assert body["cells"] == json.loads(hm.to_frame().to_json(orient="records", force_ascii=False))
    # comma-separated hubs are the same request
    assert client.get("/api/analytics/matrix?profile=van&hub=" + ",".join(HUBS)).get_json()["minutes"] == \
        body["minutes"]


def test_matrix_default_hubs_page_csv_and_heatmap(client, ctx, app):
    body = client.get("/api/analytics/matrix").get_json()
    assert [h["id"] for h in body["hubs"]] == default_hubs(ctx.catalogue)

    page = client.get("/analytics/matrix?profile=car&hub=" + "&hub=".join(HUBS)).get_data(as_text=True)
    hm = hub_matrix(ctx, HUBS, "car")
    cells = re.findall(r'data-from="([^"]+)" data-to="([^"]+)" data-minutes="([^"]+)" data-km="([^"]+)" '
                       r'data-source="([^"]+)"', page)
    assert len(cells) == len(HUBS) * (len(HUBS) - 1)
    for a, b, minutes, km, src in cells:
        i, j = HUBS.index(a), HUBS.index(b)
        assert float(minutes) == pytest.approx(hm.matrix.seconds[i, j] / 60, abs=0.051)
        assert float(km) == pytest.approx(hm.matrix.metres[i, j] / 1000, abs=0.051)
        assert src == hm.matrix.sources[i, j] == "estimate"  # no network loaded
    assert page.count("*<small>") == len(cells)  # every estimated cell is marked
    m = re.search(r'id="matrix-heatmap" alt="[^"]*" src="data:image/png;base64,([^"]+)"', page)
    assert m and base64.b64decode(m.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    csv_url = re.search(r'id="matrix-csv" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    res = client.get(csv_url)
    assert res.status_code == 200 and res.headers["Content-Type"].startswith("text/csv")
    assert res.get_data(as_text=True) == hm.to_csv()
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    assert len(rows) == len(cells) and {r["source"] for r in rows} == {"estimate"}
    # the second identical request is served from the per-process cache
    cache = app.extensions["touroute_analytics_cache"]
    hits = cache.hits
    client.get("/api/analytics/matrix?profile=car&hub=" + "&hub=".join(HUBS))
    assert cache.hits == hits + 1


@pytest.mark.parametrize("query, field", [
    ("profile=bus", "profile"),
    ("hub=hue-hub-hue-city&hub=nope", "hub"),
    ("hub=hue-hub-hue-city&hub=hue-imperial-city", "hub"),  # a place, but not a lodging hub
    ("hub=hue-hub-hue-city", "hub"),  # one hub is no matrix
    ("hub=hue-hub-hue-city&hub=hue-hub-hue-city", "hub"),
    ("hub=qb-hub-dong-hoi,qt-hub-dong-ha,hue-hub-hue-city,dn-city-centre,qnam-tam-ky,bd-quy-nhon", "hub"),  # > 5
])
def test_matrix_bad_params_are_4xx_naming_the_field(client, query, field):
    res = client.get("/api/analytics/matrix?" + query)
    assert 400 <= res.status_code < 500 and _field(res) == field
    page = client.get("/analytics/matrix?" + query)
    assert page.status_code == res.status_code
    assert f"<code>{field}</code>" in page.get_data(as_text=True)


# --------------------------------------------------------------------------------------------- reachability
def test_reach_sorted_within_budget_and_equal_to_library(client, ctx):
    res = client.get("/api/analytics/reach?hub=hue-hub-hue-city&minutes=75&profile=car&day_hours=2")
    assert res.status_code == 200, res.get_json()
    places = res.get_json()["places"]
    assert places, "Huế has places within 75 minutes"
    minutes = [p["minutes"] for p in places]
    assert minutes == sorted(minutes) and max(minutes) <= 75
    for p in places:
        assert p["day_trip_fits"] == (p["round_trip_minutes"] <= 2 * 60 + 0.05)
    lib = reachable(ctx, "hue-hub-hue-city", 75, "car", day_hours=2)
    assert [p["place_id"] for p in places] == list(lib["place_id"])
    assert minutes == pytest.approx(list(lib["minutes"]))
    assert {p["day_trip_fits"] for p in places} == {True, False}  # a 2-hour "day" leaves some out

    page = client.get("/analytics/reach?hub=hue-hub-hue-city&minutes=75&profile=car&day_hours=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.findall(r'<tr data-place="([^"]+)"', html) == [p["place_id"] for p in places]
    assert 'id="reach-frame"' in html and "/analytics/reach/map?" in html


def test_reach_map_is_local_and_credits_osm(client):
    res = client.get("/analytics/reach/map?hub=dn-city-centre&minutes=60&category=heritage")
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and res.mimetype == "text/html"
    assert "/vendor/leaflet/leaflet.js" in html and "cdn" not in html.lower()
    assert "OpenStreetMap" in html and "ODbL" in html
    assert html.count("circle_marker_") >= 2
    # the real base map, not bounding boxes: fetched from the app's own cacheable resource, and credited
    assert "/basemap/" in html and "Natural Earth" in html


@pytest.mark.parametrize("query, field", [
    ("minutes=60", "hub"),
    ("hub=nope&minutes=60", "hub"),
    ("hub=hue-hub-hue-city&minutes=0", "minutes"),
    ("hub=hue-hub-hue-city&minutes=nan", "minutes"),
    ("hub=hue-hub-hue-city&minutes=abc", "minutes"),
    ("hub=hue-hub-hue-city&minutes=100000", "minutes"),
    ("hub=hue-hub-hue-city&day_hours=0", "day_hours"),
    ("hub=hue-hub-hue-city&category=lodging", "category"),
    ("hub=hue-hub-hue-city&profile=plane", "profile"),
])
def test_reach_bad_params(client, query, field):
    res = client.get("/api/analytics/reach?" + query)
    assert res.status_code == 400 and _field(res) == field
    if "hub=" in query:  # the page without a hub is just the empty form
        page = client.get("/analytics/reach?" + query)
        assert page.status_code == 400 and f"<code>{field}</code>" in page.get_data(as_text=True)
    assert client.get("/analytics/reach/map?" + query).status_code == 400


# --------------------------------------------------------------------------------------------- fairness
def test_fairness_equals_library_for_chosen_plans(client, ctx, plans):
    (s1, it1), (s2, it2) = plans
    rep = fairness_report([it1, it2], ctx.catalogue)
    body = client.get(f"/api/analytics/fairness?plan={s1}&plan={s2}").get_json()
    assert body == json.loads(json.dumps(rep.to_json_dict()))
    assert body["itineraries"] == 2 and body["gini"] == round(rep.gini, 4) and body["hhi"] == round(rep.hhi, 4)
    one = client.get(f"/api/analytics/fairness?plan={s1}").get_json()
    assert one["gini"] == round(fairness_report([it1]).gini, 4) and one["itineraries"] == 1

    page = client.get(f"/analytics/fairness?plan={s1}&plan={s2}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'id="kpi-gini">([^<]+)<', html).group(1) == f"{rep.gini:.3f}"
    assert re.search(r'id="kpi-hhi">([^<]+)<', html).group(1) == f"{rep.hhi:.3f}"
    assert re.search(r'id="kpi-hhi-2025">([^<]+)<', html).group(1) == f"{rep.hhi_2025:.3f}"  # the 2025 provinces' own
    table = html.split('id="fairness-legacy"')[1].split("</table>")[0]
    rows = {p: (float(h), int(n), float(vh), int(vn), float(sp)) for p, h, n, vh, vn, sp in re.findall(
        r'<tr data-province="([^"]+)" data-hours="([^"]+)" data-nights="([^"]+)" data-visitor-hours="([^"]+)" '
        r'data-visitor-nights="([^"]+)" data-spend="([^"]+)">', table)}
    assert len(rows) == 12
    for r in rep.legacy.to_dict(orient="records"):
        assert rows[r["province_legacy"]] == (pytest.approx(r["visit_hours"], abs=5e-4), r["nights"],
                                              pytest.approx(r["visitor_hours"], abs=5e-4), r["visitor_nights"],
                                              pytest.approx(r["spend_vnd"], abs=0.5))
    assert 'id="fairness-chart"' in html and "data:image/png;base64," in html
    assert f"({len(rep.unused_places)})" in html
    # all=1: every saved plan
    every = client.get("/api/analytics/fairness?all=1").get_json()
    assert every["itineraries"] >= 2


@pytest.mark.parametrize("query, field, status", [
    ("plan=doesnotexist", "plan", 400),
    ("plan=../../etc/passwd", "plan", 400),
    ("all=maybe", "all", 400),
    ("job=0123456789abcdef0123456789abcdef", "job", 400),
    ("job=../../x", "job", 400),
    ("", "plan", 400),
])
def test_fairness_bad_params(client, query, field, status):
    res = client.get("/api/analytics/fairness?" + query)
    assert res.status_code == status and _field(res) == field


def test_compare_equals_library(client, plans):
    (s1, it1), (s2, it2) = plans
    body = client.get(f"/api/analytics/compare?a={s1}&b={s2}").get_json()
    df = compare(fairness_report([it1]), fairness_report([it2]))
    assert len(body["rows"]) == len(df)
    for row, exp in zip(body["rows"], df.to_dict(orient="records")):
        assert (row["item"], row["kind"]) == (exp["item"], exp["kind"])
        assert row["change"] == pytest.approx(exp["change"], abs=1e-6)
    page = client.get(f"/analytics/compare?a={s1}&b={s2}").get_data(as_text=True)
    import base64

    png = base64.b64decode(re.search(r'id="compare-chart"[^>]*src="data:image/png;base64,([^"]+)"', page).group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") > 300  # a real chart image
    got = re.findall(r'data-item="([^"]+)" data-kind="([^"]+)" data-change="([^"]+)"', page)
    assert [(i, k) for i, k, _ in got] == [(r["item"], r["kind"]) for r in df.to_dict(orient="records")]
    for (_i, _k, ch), exp in zip(got, df["change"]):
        assert float(ch) == pytest.approx(exp, abs=1e-6)
    res = client.get(f"/api/analytics/compare?a={s1}")
    assert res.status_code == 400 and _field(res) == "b"
    assert client.get(f"/analytics/compare?a={s1}").status_code == 400


def test_plan_titles_are_escaped_on_analytics_pages(app, client, plans):
    sid, it = plans[0]
    saved = app.extensions["touroute_store"].save("<script>alert('x')</script>", "{}", it.model_dump_json())
    for url in ("/analytics/fairness", f"/analytics/fairness?plan={saved.slug}", "/analytics/compare"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html, url


def test_plan_pickers_follow_the_listing_policy(app, client, plans):
    """With public listing off, the report pages offer only the plans made in this browser (no slug leaks)."""
    sid = plans[0][0]
    app.config["PUBLIC_PLANS"] = False
    try:
        assert f'value="{sid}"' not in client.get("/analytics/fairness").get_data(as_text=True)
        # a plan's link still works: naming it explicitly gives its report
        assert client.get(f"/api/analytics/fairness?plan={sid}").status_code == 200
        # "all plans" is all this browser may list — here none — never other people's trips
        res = client.get("/api/analytics/fairness?all=1")
        assert res.status_code != 200 or res.get_json()["itineraries"] == 0, res.get_json()
    finally:
        app.config["PUBLIC_PLANS"] = True
    assert f'value="{sid}"' in client.get("/analytics/fairness").get_data(as_text=True)


# --------------------------------------------------------------------------------------------- road what-if
def test_matrix_under_a_bundled_road_scenario_shows_its_change(client, ctx):
    """The hypothetical coastal road makes Quảng Ngãi ↔ Quy Nhơn faster and leaves Huế ↔ Đà Nẵng alone; the page
    and the API give analytics.hub_change's numbers; an unknown scenario is a 400 naming ``scenario``."""
    from touroute.analytics import hub_change, hub_matrix
    from touroute.network.scenario import load_scenario
    from touroute.resources import data_dir

    hubs = ["qng-quang-ngai-city", "bd-quy-nhon", "hue-hub-hue-city", "dn-city-centre"]
    sc = load_scenario(data_dir("scenarios", "coastal-road-quang-ngai-binh-dinh.yaml"))
    want = hub_change(hub_matrix(ctx, hubs, "car"), hub_matrix(ctx, hubs, "car", scenario=sc))
    want = {(r.from_id, r.to_id): r.change_minutes for r in want.itertuples() if abs(r.change_minutes) >= 0.05}
    assert want[("qng-quang-ngai-city", "bd-quy-nhon")] < 0 and ("hue-hub-hue-city", "dn-city-centre") not in want

    body = client.get("/api/analytics/matrix", query_string={"hub": hubs,
                                                              "scenario": "coastal-road-quang-ngai-binh-dinh"})
    assert body.status_code == 200, body.get_data(as_text=True)[:500]
    got = {(r["from_id"], r["to_id"]): r["change_minutes"] for r in body.get_json()["scenario"]["change"]}
    assert got == pytest.approx(want)
    page = client.get("/analytics/matrix", query_string={"hub": hubs, "scenario": "coastal-road-quang-ngai-binh-dinh"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="scenario-change"' in html
    assert 'data-from="qng-quang-ngai-city" data-to="bd-quy-nhon"' in html
    res = client.get("/api/analytics/matrix", query_string={"hub": hubs, "scenario": "../../etc/passwd"})
    assert res.status_code == 400 and res.get_json()["fields"][0]["field"] == "scenario"


# --------------------------------------------------------------------------------------------- issue 16
def test_fairness_counts_visitors_and_spend_of_saved_plans(app, client, ctx):
    """A 40-person saved plan weighs 20× a 2-person one with the same stops, on the page and in the API; spend
    per province adds up to the plans' costs; the unknown / assumed parts are listed."""
    c = app.test_client()
    saved = []
    for n in (2, 40):
        res = c.post("/api/plans", json={"start": "qnam-hoi-an", "end": "dn-city-centre", "days": 2,
                                         "start_date": MONDAY, "vehicle": "coach", "group_size": n,
                                         "evenings": False, "solver": {"time_limit_s": 1.0, "seed": 5}})
        assert res.status_code == 201, res.get_json()
        body = res.get_json()
        saved.append((body["id"], Itinerary.model_validate(body["itinerary"])))
    (s2, it2), (s40, it40) = saved
    if it2.stop_ids() != it40.stop_ids():  # the server's clock-bounded solve may differ between the two
        pytest.skip("the two solves chose different stops under the server's deadline")
    one = client.get(f"/api/analytics/fairness?plan={s2}").get_json()
    forty = client.get(f"/api/analytics/fairness?plan={s40}").get_json()
    assert forty["visitors"] == 40 and one["visitors"] == 2
    assert forty["total_visitor_hours"] == pytest.approx(20 * one["total_visitor_hours"], rel=1e-3)
    assert forty["total_visitor_nights"] == 20 * one["total_visitor_nights"]
    for it, body in ((it2, one), (it40, forty)):
        spent = sum(r["spend_vnd"] for r in body["legacy"]) + sum(body["spend_unplaced_vnd"].values())
        assert spent == pytest.approx(it.totals.costs.total, abs=2)
        assert body["spend_total_vnd"] == pytest.approx(it.totals.costs.total, abs=1)
        assert body["notes"]
    page = client.get(f"/analytics/fairness?plan={s40}&lang=en").get_data(as_text=True)
    assert re.search(r'id="kpi-visitors">40<', page)
    assert "Visitor-hours" in page and "Entry fees" in page and 'id="fairness-notes"' in page
    vi = client.get(f"/analytics/fairness?plan={s40}&lang=vi").get_data(as_text=True)
    assert "Lượt khách × giờ" in vi and "Vé tham quan" in vi


def test_heatmap_axes_name_the_hubs_in_the_page_language(client, ctx):
    from touroute.render.charts import png_text

    for lang in ("vi", "en"):
        page = client.get(f"/analytics/matrix?profile=car&lang={lang}&hub=" + "&hub=".join(HUBS)).get_data(
            as_text=True)
        m = re.search(r'id="matrix-heatmap" alt="[^"]*" src="data:image/png;base64,([^"]+)"', page)
        desc = png_text(base64.b64decode(m.group(1)))["Description"]
        for h in HUBS:
            p = ctx.catalogue.get(h)
            assert (p.name_vi if lang == "vi" else p.name_en) in desc and h not in desc
    for path in ("/analytics/fairness?all=1&lang=vi", "/analytics/quality?lang=en"):
        page = client.get(path).get_data(as_text=True)
        m = re.search(r'src="data:image/png;base64,([^"]+)"', page)
        desc = png_text(base64.b64decode(m.group(1)))["Description"]
        assert "Quảng Nam" in desc and not re.search(r"\b[a-z]{2,4}-[a-z-]+\b", desc)  # no catalogue ids
