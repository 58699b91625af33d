"""Catalogue: schema validation, coverage, province mapping and filters — on the real bundled data."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from touroute import provinces as prov
from touroute.cli import main
from touroute.errors import DataError
from touroute.pois import (CATEGORIES, COLUMNS, DEFAULT_VISIT_MINUTES, TAGS, haversine_m, load_catalogue,
                           open_intervals)

from ..conftest import ROOT, shared_path

LEGACY = ["Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên",
          "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Hồ Chí Minh"]


# --------------------------------------------------------------------------------------------------------------
# Coverage of the real catalogue
# --------------------------------------------------------------------------------------------------------------
def test_the_readme_counts_what_the_catalogue_holds():
    """The README's sentence on the bundled catalogue (its size and categories) stays true as places are added."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"The bundled catalogue holds (\d+) places \((\d+) heritage, (\d+) MICE, (\d+) coastal, "
                  r"(\d+) lodging hubs, (\d+) other\)", text)
    assert m, "README.md no longer has the sentence 'The bundled catalogue holds N places (…)'"
    cat = load_catalogue()
    counts = pd.Series([p.category for p in cat]).value_counts()
    said = [int(x) for x in m.groups()]
    have = [len(list(cat)), *(int(counts.get(c, 0)) for c in ("heritage", "mice", "coastal", "lodging", "other"))]
    assert said == have, f"README.md says {said}, the catalogue has {have}"


def test_catalogue_meets_issue_counts(catalogue):
    counts = catalogue.df["category"].value_counts()
    assert len(catalogue) >= 320
    assert counts.get("heritage", 0) >= 130
    assert counts.get("mice", 0) >= 55
    assert counts.get("coastal", 0) >= 110
    per_prov = catalogue.df["province_legacy"].value_counts()
    for name in LEGACY:
        assert per_prov.get(name, 0) >= 12, f"{name} has only {per_prov.get(name, 0)} places"


def test_every_legacy_province_has_a_lodging_hub(catalogue):
    hubs = catalogue.hubs().df
    assert set(LEGACY) <= set(hubs["province_legacy"]), set(LEGACY) - set(hubs["province_legacy"])
    assert (hubs["subcategory"] == "hub_town").all()


def test_every_place_inside_its_legacy_province(catalogue):
    for poi in catalogue:
        assert prov.by_legacy(poi.province_legacy).contains(poi.lat, poi.lon), poi.id
        assert poi.province == prov.since_2025_of(poi.province_legacy), poi.id


def test_every_record_has_source_and_dated_facts(catalogue):
    """Each dated fact carries its own source and as-of date (issue 13: hours and fees are checked on different
    pages at different times, so one shared date misled)."""
    for poi in catalogue:
        assert poi.source.strip(), poi.id
        if poi.opening_hours:
            assert poi.hours_as_of and poi.hours_source, poi.id
        if poi.fee_vnd is not None:
            assert poi.fee_as_of and poi.fee_source, poi.id
        if poi.capacity is not None or poi.capacity_banquet is not None or poi.capacity_classroom is not None:
            assert poi.seats_as_of and poi.seats_source, poi.id


def test_all_opening_hours_parse_with_the_library(catalogue):
    import opening_hours

    with_hours = [p for p in catalogue if p.opening_hours]
    assert len(with_hours) >= 20, "the catalogue should carry hours for its main sites"
    for p in with_hours:
        opening_hours.OpeningHours(p.opening_hours)  # raises on bad syntax
        # every parsed day has well-formed intervals
        for iv in open_intervals(p.opening_hours, date(2026, 12, 7)):
            assert 0 <= iv[0] < iv[1] <= 1440


def test_open_intervals_follow_weekdays():
    # "Tu-Su" closed on Monday: 2026-12-07 is a Monday.
    assert open_intervals("Tu-Su 08:00-17:00", date(2026, 12, 7)) == []
    assert open_intervals("Tu-Su 08:00-17:00", date(2026, 12, 8)) == [(480, 1020)]
    assert open_intervals("Mo-Su 07:00-11:00,13:30-17:00", date(2026, 12, 9)) == [(420, 660), (810, 1020)]


def test_my_son_is_not_at_unescos_wrong_point(catalogue):
    hits = catalogue.search("Mỹ Sơn").filter(category="heritage", province="Quảng Nam").df
    hits = hits[hits["subcategory"].isin(["archaeological_site", "cham_tower", "cultural_landscape"])]
    assert len(hits) >= 1
    for _, row in hits.iterrows():
        assert haversine_m(row.lat, row.lon, 15.7736, 108.1237) < 3000, row.id
        assert haversine_m(row.lat, row.lon, 15.5167, 108.5667) > 30000


def test_unesco_sites_present(catalogue):
    unesco = catalogue.filter(tags="unesco").df
    text = prov.fold(" ".join(unesco["name_en"]))
    for needle in ("imperial", "hoi an", "my son", "phong nha"):
        assert needle in text, needle


def test_mice_capacities_and_popularity_rule(catalogue):
    """Published capacities are carried (checked facts from shared/data/README.md) and drive MICE popularity."""
    mice = catalogue.filter(category="mice").df
    assert mice["capacity"].notna().sum() >= 10
    crown = catalogue.search("Crown Convention").filter(category="mice").df
    assert int(crown["capacity"].iloc[0]) == 7500  # ranked first: name match
    ariyana = catalogue.search("Ariyana").filter(category="mice").df
    assert int(ariyana["capacity"].iloc[0]) == 2500
    for pid, row in mice.iterrows():
        cap = row["capacity"]
        want = 4 if pd.isna(cap) else 8 if cap >= 2000 else 7 if cap >= 1000 else 6 if cap >= 500 else 5 if cap >= 200 else 4
        assert row["popularity"] == want, pid


@pytest.mark.shared
def test_osm_matched_records_agree_with_the_osm_source(catalogue):
    src = shared_path("data", "poi-sources", "osm_hot_poi_central_vietnam.csv")
    osm = pd.read_csv(src, usecols=["osm_id", "lat", "lon"]).set_index("osm_id")
    matched = [p for p in catalogue if p.osm_id and p.osm_id.startswith("node/")]
    assert len(matched) >= 60
    far = []
    for p in matched:
        nid = int(p.osm_id.split("/")[1])
        if nid in osm.index:
            row = osm.loc[nid]
            row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
            if haversine_m(p.lat, p.lon, row.lat, row.lon) > 200:
                far.append(p.id)
    assert not far, f"records far from their OSM node: {far}"


@pytest.mark.shared
def test_province_bounds_agree_with_osm_points():
    """The reference bounding boxes contain the OSM points the HOT export assigns to each province."""
    src = shared_path("data", "poi-sources", "osm_hot_poi_central_vietnam.csv")
    osm = pd.read_csv(src, usecols=["province_legacy", "lat", "lon"])
    for name, grp in osm.groupby("province_legacy"):
        p = prov.by_legacy(name)
        inside = grp.apply(lambda r: p.contains(r.lat, r.lon), axis=1).mean()
        # Khánh Hòa's Trường Sa islands lie far offshore and are outside the planning box by design.
        assert inside >= 0.99, f"{name}: only {inside:.1%} of OSM points inside {p.bbox}"


# --------------------------------------------------------------------------------------------------------------
# Provinces: legacy ↔ 2025, spelling
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.shared
def test_reference_table_agrees_with_shared_table():
    src = shared_path("data", "provinces.csv")
    with src.open(encoding="utf-8") as fh:
        shared = {r["province_legacy"]: r["province_since_2025"] for r in csv.DictReader(fh)}
    ours = {p.legacy: p.since_2025 for p in prov.provinces()}
    assert ours == shared


def test_province_names_map_both_ways():
    assert prov.since_2025_of("Quảng Nam") == "Đà Nẵng"
    assert prov.since_2025_of("quang nam") == "Đà Nẵng"
    assert prov.since_2025_of("Bình Định") == "Gia Lai"
    assert [p.legacy for p in prov.resolve("Gia Lai")] == ["Bình Định"]
    assert {p.legacy for p in prov.resolve("Khanh Hoa", era="2025")} == {"Khánh Hòa", "Ninh Thuận"}
    assert {p.legacy for p in prov.resolve("Đà Nẵng", era="2025")} == {"Đà Nẵng", "Quảng Nam"}
    # a name that is both reads as the 2025 province (the law since 1 July 2025) unless the legacy one is asked for
    assert [p.legacy for p in prov.resolve("Đà Nẵng")] == ["Đà Nẵng", "Quảng Nam"]
    assert [p.legacy for p in prov.resolve("Đà Nẵng", era="legacy")] == ["Đà Nẵng"]
    assert [p.legacy for p in prov.resolve("legacy:Đà Nẵng")] == ["Đà Nẵng"]
    assert [p.legacy for p in prov.resolve("Quảng Nam", era="2025")] == ["Đà Nẵng", "Quảng Nam"]
    assert [p.legacy for p in prov.resolve("TP. Hồ Chí Minh")] == ["Hồ Chí Minh"]
    assert [p.legacy for p in prov.resolve("Tỉnh Thừa Thiên Huế")] == ["Thừa Thiên Huế"]
    assert [p.legacy for p in prov.resolve("Hue")] == ["Thừa Thiên Huế"]
    assert [p.legacy for p in prov.resolve("lam dong")] == ["Bình Thuận"]
    with pytest.raises(prov.UnknownProvinceError, match="Hà Nội"):
        prov.resolve("Hà Nội")


def test_fold_strips_vietnamese_diacritics():
    assert prov.fold("Đà Nẵng") == "da nang"
    assert prov.fold("QUẢNG NGÃI") == "quang ngai"
    assert prov.fold("Thừa Thiên–Huế") == "thua thien hue"


# --------------------------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------------------------
def test_filter_province_with_and_without_diacritics(catalogue):
    a = catalogue.filter(province="Quảng Nam")
    b = catalogue.filter(province="Quang Nam")
    assert len(a) >= 12 and set(a.records) == set(b.records)
    assert set(a.df["province_legacy"]) == {"Quảng Nam"}
    new_dn = catalogue.filter(province="Đà Nẵng", province_era="2025")
    assert set(new_dn.df["province_legacy"]) == {"Đà Nẵng", "Quảng Nam"}
    assert len(new_dn) == len(a) + len(catalogue.filter(province="Da Nang", province_era="legacy"))
    assert set(catalogue.filter(province="Da Nang").records) == set(new_dn.records)  # 2025 reading by default


def test_filter_category_tags_bbox_text(catalogue):
    islands = catalogue.filter(category="coastal", tags="island")
    assert len(islands) >= 5
    assert all("island" in p.tags for p in islands)
    assert {"Quảng Ngãi"} <= set(islands.df["province_legacy"])  # Lý Sơn
    # Bounding box around Huế city
    box = (16.40, 107.50, 16.50, 107.65)
    inside = catalogue.filter(bbox=box)
    assert len(inside) >= 10
    assert inside.df["lat"].between(16.40, 16.50).all() and inside.df["lon"].between(107.50, 107.65).all()
    both = catalogue.filter(tags=["unesco", "cham"], all_tags=True)
    assert all({"unesco", "cham"} <= set(p.tags) for p in both)
    # text search ignores diacritics and ranks the exact/prefix name first
    hits = catalogue.search("thien mu")
    assert len(hits) >= 1
    assert "Thiên Mụ" in next(iter(hits)).name_vi
    with pytest.raises(ValueError, match="unknown category"):
        catalogue.filter(category="castle")
    with pytest.raises(ValueError, match="unknown tag"):
        catalogue.filter(tags="nonsense")


def test_get_unknown_id_suggests(catalogue):
    with pytest.raises(KeyError, match="no place with id"):
        catalogue.get("hue-no-such-place")


# --------------------------------------------------------------------------------------------------------------
# Schema validation catches each kind of bad row
# --------------------------------------------------------------------------------------------------------------
GOOD = {
    "id": "hue-test-place", "name_vi": "Điểm thử", "name_en": "Test place", "category": "heritage",
    "subcategory": "pagoda", "province_legacy": "Thừa Thiên Huế", "province": "Huế", "lat": "16.4533",
    "lon": "107.5447", "visit_minutes": "40", "opening_hours": "Mo-Su 07:00-17:30", "hours_source": "https://example.org/h",
    "hours_as_of": "2025-03", "fee_vnd": "0", "fee_source": "https://example.org/f",
    "fee_as_of": "2024-05", "capacity": "", "popularity": "5", "tags": "buddhist;national_relic",
    "osm_id": "node/123", "source": "https://example.org/page", "description_vi": "", "description_en": "", "part_of": "",
    "closure_note": "", "closure_note_vi": "", "fee_domestic_vnd": "", "capacity_banquet": "", "capacity_classroom": "", "seats_source": "",
    "seats_as_of": "",
}


def _write(tmp_path: Path, rows: list[dict], name: str = "bad.csv", header=COLUMNS) -> Path:
    p = tmp_path / name
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(header), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return p


def test_good_row_is_accepted(tmp_path):
    cat = load_catalogue([_write(tmp_path, [GOOD])])
    assert len(cat) == 1 and cat.get("hue-test-place").tags == ("buddhist", "national_relic")


@pytest.mark.parametrize(
    "field,value,needle",
    [
        ("category", "castle", "category"),
        ("subcategory", "beach", "not a subcategory of heritage"),
        ("province_legacy", "Hà Nội", "unknown legacy province"),
        ("province", "Đà Nẵng", "belongs to Huế"),
        ("lat", "12.0", "outside Thừa Thiên Huế"),
        ("lat", "north", "decimal number"),
        ("lon", "", "required field is empty"),
        ("opening_hours", "Mo-Su 7h-17h", "opening_hours syntax"),
        ("fee_as_of", "", "required when the fee"),
        ("fee_source", "", "required when the fee"),
        ("hours_as_of", "", "required when the hours"),
        ("hours_source", "", "required when the hours"),
        ("hours_as_of", "last year", "YYYY"),
        ("fee_as_of", "2024-13", "not a real date"),
        ("fee_domestic_vnd", "-1", "greater than or equal to 0"),
        ("capacity_banquet", "300", "only MICE venues"),
        ("fee_vnd", "-5", "greater than or equal to 0"),
        ("fee_vnd", "20.000đ", "whole number"),
        ("popularity", "11", "less than or equal to 10"),
        ("visit_minutes", "5", "at least 10"),
        ("id", "Hue Test", "slug"),
        ("id", "dn-test-place", "start with 'hue-'"),
        ("tags", "unesco;castle", "unknown tag"),
        ("osm_id", "12345", "node/123"),
        ("source", "", "required field is empty"),
        ("name_en", "", "required field is empty"),
        ("capacity", "300", "only MICE venues"),
    ],
)
def test_each_kind_of_bad_row_is_named(tmp_path, field, value, needle):
    bad = dict(GOOD, **{field: value})
    path = _write(tmp_path, [GOOD | {"id": "hue-other", "name_vi": "Khác", "name_en": "Other"}, bad])
    with pytest.raises(DataError) as exc:
        load_catalogue([path])
    msg = str(exc.value)
    assert needle in msg
    problem = exc.value.problems[0]
    assert problem.file == str(path)
    assert problem.line == 3  # header is line 1, the bad row is the second record
    assert f"{path}, line 3" in msg
    assert problem.field == field
    if value and field not in ("lat",):
        assert repr(value) in msg or value in msg


def test_duplicate_id_and_near_duplicate_name_rejected(tmp_path):
    dup = _write(tmp_path, [GOOD, GOOD | {"name_vi": "Khác", "name_en": "Other", "lat": "16.46"}], "dup.csv")
    with pytest.raises(DataError, match="duplicate id"):
        load_catalogue([dup])
    near = _write(tmp_path, [GOOD, GOOD | {"id": "hue-test-place-2", "lat": "16.4535"}], "near.csv")
    with pytest.raises(DataError, match=r"same name .* only \d+ m"):
        load_catalogue([near])
    # same name, 5 km apart: two different places (e.g. two Mỹ Khê beaches) are allowed
    far = _write(tmp_path, [GOOD, GOOD | {"id": "hue-test-place-2", "lat": "16.50"}], "far.csv")
    assert len(load_catalogue([far])) == 2


def test_bad_header_extra_cells_and_encoding(tmp_path):
    p = _write(tmp_path, [GOOD], "hdr.csv", header=[c for c in COLUMNS if c != "source"])
    with pytest.raises(DataError, match="missing column\\(s\\) source"):
        load_catalogue([p])
    p2 = tmp_path / "cells.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    w.writerow([GOOD[c] for c in COLUMNS] + ["surplus"])
    p2.write_text(buf.getvalue(), encoding="utf-8")
    with pytest.raises(DataError, match=f"line 2: {len(COLUMNS) + 1} cells, header has {len(COLUMNS)}"):
        load_catalogue([p2])
    p3 = tmp_path / "latin1.csv"
    p3.write_bytes(",".join(COLUMNS).encode() + b"\nhu\xe9\n")
    with pytest.raises(DataError, match="not UTF-8"):
        load_catalogue([p3])


def test_part_of_must_name_a_nearby_whole(tmp_path):
    parent = GOOD | {"id": "hue-whole", "name_vi": "Toàn thể", "name_en": "Whole"}
    ok = GOOD | {"part_of": "hue-whole"}
    assert load_catalogue([_write(tmp_path, [parent, ok], "ok.csv")]).get("hue-test-place").part_of == "hue-whole"
    for bad, needle in [(GOOD | {"part_of": "hue-nowhere"}, "another catalogue place"),
                        (GOOD | {"part_of": "hue-test-place"}, "another catalogue place"),
                        (GOOD | {"part_of": "hue-whole", "lat": "16.50"}, "more than 2000 m")]:
        with pytest.raises(DataError, match=needle) as exc:
            load_catalogue([_write(tmp_path, [parent, bad], "bad.csv")])
        assert exc.value.problems[0].field == "part_of" and exc.value.problems[0].line == 3


def test_catalogue_components_point_to_their_site(catalogue):
    parts = catalogue.df[catalogue.df["part_of"].notna()]
    assert {"hue-imperial-city", "qnam-hoi-an-ancient-town"} <= set(parts["part_of"])
    assert catalogue.get("qnam-japanese-bridge").part_of == "qnam-hoi-an-ancient-town"


def test_lenient_load_keeps_valid_rows(tmp_path):
    p = _write(tmp_path, [GOOD, GOOD | {"id": "hue-x", "name_en": "X", "name_vi": "X", "category": "castle"}])
    cat = load_catalogue([p], strict=False)
    assert list(cat.records) == ["hue-test-place"]
    assert len(cat.problems) == 1 and cat.problems[0].field == "category"


def test_schema_doc_lists_match_code():
    doc = (ROOT / "data" / "poi" / "SCHEMA.md").read_text(encoding="utf-8")
    for c in CATEGORIES:
        assert f"`{c}`" in doc
    for cat, subs in DEFAULT_VISIT_MINUTES.items():
        for sub, minutes in subs.items():
            assert f"`{sub}`" in doc, sub
            assert re.search(rf"\b{sub}\b[^,;]*?\b{minutes}\b", doc) or sub in doc
    for t in TAGS:
        assert f"`{t}`" in doc, t


# --------------------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------------------
def test_cli_list_json_and_table(catalogue):
    r = CliRunner().invoke(main, ["pois", "list", "-p", "quang ngai", "-c", "coastal", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows and {x["province_legacy"] for x in rows} == {"Quảng Ngãi"}
    assert all(x["category"] == "coastal" for x in rows)
    r = CliRunner().invoke(main, ["pois", "list", "--tag", "unesco"])
    assert r.exit_code == 0 and "OpenStreetMap" in r.output
    assert "place(s)" in r.output


def test_cli_show_and_unknown(catalogue):
    pid = next(iter(catalogue)).id
    r = CliRunner().invoke(main, ["pois", "show", pid, "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["id"] == pid
    r = CliRunner().invoke(main, ["pois", "show", "nowhere"])
    assert r.exit_code != 0 and "no place with id 'nowhere'" in r.output and "Traceback" not in r.output


def test_cli_validate(tmp_path, catalogue):
    r = CliRunner().invoke(main, ["pois", "validate"])
    assert r.exit_code == 0, r.output
    assert "OK:" in r.output and "Quảng Bình" in r.output
    bad = _write(tmp_path, [GOOD | {"lat": "x"}])
    r = CliRunner().invoke(main, ["pois", "validate", str(bad)])
    assert r.exit_code != 0
    assert f"{bad}, line 2, field 'lat'" in r.output and "Traceback" not in r.output


def test_cli_bad_filter_is_a_usage_error():
    r = CliRunner().invoke(main, ["pois", "list", "-p", "Atlantis"])
    assert r.exit_code == 2 and "unknown province 'Atlantis'" in r.output
    r = CliRunner().invoke(main, ["pois", "list", "--bbox", "1,2,3"])
    assert r.exit_code == 2 and "--bbox" in r.output
