"""Realistic visits (issue 12 item 3): published durations, cable-car / boat access, access points never sights.

The durations evidence is checked row by row against the bundled catalogue; ``access.csv`` is loaded and validated
like the catalogue (bad rows name file, line and field); the planner counts the access in the visit's time and fee.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from datetime import time as dtime

import pytest

from touroute.errors import DataError
from touroute.itinerary import Itinerary
from touroute.model import PACE_STOP_OVERHEAD_MIN, PACE_VISIT_FACTOR, PlanRequest
from touroute.planner import plan
from touroute.pois import ACCESS_FILE, ACCESS_MODES, haversine_m, load_catalogue, validate_files
from touroute.resources import data_dir

MONDAY = date(2026, 12, 7)
DURATIONS = data_dir("poi") / "evidence" / "durations.csv"
AS_OF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- durations -------------------------------------------------------------------------------------------------
def test_durations_evidence_agrees_with_the_catalogue(catalogue):
    rows = _rows(DURATIONS)
    assert len(rows) >= 20
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "one durations row per place"
    for r in rows:
        poi = catalogue.get(r["id"])  # KeyError names the unknown id
        low, high = int(r["minutes_low"]), int(r["minutes_high"])
        assert 0 < low <= high <= 720, r["id"]
        assert r["scope"] in ("on_site", "with_access"), r["id"]
        assert all(s.strip().startswith("http") for s in r["source"].split(";")), r["id"]
        assert r["as_of"] == "" or AS_OF.match(r["as_of"]), r["id"]
        assert r["note"].strip(), f"{r['id']}: say what the source says"
        on_site = poi.visit_minutes
        if r["scope"] == "with_access":
            assert poi.access is not None, f"{r['id']}: scope with_access but no access.csv row"
            on_site += poi.access.minutes
        assert low <= on_site <= high, \
            f"{r['id']}: visit_minutes {poi.visit_minutes} (+access) = {on_site} outside the published {low}–{high}"


def test_published_durations_separate_the_imperial_city_from_a_short_stop(catalogue):
    """The point of the exercise: a 2.5–3 h citadel is not a 30-minute stop, Bà Nà is half a day or more."""
    assert catalogue.get("hue-imperial-city").visit_minutes >= 150
    ba_na = catalogue.get("dn-ba-na-hills")
    assert ba_na.visit_minutes + ba_na.access.minutes >= 240


# --- access ----------------------------------------------------------------------------------------------------
def test_access_table_loads_onto_the_places(catalogue):
    rows = _rows(data_dir("poi") / ACCESS_FILE)
    assert {r["id"] for r in rows} == {p.id for p in catalogue if p.access is not None}
    for r in rows:
        acc = catalogue.get(r["id"]).access
        assert acc.mode == r["mode"] and acc.mode in ACCESS_MODES
        assert acc.minutes == int(r["minutes"]) and acc.from_ == r["from"].strip()
        assert acc.fee_vnd == (int(r["fee_vnd"]) if r["fee_vnd"] else None)
        assert acc.source.startswith("http")
    ba_na = catalogue.get("dn-ba-na-hills").access
    assert ba_na.mode == "cable_car" and ba_na.minutes >= 40
    assert catalogue.get("qb-phong-nha-cave").access.mode == "boat"
    # a filtered catalogue keeps the access of its places
    assert catalogue.filter(province="Da Nang").get("dn-ba-na-hills").access == ba_na


def test_access_json_uses_the_published_field_name(catalogue):
    """An API response or saved plan says ``"from"`` (the CSV column and the OpenAPI schema's name), never the Python
    attribute ``from_`` — CI's API fuzzer found a 201 response that broke the schema this way."""
    acc = catalogue.get("dn-ba-na-hills").access
    data = json.loads(acc.model_dump_json())
    assert data["from"] == acc.from_ and "from_" not in data
    assert type(acc).model_validate(data) == acc


def test_island_places_on_scheduled_ferries_carry_no_access(catalogue, ctx):
    """Lý Sơn and Cù Lao Chàm are reached by the ferry table's boats; an access row for that crossing would count
    the boat twice. Only a boat *on* the island (the canoe from the Lý Sơn port to Đảo Bé) may be an access: it
    starts on the island, away from the mainland port."""
    links = list(ctx.router.ferries)
    assert links
    islanders = 0
    for poi in catalogue:
        if poi.access is None:
            continue
        for link in links:
            if link.on_island(poi.lat, poi.lon):
                islanders += 1
                end = poi.access.road_end
                assert end is not None and link.on_island(*end), poi.id
                assert haversine_m(*end, link.from_lat, link.from_lon) > 5_000, poi.id
    assert islanders >= 1  # Đảo Bé


def test_dao_be_is_reached_by_its_canoe_from_the_ly_son_port(catalogue):
    """Đảo Bé is another island: the plan drives to the Lý Sơn port and takes the canoe (Thanh Niên 2022-08-10:
    120,000 ₫ there and back, first canoe 08:00, last back 15:00–16:00), never a road across the sea."""
    acc = catalogue.get("qng-ly-son-dao-be").access
    assert acc is not None and acc.mode == "boat" and acc.fee_vnd == 120_000 and acc.as_of == "2022-08-10"
    assert acc.hours == "Mo-Su 08:00-15:00" and "thanhnien.vn" in acc.source
    lat, lon = acc.road_end
    poi = catalogue.get("qng-ly-son-dao-be")
    assert 3_000 < haversine_m(lat, lon, poi.lat, poi.lon) < 10_000


GOOD_PLACE = "dn-ba-na-hills"


@pytest.fixture()
def small_catalogue(tmp_path):
    """One bundled catalogue file copied to a folder, with an access.csv of our own next to it."""
    src = data_dir("poi") / "danang_quangnam.csv"
    shutil.copy(src, tmp_path / src.name)
    return tmp_path


def _write_access(folder, rows: list[str], positions: dict[int, str] | None = None) -> None:
    """Rows written as ``id,mode,minutes,fee_vnd,from,source,as_of,note``; ``positions`` gives, by row index, the
    ``from_lat,from_lon,hours`` cells (empty otherwise); ``from_vi`` is left empty."""
    header = "id,mode,minutes,fee_vnd,from,from_vi,from_lat,from_lon,hours,source,as_of,note"
    lines = []
    for k, row in enumerate(rows):
        cells = row.split(",")
        lines.append(",".join(cells[:5] + [""] + (positions or {}).get(k, ",,").split(",") + cells[5:]))
    (folder / ACCESS_FILE).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def test_bad_access_rows_name_file_line_and_field(small_catalogue):
    _write_access(small_catalogue, [
        f"{GOOD_PLACE},cable_car,60,0,lower station,https://example.org/a,2024-07,ok",     # line 2: fine
        "dn-no-such-place,boat,30,,pier,https://example.org/b,,",                         # line 3: unknown id
        "dn-marble-mountains,elevator,10,,foot,https://example.org/c,,",                  # line 4: bad mode
        "dn-son-tra-peninsula,boat,half an hour,,pier,https://example.org/d,,",           # line 5: not a number
        "dn-my-khe-beach,boat,20,50000,pier,https://example.org/e,,",                     # line 6: fee without as_of
        f"{GOOD_PLACE},boat,20,,pier,https://example.org/f,,",                            # line 7: second row
        "dn-dragon-bridge,boat,20,,,https://example.org/g,,",                             # line 8: no 'from'
        "dn-han-market,boat,0,,pier,https://example.org/h,,",                             # line 9: minutes < 1
        "dn-cathedral,boat,20,,pier,https://example.org/i,2024-13,",                      # line 10: not a date
    ])
    files = sorted(small_catalogue.glob("*.csv"))
    records, problems = validate_files(files)
    access_path = str(small_catalogue / ACCESS_FILE)
    got = {(p.line, p.field) for p in problems if p.file == access_path}
    assert got == {(3, "id"), (4, "mode"), (5, "minutes"), (6, "as_of"), (7, "id"), (8, "from"), (9, "minutes"),
                   (10, "as_of")}, problems
    assert all(p.file == access_path for p in problems), "the places themselves are fine"
    by_id = {p.id: p for p in records}
    assert by_id[GOOD_PLACE].access.minutes == 60          # the good row is attached, the duplicate ignored
    assert by_id["dn-marble-mountains"].access is None      # bad rows are left out, the place stays
    with pytest.raises(DataError) as err:
        load_catalogue(files)
    text = str(err.value)
    assert ACCESS_FILE in text and "line 4" in text and "mode" in text


def test_bad_access_positions_and_hours_name_line_and_field(small_catalogue):
    """The road end of an access is a position near the place (both coordinates, a number, within 25 km) and its
    hours are OSM opening_hours; each mistake names its line and field, and the row is left out."""
    _write_access(small_catalogue, [
        f"{GOOD_PLACE},cable_car,60,0,lower station,https://example.org/a,2024-07,ok",    # line 2: fine
        "dn-marble-mountains,boat,10,,pier,https://example.org/c,2024,",                  # line 3: lat only
        "dn-son-tra-peninsula,boat,30,,pier,https://example.org/d,2024,",                 # line 4: not a number
        "dn-my-khe-beach,boat,20,,pier,https://example.org/e,2024,",                      # line 5: 90 km away
        "dn-dragon-bridge,boat,20,,pier,https://example.org/g,2024,",                     # line 6: bad hours
        "dn-han-market,boat,20,,pier,https://example.org/h,,",                            # line 7: hours, no date
    ], positions={0: "16.0263,107.9990,Mo-Su 07:00-17:00", 1: "16.0,,", 2: "16.07 N,108.2,",
                  3: "16.8,108.2,", 4: ",,We-Mo 9 to 5", 5: ",,Mo-Su 08:00-16:00"})
    records, problems = validate_files(sorted(small_catalogue.glob("*.csv")))
    access_path = str(small_catalogue / ACCESS_FILE)
    got = {(p.line, p.field) for p in problems if p.file == access_path}
    assert got == {(3, "from_lon"), (4, "from_lat"), (5, "from_lat"), (6, "hours"), (7, "as_of")}, problems
    by_id = {p.id: p for p in records}
    assert by_id[GOOD_PLACE].access.road_end == (16.0263, 107.999)
    assert by_id[GOOD_PLACE].access.hours == "Mo-Su 07:00-17:00"
    assert all(by_id[pid].access is None for pid in ("dn-marble-mountains", "dn-son-tra-peninsula",
                                                      "dn-my-khe-beach", "dn-dragon-bridge", "dn-han-market"))


def test_access_file_with_wrong_columns_is_one_clear_problem(small_catalogue):
    (small_catalogue / ACCESS_FILE).write_text("id,mode,minutes\ndn-ba-na-hills,cable_car,60\n", encoding="utf-8")
    records, problems = validate_files(sorted(small_catalogue.glob("*.csv")))
    assert len(problems) == 1 and problems[0].line == 1 and "missing column(s)" in problems[0].message
    assert all(p.access is None for p in records)


def test_catalogue_without_access_file_still_loads(small_catalogue):
    cat = load_catalogue(sorted(small_catalogue.glob("*.csv")))
    assert cat.get(GOOD_PLACE).access is None


# --- the planner -------------------------------------------------------------------------------------------------
def _stop(it, pid):
    for day in it.days:
        for s in day.stops:
            if s.place_id == pid:
                return s
    raise AssertionError(f"{pid} not planned: {it.stop_ids()}")


def _fees_recomputed(it) -> float:
    """Fees of the plan from its stops alone: the place's fee plus the access fee, per person × group."""
    total = 0.0
    for day in it.days:
        for s in day.stops:
            total += (s.fee_vnd or 0) + ((s.access.fee_vnd or 0) if s.access else 0)
    return total


@pytest.mark.parametrize("pace", ["normal", "relaxed"])
def test_ba_na_visit_includes_the_cable_car_and_its_ticket(ctx, catalogue, pace):
    req = PlanRequest(start_date=MONDAY, days=1, start="dn-city-centre", must_visit=["dn-ba-na-hills"], pace=pace,
                      solver={"time_limit_s": 0.5, "seed": 3})
    it = plan(req, ctx)
    assert it.feasible, it.problems
    poi = catalogue.get("dn-ba-na-hills")
    stop = _stop(it, poi.id)
    assert stop.access is not None and stop.access.mode == "cable_car"
    on_site = max(10.0, round(poi.visit_minutes * PACE_VISIT_FACTOR[pace] / 5.0) * 5.0)
    # the cable car is added whole (a relaxed pace does not slow the cabin down)
    assert stop.visit_minutes == pytest.approx(on_site + PACE_STOP_OVERHEAD_MIN[pace] + poi.access.minutes, abs=1)
    # its ticket (the place's fee: Bà Nà's ticket is the cable-car ticket) is in the costs, once per person
    costs = it.totals.costs
    assert poi.fee_vnd and costs.fees_total >= poi.fee_vnd * req.group_size
    assert costs.fees_total == pytest.approx(_fees_recomputed(it) * req.group_size)
    # a saved plan (JSON) reads back with its access
    assert _stop(Itinerary.model_validate_json(it.model_dump_json()), poi.id).access == stop.access


def test_access_fee_is_added_to_the_costs(ctx, catalogue):
    """Tà Cú: admission and the cable car are both in the costs; with the admission unknown, the cable car is still
    counted and the place is listed once as having an unknown fee."""
    from touroute.pois import Catalogue

    poi = catalogue.get("bt-ta-cu-mountain")
    assert poi.fee_vnd is not None and poi.access.fee_vnd
    req = PlanRequest(start_date=MONDAY, days=1, start="bt-hub-phan-thiet", must_visit=[poi.id],
                      solver={"time_limit_s": 0.5, "seed": 3})
    it = plan(req, ctx)
    assert it.feasible, it.problems
    stop = _stop(it, poi.id)
    assert stop.access.fee_vnd == poi.access.fee_vnd
    costs = it.totals.costs
    assert costs.fees_total >= (poi.fee_vnd + poi.access.fee_vnd) * req.group_size
    assert costs.fees_total == pytest.approx(_fees_recomputed(it) * req.group_size)
    assert poi.id not in costs.fees_unknown
    # the same place with its admission unknown (as it was before issue 13's research)
    records = [p.model_copy(update={"fee_vnd": None, "fee_source": None, "fee_as_of": None}) if p.id == poi.id else p
               for p in catalogue]
    ctx2 = type(ctx)(catalogue=Catalogue(records, files=catalogue.files, fingerprint=catalogue.fingerprint),
                     router=ctx.router, data_dir=ctx.data_dir)
    it = plan(req, ctx2)
    assert it.feasible, it.problems
    costs = it.totals.costs
    assert costs.fees_total >= poi.access.fee_vnd * req.group_size
    assert costs.fees_total == pytest.approx(_fees_recomputed(it) * req.group_size)
    assert poi.id in costs.fees_unknown and costs.fees_unknown.count(poi.id) == 1


# --- access points ---------------------------------------------------------------------------------------------
ACCESS_WORDS = re.compile(r"\b(pier|port|ferry|terminal|wharf|jetty|landing|station|booth|bến|cảng|phà|nhà ga|"
                          r"ga cáp treo|bến xe|quầy vé)\b", re.IGNORECASE)
# Sights that merely carry such a word in a name (audited by hand, issue 12): not access points.
NAMED_LIKE_ACCESS_BUT_SIGHTS = {
    "hcm-nha-rong-wharf",       # Hồ Chí Minh Museum in the old wharf building
    "qb-long-dai-ferry",        # war relic (national relic) of the Long Đại ferry crossing
    "hcm-cu-chi-ben-dinh",      # Bến Đình / Bến Dược are the names of the tunnel sites
    "hcm-cu-chi-ben-duoc",
    "hcm-ben-thanh-market",     # Bến Thành is the market's name
    "hcm-ben-thanh-night-market",  # … and its night market's
    "qt-hien-luong-bridge",     # Bến Hải is the river's name
    "py-vung-chao",             # working fishing port visited as a fishing village; no visitor boats leave from it
    "dn-ba-na-hills",           # the Sun World park itself (its point is the lower station); access in access.csv
    "hcm-cu-chi-wildlife-rescue",  # "Rescue Station" is the wildlife centre's name: a visit, not a transport stop
}


def test_access_points_are_piers_ports_or_tagged(catalogue):
    for poi in catalogue:
        names = f"{poi.name_en} | {poi.name_vi}"
        if poi.id in NAMED_LIKE_ACCESS_BUT_SIGHTS or not ACCESS_WORDS.search(names):
            continue
        assert poi.subcategory in ("pier", "ferry_port") or "access_point" in poi.tags, \
            f"{poi.id} ({names}) looks like an access point: subcategory pier/ferry_port or tag access_point"
    for pid in NAMED_LIKE_ACCESS_BUT_SIGHTS:
        assert pid in catalogue and catalogue.get(pid).subcategory not in ("pier", "ferry_port"), pid


def test_a_component_may_lie_up_the_cable_car_of_its_whole(small_catalogue, catalogue):
    """The Bà Nà summit sights are 5 km from the lower station where Bà Nà's record stands: they are its components
    because the cable car takes the visitor there (tag ``cable_car``); an untagged component that far is refused."""
    assert catalogue.get("dn-golden-bridge").part_of == "dn-ba-na-hills"
    assert catalogue.get("dn-linh-ung-ba-na").part_of == "dn-ba-na-hills"
    files = sorted(small_catalogue.glob("*.csv"))
    _, problems = validate_files(files)
    assert not [p for p in problems if p.field == "part_of"], problems
    src = files[0]
    text = src.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("dn-golden-bridge,"))
    src.write_text(text.replace(row, row.replace(",cable_car,", ",,")), encoding="utf-8")  # tags emptied
    _, problems = validate_files(files)
    far = [p for p in problems if p.field == "part_of"]
    assert len(far) == 1 and "more than 2000 m away" in far[0].message and "cable_car" in far[0].message
    assert far[0].file.endswith(src.name) and far[0].line > 1


# --- a boat on the island: Đảo Bé --------------------------------------------------------------------------------
DAO_BE = "qng-ly-son-dao-be"


def _dao_be_request(**extra) -> PlanRequest:
    return PlanRequest(start_date=date(2027, 4, 5), days=3, start="qng-quang-ngai-city", provinces=["Quảng Ngãi"],
                       must_visit=[DAO_BE], solver={"time_limit_s": 1.0, "seed": 1}, **extra)


def test_dao_be_drives_to_the_port_and_takes_the_canoe_within_its_hours(ctx, catalogue):
    """The plan drives to the Lý Sơn port (not across the sea to the islet), the visit holds the canoe both ways
    and lies between the first canoe out (08:00) and the last one back (15:00), and the fare is in the costs."""
    from touroute.export.text import render

    req = _dao_be_request()
    it = plan(req, ctx)
    assert it.feasible, it.problems
    stop = _stop(it, DAO_BE)
    acc = catalogue.get(DAO_BE).access
    day = next(d for d in it.days if stop in d.stops)
    leg = next(lg for lg in day.legs if lg.to_id == DAO_BE)
    assert leg.geometry, "the leg has its line"
    assert haversine_m(*leg.geometry[-1], *acc.road_end) < 50          # it ends at the port …
    assert haversine_m(*leg.geometry[-1], stop.lat, stop.lon) > 3_000  # … not on the islet, where the stop stands
    assert stop.start.time() >= dtime(8, 0) and stop.departure.time() <= dtime(15, 0)
    assert stop.visit_minutes >= acc.minutes + catalogue.get(DAO_BE).visit_minutes * PACE_VISIT_FACTOR["normal"] - 1
    assert it.totals.costs.fees_total == pytest.approx(_fees_recomputed(it) * req.group_size)
    assert it.totals.costs.fees_total >= acc.fee_vnd * req.group_size
    for lang, words in (("en", ("by boat from", "120.000 ₫", "as of 2022-08-10", "runs Mo-Su 08:00-15:00")),
                        ("vi", ("đi tàu / ca nô từ", "120.000 ₫", "cập nhật 2022-08-10"))):
        text = render(it, lang)
        line = next(ln for ln in text.splitlines() if stop.name_en in ln or stop.name_vi in ln)
        assert all(w in line for w in words), (lang, line)
    from touroute.render.maps import stop_popup

    popup = stop_popup(stop, day, 1, "en")  # the map says it too (escaped: "Lý Sơn port (the old port, …")
    assert "by boat from Lý Sơn port" in popup and "runs Mo-Su 08:00-15:00" in popup
    import json

    from touroute.export.geojson import render as geojson

    feat = next(f for f in json.loads(geojson(it, "en"))["features"]
                if f["properties"].get("kind") == "stop" and f["properties"]["id"] == DAO_BE)
    assert feat["properties"]["access"]["from_lat"] == acc.from_lat and feat["properties"]["access"]["mode"] == "boat"
    assert "by boat from" in feat["properties"]["access_text"]


def test_a_visit_that_cannot_fit_the_boat_hours_is_left_out_with_its_reason(ctx, catalogue):
    """With canoes running only 08:00–10:00 (a what-if), the 5-hour islet visit cannot fit: it is refused as a
    must-visit, with the place named — not planned past the last boat."""
    from touroute.planner import PlanningError
    from touroute.pois import Catalogue

    poi = catalogue.get(DAO_BE)
    short = poi.access.model_copy(update={"hours": "Mo-Su 08:00-10:00"})
    records = [p.model_copy(update={"access": short}) if p.id == DAO_BE else p for p in catalogue]
    ctx2 = type(ctx)(catalogue=Catalogue(records, files=catalogue.files, fingerprint=catalogue.fingerprint),
                     router=ctx.router, data_dir=ctx.data_dir)
    try:
        it = plan(_dao_be_request(), ctx2)
    except PlanningError as exc:
        assert poi.name_en in str(exc) or DAO_BE in str(exc), str(exc)
        return
    assert not it.feasible and any(poi.name_en in p or DAO_BE in p for p in it.problems), it.problems


def test_a_must_visit_no_day_trip_holds_gets_an_island_night(ctx):
    """Đảo Bé's canoes (08:00–15:00) leave no room for it on a Lý Sơn day trip (ashore from about 08:30 to 13:54):
    with island nights allowed the planner sleeps on Lý Sơn to see it; without them it refuses, naming the place,
    its boat hours and the fix — never a plan that skips a must-visit."""
    from touroute.planner import PlanningError

    it = plan(_dao_be_request(), ctx, geometry=False)
    assert it.feasible, it.problems
    day = next(d for d in it.days if any(s.place_id == DAO_BE for s in d.stops))
    assert day.start.place_id == day.end.place_id == "qng-ly-son-town", (day.start.place_id, day.end.place_id)
    req = _dao_be_request()
    req = req.model_copy(update={"overnight": req.overnight.model_copy(update={"islands": False})})
    with pytest.raises(PlanningError) as err:
        plan(req, ctx, geometry=False)
    text = str(err.value)
    assert err.value.field == "must_visit" and "An Bình" in text and "08:00-15:00" in text and "night" in text
