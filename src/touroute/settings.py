"""Settings: every ``TOUROUTE_*`` environment variable, defined once, parsed once, documented in one table.

Before this module, 27 variables were read in 8 files by three parsers with three precedence rules (a bad number
was silently replaced by its default in the web app, an error in the network builder). Now:

* :data:`VARIABLES` is the one table: name, type, default, what it does. ``docs/settings.md`` is generated from it
  (``python -m touroute.settings``) and a test keeps the two equal.
* :meth:`Settings.from_env` reads and checks them all at once (the web app, at start-up); :func:`setting` reads one
  (library code that needs only the data folder or the catalogue folder, so an unrelated bad web variable never stops
  a command-line plan). Both use the same parser.
* **One precedence rule**: an explicit argument (a function's ``data_dir=``, ``create_app(config=…)``, a CLI option)
  wins over the environment variable, which wins over the default.
* **A bad value is an error** that names the variable and says what was expected (:class:`SettingsError`, ``field``
  = the variable's name) — never a silent default, never a traceback.

This module imports only the standard library and :mod:`touroute.errors`, so every layer may use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import TourouteException

__all__ = ["Settings", "SettingsError", "Variable", "VARIABLES", "setting", "markdown_table"]


class SettingsError(TourouteException, ValueError):
    """An environment variable has a value touroute cannot use; ``field`` is the variable's name."""


def _number(kind: type, *, minimum: float | None = None, maximum: float | None = None,
            above: float | None = None) -> Callable[[str, str], Any]:
    """A parser of whole (``int``) or decimal (``float``) numbers within bounds."""
    def parse(name: str, raw: str) -> Any:
        what = "a whole number" if kind is int else "a number"
        bounds = [f"≥ {minimum:g}" if minimum is not None else "", f"> {above:g}" if above is not None else "",
                  f"≤ {maximum:g}" if maximum is not None else ""]
        expect = " ".join([what, *[b for b in bounds if b]])
        try:
            value = float(raw)
            if kind is int:
                if value != int(value):
                    raise ValueError
                value = int(value)
        except ValueError:
            raise SettingsError(f"{name}={raw!r}: expected {expect}", field=name) from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum) \
                or (above is not None and value <= above):
            raise SettingsError(f"{name}={raw!r}: expected {expect}", field=name)
        return value
    return parse


def _flag(name: str, raw: str) -> bool:
    low = raw.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r}: expected 1/true/yes/on or 0/false/no/off", field=name)


def _text(name: str, raw: str) -> str:
    return raw


def _path(name: str, raw: str) -> Path:
    return Path(raw).expanduser()


def _estimate_model(name: str, raw: str) -> str:
    low = raw.lower()
    if low not in ("flat", "corridor"):
        raise SettingsError(f"{name}={raw!r}: expected flat or corridor", field=name)
    return low


def _tiles(name: str, raw: str) -> str | None:
    return None if raw.lower() in ("none", "off") else raw


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, the :class:`Settings` attribute it fills, its parser, its default (used
    when the variable is unset or empty) and what it does."""

    name: str
    attr: str
    parse: Callable[[str, str], Any]
    default: Any
    doc: str
    default_doc: str = ""

    def read(self, environ: Mapping[str, str]) -> Any:
        raw = environ.get(self.name, "").strip()
        return self.default if raw == "" else self.parse(self.name, raw)


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

VARIABLES: tuple[Variable, ...] = (
    # --- data (every command and the web app) ---------------------------------------------------------------
    Variable("TOUROUTE_DATA_DIR", "data_dir", _path, None,
             "folder of road networks, matrices, the default database and web job files", "the user cache folder"),
    Variable("TOUROUTE_CATALOGUE_DIR", "catalogue_dir", _path, None,
             "a folder of catalogue CSVs used instead of the bundled data/poi/ (the web app loads it leniently: bad "
             "rows are logged with file, line and field, and left out)", "the bundled data/poi/"),
    Variable("TOUROUTE_OSM_POIS", "osm_pois", _path, None,
             "the raw OSM POI export (HOT CSV) the data-quality report checks each record's osm_id name against",
             "not checked"),
    Variable("TOUROUTE_OVERPASS_TIMEOUT", "overpass_timeout", _number(float, above=0), None,
             "seconds to wait for an Overpass / Nominatim answer when building a network from an area", "osmnx's"),
    # --- road engine (OSRM, for networks too large for the embedded path) -------------------------------------
    Variable("TOUROUTE_OSRM_URL", "osrm_url", _text, None,
             "OSRM servers that answer matrices, leg geometry and snapping: `URL` (car) or `profile=URL`, several "
             "separated by spaces or commas; two URLs for one profile share its load and fail over",
             "unset: the embedded road networks and the estimate"),
    Variable("TOUROUTE_ESTIMATE_MODEL", "estimate_model", _estimate_model, "corridor",
             "how legs no road network covers are estimated: `corridor` (QL1 and the expressways with their opening "
             "dates, fitted to published times, sections at a share of their published speed limits; held-out "
             "error 7 % / 31 % median / p90 against the flat model's "
             "23 % / 108 %) or `flat` (great circle × circuity at one speed per vehicle)"),
    Variable("TOUROUTE_OSRM_TIMEOUT", "osrm_timeout", _number(float, above=0), 30.0,
             "seconds to wait for one OSRM answer before the next server (or the fallback) is tried"),
    Variable("TOUROUTE_OSRM_BIN", "osrm_bin", _path, None,
             "a folder holding `osrm-extract`, `osrm-partition`, `osrm-customize` and `osrm-routed` (an OSRM you "
             "installed yourself)", "the engine `touroute engine install` put under $TOUROUTE_DATA_DIR/engine"),
    Variable("TOUROUTE_ENGINE_PYTHON", "engine_python", _path, None,
             "the Python ≥ 3.12 `touroute engine install` builds the engine's own environment with",
             "python3.13 / python3.12 on PATH, then pyenv's"),
    # --- web app ----------------------------------------------------------------------------------------------
    Variable("TOUROUTE_SECRET_KEY", "secret_key", _text, None,
             "session signing key (`touroute serve --prod` requires it)", "random per process, with a warning"),
    Variable("TOUROUTE_DB_URL", "db_url", _text, None, "SQLAlchemy URL of the saved-plans database",
             "SQLite under $TOUROUTE_DATA_DIR/web/"),
    Variable("TOUROUTE_PLAN_SECONDS", "plan_seconds", _number(float, minimum=0), None,
             "solver time limit of a new plan made in the web app (0 = automatic)",
             "automatic: 2 s up to 5 days, 4 s beyond"),
    Variable("TOUROUTE_REPLAN_SECONDS", "replan_seconds", _number(float, above=0), 0.8,
             "solver time limit of a re-plan after an edit"),
    Variable("TOUROUTE_MAX_PLAN_SECONDS", "max_plan_seconds", _number(float, above=0), 30.0,
             "largest `solver.time_limit_s` the API accepts"),
    Variable("TOUROUTE_WARMUP", "warmup", _flag, True,
             "`touroute serve` warms each worker's caches at start-up in a background thread (catalogue, solver "
             "kernels, every vehicle's matrix, one tiny plan), so the first plan is as quick as later ones; pages "
             "are served meanwhile and /healthz says `\"warm\": true` when done (0 = off: the first plan pays)",
             "on"),
    Variable("TOUROUTE_TILES", "tiles", _tiles, OSM_TILES, "tile URL template, or `none` for no tile layer",
             "OpenStreetMap's tiles"),
    Variable("TOUROUTE_MAX_BODY", "max_body", _number(int, minimum=1024), 256 * 1024,
             "largest request body in bytes"),
    Variable("TOUROUTE_READ_CACHE", "read_cache", _number(int, minimum=0), 512,
             "rendered maps, exports, plan JSON and searches kept per process"),
    Variable("TOUROUTE_READ_CACHE_MB", "read_cache_mb", _number(float, minimum=0), 64.0,
             "… and at most this many megabytes of them per process"),
    Variable("TOUROUTE_PUBLIC_PLANS", "public_plans", _flag, False,
             "`1` lists every saved plan at /plans and GET /api/plans (off: /plans shows the plans made in this "
             "browser; any plan stays reachable by its unguessable link)", "off"),
    Variable("TOUROUTE_PLAN_CONCURRENCY", "plan_concurrency", _number(int, minimum=1), 1,
             "plans solved at once per worker process"),
    Variable("TOUROUTE_PLAN_QUEUE", "plan_queue", _number(int, minimum=0), None,
             "plans that may wait for a slot per process", "threads − slots − 1 (4 on the development server)"),
    Variable("TOUROUTE_PLAN_WAIT_SECONDS", "plan_wait_seconds", _number(float, minimum=0), 10.0,
             "longest wait for a slot before the 503"),
    Variable("TOUROUTE_PLAN_GRACE_SECONDS", "plan_grace_seconds", _number(float, minimum=0), 1.0,
             "the hard deadline of a solve is its time limit + this"),
    Variable("TOUROUTE_SOLVER_NICE", "solver_nice", _number(int, minimum=0, maximum=19), 10,
             "CPU priority (nice increment) of the solver threads (0 = off)"),
    Variable("TOUROUTE_MATRIX_MAX_HUBS", "matrix_max_hubs", _number(int, minimum=2), 30,
             "hubs one hub-matrix request may ask for"),
    Variable("TOUROUTE_ANALYTICS_MAX_PLANS", "analytics_max_plans", _number(int, minimum=1), 500,
             "saved plans one fairness report may read"),
    Variable("TOUROUTE_JOB_WORKERS", "job_workers", _number(int, minimum=1, maximum=2), 1,
             "package build jobs run at once per worker process"),
    Variable("TOUROUTE_JOB_SECONDS", "job_seconds", _number(float, above=0), 4.0,
             "cap of a web package job's solver seconds per package"),
    Variable("TOUROUTE_MAX_JOB_PACKAGES", "max_job_packages", _number(int, minimum=1), 12,
             "packages per spec accepted from the web"),
    Variable("TOUROUTE_MAX_SPEC_BYTES", "max_spec_bytes", _number(int, minimum=1024), 64 * 1024,
             "largest uploaded spec in bytes"),
    Variable("TOUROUTE_MAX_QUEUED_JOBS", "max_queued_jobs", _number(int, minimum=1), 8,
             "unfinished package jobs before new ones get 429"),
    Variable("TOUROUTE_MAX_JOB_PLAN_SECONDS", "max_job_plan_seconds", _number(float, above=0, maximum=120), 120.0,
             "largest `solver.time_limit_s` of a long plan run as a background job (POST /api/plan-jobs; the "
             "request model allows at most 120)"),
    Variable("TOUROUTE_JOB_PDF", "job_pdf", _flag, True,
             "brochure PDFs in web package jobs (printed by headless Chromium; off: HTML brochures only)", "on"),
    Variable("TOUROUTE_JOB_RETENTION_DAYS", "job_retention_days", _number(float, minimum=0), 7.0,
             "days a finished job's files (zip, brochures) are kept (0 = forever)"),
    # --- job queue (RQ workers over Redis; unset: jobs run inside the web process) ----------------------------
    Variable("TOUROUTE_REDIS_URL", "redis_url", _text, None,
             "Redis URL of the job queue, e.g. `redis://127.0.0.1:6379/0`: package jobs then run on `touroute "
             "worker` processes (any number, on any machine that shares Redis, the database and the jobs folder)",
             "unset: jobs run in the web process"),
    Variable("TOUROUTE_JOBS_DIR", "jobs_dir", _path, None,
             "folder of the job files (spec output, zips): the artifact store the web app and every worker share "
             "(a local or network-mounted directory)", "$TOUROUTE_DATA_DIR/web/jobs"),
    Variable("TOUROUTE_JOB_LEASE_SECONDS", "job_lease_seconds", _number(float, minimum=1), 30.0,
             "a worker renews the lease of its running job every third of this; a job whose lease runs out (worker "
             "killed, machine lost) is put back on the queue"),
    Variable("TOUROUTE_JOB_ATTEMPTS", "job_attempts", _number(int, minimum=1), 3,
             "times a queued job is started before a job whose workers keep dying is marked failed"),
)
_BY_NAME = {v.name: v for v in VARIABLES}


@dataclass(frozen=True)
class Settings:
    """Every setting, typed (see :data:`VARIABLES` for what each one does and its default)."""

    data_dir: Path | None = None
    catalogue_dir: Path | None = None
    osm_pois: Path | None = None
    overpass_timeout: float | None = None
    osrm_url: str | None = None
    estimate_model: str = "corridor"
    osrm_timeout: float = 30.0
    osrm_bin: Path | None = None
    engine_python: Path | None = None
    secret_key: str | None = None
    db_url: str | None = None
    plan_seconds: float | None = None
    replan_seconds: float = 0.8
    max_plan_seconds: float = 30.0
    warmup: bool = True
    tiles: str | None = OSM_TILES
    max_body: int = 256 * 1024
    read_cache: int = 512
    read_cache_mb: float = 64.0
    public_plans: bool = False
    plan_concurrency: int = 1
    plan_queue: int | None = None
    plan_wait_seconds: float = 10.0
    plan_grace_seconds: float = 1.0
    solver_nice: int = 10
    matrix_max_hubs: int = 30
    analytics_max_plans: int = 500
    job_workers: int = 1
    job_seconds: float = 4.0
    max_job_packages: int = 12
    max_spec_bytes: int = 64 * 1024
    max_queued_jobs: int = 8
    max_job_plan_seconds: float = 120.0
    job_pdf: bool = True
    job_retention_days: float = 7.0
    redis_url: str | None = None
    jobs_dir: Path | None = None
    job_lease_seconds: float = 30.0
    job_attempts: int = 3

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """All settings from ``environ`` (default ``os.environ``). Every bad variable is reported at once, by
        name, in one :class:`SettingsError` (``field`` = the first bad variable)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[SettingsError] = []
        for var in VARIABLES:
            try:
                values[var.attr] = var.read(env)
            except SettingsError as exc:
                problems.append(exc)
        if problems:
            raise SettingsError("; ".join(str(p) for p in problems), field=problems[0].field)
        return cls(**values)

    def flask_config(self) -> dict[str, Any]:
        """The web app's config keys (``create_app(config=…)`` overrides them)."""
        return {
            "SECRET_KEY": self.secret_key, "DB_URL": self.db_url,
            "PLAN_SECONDS": self.plan_seconds or None,  # 0: automatic too
            "REPLAN_SECONDS": self.replan_seconds, "MAX_PLAN_SECONDS": self.max_plan_seconds,
            "TILES": self.tiles, "MAX_CONTENT_LENGTH": self.max_body, "MAX_FORM_MEMORY_SIZE": self.max_body,
            "READ_CACHE_SIZE": self.read_cache, "READ_CACHE_MB": self.read_cache_mb,
            "PUBLIC_PLANS": self.public_plans,
            "CATALOGUE_DIR": str(self.catalogue_dir) if self.catalogue_dir else None,
            "OSM_POIS": str(self.osm_pois) if self.osm_pois else None,
            "PLAN_CONCURRENCY": self.plan_concurrency, "PLAN_QUEUE": self.plan_queue,
            "PLAN_WAIT_SECONDS": self.plan_wait_seconds, "PLAN_GRACE_SECONDS": self.plan_grace_seconds,
            "SOLVER_NICE": self.solver_nice,
            "ANALYTICS_MAX_HUBS": self.matrix_max_hubs, "ANALYTICS_MAX_PLANS": self.analytics_max_plans,
            "JOB_WORKERS": self.job_workers, "JOB_SOLVER_SECONDS": self.job_seconds,
            "MAX_JOB_PACKAGES": self.max_job_packages, "MAX_SPEC_BYTES": self.max_spec_bytes,
            "MAX_QUEUED_JOBS": self.max_queued_jobs, "JOB_RETENTION_DAYS": self.job_retention_days,
            "REDIS_URL": self.redis_url, "JOB_LEASE_SECONDS": self.job_lease_seconds,
            "JOB_ATTEMPTS": self.job_attempts, "JOB_PDF": self.job_pdf,
            "MAX_JOB_PLAN_SECONDS": self.max_job_plan_seconds,
            **({"JOBS_DIR": str(self.jobs_dir)} if self.jobs_dir else {}),
        }


assert {f.name for f in fields(Settings)} == {v.attr for v in VARIABLES}, "VARIABLES and Settings disagree"


def setting(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One setting by its variable name, parsed by the same rule as :meth:`Settings.from_env` (for library code
    that needs one value: an unrelated bad variable must not stop it)."""
    return _BY_NAME[name].read(os.environ if environ is None else environ)


def markdown_table() -> str:
    """The table of ``docs/settings.md``."""
    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for v in VARIABLES:
        default = v.default_doc or ("unset" if v.default is None else
                                    str(v.default) if not isinstance(v.default, bool) else ("on" if v.default else "off"))
        rows.append(f"| `{v.name}` | {default} | {v.doc} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m touroute.settings > the table of docs/settings.md
    print(markdown_table(), end="")
