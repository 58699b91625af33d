"""Building the packages of a spec: plan each template (in worker processes when there are several), drop
duplicates, write each package's itinerary JSON, map and brochures (:func:`build_packages`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import TourouteException
from ..itinerary import Itinerary
from ..model import PlanRequest
from .brochure import html_to_pdf, render_brochure
from .spec import BUDGET_LODGING_VND, PackageSpec, PackageTemplate


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
    from ..resources import vendor_dir, web_dir

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
    from ..planner import plan

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
    from ..render.maps import OSM_TILES, render_map

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
    from ..solve.ils import warmup

    warmup()


def _worker_plan(req: PlanRequest) -> tuple[Itinerary | None, list[str], float]:
    t0 = time.perf_counter()
    it, problems = _plan_package(req, _WORKER_CTX)
    return it, problems, time.perf_counter() - t0


def _worker_write(out: Path, tpl: PackageTemplate, it: Itinerary, languages: list[str], tiles: str | None,
                  pdf: bool) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    return _write_package(out, tpl, it, languages, tiles, pdf), time.perf_counter() - t0


_PRELOAD = ["touroute.packages.build", "touroute.packages.brochure", "touroute.planner", "touroute.solve.ils", "touroute.render.maps", "matplotlib.pyplot"]


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
    from ..planner import PlanningContext

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


def _twins(requests: list) -> dict[int, int]:
    """Package index → the first earlier package with the identical request (titles are not part of a request):
    such a package is planned once — the same plan on a busy machine too, where two solves of one request could
    differ at the wall-clock safety stop — and recorded as a duplicate of the first."""
    first: dict[str, int] = {}
    twins: dict[int, int] = {}
    for k, req in enumerate(requests):
        key = req.model_dump_json()
        if key in first:
            twins[k] = first[key]
        else:
            first[key] = k
    return twins


def _build_sequential(spec, out, ctx, tpls, requests, results, progress, tiles, pdf) -> None:
    seen: dict[tuple, str] = {}
    total = len(tpls)
    twins = _twins(requests)
    sources = set(twins.values())
    plans: dict[int, tuple[Itinerary | None, list[str]]] = {}  # the plans twins take
    for n, (tpl, req, res) in enumerate(zip(tpls, requests, results), 1):
        t0 = time.perf_counter()
        k = n - 1
        try:
            it, problems = plans[twins[k]] if k in twins else _plan_package(req, ctx)
        except Exception as exc:  # noqa: BLE001 - one broken package must not lose the others
            it, problems = None, [_failure(tpl.id, "planning", exc)]
        if k in sources:
            plans[k] = (it, problems)
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
    twins = _twins(requests)
    pending_plans = deque(k for k in range(total) if k not in twins)
    resolved_plans: dict[int, tuple[Itinerary | None, list[str]]] = {}  # the plans twins take, kept until then
    sources = set(twins.values())
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
            while next_resolve < total and (next_resolve in planned or (
                    next_resolve in twins and twins[next_resolve] in resolved_plans)):
                k = next_resolve
                it, problems = planned.pop(k) if k in planned else resolved_plans[twins[k]]
                if k in sources:
                    resolved_plans[k] = (it, problems)
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
