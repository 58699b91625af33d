"""Attractiveness from evidence (issue 12, item 1): the committed values, the rule, the loader's join."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import pytest

from touroute import attractiveness as attr
from touroute.errors import DataError
from touroute.pois import COLUMNS, Poi, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
POI_DIR = ROOT / "data" / "poi"
EVIDENCE = POI_DIR / "evidence"


def _script():
    spec = importlib.util.spec_from_file_location("attractiveness_script", ROOT / "scripts" / "attractiveness.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def _rows() -> dict[str, dict[str, str]]:
    with (EVIDENCE / "attractiveness.csv").open(encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def test_committed_file_equals_recomputation():
    text, _records, _scores = _script().recompute(POI_DIR)
    assert (EVIDENCE / "attractiveness.csv").read_text(encoding="utf-8") == text, (
        "data/poi/evidence/attractiveness.csv is stale: run scripts/attractiveness.py and commit the result")


def test_check_mode_fails_on_a_stale_file(tmp_path, capsys):
    folder = tmp_path / "poi"
    shutil.copytree(POI_DIR, folder)
    script = _script()
    assert script.main(["--catalogue", str(folder), "--check"]) == 0
    out = folder / "evidence" / "attractiveness.csv"
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:-1]), encoding="utf-8")  # a place added without re-running the script
    assert script.main(["--catalogue", str(folder), "--check"]) == 1
    assert "differs from the recomputation" in capsys.readouterr().err
    assert script.main(["--catalogue", str(folder)]) == 0
    assert script.main(["--catalogue", str(folder), "--check"]) == 0


def test_every_catalogue_id_has_a_value_and_the_loader_joins_it(catalogue):
    rows = _rows()
    assert set(rows) == set(catalogue.records)
    for p in catalogue:
        assert 1 <= p.attractiveness <= 100
        assert p.attractiveness == int(rows[p.id]["attractiveness"])
    assert (catalogue.df["attractiveness"] == [catalogue.get(i).attractiveness for i in catalogue.df.index]).all()


def test_imperial_city_far_above_the_nine_holy_cannons(catalogue):
    city, cannons = catalogue.get("hue-imperial-city"), catalogue.get("hue-cuu-vi-than-cong")
    assert city.attractiveness >= 90 and city.headline
    assert cannons.attractiveness <= 30 and not cannons.headline


def test_the_value_scale_keeps_the_evidence_above_the_cap(catalogue):
    """The planner's value counts a capped place's evidence points (SCHEMA.md): Hội An and the Imperial City, at the
    display cap of 100, stay well above the Marble Mountains (93); every place below the cap keeps its 1–100 score."""
    from touroute.planner.value import attractiveness as value_scale, place_value

    rows = _rows()
    for p in catalogue:
        raw = sum(float(rows[p.id][c]) for c in ("status_points", "list_points", "visitor_points"))
        if rows[p.id]["rule"] == "sight":
            assert p.evidence_points == pytest.approx(raw)
        capped = p.attractiveness >= 100 and p.evidence_points is not None and p.evidence_points > 100
        assert value_scale(p) == (p.evidence_points if capped else p.attractiveness)
    weights = {"heritage": 1.0, "coastal": 1.0, "other": 1.0}
    hoi_an, marble = catalogue.get("qnam-hoi-an-ancient-town"), catalogue.get("dn-marble-mountains")
    assert hoi_an.attractiveness == 100 and hoi_an.evidence_points > 120
    assert place_value(hoi_an, weights) > 1.5 * place_value(marble, weights)
    # a record built in code, without the computed file, keeps its 1–100 value
    bare = hoi_an.model_copy(update={"evidence_points": None})
    assert value_scale(bare) == 100


def test_headline_means_attractiveness_at_least_70(catalogue):
    for p in catalogue:
        assert p.headline == (p.attractiveness >= 70)
    assert p.model_dump()["headline"] == p.headline  # serialised for API consumers
    heads = catalogue.filter(min_attractiveness=70)
    assert set(heads.records) == {p.id for p in catalogue if p.headline}
    assert 0 < len(heads) < len(catalogue)


def test_a_part_never_outranks_its_whole(catalogue):
    for p in catalogue:
        if p.part_of:
            assert p.attractiveness < catalogue.get(p.part_of).attractiveness, p.id


def test_hubs_and_mice_follow_their_rules(catalogue):
    for p in catalogue:
        if p.category == "lodging":
            assert p.attractiveness == attr.HUB_VALUE
        if p.category == "mice":
            assert p.attractiveness >= attr.mice_value(p.capacity)
    big = [p for p in catalogue if p.category == "mice" and (p.capacity or 0) >= 2000]
    small = [p for p in catalogue if p.category == "mice" and p.capacity is None]
    if big and small:
        assert min(p.attractiveness for p in big) > attr.mice_value(None)


# ------------------------------------------------------------------------------------------------ the rule itself
class _Rec:
    def __init__(self, pid, category="heritage", part_of=None, capacity=None, lat=None, lon=None):
        self.id, self.category, self.part_of, self.capacity, self.tags = pid, category, part_of, capacity, ()
        self.lat, self.lon = lat, lon


def _sig(pid, signal, value="", source="s"):
    return attr.Signal(pid, signal, value, source, "2025", "")


def test_rule_status_lists_visitors_and_caps():
    lists = [attr.ListSource(f"u{i}", "x", "top_list", "t", "2025") for i in range(4)]
    recs = [_Rec("a"), _Rec("b"), _Rec("c", part_of="b"), _Rec("h", "lodging"), _Rec("m", "mice", capacity=2500)]
    sigs = [_sig("a", "unesco", "property"), _sig("a", "national_special_relic"),
            *[_sig("a", "top_list", "1", f"u{i}") for i in range(4)], _sig("a", "visitors_per_year", "3000000"),
            _sig("b", "national_relic"), _sig("b", "top_list", "", "u0"),
            _sig("c", "unesco", "minor"), *[_sig("c", "top_list", "", f"u{i}") for i in range(4)]]
    got = {s.id: s for s in attr.compute(recs, sigs, lists)}
    # statuses are not added: UNESCO property 55 (not 55 + 25); every list 60; all visitor points 15 → capped 100
    assert got["a"].status_points == attr.STATUS_POINTS["unesco:property"] and got["a"].list_points == attr.LIST_POINTS and got["a"].visitor_points == 15
    assert got["a"].attractiveness == 100
    # national relic 12 + all lists (4 name its part c, so they name b too; u0 names both and counts once)
    assert got["b"].attractiveness == round(12 + attr.LIST_POINTS)
    assert got["c"].attractiveness == got["b"].attractiveness - 1 and got["c"].rule == "part_capped"
    assert got["h"].attractiveness == attr.HUB_VALUE and got["m"].attractiveness == attr.MICE_CAPACITY_POINTS[0][1]


def test_one_list_alone_is_no_proof():
    """A city with a single published list: a place it names gets 1/3 of the list points, not all of them."""
    lists = [attr.ListSource("only", "y", "top_list", "t", "2025")]
    got = attr.compute([_Rec("a")], [_sig("a", "top_list", "", "only")], lists)
    assert got[0].list_points == pytest.approx(attr.LIST_POINTS * (1 / attr.MIN_LISTS_PER_CITY) ** 0.5)


def test_a_list_naming_a_part_names_its_whole_once():
    """Lists that name the Japanese Bridge name Hội An Ancient Town; a list naming both counts once."""
    lists = [attr.ListSource(f"u{i}", "x", "top_list", "t", "2025") for i in range(4)]
    recs = [_Rec("whole"), _Rec("part", part_of="whole")]
    sigs = [_sig("part", "top_list", "", "u0"), _sig("part", "top_list", "", "u1"), _sig("whole", "top_list", "", "u1")]
    got = {s.id: s for s in attr.compute(recs, sigs, lists)}
    assert got["whole"].list_points == pytest.approx(attr.list_points(2 / 4))
    assert got["part"].attractiveness < got["whole"].attractiveness


def test_list_points_are_concave_in_the_share():
    """Being named by half of a city's sources is worth more than half of being named by all of them."""
    assert attr.list_points(0.5) > attr.list_points(1.0) / 2
    assert attr.list_points(0.0) == 0 and attr.list_points(1.0) == attr.LIST_POINTS


def test_a_list_says_how_much_of_it_was_read(tmp_path):
    lists = tmp_path / "lists.csv"
    lists.write_text("source,city,kind,title,as_of,read,note\nhttps://a,hue,top_list,T,2025,some,\n", encoding="utf-8")
    with pytest.raises(attr.EvidenceError, match=r"line 2: read 'some' is not one of full, partial"):
        attr.read_lists(lists)
    lists.write_text("source,city,kind,title,as_of,read,note\nhttps://a,hue,top_list,T,2025,5/3,\n", encoding="utf-8")
    with pytest.raises(attr.EvidenceError, match=r"read '5/3' is not one of"):
        attr.read_lists(lists)
    reads = {ls.read for ls in attr.read_lists(EVIDENCE / "lists.csv")}
    assert {"full", "partial", "none"} <= reads and any("/" in r for r in reads)


def test_an_excerpt_counts_against_a_place_only_as_far_as_it_was_read():
    """Four sources of one city: a full list naming A and B, a 2/10 excerpt naming A, an excerpt of unknown length
    naming nothing, and one that never reached an item. B's denominator is 1 (full) + 0.2 (the 2/10 excerpt does not
    name it) + 0.2 (unknown length: the mean known share) + 0 = 1.4, floored at 3; A's is 1 + 1 + 0.2 + 0 = 2.2."""
    recs = [_Rec("a"), _Rec("b")]
    lists = [attr.ListSource("full", "x", "top_list", "t", "2025", "full"),
             attr.ListSource("exc", "x", "top_list", "t", "2025", "2/10"),
             attr.ListSource("unk", "x", "top_list", "t", "2025", "partial"),
             attr.ListSource("nil", "x", "top_list", "t", "2025", "none")]
    sig = [attr.Signal("a", "top_list", "", "full", "2025"), attr.Signal("b", "top_list", "", "full", "2025"),
           attr.Signal("a", "top_list", "", "exc", "2025")]
    assert attr.typical_read_fraction(lists) == pytest.approx(0.2)
    got = {s.id: s for s in attr.compute(recs, sig, lists)}
    assert got["a"].list_points == pytest.approx(attr.list_points(2 / 3))  # 1 + 1 + 0.2 = 2.2 → floor 3
    assert got["b"].list_points == pytest.approx(attr.list_points(1 / 3))
    many = lists + [attr.ListSource(f"f{i}", "x", "top_list", "t", "2025", "full") for i in range(5)]
    got = {s.id: s for s in attr.compute(recs, sig, many)}
    assert got["a"].list_points == pytest.approx(attr.list_points(2 / 7.2))   # 6 full + 1 + 0.2
    assert got["b"].list_points == pytest.approx(attr.list_points(1 / 6.4))   # 6 full + 0.2 + 0.2


def test_a_transfer_route_counts_like_a_city():
    """A sight between two cities (Lập An lagoon) is named by no city's lists but by the transfer programmes between
    them: a route key is a "city" of its own, so its share there counts; a place named by both a city and a route
    takes the better share, once (the shares are not added)."""
    lists = [*(attr.ListSource(f"h{i}", "hue", "top_list", "t", "2025") for i in range(6)),
             *(attr.ListSource(f"r{i}", "route-hue-hoian", "tour_programme", "t", "2025") for i in range(4))]
    recs = [_Rec("lagoon"), _Rec("citadel"), _Rec("pass")]
    sigs = [_sig("lagoon", "tour_programme", "", "r0"), _sig("lagoon", "tour_programme", "", "r1"),
            *(_sig("citadel", "top_list", "", f"h{i}") for i in range(6)), _sig("citadel", "tour_programme", "", "r0"),
            _sig("pass", "top_list", "", "h0"), *(_sig("pass", "tour_programme", "", f"r{i}") for i in range(3))]
    got = {s.id: s for s in attr.compute(recs, sigs, lists)}
    assert got["lagoon"].list_points == pytest.approx(attr.list_points(2 / 4))
    assert "route-hue-hoian" in got["lagoon"].basis[0]
    assert got["citadel"].list_points == pytest.approx(attr.LIST_POINTS)          # its city's 6/6, not the route's 1/4
    assert got["pass"].list_points == pytest.approx(attr.list_points(3 / 4))      # the route's 3/4 beats Huế's 1/6
    assert attr.is_route("route-hue-hoian") and not attr.is_route("hue")


def test_a_route_speaks_for_the_places_between_its_ends_only():
    """A route's sources rank only the places between its ends: not one at an end (within ROUTE_END_KM of an end
    hub — its city's lists rank it; one motorbike report starting at a Huế pagoda lifted it 1 → 30 past Huế's 46
    lists), nor one off the way (more than ROUTE_DETOUR × the ends' distance)."""
    hue, hoian = (16.4619, 107.59546), (15.87944, 108.3350)     # the two ends of route-hue-hoian
    lists = [*(attr.ListSource(f"r{i}", "route-hue-hoian", "tour_programme", "t", "2025") for i in range(4))]
    recs = [_Rec("hue-hub-hue-city", "lodging", lat=hue[0], lon=hue[1]),
            _Rec("qnam-hoi-an", "lodging", lat=hoian[0], lon=hoian[1]),
            _Rec("pagoda", lat=hue[0] + 0.02, lon=hue[1]),            # 2.2 km from the Huế hub: Huế's own
            _Rec("lagoon", lat=16.2252, lon=108.0928),               # Lập An, on the way over the pass
            _Rec("inland", lat=16.0, lon=107.3),                      # 60 km inland of the coast road: off the way
            _Rec("nowhere")]                                          # no position: counted (nothing to test)
    sigs = [_sig(p, "tour_programme", "", f"r{i}") for p in ("pagoda", "lagoon", "inland", "nowhere") for i in range(2)]
    got = {s.id: s for s in attr.compute(recs, sigs, lists)}
    assert got["pagoda"].list_points == 0 and got["pagoda"].attractiveness == attr.FLOOR
    assert got["inland"].list_points == 0
    assert got["lagoon"].list_points == pytest.approx(attr.list_points(2 / 4))
    assert got["nowhere"].list_points == pytest.approx(attr.list_points(2 / 4))


def test_a_city_key_is_a_slug_and_a_route_names_its_two_ends(tmp_path):
    lists = tmp_path / "lists.csv"
    head = "source,city,kind,title,as_of,read,note\n"
    for bad in ("Huế", "route hue-hoian", "route-hue", "da_nang"):
        lists.write_text(head + f"https://a,{bad},top_list,T,2025,full,\n", encoding="utf-8")
        with pytest.raises(attr.EvidenceError, match=r"line 2: city .* must be a lower-case slug"):
            attr.read_lists(lists)
    lists.write_text(head + "https://a,route-hue-hanoi,tour_programme,T,2025,full,\n", encoding="utf-8")
    with pytest.raises(attr.EvidenceError, match=r"line 2: route 'route-hue-hanoi' has no end hubs"):
        attr.read_lists(lists)
    lists.write_text(head + "https://a,route-hue-hoian,tour_programme,T,2025,full,\n"
                     "https://b,da-nang,top_list,T,2025,full,\n", encoding="utf-8")
    assert [ls.city for ls in attr.read_lists(lists)] == ["route-hue-hoian", "da-nang"]


def test_evidence_errors_are_named(tmp_path):
    lists = tmp_path / "lists.csv"
    lists.write_text("source,city,kind,title,as_of,read,note\nhttps://a,hue,top_list,T,2025,full,\n", encoding="utf-8")
    sig = tmp_path / "signals.csv"
    sig.write_text("id,signal,value,source,as_of,note\n"
                   "hue-x,top_list,,https://b,2025,\n"        # list not declared
                   "hue-x,fame,,https://a,2025,\n"            # unknown signal
                   "hue-x,unesco,yes,https://w,2025,\n"       # bad unesco value
                   "hue-x,national_relic,,,2025,\n"           # no source
                   "hue-x,visitors_per_year,many,https://v,20250,\n", encoding="utf-8")
    with pytest.raises(attr.EvidenceError) as exc:
        attr.read_signals(sig, attr.read_lists(lists))
    text = str(exc.value)
    for needle in ("not declared in lists.csv", "'fame' is not one of", "unesco signal's value",
                   "needs a source", "needs a whole number", "as_of '20250'"):
        assert needle in text
    assert all(f"{sig}, line" in p for p in exc.value.problems)


# ------------------------------------------------------------------------------------------------ the loader's join
GOOD = {"id": "hue-test-place", "name_vi": "Chùa Thử", "name_en": "Test Pagoda", "category": "heritage",
        "subcategory": "pagoda", "province_legacy": "Thừa Thiên Huế", "province": "Huế", "lat": "16.4530",
        "lon": "107.5560", "visit_minutes": "40", "popularity": "5", "tags": "buddhist;national_relic",
        "source": "https://example.org"}


def _folder(tmp_path: Path, values: dict[str, int] | None) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir()
    with (folder / "places.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS), restval="")
        w.writeheader()
        w.writerow(GOOD)
    if values is not None:
        (folder / "evidence").mkdir()
        with (folder / "evidence" / "attractiveness.csv").open("w", encoding="utf-8", newline="") as fh:
            fh.write("id,attractiveness\n" + "".join(f"{k},{v}\n" for k, v in values.items()))
    return folder


def test_missing_row_is_a_problem_naming_file_id_and_fix(tmp_path):
    folder = _folder(tmp_path, {"hue-someone-else": 50})
    with pytest.raises(DataError) as exc:
        load_catalogue([folder / "places.csv"])
    prob = exc.value.problems[0]
    assert prob.file == str(folder / "evidence" / "attractiveness.csv") and prob.value == "hue-test-place"
    assert "run scripts/attractiveness.py" in str(exc.value)
    lenient = load_catalogue([folder / "places.csv"], strict=False)  # a server keeps the place, status value
    assert lenient.get("hue-test-place").attractiveness == attr.STATUS_POINTS["national_relic"]


def test_own_evidence_file_wins_and_bad_values_are_named(tmp_path):
    folder = _folder(tmp_path, {"hue-test-place": 77})
    assert load_catalogue([folder / "places.csv"]).get("hue-test-place").headline
    (folder / "evidence" / "attractiveness.csv").write_text("id,attractiveness\nhue-test-place,170\n")
    with pytest.raises(DataError, match="must be a whole number 1–100"):
        load_catalogue([folder / "places.csv"])


def test_adhoc_catalogue_without_evidence_uses_status_tags(tmp_path):
    folder = _folder(tmp_path, None)
    assert load_catalogue([folder / "places.csv"]).get("hue-test-place").attractiveness == 12
    built = Poi(**{**GOOD, "tags": "unesco", "lat": 16.453, "lon": 107.556})  # a record built in code
    assert built.attractiveness == attr.STATUS_POINTS["unesco:component"]


def test_schema_documents_the_rule():
    doc = (POI_DIR / "SCHEMA.md").read_text(encoding="utf-8")
    section = doc.split("## Attractiveness rule", 1)[1].split("\n## ", 1)[0]
    for needle in (f"UNESCO property {attr.STATUS_POINTS['unesco:property']}",
                   f"UNESCO component {attr.STATUS_POINTS['unesco:component']}",
                   f"UNESCO minor element {attr.STATUS_POINTS['unesco:minor']}",
                   f"special national relic {attr.STATUS_POINTS['national_special_relic']}",
                   f"national relic {attr.STATUS_POINTS['national_relic']}",
                   f"provincial relic {attr.STATUS_POINTS['provincial_relic']}",
                   f"UNESCO biosphere\n  reserve {attr.STATUS_POINTS['unesco_biosphere']}",
                   f"{attr.LIST_POINTS:.0f} × √(share", f"fewer than {attr.MIN_LISTS_PER_CITY} sources",
                   f"{attr.VISITOR_POINTS:.0f} at ≥ {attr.VISITORS_HIGH:,}", f"0 at ≤ {attr.VISITORS_LOW:,}",
                   f"lodging hubs → {attr.HUB_VALUE}", f"attractiveness ≥ {attr.HEADLINE}",
                   f"otherwise or unpublished → {attr.MICE_UNPUBLISHED}"):
        assert needle in section, needle
    for seats, pts in attr.MICE_CAPACITY_POINTS:
        assert f"{seats:,} seats → {pts}" in section or f"{seats:,} → {pts}" in section, seats


def _evidence():
    lists = attr.read_lists(EVIDENCE / "lists.csv")
    return lists, attr.read_signals(EVIDENCE / "signals.csv", lists)


def test_evidence_covers_the_catalogue_status_tags(catalogue):
    """A status tag in the catalogue without a status signal would silently score nothing: each one has a row."""
    _lists, signals = _evidence()
    have = {(s.id, s.signal) for s in signals}
    for p in catalogue:
        if "unesco" in p.tags:
            assert (p.id, "unesco") in have, p.id
        if "unesco_biosphere" in p.tags:
            assert (p.id, "unesco_biosphere") in have, p.id
        for t in ("national_special_relic", "national_relic", "provincial_relic"):
            if t in p.tags:
                assert any((p.id, s) in have for s in ("national_special_relic", "national_relic",
                                                        "provincial_relic")), p.id


def test_every_city_has_at_least_three_sources():
    lists, signals = _evidence()
    per_city: dict[str, int] = {}
    for ls in lists:
        per_city[ls.city] = per_city.get(ls.city, 0) + 1
    assert len(per_city) >= 12 and min(per_city.values()) >= 3, per_city
    named = {s.source for s in signals if s.signal in attr.LIST_KINDS}
    # no list recorded without the places it names, unless its read reached no item or its note says it names none
    silent = [ls for ls in lists if ls.source not in named]
    assert all(ls.read == "none" or "no catalogue place" in ls.note or "not a catalogue place" in ls.note
               or "not catalogue places" in ls.note or "not a catalog" in ls.note for ls in silent), \
        [ls.source for ls in silent]


def test_the_must_sees_of_published_programmes_are_headline(catalogue):
    """Tuning cities (Huế, Hội An): every Huế programme has the Imperial City and Thiên Mụ; Hội An days have the
    Ancient Town; Mỹ Sơn is the region's other UNESCO site. The small displays the issue names stay low."""
    for pid in ("hue-imperial-city", "hue-thien-mu-pagoda", "qnam-hoi-an-ancient-town", "qnam-my-son-sanctuary"):
        assert catalogue.get(pid).headline, pid
    tombs = [p for p in catalogue if p.subcategory == "royal_tomb" and p.province_legacy == "Thừa Thiên Huế"]
    assert max(p.attractiveness for p in tombs) >= 60
    city = catalogue.get("hue-imperial-city").attractiveness
    for pid in ("hue-cuu-vi-than-cong", "hue-phu-van-lau", "hue-quoc-tu-giam"):  # 30-minute displays
        assert catalogue.get(pid).attractiveness <= 20, pid
    for pid in ("hue-ho-quyen", "hue-nam-giao", "hue-an-dinh-palace"):  # listed components few sources name
        assert catalogue.get(pid).attractiveness <= min(45, city / 2), pid


def test_evidence_is_independent_of_the_programme_benchmark():
    """The tour programmes of benchmarks/bench_itineraries.py judge the planner; using them as evidence for what a
    place is worth would let the benchmark grade its own answers."""
    import re

    bench = ROOT / "data" / "benchmarks" / "itineraries.yaml"
    if not bench.exists():
        pytest.skip("no programme benchmark in this checkout")

    def norm(url: str) -> str:
        return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").lower()

    judged = {norm(u) for u in re.findall(r"https?://[^\s'\"]+", bench.read_text(encoding="utf-8"))}
    lists, _signals = _evidence()
    assert not [ls.source for ls in lists if norm(ls.source) in judged]


def test_sights_between_cities_are_scored_from_the_transfer_routes(catalogue):
    """The Huế → Hội An transfer programmes stop at Lập An lagoon, Lăng Cô and the Hải Vân pass, which no city's
    top-sights list names (issue: Lập An scored 1): each standard route has at least three sources of its own, and
    those places now take their list points from the route."""
    lists, _signals = _evidence()
    routes: dict[str, int] = {}
    for ls in lists:
        if attr.is_route(ls.city):
            routes[ls.city] = routes.get(ls.city, 0) + 1
    assert "route-hue-hoian" in routes and min(routes.values()) >= attr.MIN_LISTS_PER_CITY, routes
    rows = _rows()
    for pid in ("hue-lap-an-lagoon", "hue-lang-co-beach", "dn-hai-van-quan"):
        assert "route-hue-hoian" in rows[pid]["basis"], (pid, rows[pid]["basis"])
    assert catalogue.get("hue-lap-an-lagoon").attractiveness > 1
    # a route does not lift a city's own headline sight above what its city's lists give it
    assert "route-" not in rows["hue-imperial-city"]["basis"] and "route-" not in rows["qnam-hoi-an-ancient-town"]["basis"]
