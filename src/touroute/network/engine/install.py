"""Installing OSRM in its own environment (a Python ≥ 3.12 venv: ``osrm-bindings`` ships OSRM's programs only
as wheels for 3.12+), or finding an OSRM the user installed (``TOUROUTE_OSRM_BIN``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ...settings import setting
from ..errors import EngineError
from ..store import data_root

OSRM_REQUIREMENT = "osrm-bindings>=26.1,<27"
"""The PyPI package that ships OSRM's programs (wheels for CPython ≥ 3.12, Linux x86-64/aarch64, macOS)."""
OSRM_PROGRAMS = ("osrm-extract", "osrm-partition", "osrm-customize", "osrm-routed")


def engine_root(data_dir: str | Path | None = None) -> Path:
    return data_root(data_dir) / "engine"


def _python_version(exe: str | Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run([str(exe), "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def find_engine_python(explicit: str | Path | None = None) -> Path:
    """A Python ≥ 3.12 to build the engine's environment with: ``explicit``, ``$TOUROUTE_ENGINE_PYTHON``, the
    running interpreter when it is new enough, ``python3.13``/``python3.12`` on PATH, then pyenv's versions."""
    chosen = explicit or setting("TOUROUTE_ENGINE_PYTHON")
    if chosen is not None:
        v = _python_version(chosen)
        if v is None or v < (3, 12):
            raise EngineError(f"{chosen} is not a Python ≥ 3.12 (found {v}); osrm-bindings needs 3.12 or newer")
        return Path(chosen)
    candidates: list[str | Path] = []
    if sys.version_info >= (3, 12):
        candidates.append(sys.executable)
    candidates += [p for n in ("python3.13", "python3.12") if (p := shutil.which(n))]
    pyenv = Path.home() / ".pyenv" / "versions"  # pyenv's default root
    if pyenv.is_dir():
        candidates += sorted((d / "bin" / "python" for d in pyenv.iterdir() if re.match(r"3\.1[2-9]", d.name)),
                             reverse=True)
    for c in candidates:
        v = _python_version(c)
        if v is not None and v >= (3, 12):
            return Path(c)
    raise EngineError("no Python ≥ 3.12 found for the OSRM engine (its wheels need 3.12+): install one "
                      "(e.g. `pyenv install 3.12`) and set TOUROUTE_ENGINE_PYTHON to it, or set TOUROUTE_OSRM_BIN "
                      "to a folder with OSRM's programs")


def _venv_dir(data_dir: str | Path | None) -> Path:
    return engine_root(data_dir) / "venv"


def install_engine(data_dir: str | Path | None = None, *, python: str | Path | None = None,
                   progress: Callable[[str], None] | None = None) -> Path:
    """Create the engine's environment and install ``osrm-bindings`` into it; the folder of OSRM's programs."""
    say = progress or (lambda _m: None)
    py = find_engine_python(python)
    venv = _venv_dir(data_dir)
    say(f"Creating the engine environment {venv} with {py}")
    venv.parent.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([str(py), "-m", "venv", str(venv)], capture_output=True, text=True)
    if run.returncode != 0:
        raise EngineError(f"could not create {venv}: {run.stderr.strip()[-400:]}")
    say(f"Installing {OSRM_REQUIREMENT} (OSRM's programs, ≈ 20 MB)")
    run = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", OSRM_REQUIREMENT],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise EngineError(f"pip could not install {OSRM_REQUIREMENT}: {run.stderr.strip()[-600:]}")
    return engine_bin(data_dir)


def engine_bin(data_dir: str | Path | None = None, *, required: bool = True) -> Path | None:
    """The folder of OSRM's programs: ``$TOUROUTE_OSRM_BIN``, else the installed engine environment."""
    explicit = setting("TOUROUTE_OSRM_BIN")
    if explicit is not None:
        missing = [p for p in OSRM_PROGRAMS if not (explicit / p).exists()]
        if missing:
            raise EngineError(f"TOUROUTE_OSRM_BIN={explicit}: {', '.join(missing)} not found there")
        return explicit
    venv = _venv_dir(data_dir)
    for site in sorted(venv.glob("lib/python3.*/site-packages/osrm/bin")):
        if all((site / p).exists() for p in OSRM_PROGRAMS):
            return site
    if required:
        raise EngineError(f"the OSRM engine is not installed under {venv.parent}: run `touroute engine install` "
                          "(needs a Python ≥ 3.12), or set TOUROUTE_OSRM_BIN to a folder with OSRM's programs")
    return None


def _osrm_profiles_dir(bin_dir: Path) -> Path:
    """OSRM's own Lua profiles (our profiles build on its car profile's tag handling)."""
    for cand in (bin_dir.parent / "share" / "profiles", bin_dir.parent / "share" / "osrm" / "profiles",
                 bin_dir.parent / "profiles"):
        if (cand / "car.lua").exists():
            return cand
    raise EngineError(f"OSRM's profiles (car.lua) not found beside {bin_dir}")


# Vehicle profiles as OSRM Lua
