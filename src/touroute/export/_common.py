"""Helpers shared by the export formats: language choice, labels and attribution."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from .. import messages
from ..messages import OSM_ATTRIBUTION, dec
from ..pois import UNDATED, is_stale

TIMEZONE = "Asia/Ho_Chi_Minh"

LABELS: dict[str, dict[str, str]] = messages.EXPORT

CATEGORY_LABELS: dict[str, dict[str, str]] = messages.CATEGORIES

FORMATS = ("geojson", "gpx", "ics", "csv")


def lang_of(lang: str | None) -> str:
    return "en" if lang == "en" else "vi"


def labels(lang: str | None) -> dict[str, str]:
    return LABELS[lang_of(lang)]


def name_of(obj: Any, lang: str | None) -> str:
    """The place's name in ``lang`` (falls back to the other language)."""
    if lang_of(lang) == "en":
        return getattr(obj, "name_en", None) or getattr(obj, "name_vi", "")
    return getattr(obj, "name_vi", None) or getattr(obj, "name_en", "")


def vnd(x: float) -> str:
    return f"{x:,.0f} ₫".replace(",", ".")



def _as_of_text(t: dict[str, str], as_of: str | None, stale: bool) -> str:
    """" (as of 2023-08 — may be out of date)"; a source that shows no date says so rather than "as of undated"."""
    if not as_of:
        return ""
    when = t["undated"] if as_of == UNDATED else f"{t['as_of']} {as_of}"
    return f" ({when}" + (f" — {t['stale']}" if stale else "") + ")"


def fee_text(stop: Any, lang: str | None) -> str:
    """The fee as published (the foreign / single price, the domestic one where it differs), its date, and a stale
    flag when the date is more than 3 years old (SCHEMA.md, data truth)."""
    t = labels(lang)
    if stop.fee_vnd is None:
        return t["fee_unknown"]
    domestic = getattr(stop, "fee_domestic_vnd", None)
    dom = f" / {vnd(domestic)} {t['domestic']}" if domestic is not None and domestic != stop.fee_vnd else ""
    return f"{vnd(stop.fee_vnd)}{dom}" + _as_of_text(t, stop.fee_as_of, "fee" in (getattr(stop, "stale", None) or ()))


_VI_HOURS_WORDS = {"Mo": "T2", "Tu": "T3", "We": "T4", "Th": "T5", "Fr": "T6", "Sa": "T7", "Su": "CN",
                   "PH": "ngày lễ", "off": "nghỉ", "closed": "nghỉ", "Jan": "th1", "Feb": "th2", "Mar": "th3",
                   "Apr": "th4", "May": "th5", "Jun": "th6", "Jul": "th7", "Aug": "th8", "Sep": "th9", "Oct": "th10",
                   "Nov": "th11", "Dec": "th12"}


def hours_in(opening_hours: str, lang: str | None) -> str:
    """OSM ``opening_hours`` as a reader of ``lang`` reads it: the syntax as is in English; in Vietnamese the
    weekdays and months in Vietnamese abbreviations (T2 … CN, th1 … th12), "every day" and "24/7" in words —
    "Mo-Su 07:00-17:30" is "hằng ngày 07:00-17:30"."""
    if lang_of(lang) != "vi":
        return opening_hours
    text = opening_hours.strip()
    if text == "24/7":
        return "mở cả ngày đêm"
    text = re.sub(r"\bMo-Su\b", "hằng ngày", text)
    return re.sub(r"\b(" + "|".join(_VI_HOURS_WORDS) + r")\b", lambda m: _VI_HOURS_WORDS[m.group(1)], text)


def hours_text(stop: Any, lang: str | None) -> str:
    """Opening hours with their date and stale flag; unknown hours say so, with the window the plan assumed."""
    t = labels(lang)
    if not stop.opening_hours:
        window = getattr(stop, "hours_assumed", None)
        return t["hours_assumed"].format(window=window) if window else t["hours_unknown"]
    return hours_in(stop.opening_hours, lang) + _as_of_text(t, getattr(stop, "hours_as_of", None),
                                                            "hours" in (getattr(stop, "stale", None) or ()))


def seats_text(stop: Any, lang: str | None) -> str | None:
    """A MICE stop's seats, or the warning that they are not published; None for other stops."""
    t = labels(lang)
    if getattr(stop, "seats_unknown", False):
        return t["seats_unknown"]
    seats = getattr(stop, "seats", None)
    return f"{seats:,} {t['seats']}".replace(",", ".") if seats is not None else None


def access_text(stop: Any, lang: str | None) -> str | None:
    """How a stop reached by cable car, boat, buggy or shuttle is reached — from where, its time (already in the
    visit), its fare with its date, and when it runs; None for other stops. A traveller must know the Đảo Bé canoe
    leaves from the Lý Sơn port and the last one back is at 15:00, not only that the visit lasts 5 h 40."""
    acc = getattr(stop, "access", None)
    if acc is None:
        return None
    t = labels(lang)
    where = (getattr(acc, "from_vi", None) or acc.from_) if lang_of(lang) == "vi" else acc.from_
    parts = [t["access"].format(mode=t[f"access_{acc.mode}"], from_=where, minutes=acc.minutes)]
    if acc.fee_vnd is None:
        parts.append(t["access_fare_unknown"])
    elif acc.fee_vnd == 0:
        parts.append(t["access_fare_in"])
    else:
        parts.append(t["access_fare"].format(fee=vnd(acc.fee_vnd)) + _as_of_text(t, acc.as_of, is_stale(acc.as_of)))
    if acc.hours:
        parts.append(t["access_runs"].format(hours=hours_in(acc.hours, lang)))
    return "; ".join(parts)


def closure_text(stop: Any, lang: str | None) -> str | None:
    """A stop's published closure notice in ``lang`` (the Vietnamese one when the catalogue has it, else the
    English), None when there is none."""
    en = getattr(stop, "closure_note", None)
    if not en:
        return None
    return (getattr(stop, "closure_note_vi", None) or en) if lang_of(lang) == "vi" else en


def attribution(lang: str | None) -> str:
    return ("Dữ liệu bản đồ " if lang_of(lang) == "vi" else "Map data ") + OSM_ATTRIBUTION


def leg_before(day: Any, stop_id: str):
    """The leg arriving at ``stop_id`` on ``day`` (or None)."""
    for leg in day.legs:
        if leg.to_id == stop_id:
            return leg
    return None


MIMETYPES = {"geojson": "application/geo+json", "gpx": "application/gpx+xml", "ics": "text/calendar",
             "csv": "text/csv"}


def render_bytes(it: Any, fmt: str, lang: str | None = "vi") -> bytes:
    """Any export format as bytes (UTF-8 for the text formats); ValueError on an unknown format."""
    from importlib import import_module

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    out = import_module(f"touroute.export.{fmt}").render(it, lang_of(lang))
    return out if isinstance(out, bytes) else out.encode("utf-8")


def evening_note(ev: Any, lang: str | None) -> str:
    """The evening suggestion's note in ``lang``."""
    return ev.note_en if lang_of(lang) == "en" else ev.note_vi


def lunch_on_site(day: Any, lunch: Any) -> tuple[Any, Any] | None:
    """(start, stop) of a lunch eaten during a visit: the planner gives a day no break of its own when a visit of
    four hours or more or a boat day trip spans the lunch window (``planner.value.MEAL_ON_SITE_MIN``), so the
    programme says where lunch is (Hội An Ancient Town 11:59–16:09 → lunch there from 11:59). ``lunch`` is the
    request's ``LunchBreak`` (None: no lunch asked for). None when the day has its own break or no visit spans it."""
    if lunch is None or (day.lunch_start and day.lunch_minutes):
        return None
    minutes = timedelta(minutes=lunch.minutes)
    earliest = datetime.combine(day.date, lunch.earliest)
    latest_end = datetime.combine(day.date, lunch.latest_end)
    for s in day.stops:
        start = max(s.start, earliest)
        if start + minutes <= min(s.departure, latest_end):
            return start, s
    return None


HIDDEN_EXCLUSIONS = ("low_score", "not_in_filter", "included", "evening")
"""Reasons the short "left out" lists skip: the full list (JSON, the API) keeps them."""
TOO_FAR_ONE_BY_ONE = 3
"""Up to this many places too far for the trip are listed one by one; more are one line, counted by province."""


def left_out_lines(it: Any, lang: str, limit: int) -> list[str]:
    """The "left out" list a reader of the programme needs, as the terminal and the web page show it: the headline
    sites left out (with what keeping them would have cost), then every place left out for a reason of its own
    (closed, capacity, boats, excluded …) one by one, up to ``limit``; the places
    too far for any day of the trip in one line counted by province — a trip in the centre would otherwise list
    seventy places of Hồ Chí Minh City and Quảng Bình one by one, hiding the reasons that matter."""
    # a headline site left out is news to the reader whatever its reason ("would have meant dropping …"); it comes
    # first, then every other place with a reason of its own
    from ..planner.model import AROUND_START_REACH_S  # the summary line names the stay's reach

    shown = ([e for e in it.excluded if getattr(e, "headline", False) and e.reason == "low_score"]
             + [e for e in it.excluded if e.reason not in HIDDEN_EXCLUSIONS])
    own = [e for e in shown if e.reason not in ("too_far", "outside_stay")]
    vi = lang == "vi"
    lines = [e.message_vi if vi else e.message_en for e in own[:limit]]
    for reason in ("outside_stay", "too_far"):
        far = [e for e in shown if e.reason == reason]
        if len(far) <= TOO_FAR_ONE_BY_ONE:
            lines += [e.message_vi if vi else e.message_en for e in far][: max(0, limit - len(lines))]
            continue
        counts: dict[str, int] = {}
        for e in far:
            key = e.province_legacy or "?"
            counts[key] = counts.get(key, 0) + 1
        parts = ", ".join(f"{p} {n}" for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(messages.EXPORT["vi" if vi else "en"][f"{reason}_summary"].format(
            n=len(far), provinces=parts,
            hours=dec(getattr(it, "stay_reach_hours", None) or AROUND_START_REACH_S / 3600, None,
                      "vi" if vi else "en")))
    return lines

