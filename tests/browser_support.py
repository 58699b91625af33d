"""Headless Chromium for the browser tests: where it is, how it is started, and the guard that keeps a page from
leaving the machine. One definition for ``tests/web/test_web_browser.py``, ``tests/web/test_web_mobile.py`` and
``tests/render/test_basemap.py`` (they had three copies of the launch and four of the guard)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
"""Debian's chromium (``.ci/apt-packages.txt``); Playwright drives it — never ``playwright install``."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
LOCAL_SCHEMES = ("data:", "blob:", "about:")

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
    reason=f"{CHROMIUM} not installed (apt-get install chromium, see .ci/apt-packages.txt)")


def launch(playwright):
    """Chromium started the way every browser test starts it (headless, no network side traffic)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def guard_external(context, *, hosts: Iterable[str] = LOCAL_HOSTS,
                   schemes: tuple[str, ...] = LOCAL_SCHEMES) -> list[str]:
    """Abort every request of ``context`` that is not to one of ``hosts`` (or a ``schemes`` URL), and return the
    list the aborted URLs are recorded in — the test asserts on it (offline: nothing may leave the machine)."""
    allowed = frozenset(hosts)
    external: list[str] = []

    def guard(route):
        url = route.request.url
        if urlsplit(url).hostname in allowed or url.startswith(schemes):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", guard)
    return external
