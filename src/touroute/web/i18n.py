"""The web app's language: ``t(key)`` in Python and templates, over the one message catalogue
(:mod:`touroute.messages`, section ``WEB``).

The language comes from ``?lang=vi|en`` (remembered in the session cookie), default Vietnamese.
"""

from __future__ import annotations

from flask import g, request, session

from .. import messages
from ..messages import DEFAULT_LANG, LANGS  # noqa: F401 — the app's languages are the catalogue's

TEXT: dict[str, dict[str, str]] = messages.WEB


def get_lang() -> str:
    """The current request's language: ?lang=, else the session, else Vietnamese."""
    try:
        if "lang" in g:
            return g.lang
    except RuntimeError:  # outside an app context
        return DEFAULT_LANG
    lang = request.args.get("lang")
    if lang in LANGS:
        session["lang"] = lang
    else:
        lang = session.get("lang") if session.get("lang") in LANGS else DEFAULT_LANG
    g.lang = lang
    return lang


def t(key: str, lang: str | None = None, **fmt: object) -> str:
    """The text of ``key`` in ``lang`` (default: the request's language); the key itself if unknown."""
    return messages.text(key, lang or get_lang(), **fmt)
