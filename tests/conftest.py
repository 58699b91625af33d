"""Shared test fixtures.

`../shared` (beside the project root) holds real OSM extracts and source data; tests that need it skip with a
clear reason when it is absent, as the developers' guide asks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
