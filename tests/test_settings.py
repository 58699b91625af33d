"""touroute.settings: one table of TOUROUTE_* variables, one parser, one precedence rule, errors that name the variable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from touroute.settings import VARIABLES, Settings, SettingsError, markdown_table, setting

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_with_an_empty_environment():
    s = Settings.from_env({})
    assert s == Settings()
    assert s.data_dir is None and s.replan_seconds == 0.8 and s.public_plans is False and s.plan_queue is None
    assert s.tiles.startswith("https://tile.openstreetmap.org/")


def test_values_are_typed_and_empty_means_unset():
    s = Settings.from_env({"TOUROUTE_DATA_DIR": "~/trips", "TOUROUTE_MAX_BODY": "4096", "TOUROUTE_PUBLIC_PLANS": "yes",
                           "TOUROUTE_TILES": "none", "TOUROUTE_PLAN_QUEUE": "0", "TOUROUTE_REPLAN_SECONDS": " ",
                           "TOUROUTE_JOB_SECONDS": "2.5"})
    assert s.data_dir == Path("~/trips").expanduser() and s.max_body == 4096 and s.public_plans is True
    assert s.tiles is None and s.plan_queue == 0 and s.replan_seconds == 0.8 and s.job_seconds == 2.5


@pytest.mark.parametrize("name, raw, expect", [
    ("TOUROUTE_MAX_BODY", "big", "expected a whole number ≥ 1024"),
    ("TOUROUTE_MAX_BODY", "2048.5", "expected a whole number"),
    ("TOUROUTE_REPLAN_SECONDS", "0", "expected a number > 0"),
    ("TOUROUTE_JOB_WORKERS", "3", "≤ 2"),
    ("TOUROUTE_PUBLIC_PLANS", "maybe", "expected 1/true/yes/on or 0/false/no/off"),
    ("TOUROUTE_OVERPASS_TIMEOUT", "soon", "expected a number > 0"),
])
def test_a_bad_value_names_the_variable(name, raw, expect):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: raw})
    assert err.value.field == name and f"{name}={raw!r}" in str(err.value) and expect in str(err.value)
    with pytest.raises(SettingsError):
        setting(name, {name: raw})


def test_every_bad_variable_is_reported_at_once():
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"TOUROUTE_MAX_BODY": "x", "TOUROUTE_SOLVER_NICE": "-1"})
    assert "TOUROUTE_MAX_BODY" in str(err.value) and "TOUROUTE_SOLVER_NICE" in str(err.value)


def test_one_setting_ignores_unrelated_bad_variables():
    env = {"TOUROUTE_MAX_BODY": "x", "TOUROUTE_DATA_DIR": "/tmp/t"}
    assert setting("TOUROUTE_DATA_DIR", env) == Path("/tmp/t")


def test_the_documented_table_is_the_code(tmp_path):
    """docs/settings.md shows exactly the generated table, and every variable the code mentions is in it."""
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert markdown_table() in doc
    out = subprocess.run([sys.executable, "-m", "touroute.settings"], capture_output=True, text=True, check=True)
    assert out.stdout == markdown_table()
    names = {v.name for v in VARIABLES}
    mentioned = set()
    for path in (ROOT / "src" / "touroute").rglob("*.py"):
        mentioned |= set(re.findall(r"TOUROUTE_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    assert mentioned <= names, mentioned - names


def test_only_the_settings_module_reads_the_environment():
    """Each variable is read in one place: no module but touroute.settings touches os.environ / os.getenv."""
    readers = [p.relative_to(ROOT).as_posix() for p in (ROOT / "src" / "touroute").rglob("*.py")
               if re.search(r"os\.environ|os\.getenv|getenv\(", p.read_text(encoding="utf-8"))]
    assert readers == ["src/touroute/settings.py"]


def test_config_wins_over_the_environment_in_the_web_app(monkeypatch, tmp_path):
    from touroute.web import create_app

    monkeypatch.setenv("TOUROUTE_MAX_PLAN_SECONDS", "12")
    monkeypatch.setenv("TOUROUTE_JOB_WORKERS", "2")
    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "k", "JOB_WORKERS": 1})
    assert app.config["MAX_PLAN_SECONDS"] == 12.0 and app.config["JOB_WORKERS"] == 1


def test_a_bad_variable_stops_serve_with_a_clear_error(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TOUROUTE_DATA_DIR": str(tmp_path),
           "TOUROUTE_PLAN_WAIT_SECONDS": "ten"}
    out = subprocess.run([sys.executable, "-m", "touroute", "serve", "--port", "0"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "TOUROUTE_PLAN_WAIT_SECONDS='ten': expected a number ≥ 0" in out.stderr and "Traceback" not in out.stderr
