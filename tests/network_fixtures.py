"""Fixtures shared by tests/test_network.py and tests/test_matrix.py (imported by both).

The Huế network is built once per session into a temporary ``TOUROUTE_DATA_DIR``. A session fixture imported into
two modules runs once per module, so both point at the same folder: the second "build" is a cache hit (which is
itself worth exercising). Inputs are read from ``../shared`` beside the project root; tests skip with a reason when
it is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
HUE_PBF = SHARED / "data" / "osm" / "hue.osm.pbf"
DANANG_XML = SHARED / "data" / "osm" / "danang_haichau.osm.bz2"
POI_CSV = SHARED / "data" / "poi-sources" / "osm_hot_poi_central_vietnam.csv"

# Real coordinates (brief / Wikipedia): the Ngọ Môn gate of the Imperial City and Thiên Mụ Pagoda.
IMPERIAL_CITY = (16.4672, 107.5789)
THIEN_MU = (16.4533, 107.5447)


def require(path: Path) -> Path:
    """Return ``path`` or skip the test, saying which shared input is missing."""
    if not path.exists():
        pytest.skip(f"{path} not present: shared OSM inputs live in ../shared beside the project root")
    return path


@pytest.fixture(scope="session")
def touroute_data_dir(tmp_path_factory: pytest.TempPathFactory):
    """One temporary TOUROUTE_DATA_DIR for the whole session (never the user's cache)."""
    root = tmp_path_factory.getbasetemp() / "touroute-data"
    root.mkdir(parents=True, exist_ok=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("TOUROUTE_DATA_DIR", str(root))
    yield root
    mp.undo()


@pytest.fixture(scope="session")
def hue_net(touroute_data_dir: Path):
    from touroute.network import build_network

    return build_network(require(HUE_PBF))


@pytest.fixture(scope="session")
def danang_net(touroute_data_dir: Path):
    from touroute.network import build_network

    return build_network(require(DANANG_XML))


def cli():
    """The real ``touroute`` CLI; a bare group with only our commands if the rest of the CLI cannot be imported."""
    try:
        from touroute.cli import main

        return main
    except ImportError:  # pragma: no cover - other modules of the package still being written
        import click

        from touroute.cli.network import register

        group = click.Group("touroute")
        register(group)
        return group
