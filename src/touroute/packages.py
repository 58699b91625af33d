"""Sample tour packages for trade-fair organisers: a spec of package templates → planned, deduplicated packages
with an itinerary JSON, a map and a printable brochure (Vietnamese and English) each.

A spec (YAML or JSON) holds global settings and a list of :class:`PackageTemplate`::

    start_date: 2026-03-02
    languages: [vi, en]
    group_size: 20
    solver_seconds: 4
    packages:
      - id: hue-heritage-2d1n
        title_vi: Huế – Di sản cố đô
        title_en: Huế imperial heritage
        length: 2D1N            # days D, nights N (N = D − 1)
        theme: heritage
        start: hue-hub-hue-city # catalogue lodging hub ids
        end: hue-hub-hue-city
        budget_tier: standard
        provinces: [Thừa Thiên Huế]

Theme → planner settings (:data:`THEMES`). ``categories`` and ``tags`` are candidate *filters* (a tag list keeps
only places with at least one of the tags), ``weights`` multiply each place's popularity in the objective:

============  ===============================  ===================================================  ==========================
theme         categories                       tags                                                 weights (her/mice/coast/other)
============  ===============================  ===================================================  ==========================
heritage      heritage, other                  —                                                    3 / 0.1 / 0.5 / 0.8
coastal       coastal, heritage, other         —                                                    1 / 0.1 / 3 / 0.6
mice_leisure  mice, heritage, coastal, other   —                                                    1.2 / 2 / 1.2 / 0.5
green         other, coastal, heritage         green, national_park, hiking, cave, lagoon,          0.8 / 0 / 1.5 / 3
                                               unesco_biosphere, snorkelling
ocop          heritage, coastal, other         craft_village, fishing_village, seafood              1.5 / 0 / 1.5 / 1.5
============  ===============================  ===================================================  ==========================

(OCOP — "One Commune One Product" — has no catalogue tag of its own; craft and fishing villages and seafood places
are where OCOP products are made and sold.)

Budget tier → lodging cost per night per person in VND (:data:`BUDGET_LODGING_VND`), twin share, breakfast
included. These are **planning assumptions** for a sample price, not quotes: budget 350,000 (2★ / guesthouse),
standard 750,000 (3–4★), premium 2,000,000 (5★ / resort).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import messages
from .errors import TourouteException
from .itinerary import Itinerary
from .model import Pace, PlanRequest, Profile

Theme = Literal["heritage", "coastal", "mice_leisure", "green", "ocop"]
BudgetTier = Literal["budget", "standard", "premium"]
Lang = Literal["vi", "en"]

THEMES: dict[str, dict[str, Any]] = {
    "heritage": {"categories": ["heritage", "other"], "tags": [],
                 "weights": {"heritage": 3.0, "mice": 0.1, "coastal": 0.5, "other": 0.8}},
    "coastal": {"categories": ["coastal", "heritage", "other"], "tags": [],
                "weights": {"heritage": 1.0, "mice": 0.1, "coastal": 3.0, "other": 0.6}},
    "mice_leisure": {"categories": ["mice", "heritage", "coastal", "other"], "tags": [],
                     "weights": {"heritage": 1.2, "mice": 2.0, "coastal": 1.2, "other": 0.5}},
    "green": {"categories": ["other", "coastal", "heritage"],
              "tags": ["green", "national_park", "hiking", "cave", "lagoon", "unesco_biosphere", "snorkelling"],
              "weights": {"heritage": 0.8, "mice": 0.0, "coastal": 1.5, "other": 3.0}},
    "ocop": {"categories": ["heritage", "coastal", "other"], "tags": ["craft_village", "fishing_village", "seafood"],
             "weights": {"heritage": 1.5, "mice": 0.0, "coastal": 1.5, "other": 1.5}},
}
BUDGET_LODGING_VND: dict[str, int] = {"budget": 350_000, "standard": 750_000, "premium": 2_000_000}

_LENGTH = re.compile(r"^\s*(\d{1,2})\s*D\s*(\d{1,2})\s*N\s*$", re.IGNORECASE)


class SpecError(TourouteException):
    """A package spec that cannot be used; the message names the file and the field."""


def parse_length(text: str) -> int:
    """``"3D2N"`` → 3 days. Nights must be days − 1 (a package ends on its last day)."""
    m = _LENGTH.match(str(text))
    if not m:
        raise ValueError("expected like 3D2N (days D, nights N)")
    d, n = int(m.group(1)), int(m.group(2))
    if not 1 <= d <= 14:
        raise ValueError(f"expected 1 to 14 days, got {d}")
    if n != d - 1:
        raise ValueError(f"{d} days need {d - 1} night(s), got {n}N")
    return d


class PackageTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="lower-case slug; the output folder name")
    title_vi: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    length: str = Field(description="like 2D1N, 3D2N, 4D3N, 5D4N")
    theme: Theme
    start: str = Field(description="catalogue id of a lodging hub")
    end: str | None = Field(default=None, description="catalogue id of a lodging hub; default the start")
    group_size: int | None = Field(default=None, ge=1, le=10_000)
    vehicle: Profile | None = None
    budget_tier: BudgetTier = "standard"
    provinces: list[str] = Field(default_factory=list, description="provinces the package must cover")
    stay_in_provinces: bool = Field(default=True, description="visit and sleep only in `provinces` (when given)")
    pace: Pace = "normal"
    must_visit: list[str] = Field(default_factory=list)
    start_date: date | None = None

    @field_validator("length")
    @classmethod
    def _length(cls, v: str) -> str:
        parse_length(v)
        return v.strip().upper().replace(" ", "")

    @property
    def days(self) -> int:
        return parse_length(self.length)


class PackageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: date
    languages: list[Lang] = Field(default_factory=lambda: ["vi", "en"], min_length=1)
    group_size: int = Field(default=20, ge=1, le=10_000)
    vehicle: Profile | None = None
    solver_seconds: float = Field(default=4.0, gt=0, le=120)
    seed: int = Field(default=0, ge=0)
    province_scheme: Literal["2025", "legacy"] = Field(
        default="2025", description="how the packages' province names that are both a legacy and a 2025 province "
                                    "(Đà Nẵng, Khánh Hòa …) are read — as in a plan request's province_scheme")
    packages: list[PackageTemplate] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "PackageSpec":
        seen: set[str] = set()
        for k, p in enumerate(self.packages):
            if p.id in seen:
                raise ValueError(f"packages[{k}].id: {p.id!r} is used twice")
            seen.add(p.id)
        return self

    def request(self, tpl: PackageTemplate, catalogue=None) -> PlanRequest:
        """The planning request of one package (theme, budget tier and spec defaults applied).

        ``provinces`` become ``regional.must_cover``; with ``stay_in_provinces`` (the default) they also restrict
        the candidate places and the overnight hubs (start and end hubs always allowed), so a Quy Nhơn → Nha Trang
        package does not detour to Hội An."""
        th = THEMES[tpl.theme]
        extra: dict[str, Any] = {}
        if tpl.provinces and tpl.stay_in_provinces:
            from . import provinces as prov

            if catalogue is None:
                from .pois import default_catalogue

                catalogue = default_catalogue()
            era = "legacy" if self.province_scheme == "legacy" else "auto"
            legacy = {p.legacy for name in tpl.provinces for p in prov.resolve(name, era)}
            # island hubs are left out: listed as candidates they would ask for a night on the island
            # (touroute.islands.choose_island_night), which a package does not ask for
            hubs = [h.id for h in catalogue.hubs() if h.province_legacy in legacy and "island" not in h.tags]
            hubs += [x for x in (tpl.start, tpl.end or tpl.start) if x not in hubs]
            extra = {"provinces": sorted(legacy), "overnight": {"mode": "choose", "candidates": hubs}}
        return PlanRequest.model_validate({
            **extra,
            "pace": tpl.pace,
            "start_date": (tpl.start_date or self.start_date).isoformat(),
            "days": tpl.days,
            "start": tpl.start,
            "end": tpl.end or tpl.start,
            "categories": th["categories"],
            "tags": th["tags"],
            "themes": th["weights"],
            "regional": {"must_cover": tpl.provinces},
            "province_scheme": self.province_scheme,
            "must_visit": tpl.must_visit,
            "group_size": tpl.group_size or self.group_size,
            "vehicle": tpl.vehicle or self.vehicle,
            "costs": {"lodging_per_night_per_person": BUDGET_LODGING_VND[tpl.budget_tier]},
            "solver": {"time_limit_s": self.solver_seconds, "seed": self.seed},
        })


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "spec"


def _check_catalogue(spec: PackageSpec, catalogue) -> list[str]:
    from . import provinces as prov

    errors: list[str] = []
    for k, p in enumerate(spec.packages):
        for fname in ("start", "end"):
            pid = getattr(p, fname)
            if pid is None:
                continue
            if pid not in catalogue:
                try:
                    catalogue.get(pid)
                except KeyError as exc:
                    errors.append(f"packages[{k}].{fname}: {exc.args[0]}")
            elif catalogue.get(pid).category != "lodging":
                errors.append(f"packages[{k}].{fname}: {pid!r} is not a lodging hub (see `touroute pois list -c lodging`)")
        for j, pid in enumerate(p.must_visit):
            if pid not in catalogue:
                errors.append(f"packages[{k}].must_visit[{j}]: no place with id {pid!r} in the catalogue")
        for j, name in enumerate(p.provinces):
            try:
                prov.resolve(name)
            except prov.UnknownProvinceError as exc:
                errors.append(f"packages[{k}].provinces[{j}]: {exc}")
    return errors


def parse_spec(data: Any, source: str = "spec", catalogue=None) -> PackageSpec:
    """Validate a spec (already parsed YAML/JSON); :class:`SpecError` lines read ``source: field: problem``."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: must hold a mapping (start_date, packages, …)")
    try:
        spec = PackageSpec.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            loc = _loc(tuple(err.get("loc", ())))
            lines.append(msg if loc == "spec" and msg.startswith("packages[") else f"{loc}: {msg}")
        raise SpecError("; ".join(f"{source}: {line}" for line in lines)) from None
    if catalogue is None:
        from .pois import default_catalogue

        catalogue = default_catalogue()
    errors = _check_catalogue(spec, catalogue)
    if errors:
        raise SpecError("; ".join(f"{source}: {e}" for e in errors))
    return spec


def load_spec(path: str | Path, catalogue=None) -> PackageSpec:
    """Load a ``.yaml``/``.yml`` or ``.json`` spec file."""
    from .resources import read_yaml_or_json

    path = Path(path)
    data = read_yaml_or_json(path, SpecError)
    return parse_spec(data, path.name, catalogue)


# ---------------------------------------------------------------------------------------------------------------
@dataclass
class PackageResult:
    id: str
    title_vi: str
    title_en: str
    length: str
    theme: str
    feasible: bool = False
    stops: list[list[str]] = field(default_factory=list)
    per_person_vnd: float = 0.0
    duplicate_of: str | None = None
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


_VENDOR_FILES = {"leaflet": ["leaflet.js", "leaflet.css", "images"], "jquery": ["jquery.min.js"],
                 "font_awesome": ["css/all.min.css", "webfonts"]}


def copy_map_assets(out_dir: Path) -> None:
    """Copy the map's vendor files (Leaflet, jQuery, Font Awesome, map.css) to ``out_dir/_assets`` so every
    package's map.html works offline, opened straight from disk."""
    from .resources import vendor_dir, web_dir

    dest = out_dir / "_assets"
    for pkg, names in _VENDOR_FILES.items():
        base = Path(vendor_dir(pkg))
        for name in names:
            src, dst = base / name, dest / pkg / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                shutil.copy2(src, dst)
    (dest / "own").mkdir(parents=True, exist_ok=True)
    shutil.copy2(web_dir() / "static" / "map.css", dest / "own" / "map.css")


def _relative_asset(pkg: str, path: str) -> str:
    """Asset URL for a map written to ``out_dir/<id>/map.html``."""
    return f"../_assets/{pkg}/{path}"


def _signature(it: Itinerary) -> tuple | None:
    if not it.feasible or not it.days:
        return None
    seq = [it.days[0].start.place_id]
    for d in it.days:
        seq.extend(s.place_id for s in d.stops)
    seq.append(it.days[-1].end.place_id)
    return tuple(seq)


def _plan_one(req: PlanRequest, ctx) -> Itinerary:
    from .planner import plan

    return plan(req, ctx, geometry=True)


WORKER_STARTUP_S = 3.0
"""Wall time for a fresh worker process to be ready: import touroute, unpickle the planning context (pandas,
catalogue, networks, matrices), import matplotlib and load the cached numba kernels — measured ≈ 2.6 s on the
2-core dev machine (see BENCHMARKS.md, "Package build"). A parallel build only pays when it saves more than this."""


def usable_cores() -> int:
    """Cores this process may run on (``os.sched_getaffinity``: honours a container's CPU set), else
    ``os.cpu_count()``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS / Windows
        return max(1, os.cpu_count() or 1)


def default_workers(n_packages: int, per_package_s: float | None = None) -> int:
    """Processes a build uses by default: one per usable core, at most one per package — and 1 when the work is
    so small (``per_package_s``, the estimated seconds of one package) that starting workers would cost more than
    the cores save."""
    w = max(1, min(usable_cores(), n_packages))
    if w > 1 and per_package_s is not None:
        saved = per_package_s * (n_packages - math.ceil(n_packages / w))
        if saved < WORKER_STARTUP_S:
            return 1
    return w


def estimated_package_seconds(spec: "PackageSpec", pdf: bool = True) -> float:
    """Rough seconds to plan and write one package: the solver budget, model building and geometry (≈ 0.5 s) and,
    with PDFs, one Chromium print per language (≈ 1.5 s each)."""
    return spec.solver_seconds + 0.5 + (1.5 * len(spec.languages) if pdf else 0.0)


def _failure(tpl_id: str, stage: str, exc: BaseException) -> str:
    """One line naming the package, for an unexpected error (a bug or a broken worker), not a planning verdict."""
    return f"{tpl_id}: {stage} failed ({type(exc).__name__}: {exc})"


def _plan_package(req: PlanRequest, ctx) -> tuple[Itinerary | None, list[str]]:
    """Plan one package: (itinerary, []) or (None, problems) — a planning error never stops the other packages."""
    try:
        return _plan_one(req, ctx), []
    except TourouteException as exc:
        return None, [str(exc)]


def _write_package(out: Path, tpl: PackageTemplate, it: Itinerary, languages: list[str], tiles: str | None,
                   pdf: bool) -> list[str]:
    """Write ``<id>/itinerary.json``, ``map.html`` and the brochures (HTML, PDF) of one kept package; the files
    written, relative to ``out``. Runs in a worker process in a parallel build (matplotlib and Chromium are
    CPU-heavy), so it takes only picklable arguments."""
    from .render.maps import OSM_TILES, render_map

    files: list[str] = []
    pdir = out / tpl.id
    pdir.mkdir(parents=True, exist_ok=True)
    (pdir / "itinerary.json").write_text(it.model_dump_json(indent=1), encoding="utf-8")
    files.append(f"{tpl.id}/itinerary.json")
    if it.feasible:
        html = render_map(it, languages[0], _relative_asset, tiles=OSM_TILES if tiles is None else (tiles or None))
        (pdir / "map.html").write_text(html, encoding="utf-8")
        files.append(f"{tpl.id}/map.html")
    for lang in languages:
        (pdir / f"brochure.{lang}.html").write_text(render_brochure(it, tpl, lang), encoding="utf-8")
        files.append(f"{tpl.id}/brochure.{lang}.html")
        if pdf and html_to_pdf(pdir / f"brochure.{lang}.html", pdir / f"brochure.{lang}.pdf"):
            files.append(f"{tpl.id}/brochure.{lang}.pdf")
    return files


# --- worker processes ------------------------------------------------------------------------------------------
_WORKER_CTX: Any = None


def _init_worker(ctx_blob: bytes) -> None:
    """Process-pool initializer: unpickle the parent's planning context once per worker (catalogue, loaded networks,
    the whole-catalogue matrices the parent computed) and load the compiled solver kernels before the first task."""
    import pickle

    import matplotlib

    matplotlib.use("Agg")
    global _WORKER_CTX
    _WORKER_CTX = pickle.loads(ctx_blob)
    from .solve.ils import warmup

    warmup()


def _worker_plan(req: PlanRequest) -> tuple[Itinerary | None, list[str], float]:
    t0 = time.perf_counter()
    it, problems = _plan_package(req, _WORKER_CTX)
    return it, problems, time.perf_counter() - t0


def _worker_write(out: Path, tpl: PackageTemplate, it: Itinerary, languages: list[str], tiles: str | None,
                  pdf: bool) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    return _write_package(out, tpl, it, languages, tiles, pdf), time.perf_counter() - t0


_PRELOAD = ["touroute.packages", "touroute.planner", "touroute.solve.ils", "touroute.render.maps", "matplotlib.pyplot"]


def _mp_context():
    """``forkserver`` where the platform has it, else ``spawn`` — never plain ``fork``, which copies a parent's
    threads' locks (the web app's, numba's) into a half-dead child. The fork server is a fresh interpreter that
    imports :data:`_PRELOAD` once; every worker is forked from it, so a second build in the same process (the web
    app's background jobs) starts its workers in about a second instead of re-importing pandas, numba and
    matplotlib in each (BENCHMARKS.md)."""
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - Windows / macOS without forkserver


def _context_blob(ctx, requests: list[PlanRequest]) -> bytes:
    """The context as the workers get it: every profile's catalogue matrix computed here first, so the workers
    neither recompute it nor race each other writing the same matrix cache file."""
    import pickle

    for profile in sorted({r.profile for r in requests}):
        ctx.matrix(profile)
    return pickle.dumps(ctx, protocol=pickle.HIGHEST_PROTOCOL)


# --- the build -------------------------------------------------------------------------------------------------
def build_packages(spec: PackageSpec, out_dir: str | Path, ctx=None,
                   progress: Callable[[PackageResult, int, int], None] | None = None, *,
                   tiles: str | None = None, pdf: bool = True, workers: int | None = None) -> list[PackageResult]:
    """Plan every package of ``spec``, drop near-duplicates (same stops in the same order as an earlier package:
    the first is kept, the later one recorded with ``duplicate_of``) and write ``<id>/itinerary.json``,
    ``<id>/map.html``, ``<id>/brochure.<lang>.html`` and ``index.json`` under ``out_dir``.

    ``workers``: processes planning and writing packages at once (default :func:`default_workers`: one per core,
    at most one per package, but 1 when the whole build is too small to repay starting the workers); ``1`` plans
    sequentially in this process. Parallel builds use a ``forkserver`` (else ``spawn``) process pool (safe next to
    threads, e.g. in the web app) whose workers each unpickle ``ctx`` once; the solver's work
    budget is deterministic, so the packages, their order, the duplicates and every file are the same as with
    ``workers=1``. ``progress(result, n_done, total)`` is called once per package, in spec order, when the package
    is finished (planned, and written unless it is a duplicate). An unexpected error in one package (a bug, a worker
    that died) is recorded in that package's ``problems``, naming it, and the other packages are still built.
    (Like any plan, a search that reaches the solver's wall-clock safety stop — only on a machine several times
    slower than calibrated, e.g. heavily overloaded — depends on the clock, in either mode.)

    ``pdf``: also print each brochure to ``brochure.<lang>.pdf`` with headless Chromium (skipped when absent).
    ``tiles``: tile URL template for the maps (default the OSM tile server; ``None`` here means that default —
    pass ``""`` for no tiles, i.e. the offline province background only)."""
    from .planner import PlanningContext

    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = ctx or PlanningContext()
    copy_map_assets(out)
    total = len(spec.packages)
    tpls = list(spec.packages)
    results = [PackageResult(id=t.id, title_vi=t.title_vi, title_en=t.title_en, length=t.length, theme=t.theme)
               for t in tpls]
    requests = [spec.request(t, ctx.catalogue) for t in tpls]
    n_workers = min(workers or default_workers(total, estimated_package_seconds(spec, pdf)), total)
    languages = list(spec.languages)
    if n_workers <= 1:
        _build_sequential(spec, out, ctx, tpls, requests, results, progress, tiles, pdf)
    else:
        _build_parallel(out, ctx, tpls, requests, results, progress, tiles, pdf, languages, n_workers)
    index = {
        "generated": datetime.now().isoformat(timespec="seconds"),
        "start_date": spec.start_date.isoformat(),
        "languages": languages,
        "assumptions": {"lodging_per_night_per_person_vnd": BUDGET_LODGING_VND,
                        "note": "planning assumptions, not quoted prices"},
        "packages": [r.as_dict() for r in results if r.duplicate_of is None],
        "duplicates": [{"id": r.id, "duplicate_of": r.duplicate_of} for r in results if r.duplicate_of],
        "attribution": "Map data © OpenStreetMap contributors (ODbL)",
    }
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    return results


def _take_plan(res: PackageResult, it: Itinerary | None, problems: list[str], seen: dict[tuple, str]) -> bool:
    """Fill ``res`` from a planned itinerary and decide on duplicates (packages must arrive in spec order);
    True when the package's files are to be written."""
    if it is None:
        res.problems = list(problems)
        return False
    res.feasible = it.feasible
    res.stops = it.stop_ids()
    res.per_person_vnd = round(it.totals.costs.per_person)
    res.problems = list(it.problems)
    sig = _signature(it)
    if sig is not None and sig in seen:
        res.duplicate_of = seen[sig]
        return False
    if sig is not None:
        seen[sig] = res.id
    return True


def _build_sequential(spec, out, ctx, tpls, requests, results, progress, tiles, pdf) -> None:
    seen: dict[tuple, str] = {}
    total = len(tpls)
    for n, (tpl, req, res) in enumerate(zip(tpls, requests, results), 1):
        t0 = time.perf_counter()
        try:
            it, problems = _plan_package(req, ctx)
        except Exception as exc:  # noqa: BLE001 - one broken package must not lose the others
            it, problems = None, [_failure(tpl.id, "planning", exc)]
        if _take_plan(res, it, problems, seen):
            try:
                res.files = _write_package(out, tpl, it, list(spec.languages), tiles, pdf)
            except Exception as exc:  # noqa: BLE001
                res.problems.append(_failure(tpl.id, "writing", exc))
        res.seconds = round(time.perf_counter() - t0, 2)
        if progress:
            progress(res, n, total)


def _build_parallel(out, ctx, tpls, requests, results, progress, tiles, pdf, languages, n_workers) -> None:
    """Plan and write on a process pool; a small scheduler keeps at most ``n_workers`` tasks in flight, writes
    before further plans (so finished packages are reported early), and resolves duplicates in spec order."""
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    total = len(tpls)
    blob = _context_blob(ctx, requests)
    pending_plans = deque(range(total))
    ready_writes: deque[int] = deque()
    planned: dict[int, tuple[Itinerary | None, list[str]]] = {}
    itineraries: dict[int, Itinerary] = {}
    finished: set[int] = set()
    busy = [0.0] * total
    seen: dict[tuple, str] = {}
    next_resolve = next_emit = 0
    restarts = 0

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n_workers, mp_context=_mp_context(),
                                   initializer=_init_worker, initargs=(blob,))

    pool: ProcessPoolExecutor | None = new_pool()
    inflight: dict[Any, tuple[str, int]] = {}
    try:
        while next_emit < total:
            if pool is None:  # the pool kept dying: whatever is left is reported, not run
                for k in pending_plans:
                    planned[k] = (None, [f"{tpls[k].id}: not planned (worker processes keep stopping)"])
                for k in ready_writes:
                    results[k].problems.append(f"{tpls[k].id}: not written (worker processes keep stopping)")
                    finished.add(k)
                pending_plans.clear()
                ready_writes.clear()
            while pool is not None and len(inflight) < n_workers and (ready_writes or pending_plans):
                if ready_writes:
                    k = ready_writes.popleft()
                    fut = pool.submit(_worker_write, out, tpls[k], itineraries[k], languages, tiles, pdf)
                    inflight[fut] = ("write", k)
                else:
                    k = pending_plans.popleft()
                    inflight[fut := pool.submit(_worker_plan, requests[k])] = ("plan", k)
            if inflight:
                done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            else:
                done = set()
            broken = False
            for fut in done:
                stage, k = inflight.pop(fut)
                try:
                    if stage == "plan":
                        it, problems, secs = fut.result()
                        planned[k] = (it, problems)
                        busy[k] += secs
                    else:
                        files, secs = fut.result()
                        results[k].files = files
                        busy[k] += secs
                        finished.add(k)
                except BrokenProcessPool as exc:
                    broken = True
                    if stage == "plan":
                        planned[k] = (None, [_failure(tpls[k].id, "planning", exc)])
                    else:
                        results[k].problems.append(_failure(tpls[k].id, "writing", exc))
                        finished.add(k)
                except Exception as exc:  # noqa: BLE001 - one broken package must not lose the others
                    if stage == "plan":
                        planned[k] = (None, [_failure(tpls[k].id, "planning", exc)])
                    else:
                        results[k].problems.append(_failure(tpls[k].id, "writing", exc))
                        finished.add(k)
            if broken:
                # Every task in flight died with the pool; report them (naming each package) and go on with a
                # fresh pool for the rest, at most twice (a package that kills its worker each time stays failed).
                for fut, (stage, k) in inflight.items():
                    if stage == "plan":
                        planned[k] = (None, [f"{tpls[k].id}: planning failed (worker process stopped)"])
                    else:
                        results[k].problems.append(f"{tpls[k].id}: writing failed (worker process stopped)")
                        finished.add(k)
                inflight.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                restarts += 1
                pool = new_pool() if restarts <= 2 else None
            while next_resolve < total and next_resolve in planned:
                k = next_resolve
                it, problems = planned.pop(k)
                if _take_plan(results[k], it, problems, seen):
                    itineraries[k] = it
                    ready_writes.append(k)
                else:
                    finished.add(k)
                next_resolve += 1
            while next_emit < total and next_emit in finished:
                k = next_emit
                itineraries.pop(k, None)
                results[k].seconds = round(busy[k], 2)
                if progress:
                    progress(results[k], k + 1, total)
                next_emit += 1
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------------------------------------------
# Brochure
_B = messages.BROCHURE

BROCHURE_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
 body{font-family:"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:#222;max-width:820px;margin:2em auto;padding:0 1em;line-height:1.45}
 h1{color:#00798c;margin-bottom:.1em} .sub{color:#555;margin-top:0}
 h2{border-bottom:2px solid #edae49;padding-bottom:.2em;margin-top:1.4em}
 table{border-collapse:collapse;width:100%} td,th{padding:.25em .5em;vertical-align:top;text-align:left}
 .time{white-space:nowrap;width:7.5em;color:#00798c;font-weight:600} .muted{color:#666;font-size:.92em}
 .price td:last-child,.price th:last-child{text-align:right} .price tr.total{font-weight:700;border-top:2px solid #222}
 .day{page-break-inside:avoid} footer{margin-top:2em;font-size:.85em;color:#555;border-top:1px solid #ccc;padding-top:.5em}
 @media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none} h2{page-break-after:avoid}}
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="sub">{{ tpl.length }} · {{ t.theme }}: {{ theme }} · {{ t.group }}: {{ group }} {{ t.persons }}, {{ t.by }} {{ vehicle }}{% if it.days %} · {{ it.days[0].date.strftime("%d/%m/%Y") }} – {{ it.days[-1].date.strftime("%d/%m/%Y") }}{% endif %}</p>
</header>
{% if map_png %}<figure class="map"><img alt="map" style="width:100%;max-height:14cm;object-fit:contain" src="data:image/png;base64,{{ map_png }}"></figure>{% endif %}
{% if not it.feasible %}
<p><strong>{{ t.infeasible }}</strong></p>
<ul>{% for p in it.problems %}<li>{{ p }}</li>{% endfor %}</ul>
{% else %}
{% for d in it.days %}
<section class="day">
<h2>{{ t.day }} {{ d.day }} — {{ d.date.strftime("%d/%m/%Y") }}: {{ name(d.start) }} → {{ name(d.end) }}</h2>
<table>
<tr><td class="time">{{ d.depart.strftime("%H:%M") }}</td><td>{{ t.depart }}: {{ name(d.start) }}</td></tr>
{% if d.lunch_start and lunch_after(d) == -1 %}<tr><td class="time">{{ d.lunch_start.strftime("%H:%M") }}</td><td>{{ t.lunch }}</td></tr>{% endif %}
{% for s in d.stops %}
<tr><td class="time">{{ s.start.strftime("%H:%M") }}–{{ s.departure.strftime("%H:%M") }}</td>
<td><strong>{{ name(s) }}</strong> <span class="muted">({{ s.province_legacy }}{% if s.fee_vnd is not none %} · {{ vnd(s.fee_vnd) if s.fee_vnd else t.free }}{% if s.fee_as_of %}, {{ t.as_of }} {{ s.fee_as_of }}{% if 'fee' in s.stale %} — {{ t.stale }}{% endif %}{% endif %}{% else %} · {{ t.fee_unknown }}{% endif %})</span>{% if s.seats_unknown %}<br><span class="muted">{{ t.seats_unknown }}</span>{% endif %}{% if s.closure_note %}<br><span class="muted">{{ s.closure_note }}</span>{% endif %}{% if note(s) %}<br><span class="muted">{{ note(s) }}</span>{% endif %}</td></tr>
{% if d.lunch_start and lunch_after(d) == loop.index0 %}
<tr><td class="time">{{ d.lunch_start.strftime("%H:%M") }}</td><td>{{ t.lunch }}</td></tr>
{% endif %}
{% endfor %}
<tr><td class="time">{{ d.arrive.strftime("%H:%M") }}</td><td>{{ t.arrive }}: {{ name(d.end) }} <span class="muted">({{ "%.0f"|format(d.metres / 1000) }} {{ t.km }} {{ t.drive }})</span></td></tr>
{% if d.lodging %}<tr><td class="time"></td><td>{{ t.night }} {{ name(d.lodging) }}</td></tr>{% endif %}
</table>
</section>
{% endfor %}
<h2>{{ t.costs }}</h2>
<table class="price">
<tr><td>{{ t.fees }}{% if fee_dates %} <span class="muted">({{ t.as_of }} {{ fee_dates }})</span>{% endif %}{% if c.fees_unknown %} <span class="muted">— {{ t.fee_unknown }}: {{ c.fees_unknown|length }}</span>{% endif %}</td><td>{{ vnd(c.fees_total / group) }}</td></tr>
<tr><td>{{ t.vehicle }} <span class="muted">({{ c.vehicles }} × {{ vehicle }})</span></td><td>{{ vnd(c.vehicle_total / group) }}</td></tr>
<tr><td>{{ t.lodging }} <span class="muted">({{ t.tier }}: {{ tier }})</span></td><td>{{ vnd(c.lodging_total / group) }}</td></tr>
<tr class="total"><td>{{ t.total }}</td><td>{{ vnd(c.per_person) }}</td></tr>
</table>
<p class="muted">{{ t.assumption }} {{ vnd(lodging_rate) }} {{ t.per_night }}.</p>
{% endif %}
<footer>{{ attribution }} · <a href="https://www.openstreetmap.org/copyright">openstreetmap.org/copyright</a> · {{ t.printed }} {{ today }}</footer>
</body>
</html>
"""


def _vnd(x: float) -> str:
    return f"{x:,.0f} ₫".replace(",", ".")


def _lunch_after(d) -> int:
    """Index of the stop after which the day's lunch is taken (−1: before the first stop)."""
    k = -1
    for i, s in enumerate(d.stops):
        if s.departure <= d.lunch_start:
            k = i
    return k


def render_brochure(it: Itinerary, tpl: PackageTemplate, lang: str) -> str:
    """A self-contained printable HTML brochure; every value from the catalogue or the spec is HTML-escaped."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    t = _B["vi" if lang == "vi" else "en"]
    req = it.request or {}
    group = max(1, int(req.get("group_size") or tpl.group_size or 1))
    dates = sorted({s.fee_as_of for d in it.days for s in d.stops if s.fee_as_of and s.fee_vnd is not None})
    return env.from_string(BROCHURE_TEMPLATE).render(
        lang="vi" if lang == "vi" else "en", t=t, it=it, tpl=tpl,
        title=tpl.title_vi if lang == "vi" else tpl.title_en,
        theme=t["themes"][tpl.theme], tier=t["tiers"][tpl.budget_tier],
        vehicle=t["vehicles"].get(it.profile, it.profile), group=group, c=it.totals.costs,
        fee_dates=", ".join(dates), lodging_rate=BUDGET_LODGING_VND[tpl.budget_tier], vnd=_vnd,
        name=(lambda o: o.name_vi) if lang == "vi" else (lambda o: o.name_en),
        note=(lambda s: s.note_vi) if lang == "vi" else (lambda s: s.note_en),
        lunch_after=_lunch_after, attribution=it.attribution, today=date.today().strftime("%d/%m/%Y"),
        map_png=route_map_png(it) if it.feasible else "")


def route_map_png(it: Itinerary) -> str:
    """A static map of the trip for print (base64 PNG): province boxes, each day's legs in its colour (estimated
    legs dashed), numbered stops. Drawn with matplotlib so the brochure and its PDF need no JavaScript or tiles."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import provinces as prov
    from .render.maps import day_colour

    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    lats = [s.lat for d in it.days for s in d.stops] + [d.start.lat for d in it.days] + [d.end.lat for d in it.days]
    lons = [s.lon for d in it.days for s in d.stops] + [d.start.lon for d in it.days] + [d.end.lon for d in it.days]
    for p in prov.provinces():
        a, b, c, d = p.bbox
        ax.add_patch(plt.Rectangle((b, a), d - b, c - a, fill=False, lw=0.5, ec="#c8ccd2"))
    k = 0
    for day in it.days:
        col = day_colour(day.day - 1)
        for leg in day.legs:
            pts = leg.geometry or []
            if len(pts) >= 2:
                ax.plot([q[1] for q in pts], [q[0] for q in pts], color=col, lw=1.8,
                        ls="--" if leg.source == "estimate" else "-")
        for s in day.stops:
            k += 1
            ax.plot(s.lon, s.lat, "o", ms=9, color=col, mec="white")
            ax.annotate(str(k), (s.lon, s.lat), ha="center", va="center", fontsize=6, color="white")
        if day.lodging:
            ax.plot(day.lodging.lon, day.lodging.lat, "s", ms=7, color="#333")
    pad = 0.08
    ax.set_xlim(min(lons) - pad, max(lons) + pad)
    ax.set_ylim(min(lats) - pad, max(lats) + pad)
    ax.set_aspect(1 / max(0.2, __import__("math").cos(__import__("math").radians(sum(lats) / len(lats)))))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.99, 0.01, "© OpenStreetMap contributors (ODbL)", transform=ax.transAxes, ha="right", va="bottom",
            fontsize=6, color="#555")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 90.0) -> bool:
    """Print an HTML file to PDF with Debian's headless Chromium; False (and no file) when Chromium is missing.

    Chromium is started with networking features off and a throw-away profile, as everywhere in this project."""
    import shutil
    import subprocess
    import tempfile

    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", Path(html_path).resolve().as_uri()]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return False
    return pdf_path.exists() and pdf_path.stat().st_size > 0
