"""The package's layout is the pipeline (issue 14, item 2): every module belongs to a layer, and no import — at module
level or inside a function — runs up the layers; modules over ~500 lines say at their top why they are that long."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "touroute"

# bottom → top; a module may import its own layer and the layers below it
LAYERS: list[set[str]] = [
    {"errors", "geo", "messages", "resources", "attractiveness"},   # plain data and helpers
    {"settings", "provinces", "solve"},                             # configuration, provinces, the optimisation core
    {"pois"},                                                       # the catalogue
    {"network", "bench", "quality"},                                # roads; benchmark files; catalogue quality
    {"itinerary", "matrix", "model"},                               # travel times, the request, the result
    {"evenings", "islands"},                                        # planner parts
    {"planner"},
    {"analytics", "packages", "render", "export"},                  # uses of plans
    {"web"},
    {"cli", "__main__", "__init__"},                                # shells and the public namespace
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _unit(path: Path) -> str:
    """The layer unit of a file: its top-level module or package under touroute/."""
    rel = path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """Units of touroute that a file imports, anywhere in it (function-level imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg_parts = list(path.relative_to(PKG).parent.parts)
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[:len(pkg_parts) - (node.level - 1)] if node.level > 1 else pkg_parts
                target = [*base, *(node.module.split(".") if node.module else [])]
                if not target:  # from . import x (at the package root): x is the unit
                    out |= {a.name for a in node.names}
                else:
                    out.add(target[0])
            elif node.module and node.module.split(".")[0] == "touroute":
                parts = node.module.split(".")
                out |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "touroute" and len(parts) > 1:
                    out.add(parts[1])
    return out


FILES = sorted(PKG.rglob("*.py"))


def test_every_module_has_a_layer():
    assert {_unit(p) for p in FILES} <= set(LAYER), {_unit(p) for p in FILES} - set(LAYER)


def test_no_import_runs_up_the_layers():
    bad = []
    for path in FILES:
        me = _unit(path)
        for other in _imports(path) - {me}:
            if other in LAYER and LAYER[other] > LAYER[me]:
                bad.append(f"{path.relative_to(PKG)} imports {other} (layer {LAYER[other]} > {LAYER[me]})")
    assert not bad, "\n".join(bad)
@pytest.mark.parametrize("path", [p for p in FILES if sum(1 for _ in p.open(encoding="utf-8")) > 500],
                         ids=lambda p: str(p.relative_to(PKG)))
def test_long_modules_say_why(path):
    """A module over 500 lines carries "Why this module is long:" in its docstring, or it should be split."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert "Why this module is long:" in doc, f"{path.relative_to(PKG)}: split it or say why it is long"
