"""Sample-package generator (issue 6): spec validation, end-to-end build of the example, duplicate removal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markupsafe import escape
from click.testing import CliRunner

from touroute.itinerary import Itinerary
from touroute.packages import (BUDGET_LODGING_VND, PackageSpec, SpecError, build_packages, load_spec, parse_length,
                               parse_spec)

pytestmark = pytest.mark.slow  # package builds with Chromium PDF printing: outside the fast subset (pytest -m "not slow")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "packages" / "example.yaml"

GOOD = {"id": "hue-a", "title_vi": "Huế", "title_en": "Hue", "length": "2D1N", "theme": "heritage",
        "start": "hue-hub-hue-city", "provinces": ["Thừa Thiên Huế"]}


def _write(tmp_path: Path, name: str, packages: list[dict]) -> Path:
    import yaml

    p = tmp_path / name
    p.write_text(yaml.safe_dump({"start_date": "2026-03-02", "packages": packages}, allow_unicode=True),
                 encoding="utf-8")
    return p


# --- validation ------------------------------------------------------------------------------------------------
def test_parse_length():
    assert [parse_length(x) for x in ("2D1N", "3d2n", "4D3N", "5D4N")] == [2, 3, 4, 5]
    for bad in ("3D", "three days", "3D3N", "0D0N", "15D14N"):
        with pytest.raises(ValueError):
            parse_length(bad)


def test_bad_length_names_file_and_field(tmp_path):
    p = _write(tmp_path, "spec.yaml", [GOOD, {**GOOD, "id": "hue-b", "length": "3 days"}])
    with pytest.raises(SpecError) as e:
        load_spec(p)
    assert "spec.yaml: packages[1].length: expected like 3D2N" in str(e.value)


def test_unknown_theme_names_field(tmp_path):
    p = _write(tmp_path, "spec.yaml", [{**GOOD, "theme": "beach"}])
    with pytest.raises(SpecError) as e:
        load_spec(p)
    msg = str(e.value)
    assert msg.startswith("spec.yaml: packages[0].theme:") and "mice_leisure" in msg


def test_unknown_and_non_hub_places_name_field(tmp_path):
    p = _write(tmp_path, "spec.yaml", [GOOD, {**GOOD, "id": "x", "start": "no-such-hub"},
                                       {**GOOD, "id": "y", "end": "hue-thien-mu-pagoda",
                                        "provinces": ["Atlantis"]}])
    with pytest.raises(SpecError) as e:
        load_spec(p)
    msg = str(e.value)
    assert "spec.yaml: packages[1].start: no lodging hub with id 'no-such-hub'" in msg
    assert "spec.yaml: packages[2].end: 'hue-thien-mu-pagoda' is not a lodging hub" in msg
    assert "spec.yaml: packages[2].provinces[0]: unknown province 'Atlantis'" in msg


def test_other_spec_errors(tmp_path):
    with pytest.raises(SpecError, match=r"s\.json: packages\[1\]\.id: 'hue-a' is used twice"):
        p = tmp_path / "s.json"
        p.write_text(json.dumps({"start_date": "2026-03-02", "packages": [GOOD, GOOD]}), encoding="utf-8")
        load_spec(p)
    with pytest.raises(SpecError, match=r"spec: packages\[0\]\.budget: Extra inputs are not permitted"):
        parse_spec({"start_date": "2026-03-02", "packages": [{**GOOD, "budget": "cheap"}]})
    with pytest.raises(SpecError, match=r"spec: packages\[0\]\.budget_tier"):
        parse_spec({"start_date": "2026-03-02", "packages": [{**GOOD, "budget_tier": "luxury"}]})
    with pytest.raises(SpecError, match=r"spec: packages\[0\]\.id"):
        parse_spec({"start_date": "2026-03-02", "packages": [{**GOOD, "id": "../etc"}]})
    with pytest.raises(SpecError, match=r"bad\.yaml: line 3, column 1: not valid YAML"):  # where it breaks
        (tmp_path / "bad.yaml").write_text("start_date: 2026-03-02\npackages: [\n", encoding="utf-8")
        load_spec(tmp_path / "bad.yaml")


def test_an_impossible_date_names_the_file_and_field(tmp_path):
    """PyYAML builds dates itself and failed on 30 February with a bare ValueError (a traceback in the CLI, no
    field); the spec's own model now reads the date and names it."""
    from touroute.cli import main

    import yaml

    body = yaml.safe_dump({"packages": [GOOD]}, allow_unicode=True)
    p = tmp_path / "feb.yaml"
    p.write_text("start_date: 2027-02-30\n" + body, encoding="utf-8")  # unquoted: YAML reads it as a date
    with pytest.raises(SpecError, match=r"feb\.yaml: start_date: .*valid date"):
        load_spec(p)
    res = CliRunner().invoke(main, ["packages", "build", str(p), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "feb.yaml: start_date" in res.output and "Traceback" not in res.output
    (tmp_path / "ok.yaml").write_text(p.read_text(encoding="utf-8").replace("02-30", "03-01"), encoding="utf-8")
    assert str(load_spec(tmp_path / "ok.yaml").start_date) == "2027-03-01"  # a real date still reads as one


def test_cli_reports_spec_error(tmp_path):
    from touroute.cli import main

    p = _write(tmp_path, "spec.yaml", [{**GOOD, "length": "2N"}])
    res = CliRunner().invoke(main, ["packages", "build", str(p), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "spec.yaml: packages[0].length: expected like 3D2N" in res.output
    assert "Traceback" not in res.output


def test_theme_and_budget_mapping():
    spec = load_spec(EXAMPLE)
    mice = spec.request(spec.packages[1])
    assert mice.days == 3 and mice.group_size == 40 and mice.profile == "coach"
    assert "mice" in mice.categories and mice.themes.mice > mice.themes.other
    assert mice.costs.lodging_per_night_per_person == BUDGET_LODGING_VND["premium"]
    assert mice.regional.must_cover == ["Đà Nẵng", "Quảng Nam"]
    assert set(mice.provinces) == {"legacy:Đà Nẵng", "legacy:Quảng Nam"}  # resolved once, never widened again
    assert "dn-city-centre" in mice.overnight.candidates and "hue-hub-hue-city" not in mice.overnight.candidates
    coast = spec.request(spec.packages[2])
    assert coast.days == 5 and coast.start.id == "bd-quy-nhon" and coast.end.id == "kh-hub-nha-trang"
    assert coast.themes.coastal == max(coast.themes.model_dump().values())


def test_a_legacy_province_package_stays_in_the_old_province(ctx):
    """A review: a package of "legacy:Đà Nẵng" (the old city) under the default 2025 scheme was rewritten to a bare
    "Đà Nẵng", read again as the 2025 province, and visited Hội An and Mỹ Sơn (legacy Quảng Nam)."""
    from touroute.planner import plan

    spec = parse_spec({"start_date": "2027-03-01", "packages": [
        {**GOOD, "id": "old-dn", "start": "dn-city-centre", "length": "2D1N", "provinces": ["legacy:Đà Nẵng"]}]})
    assert spec.province_scheme == "2025"
    spec = spec.model_copy(update={"solver_seconds": 1.0})
    it = plan(spec.request(spec.packages[0]), ctx, geometry=False)
    assert it.feasible and it.totals.stops >= 4
    assert {s.province_legacy for d in it.days for s in d.stops} == {"Đà Nẵng"}


# --- end to end ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example_build(ctx, tmp_path_factory):
    spec = load_spec(EXAMPLE).model_copy(update={"solver_seconds": 1.0})
    out = tmp_path_factory.mktemp("packages")
    seen = []
    results = build_packages(spec, out, ctx, progress=lambda r, n, t: seen.append((r.id, n, t)), workers=1)
    return spec, out, results, seen


def test_example_builds_end_to_end(example_build):
    spec, out, results, seen = example_build
    assert [s[0] for s in seen] == [p.id for p in spec.packages] and seen[-1][1:] == (3, 3)
    assert all(r.feasible and r.duplicate_of is None for r in results), [r.problems for r in results]
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in index["packages"]] == [p.id for p in spec.packages] and index["duplicates"] == []
    for tpl, r in zip(spec.packages, results):
        it = Itinerary.model_validate_json((out / tpl.id / "itinerary.json").read_text(encoding="utf-8"))
        assert it.feasible and len(it.days) == tpl.days and it.stop_ids() == r.stops
        assert it.days[0].start.place_id == tpl.start and it.days[-1].end.place_id == (tpl.end or tpl.start)
        legacy = {s.province_legacy for d in it.days for s in d.stops}
        # stays in the package's provinces (the request names them as resolved legacy provinces, "legacy:…")
        assert legacy <= {p.removeprefix("legacy:") for p in spec.request(tpl).provinces}
        assert set(spec.request(tpl).regional.must_cover) <= legacy
        assert round(it.totals.costs.per_person) == r.per_person_vnd
    mice = Itinerary.model_validate_json((out / "danang-hoian-mice-3d2n" / "itinerary.json").read_text("utf-8"))
    assert "dn-ariyana-convention-centre" in sum(mice.stop_ids(), []) and mice.profile == "coach"
    assert mice.totals.costs.vehicles == 1


def test_map_html_contains_route_and_local_assets(example_build):
    spec, out, results, _ = example_build
    for r in results:
        html = (out / r.id / "map.html").read_text(encoding="utf-8")
        assert "tr-route" in html and "L.polyline(" in html
        for url in re.findall(r'(?:src|href)="(\.\./_assets/[^"]+)"', html):
            assert (out / r.id / url).resolve().is_file(), url
        assert "OpenStreetMap" in html


def test_brochures_in_both_languages(example_build):
    spec, out, results, _ = example_build
    for tpl, r in zip(spec.packages, results):
        it = Itinerary.model_validate_json((out / tpl.id / "itinerary.json").read_text(encoding="utf-8"))
        vi = (out / tpl.id / "brochure.vi.html").read_text(encoding="utf-8")
        en = (out / tpl.id / "brochure.en.html").read_text(encoding="utf-8")
        assert '<html lang="vi">' in vi and '<html lang="en">' in en
        price = f"{r.per_person_vnd:,.0f} ₫".replace(",", ".")
        for html, title, words in ((vi, tpl.title_vi, ("Ngày 1", "Vé tham quan", "Vận chuyển", "Lưu trú")),
                                   (en, tpl.title_en, ("Day 1", "Entrance fees", "Transport", "Accommodation"))):
            assert f"<h1>{title.replace('&', '&amp;')}</h1>" in html
            assert all(w in html for w in words) and price in html
            assert "OpenStreetMap contributors" in html and "@media print" in html
            assert f"Day {tpl.days}" in html or f"Ngày {tpl.days}" in html
            assert it.days[0].stops[0].start.strftime("%H:%M") in html
        dates = {s.fee_as_of for d in it.days for s in d.stops if s.fee_as_of and s.fee_vnd is not None}
        assert all(d in en for d in dates) and ("fees as of" in en) == bool(dates)
        # what the programme assumed is printed with it: hours nobody publishes, drives with no road data
        assert "as of undated" not in en and "cập nhật undated" not in vi
        for s in (s for d in it.days for s in d.stops if s.hours_assumed):
            assert f"opening hours not published — planned as open {s.hours_assumed}" in en
        assert ("estimated: no road data" in en) == any(leg.source == "estimate" for d in it.days for leg in d.legs)
        c = it.totals.costs
        # the plan's notes are printed too (a past start date, unknown hours, estimated roads …), each fee nobody
        # publishes is named, the vehicle's rate and what the price leaves out are stated
        from touroute.planner import THEME_NOTE_PREFIX
        for note in it.notes("en"):
            # the advice on theme weights is for whoever plans, not the customer's brochure
            assert (str(escape(note)) in en) != note.startswith(THEME_NOTE_PREFIX), note
        for s in (s for d in it.days for s in d.stops if s.place_id in c.fees_unknown):
            assert str(escape(s.name_en)) in en.split("fee not known:")[1].split("</span>")[0]
        assert f"{c.vehicle_per_km:,.0f} ₫ per km".replace(",", ".") in en and "Not included: meals" in en
        assert "Chưa bao gồm: ăn uống" in vi
        # every day that asks for lunch shows where it is eaten: its own break, or during a long visit
        from touroute.export._common import lunch_on_site
        from touroute.model import LunchBreak
        lunch = LunchBreak.model_validate(it.request["lunch"]) if it.request.get("lunch") else None
        for d in it.days:
            on_site = lunch_on_site(d, lunch)
            if on_site is not None:
                assert f"Lunch at {escape(on_site[1].name_en)}" in en and f"Ăn trưa tại {escape(on_site[1].name_vi)}" in vi
        group = it.request["group_size"]
        assert c.lodging_total / group == pytest.approx(BUDGET_LODGING_VND[tpl.budget_tier] * (tpl.days - 1))
        assert (c.fees_total + c.vehicle_total + c.lodging_total) / group == pytest.approx(c.per_person, rel=1e-6)


def test_identical_templates_yield_one_package_and_escape_text(ctx, tmp_path):
    evil = '<script>alert("x")</script> Huế & Hội An'
    spec = PackageSpec.model_validate({"start_date": "2026-03-02", "solver_seconds": 1.0, "packages": [
        {**GOOD, "id": "first", "title_en": evil, "title_vi": evil},
        {**GOOD, "id": "second", "title_en": "Same trip again"}]})
    results = build_packages(spec, tmp_path, ctx, tiles="")
    assert [r.duplicate_of for r in results] == [None, "first"] and results[0].feasible
    assert results[1].stops == results[0].stops and results[1].files == []
    assert not (tmp_path / "second").exists()
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in index["packages"]] == ["first"]
    assert index["duplicates"] == [{"id": "second", "duplicate_of": "first"}]
    for lang in ("vi", "en"):
        html = (tmp_path / "first" / f"brochure.{lang}.html").read_text(encoding="utf-8")
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Huế &amp; Hội An" in html
    assert "tile.openstreetmap.org" not in (tmp_path / "first" / "map.html").read_text(encoding="utf-8")


def test_cli_progress_line(monkeypatch, tmp_path):
    """One progress line per package (planning stubbed out: the end-to-end build is tested above)."""
    import touroute.packages as pk
    from touroute.cli import main

    def fake_build(spec, out_dir, ctx=None, progress=None, **kw):
        res = [pk.PackageResult(id=t.id, title_vi=t.title_vi, title_en=t.title_en, length=t.length, theme=t.theme,
                                feasible=True, stops=[["a", "b"]], per_person_vnd=1234567, seconds=0.5)
               for t in spec.packages]
        res[1].duplicate_of = res[0].id
        for n, r in enumerate(res, 1):
            progress(r, n, len(res))
        assert spec.solver_seconds == 2.5
        return res

    monkeypatch.setattr(pk, "build_packages", fake_build)
    p = _write(tmp_path, "spec.yaml", [GOOD, {**GOOD, "id": "hue-b"}])
    res = CliRunner().invoke(main, ["packages", "build", str(p), "--out", str(tmp_path), "--seconds", "2.5"])
    assert res.exit_code == 0, res.output
    assert "[1/2] hue-a (2D1N): 2 stops, 1.234.567 ₫/person — 0.5 s" in res.output
    assert "[2/2] hue-b (2D1N): duplicate of hue-a (skipped)" in res.output
    assert "written 1 package(s)" in res.output


def test_brochure_pdf_has_the_programme_and_the_map(example_build):
    """Each brochure is printed to PDF by headless Chromium and parsed back (pypdf): pages, title, prices, map."""
    import shutil

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("Debian chromium not installed: brochures are written as HTML only")
    pypdf = pytest.importorskip("pypdf")
    spec, out, results, _ = example_build
    for res in [r for r in results if r.duplicate_of is None and r.feasible]:
        tpl = next(t for t in spec.packages if t.id == res.id)
        for lang, title in (("vi", tpl.title_vi), ("en", tpl.title_en)):
            pdf = out / res.id / f"brochure.{lang}.pdf"
            assert f"{res.id}/brochure.{lang}.pdf" in res.files and pdf.exists()
            reader = pypdf.PdfReader(str(pdf))
            assert len(reader.pages) >= 1
            import unicodedata

            text = " ".join(page.extract_text() or "" for page in reader.pages)
            squeeze = lambda x: unicodedata.normalize("NFC", "".join(x.split()))  # noqa: E731 (PDF text is spaced)
            assert squeeze(title) in squeeze(text)
            assert "OpenStreetMap" in text
            assert any(page.images for page in reader.pages), "the route map is embedded as an image"


# --- parallel build --------------------------------------------------------------------------------------------
def _comparable_itinerary(path: Path) -> dict:
    """An itinerary file without the solver's wall-clock timings (the only values allowed to differ)."""
    d = json.loads(path.read_text(encoding="utf-8"))
    for k in ("seconds", "seconds_own"):
        d["solver"].pop(k, None)
    return d


def test_parallel_build_equals_sequential(ctx, tmp_path):
    """workers=2 (spawned processes, each unpickling the context) gives the same packages, duplicates, problems,
    progress calls and files as workers=1; a package that fails to plan is reported under its id.

    The solver is bounded by a deterministic work budget, but also by a wall-clock safety stop at 3 × limit + 2 s;
    on a loaded machine a 1 s limit can reach that stop (then results depend on the clock, in any mode). A 0.1 s
    limit keeps the budget (≈ 0.3 s of work) far from its 1.2 s stop, so both builds must agree exactly."""
    spec = PackageSpec.model_validate({"start_date": "2026-03-02", "solver_seconds": 0.1, "packages": [
        GOOD,
        {**GOOD, "id": "hue-again", "title_en": "Same trip again"},
        {**GOOD, "id": "broken", "must_visit": ["no-such-place"]},
        {**GOOD, "id": "danang", "start": "dn-city-centre", "provinces": ["Đà Nẵng"]}]})
    runs = {}
    for w in (1, 2):
        seen: list = []
        res = build_packages(spec, tmp_path / f"w{w}", ctx, progress=lambda r, n, t: seen.append((r.id, n, t)),
                             tiles="", pdf=False, workers=w)
        runs[w] = (res, seen)
    (seq, seen1), (par, seen2) = runs[1], runs[2]
    ids = [p.id for p in spec.packages]
    assert seen1 == seen2 == [(pid, n, 4) for n, pid in enumerate(ids, 1)]
    key = lambda r: (r.id, r.feasible, r.stops, r.per_person_vnd, r.duplicate_of, r.files, r.problems)  # noqa: E731
    assert [key(r) for r in par] == [key(r) for r in seq]
    assert [r.duplicate_of for r in par] == [None, "hue-a", None, None]
    assert par[0].feasible and par[3].feasible and par[0].stops != par[3].stops
    assert not par[2].feasible and par[2].files == [] and "no-such-place" in " ".join(par[2].problems)
    for r in seq:
        for f in r.files:
            a, b = tmp_path / "w1" / f, tmp_path / "w2" / f
            if f.endswith("itinerary.json"):
                assert _comparable_itinerary(a) == _comparable_itinerary(b), f
            elif "brochure" in f:
                assert a.read_bytes() == b.read_bytes(), f
            else:
                assert b.is_file()
    idx = [json.loads((tmp_path / f"w{w}" / "index.json").read_text(encoding="utf-8")) for w in (1, 2)]
    for d in idx:
        d.pop("generated")
        for p in d["packages"]:
            p.pop("seconds")
    assert idx[0] == idx[1] and idx[1]["duplicates"] == [{"id": "hue-again", "duplicate_of": "hue-a"}]


def test_default_workers_and_bad_workers(ctx, tmp_path):
    from touroute.packages import default_workers, usable_cores

    cores = usable_cores()
    assert default_workers(1) == 1 and default_workers(50) == cores
    assert default_workers(3, per_package_s=60.0) == min(cores, 3)
    assert default_workers(3, per_package_s=0.5) == 1          # too little work to repay starting processes
    spec = PackageSpec.model_validate({"start_date": "2026-03-02", "packages": [GOOD]})
    with pytest.raises(ValueError, match="workers must be at least 1"):
        build_packages(spec, tmp_path, ctx, workers=0)
    from touroute.cli import main

    p = _write(tmp_path, "spec.yaml", [GOOD])
    res = CliRunner().invoke(main, ["packages", "build", str(p), "--out", str(tmp_path / "o"), "--workers", "0"])
    assert res.exit_code == 2 and "--workers" in res.output and "Traceback" not in res.output


def test_a_brochure_day_whose_lunch_is_eaten_during_a_long_visit_says_where(ctx):
    """A review's Hội An 2D1N brochure printed day 2 without lunch: the 09:25–13:35 town visit spans the lunch window,
    so the planner gives the day no break of its own. The brochure says lunch is at the Ancient Town, as the text
    programme and the web timeline do."""
    from datetime import date

    from touroute.export._common import lunch_on_site
    from touroute.model import PlanRequest
    from touroute.packages.brochure import render_brochure
    from touroute.planner import plan

    req = PlanRequest(start_date=date(2027, 4, 5), days=1, start="qnam-hoi-an", day_start="10:00",
                      must_visit=["qnam-hoi-an-ancient-town"], solver={"time_limit_s": 1})
    it = plan(req, ctx, geometry=False)
    found = lunch_on_site(it.days[0], req.lunch)
    assert found is not None and found[1].place_id == "qnam-hoi-an-ancient-town"
    tpl = load_spec(EXAMPLE).packages[0]
    en, vi = render_brochure(it, tpl, "en"), render_brochure(it, tpl, "vi")
    assert f"{found[0]:%H:%M}</td><td>Lunch at Hội An Ancient Town" in en
    assert f"{found[0]:%H:%M}</td><td>Ăn trưa tại Đô thị cổ Hội An" in vi
