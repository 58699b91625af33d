"""Evenings (issue 12, item 5): an optional outing after dinner on each night, from the places' evening hours.

Real catalogue, real planner (offline: every leg estimated, short solver limits), real exports and web pages.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from click.testing import CliRunner

from touroute.cli import main
from touroute.evenings import (EVENING_FROM, LATEST_START, MAX_TRAVEL_MINUTES, add_evenings, evening_only,
                               is_evening_candidate, plan_evening)
from touroute.matrix import TravelTimes
from touroute.model import PlanRequest
from touroute.planner import PlanningContext, plan
from touroute.pois import Catalogue, default_catalogue, open_intervals

SATURDAY = date(2026, 12, 12)
TUESDAY = date(2026, 12, 8)
FIRE_SHOW = "dn-dragon-bridge-fire-show"


def _req(start_date: date, hub: str, start: str | None = None, **kw) -> PlanRequest:
    """Two days with the night fixed at ``hub``: the evening of day 1 is the one under test."""
    return PlanRequest.model_validate(dict(start_date=start_date.isoformat(), days=2, start=start or hub,
                                           overnight={"mode": "fixed", "fixed": [hub]},
                                           solver={"time_limit_s": 0.5}, **kw))


@pytest.fixture(scope="module")
def plans(ctx):
    """Each scenario planned with and without evenings (the same seed: the same search)."""
    out = {}
    for key, (d, hub, start) in {"hoi_an": (TUESDAY, "qnam-hoi-an", "dn-city-centre"),
                                 "dn_sat": (SATURDAY, "dn-city-centre", None),
                                 "dn_tue": (TUESDAY, "dn-city-centre", None)}.items():
        on = plan(_req(d, hub, start), ctx, geometry=False)
        off = plan(_req(d, hub, start, evenings=False), ctx, geometry=False)
        assert on.feasible and off.feasible, (on.problems, off.problems)
        out[key] = (on, off)
    return out


def _check_evening_is_real(ev, day, ctx) -> None:
    """Independent check of an evening against the catalogue: open for its whole slot on that date, after
    dinner, not too late, close to the night's hub."""
    poi = ctx.catalogue.get(ev.place_id)
    assert is_evening_candidate(poi) and "night" in poi.tags
    t0 = datetime.combine(day.date, time(0, 0))
    a, b = (ev.start - t0).total_seconds() / 60, (ev.end - t0).total_seconds() / 60
    assert any(lo <= a and b <= hi for lo, hi in open_intervals(poi.opening_hours, day.date)), (a, b)
    leave = ev.start - timedelta(seconds=ev.travel_seconds)
    assert leave >= datetime.combine(day.date, EVENING_FROM) - timedelta(seconds=1)
    assert ev.start <= datetime.combine(day.date, LATEST_START)
    assert ev.travel_minutes <= MAX_TRAVEL_MINUTES
    assert ev.from_id == day.end.place_id and ev.source == (poi.hours_source or poi.source)
    assert ev.opening_hours == poi.opening_hours and ev.hours_as_of == poi.hours_as_of


def test_a_night_in_hoi_an_gets_the_ancient_town_by_night(plans, ctx):
    it, _ = plans["hoi_an"]
    night = it.days[0]
    assert night.lodging is not None and night.lodging.place_id == "qnam-hoi-an"
    ev = night.evening
    assert ev is not None and ev.place_id == "qnam-hoi-an-ancient-town" and ev.kind == "open"
    _check_evening_is_real(ev, night, ctx)
    assert "Hội An Ancient Town" in ev.note_en and "Đô thị cổ Hội An" in ev.note_vi
    assert it.days[-1].evening is None, "the last day ends the trip: no night, no evening"


def test_saturday_in_da_nang_gets_the_dragon_bridge_show_at_21(plans, ctx):
    it, _ = plans["dn_sat"]
    ev = it.days[0].evening
    assert ev is not None and ev.place_id == FIRE_SHOW and ev.kind == "show"
    assert ev.start == datetime(2026, 12, 12, 21, 0)
    _check_evening_is_real(ev, it.days[0], ctx)
    assert "21:00" in ev.note_en and "21:00" in ev.note_vi


def test_tuesday_in_da_nang_has_no_fire_show(plans, ctx):
    it, _ = plans["dn_tue"]
    ev = it.days[0].evening
    assert ev is None or ev.place_id != FIRE_SHOW
    if ev is not None:
        _check_evening_is_real(ev, it.days[0], ctx)
    # the show opens only in the evening: it is left out for that reason, not as "closed on every day", and kept
    # off the short "left out" list
    reasons = {e.place_id: e for e in it.excluded}
    assert reasons[FIRE_SHOW].reason == "evening" and "only in the evening" in reasons[FIRE_SHOW].message_en
    from touroute.export.text import render

    assert "only in the evening" not in render(it, "en")


def test_evenings_false_gives_none_and_the_days_are_the_same(plans):
    for on, off in plans.values():
        assert all(d.evening is None for d in off.days)
        assert any(d.evening is not None for d in on.days)
        assert on.stop_ids() == off.stop_ids()
        for d_on, d_off in zip(on.days, off.days):
            assert d_on.model_dump(exclude={"evening"}) == d_off.model_dump(exclude={"evening"})
        assert on.totals == off.totals


def test_adding_evenings_never_changes_the_days(plans, ctx):
    """add_evenings on a finished plan: only ``evening`` differs, whatever the request says."""
    _, off = plans["dn_sat"]
    req = _req(SATURDAY, "dn-city-centre")
    again = add_evenings(off, req, ctx)
    assert again.days[0].evening is not None and again.days[0].evening.place_id == FIRE_SHOW
    assert [d.model_dump(exclude={"evening"}) for d in again.days] == [d.model_dump(exclude={"evening"})
                                                                       for d in off.days]


def test_a_late_arrival_misses_the_show(plans, ctx):
    """Dinner comes first: a group reaching the hub at 20:30 cannot be at the bridge at 21:00."""
    from touroute.evenings import _Travel

    it, _ = plans["dn_sat"]
    day = it.days[0]
    late = day.model_copy(update={"arrive": datetime(2026, 12, 12, 20, 30), "evening": None})
    cands = [p for p in ctx.catalogue if is_evening_candidate(p)]
    ev = plan_evening(late, cands, _Travel(ctx, "car"), "car", set(), ctx.catalogue)
    assert ev is None or (ev.place_id != FIRE_SHOW and ev.start >= datetime(2026, 12, 12, 21, 30))
    # and the same evening is not suggested twice in a row
    ev2 = plan_evening(day, cands, _Travel(ctx, "car"), "car", {FIRE_SHOW}, ctx.catalogue)
    assert ev2 is not None and ev2.place_id != FIRE_SHOW


def test_evening_only_places():
    cat = default_catalogue()
    assert evening_only(cat.get(FIRE_SHOW), [SATURDAY, TUESDAY])
    assert not evening_only(cat.get("qnam-hoi-an-ancient-town"), [TUESDAY])
    assert not is_evening_candidate(cat.get("dn-han-river-pier-dragon"))  # a pier, and no hours


def test_exports_and_text_show_the_evening(plans):
    from touroute.export import csv as csv_export, geojson, ics, text

    it, off = plans["dn_sat"]
    for lang, label in (("en", "Evening (optional)"), ("vi", "Buổi tối (tự chọn)")):
        out = text.render(it, lang)
        assert label in out and "21:00–21:20" in out
        assert label not in text.render(off, lang)
    cal = icalendar.Calendar.from_ical(ics.render(it, "en"))
    evs = [e for e in cal.walk("VEVENT") if str(e["summary"]).startswith("Evening (optional)")]
    assert len(evs) == 1 and evs[0].decoded("dtstart").hour == 21
    assert "Dragon Bridge fire and water show" in str(evs[0]["summary"])
    rows = csv_export.render(it, "en").splitlines()
    assert sum(1 for r in rows if FIRE_SHOW in r and ",evening," in r) == 1
    fc = json.loads(geojson.render(it, "vi"))
    feats = [f for f in fc["features"] if f["properties"]["kind"] == "evening"]
    assert len(feats) == 1 and feats[0]["properties"]["id"] == FIRE_SHOW and feats[0]["properties"]["optional"]


def test_cli_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path))
    args = ["plan", "--start", "dn-city-centre", "--days", "2", "--overnight", "dn-city-centre", "--date",
            SATURDAY.isoformat(), "--seconds", "0.5", "--format", "json", "--no-geometry"]
    on = CliRunner().invoke(main, args)
    off = CliRunner().invoke(main, args + ["--no-evenings"])
    assert on.exit_code == 0 and off.exit_code == 0, (on.output, off.output)
    j_on, j_off = json.loads(on.stdout), json.loads(off.stdout)
    assert j_on["days"][0]["evening"]["place_id"] == FIRE_SHOW and j_on["request"]["evenings"] is True
    assert j_off["days"][0]["evening"] is None and j_off["request"]["evenings"] is False


def test_evening_text_is_escaped_in_html(tmp_path):
    from touroute.web import create_app

    evil = "<script>alert('night')</script>"
    recs = [p.model_copy(update={"name_vi": evil, "name_en": evil, "source": "<b>x</b>"})
            if p.id == "qnam-hoi-an-night-market" else p for p in default_catalogue()]
    ctx = PlanningContext(catalogue=Catalogue(recs), router=TravelTimes([]), data_dir=str(tmp_path / "data"))
    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "k", "TILES": None,
                      "PUBLIC_PLANS": True}, ctx=ctx)
    c = app.test_client()
    # the old town and the Hội An Memories show are left out, so the night market is the Hội An evening
    res = c.post("/api/plans", json={"start": "dn-city-centre", "start_date": TUESDAY.isoformat(), "days": 2,
                                     "overnight": {"mode": "fixed", "fixed": ["qnam-hoi-an"]},
                                     "exclude": ["qnam-hoi-an-ancient-town", "qnam-hoi-an-memories-land"],
                                     "solver": {"time_limit_s": 0.5}})
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    sid = body["id"]
    it = c.get(f"/api/plans/{sid}").get_json()
    it = it.get("itinerary", it)
    assert it["days"][0]["evening"]["place_id"] == "qnam-hoi-an-night-market"
    for url in (f"/p/{sid}", f"/p/{sid}?lang=en", f"/p/{sid}/print", f"/p/{sid}/map"):
        html = c.get(url).get_data(as_text=True)
        assert "<script>alert('night')" not in html and "<b>x</b>" not in html, url
        assert "&lt;script&gt;alert(" in html, url
        assert ("Buổi tối (tự chọn)" in html) or ("Evening (optional)" in html), url
    assert "fa-moon" in c.get(f"/p/{sid}/map").get_data(as_text=True)  # the evening's marker on the map


def test_the_hoi_an_memories_show_is_an_evening_not_a_daytime_stop(ctx):
    """The show plays at 20:00 (Việt Nam News, 2026-03-05): without hours it was assumed open by day, and a fair's
    MICE programme put the show theatre at 17:08–18:28. Now it is offered as the evening, at its hour."""
    poi = ctx.catalogue.get("qnam-hoi-an-memories-land")
    assert evening_only(poi, [TUESDAY]) and is_evening_candidate(poi)
    it = plan(_req(TUESDAY, "qnam-hoi-an", "dn-city-centre", exclude=["qnam-hoi-an-ancient-town"]), ctx,
              geometry=False)
    assert it.feasible and poi.id not in {s.place_id for d in it.days for s in d.stops}
    ev = it.days[0].evening
    assert ev is not None and ev.place_id == poi.id and ev.start.hour == 20, ev
    _check_evening_is_real(ev, it.days[0], ctx)
    mice = plan(_req(TUESDAY, "qnam-hoi-an", "dn-city-centre", themes={"mice": 1, "heritage": 1}), ctx,
                geometry=False)
    assert poi.id not in {s.place_id for d in mice.days for s in d.stops}
