"""Locate data files bundled with touroute.

In a source checkout the catalogue lives in ``data/poi`` at the repository root (reviewed there by humans);
in an installed wheel the same files are packaged under ``touroute/_data``. Looking in both places means
`pip install .` and an editable/development checkout behave the same.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent.parent


def data_dir(*parts: str) -> Path:
    """Return ``data/<parts>`` from the source tree if present, else from the installed package."""
    for base in (_REPO / "data", _PKG / "_data"):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"bundled data not found: data/{'/'.join(parts)} (looked in {_REPO / 'data'} and {_PKG / '_data'})")


def web_dir() -> Path:
    """Return the folder holding the web app's templates and static files."""
    for candidate in (_REPO / "web", _PKG / "_web"):
        if (candidate / "templates").exists():
            return candidate
    raise FileNotFoundError("web templates not found")
