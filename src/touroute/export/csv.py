"""CSV export: one row per visit (day, times, place, province, drive before it, fee) — opens in a spreadsheet.

UTF-8 with a byte-order mark so Excel shows Vietnamese diacritics; the last line credits OpenStreetMap.
"""

from __future__ import annotations

import csv as _csv
import io

from ..itinerary import Itinerary
from ._common import CATEGORY_LABELS, attribution, labels, lang_of, leg_before, name_of


def render(it: Itinerary, lang: str = "vi") -> str:
    lang = lang_of(lang)
    t = labels(lang)
    buf = io.StringIO()
    w = _csv.writer(buf, lineterminator="\n")
    w.writerow([t["day"], t["date"], t["stop"], t["id"], t["name"], t["category"], t["province"], t["arrival"],
                t["visit"], t["departure"], t["wait"], t["minutes"], t["drive_min"], t["drive_km"],
                t["leg_source"], t["fee"], t["hours"], t["lat"], t["lon"], t["source"]])
    for day in it.days:
        for k, s in enumerate(day.stops, 1):
            leg = leg_before(day, s.place_id)
            w.writerow([day.day, day.date.isoformat(), k, s.place_id, name_of(s, lang),
                        CATEGORY_LABELS[lang].get(s.category, s.category), s.province_legacy,
                        f"{s.arrival:%H:%M}", f"{s.start:%H:%M}", f"{s.departure:%H:%M}", round(s.wait_minutes),
                        round(s.visit_minutes), round(leg.seconds / 60) if leg else "",
                        round(leg.metres / 1000, 1) if leg else "", leg.source if leg else "",
                        "" if s.fee_vnd is None else s.fee_vnd, s.opening_hours or "", f"{s.lat:.6f}",
                        f"{s.lon:.6f}", s.source])
        ev = day.evening
        if ev is not None:
            w.writerow([day.day, day.date.isoformat(), t["evening_stop"], ev.place_id,
                        f"{t['evening']}: {name_of(ev, lang)}", CATEGORY_LABELS[lang].get(ev.category, ev.category),
                        ev.province_legacy, "", f"{ev.start:%H:%M}", f"{ev.end:%H:%M}", "",
                        round((ev.end - ev.start).total_seconds() / 60), round(ev.travel_seconds / 60),
                        round(ev.travel_metres / 1000, 1), ev.travel_source,
                        "" if ev.fee_vnd is None else ev.fee_vnd, ev.opening_hours or "", f"{ev.lat:.6f}",
                        f"{ev.lon:.6f}", ev.source])
        if day.lodging is not None:
            w.writerow([day.day, day.date.isoformat(), "", day.lodging.place_id,
                        f"{t['night']} {name_of(day.lodging, lang)}", CATEGORY_LABELS[lang]["lodging"],
                        day.lodging.province_legacy or "", f"{day.arrive:%H:%M}", "", "", "", "", "", "", "", "",
                        "", f"{day.lodging.lat:.6f}", f"{day.lodging.lon:.6f}", ""])
    w.writerow([])
    w.writerow([f"# {attribution(lang)}"])
    return "\ufeff" + buf.getvalue()
