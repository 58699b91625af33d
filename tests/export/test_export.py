"""Exports (GeoJSON, GPX, iCalendar, CSV) of a real plan, parsed back with the libraries users' tools rely on."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import gpxpy
import icalendar
import pytest
from click.testing import CliRunner

from touroute.cli import main
from touroute.export import csv as csv_export
from touroute.export import geojson, gpx, ics
from touroute.export._common import FORMATS, render_bytes
from touroute.model import PlanRequest
from touroute.planner import plan


@pytest.fixture(scope="module")
def itinerary(ctx):
    req = PlanRequest(start="qnam-hoi-an", end="dn-city-centre", start_date=date(2026, 12, 7), days=2,
                      solver={"time_limit_s": 1.0})
    it = plan(req, ctx)
    assert it.feasible, it.problems
    assert sum(len(d.stops) for d in it.days) >= 3
    return it


def test_gpx_one_track_per_day_and_waypoints(itinerary):
    doc = gpxpy.parse(gpx.render(itinerary, "vi"))
    assert len(doc.tracks) == len(itinerary.days)
    assert doc.tracks[0].name.startswith("Ngày 1")
    for trk, day in zip(doc.tracks, itinerary.days):
        assert len(trk.segments) == len(day.legs)
        first = trk.segments[0].points[0]
        assert (first.latitude, first.longitude) == pytest.approx(day.legs[0].geometry[0])
    stops = [s for d in itinerary.days for s in d.stops]
    names = [w.name for w in doc.waypoints]
    assert len(doc.waypoints) == len(stops) + (len(itinerary.days) - 1)  # + one per night
    assert names[0] == f"1.1 {stops[0].name_vi}"
    assert "OpenStreetMap" in doc.description
    en = gpxpy.parse(gpx.render(itinerary, "en"))
    assert en.tracks[0].name.startswith("Day 1") and en.waypoints[0].name == f"1.1 {stops[0].name_en}"


def test_ics_one_event_per_visit_in_vietnam_time(itinerary):
    cal = icalendar.Calendar.from_ical(ics.render(itinerary, "en"))
    events = cal.walk("VEVENT")
    stops = [s for d in itinerary.days for s in d.stops]
    evenings = [d.evening for d in itinerary.days if d.evening is not None]  # optional outings: one event each
    assert len(events) == len(stops) + len(evenings)
    assert cal.walk("VTIMEZONE") and str(cal.walk("VTIMEZONE")[0]["TZID"]) == "Asia/Ho_Chi_Minh"
    ev, s = events[0], stops[0]
    start = ev.decoded("dtstart")
    assert start.utcoffset().total_seconds() == 7 * 3600
    assert start.replace(tzinfo=None) == s.start and ev.decoded("dtend").replace(tzinfo=None) == s.departure
    assert str(ev["summary"]) == f"Visit: {s.name_en}"
    assert s.name_en in str(ev["location"]) and "Việt Nam" in str(ev["location"])
    assert "OpenStreetMap" in str(ev["description"]) and "Opening hours" in str(ev["description"])
    assert ev["geo"].latitude == pytest.approx(s.lat)
    assert len({str(e["uid"]) for e in events}) == len(events)
    vi = icalendar.Calendar.from_ical(ics.render(itinerary, "vi")).walk("VEVENT")[0]
    assert str(vi["summary"]) == f"Tham quan: {s.name_vi}"


def test_geojson_legs_stops_and_attribution(itinerary):
    fc = json.loads(geojson.render(itinerary, "vi"))
    assert fc["type"] == "FeatureCollection" and "OpenStreetMap" in fc["attribution"]
    legs = [f for f in fc["features"] if f["properties"]["kind"] == "leg"]
    stops = [f for f in fc["features"] if f["properties"]["kind"] == "stop"]
    assert len(legs) == sum(len(d.legs) for d in itinerary.days)
    assert len(stops) == sum(len(d.stops) for d in itinerary.days)
    leg0 = itinerary.days[0].legs[0]
    lon, lat = legs[0]["geometry"]["coordinates"][0]
    assert (lat, lon) == pytest.approx(leg0.geometry[0], abs=1e-6)  # GeoJSON is (lon, lat)
    assert legs[0]["properties"]["source"] == "estimate" and legs[0]["properties"]["estimated"] is True
    assert {f["properties"]["kind"] for f in fc["features"]} == {"leg", "stop", "lodging"} | (
        {"evening"} if any(d.evening for d in itinerary.days) else set())


def test_csv_rows_and_headers(itinerary):
    text = csv_export.render(itinerary, "vi")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Ngày", "Ngày", "Điểm"] or rows[0][0] == "Ngày"
    body = [r for r in rows[1:] if r and r[0].isdigit() and r[2].isdigit()]
    assert len(body) == sum(len(d.stops) for d in itinerary.days)
    evening_rows = [r for r in rows[1:] if r and r[0].isdigit() and r[2] == "tối"]  # optional evening outings
    assert len(evening_rows) == sum(1 for d in itinerary.days if d.evening)
    assert body[0][3] == itinerary.days[0].stops[0].place_id
    assert "OpenStreetMap" in rows[-1][0]
    en = list(csv.reader(io.StringIO(csv_export.render(itinerary, "en").lstrip("\ufeff"))))
    assert en[0][0] == "Day" and "Name" in en[0]


def test_render_bytes_and_unknown_format(itinerary):
    for fmt in FORMATS:
        assert isinstance(render_bytes(itinerary, fmt, "en"), bytes)
    with pytest.raises(ValueError, match="unknown export format"):
        render_bytes(itinerary, "kml")


def test_cli_export(itinerary, tmp_path):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(itinerary.model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "trip.gpx"
    res = runner.invoke(main, ["export", str(plan_file), "--format", "gpx", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert len(gpxpy.parse(out.read_text(encoding="utf-8")).tracks) == len(itinerary.days)
    # an API response (with "itinerary") is accepted too, and stdout works
    wrapped = tmp_path / "api.json"
    wrapped.write_text(json.dumps({"id": "x", "itinerary": json.loads(itinerary.model_dump_json())}), encoding="utf-8")
    res = runner.invoke(main, ["export", str(wrapped), "-f", "ics", "--lang", "en"])
    assert res.exit_code == 0 and "BEGIN:VCALENDAR" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    res = runner.invoke(main, ["export", str(bad), "-f", "csv"])
    assert res.exit_code == 2 and "not valid JSON" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["export", str(plan_file), "-f", "kml"])
    assert res.exit_code == 2


def test_the_text_programme_says_where_lunch_is_eaten_during_a_long_visit(ctx):
    """A visit of four hours or more that spans the lunch window includes lunch (the day has no break of its own):
    the terminal programme says so, as the web timeline does, instead of showing a day without lunch."""
    from touroute.export._common import lunch_on_site
    from touroute.export.text import render

    req = PlanRequest(start_date=date(2027, 4, 5), days=1, start="qnam-hoi-an", day_start="10:00",
                      must_visit=["qnam-hoi-an-ancient-town"], solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    assert it.feasible
    day = it.days[0]
    town = next(s for s in day.stops if s.place_id == "qnam-hoi-an-ancient-town")
    assert (town.departure - town.start).total_seconds() >= 4 * 3600
    found = lunch_on_site(day, req.lunch)
    assert day.lunch_start is None and found is not None and found[1].place_id == town.place_id
    assert f"(lunch {found[0]:%H:%M} at {town.name_en}, {req.lunch.minutes} min)" in render(it, "en")
    assert f"(ăn trưa {found[0]:%H:%M} tại {town.name_vi}, {req.lunch.minutes} phút)" in render(it, "vi")
    no_lunch = plan(req.model_copy(update={"lunch": None}), ctx, geometry=False)
    assert "lunch" not in render(no_lunch, "en").split("Total")[0]


def test_stops_name_the_province_both_ways_since_the_merger(ctx):
    """People use both names since July 2025 (Quảng Nam is now part of Đà Nẵng): a stop in Hội An reads
    "[Quảng Nam, now Đà Nẵng]", one in Đà Nẵng itself just "[Đà Nẵng]"; the weights line says the province names
    *of the request* were read as 2025, which is not how stops are labelled."""
    from touroute.export.text import render

    req = PlanRequest(start_date=date(2027, 4, 5), days=1, start="qnam-hoi-an",
                      must_visit=["qnam-hoi-an-ancient-town", "dn-marble-mountains"], solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    en, vi = render(it, "en"), render(it, "vi")
    assert "Hội An Ancient Town [Quảng Nam, now Đà Nẵng]" in en and "[Quảng Nam, nay Đà Nẵng]" in vi
    assert "Marble Mountains (Ngũ Hành Sơn, Thủy Sơn) [Đà Nẵng]" in en
    assert "province names in the request read as 2025" in en and "tên tỉnh trong yêu cầu hiểu theo 2025" in vi


def test_places_too_far_for_the_trip_are_one_line_counted_by_province(ctx):
    """A day in Huế leaves most of the region too far for any day: the short "left out" list (terminal, web page)
    says so in one line counted by province, and still lists the places left out for a reason of their own — the
    headline sites left out first, with what keeping them would have cost."""
    from collections import Counter

    from touroute.export._common import HIDDEN_EXCLUSIONS, left_out_lines
    from touroute.export.text import render

    # a must-visit names where to go, so this is not a stay around Huế (whose places beyond 2½ h are summed apart)
    req = PlanRequest(start_date=date(2027, 4, 5), days=1, start="hue-hub-hue-city", exclude=["hue-thien-mu-pagoda"],
                      must_visit=["hue-imperial-city"], solver={"time_limit_s": 0.5})
    it = plan(req, ctx, geometry=False)
    far = [e for e in it.excluded if e.reason == "too_far"]
    # headline sites left out come first, though "worth less for the time" is not shown for other places (the
    # Marble Mountains, the DMZ tunnels: each says its detour, and what keeping it would cost when it is near)
    headline = [e for e in it.excluded if e.headline and e.reason == "low_score"]
    own = headline + [e for e in it.excluded if e.reason not in HIDDEN_EXCLUSIONS and e.reason != "too_far"]
    assert headline and all("a headline site" in e.message_en and "điểm nổi bật" in e.message_vi for e in headline)
    assert not any(e.headline for e in it.excluded if e.reason == "low_score" and e not in headline)
    assert len(far) > 20 and all(e.province_legacy for e in far)
    assert any(e.place_id == "hue-thien-mu-pagoda" and e.reason == "excluded" for e in own)
    for lang in ("en", "vi"):
        lines = left_out_lines(it, lang, 50)
        assert lines[: len(own)] == [e.message_vi if lang == "vi" else e.message_en for e in own]
        summary = lines[len(own)]
        assert len(lines) == len(own) + 1 and summary.startswith(f"{len(far)} ")
        counts = Counter(e.province_legacy for e in far)
        assert all(f"{p} {n}" in summary for p, n in counts.items())
        assert summary in render(it, lang)
    assert len(left_out_lines(it, "en", 0)) == 1  # the summary line survives a short list


def test_the_text_programme_speaks_its_language_and_states_its_cost_assumptions(ctx):
    """The Vietnamese programme has Vietnamese weekdays and minutes (it printed "Mon" and "60 min"), and both say
    what the cost per person assumes — group, vehicle rate, lodging rate, fees — so it is not read as a quote."""
    from touroute.export.text import render

    req = PlanRequest(start_date=date(2027, 4, 5), days=2, start="hue-hub-hue-city", group_size=4,
                      costs={"lodging_per_night_per_person": 450_000}, solver={"time_limit_s": 0.5})
    it = plan(req, ctx, geometry=False)
    vi, en = render(it, "vi"), render(it, "en")
    assert "Ngày 1 — Thứ Hai 05/04/2027" in vi and "Ngày 2 — Thứ Ba 06/04/2027" in vi
    assert "Day 1 — Mon 05/04/2027" in en
    # minutes as a unit ("60 min"), not the letters in "bình minh" (sunrise) of the daylight note
    assert not re.search(r"\d min\b", vi) and " phút" in vi
    # decimals with a comma in Vietnamese, where the dot groups thousands ("120.000 ₫"): "4,3 giờ", never "4.3 giờ"
    assert re.search(r"\d,\d giờ", vi) and not re.search(r"\d\.\d giờ", vi) and re.search(r"\d\.\d h\b", en)
    assert "Giả định chi phí: đoàn 4 khách" in vi and "450.000 ₫ mỗi khách mỗi đêm" in vi
    assert "Cost assumptions: group of 4" in en and "450.000 ₫ per person per night" in en
    assert "12.000 ₫ per km" in en and "not a quote" in en
    assert "Di sản (heritage) 1" in vi


def test_notes_are_in_the_language_of_the_programme(ctx):
    """The notes under a programme (unknown hours, old facts, estimated km) were English in the Vietnamese
    programme and page; each is now written in both (Itinerary.notes), and an old plan without them falls back."""
    from touroute.export.text import render

    req = PlanRequest(start_date=date(2027, 4, 5), days=2, start="hue-hub-hue-city", end="dn-city-centre",
                      solver={"time_limit_s": 0.5})
    it = plan(req, ctx, geometry=False)
    assert it.warnings and len(it.warnings_vi) == len(it.warnings)
    vi = render(it, "vi").split("Ghi chú:")[1]
    assert "km trên" in vi and "are estimated" not in vi and "check locally" not in vi
    assert any(w.startswith("chưa rõ giờ mở cửa") for w in it.notes("vi")) == any(
        w.startswith("opening hours unknown") for w in it.warnings)
    old = it.model_copy(update={"warnings_vi": []})
    assert old.notes("vi") == it.warnings and "are estimated" in render(old, "vi")
    noted = it.with_note("a note", "một ghi chú", first=True)
    assert noted.warnings[0] == "a note" and noted.notes("vi")[0] == "một ghi chú"
    assert len(noted.warnings) == len(noted.warnings_vi) == len(it.warnings) + 1


def test_opening_hours_read_in_vietnamese():
    """--lang vi printed raw OSM syntax ("Mo-Su 07:00-17:30", "Oct-Feb"); a Vietnamese reader gets the weekdays and
    months in Vietnamese, English keeps the syntax."""
    from touroute.export._common import hours_in

    assert hours_in("Mo-Su 07:00-17:30", "vi") == "hằng ngày 07:00-17:30"
    assert hours_in("Mar-Sep 07:30-18:30; Oct-Feb 07:30-17:30", "vi") == "th3-th9 07:30-18:30; th10-th2 07:30-17:30"
    assert hours_in("Mo-Sa 05:30-17:00; Su 05:00-07:00; PH off", "vi") == "T2-T7 05:30-17:00; CN 05:00-07:00; ngày lễ nghỉ"
    assert hours_in("24/7", "vi") == "mở cả ngày đêm"
    assert hours_in("Mo-Su 07:00-17:30", "en") == "Mo-Su 07:00-17:30"


def test_estimate_note_is_vietnamese_in_vietnamese(ctx):
    """The note on estimated legs named the corridor model in English in a Vietnamese plan."""
    from datetime import date

    from touroute.model import PlanRequest
    from touroute.planner import plan

    it = plan(PlanRequest(start_date=date(2027, 4, 5), days=1, start="dn-city-centre", solver={"time_limit_s": 0.3}),
              ctx, geometry=False)
    vi = [n for n in it.notes("vi") if "ước tính" in n and "km" in n]
    assert vi and "corridor" not in vi[0] and "great-circle" not in vi[0] and ("hành lang" in vi[0] or "đơn giản" in vi[0])
