"""GeoJSON export: one LineString per leg (day, source osm/estimate) and one Point per stop and night.

Coordinates are GeoJSON order (lon, lat). The FeatureCollection carries the OSM attribution (ODbL) as a
foreign member, as GeoJSON allows.
"""

from __future__ import annotations

import json

from ..itinerary import Itinerary
from ._common import (CATEGORY_LABELS, access_text, attribution, evening_note, fee_text, hours_text, labels, lang_of,
                      name_of)


def to_geojson(it: Itinerary, lang: str = "vi") -> dict:
    """The itinerary as a GeoJSON FeatureCollection (a dict)."""
    lang = lang_of(lang)
    t = labels(lang)
    feats: list[dict] = []
    for day in it.days:
        for k, leg in enumerate(day.legs):
            coords = [[round(lon, 6), round(lat, 6)] for lat, lon in leg.geometry] or []
            if len(coords) < 2:
                continue
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                          "properties": {"kind": "leg", "day": day.day, "index": k + 1, "from": leg.from_id,
                                         "to": leg.to_id, "depart": leg.depart.isoformat(),
                                         "arrive": leg.arrive.isoformat(), "minutes": round(leg.seconds / 60, 1),
                                         "km": round(leg.metres / 1000, 2), "source": leg.source,
                                         "estimated": leg.source == "estimate", "ferry": leg.ferry,
                                         "label": t["osm"] if leg.source == "osm" else t["estimated"]}})
        for k, s in enumerate(day.stops):
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                          "properties": {"kind": "stop", "day": day.day, "order": k + 1, "id": s.place_id,
                                         "name": name_of(s, lang), "name_vi": s.name_vi, "name_en": s.name_en,
                                         "category": s.category,
                                         "category_label": CATEGORY_LABELS[lang].get(s.category, s.category),
                                         "province": s.province_legacy, "province_2025": s.province,
                                         "arrival": s.arrival.isoformat(), "start": s.start.isoformat(),
                                         "departure": s.departure.isoformat(), "fee_vnd": s.fee_vnd,
                                         "fee_as_of": s.fee_as_of, "fee": fee_text(s, lang),
                                         "opening_hours": s.opening_hours, "hours": hours_text(s, lang),
                                         "stale": s.stale, "seats_unknown": s.seats_unknown,
                                         "access": s.access.model_dump(mode="json") if s.access else None,
                                         "access_text": access_text(s, lang),
                                         "source": s.source, "locked": s.locked}})
        ev = day.evening
        if ev is not None:
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [ev.lon, ev.lat]},
                          "properties": {"kind": "evening", "day": day.day, "id": ev.place_id,
                                         "name": name_of(ev, lang), "name_vi": ev.name_vi, "name_en": ev.name_en,
                                         "category": ev.category, "show": ev.kind == "show",
                                         "start": ev.start.isoformat(), "end": ev.end.isoformat(),
                                         "from": ev.from_id, "minutes_from_hub": round(ev.travel_seconds / 60, 1),
                                         "opening_hours": ev.opening_hours, "hours_as_of": ev.hours_as_of,
                                         "fee_vnd": ev.fee_vnd, "source": ev.source, "optional": True,
                                         "label": f"{t['evening']}: {name_of(ev, lang)}",
                                         "note": evening_note(ev, lang)}})
        if day.lodging is not None:
            lo = day.lodging
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lo.lon, lo.lat]},
                          "properties": {"kind": "lodging", "night": day.day, "id": lo.place_id,
                                         "name": name_of(lo, lang), "name_vi": lo.name_vi, "name_en": lo.name_en,
                                         "label": f"{t['night']} {name_of(lo, lang)}"}})
    return {"type": "FeatureCollection", "features": feats, "attribution": attribution(lang),
            "license": "ODbL-1.0 (map data)", "feasible": it.feasible}


def render(it: Itinerary, lang: str = "vi") -> str:
    return json.dumps(to_geojson(it, lang), ensure_ascii=False, indent=1)
