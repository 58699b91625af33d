"""Keeping the server responsive under load: a bounded number of solves per worker process, a bounded queue in
front of them, and a hard per-request deadline for the planner.

Why: a plan holds a CPU for its whole time limit (seconds), a catalogue search or a saved plan takes
milliseconds. ``touroute serve --prod`` runs gunicorn *gthread* workers (several threads per process); the
solver's compiled search releases the GIL (``nogil``), so reads in the other threads are not starved while a plan
is solved. What must not happen is that every thread of a worker sits in a solve (or waits for one) — then reads
queue behind plans. So each process lets at most ``PLAN_CONCURRENCY`` plans solve at once and at most
``PLAN_QUEUE`` more wait (each at most ``PLAN_WAIT_SECONDS``); beyond that a plan request gets a clear
**503** with ``Retry-After`` (JSON under ``/api``, a bilingual page elsewhere) — an answer about load, logged as a
warning, not an error. With the default ``PLAN_QUEUE`` = threads − concurrency − 1 at least one thread of every
worker is always free for reads.

Configuration: ``TOUROUTE_PLAN_CONCURRENCY``, ``_PLAN_QUEUE``, ``_PLAN_WAIT_SECONDS``, ``_PLAN_GRACE_SECONDS`` and
``_SOLVER_NICE`` (docs/settings.md), or the ``config`` mapping of :func:`touroute.web.create_app`.

Solves run in a small pool of dedicated solver threads per process (``PLAN_CONCURRENCY`` of them) whose Linux
nice value is raised once when they start (nice is per thread on Linux): when the CPUs are busy, the kernel
gives the threads serving pages and saved plans the CPU first, and the solves — bounded by their deadline —
take the rest. Request threads never change their own priority (an unprivileged thread could not lower it
back).

The solver's search is bounded by a deterministic work budget calibrated to take about ``solver.time_limit_s``
on an idle machine; on a loaded one it would take longer. The hard deadline (``time_limit_s`` + grace, see
:func:`plan_deadline`) stops it — and the re-solves for the regional rules — whatever the load; the grace lets a
short limit still find a plan on a busy machine.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, current_app, has_app_context, jsonify, render_template, request

from ..model import AUTO_LIMIT_LONG_S

log = logging.getLogger("touroute.web")
T = TypeVar("T")


class PlannerBusy(Exception):
    """No solver slot became free in time: the client should retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int, why: str):
        super().__init__(why)
        self.retry_after = retry_after
        self.why = why


@dataclass
class PlanSlots:
    """A counting semaphore with a bounded, time-limited queue (one per worker process).

    ``slots`` solves run at once; up to ``queue`` more requests wait, each at most ``wait_s`` seconds; a request
    that finds the queue full, or whose wait runs out, gets :class:`PlannerBusy` at once.
    """

    slots: int
    queue: int
    wait_s: float
    retry_after: int
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _running: int = 0
    _waiting: int = 0
    rejected: int = 0

    @contextmanager
    def slot(self) -> Iterator[float]:
        """Hold a solver slot for the ``with`` block; yields the seconds spent waiting for it."""
        t0 = time.perf_counter()
        with self._cond:
            if self._running >= self.slots:
                if self._waiting >= self.queue:
                    self.rejected += 1
                    raise PlannerBusy(self.retry_after, f"{self._running} plan(s) solving and {self._waiting} "
                                                        f"waiting in this worker (limits {self.slots} + {self.queue})")
                self._waiting += 1
                try:
                    ok = self._cond.wait_for(lambda: self._running < self.slots, timeout=self.wait_s)
                finally:
                    self._waiting -= 1
                if not ok:
                    self.rejected += 1
                    raise PlannerBusy(self.retry_after, f"no solver slot became free within {self.wait_s:g} s")
            self._running += 1
        try:
            yield time.perf_counter() - t0
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify()

    def state(self) -> dict:
        with self._cond:
            return {"slots": self.slots, "running": self._running, "queue": self.queue, "waiting": self._waiting,
                    "rejected": self.rejected}




def init_app(app: Flask) -> None:
    """Read the limits from the app's config (:mod:`touroute.settings`, overridden by ``create_app(config)``),
    create the process's slots, register the 503."""
    cfg = app.config
    slots = int(cfg.get("PLAN_CONCURRENCY") or 1)
    threads = int(cfg.get("THREADS") or 0)
    queue = cfg.get("PLAN_QUEUE")
    if queue is None:  # keep one thread of a gthread worker free for reads; the dev server has a thread per request
        queue = max(0, threads - slots - 1) if threads > 0 else 4
    wait_s = cfg.get("PLAN_WAIT_SECONDS")
    if wait_s is None:
        wait_s = 10.0
    retry = max(1, math.ceil(float(cfg.get("PLAN_SECONDS") or AUTO_LIMIT_LONG_S)))
    grace = cfg.get("PLAN_GRACE_SECONDS")
    if grace is None:
        grace = 1.0
    cfg.update(PLAN_GRACE_SECONDS=max(0.0, float(grace)))
    cfg.update(PLAN_CONCURRENCY=max(1, slots), PLAN_QUEUE=max(0, int(queue)), PLAN_WAIT_SECONDS=float(wait_s))
    nice = cfg.get("SOLVER_NICE")
    if nice is None:
        nice = 10
    cfg["SOLVER_NICE"] = int(nice or 0)
    app.extensions["touroute_solver_pool"] = ThreadPoolExecutor(
        max_workers=max(1, slots), thread_name_prefix="touroute-solver", initializer=_lower_priority,
        initargs=(int(nice or 0),))
    app.extensions["touroute_plan_slots"] = PlanSlots(max(1, slots), max(0, int(queue)), max(0.0, float(wait_s)),
                                                      retry)

    @app.errorhandler(PlannerBusy)
    def _busy(exc: PlannerBusy):
        from .i18n import t

        log.warning("planner busy, 503 for %s %s: %s", request.method, request.path, exc.why)
        msg = t("planner_busy", seconds=exc.retry_after)
        if request.path.startswith("/api/"):
            resp = jsonify({"error": msg, "reason": "planner_busy", "detail": exc.why,
                            "retry_after": exc.retry_after, "fields": []})
            resp.status_code = 503
        else:
            resp = app.make_response((render_template("error.html", code=503, message=msg, fields=[]), 503))
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp


def _lower_priority(nice: int) -> None:
    """Initializer of a solver thread: raise its nice value (Linux: per thread) so request threads come first."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, os.getpriority(
            os.PRIO_PROCESS, threading.get_native_id()) + nice))
    except OSError as exc:  # pragma: no cover - not permitted in some sandboxes: solve at normal priority
        log.warning("could not lower the solver thread's priority: %s", exc)


def in_solver_thread(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run ``fn`` in the app's low-priority solver threads and wait for it (directly outside an app)."""
    pool = current_app.extensions.get("touroute_solver_pool") if has_app_context() else None
    if pool is None:
        return fn(*args, **kwargs)
    return pool.submit(fn, *args, **kwargs).result()


def plan_deadline(start: float, req) -> float:
    """The hard deadline (``time.perf_counter()``) of a solve that started at ``start``: the request's time limit
    plus the app's grace (1 s outside an app)."""
    grace = float(current_app.config.get("PLAN_GRACE_SECONDS", 1.0)) if has_app_context() else 1.0
    return start + float(req.solver.time_limit_s) + grace


@contextmanager
def plan_slot() -> Iterator[float]:
    """The current app's solver slot (no limit outside an app, e.g. in library use)."""
    slots = current_app.extensions.get("touroute_plan_slots") if has_app_context() else None
    if slots is None:
        yield 0.0
        return
    with slots.slot() as waited:
        yield waited
