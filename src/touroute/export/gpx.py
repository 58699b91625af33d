"""GPX export (gpxpy): one track per day along the road geometry, a waypoint per stop and per night."""

from __future__ import annotations

from datetime import timedelta, timezone

import gpxpy.gpx

from ..itinerary import Itinerary
from ._common import attribution, fee_text, labels, lang_of, name_of

_VN = timezone(timedelta(hours=7))


def render(it: Itinerary, lang: str = "vi") -> str:
    """GPX 1.1 XML text: tracks "Ngày 1 …"/"Day 1 …" (one segment per leg) and waypoints."""
    lang = lang_of(lang)
    t = labels(lang)
    g = gpxpy.gpx.GPX()
    g.creator = "touroute"
    g.name = f"touroute — {t['trip']}"
    g.description = attribution(lang)
    g.copyright_author = "OpenStreetMap contributors"
    g.copyright_license = "https://opendatacommons.org/licenses/odbl/1-0/"
    for day in it.days:
        trk = gpxpy.gpx.GPXTrack(name=f"{t['day']} {day.day} — {day.date:%d/%m/%Y}: {name_of(day.start, lang)} → "
                                      f"{name_of(day.end, lang)}")
        trk.number = day.day
        est = sum(1 for leg in day.legs if leg.source == "estimate")
        trk.description = (f"{day.metres / 1000:.0f} km; {t['drive']} {day.driving_seconds / 3600:.1f} h"
                           + (f"; {est} × {t['estimated']}" if est else ""))
        for leg in day.legs:
            seg = gpxpy.gpx.GPXTrackSegment()
            for lat, lon in leg.geometry:
                seg.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon))
            if seg.points:
                seg.points[0].time = leg.depart.replace(tzinfo=_VN)
                seg.points[-1].time = leg.arrive.replace(tzinfo=_VN)
                trk.segments.append(seg)
        g.tracks.append(trk)
        for k, s in enumerate(day.stops, 1):
            wp = gpxpy.gpx.GPXWaypoint(s.lat, s.lon, name=f"{day.day}.{k} {name_of(s, lang)}",
                                       time=s.start.replace(tzinfo=_VN))
            wp.description = (f"{t['day']} {day.day} {s.start:%H:%M}–{s.departure:%H:%M}; "
                              f"{t['fee']}: {fee_text(s, lang)}; {t['province']}: {s.province_legacy}")
            wp.type = s.category
            wp.symbol = "Scenic Area"
            g.waypoints.append(wp)
        if day.lodging is not None:
            wp = gpxpy.gpx.GPXWaypoint(day.lodging.lat, day.lodging.lon,
                                       name=f"{t['night']} {name_of(day.lodging, lang)}")
            wp.type = "lodging"
            wp.symbol = "Lodging"
            g.waypoints.append(wp)
    return g.to_xml(version="1.1")
