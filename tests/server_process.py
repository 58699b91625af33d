"""A real ``touroute serve --prod`` (gunicorn) in a subprocess on a free loopback port — for the data-safety tests
and ``benchmarks/bench_load.py``.

The server gets its own process group, so it can be stopped (SIGTERM) or crashed (SIGKILL: master and workers at
once, as a power cut or the OOM killer would) without touching any other process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, timeout: float = 60.0) -> tuple[int, dict, bytes]:
    """(status, headers, body bytes) of one request; HTTP errors are returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@dataclass
class ServerProcess:
    """``touroute serve --prod`` with the given database, data dir, workers and threads."""

    db_path: Path
    data_dir: Path
    workers: int = 2
    threads: int = 4
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    wait_warm: bool = True  # start() also waits for every worker's background warm-up (TOUROUTE_WARMUP)
    port: int = 0
    proc: subprocess.Popen | None = None
    _log_start: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> "ServerProcess":
        """Start and wait until ``/healthz`` answers (workers warm up: kernels, catalogue, matrices)."""
        self.port = free_port()
        env = dict(os.environ)
        env.update({
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
            "TOUROUTE_DB_URL": f"sqlite:///{self.db_path}",
            "TOUROUTE_DATA_DIR": str(self.data_dir),
            "TOUROUTE_SECRET_KEY": "server-process-test-key",
            "TOUROUTE_TILES": "none",
        })
        env.update(self.env)
        if self.log_path is None:
            self.log_path = self.db_path.with_suffix(".server.log")
        self._log_start = len(self.log_path.read_text(errors="replace")) if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "touroute", "serve", "--prod", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers), "--threads", str(self.threads)],
            env=env, stdout=log, stderr=log, start_new_session=True)
        t_end = time.monotonic() + timeout
        while time.monotonic() < t_end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} (log: {self.log_path})")
            try:
                status, _, _ = http("GET", self.url + "/healthz", timeout=2)
                if status == 200 and self._all_workers_up():
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout} s (log: {self.log_path})")

    def _all_workers_up(self) -> bool:
        """All workers are up — each logs "touroute worker <pid> ready" (gunicorn's ``post_worker_init`` hook in
        ``touroute serve``) once its app is built — and, unless ``wait_warm`` is off, have finished their
        background warm-up (catalogue, kernels, matrices), so the tests' first plans are not slowed by it."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        text = text[self._log_start:]
        if text.count("touroute worker ") < self.workers:
            return False
        warming = self.wait_warm and self.env.get("TOUROUTE_WARMUP", os.environ.get("TOUROUTE_WARMUP", "1")) \
            not in ("0", "false", "no", "off")
        # the warm-up runs in a background thread of each worker: "done" (or "failed") is logged once per worker
        return not warming or text.count("touroute web warm-up done") + text.count("warm-up failed") >= self.workers

    def kill(self) -> None:
        """SIGKILL the whole server (master + workers) — a crash, nothing is flushed or closed."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the group), SIGKILL after 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
