"""Island nights (issue 12, item 6): a 2D1N on Lý Sơn or Cù Lao Chàm with the scheduled boats both ways, checked by
the independent checker, and the ferries' storm-season limits explained in both languages."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from click.testing import CliRunner

from touroute.cli import main
from touroute.itinerary import Itinerary
from touroute.model import PlanRequest
from touroute.network.ferries import load_ferry_links
from touroute.planner import PlanningError, build_model, plan

from .corner_requests import rebuilt_check
from .planner.test_plan import verify, verify_promises

MAY = date(2027, 5, 3)      # calm season for both islands
OCTOBER = date(2026, 10, 12)  # Cù Lao Chàm's boats do not run (ferries.csv: suspended 09-01..12-31)


def _link(ctx, link_id):
    return next(f for f in ctx.router.ferries if f.id == link_id)


def _on(link, ctx, pid: str) -> bool:
    p = ctx.catalogue.get(pid)
    return link.on_island(p.lat, p.lon)


def _access_points(ctx) -> list[str]:
    """Piers and ports are access points, never sights (the lead's rule); excluded so this test does not depend on
    when that rule lands."""
    return [p.id for p in ctx.catalogue if p.subcategory in ("pier", "ferry_port")]


def _island_trip(it, link, ctx):
    """Per day: (stops before the boat, the boat, stops after it), for the days that take a boat of ``link``."""
    out = {}
    for d in it.days:
        k = [i for i, s in enumerate(d.stops) if s.kind == "ferry_crossing" and f":{link.id}:" in s.place_id]
        if k:
            assert len(k) == 1, "one crossing of a link per day"
            out[d.day] = (d.stops[:k[0]], d.stops[k[0]], d.stops[k[0] + 1:])
    return out


def _boards(stop, link) -> float:
    t0 = datetime.combine(stop.start.date(), datetime.min.time())
    return (stop.start - t0).total_seconds() / 60 + link.buffer_min


@pytest.mark.parametrize("seed", [0, 1])
def test_ly_son_two_days_one_night_sleeps_on_the_island(ctx, seed):
    link = _link(ctx, "ly-son-sa-ky")
    req = PlanRequest(start_date=MAY, days=2, start="qng-quang-ngai-city", tags=["island"],
                      exclude=_access_points(ctx), overnight={"pinned": {1: "qng-ly-son-town"}},
                      solver={"time_limit_s": 2, "seed": seed})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    verify_promises(it, req, ctx)
    assert rebuilt_check(it, req, ctx) == []
    assert it.days[0].lodging.place_id == "qng-ly-son-town" and _on(link, ctx, it.days[0].end.place_id)
    trips = _island_trip(it, link, ctx)
    assert set(trips) == {1, 2}
    # day 1: mainland, then the boat out, then only the island; day 2: the island, the boat back, then mainland
    before, boat_out, after = trips[1]
    assert boat_out.place_id.split(":")[2] == "out"
    assert not any(_on(link, ctx, s.place_id) for s in before)
    assert after and all(_on(link, ctx, s.place_id) for s in after)
    before2, boat_back, after2 = trips[2]
    assert boat_back.place_id.split(":")[2] == "back"
    assert before2 and all(_on(link, ctx, s.place_id) for s in before2)
    assert not any(_on(link, ctx, s.place_id) for s in after2)
    # the boats leave at departures of the table (spread between 07:30 and 15:30: no timetable is published)
    spread = [t.hour * 60 + t.minute for t in link.departures("out")[0]]
    assert any(abs(_boards(boat_out, link) - t) < 0.5 for t in spread)
    assert any(abs(_boards(boat_back, link) - t) < 0.5 for t in spread)
    assert boat_out.start >= it.days[0].legs[0].depart  # check-in after leaving Quảng Ngãi
    assert any("approximate" in w for w in it.warnings) and any("level 6" in w for w in it.warnings)
    # legs on the island side start / end at the island port, not at the mainland port
    leg = next(g for g in it.days[0].legs if g.from_id == boat_out.place_id)
    assert leg.geometry[0] == pytest.approx((link.to_lat, link.to_lon))


def test_island_night_without_the_boat_fails_the_checker(ctx):
    """The boats are mandatory nodes and the shores are joined only through them: a day that 'drives' to the island
    hub, or leaves it by road, is rejected by the independent checker."""
    from touroute.solve import check
    from touroute.solve.solution import make_solution

    req = PlanRequest(start_date=MAY, days=2, start="qng-quang-ngai-city", tags=["island"],
                      exclude=_access_points(ctx), overnight={"pinned": {1: "qng-ly-son-town"}})
    model = build_model(req, ctx)
    P = model.problem
    stay = model.stays[0]
    s, e, h = model.start, model.end, stay.hub_node
    sight = stay.island_nodes[0]
    assert {stay.out_node, stay.back_node} <= P.mandatory
    no_boats = check(P, make_solution(P, [[s, h], [h, e]]))
    assert any(f"mandatory node {stay.out_node}" in v for v in no_boats)
    # an island sight straight from the mainland (no boat) cannot be reached within the day
    road = check(P, make_solution(P, [[s, sight, stay.out_node, h], [h, stay.back_node, e]]))
    assert any("no window left" in v or "t_end" in v for v in road)
    # leaving the island by road on day 2 (the boat back skipped) is rejected too
    assert any(f"mandatory node {stay.back_node}" in v
               for v in check(P, make_solution(P, [[s, stay.out_node, h], [h, e]])))
    # the boat back cannot be taken from the mainland side: a mainland sight before it is out of reach
    mainland = next(i for i in model.candidates if i not in stay.island_nodes and i not in model.excursions)
    assert check(P, make_solution(P, [[s, stay.out_node, h], [h, mainland, stay.back_node, e]]))
    # the honest 2D1N without sights passes: the rejections above are the shores, not the boats
    assert check(P, make_solution(P, [[s, stay.out_node, h], [h, stay.back_node, e]])) == []


def test_three_day_trip_sleeps_on_the_island_only_on_its_pinned_night(ctx):
    req = PlanRequest(start_date=MAY, days=3, start="qng-quang-ngai-city", end="qnam-hoi-an",
                      exclude=_access_points(ctx), overnight={"pinned": {1: "qng-ly-son-town"}},
                      solver={"time_limit_s": 2})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    verify_promises(it, req, ctx)
    assert rebuilt_check(it, req, ctx) == []
    links = load_ferry_links()
    night2 = ctx.catalogue.get(it.days[1].end.place_id)
    assert not any(f.on_island(night2.lat, night2.lon) for f in links)


def test_cu_lao_cham_night_in_may_uses_the_published_timetable(ctx):
    link = _link(ctx, "cu-lao-cham-cua-dai")
    req = PlanRequest(start_date=MAY, days=2, start="qnam-hoi-an", exclude=_access_points(ctx),
                      overnight={"fixed": ["qnam-cu-lao-cham-bai-lang"], "mode": "fixed"},
                      solver={"time_limit_s": 2})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    assert rebuilt_check(it, req, ctx) == []
    assert it.days[0].end.place_id == "qnam-cu-lao-cham-bai-lang"
    trips = _island_trip(it, link, ctx)
    assert {round(_boards(trips[1][1], link))} <= {8 * 60, 13 * 60 + 30}   # published: 08:00, 13:30
    assert {round(_boards(trips[2][1], link))} <= {7 * 60, 13 * 60}        # published returns: 07:00, 13:00
    assert not any("approximate" in w for w in it.warnings)


def test_cu_lao_cham_night_in_the_storm_season_is_refused_with_the_reason(ctx):
    req = PlanRequest(start_date=OCTOBER, days=2, start="qnam-hoi-an",
                      overnight={"pinned": {1: "qnam-cu-lao-cham-bai-lang"}}, solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    assert not it.feasible and len(it.problems) == 1
    text = it.problems[0]
    assert "night 1 on Cù Lao Chàm" in text and "do not run on 12 Oct 2026" in text and "1 Sep – 31 Dec" in text
    assert "không chạy ngày 12/10/2026" in text and "mùa mưa bão" in text
    assert "travelshelper.com" in text  # the source of the season


def test_cu_lao_cham_day_trip_in_the_storm_season_is_excluded_with_the_reason(ctx):
    req = PlanRequest(start_date=OCTOBER, days=2, start="qnam-hoi-an", solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    assert it.feasible
    assert not any("cu-lao-cham" in s.place_id for d in it.days for s in d.stops)
    why = next(x for x in it.excluded if x.place_id == "qnam-cu-lao-cham")
    assert why.reason == "ferry" and "do not run" in why.message_en and "không chạy" in why.message_vi
    # as a must-visit: infeasible, with the same reason
    it = plan(req.model_copy(update={"must_visit": ["qnam-cu-lao-cham"]}), ctx, geometry=False)
    assert not it.feasible and any("Cù Lao Chàm" in p and "do not run" in p for p in it.problems)
    # in May the same day trip is possible (from 07:00: the day trip takes the 08:00 boat)
    may = PlanRequest(start_date=MAY, days=2, start="qnam-hoi-an", day_start="07:00", must_visit=["qnam-cu-lao-cham"],
                      solver={"time_limit_s": 1})
    it = plan(may, ctx, geometry=False)
    assert it.feasible, it.problems and any(s.kind == "ferry_excursion" for d in it.days for s in d.stops)


def test_island_start_is_still_refused_and_ferries_off_explains(ctx):
    with pytest.raises(PlanningError, match="start and end on the mainland"):
        build_model(PlanRequest(start_date=MAY, days=2, start="qng-ly-son-town"), ctx)
    req = PlanRequest(start_date=MAY, days=2, start="qng-quang-ngai-city", use_ferries=False,
                      overnight={"pinned": {1: "qng-ly-son-town"}}, solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    assert not it.feasible and "ferries are disabled" in it.problems[0]


def _table_with(tmp_path, field: str, value: str):
    """The real ferry table with ``field`` of its first link set to ``value``, written to a temporary file."""
    import csv
    import io

    from touroute.resources import data_dir

    rows = list(csv.reader(io.StringIO(data_dir("reference", "ferries.csv").read_text(encoding="utf-8"))))
    rows[1][rows[0].index(field)] = value
    path = tmp_path / "ferries.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize("period,inside,outside", [
    ("09-01..12-31", date(2026, 12, 31), date(2027, 1, 1)),
    ("11-15..02-10", date(2027, 1, 20), date(2027, 3, 1)),   # wraps over New Year
    ("2026-06-12..2026-06-14", date(2026, 6, 13), date(2027, 6, 13)),  # one announcement, not every year
])
def test_suspension_periods(tmp_path, period, inside, outside):
    link = load_ferry_links(_table_with(tmp_path, "suspended", period))[0]
    assert link.suspended_on(inside) and not link.suspended_on(outside)


@pytest.mark.parametrize("period", ["13-01..12-31", "09-01", "2026-09-01..12-31", "2026-12-01..2026-01-01"])
def test_bad_suspension_period_is_reported(tmp_path, period):
    from touroute.errors import DataError

    with pytest.raises(DataError, match="suspended"):
        load_ferry_links(_table_with(tmp_path, "suspended", period))


def test_a_suspension_needs_its_source(tmp_path):
    from touroute.errors import DataError

    path = _table_with(tmp_path, "suspended", "09-01..12-31")
    import csv

    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][rows[0].index("suspended_source")] = ""
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(DataError, match="suspended_source"):
        load_ferry_links(path)


def test_island_hub_among_candidates_in_the_storm_season_is_not_used_and_the_plan_says_why(ctx):
    req = PlanRequest(start_date=OCTOBER, days=2, start="qnam-hoi-an",
                      overnight={"candidates": ["qnam-cu-lao-cham-bai-lang", "dn-city-centre"]},
                      solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    assert it.feasible and it.days[0].end.place_id == "dn-city-centre"
    w = next(x for x in it.warnings if "Bãi Làng" in x)
    assert "no night on" in w and "do not run" in w and "không chạy" in w


def test_island_hub_among_candidates_gets_the_best_night(ctx):
    """Listing the island's hub among the candidate nights asks for a night there: every night is tried and the
    best feasible one kept (here a 3-day round trip from Quảng Ngãi)."""
    link = _link(ctx, "ly-son-sa-ky")
    req = PlanRequest(start_date=MAY, days=3, start="qng-quang-ngai-city", exclude=_access_points(ctx),
                      overnight={"candidates": ["qng-ly-son-town", "qng-quang-ngai-city", "qnam-tam-ky"]},
                      solver={"time_limit_s": 2})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    nights = [d.end.place_id for d in it.days[:-1]]
    assert nights.count("qng-ly-son-town") == 1 and set(nights) <= set(req.overnight.candidates)
    n = nights.index("qng-ly-son-town") + 1
    pinned = PlanRequest(**{**req.model_dump(), "overnight": {"candidates": ["qng-quang-ngai-city", "qnam-tam-ky"],
                                                               "pinned": {n: "qng-ly-son-town"}}})
    assert rebuilt_check(it, pinned, ctx) == []
    assert set(_island_trip(it, link, ctx)) == {n, n + 1}
    assert any("island night(s) tried" in w for w in it.warnings)


def test_two_nights_on_the_island_keep_the_middle_day_on_the_island(ctx):
    """A day that starts and ends on the island hub has no boat: it must not reach the mainland (the hotel-pair
    bound between the island hub and mainland hotels is no leg to a mainland place)."""
    link = _link(ctx, "ly-son-sa-ky")
    req = PlanRequest(start_date=MAY, days=4, start="qng-quang-ngai-city", categories=["heritage"],
                      exclude=_access_points(ctx), overnight={"pinned": {1: "qng-ly-son-town", 2: "qng-ly-son-town"}},
                      solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    assert rebuilt_check(it, req, ctx) == []
    assert all(_on(link, ctx, s.place_id) for s in it.days[1].stops)
    assert set(_island_trip(it, link, ctx)) == {1, 3}


def test_a_night_on_cu_lao_cham_tours_the_island(ctx):
    """The 08:00 boat needs a 07:45 check-in: with days from 08:00 the night's group lands at 14:00 and takes the
    13:00 boat back. The island's 5-hour day-trip visit fitted neither part-day, so a night there saw nothing of it
    (a review); on a night the island's own tour is 3 h (planner.model.ISLAND_NIGHT_TOUR_S), toured between the
    boats."""
    from touroute.planner.model import ISLAND_NIGHT_TOUR_S

    req = PlanRequest(start_date=MAY, days=2, start="qnam-hoi-an", exclude=_access_points(ctx),
                      overnight={"pinned": {1: "qnam-cu-lao-cham-bai-lang"}}, solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    assert rebuilt_check(it, req, ctx) == []
    trips = _island_trip(it, _link(ctx, "cu-lao-cham-cua-dai"), ctx)
    on_island = [s for s in trips[1][2]] + [s for s in trips[2][0]]
    tour = [s for s in on_island if s.place_id == "qnam-cu-lao-cham"]
    assert tour and (tour[0].departure - tour[0].start).total_seconds() <= ISLAND_NIGHT_TOUR_S + 1


def test_cu_lao_cham_sight_that_does_not_fit_between_the_boats_says_so(ctx):
    """Days of 10:00–16:30 leave 2 h 30 after landing at 14:00 and 2 h 45 before the 12:45 check-in: even the
    island's 3-h tour fits neither part-day, and the plan says so (not "too far"); as a must-visit the request is
    refused, explained by the boats."""
    req = PlanRequest(start_date=MAY, days=2, start="qnam-hoi-an", exclude=_access_points(ctx), day_start="10:00",
                      day_end="16:30", overnight={"pinned": {1: "qnam-cu-lao-cham-bai-lang"}},
                      solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    why = next(x for x in it.excluded if x.place_id == "qnam-cu-lao-cham")
    assert why.reason == "ferry" and "between the boat out on day 1" in why.message_en
    assert "chuyến tàu ra ngày 1" in why.message_vi
    must = PlanRequest(**{**req.model_dump(), "must_visit": ["qnam-cu-lao-cham"]})
    it = plan(must, ctx, geometry=False)
    assert not it.feasible
    assert any("Cù Lao Chàm Islands" in p and ("check-in" in p or "boat" in p) for p in it.problems), it.problems


def test_island_night_plan_page_shows_the_boats(ctx, tmp_path):
    """The web app plans an island night through its API and renders it: the boats are listed (with no lock / remove
    buttons: a boat is moved by moving its night), the map and the exports work."""
    from touroute.web import create_app

    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'plans.sqlite3'}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0,
                      "REPLAN_SECONDS": 1.0, "MAX_PLAN_SECONDS": 10, "TILES": None, "PUBLIC_PLANS": True}, ctx=ctx)
    client = app.test_client()
    body = {"start": "qng-quang-ngai-city", "start_date": str(MAY), "days": 2, "title": "Lý Sơn 2N1Đ",
            "overnight": {"pinned": {"1": "qng-ly-son-town"}}}
    res = client.post("/api/plans", json=body)
    assert res.status_code == 201, res.get_json()
    sid = res.get_json()["id"]
    page = client.get(f"/p/{sid}?lang=en").get_data(as_text=True)
    boats = [s for d in res.get_json()["itinerary"]["days"] for s in d["stops"] if s["kind"] == "ferry_crossing"]
    assert len(boats) == 2
    for b in boats:
        row = page.split(f'data-place="{b["place_id"]}"')[1].split("</tr>")[0]
        assert "Cảng Sa Kỳ" in row and 'value="lock"' not in row and 'value="remove"' not in row
    assert client.get(f"/p/{sid}/map").status_code == 200
    assert client.get(f"/p/{sid}/export.gpx").status_code == 200


def test_a_trip_in_quang_ngai_tries_ly_son_by_itself_and_keeps_the_better_plan(ctx):
    """overnight.islands (default on): a 3-day trip in Quảng Ngãi that names its province, with no candidates
    listed, gets the island stay when it is worth more than the mainland plan — the shape of the published Lý Sơn
    3D2N programmes (the big island one day, the small island the next, which no day trip reaches)."""
    link = _link(ctx, "ly-son-sa-ky")
    req = PlanRequest(start_date=MAY, days=3, start="qng-quang-ngai-city", provinces=["Quảng Ngãi"],
                      solver={"time_limit_s": 2})
    it = plan(req, ctx, geometry=False)
    mainland = plan(req.model_copy(update={"overnight": req.overnight.model_copy(update={"islands": False})}),
                    ctx, geometry=False)
    verify(it, req, ctx)
    assert mainland.feasible and "qng-ly-son-town" not in {d.end.place_id for d in mainland.days}
    nights = [d.day for d in it.days[:-1] if d.end.place_id == "qng-ly-son-town"]
    assert nights, "the island stay is worth more here (and the mainland plan is the alternative)"
    assert it.totals.score > mainland.totals.score
    pinned = req.model_copy(update={"overnight": req.overnight.model_copy(
        update={"pinned": {n: "qng-ly-son-town" for n in nights}, "islands": False})})
    assert rebuilt_check(it, pinned, ctx) == []
    assert set(_island_trip(it, link, ctx)) == {nights[0], nights[-1] + 1}
    w = next(x for x in it.warnings if "on Lý Sơn Island Town" in x)
    assert "worth more than the plan without it" in w and "overnight.islands = false" in w
    # a place the mainland plan visits is never "too far" in the island plan: the island stay used the days (a
    # review: Sa Huỳnh beach, visited without the island, was "too far … from any possible start of day")
    seen = {s.place_id for d in mainland.days for s in d.stops}
    wrong = [e.message_en for e in it.excluded if e.place_id in seen and e.reason == "too_far"]
    assert not wrong, wrong


def test_an_island_not_asked_for_is_not_tried_and_its_season_is_no_warning(ctx):
    """No provinces filter: nothing is tried (the plan is the mainland plan). Cù Lao Chàm's boats do not run in
    October: the plan for Quảng Nam is the mainland one, without the "no night on" warning a listed candidate gets
    (the user did not ask for the island)."""
    req = PlanRequest(start_date=MAY, days=3, start="qng-quang-ngai-city", solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    assert it.feasible and "qng-ly-son-town" not in {d.end.place_id for d in it.days}
    assert not any("Lý Sơn Island Town" in w for w in it.warnings)
    autumn = PlanRequest(start_date=OCTOBER, days=2, start="qnam-hoi-an", provinces=["Quảng Nam"],
                         province_scheme="legacy", solver={"time_limit_s": 1})
    off = autumn.model_copy(update={"overnight": autumn.overnight.model_copy(update={"islands": False})})
    a, b = plan(autumn, ctx, geometry=False), plan(off, ctx, geometry=False)
    assert a.feasible and b.feasible
    assert [d.end.place_id for d in a.days] == [d.end.place_id for d in b.days]
    assert [[s.place_id for s in d.stops] for d in a.days] == [[s.place_id for s in d.stops] for d in b.days]
    assert not any("Bãi Làng" in w for w in a.warnings)


@pytest.mark.parametrize("flag, expected", [("--no-island-nights", False), ("--island-nights", True)])
def test_the_cli_sets_the_island_nights_rule(tmp_path, monkeypatch, flag, expected):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path))  # no cached networks: estimates only, fast
    res = CliRunner().invoke(main, ["plan", "--start", "qng-quang-ngai-city", "--days", "2", "--date", "2027-05-03",
                                    "-p", "Quang Ngai", flag, "--seconds", "0.5", "--format", "json",
                                    "--no-geometry"])
    assert res.exit_code == 0, res.output
    it = Itinerary.model_validate_json(res.stdout)
    assert it.feasible and it.request["overnight"]["islands"] is expected
    if not expected:
        assert "qng-ly-son-town" not in {d.end.place_id for d in it.days}
