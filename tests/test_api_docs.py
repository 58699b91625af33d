"""docs/api.md's examples run as written (issue 14: a documented public API whose examples CI runs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import touroute as tr

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_public_names_resolve_and_are_listed():
    for name in tr.__all__:
        assert getattr(tr, name) is not None, name
    assert "Planner" in dir(tr) and "cli" not in tr.__all__
    with pytest.raises(AttributeError):
        tr.no_such_thing  # noqa: B018
    for name in ("DataError", "PlanningError", "MatrixError", "NetworkError"):
        assert issubclass(getattr(tr, name), tr.TourouteException), name


def test_the_examples_of_docs_api_md_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path))  # offline: no stored networks, every leg estimated
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 4
    scope: dict = {}
    for code in blocks:
        exec(compile(code, str(DOC), "exec"), scope)  # noqa: S102 — our own documentation
    out = capsys.readouterr().out
    assert "Huế Imperial City" in out or "Imperial City" in out
    assert "start" in out and "no place" in out  # the PlanningError example names the field
