"""Background jobs on a real queue (issue 16) — package builds, batch what-ifs, long plans: RQ workers over Redis, any number of them, on any machine.

Why: the embedded runner (:class:`touroute.web.jobs.JobRunner`) runs jobs in threads of the web process, so it
cannot spread over machines and a restart of the web server kills the jobs it was running. With
``TOUROUTE_REDIS_URL`` set the web app only writes the job row and puts its id on the Redis queue
``touroute-jobs``; ``touroute worker`` processes (:func:`run_worker`) take ids off the queue and build them with
the same :func:`~touroute.web.jobs.execute_job` the embedded runner uses.

What the machines share (the one contract of a deployment):

* **Redis** (``TOUROUTE_REDIS_URL``): the queue and the leases of running jobs — nothing that must survive Redis.
* **The database** (``TOUROUTE_DB_URL``): every job's state, progress, results and its run's owner. A worker on
  another machine needs a server database (PostgreSQL); SQLite serves workers on the web server's own machine.
* **The artifact store** (``TOUROUTE_JOBS_DIR``): a directory — local, or a network mount (NFS, SMB, a FUSE-mounted
  bucket) on every machine. Workers write ``<dir>/<job id>/``, the web app serves the zip from it. An object store
  spoken to over its own API (S3) is not supported.

Progress is the job row (updated after each package). Cancel and retry are row updates every run checks (see
:func:`~touroute.web.jobs.execute_job`). Surviving a killed worker is a **lease**: while a worker runs a job it
keeps the Redis key ``touroute:lease:<job id>`` alive (renewed every third of ``TOUROUTE_JOB_LEASE_SECONDS``). Every
worker also looks, on the same beat, for running jobs whose lease is gone; the first to win the row's
compare-and-set puts the job back on the queue (a new attempt, from scratch) or, after ``TOUROUTE_JOB_ATTEMPTS``
starts, marks it failed. RQ's own abandoned-job handling would notice a dead worker only after its heartbeat TTL
(at least a minute) and the next maintenance pass (ten minutes by default); the lease makes it seconds.

Workers are RQ ``SimpleWorker``\\s: a job runs in the worker process itself (no fork per job), so the planning
context — catalogue, matrices — is loaded once per worker, and killing the worker kills its job with it.
"""

from __future__ import annotations

import logging
import re
import secrets
import socket
import os
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Flask, current_app

from ..errors import TourouteException
from .db import QUEUE_OWNER, _aware
from .jobs import JobRunner, admit_job, cancel_in_store, execute_job, reset_for_retry
from .service import RequestProblem

log = logging.getLogger("touroute.web.queue")


class QueueConfigError(TourouteException, RuntimeError):
    """A worker cannot start: no Redis URL, or Redis not reachable (``field`` names the setting)."""

QUEUE_NAME = "touroute-jobs"
LEASE_KEY = "touroute:lease:{}"
JOB_TIMEOUT_S = 6 * 3600
"""RQ's hard limit of one run (a 12-package job with PDFs takes minutes; this only stops a run that hangs)."""
_ATTEMPT = re.compile(r"#(\d+)")


def _redis(url: str):
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def _queue(conn):
    from rq import Queue

    return Queue(QUEUE_NAME, connection=conn)


def owner_of(worker: str, attempt: int) -> str:
    """The row's owner while ``worker`` runs ``attempt``: ``queue:<worker>#<attempt>.<token>`` (the token tells two
    runs of one worker apart, so a late write of an old run never lands on a new one)."""
    return f"{QUEUE_OWNER}{worker}#{attempt}.{secrets.token_hex(3)}"


def attempt_of(owner: str) -> int:
    m = _ATTEMPT.search(owner or "")
    return int(m.group(1)) if m else 1


def enqueue(conn, job_id: str, attempt: int) -> None:
    """Put ``job_id`` on the queue (any previous RQ job of that id — a dead run's, a cancelled one — is removed
    first, so an id is on the queue at most once)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        Job.fetch(job_id, connection=conn).delete()
    except NoSuchJobError:
        pass
    _queue(conn).enqueue(run_queued_job, job_id, attempt, job_id=job_id, job_timeout=JOB_TIMEOUT_S,
                         result_ttl=7 * 86400, failure_ttl=7 * 86400,
                         description=f"touroute package job {job_id} (attempt {attempt})")


class QueueRunner:
    """The web app's side of the queue: create the row, enqueue its id; cancel and retry."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.url = str(app.config["REDIS_URL"])
        self.conn = _redis(self.url)
        self.owner = f"{QUEUE_OWNER}queued#1"

    def _unreachable(self, exc: Exception) -> RequestProblem:
        from . import redact_secret

        log.error("job queue %s unreachable: %s", redact_secret(self.url, self.url), exc)
        return RequestProblem("the job queue (Redis) is not reachable; try again later",
                              [{"field": "queue", "message": "Redis not reachable"}], 503)

    def submit(self, spec, title: str) -> str:
        """A package build job (kind ``packages``) → its id."""
        return self.submit_job("packages", spec.model_dump_json(), title, len(spec.packages))

    def submit_job(self, kind: str, input_json: str, title: str, total: int) -> str:
        """Write the job row, then put its id on the queue (503 naming ``queue`` when Redis is not reachable)."""
        from redis.exceptions import RedisError

        admit_job(self.app)
        store = self.app.extensions["touroute_store"]
        job = store.create_job(title, input_json, total, self.owner, kind=kind)
        try:
            enqueue(self.conn, job.id, 1)
        except RedisError as exc:
            store.update_job(job.id, state="failed", message="the job queue (Redis) was not reachable / "
                                                             "không kết nối được hàng đợi")
            raise self._unreachable(exc) from None
        return job.id

    def cancel(self, job_id: str) -> bool:
        """The row says cancelled (a running worker stops after its current package); a job still waiting is
        also taken off the Redis queue."""
        from redis.exceptions import RedisError
        from rq.exceptions import InvalidJobOperation, NoSuchJobError
        from rq.job import Job

        if not cancel_in_store(self.app, job_id):
            return False
        try:
            rq_job = Job.fetch(job_id, connection=self.conn)
            if rq_job.get_status() == "queued":
                rq_job.cancel()
        except (NoSuchJobError, InvalidJobOperation, RedisError):
            pass  # the row is what every run checks; the queue entry is only a shortcut
        return True

    def retry(self, job_id: str) -> None:
        """A failed or cancelled job runs again from scratch, as attempt 1."""
        from redis.exceptions import RedisError

        reset_for_retry(self.app, job_id, self.owner)
        try:
            enqueue(self.conn, job_id, 1)
        except RedisError as exc:
            self.app.extensions["touroute_store"].update_job(job_id, state="failed",
                                                             message="the job queue (Redis) was not reachable")
            raise self._unreachable(exc) from None


# ---------------------------------------------------------------------------------------------------------------
# the worker side
# ---------------------------------------------------------------------------------------------------------------
class _WorkerState:
    """What the RQ job function needs from the worker process that runs it (one per process)."""

    app: Flask | None = None
    name: str = ""
    current: str | None = None  # the job id whose lease this process renews
    beat: threading.Thread | None = None
    stop = threading.Event()
    lock = threading.Lock()


_STATE = _WorkerState()


def _worker_app() -> Flask:
    if _STATE.app is None:  # a plain `rq worker` process: build the app from the environment
        from . import create_app

        _STATE.app = create_app()
        _STATE.name = _STATE.name or f"{socket.gethostname()}.{os.getpid()}"
    return _STATE.app


def run_queued_job(job_id: str, attempt: int = 1) -> str:
    """The function RQ runs on a worker: hold the job's lease, build it, return its final state."""
    app = _worker_app()
    lease = float(app.config["JOB_LEASE_SECONDS"])
    conn = _redis(str(app.config["REDIS_URL"]))
    _ensure_lease_thread(app, str(app.config["REDIS_URL"]))  # also under a plain `rq worker`
    with _STATE.lock:
        _STATE.current = job_id
    conn.set(LEASE_KEY.format(job_id), _STATE.name, ex=max(1, int(round(lease))))
    try:
        return execute_job(app, job_id, owner_of(_STATE.name, attempt))
    finally:
        with _STATE.lock:
            _STATE.current = None
        conn.delete(LEASE_KEY.format(job_id))


def reap_lost_jobs(app: Flask, conn) -> list[str]:
    """Re-queue (or fail, after the last attempt) every queue job that is ``running`` with no live lease and no
    write for a lease period: its worker was killed, lost its machine or its network. The row update is a
    compare-and-set on the dead run's owner, so when several workers reap at once exactly one re-queues.
    Also re-enqueues ``queued`` rows that are not on the queue any more (Redis restarted without its data).
    Returns the ids acted on."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    store = app.extensions["touroute_store"]
    lease = float(app.config["JOB_LEASE_SECONDS"])
    max_attempts = int(app.config["JOB_ATTEMPTS"])
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=lease)
    acted = []
    for job in store.list_unfinished_jobs():
        if not job.owner.startswith(QUEUE_OWNER) or _aware(job.updated_at) > cutoff:
            continue
        if job.state == "queued":
            try:
                Job.fetch(job.id, connection=conn)
                continue
            except NoSuchJobError:
                pass
            if store.update_job(job.id, if_states=("queued",), if_owner=job.owner, if_updated_before=cutoff, owner=job.owner):
                enqueue(conn, job.id, attempt_of(job.owner))
                acted.append(job.id)
            continue
        if conn.exists(LEASE_KEY.format(job.id)):
            continue
        attempt = attempt_of(job.owner)
        dead = job.owner.removeprefix(QUEUE_OWNER).split("#", 1)[0]
        if attempt >= max_attempts:
            if store.update_job(job.id, if_states=("running",), if_owner=job.owner, if_updated_before=cutoff, state="failed", current=None,
                                message=f"the workers running this job stopped {attempt} times (last: {dead}); "
                                        f"giving up / máy chạy công việc bị dừng {attempt} lần"):
                log.warning("job %s: worker %s lost; attempt %d was the last", job.id, dead, attempt)
                acted.append(job.id)
            continue
        nxt = attempt + 1
        if store.update_job(job.id, if_states=("running",), if_owner=job.owner, if_updated_before=cutoff, state="queued",
                            owner=f"{QUEUE_OWNER}queued#{nxt}", n_done=0, current=None, results_json="[]",
                            message=f"re-queued: worker {dead} stopped (attempt {nxt} of {max_attempts}) / "
                                    f"chạy lại do máy chạy bị dừng"):
            log.warning("job %s: worker %s lost; re-queued as attempt %d", job.id, dead, nxt)
            enqueue(conn, job.id, nxt)
            acted.append(job.id)
    return acted


def _ensure_lease_thread(app: Flask, url: str) -> None:
    """Start this process's lease / reaper thread once: without it a running job's lease would lapse and another
    worker would take over a job that is still being built."""
    with _STATE.lock:
        if _STATE.beat is None or not _STATE.beat.is_alive():
            _STATE.stop.clear()
            _STATE.beat = threading.Thread(target=_lease_loop, args=(app, url, _STATE.stop), name="touroute-lease",
                                           daemon=True)
            _STATE.beat.start()


def _lease_loop(app: Flask, url: str, stop: threading.Event) -> None:
    """Renew this worker's lease and reap lost jobs, every third of the lease (a thread of the worker)."""
    lease = float(app.config["JOB_LEASE_SECONDS"])
    conn = _redis(url)
    while not stop.wait(max(0.2, lease / 3)):
        try:
            with _STATE.lock:
                current = _STATE.current
            if current:
                conn.set(LEASE_KEY.format(current), _STATE.name, ex=max(1, int(round(lease))))
            reap_lost_jobs(app, conn)
        except Exception:  # a Redis or database hiccup must not end the thread; the next beat tries again
            log.exception("lease / reaper beat failed")


def run_worker(redis_url: str | None = None, *, name: str | None = None, burst: bool = False,
               config: dict[str, Any] | None = None) -> int:
    """Run one queue worker until it is stopped (SIGINT/SIGTERM: it finishes the current job first) or, with
    ``burst``, until the queue is empty. ``redis_url`` defaults to ``TOUROUTE_REDIS_URL``; everything else comes
    from the same ``TOUROUTE_*`` settings as the web app (database, jobs folder, solver caps, catalogue), which the
    worker must share with it. Returns the number of jobs this worker ran."""
    from rq import SimpleWorker

    from . import create_app, planning_context, redact_url

    cfg = dict(config or {})
    if redis_url:
        cfg["REDIS_URL"] = redis_url
    app = create_app(cfg)
    url = app.config.get("REDIS_URL")
    if not url:
        raise QueueConfigError("no job queue: set TOUROUTE_REDIS_URL (or pass --redis-url)", field="TOUROUTE_REDIS_URL")
    conn = _redis(str(url))
    try:
        conn.ping()
    except Exception as exc:
        raise QueueConfigError(f"cannot reach Redis at {redact_url(str(url))}: {exc}", field="TOUROUTE_REDIS_URL") \
            from None
    _STATE.app = app
    _STATE.name = name or f"{socket.gethostname()}.{os.getpid()}"
    planning_context(app).catalogue  # load once, before the first job
    _ensure_lease_thread(app, str(url))
    worker = SimpleWorker([_queue(conn)], connection=conn, name=_STATE.name)
    log.info("touroute worker %s listening on %s (queue %s)", _STATE.name, redact_url(str(url)), QUEUE_NAME)
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
    finally:
        _STATE.stop.set()
    return int(worker.successful_job_count + worker.failed_job_count)


def runner(app: Flask | None = None):
    """This process's runner: the Redis queue (:class:`touroute.web.queue.QueueRunner`) when ``REDIS_URL`` is
    set, else the embedded :class:`touroute.web.jobs.JobRunner` (created on the first job, so processes that never run a job start
    no threads). Both have ``submit``, ``cancel`` and ``retry``."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    r = app.extensions.get("touroute_jobs")
    if r is None:
        with _CREATE_LOCK:
            r = app.extensions.get("touroute_jobs")
            if r is None:
                if app.config.get("REDIS_URL"):
                    r = QueueRunner(app)
                else:
                    r = JobRunner(app)
                app.extensions["touroute_jobs"] = r
    return r


_CREATE_LOCK = threading.Lock()
