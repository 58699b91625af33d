"""iCalendar export (icalendar): one event per visit, with place, coordinates and description, in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vGeo

from ..itinerary import Itinerary
from ._common import TIMEZONE, attribution, evening_note, fee_text, labels, lang_of, name_of

_TZ = ZoneInfo(TIMEZONE)


def render(it: Itinerary, lang: str = "vi", *, stamp: datetime | None = None) -> bytes:
    """The .ics bytes. Event UIDs are stable for the same plan (hash of the request, day and place)."""
    lang = lang_of(lang)
    t = labels(lang)
    cal = Calendar()
    cal.add("prodid", "-//touroute//tourism route planner//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"touroute — {t['trip']}")
    cal.add("x-wr-timezone", TIMEZONE)
    try:  # a VTIMEZONE block, so every calendar client shows the right local time
        cal.add_missing_timezones()
    except AttributeError:  # older icalendar
        pass
    base = hashlib.sha256(repr(sorted(it.request.items())).encode()).hexdigest()[:12]
    stamp = stamp or datetime.now(timezone.utc)
    for day in it.days:
        for k, s in enumerate(day.stops, 1):
            ev = Event()
            ev.add("uid", f"{base}-d{day.day}-{k}-{s.place_id}@touroute")
            ev.add("dtstamp", stamp)
            ev.add("summary", f"{t['visit']}: {name_of(s, lang)}")
            ev.add("dtstart", s.start.replace(tzinfo=_TZ))
            ev.add("dtend", s.departure.replace(tzinfo=_TZ))
            ev.add("location", f"{name_of(s, lang)}, {s.province_legacy}, Việt Nam")
            ev.add("geo", vGeo((s.lat, s.lon)))
            hours = s.opening_hours or t["hours_unknown"]
            lines = [f"{t['day']} {day.day} — {t['stop']} {k}", f"{t['arrival']}: {s.arrival:%H:%M}",
                     f"{t['fee']}: {fee_text(s, lang)}", f"{t['hours']}: {hours}",
                     f"{t['province']}: {s.province_legacy} ({s.province})"]
            if s.source:
                lines.append(f"{t['source']}: {s.source}")
            lines.append(attribution(lang))
            ev.add("description", "\n".join(lines))
            ev.add("categories", [s.category])
            cal.add_component(ev)
        even = day.evening
        if even is not None:
            ev = Event()
            ev.add("uid", f"{base}-d{day.day}-evening-{even.place_id}@touroute")
            ev.add("dtstamp", stamp)
            ev.add("summary", f"{t['evening']}: {name_of(even, lang)}")
            ev.add("dtstart", even.start.replace(tzinfo=_TZ))
            ev.add("dtend", even.end.replace(tzinfo=_TZ))
            ev.add("location", f"{name_of(even, lang)}, {even.province_legacy}, Việt Nam")
            ev.add("geo", vGeo((even.lat, even.lon)))
            ev.add("transp", "TRANSPARENT")  # optional: does not block the calendar
            lines = [f"{t['day']} {day.day} — {t['evening']}", evening_note(even, lang),
                     f"{t['hours']}: {even.opening_hours or t['hours_unknown']}"]
            if even.source:
                lines.append(f"{t['source']}: {even.source}")
            lines.append(attribution(lang))
            ev.add("description", "\n".join(lines))
            ev.add("categories", [even.category, "evening"])
            cal.add_component(ev)
    if not cal.walk("VTIMEZONE"):
        try:
            cal.add_missing_timezones()
        except AttributeError:
            pass
    return cal.to_ical()
