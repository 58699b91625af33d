"""Issue 13: every place the issue names is in the catalogue, or listed as not placeable with the reason
(``data/poi/evidence/not_placeable.csv``). The list is data a tourism department can read; this test keeps it
complete and honest over the committed files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from touroute.pois import load_catalogue
from touroute.provinces import legacy_names

ROOT = Path(__file__).resolve().parents[2]
LIST = ROOT / "data" / "poi" / "evidence" / "not_placeable.csv"

# The places issue 13 names under "Missing places", as the issue writes them.
ISSUE_13_NAMES = [
    "Quang Trung Museum", "Dương Long", "Đồng Dương", "Tháp Hòa Lai", "Route 9", "Hang Câu", "Thới Lới",
    "Cổng Tò Vò", "Chùa Đục", "Perfume River boat pier", "Tiên Sa cruise port", "Furama ICP",
    "Tân Bình exhibition centre", "Asia Park", "Hòn Tằm", "Chợ Đầm", "I-Resort", "Xuân Đài", "Núi Chúa",
    "Bình Tiên", "Cù Lao Câu", "Cù Lao Xanh", "Bàu Đá", "An Thái",
]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with LIST.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ISSUE_13_NAMES)
def test_each_named_place_is_catalogued_or_explained(rows, name):
    hits = [r for r in rows if name.lower() in r["name"].lower()]
    assert len(hits) == 1, f"{name!r}: {len(hits)} rows in {LIST.name}"
    row = hits[0]
    assert row["reason"].strip(), f"{name!r} has no reason"
    assert row["reason_vi"].strip(), f"{name!r} has no Vietnamese reason (the quality report is read in both)"
    assert row["name_vi"].strip(), f"{name!r} has no Vietnamese name"


def test_rows_are_well_formed_and_point_at_real_records(rows):
    cat = load_catalogue()
    provinces = set(legacy_names())
    for k, r in enumerate(rows, start=2):
        where = f"{LIST.name}:{k}"
        assert r["province_legacy"] in provinces, (where, r["province_legacy"])
        assert r["as_of"] and r["named_by"], where
        if r["catalogue_id"]:
            assert r["catalogue_id"] in cat, (where, r["catalogue_id"])  # "in the catalogue" must be true
        else:
            assert "no" in r["reason"] or "closed" in r["reason"], (where, "a reason says what is missing")
