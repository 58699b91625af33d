"""Readers for the published benchmark formats (see ../shared/bench/README.md) and their best-known tables.

TOPTW (Solomon / Cordeau "pr"): vertex 0 is the depot, every tour starts and ends there and its latest start is
the tour limit Tmax; travel time = Euclidean distance truncated down to 1 decimal (Solomon) or 2 decimals (pr),
as in the literature (Vansteenwegen et al. 2009), so our scores are comparable with the best-known ones.

OPHS (Divsalar et al.): vertex 0 start hotel, 1 end hotel, 2..H+1 extra hotels, then POIs; Euclidean distance
not rounded; trip d has length limit T_d; trip 1 starts at vertex 0, the last trip ends at vertex 1 and each
trip in between ends at any hotel where the next one starts.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, Problem
from ..solve.problem import OrienteeringProblem, RouteSpec


@dataclass
class ToptwInstance:
    name: str
    xy: np.ndarray
    service: np.ndarray
    score: np.ndarray
    open_: np.ndarray
    close: np.ndarray
    decimals: int

    @property
    def n_customers(self) -> int:
        return len(self.score) - 1

    @property
    def tmax(self) -> float:
        return float(self.close[0])

    def travel(self) -> np.ndarray:
        d = np.sqrt(((self.xy[:, None, :] - self.xy[None, :, :]) ** 2).sum(-1))
        f = 10.0**self.decimals
        # truncate, with a tiny guard against 12.3 being stored as 12.299999999
        return np.floor(d * f + 1e-9) / f

    def problem(self, tours: int) -> OrienteeringProblem:
        n = len(self.score)
        windows = [[(float(self.open_[i]), float(self.close[i]))] for i in range(n)]
        windows[0] = []  # the depot is never a visit
        routes = [RouteSpec((0,), (0,), 0.0, self.tmax) for _ in range(tours)]
        return OrienteeringProblem(self.travel(), self.service.copy(), self.score.copy(), windows, routes,
                                   name=f"{self.name}/m{tours}")


def _fail(path: Path, line: int | None, msg: str, value: object = None) -> DataError:
    return DataError([Problem(str(path), line, None, value, msg)], f"cannot read benchmark file {path.name}")


def read_toptw(path: str | Path) -> ToptwInstance:
    """Read a Solomon or Cordeau TOPTW file; 2 decimals for ``pr*`` files, 1 otherwise."""
    path = Path(path)
    try:
        lines = [ln for ln in path.read_text().splitlines()]
    except OSError as exc:
        raise _fail(path, None, f"unreadable: {exc}") from None
    head = lines[0].split()
    if len(head) < 3:
        raise _fail(path, 1, "first line must hold four numbers", lines[0])
    n_cust = int(head[2])
    rows = []
    for ln_no, ln in enumerate(lines[2:], start=3):
        tok = ln.split()
        if not tok:
            continue
        if len(tok) < 7:
            raise _fail(path, ln_no, "vertex line needs at least 7 fields", ln)
        rows.append((int(tok[0]), float(tok[1]), float(tok[2]), float(tok[3]), float(tok[4]), float(tok[-2]), float(tok[-1])))
    if len(rows) < n_cust + 1:
        raise _fail(path, None, f"expected {n_cust + 1} vertices, found {len(rows)}")
    rows = rows[: n_cust + 1]
    for k, r in enumerate(rows):
        if r[0] != k:
            raise _fail(path, None, f"vertex {k} has id {r[0]}")
    a = np.array(rows)
    decimals = 2 if path.name.lower().startswith("pr") else 1
    return ToptwInstance(path.stem, a[:, 1:3], a[:, 3].copy(), a[:, 4].copy(), a[:, 5].copy(), a[:, 6].copy(), decimals)


@dataclass
class OphsInstance:
    name: str
    xy: np.ndarray
    score: np.ndarray
    n_extra_hotels: int
    tmax: float
    trip_limits: list[float]

    @property
    def n_hotels(self) -> int:
        return self.n_extra_hotels + 2

    def travel(self) -> np.ndarray:
        return np.sqrt(((self.xy[:, None, :] - self.xy[None, :, :]) ** 2).sum(-1))

    def problem(self) -> OrienteeringProblem:
        n = len(self.score)
        H = self.n_hotels
        hotels = tuple(range(H))
        D = len(self.trip_limits)
        routes = []
        for d, lim in enumerate(self.trip_limits):
            starts = (0,) if d == 0 else hotels
            ends = (1,) if d == D - 1 else hotels
            routes.append(RouteSpec(starts, ends, 0.0, float(lim)))
        windows = [[] if i < H else [(0.0, math.inf)] for i in range(n)]
        return OrienteeringProblem(self.travel(), np.zeros(n), self.score.copy(), windows, routes, chained=True,
                                   name=self.name)


def read_ophs(path: str | Path) -> OphsInstance:
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise _fail(path, None, f"unreadable: {exc}") from None
    head = lines[0].split()
    if len(head) != 3:
        raise _fail(path, 1, "first line must be 'N H D'", lines[0])
    N, H, D = (int(x) for x in head)
    tmax = float(lines[1].split()[0])
    limits = [float(x) for x in lines[2].split()]
    if len(limits) != D:
        raise _fail(path, 3, f"expected {D} trip lengths", lines[2])
    pts = []
    for ln_no, ln in enumerate(lines[3:], start=4):
        s = ln.strip()
        if not s:
            continue
        if set(s) == {"-"}:  # the closing line of dashes (coordinates may be negative)
            break
        tok = s.split()
        if len(tok) != 3:
            raise _fail(path, ln_no, "expected 'x y S'", ln)
        pts.append((float(tok[0]), float(tok[1]), float(tok[2])))
    # N = number of vertices + 2 in the README's wording; the file lists start, end, H extra hotels and the POIs
    if len(pts) < H + 2:
        raise _fail(path, None, f"expected at least {H + 2} hotels, found {len(pts)} vertices")
    a = np.array(pts)
    return OphsInstance(path.stem, a[:, :2].copy(), a[:, 2].copy(), H, tmax, limits)


def load_best_known(path: str | Path) -> dict[tuple, float]:
    """best_known.csv as {(instance, tours): score} (TOPTW) or {(set, instance): score} (OPHS)."""
    out: dict[tuple, float] = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            if "tours" in row:
                out[(row["instance"], int(row["tours"]))] = float(row["best_known_score"])
            else:
                out[(row["set"], row["instance"])] = float(row["best_known_score"])
    return out
