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
