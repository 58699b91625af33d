"""Plain-text itinerary for the terminal, in Vietnamese or English."""

from __future__ import annotations

from ..itinerary import Itinerary
from ..model import LunchBreak
from ._common import fee_text, hours_text, labels, left_out_lines, lunch_on_site, seats_text

_T = {
    "en": {"day": "Day", "drive": "drive", "lunch": "lunch", "night": "Night at", "visit": "visit",
           "wait": "wait", "total": "Total", "stops": "stops", "km": "km", "driving": "driving",
           "per_person": "cost per person", "infeasible": "No plan fits this request:", "left_out": "Left out",
           "estimated": "estimated", "warnings": "Notes", "fee": "fee", "unknown_fee": "fee unknown",
           "arrive": "arrive", "provinces": "Visit time per province",
           "weights": "Theme weights used", "scheme": "province names read as",
           "evening": "Evening (optional)", "show": "show", "min_from": "min from", "at": "at"},
    "vi": {"day": "Ngày", "drive": "di chuyển", "lunch": "ăn trưa", "night": "Nghỉ đêm tại", "visit": "tham quan",
           "wait": "chờ", "total": "Tổng", "stops": "điểm", "km": "km", "driving": "lái xe",
           "per_person": "chi phí mỗi khách", "infeasible": "Không có lịch trình đáp ứng yêu cầu:",
           "left_out": "Không đưa vào", "estimated": "ước tính", "warnings": "Ghi chú", "fee": "vé",
           "unknown_fee": "chưa rõ giá vé", "arrive": "đến", "provinces": "Thời gian tham quan theo tỉnh",
           "weights": "Trọng số chủ đề đã dùng", "scheme": "tên tỉnh hiểu theo",
           "evening": "Buổi tối (tự chọn)", "show": "biểu diễn", "min_from": "phút từ", "at": "tại"},
}


def _vnd(x: float) -> str:
    return f"{x:,.0f} ₫".replace(",", ".")


def used_weights_line(it: Itinerary, t: dict[str, str]) -> str:
    """What the request was read as — the theme weights after the theme rule and the province scheme — so a user
    who named some themes sees that the others weighed 0 (docs/planner.md, "Themes and categories")."""
    themes = it.request.get("themes") or {}
    if not themes:
        return ""
    weights = ", ".join(f"{k} {v:g}" for k, v in themes.items())
    scheme = it.request.get("province_scheme")
    return f"{t['weights']}: {weights}" + (f" ({t['scheme']} {scheme})" if scheme else "")


def _lunch(it: Itinerary) -> LunchBreak | None:
    """The request's lunch (None: no lunch asked for, no request recorded, or one that no longer reads)."""
    if not it.request or it.request.get("lunch", {}) is None:
        return None
    try:
        return LunchBreak.model_validate(it.request.get("lunch", {}))
    except ValueError:
        return None


def render(it: Itinerary, lang: str = "en", *, max_excluded: int = 10) -> str:
    """A readable day-by-day programme with times, drives (osm / estimated), lunch, nights and totals."""
    t = _T["vi" if lang == "vi" else "en"]
    name = (lambda o: o.name_vi) if lang == "vi" else (lambda o: o.name_en)
    out: list[str] = []
    if not it.feasible:
        out.append(t["infeasible"])
        out.extend(f"  - {p}" for p in it.problems)
        return "\n".join(out)
    lunch = _lunch(it)
    for day in it.days:
        out.append(f"{t['day']} {day.day} — {day.date:%a %d/%m/%Y}: {name(day.start)} → {name(day.end)}")
        legs = {(leg.from_id, leg.to_id): leg for leg in day.legs}
        prev = day.start.place_id
        out.append(f"  {day.depart:%H:%M}  {name(day.start)}")
        for s in day.stops:
            leg = legs.get((prev, s.place_id))
            if leg:
                tag = "" if leg.source == "osm" else f", {t['estimated']}"
                ferry = ", ferry" if leg.ferry else ""
                out.append(f"         ↓ {t['drive']} {leg.seconds / 60:.0f} min, {leg.metres / 1000:.1f} km{tag}{ferry}")
            fee = f"{t['fee']} {fee_text(s, lang)}" if s.fee_vnd is not None else t["unknown_fee"]
            if s.hours_assumed or s.stale:
                fee += f"; {labels(lang)['hours']}: {hours_text(s, lang)}"
            seats = seats_text(s, lang)
            if seats:
                fee += f"; {seats}"
            wait = f" ({t['wait']} {s.wait_minutes:.0f} min)" if s.wait_minutes >= 1 else ""
            out.append(f"  {s.start:%H:%M}–{s.departure:%H:%M}  {name(s)} [{s.province_legacy}]{wait} — {fee}")
            prev = s.place_id
        leg = legs.get((prev, day.end.place_id))
        if leg:
            tag = "" if leg.source == "osm" else f", {t['estimated']}"
            out.append(f"         ↓ {t['drive']} {leg.seconds / 60:.0f} min, {leg.metres / 1000:.1f} km{tag}")
        out.append(f"  {day.arrive:%H:%M}  {t['arrive']} {name(day.end)}")
        if day.lunch_start:
            out.append(f"  ({t['lunch']} {day.lunch_start:%H:%M}, {day.lunch_minutes} min)")
        elif (on_site := lunch_on_site(day, lunch)) is not None:
            out.append(f"  ({t['lunch']} {on_site[0]:%H:%M} {t['at']} {name(on_site[1])}, {lunch.minutes} min)")
        if day.lodging:
            out.append(f"  {t['night']} {name(day.lodging)}")
        ev = day.evening
        if ev is not None:
            show = f" ({t['show']})" if ev.kind == "show" else ""
            out.append(f"  {ev.start:%H:%M}–{ev.end:%H:%M}  {t['evening']}: {name(ev)}{show} — "
                       f"{ev.travel_seconds / 60:.0f} {t['min_from']} {name(day.end)}; {ev.opening_hours}"
                       + (f" ({ev.hours_as_of})" if ev.hours_as_of else ""))
        out.append("")
    tot = it.totals
    out.append(f"{t['total']}: {tot.stops} {t['stops']}, {tot.metres / 1000:.0f} {t['km']} "
               f"({tot.estimated_metres / 1000:.0f} {t['km']} {t['estimated']}), "
               f"{tot.driving_seconds / 3600:.1f} h {t['driving']}, {t['per_person']} {_vnd(tot.costs.per_person)}")
    if tot.visit_minutes_by_province:
        parts = ", ".join(f"{p} {m / 60:.1f} h" for p, m in sorted(tot.visit_minutes_by_province.items(),
                                                                    key=lambda kv: -kv[1]))
        out.append(f"{t['provinces']}: {parts}")
    used = used_weights_line(it, t)
    if used:
        out.append(used)
    if it.warnings:
        out.append(f"\n{t['warnings']}:")
        out.extend(f"  - {w}" for w in it.warnings)
    shown = left_out_lines(it, lang, max_excluded)
    if shown:
        out.append(f"\n{t['left_out']}:")
        out.extend(f"  - {line}" for line in shown)
    out.append(f"\n{it.attribution}")
    return "\n".join(out)
