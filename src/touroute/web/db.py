"""Saved plans in a real database (SQLAlchemy 2.x): SQLite file by default, PostgreSQL via ``TOUROUTE_DB_URL``.

Each plan keeps the request JSON, the itinerary JSON, a title, its creation time and a random, unguessable slug
(``secrets.token_urlsafe``) that is its permalink. Edits create a new plan (``parent`` = the edited plan's slug),
so a shared link never changes under the person it was sent to.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import DateTime, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class SavedPlan(Base):
    __tablename__ = "saved_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    request_json: Mapped[str] = mapped_column(Text)
    itinerary_json: Mapped[str] = mapped_column(Text)
    parent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    feasible: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def request(self) -> dict:
        return json.loads(self.request_json)

    def summary(self) -> dict:
        return {"id": self.slug, "title": self.title, "created": self.created_at.isoformat(),
                "feasible": bool(self.feasible), "parent": self.parent}


# ---------------------------------------------------------------------------------------------------------------
# Background package jobs (issue 6): state in the database so every gunicorn worker sees every job
# ---------------------------------------------------------------------------------------------------------------
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
UNFINISHED = ("queued", "running")
QUEUE_OWNER = "queue:"
"""Owner prefix of jobs run by the Redis queue (:mod:`touroute.web.queue`): their liveness is the queue's lease,
not a process on the web server, so :meth:`JobStoreMixin.fail_orphaned_jobs` leaves them alone."""


class PackageJob(Base):
    """One ``build_packages`` run started from the web. Its files live in ``<jobs dir>/<id>/`` (built only from
    ``id``, a random hex token). ``owner`` is ``host:pid`` of the worker process that runs it and ``heartbeat_at``
    is refreshed while it is queued or running, so a job whose process died is recognised and marked failed."""

    __tablename__ = "package_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="packages", server_default="packages")
    """``packages`` (a package spec → brochures), ``whatif`` (a spec re-planned under a road scenario) or ``plan``
    (one plan request with a long solver limit); ``spec_json`` holds that kind's input."""
    state: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    owner: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    spec_json: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, default=0)
    n_done: Mapped[int] = mapped_column(Integer, default=0)
    current: Mapped[str | None] = mapped_column(String(200), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    results_json: Mapped[str] = mapped_column(Text, default="[]")

    @property
    def results(self) -> list[dict]:
        return json.loads(self.results_json or "[]")

    def summary(self) -> dict:
        return {"id": self.id, "kind": self.kind or "packages", "state": self.state, "title": self.title, "total": self.total,
                "done": self.n_done, "current": self.current, "message": self.message,
                "created": _aware(self.created_at).isoformat(), "updated": _aware(self.updated_at).isoformat(),
                "results": self.results}


def _aware(dt: datetime) -> datetime:
    """SQLite returns naive datetimes for ``DateTime(timezone=True)``; every stored value is UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def process_owner() -> str:
    """``host:pid`` of this worker process (the owner recorded on the jobs it runs)."""
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_dead(owner: str) -> bool:
    """True when ``owner`` is a process on this host that no longer exists (other hosts: unknown → False)."""
    import os
    import socket

    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, another user
        return False
    return False


class JobStoreMixin:
    """Job table methods of :class:`PlanStore` (kept apart from the plan methods; same engine and sessions)."""

    sessions: sessionmaker[Session]

    def create_job(self, title: str, spec_json: str, total: int, owner: str, kind: str = "packages") -> PackageJob:
        now = datetime.now(timezone.utc)
        job = PackageJob(id=secrets.token_hex(16), kind=kind, state="queued", created_at=now, updated_at=now,
                         heartbeat_at=now, owner=owner[:200], title=title[:200], spec_json=spec_json, total=total,
                         n_done=0, current=None, message=None, results_json="[]")
        with self.sessions() as s, s.begin():
            s.add(job)
        return job

    def get_job(self, job_id: str) -> PackageJob | None:
        if not job_id or len(job_id) > 32:
            return None
        with self.sessions() as s:
            return s.get(PackageJob, job_id)

    def update_job(self, job_id: str, *, if_states: tuple[str, ...] | None = None, if_owner: str | None = None,
                   if_updated_before: datetime | None = None, **values) -> bool:
        """Set columns of one job (``updated_at`` and ``heartbeat_at`` refreshed). ``if_states`` / ``if_owner`` /
        ``if_updated_before`` make it conditional (a compare-and-set in one UPDATE): a run only writes progress
        while the job is still its own and not cancelled, so a cancel or a re-queue is never overwritten by a late
        write; of two reapers acting on one stale row only the first matches (it refreshes ``updated_at``). True
        when the row was changed."""
        from sqlalchemy import update

        now = datetime.now(timezone.utc)
        values = {**values, "updated_at": now, "heartbeat_at": now}
        q = update(PackageJob).where(PackageJob.id == job_id)
        if if_states is not None:
            q = q.where(PackageJob.state.in_(if_states))
        if if_owner is not None:
            q = q.where(PackageJob.owner == if_owner)
        if if_updated_before is not None:
            q = q.where(PackageJob.updated_at <= if_updated_before)
        with self.sessions() as s, s.begin():
            return bool(s.execute(q.values(**values)).rowcount)

    def heartbeat_jobs(self, owner: str) -> None:
        """Refresh ``heartbeat_at`` of this process's unfinished jobs (called periodically by the runner)."""
        from sqlalchemy import update

        with self.sessions() as s, s.begin():
            s.execute(update(PackageJob).where(PackageJob.owner == owner,
                                               PackageJob.state.in_(("queued", "running")))
                      .values(heartbeat_at=datetime.now(timezone.utc)))

    def list_jobs(self, limit: int = 50) -> list[PackageJob]:
        with self.sessions() as s:
            q = select(PackageJob).order_by(PackageJob.created_at.desc()).limit(limit)
            return list(s.scalars(q))

    def list_unfinished_jobs(self) -> list[PackageJob]:
        """Every queued or running job (the queue's reaper looks for ones whose worker was lost)."""
        with self.sessions() as s:
            return list(s.scalars(select(PackageJob).where(PackageJob.state.in_(UNFINISHED))))

    def count_unfinished_jobs(self) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(PackageJob)
                                .where(PackageJob.state.in_(("queued", "running")))) or 0)

    def fail_orphaned_jobs(self, stale_seconds: float = 180.0, *, alive_owner: str | None = None) -> int:
        """Mark failed every queued/running job whose process is gone: its owner is a dead process on this host,
        or its heartbeat is older than ``stale_seconds`` (other hosts). ``alive_owner`` (this process) is never
        failed. Called when the store opens (server start) and before a job is read, so nothing stays "running"
        forever after a restart. Returns the number of jobs marked."""
        from datetime import timedelta

        now = datetime.now(timezone.utc)
        cutoff = now - timedelta(seconds=stale_seconds)
        marked = 0
        with self.sessions() as s, s.begin():
            jobs = s.scalars(select(PackageJob).where(PackageJob.state.in_(("queued", "running")))).all()
            for job in jobs:
                if job.owner == alive_owner or job.owner.startswith(QUEUE_OWNER):
                    continue
                if _owner_dead(job.owner) or _aware(job.heartbeat_at) < cutoff:
                    job.state = "failed"
                    job.message = ("interrupted: the server process running this job stopped (restart?) — "
                                   "start the job again / công việc bị gián đoạn do máy chủ khởi động lại")
                    job.updated_at = now
                    marked += 1
        return marked


def default_db_url() -> str:
    """``sqlite:///<data dir>/web/touroute.sqlite3`` (data dir = ``$TOUROUTE_DATA_DIR`` or the user cache)."""
    from ..network.store import data_root

    path = Path(data_root()) / "web" / "touroute.sqlite3"
    return f"sqlite:///{path}"


SQLITE_BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another connection's write lock (all gunicorn workers and threads share the file;
a save holds the lock for a millisecond or two)."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    import sqlite3

    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    # WAL: readers never block the writer (gunicorn workers share the file). Switching a fresh file to WAL needs
    # an exclusive lock, and SQLite may answer "locked" at once rather than wait when workers start together (seen
    # in CI-like runs: one of four spawned workers failed) — so it is retried, bounded by the busy timeout.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    # FULL: a commit is fsync'ed to the WAL before the 201 goes out, so a saved plan survives a power cut too,
    # not only a killed process (NORMAL would lose the last commits on power loss). Saves are rare next to
    # reads (one per solved plan), so the fsync per commit costs nothing that matters.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _create_tables(engine, attempts: int = 5) -> None:
    """Create missing tables. Several gunicorn workers start at once on a fresh database: each checks that a table
    is missing, one creates it and the others' CREATE TABLE fails with "already exists" — a lost race, not an
    error; checking again then finds the table."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    for attempt in range(attempts):
        try:
            Base.metadata.create_all(engine)
            _add_missing_columns(engine)
            return
        except (OperationalError, ProgrammingError) as exc:
            lost = "already exists" in str(exc).lower() or "locked" in str(exc).lower()
            if not lost or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


ADDED_COLUMNS = {"package_jobs": {"kind": "VARCHAR(20) NOT NULL DEFAULT 'packages'"}}
"""Columns added to tables after their first release: a database made by an older version gets them on open
(``create_all`` creates missing tables, never missing columns)."""


def _add_missing_columns(engine) -> None:
    """``ALTER TABLE … ADD COLUMN`` for each of :data:`ADDED_COLUMNS` a table lacks (several workers opening an
    old database at once: the losers' "duplicate column" / "already exists" is ignored)."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    insp = inspect(engine)
    for table, columns in ADDED_COLUMNS.items():
        have = {c["name"] for c in insp.get_columns(table)}
        for name, ddl in columns.items():
            if name in have:
                continue
            try:
                with engine.begin() as conn:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))
            except (OperationalError, ProgrammingError) as exc:
                if "duplicate" not in str(exc).lower() and "already exists" not in str(exc).lower():
                    raise


@dataclass
class PlanStore(JobStoreMixin):
    """The saved-plans and package-jobs tables behind one engine (one per app)."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, url: str | None = None) -> "PlanStore":
        url = url or default_db_url()
        kw: dict = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            db_path = url.split("///", 1)[1] if "///" in url else ""
            if db_path and db_path != ":memory:":
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
            kw["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        engine = create_engine(url, **kw)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        _create_tables(engine)
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False))

    def journal_mode(self) -> str | None:
        if self.engine.dialect.name != "sqlite":
            return None
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())

    def save(self, title: str, request_json: str, itinerary_json: str, *, feasible: bool = True,
             parent: str | None = None) -> SavedPlan:
        plan = SavedPlan(slug=secrets.token_urlsafe(12), title=title[:200], created_at=datetime.now(timezone.utc),
                         request_json=request_json, itinerary_json=itinerary_json, parent=parent,
                         feasible=int(feasible))
        with self.sessions() as s, s.begin():
            s.add(plan)
        return plan

    def get(self, slug: str) -> SavedPlan | None:
        if not slug or len(slug) > 32:
            return None
        with self.sessions() as s:
            return s.scalars(select(SavedPlan).where(SavedPlan.slug == slug)).first()

    def list(self, limit: int = 100, offset: int = 0) -> list[SavedPlan]:
        with self.sessions() as s:
            q = select(SavedPlan).order_by(SavedPlan.created_at.desc(), SavedPlan.id.desc()).limit(limit).offset(offset)
            return list(s.scalars(q))

    def count(self) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(SavedPlan)) or 0)

