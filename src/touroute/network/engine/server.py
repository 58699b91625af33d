"""Starting ``osrm-routed`` servers for a built dataset: replicas per profile, on loopback by default."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError
from ..profiles import get_profile
from .build import EngineBuild
from .install import engine_bin

MAX_TABLE_SIZE = 2000
"""Locations one /table call may carry on the servers touroute starts (OSRM's own default is 100)."""


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class RoutedProcess:
    profile: str
    url: str
    process: subprocess.Popen[bytes]


class EngineServer:
    """``osrm-routed`` processes for a built dataset: ``replicas`` per profile, on ``host`` (loopback by default).

    Use as a context manager, or call :meth:`stop`. :attr:`url_setting` is the ``TOUROUTE_OSRM_URL`` value."""

    def __init__(self, build: EngineBuild, *, profiles: Iterable[str] | None = None, replicas: int = 1,
                 host: str = "127.0.0.1", port: int = 0, data_dir: str | Path | None = None,
                 threads: int = 2, ready_timeout: float = 60.0) -> None:
        bin_dir = engine_bin(data_dir)
        assert bin_dir is not None
        self.processes: list[RoutedProcess] = []
        wanted = [get_profile(p).name for p in (profiles or build.profiles)]
        missing = [p for p in wanted if p not in build.profiles]
        if missing:
            raise EngineError(f"OSRM data '{build.name}' has no {', '.join(missing)} profile; rebuild with those")
        next_port = port
        try:
            for p in wanted:
                for _ in range(max(1, replicas)):
                    use = next_port if next_port else _free_port(host)
                    if next_port:
                        next_port += 1
                    cmd = [str(bin_dir / "osrm-routed"), "--algorithm", "mld", "--ip", host, "--port", str(use),
                           "-t", str(threads), "--max-table-size", str(MAX_TABLE_SIZE),
                           "--max-viaroute-size", "1000", str(build.profiles[p])]
                    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            start_new_session=True)
                    self.processes.append(RoutedProcess(p, f"http://{host}:{use}", proc))
            deadline = time.monotonic() + ready_timeout
            for rp in self.processes:
                while not _answers(rp.url):
                    if rp.process.poll() is not None:
                        raise EngineError(f"osrm-routed for {rp.profile} exited (code {rp.process.returncode}) "
                                          f"before answering at {rp.url}")
                    if time.monotonic() > deadline:
                        raise EngineError(f"osrm-routed for {rp.profile} did not answer at {rp.url} within "
                                          f"{ready_timeout:g} s")
                    time.sleep(0.1)
        except BaseException:
            self.stop()
            raise

    @property
    def url_setting(self) -> str:
        return " ".join(f"{rp.profile}={rp.url}" for rp in self.processes)

    def urls(self, profile: str) -> list[str]:
        return [rp.url for rp in self.processes if rp.profile == profile]

    def kill(self, url: str) -> None:
        """Kill one server at once (SIGKILL) — what a crashed machine looks like to the client."""
        for rp in self.processes:
            if rp.url == url and rp.process.poll() is None:
                rp.process.send_signal(signal.SIGKILL)
                rp.process.wait(timeout=10)

    def stop(self) -> None:
        for rp in self.processes:
            if rp.process.poll() is None:
                rp.process.terminate()
        for rp in self.processes:
            try:
                rp.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                rp.process.kill()

    def __enter__(self) -> EngineServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answers(url: str) -> bool:
    import requests

    try:
        r = requests.get(f"{url}/nearest/v1/driving/0,0", timeout=1.0)
        return r.status_code in (200, 400)
    except requests.RequestException:
        return False


# The HTTP client: load spread and fail-over
