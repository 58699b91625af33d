"""Locate data files bundled with touroute.

In a source checkout the catalogue lives in ``data/poi`` at the repository root (reviewed there by humans);
in an installed wheel the same files are packaged under ``touroute/_data``. Looking in both places means
`pip install .` and an editable/development checkout behave the same.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

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


VENDOR_PACKAGES = {"leaflet": "xstatic.pkg.leaflet", "jquery": "xstatic.pkg.jquery",
                   "font_awesome": "xstatic.pkg.font_awesome"}
"""Front-end assets installed from PyPI (xstatic packages), served without a CDN."""


def vendor_dir(pkg: str) -> str:
    """The folder of an xstatic package's files (Leaflet, jQuery, Font Awesome), installed from PyPI."""
    from importlib import import_module

    return import_module(VENDOR_PACKAGES[pkg]).BASE_DIR


def load_yaml(text: str) -> Any:
    """YAML as safe_load reads it, except that dates stay text: PyYAML builds ``date`` objects itself and fails on
    an impossible one (``2027-02-30``) with a bare ValueError and no line, where the typed models that read the
    result (package specs, road scenarios) name the field and say what is wrong."""
    import yaml

    return yaml.load(text, Loader=_text_dates_loader())


@lru_cache(maxsize=1)
def _text_dates_loader() -> Any:
    """SafeLoader without its timestamp resolver, built once (every spec, scenario and web request parses YAML)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return _Loader


def read_yaml_or_json(path: str | Path, error: type[Exception]) -> Any:
    """The data of a ``.json`` file, or of any other as YAML (package specs, road scenarios), raising ``error``
    with a message that names the file — what a user sees when a hand-edited file is broken."""
    import json

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path.name}: cannot read ({exc})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(f"{path.name}: not valid JSON ({exc})") from None
    import yaml

    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise error(f"{path.name}:{where} not valid YAML ({first})") from None
