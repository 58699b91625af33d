"""Requests mean what users mean (issue 12, item 7): the theme rule, 2025 province names and the CLI flags.

Real catalogue and planner, no road network (every leg estimated), solver limits of 0.5 s.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from touroute import provinces as prov
from touroute.cli import main
from touroute.model import PlanRequest, ThemeWeights
from touroute.planner import plan

MONDAY = date(2026, 12, 7)
FAST = {"time_limit_s": 0.5}


# --------------------------------------------------------------------------------------------- theme rule
def test_themes_not_named_weigh_zero_and_categories_follow():
    req = PlanRequest(start_date=MONDAY, start="hue-hub-hue-city", themes={"heritage": 1, "coastal": 0.5})
    assert req.themes.model_dump() == {"heritage": 1.0, "mice": 0.0, "coastal": 0.5, "other": 0.0}
    assert req.categories == ["heritage", "coastal"]
    # naming a weight counts even when the value equals its default (model_fields_set, not a comparison)
    only = PlanRequest(start_date=MONDAY, start="hue-hub-hue-city", themes={"heritage": 1.0})
    assert only.themes.other == 0.0 and only.categories == ["heritage"]
    # no theme named: the documented defaults, and the default categories
    plain = PlanRequest(start_date=MONDAY, start="hue-hub-hue-city")
    assert plain.themes == ThemeWeights() and plain.themes.other == 0.6
    assert plain.categories == ["heritage", "coastal", "other"]
    empty = PlanRequest(start_date=MONDAY, start="hue-hub-hue-city", themes={})
    assert empty.themes == ThemeWeights()
    # the itinerary's echo of the request re-validates to the same request
    again = PlanRequest.model_validate(req.model_dump(mode="json"))
    assert again.themes == req.themes and again.categories == req.categories


def test_themes_and_categories_must_agree():
    with pytest.raises(ValidationError, match="categories lists coastal but themes gives it weight 0"):
        PlanRequest(start_date=MONDAY, start="hue-hub-hue-city", themes={"heritage": 1},
                    categories=["heritage", "coastal"])
    with pytest.raises(ValidationError, match="every weight named is 0"):
        PlanRequest(start_date=MONDAY, start="hue-hub-hue-city", themes={"heritage": 0})
    # a narrower category list than the weights is a filter, and fine
    req = PlanRequest(start_date=MONDAY, start="hue-hub-hue-city", themes={"heritage": 1, "coastal": 2},
                      categories=["coastal"])
    assert req.categories == ["coastal"] and req.themes.heritage == 1.0


def test_theme_rule_through_the_api(ctx, tmp_path_factory):
    from touroute.web import create_app

    db = tmp_path_factory.mktemp("db") / "plans.sqlite3"
    app = create_app({"DB_URL": f"sqlite:///{db}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0, "REPLAN_SECONDS": 1.0,
                      "MAX_PLAN_SECONDS": 10, "TILES": None, "PUBLIC_PLANS": True}, ctx=ctx)
    body = {"start": "qnam-hoi-an", "start_date": MONDAY.isoformat(), "days": 1, "themes": {"heritage": 1},
            "solver": FAST}
    res = app.test_client().post("/api/plans", json=body)
    assert res.status_code == 201, res.get_json()
    it = res.get_json()["itinerary"]
    assert it["request"]["themes"] == {"heritage": 1.0, "mice": 0.0, "coastal": 0.0, "other": 0.0}
    assert it["request"]["categories"] == ["heritage"]
    page = app.test_client().get(f"/p/{res.get_json()['id']}?lang=en").get_data(as_text=True)
    assert re.search(r'id="weights-used">Theme weights used:\s*Heritage 1, MICE / events 0, Coast &amp; islands 0,'
                     r' Nature &amp; leisure 0', page), page[page.find("weights-used") - 50:][:300]
    # the visit time per theme is shown beside the time per province (only heritage here: the only theme named)
    assert it["totals"]["visit_minutes_by_theme"] and set(it["totals"]["visit_minutes_by_theme"]) == {"heritage"}
    assert re.search(r'Visit time per theme</h3>\s*<div class="bars" id="theme-minutes">.*?Heritage</span>', page, re.S)
    stops = [s["place_id"] for d in it["days"] for s in d["stops"]]
    assert stops and all(ctx.catalogue.get(p).category == "heritage" for p in stops if not p.startswith("ferry:"))
    bad = app.test_client().post("/api/plans", json=dict(body, categories=["heritage", "other"]))
    assert bad.status_code == 422 and "themes" in [f["field"] for f in bad.get_json()["fields"]], bad.get_json()
    # the API description states the rule
    text = json.dumps(app.test_client().get("/api/openapi.json").get_json(), ensure_ascii=False)
    assert "not named" in text and "province_scheme" in text


# --------------------------------------------------------------------------------------------- provinces
@pytest.mark.parametrize("name, legacy", [
    ("Da Nang", ["Đà Nẵng", "Quảng Nam"]), ("da nang", ["Đà Nẵng", "Quảng Nam"]),
    ("ĐÀ NẴNG", ["Đà Nẵng", "Quảng Nam"]), ("TP. Đà Nẵng", ["Đà Nẵng", "Quảng Nam"]),
    ("legacy:Da Nang", ["Đà Nẵng"]), ("cũ: Đà Nẵng", ["Đà Nẵng"]), ("2025:Quang Nam", ["Đà Nẵng", "Quảng Nam"]),
    ("Quang Nam", ["Quảng Nam"]), ("Hue", ["Thừa Thiên Huế"]), ("Thua Thien Hue", ["Thừa Thiên Huế"]),
    ("Binh Dinh", ["Bình Định"]), ("Gia Lai", ["Bình Định"]), ("khanh hoa", ["Khánh Hòa", "Ninh Thuận"]),
    ("Quảng Trị", ["Quảng Bình", "Quảng Trị"]), ("HCMC", ["Hồ Chí Minh"]),
])
def test_province_names_with_or_without_diacritics(name, legacy):
    assert [p.legacy for p in prov.resolve(name)] == legacy


def test_ambiguous_names_follow_the_scheme():
    assert {n for n in prov.new_names() + prov.legacy_names() if prov.is_ambiguous(n)} == \
        {"Quảng Trị", "Đà Nẵng", "Khánh Hòa"}
    assert [p.legacy for p in prov.resolve("Da Nang", era="legacy")] == ["Đà Nẵng"]
    assert [p.legacy for p in prov.resolve("2025:Da Nang", era="legacy")] == ["Đà Nẵng", "Quảng Nam"]
    assert [p.legacy for p in prov.resolve("Gia Lai", era="legacy")] == ["Bình Định"]  # only a 2025 name
    with pytest.raises(prov.UnknownProvinceError, match="outside touroute's region"):  # legacy Gia Lai: highlands
        prov.resolve("legacy:Gia Lai")
    with pytest.raises(prov.UnknownProvinceError, match="not a legacy province"):
        prov.resolve("legacy:Huế")  # only a 2025 name
    with pytest.raises(prov.UnknownProvinceError, match="unknown province"):
        prov.resolve("Atlantis")


def test_rule_groups_count_the_area_each_name_means():
    g = prov.rule_groups(["Da Nang", "Huế"])
    assert g.covered == {"Đà Nẵng (2025)": "Da Nang", "Thừa Thiên Huế": "Huế"}
    assert g.group_of["Quảng Nam"] == g.group_of["Đà Nẵng"] == "Đà Nẵng (2025)"
    # provinces not named count on their own, as legacy provinces (a share cap then holds for any larger area)
    assert (g.group_of["Quảng Bình"], g.group_of["Quảng Trị"]) == ("Quảng Bình", "Quảng Trị")
    assert len(g.labels) == len(prov.provinces()) - 1
    # Đà Nẵng named beside its part Quảng Nam: the old city
    both = prov.rule_groups(["Đà Nẵng", "Quảng Nam"])
    assert set(both.covered) == {"Đà Nẵng", "Quảng Nam"} and both.group_of["Đà Nẵng"] == "Đà Nẵng"
    # an explicit 2025 name containing a named part adds no rule of its own
    assert set(prov.rule_groups(["2025:Đà Nẵng", "Quảng Nam"]).covered) == {"Quảng Nam"}
    legacy = prov.rule_groups(["Khánh Hòa"], "legacy")
    assert legacy.covered == {"Khánh Hòa": "Khánh Hòa"} and len(legacy.labels) == len(prov.provinces())


def test_plan_filtered_to_2025_da_nang_can_visit_hoi_an(ctx):
    req = PlanRequest(start_date=MONDAY, days=1, start="dn-city-centre", provinces=["Da Nang"],
                      categories=["heritage"], regional={"must_cover": ["Quang Nam"]}, solver=FAST)
    it = plan(req, ctx, geometry=False)
    assert it.feasible, it.problems
    assert "Quảng Nam" in {s.province_legacy for d in it.days for s in d.stops}
    assert not any(e.place_id == "qnam-hoi-an-ancient-town" and e.reason == "not_in_filter" for e in it.excluded)
    # the same names read as legacy provinces: Đà Nẵng is the old city, Quảng Nam is outside the filter
    old = req.model_copy(update={"province_scheme": "legacy"})
    it_old = plan(old, ctx, geometry=False)
    assert not it_old.feasible and any("Quảng Nam" in p for p in it_old.problems), it_old.problems


def test_must_cover_2025_da_nang_counts_quang_nam_stops(ctx):
    # places only in legacy Quảng Nam: covering 2025 Đà Nẵng is met by them, covering the old city is not
    req = PlanRequest(start_date=MONDAY, days=1, start="qnam-hoi-an", provinces=["Quảng Nam"],
                      regional={"must_cover": ["Đà Nẵng"], "min_stops_per_province": 2}, solver=FAST)
    it = plan(req, ctx, geometry=False)
    assert it.feasible, it.problems
    assert sum(len(d.stops) for d in it.days) >= 2
    it_old = plan(req.model_copy(update={"regional": req.regional.model_copy(
        update={"must_cover": ["legacy:Đà Nẵng"]})}), ctx, geometry=False)
    assert not it_old.feasible and any("must cover Đà Nẵng" in p for p in it_old.problems), it_old.problems


# --------------------------------------------------------------------------------------------- CLI flags
def test_cli_theme_pace_and_lunch_flags(tmp_path, monkeypatch, ctx):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path))
    out = tmp_path / "plan.json"
    r = CliRunner().invoke(main, ["plan", "--start", "qnam-hoi-an", "--days", "1", "--date", MONDAY.isoformat(),
                                  "--seconds", "0.5", "--theme", "heritage=1", "--themes", "coastal=0.5,other=0",
                                  "--pace", "packed", "--lunch", "12:00-14:00", "--lunch-minutes", "45",
                                  "--province", "Da Nang", "--format", "json", "--no-geometry", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    req = data["request"]
    assert req["themes"] == {"heritage": 1.0, "mice": 0.0, "coastal": 0.5, "other": 0.0}
    assert req["categories"] == ["heritage", "coastal"] and req["pace"] == "packed"
    assert req["lunch"] == {"minutes": 45, "earliest": "12:00:00", "latest_end": "14:00:00"}
    assert req["provinces"] == ["Da Nang"] and req["province_scheme"] == "2025"
    assert data["feasible"] and {s["province_legacy"] for d in data["days"] for s in d["stops"]} <= \
        {"Đà Nẵng", "Quảng Nam"}
    assert {ctx.catalogue.get(s["place_id"]).category for d in data["days"] for s in d["stops"]
            if s["kind"] != "ferry_excursion"} <= {"heritage", "coastal"}
    # the text output says which weights were used
    r = CliRunner().invoke(main, ["plan", "--start", "qnam-hoi-an", "--days", "1", "--date", MONDAY.isoformat(),
                                  "--seconds", "0.5", "--theme", "heritage=2"])
    assert r.exit_code == 0, r.output
    assert "Theme weights used: heritage 2, mice 0, coastal 0, other 0" in r.output


@pytest.mark.parametrize("args, flag", [
    (["--theme", "heritage"], "--theme"), (["--theme", "beaches=1"], "--theme"),
    (["--theme", "heritage=lots"], "--theme"), (["--theme", "heritage=11"], "--theme"),
    (["--theme", "heritage=1,heritage=2"], "--theme"), (["--theme", "heritage=0"], "--theme"),
    (["--theme", "heritage=1", "--category", "heritage,other"], "--category"),
    (["--pace", "fast"], "--pace"),
    (["--lunch", "noon"], "--lunch"), (["--lunch", "11:30"], "--lunch"), (["--lunch", "12:00-12:30"], "--lunch"),
    (["--lunch", "25:00-26:00"], "--lunch"), (["--lunch", "05:00-07:00"], "--lunch"),
    (["--lunch-minutes", "5"], "--lunch-minutes"), (["--no-lunch", "--lunch", "11:00-13:00"], "--no-lunch"),
    (["--day-start", "8am"], "--day-start"), (["--province-scheme", "1975"], "--province-scheme"),
    # a misspelt province is refused when the request is read (it was a traceback from the catalogue filter)
    (["--province", "Quang Ngia"], "--province"), (["--cover", "Narnia"], "--cover"),
    (["--province", "legacy:Gia Lai"], "--province"),
])
def test_cli_bad_values_name_the_flag(args, flag, tmp_path, monkeypatch):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path))
    r = CliRunner().invoke(main, ["plan", "--start", "qnam-hoi-an", "--days", "1", "--seconds", "0.5", *args])
    assert r.exit_code == 2, r.output
    assert flag in r.output and "Traceback" not in r.output, r.output


@pytest.mark.parametrize("name, now", [("Kon Tum", "Quảng Ngãi"), ("legacy:Gia Lai", "Gia Lai"),
                                       ("Dak Nong", "Lâm Đồng"), ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh")])
def test_a_legacy_province_outside_the_region_is_named_as_such(name, now):
    """A review: "Kon Tum" (now part of Quảng Ngãi) was an "unknown province" and "legacy:Gia Lai" was "not a legacy
    province". They are real provinces outside the catalogue's region: the answer says so and what to name."""
    from touroute import provinces as prov

    with pytest.raises(prov.UnknownProvinceError) as e:
        prov.resolve(name)
    assert "outside touroute's region" in str(e.value) and f"part of {now}" in str(e.value)
    assert [p.legacy for p in prov.resolve(now)]  # the 2025 name is the region's part of it
