"""Package builds from the web as background jobs (issue 6): spec validation, a small per-process runner, zips.

Why it is built this way: under gunicorn several worker processes serve the same users, so nothing about a job
may live only in one process's memory. The job's state and progress are rows of the ``package_jobs`` table (the
same database as the saved plans) and its files a folder ``<jobs dir>/<job id>/`` built only from the random hex
id. The worker that accepted a job runs it in a small thread pool (``JOB_WORKERS`` threads, default 1, so a
2-core server is not swamped; further jobs wait "queued"). While a process has unfinished jobs a heartbeat thread
refreshes them; a job whose process died (restart, crash) is marked failed when the store is next opened or the
job is read (see :meth:`~touroute.web.db.JobStoreMixin.fail_orphaned_jobs`).

That embedded runner is the default. With ``TOUROUTE_REDIS_URL`` set, :func:`touroute.web.queue.runner` returns
the queue runner of :mod:`touroute.web.queue` instead: jobs go to Redis and ``touroute worker`` processes (on any machine sharing Redis,
the database and the jobs folder) run them with :func:`execute_job` — the same code — and a job whose worker dies
is re-queued. Both runners cancel (:func:`cancel_in_store`) and retry (:func:`reset_for_retry`) the same way.

Why this module is long: it is the one place of the web app's job model — the job row's life (admit, run, cancel,
retry, orphans), its files, and the two small helpers every job view shares (the bundled road scenarios a job may
name, the jobs a visitor may see listed). They sit here, below the views, so that no view imports another view (the
analytics and package views did, in a circle, before 2026-12-07).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, session

from ..packages import PackageResult, PackageSpec, SpecError, build_packages, parse_spec
from ..resources import load_yaml
from .db import UNFINISHED, process_owner
from .service import RequestProblem, check_nesting

log = logging.getLogger("touroute.web.jobs")

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
ZIP_NAME = "packages.zip"
HEARTBEAT_SECONDS = 20.0
STALE_SECONDS = 180.0


def default_jobs_dir() -> Path:
    """``$TOUROUTE_DATA_DIR/web/jobs`` (shared by every worker process of the server)."""
    from ..network.store import data_root

    return Path(data_root()) / "web" / "jobs"


def job_dir(app: Flask, job_id: str) -> Path | None:
    """The folder of a job, or None when ``job_id`` is not a well-formed id (never a path from user text)."""
    if not isinstance(job_id, str) or not JOB_ID.match(job_id):
        return None
    return Path(app.config["JOBS_DIR"]) / job_id


# ---------------------------------------------------------------------------------------------------------------
# spec text → validated spec, errors naming the spec field
# ---------------------------------------------------------------------------------------------------------------
_LINE = re.compile(r"^(?P<field>[A-Za-z_][\w.\[\]-]*): (?P<msg>.+)$")


def spec_error_fields(exc: SpecError, source: str) -> list[dict[str, str]]:
    """``SpecError("web: packages[0].theme: …; web: start_date: …")`` → [{field, message}, …] — from the error's
    own (field, message) pairs where it has them, else by splitting its message."""
    if getattr(exc, "lines", None):
        return [{"field": f, "message": m} for f, m in exc.lines]
    out = []
    for part in str(exc).split("; "):
        part = part.removeprefix(f"{source}: ")
        m = _LINE.match(part)
        out.append({"field": m.group("field"), "message": m.group("msg")} if m
                   else {"field": "spec", "message": part})
    return out


def _has_yaml_alias(text: str) -> bool:
    """YAML anchors/aliases can make a small file expand into a huge structure: a spec never needs them."""
    import yaml

    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, yaml.AliasEvent):
            return True
    return False


def load_spec_text(text: str, *, field: str, max_bytes: int) -> Any:
    """Parse YAML (JSON is YAML too) with size and alias limits; :class:`RequestProblem` naming ``field``."""
    import yaml

    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise RequestProblem(f"{field}: the spec is {size} bytes; at most {max_bytes} bytes are accepted",
                             [{"field": field, "message": f"larger than {max_bytes} bytes"}], 413)
    if not text.strip():
        raise RequestProblem(f"{field}: empty spec", [{"field": field, "message": "empty"}], 422)
    check_nesting(text, field)
    try:
        if _has_yaml_alias(text):
            raise RequestProblem(f"{field}: YAML anchors and aliases (&x, *x) are not accepted",
                                 [{"field": field, "message": "YAML aliases are not accepted"}], 422)
        return load_yaml(text)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise RequestProblem(f"{field}: not valid YAML/JSON{where}: {first}",
                             [{"field": field, "message": f"not valid YAML/JSON{where}: {first}"}], 422) from None


def validate_spec(data: Any, catalogue, *, max_packages: int, max_seconds: float) -> PackageSpec:
    """A :class:`PackageSpec` with the server's caps applied, or :class:`RequestProblem` (422) naming fields."""
    if isinstance(data, dict) and isinstance(data.get("packages"), list) and len(data["packages"]) > max_packages:
        n = len(data["packages"])
        raise RequestProblem(f"packages: {n} packages; at most {max_packages} per job on this server",
                             [{"field": "packages", "message": f"at most {max_packages} packages per job"}], 422)
    try:
        spec = parse_spec(data, "web", catalogue)
    except SpecError as exc:
        fields = spec_error_fields(exc, "web")
        raise RequestProblem("invalid package spec: " + "; ".join(f"{f['field']}: {f['message']}" for f in fields),
                             fields, 422) from None
    if spec.solver_seconds > max_seconds:
        spec = spec.model_copy(update={"solver_seconds": max_seconds})
    return spec


# ---------------------------------------------------------------------------------------------------------------
# one run of a job — the same code in the web process (embedded runner) and in a queue worker
# ---------------------------------------------------------------------------------------------------------------
class JobCancelled(Exception):
    """The job was cancelled (or taken over by another run) while this run was building it."""


def admit_job(app: Flask) -> None:
    """The 429 when too many jobs wait (either runner), and the periodic purge of old job files."""
    store = app.extensions["touroute_store"]
    if store.count_unfinished_jobs() >= int(app.config["MAX_QUEUED_JOBS"]):
        raise RequestProblem("too many package jobs are waiting; try again in a few minutes",
                             [{"field": "spec", "message": "the job queue is full"}], 429)
    purge_expired_job_files(app)


Report = Callable[[int, "str | None", list], None]
"""``report(n_done, current, results)``: a builder's progress, written to the job row (raises :class:`JobCancelled`
when the row is no longer this run's)."""

PACKAGE_RESULT_KEYS = ("id", "title_vi", "title_en", "length", "theme", "feasible", "per_person_vnd", "duplicate_of",
                       "problems", "seconds", "files")


def _build_packages(app: Flask, job, out: Path, report: Report) -> list[dict]:
    """Kind ``packages``: the spec's packages → itinerary, map and brochures per package (``build_packages``)."""
    from . import planning_context

    spec = PackageSpec.model_validate_json(job.spec_json)
    ctx = planning_context(app)
    results: list[dict] = []
    report(0, spec.packages[0].id if spec.packages else None, results)

    def progress(res: PackageResult, n: int, total: int) -> None:
        results.append({k: res.as_dict()[k] for k in PACKAGE_RESULT_KEYS})
        report(n, spec.packages[n].id if n < total else None, results)

    tiles = app.config.get("TILES")
    kw: dict[str, Any] = {"tiles": tiles or "", "pdf": bool(app.config["JOB_PDF"])}
    # a web worker plans in its own thread; a process pool per job would multiply with the gunicorn
    # workers on a small server (JOB_BUILD_PROCESSES raises it where cores are plentiful)
    kw["workers"] = max(1, int(app.config.get("JOB_BUILD_PROCESSES", 1)))
    build_packages(spec, out, ctx, progress, **kw)
    return results


def _build_whatif(app: Flask, job, out: Path, report: Report) -> list[dict]:
    """Kind ``whatif``: every package of a spec planned today (A) and under a bundled road scenario and/or extra
    must-cover provinces (B) — :func:`touroute.analytics.whatif`; ``whatif.json`` and three CSVs."""
    from ..analytics import requests_from_spec, whatif
    from . import planning_context

    inp = json.loads(job.spec_json)
    spec = PackageSpec.model_validate(inp["spec"])
    ctx = planning_context(app)
    scenario = scenario_choices()[inp["scenario"]] if inp.get("scenario") else None
    requests = requests_from_spec(spec, ctx.catalogue)
    results: list[dict] = []
    report(0, requests[0][0] if requests else None, results)

    def progress(row: dict, n: int, total: int) -> None:
        results.append(json.loads(json.dumps(row, default=lambda x: x.item() if hasattr(x, "item") else str(x))))
        report(n, requests[n][0] if n < total else None, results)

    w = whatif(requests, scenario, ctx=ctx, must_cover=inp.get("must_cover") or [], seconds=spec.solver_seconds,
               progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    (out / "whatif.json").write_text(json.dumps(w.to_json_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    for name, df in (("hubs", w.hubs), ("plans", w.plans), ("fairness", w.fairness)):
        df.to_csv(out / f"{name}.csv", index=False, encoding="utf-8-sig")
    return results


def _build_plan(app: Flask, job, out: Path, report: Report) -> list[dict]:
    """Kind ``plan``: one plan request with a solver limit too long for a web request; the itinerary is saved as a
    plan (its permalink is the result) and written as ``itinerary.json``."""
    from ..model import PlanRequest
    from ..planner import plan
    from . import planning_context

    inp = json.loads(job.spec_json)
    req = PlanRequest.model_validate(inp["request"])
    ctx = planning_context(app)
    report(0, "plan", [])
    it = plan(req, ctx, geometry=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "itinerary.json").write_text(it.model_dump_json(indent=1), encoding="utf-8")
    report(0, "save", [])  # the last cancel check before the plan is saved
    saved = app.extensions["touroute_store"].save(job.title, req.model_dump_json(), it.model_dump_json(),
                                                  feasible=it.feasible)
    return [{"id": saved.slug, "title_vi": job.title, "title_en": job.title, "feasible": it.feasible,
             "stops": it.totals.stops, "problems": list(it.problems), "plan": saved.slug}]


BUILDERS: dict[str, Callable[[Flask, Any, Path, Report], list[dict]]] = {
    "packages": _build_packages, "whatif": _build_whatif, "plan": _build_plan}
"""Job kind → builder. A builder writes its files under ``out`` (zipped when it returns), reports progress, and
returns the rows shown as the job's results."""


def execute_job(app: Flask, job_id: str, owner: str) -> str:
    """Build the job ``job_id`` as ``owner`` and return its final state (``done``, ``failed``, ``cancelled``, or
    the state it already had when it was no longer queued/running).

    Why every write is conditional: a cancel, a retry or a re-queue after a lost worker may change the row while
    this run is planning. Each write of this run names its owner and expects ``running``, so once the row is no
    longer this run's the next write fails and the run stops (:class:`JobCancelled`) instead of overwriting it —
    the cancel check costs nothing extra. A run restarts the build from scratch (the folder is cleared): a
    half-written folder from a killed worker must not leak into the zip."""
    store = app.extensions["touroute_store"]
    job = store.get_job(job_id)
    if job is None:
        return "missing"
    if job.state not in UNFINISHED:
        return job.state
    if not store.update_job(job_id, if_states=UNFINISHED, state="running", owner=owner[:200], n_done=0,
                            results_json="[]", current=None):
        return "cancelled"
    folder = job_dir(app, job_id)
    assert folder is not None
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    (folder / ZIP_NAME).unlink(missing_ok=True)
    mine = {"if_states": ("running",), "if_owner": owner[:200]}
    last: list[dict] = []

    def report(n_done: int, current: str | None, results: list) -> None:
        last[:] = results
        if not store.update_job(job_id, n_done=n_done, current=current,
                                results_json=json.dumps(results, ensure_ascii=False), **mine):
            raise JobCancelled(job_id)

    try:
        with app.app_context():
            results = BUILDERS[job.kind or "packages"](app, job, out, report)
        if store.get_job(job_id).state != "running":  # cancelled during the last step: no zip
            raise JobCancelled(job_id)
        tmp = folder / (ZIP_NAME + ".part")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(out).as_posix())
        tmp.replace(folder / ZIP_NAME)
        if not store.update_job(job_id, state="done", current=None, n_done=job.total,
                                results_json=json.dumps(results, ensure_ascii=False), **mine):
            raise JobCancelled(job_id)
        return "done"
    except JobCancelled:
        log.info("job %s stopped: cancelled or taken over", job_id)
        job = store.get_job(job_id)
        return job.state if job is not None else "missing"
    except Exception as exc:  # any failure is reported on the job, never lost in a thread
        log.exception("job %s failed", job_id)
        store.update_job(job_id, state="failed", current=None, message=f"{type(exc).__name__}: {exc}"[:2000],
                         results_json=json.dumps(last, ensure_ascii=False), **mine)
        return "failed"


def cancel_in_store(app: Flask, job_id: str) -> bool:
    """Mark a queued or running job cancelled (the run stops at its next package). False: it had finished."""
    return app.extensions["touroute_store"].update_job(
        job_id, if_states=UNFINISHED, state="cancelled", current=None,
        message="cancelled by a user / đã huỷ theo yêu cầu")


def reset_for_retry(app: Flask, job_id: str, owner: str) -> None:
    """Put a failed or cancelled job back to ``queued`` with no progress (409 for any other state)."""
    store = app.extensions["touroute_store"]
    if not store.update_job(job_id, if_states=("failed", "cancelled"), state="queued", owner=owner[:200],
                            n_done=0, current=None, message=None, results_json="[]"):
        job = store.get_job(job_id)
        state = job.state if job else "missing"
        raise RequestProblem(f"the job is {state}: only a failed or cancelled job can run again",
                             [{"field": "id", "message": f"job state is {state}"}], 409)
    folder = job_dir(app, job_id)
    if folder is not None:
        shutil.rmtree(folder / "out", ignore_errors=True)
        (folder / ZIP_NAME).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------------------
# the embedded (per-process) runner: the default when no Redis queue is configured
# ---------------------------------------------------------------------------------------------------------------
class JobRunner:
    """Runs this process's jobs in a small thread pool and keeps their heartbeat fresh."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.owner = process_owner()
        self.pool = ThreadPoolExecutor(max_workers=max(1, int(app.config["JOB_WORKERS"])),
                                       thread_name_prefix="touroute-job")
        self._active: set[str] = set()
        self._lock = threading.Lock()
        self._beat: threading.Thread | None = None
        self._stop = threading.Event()

    def submit(self, spec: PackageSpec, title: str) -> str:
        """A package build job (kind ``packages``) → its id."""
        return self.submit_job("packages", spec.model_dump_json(), title, len(spec.packages))

    def submit_job(self, kind: str, input_json: str, title: str, total: int) -> str:
        """A job of any kind of :data:`BUILDERS` (``input_json`` is that kind's validated input) → its id."""
        admit_job(self.app)
        store = self.app.extensions["touroute_store"]
        job = store.create_job(title, input_json, total, self.owner, kind=kind)
        self._start(job.id)
        return job.id

    def _start(self, job_id: str) -> None:
        with self._lock:
            self._active.add(job_id)
            self._ensure_heartbeat()
        self.pool.submit(self._run, job_id)

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job (a running one stops after the package it is planning)."""
        return cancel_in_store(self.app, job_id)

    def retry(self, job_id: str) -> None:
        """Run a failed or cancelled job again, from scratch (409 while its cancelled run is still stopping)."""
        with self._lock:
            if job_id in self._active:
                raise RequestProblem("the job is still stopping; try again in a few seconds",
                                     [{"field": "id", "message": "still stopping"}], 409)
        reset_for_retry(self.app, job_id, self.owner)
        self._start(job_id)

    def _ensure_heartbeat(self) -> None:
        if self._beat is None or not self._beat.is_alive():
            self._beat = threading.Thread(target=self._heartbeat, name="touroute-job-heartbeat", daemon=True)
            self._beat.start()

    def _heartbeat(self) -> None:
        store = self.app.extensions["touroute_store"]
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with self._lock:
                if not self._active:
                    self._beat = None
                    return
            try:
                store.heartbeat_jobs(self.owner)
            except Exception:  # pragma: no cover - a database hiccup must not kill the thread
                log.exception("job heartbeat failed")

    def _run(self, job_id: str) -> None:
        try:
            execute_job(self.app, job_id, self.owner)
        finally:
            with self._lock:
                self._active.discard(job_id)

    def shutdown(self, wait: bool = True) -> None:
        self._stop.set()
        self.pool.shutdown(wait=wait)




def get_job_or_404(job_id: str):
    """The job row (orphans failed first), or a 404 :class:`RequestProblem` for unknown / malformed ids."""
    app = current_app
    if job_dir(app, job_id) is None:
        raise RequestProblem("no such package job", [{"field": "id", "message": "not found"}], 404)
    store = app.extensions["touroute_store"]
    job = store.get_job(job_id)
    if job is None:
        raise RequestProblem("no such package job", [{"field": "id", "message": "not found"}], 404)
    if job.state in ("queued", "running"):
        r = app.extensions.get("touroute_jobs")
        alive = r.owner if isinstance(r, JobRunner) else process_owner()
        if store.fail_orphaned_jobs(STALE_SECONDS, alive_owner=alive):
            job = store.get_job(job_id)
    return job


def zip_path(job) -> Path:
    """The zip of a finished job (409 while it is not done, 410 if its files were removed)."""
    if job.state != "done":
        raise RequestProblem(f"the job is {job.state}: the zip exists once it is done",
                             [{"field": "id", "message": f"job state is {job.state}"}], 409)
    folder = job_dir(current_app, job.id)
    path = folder / ZIP_NAME if folder else None
    if path is None or not path.is_file():
        raise RequestProblem("the job's files are no longer on the server",
                             [{"field": "id", "message": "files removed"}], 410)
    return path


def remove_job_files(app: Flask, job_id: str) -> None:
    folder = job_dir(app, job_id)
    if folder is not None and folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def purge_expired_job_files(app: Flask, *, now: float | None = None) -> int:
    """Remove the files of finished jobs older than ``JOB_RETENTION_DAYS`` (the job row stays: its page and API
    then answer 410 "files removed"). Zips with PDFs add up; without this the jobs folder grows for ever.
    Called at start-up and on every new job; only folders named like a job id and not still running are touched."""
    import time

    days = float(app.config.get("JOB_RETENTION_DAYS", 7))
    root = Path(app.config["JOBS_DIR"])
    if days <= 0 or not root.is_dir():
        return 0
    cutoff = (now or time.time()) - days * 86400
    store = app.extensions["touroute_store"]
    removed = 0
    for folder in root.iterdir():
        if not (folder.is_dir() and JOB_ID.match(folder.name)):
            continue
        try:
            if folder.stat().st_mtime >= cutoff:
                continue
        except OSError:
            continue
        job = store.get_job(folder.name)
        if job is not None and job.state in ("queued", "running"):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    if removed:
        log.info("removed the files of %d package job(s) older than %g days", removed, days)
    return removed


def itineraries_of_job(app: Flask, job_id: str):
    """The itineraries a done job wrote (non-duplicates, feasible or not), for the fair-benefit report."""
    from ..itinerary import Itinerary

    folder = job_dir(app, job_id)
    if folder is None:
        return None
    out = folder / "out"
    index = out / "index.json"
    if not index.is_file():
        return None
    data = json.loads(index.read_text(encoding="utf-8"))
    its = []
    for pkg in data.get("packages", []):
        pid = str(pkg.get("id", ""))
        path = out / pid / "itinerary.json"
        if re.match(r"^[a-z0-9][a-z0-9-]{0,63}$", pid) and path.is_file():
            its.append(Itinerary.model_validate_json(path.read_text(encoding="utf-8")))
    return its


# ---------------------------------------------------------------------------------------------------------------
# Shared by the views (analytics, packages): bundled road scenarios, the jobs a visitor may see
# ---------------------------------------------------------------------------------------------------------------
def scenario_choices() -> dict[str, Any]:
    """The road what-if scenarios bundled in ``data/scenarios`` (file stem → :class:`RoadScenario`), read once.

    Only bundled files are offered: a web user picks one by name, never by path. The dict is built whole and then
    published, so a concurrent first request never sees it half filled."""
    cached = current_app.extensions.get("touroute_scenarios")
    if cached is not None:
        return cached
    from ..network.scenario import load_scenario
    from ..resources import data_dir

    found: dict[str, Any] = {}
    try:
        folder = data_dir("scenarios")
    except FileNotFoundError:  # pragma: no cover - the scenarios ship with the package
        folder = None
    for path in (sorted(folder.glob("*.y*ml")) + sorted(folder.glob("*.json"))) if folder else []:
        try:
            found[path.stem] = load_scenario(path)
        except Exception as exc:  # a broken bundled file must not take the page down
            logging.getLogger(__name__).warning("scenario %s not offered: %s", path.name, exc)
    current_app.extensions["touroute_scenarios"] = found
    return found


MY_JOBS_KEPT = 30


def remember_job(job_id: str) -> None:
    """Keep the jobs started from this browser in its signed session, like the saved plans (views._remember)."""
    mine = [j for j in session.get("my_jobs", []) if isinstance(j, str) and j != job_id]
    session["my_jobs"] = [job_id, *mine][:MY_JOBS_KEPT]


def visible_jobs(limit: int = 50) -> list:
    """Jobs this visitor may see listed: all when the server lists publicly (TOUROUTE_PUBLIC_PLANS=1), else the
    ones started from this browser — a job's random id is what shares it, as for saved plans."""
    from . import store

    if current_app.config["PUBLIC_PLANS"]:
        return store().list_jobs(limit)
    jobs = (store().get_job(j) for j in session.get("my_jobs", [])[:min(limit, MY_JOBS_KEPT)] if isinstance(j, str))
    return [j for j in jobs if j is not None]
