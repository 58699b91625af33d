"""The planning context: catalogue, travel matrices and caches, reused between plans."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import TourouteException
from ..matrix import TravelMatrix, TravelTimes, catalogue_matrix
from ..pois import Catalogue, default_catalogue


class PlanningError(TourouteException):
    """The request refers to something that does not exist (unknown place id, hub that is not a hub …)."""


@dataclass
class PlanningContext:
    """What planning needs, loaded once per process: the catalogue, the road networks and cached matrices.

    The web app keeps one context for its lifetime; the CLI builds one per run.
    """

    catalogue: Catalogue = field(default_factory=default_catalogue)
    router: TravelTimes | None = None
    data_dir: str | None = None
    _matrices: dict[str, TravelMatrix] = field(default_factory=dict, repr=False)
    # one lock per profile: a plan request that arrives while the web app's start-up warm-up (or another request)
    # is building that profile's matrix waits for it instead of building a second copy on the same CPUs
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False, compare=False)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __repr__(self) -> str:  # the catalogue's own repr runs to hundreds of kB (logs, test reports)
        return f"PlanningContext({len(self.catalogue)} places, data_dir={self.data_dir!r})"

    def __post_init__(self) -> None:
        if self.router is None:
            self.router = TravelTimes.from_cache(data_dir=self.data_dir)

    def __getstate__(self) -> dict[str, Any]:  # pickled for package-build worker processes: locks stay behind
        state = dict(self.__dict__)
        state["_locks"] = {}
        state.pop("_locks_guard", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._locks_guard = threading.Lock()

    def matrix(self, profile: str) -> TravelMatrix:
        """The whole-catalogue matrix of ``profile`` (disk-cached, then kept in memory). Thread-safe: concurrent
        callers of one profile wait for a single build."""
        m = self._matrices.get(profile)
        if m is not None:
            return m
        with self._locks_guard:
            lock = self._locks.setdefault(profile, threading.Lock())
        with lock:
            if profile not in self._matrices:
                self._matrices[profile] = catalogue_matrix(profile, router=self.router, catalogue=self.catalogue,
                                                           data_dir=self.data_dir)
        return self._matrices[profile]

    def has_matrix(self, profile: str) -> bool:
        """Whether ``profile``'s matrix is already in memory (the web app's warm-up status)."""
        return profile in self._matrices
