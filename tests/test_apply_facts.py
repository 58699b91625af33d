"""scripts/apply_facts.py: researched facts land in the catalogue with their source and date, never over a value
already there, and the files keep their committed form (a diff shows only the changed rows)."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import pytest

from touroute.pois import load_catalogue

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def apply_facts():
    spec = importlib.util.spec_from_file_location("apply_facts", ROOT / "scripts" / "apply_facts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture()
def folder(tmp_path) -> Path:
    out = tmp_path / "poi"
    shutil.copytree(ROOT / "data" / "poi", out)
    return out


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.csv") if p.name != "access.csv")


def test_facts_fill_empty_fields_with_source_and_date_and_never_overwrite(apply_facts, folder, tmp_path):
    cat = load_catalogue(_files(folder))
    empty = next(p for p in cat if p.category == "heritage" and p.opening_hours is None and p.fee_vnd is None)
    known = next(p for p in cat if p.fee_vnd is not None and p.fee_vnd > 0)
    before = {f.name: f.read_text(encoding="utf-8") for f in _files(folder)}
    facts = _write(tmp_path / "facts.csv", [
        {"id": empty.id, "field": "opening_hours", "value": "Mo-Su 07:00-17:00", "source": "https://a.example/h",
         "as_of": "2024-05", "evidence": "open 7–17"},
        {"id": empty.id, "field": "fee_vnd", "value": "30000", "source": "https://b.example/f", "as_of": "2023",
         "evidence": "30.000 đ"},
        {"id": empty.id, "field": "fee_domestic_vnd", "value": "20000", "source": "https://c.example/f",
         "as_of": "undated", "evidence": ""},
        {"id": known.id, "field": "fee_vnd", "value": str(known.fee_vnd + 1), "source": "https://d.example",
         "as_of": "2024", "evidence": ""},
        {"id": "no-such-place", "field": "fee_vnd", "value": "1", "source": "https://e.example", "as_of": "2024",
         "evidence": ""},
        {"id": empty.id, "field": "popularity", "value": "9", "source": "https://f.example", "as_of": "2024",
         "evidence": ""},
    ])
    log = apply_facts.apply_facts(_files(folder), [facts])
    after = load_catalogue(_files(folder)).get(empty.id)
    assert after.opening_hours == "Mo-Su 07:00-17:00"
    assert (after.hours_source, after.hours_as_of) == ("https://a.example/h", "2024-05")
    assert (after.fee_vnd, after.fee_domestic_vnd) == (30000, 20000)
    # two pages for one fact family: both cited, and the record is as old as the older one
    assert after.fee_source == "https://b.example/f;https://c.example/f" and after.fee_as_of == "undated"
    assert load_catalogue(_files(folder)).get(known.id).fee_vnd == known.fee_vnd  # kept, reported for review
    assert any("kept, review by hand" in m and known.id in m for m in log)
    assert any("no-such-place" in m and "not in the catalogue" in m for m in log)
    assert any("'popularity' is not a fact field" in m for m in log)
    # every other line of every file is byte-for-byte as committed
    for f in _files(folder):
        old, new = before[f.name].splitlines(), f.read_text(encoding="utf-8").splitlines()
        assert len(old) == len(new)
        changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
        assert all(new[i].startswith(empty.id + ",") for i in changed), (f.name, changed)


def test_new_records_go_to_their_province_file(apply_facts, folder, tmp_path):
    cat = load_catalogue(_files(folder))
    model = next(p for p in cat if p.province_legacy == "Quảng Ngãi")
    with open(next(f for f in _files(folder) if model.id in f.read_text(encoding="utf-8")),
              encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["id"] == model.id)
    new = dict(row, id="qng-test-new-place", name_en="Test place", lat="15.1500", lon="108.8000", osm_id="")
    dup = dict(row)
    log = apply_facts.append_new(_files(folder), _write(tmp_path / "new.csv", [new, dup]))
    assert any(m.startswith("+ qng-test-new-place → quangngai") for m in log)
    assert any("already exists" in m for m in log)
    again = load_catalogue(_files(folder), strict=False)
    assert "qng-test-new-place" in again and again.get("qng-test-new-place").province_legacy == "Quảng Ngãi"
