"""touroute.messages: the one vi/en message catalogue every user-facing layer reads."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from touroute import messages

ROOT = Path(__file__).resolve().parents[1]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("section", sorted(messages.SECTIONS))
def test_both_languages_have_the_same_keys_and_placeholders(section):
    vi, en = messages.SECTIONS[section]["vi"], messages.SECTIONS[section]["en"]
    assert set(vi) == set(en), set(vi) ^ set(en)
    for key in vi:
        if isinstance(vi[key], str):
            assert _fields(vi[key]) == _fields(en[key]), key
        elif isinstance(vi[key], list):  # ordered names (weekdays)
            assert len(vi[key]) == len(en[key]), key
        else:  # nested tables (vehicle names) have the same keys
            assert set(vi[key]) == set(en[key]), key


def test_vietnamese_is_vietnamese():
    """A key left untranslated shows English on the Vietnamese page; a handful of words are the same in both
    (brand names, units), nothing more."""
    for section, langs in messages.SECTIONS.items():
        same = [k for k, v in langs["vi"].items() if isinstance(v, str) and v == langs["en"][k] and re.search(r"[a-z]{4}", v)]
        assert len(same) <= 12, (section, same)


def test_every_layer_reads_the_one_catalogue():
    """The web app, the exports and the brochure take their words from touroute.messages — no second dict of
    vi/en texts in a module."""
    from touroute.packages import brochure
    from touroute.export import _common
    from touroute.web import i18n

    assert i18n.TEXT is messages.WEB and _common.LABELS is messages.EXPORT and brochure._B is messages.BROCHURE
    assert _common.CATEGORY_LABELS is messages.CATEGORIES
    pattern = re.compile(r'^\s*[A-Z_]+\s*(?::[^=]+)?=\s*\{\s*$\n\s*"(?:vi|en)":\s*\{', re.M)
    owners = [p.relative_to(ROOT).as_posix() for p in (ROOT / "src" / "touroute").rglob("*.py")
              if pattern.search(p.read_text(encoding="utf-8"))]
    assert owners == ["src/touroute/messages.py"], owners
