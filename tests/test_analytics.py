"""Regional analytics: fairness numbers on hand-built itineraries, hub matrix on the real Huế network,
reachability, and the ``touroute analytics`` CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from touroute import analytics as an
from touroute.itinerary import DayPlan, Endpoint, Itinerary, ItineraryStop
from touroute.matrix import TravelTimes
from touroute.render.charts import fairness_chart_png, hub_heatmap_png
from touroute.planner import PlanningContext
from touroute.pois import default_catalogue

from .network_fixtures import hue_net, touroute_data_dir  # noqa: F401  (session fixtures)

pytestmark = pytest.mark.shared

PROV_NEW = {"Thừa Thiên Huế": "Huế", "Đà Nẵng": "Đà Nẵng", "Quảng Nam": "Đà Nẵng"}


def _stop(pid: str, province: str, start: datetime, minutes: int, wait: int = 0) -> ItineraryStop:
    return ItineraryStop(place_id=pid, name_vi=pid, name_en=pid, category="heritage", subcategory="museum",
                         province_legacy=province, province=PROV_NEW[province], lat=16.0, lon=108.0,
                         arrival=start - timedelta(minutes=wait), start=start,
                         departure=start + timedelta(minutes=minutes))


def _end(pid: str, province: str) -> Endpoint:
    return Endpoint(place_id=pid, name_vi=pid, name_en=pid, lat=16.0, lon=108.0, province_legacy=province,
                    province=PROV_NEW[province])


def _day(n: int, stops: list[ItineraryStop], lodging: Endpoint | None) -> DayPlan:
    d0 = datetime(2026, 12, 7 + n, 8, 0)
    hub = _end("hue-hub-hue-city", "Thừa Thiên Huế")
    return DayPlan(day=n, date=date(2026, 12, 7 + n), start=hub, end=lodging or hub, depart=d0,
                   arrive=d0 + timedelta(hours=9), stops=stops, legs=[], lodging=lodging)


def _plans() -> list[Itinerary]:
    t = datetime(2026, 12, 8, 9, 0)
    a = Itinerary(feasible=True, days=[
        _day(1, [_stop("hue-imperial-city", "Thừa Thiên Huế", t, 120, wait=30),  # waiting is not visiting
                 _stop("dn-cham-museum", "Đà Nẵng", t + timedelta(hours=4), 60)],
             _end("dn-city-centre", "Đà Nẵng")),
        _day(2, [_stop("qnam-hoi-an-ancient-town", "Quảng Nam", t + timedelta(days=1), 180)], None)])
    b = Itinerary(feasible=True, days=[
        _day(1, [_stop("hue-thien-mu-pagoda", "Thừa Thiên Huế", t, 60)], _end("hue-hub-hue-city", "Thừa Thiên Huế")),
        _day(2, [_stop("hue-imperial-city", "Thừa Thiên Huế", t + timedelta(days=1), 60)], None)])
    return [a, b]


def test_fairness_numbers_by_hand():
    rep = an.fairness_report(_plans())
    # Huế 2 h + 1 h + 1 h = 4 h, Đà Nẵng 1 h, Quảng Nam 3 h; total 8 h; nine provinces at 0.
    df = rep.to_frame().set_index("province_legacy")
    assert len(df) == 12
    assert df.at["Thừa Thiên Huế", "visit_hours"] == pytest.approx(4.0)
    assert df.at["Đà Nẵng", "visit_hours"] == pytest.approx(1.0)
    assert df.at["Quảng Nam", "visit_hours"] == pytest.approx(3.0)
    assert df["visit_hours"].sum() == pytest.approx(8.0) and rep.total_visit_hours == pytest.approx(8.0)
    assert df.at["Thừa Thiên Huế", "visit_share"] == pytest.approx(0.5)
    assert df.at["Quảng Nam", "visit_share"] == pytest.approx(0.375)
    assert df.at["Bình Định", "visit_hours"] == 0
    # nights: one in Đà Nẵng (plan A), one in Huế (plan B); last days have no lodging
    assert df.at["Đà Nẵng", "nights"] == 1 and df.at["Thừa Thiên Huế", "nights"] == 1 and rep.total_nights == 2
    assert df.at["Đà Nẵng", "nights_share"] == pytest.approx(0.5)
    # HHI = 0.5² + 0.125² + 0.375²
    assert rep.hhi == pytest.approx(0.25 + 0.015625 + 0.140625)
    # Gini over 12 values [4, 1, 3, 0×9]: Σ|xi−xj| over ordered pairs = 2·(3+1+2) + 2·9·(4+1+3) = 156;
    # G = 156 / (2 · 12² · mean), mean = 8/12
    assert rep.gini == pytest.approx(156 / (2 * 144 * (8 / 12)))
    # 2025 provinces: Quảng Nam + Đà Nẵng merged into Đà Nẵng
    new = rep.to_frame("2025").set_index("province")
    assert new.at["Đà Nẵng", "visit_hours"] == pytest.approx(4.0)
    assert new.at["Huế", "visit_hours"] == pytest.approx(4.0)
    assert new.at["Đà Nẵng", "visit_share"] == pytest.approx(0.5)
    assert new["nights"].sum() == 2
    # concentration in the 2025 provinces' own units (a review: --level 2025 printed the legacy HHI): Huế and Đà
    # Nẵng half each, the other 2025 provinces of the region at 0
    assert rep.concentration("2025") == (rep.gini_2025, rep.hhi_2025)
    assert rep.hhi_2025 == pytest.approx((new["visitor_hours_share"] ** 2).sum()) == pytest.approx(0.5)
    assert rep.gini_2025 == pytest.approx(an.gini(new["visitor_hours"].tolist())) and rep.hhi_2025 != rep.hhi


def test_index_extremes_and_unused_places():
    assert an.gini([5, 5, 5]) == pytest.approx(0.0) and an.hhi([5, 5, 5, 5]) == pytest.approx(0.25)
    assert an.gini([0] * 11 + [7]) == pytest.approx(11 / 12) and an.hhi([0, 0, 7]) == pytest.approx(1.0)
    assert an.gini([]) == 0.0 and an.hhi([0, 0]) == 0.0
    cat = default_catalogue().filter(province="Thừa Thiên Huế")
    rep = an.fairness_report(_plans(), cat)
    assert "hue-imperial-city" not in rep.unused_places and "hue-thien-mu-pagoda" not in rep.unused_places
    assert rep.unused_places and all(cat.get(p).category != "lodging" for p in rep.unused_places)
    empty = an.fairness_report([Itinerary(feasible=False)])
    assert empty.total_visit_hours == 0 and empty.gini == 0 and empty.hhi == 0


def test_compare_and_chart(tmp_path):
    a = an.fairness_report(_plans()[:1])
    b = an.fairness_report(_plans())
    df = an.compare(a, b)
    row = df[(df["item"] == "Thừa Thiên Huế") & (df["kind"] == "visit_hours")].iloc[0]
    assert row["a"] == pytest.approx(2.0) and row["b"] == pytest.approx(4.0) and row["change"] == pytest.approx(2.0)
    g = df[df["item"] == "gini"].iloc[0]
    assert g["change"] == pytest.approx(b.gini - a.gini)
    png = fairness_chart_png(b, tmp_path / "fair.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hub_matrix_on_hue_network(hue_net, tmp_path):  # noqa: F811
    ctx = PlanningContext(router=TravelTimes([hue_net]), data_dir=str(tmp_path))
    hm = an.hub_matrix(ctx, ["hue-hub-hue-city", "hue-thien-mu-pagoda", "dn-city-centre", "bd-quy-nhon"])
    src, mins, km = hm.sources, hm.minutes, hm.km
    assert src.at["hue-hub-hue-city", "hue-thien-mu-pagoda"] == "osm"
    assert src.at["hue-thien-mu-pagoda", "hue-hub-hue-city"] == "osm"
    assert 3 < mins.at["hue-hub-hue-city", "hue-thien-mu-pagoda"] < 40
    assert src.at["dn-city-centre", "bd-quy-nhon"] == "estimate"
    for a in hm.ids:
        for b in hm.ids:
            if a != b and src.at[a, b] == "estimate":
                assert mins.at[a, b] == pytest.approx(mins.at[b, a], rel=1e-6)
                assert km.at[a, b] == pytest.approx(km.at[b, a], rel=1e-6)
    df = hm.to_frame()
    assert len(df) == 12 and set(df["source"]) == {"osm", "estimate"}
    assert "*" in hm.to_markdown() and "hue-thien-mu-pagoda" in hm.to_csv()
    assert hub_heatmap_png(hm, tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_default_hubs_one_per_province():
    cat = default_catalogue()
    hubs = an.default_hubs(cat)
    provs = [cat.get(h).province_legacy for h in hubs]
    assert len(provs) == len(set(provs)) and "hue-hub-hue-city" in hubs
    for h in hubs:
        p = cat.get(h)
        assert p.category == "lodging"
        assert p.popularity == max(q.popularity for q in cat.hubs() if q.province_legacy == p.province_legacy)
    hm = an.hub_matrix(TravelTimes(), catalogue=cat)
    assert hm.ids == hubs and set(hm.to_frame()["source"]) == {"estimate"}
    with pytest.raises(an.AnalyticsError, match="no place"):
        an.hub_matrix(TravelTimes(), ["hue-nowhere"])


def test_reachable_within_limit_and_sorted():
    cat = default_catalogue()
    df = an.reachable(TravelTimes(), "hue-hub-hue-city", 45, catalogue=cat)
    assert len(df) > 5
    assert (df["minutes"] <= 45).all()
    assert df["minutes"].is_monotonic_increasing
    assert "hue-thien-mu-pagoda" in set(df["place_id"]) and "hue-hub-hue-city" not in set(df["place_id"])
    assert set(df["category"]) <= {"heritage", "mice", "coastal", "other"}
    assert set(df["source"]) == {"estimate"}
    row = df.set_index("place_id").loc["hue-thien-mu-pagoda"]
    assert row["round_trip_minutes"] == pytest.approx(row["minutes"] + row["return_minutes"] + 40, abs=0.11)
    assert bool(row["day_trip_fits"])
    far = an.reachable(TravelTimes(), "hue-hub-hue-city", 600, categories=["heritage"], catalogue=cat,
                       day_hours=2)
    assert set(far["category"]) == {"heritage"}
    assert (far["day_trip_fits"] == (far["round_trip_minutes"] <= 120)).all() and not far["day_trip_fits"].all()
    with pytest.raises(an.AnalyticsError):
        an.reachable(TravelTimes(), "hue-hub-hue-city", 0, catalogue=cat)


# ----------------------------------------------------------------------------------------------------- CLI
@pytest.fixture()
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path / "empty"))  # no cached networks: estimates only, fast
    return CliRunner()


def _cli():
    from touroute.cli import main

    return main


def test_cli_hubs_and_reach(runner, tmp_path):
    res = runner.invoke(_cli(), ["analytics", "hubs", "--format", "csv", "--png", str(tmp_path / "h.png")])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith("from_id,to_id")
    assert (tmp_path / "h.png").exists()
    res = runner.invoke(_cli(), ["analytics", "hubs", "--hub", "hue-hub-hue-city", "--hub", "dn-city-centre",
                                 "--format", "json", "--profile", "coach"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["profile"] == "coach" and len(body["rows"]) == 2
    res = runner.invoke(_cli(), ["analytics", "reach", "hue-hub-hue-city", "--minutes", "30"])
    assert res.exit_code == 0, res.output
    assert "hue-thien-mu-pagoda" in res.output


def test_cli_unknown_hub_is_a_clear_error(runner):
    res = runner.invoke(_cli(), ["analytics", "reach", "hue-nowhere", "--minutes", "30"])
    assert res.exit_code == 2
    assert "Error:" in res.output and "hue-nowhere" in res.output and "Traceback" not in res.output
    res = runner.invoke(_cli(), ["analytics", "hubs", "--hub", "xx-nope"])
    assert res.exit_code == 2 and "xx-nope" in res.output


def test_cli_reach_reads_a_hub_by_name_and_refuses_a_zero_day(runner):
    """A tourism department names its hub as `plan --start` does ("Da Nang" is the city-centre hub), and a day of
    0 hours is refused instead of marking every place as not fitting a day trip."""
    res = runner.invoke(_cli(), ["analytics", "reach", "Da Nang", "--minutes", "20", "--format", "json"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output[res.output.index("{"):])
    assert body["hub"] == "dn-city-centre" and any(r["place_id"] == "dn-cathedral" for r in body["rows"])
    res = runner.invoke(_cli(), ["analytics", "reach", "dn-city-centre", "--minutes", "60", "--day-hours", "0"])
    assert res.exit_code == 2 and "--day-hours" in res.output and "Traceback" not in res.output


def test_cli_fairness_and_compare(runner, tmp_path):
    a, b = _plans()
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(a.model_dump_json(indent=1), encoding="utf-8")
    pb.write_text(b.model_dump_json(indent=1), encoding="utf-8")
    res = runner.invoke(_cli(), ["analytics", "fairness", str(pa), str(pb), "--format", "json"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["total_visit_hours"] == pytest.approx(8.0) and body["hhi"] == pytest.approx(0.4062, abs=1e-3)
    res = runner.invoke(_cli(), ["analytics", "fairness", str(pa), "--png", str(tmp_path / "f.png")])
    assert res.exit_code == 0 and "Gini" in res.output and (tmp_path / "f.png").exists()
    res = runner.invoke(_cli(), ["analytics", "compare", str(pa), "--vs", str(pa), "--vs", str(pb),
                                 "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("item,kind,a,b,change") and "gini" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"days": 3}', encoding="utf-8")
    res = runner.invoke(_cli(), ["analytics", "fairness", str(bad)])
    assert res.exit_code == 2 and "bad.json" in res.output and "Traceback" not in res.output


# ----------------------------------------------------------------------------------- issue 16: visitors and spend
GROUP_BASE = {"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": "2026-12-07", "days": 2,
              "vehicle": "coach", "evenings": False, "solver": {"time_limit_s": 1.0, "seed": 3},
              "costs": {"include_fees": True, "lodging_per_night_per_person": 500_000}}


@pytest.fixture(scope="module")
def group_plans(ctx):
    """The same 2-day coach trip planned (real planner) for a couple and for a 40-person group."""
    from touroute.model import PlanRequest
    from touroute.planner import plan

    return [plan(PlanRequest.model_validate(dict(GROUP_BASE, group_size=n)), ctx, geometry=False) for n in (2, 40)]


def test_forty_person_plan_weighs_twenty_couples(group_plans):
    small, big = group_plans
    assert small.feasible and big.feasible
    assert small.stop_ids() == big.stop_ids() and small.totals.stops >= 2  # same stops: only the group differs
    r2, r40 = an.fairness_report([small]), an.fairness_report([big])
    assert r2.visitors == 2 and r40.visitors == 40
    assert r40.total_visitor_hours == pytest.approx(20 * r2.total_visitor_hours)
    assert r40.total_visitor_nights == 20 * r2.total_visitor_nights == 40
    a, b = r2.legacy.set_index("province_legacy"), r40.legacy.set_index("province_legacy")
    for name in a.index:
        assert b.at[name, "visitor_hours"] == pytest.approx(20 * a.at[name, "visitor_hours"])
        assert b.at[name, "visitor_nights"] == 20 * a.at[name, "visitor_nights"]
        assert b.at[name, "visit_hours"] == pytest.approx(a.at[name, "visit_hours"])  # per plan: no weight
    # together: the coach's provinces carry 40 of every 42 visitor-hours
    both = an.fairness_report([small, big])
    assert both.total_visitor_hours == pytest.approx(21 * r2.total_visitor_hours)
    assert both.total_visit_hours == pytest.approx(2 * r2.total_visit_hours)


def test_spend_per_province_sums_to_the_plans_costs(group_plans):
    for it in group_plans:
        c = it.totals.costs
        assert c.fees_total > 0 and c.lodging_total > 0 and c.vehicle_total > 0
        rep = an.fairness_report([it])
        for part, total in (("fees", c.fees_total), ("lodging", c.lodging_total), ("vehicle", c.vehicle_total)):
            placed = rep.legacy[f"spend_{part}_vnd"].sum() + rep.spend_unplaced.get(part, 0.0)
            assert placed == pytest.approx(total, rel=1e-9), part
        assert rep.legacy["spend_vnd"].sum() + sum(rep.spend_unplaced.values()) == pytest.approx(c.total)
        assert rep.spend_total == pytest.approx(c.total)
        assert rep.since_2025["spend_vnd"].sum() == pytest.approx(rep.legacy["spend_vnd"].sum())
        df = rep.legacy.set_index("province_legacy")
        # fees only where a visited place charges one, lodging only where the night is spent
        fee_provs = {s.province_legacy for d in it.days for s in d.stops if (s.fee_vnd or 0) > 0}
        assert {p for p in df.index if df.at[p, "spend_fees_vnd"] > 0} == fee_provs
        night_provs = {d.lodging.province_legacy for d in it.days if d.lodging is not None}
        assert {p for p in df.index if df.at[p, "spend_lodging_vnd"] > 0} == night_provs
        assert any("assumed" in n for n in rep.notes)  # the vehicle split is said to be an assumption
    # fees left out of a plan's costs are said so, not guessed
    no_fees = an.fairness_report([group_plans[0].model_copy(update={"totals": group_plans[0].totals.model_copy(
        update={"costs": group_plans[0].totals.costs.model_copy(update={"fees_total": 0.0})})})])
    assert any("did not include entry fees" in n for n in no_fees.notes)


def test_chart_axes_carry_names_in_the_page_language(ctx, group_plans, tmp_path):
    from touroute.quality import quality_report
    from touroute.render.charts import compare_chart_png, png_text, quality_chart_png

    hubs = ["hue-hub-hue-city", "dn-city-centre", "bd-quy-nhon"]
    hm = an.hub_matrix(ctx, hubs)
    for lang in ("vi", "en"):
        desc = png_text(hub_heatmap_png(hm, tmp_path / f"h-{lang}.png", lang))["Description"]
        for h in hubs:
            p = ctx.catalogue.get(h)
            assert (p.name_vi if lang == "vi" else p.name_en) in desc
            assert h not in desc  # names, not ids
        assert hm.label("dn-city-centre", lang) in hm.to_markdown(lang)
    rep = an.fairness_report(group_plans)
    desc = png_text(fairness_chart_png(rep, tmp_path / "f.png", "vi"))
    assert "Quảng Nam" in desc["Description"] and "Chi tiêu theo tỉnh" in desc["Title"]
    desc = png_text(compare_chart_png(an.compare(rep, rep), tmp_path / "c.png", "en"))["Description"]
    assert "Đà Nẵng" in desc
    q = png_text(quality_chart_png(quality_report(ctx.catalogue), "vi"))["Description"]
    assert "Giờ mở cửa" in q and "Giá vé" in q and "Thừa Thiên Huế" in q
