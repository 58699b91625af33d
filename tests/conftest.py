"""Shared test fixtures.

`../shared` (beside the project root) holds real OSM extracts and source data; tests that need it skip with a
clear reason when it is absent, as the developers' guide asks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests draw the same examples on every run (derandomize) and keep no example database between runs: a
# random draw once let an "impossible" request through on one machine and not on another (a 6,000-seat venue drawn
# for a 5,000-person group), which is a flaky test, not a finding. To explore new examples on purpose, run with
# `--hypothesis-profile explore`.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, database=None, print_blob=True)
hypothesis_settings.load_profile("deterministic")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """Path into ../shared, skipping the calling test when the file is not there."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} not present (shared inputs live beside the project root)")
    return p


@pytest.fixture(scope="session")
def catalogue():
    from touroute.pois import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="session")
def ctx(tmp_path_factory):
    """The offline planning context every planner, web and package test shares: no road network loaded, every leg
    estimated (the pipeline must work like this). One per test session, so its matrices are computed once — the
    context is read-only to tests (each web app gets its own database)."""
    from touroute.matrix import TravelTimes
    from touroute.planner import PlanningContext

    return PlanningContext(router=TravelTimes([]), data_dir=str(tmp_path_factory.mktemp("data")))
