"""Plain-text itinerary for the terminal, in Vietnamese or English."""

from __future__ import annotations

from .. import messages
from ..itinerary import Itinerary
from ..model import LunchBreak
from ..messages import dec
from ._common import (CATEGORY_LABELS, access_text, fee_text, hours_in, hours_text, labels, lang_of,
                      left_out_lines, lunch_on_site, seats_text, vnd)

def used_weights_line(it: Itinerary, t: dict[str, str], lang: str = "en") -> str:
    """What the request was read as — the theme weights after the theme rule and the province scheme — so a user
    who named some themes sees that the others weighed 0 (docs/planner.md, "Themes and categories")."""
    themes = it.request.get("themes") or {}
    if not themes:
        return ""
    # the --theme keys the weights were given with; in Vietnamese with the theme's name beside the key
    names = messages.CATEGORIES["vi"] if lang == "vi" else {}
    weights = ", ".join((f"{names[k]} ({k})" if k in names else k) + f" {v:g}" for k, v in themes.items())
    scheme = it.request.get("province_scheme")
    return f"{t['weights']}: {weights}" + (f" ({t['scheme']} {scheme})" if scheme else "")


def _rest(leg, t: dict, profile: str = "coach") -> str:
    """A leg's rest on the way, said after the drive ("; + 15 min drivers' rest …"; a motorbike's break every 2 h),
    or nothing."""
    key = "rest_motorbike" if profile == "motorbike" else "rest"
    return f"; {t[key].format(m=round(leg.rest_seconds / 60))}" if leg.rest_seconds >= 60 else ""


def province_label(stop, t: dict) -> str:
    """The stop's province as people name it either way since the July 2025 merger: "Quảng Nam, now Đà Nẵng" (the
    legacy province, then the 2025 one where they differ)."""
    legacy, new = stop.province_legacy, getattr(stop, "province", None)
    return f"{legacy}, {t['now']} {new}" if new and new != legacy else legacy


def _costs_line(it: Itinerary, t: dict, lang: str) -> str:
    """What the cost per person assumes — the group, the vehicles and their rate, the lodging rate, the fees — so
    the figure is never read as a quote (the request's defaults: a group of 2, 600.000 ₫ a night)."""
    req, c = it.request or {}, it.totals.costs
    if not req:
        return ""
    lodging = (req.get("costs") or {}).get("lodging_per_night_per_person")
    if lodging is None:
        return ""
    vehicle = messages.BROCHURE["vi" if lang == "vi" else "en"]["vehicles"].get(it.profile, it.profile)
    if (req.get("costs") or {}).get("include_fees", True):
        fees = t["fees"] + (t["fees_unknown"].format(n=len(c.fees_unknown)) if c.fees_unknown else "")
    else:
        fees = t["no_fees"]
    return t["costs"].format(group=req.get("group_size", 1), vehicles=c.vehicles, vehicle=vehicle,
                             per_km=vnd(c.vehicle_per_km), lodging=vnd(lodging), fees=fees)


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
    t = messages.TEXT["vi" if lang == "vi" else "en"]
    name = (lambda o: o.name_vi) if lang == "vi" else (lambda o: o.name_en)
    out: list[str] = []
    if not it.feasible:
        out.append(t["infeasible"])
        out.extend(f"  - {p}" for p in it.problems)
        return "\n".join(out)
    lunch = _lunch(it)
    for day in it.days:
        weekday = t["weekdays"][day.date.weekday()]
        out.append(f"{t['day']} {day.day} — {weekday} {day.date:%d/%m/%Y}: {name(day.start)} → {name(day.end)}")
        legs = {(leg.from_id, leg.to_id): leg for leg in day.legs}
        prev = day.start.place_id
        out.append(f"  {day.depart:%H:%M}  {name(day.start)}")
        for s in day.stops:
            leg = legs.get((prev, s.place_id))
            if leg:
                tag = "" if leg.source == "osm" else f", {t['estimated']}"
                ferry = f", {t['ferry']}" if leg.ferry else ""
                out.append(f"         ↓ {t['drive']} {leg.seconds / 60:.0f} {t['min']}, {dec(leg.metres / 1000, 1, lang)} km"
                           f"{tag}{ferry}{_rest(leg, t, it.profile)}")
            fee = f"{t['fee']} {fee_text(s, lang)}" if s.fee_vnd is not None else t["unknown_fee"]
            if s.hours_assumed or s.stale:
                fee += f"; {labels(lang)['hours']}: {hours_text(s, lang)}"
            seats = seats_text(s, lang)
            if seats:
                fee += f"; {seats}"
            access = access_text(s, lang)
            if access:
                fee += f"; {access}"
            wait = f" ({t['wait']} {s.wait_minutes:.0f} {t['min']})" if s.wait_minutes >= 1 else ""
            out.append(f"  {s.start:%H:%M}–{s.departure:%H:%M}  {name(s)} [{province_label(s, t)}]{wait} — {fee}")
            prev = s.place_id
        leg = legs.get((prev, day.end.place_id))
        if leg:
            tag = "" if leg.source == "osm" else f", {t['estimated']}"
            out.append(f"         ↓ {t['drive']} {leg.seconds / 60:.0f} {t['min']}, {dec(leg.metres / 1000, 1, lang)} km{tag}"
                       f"{_rest(leg, t, it.profile)}")
        out.append(f"  {day.arrive:%H:%M}  {t['arrive']} {name(day.end)}")
        if day.lunch_start:
            out.append(f"  ({t['lunch']} {day.lunch_start:%H:%M}, {day.lunch_minutes} {t['min']})")
        elif (on_site := lunch_on_site(day, lunch)) is not None:
            out.append(f"  ({t['lunch']} {on_site[0]:%H:%M} {t['at']} {name(on_site[1])}, {lunch.minutes} {t['min']})")
        if day.lodging:
            out.append(f"  {t['night']} {name(day.lodging)}")
        ev = day.evening
        if ev is not None:
            show = f" ({t['show']})" if ev.kind == "show" else ""
            out.append(f"  {ev.start:%H:%M}–{ev.end:%H:%M}  {t['evening']}: {name(ev)}{show} — "
                       f"{ev.travel_seconds / 60:.0f} {t['min_from']} {name(day.end)}; {hours_in(ev.opening_hours, lang)}"
                       + (f" ({ev.hours_as_of})" if ev.hours_as_of else ""))
        out.append("")
    tot = it.totals
    out.append(f"{t['total']}: {tot.stops} {t['stops']}, {tot.metres / 1000:.0f} {t['km']} "
               f"({tot.estimated_metres / 1000:.0f} {t['km']} {t['estimated']}), "
               f"{dec(tot.driving_seconds / 3600, 1, lang)} {t['h']} {t['driving']}, {t['per_person']} "
               f"{vnd(tot.costs.per_person)}")
    assumed = _costs_line(it, t, lang)
    if assumed:
        out.append(assumed)
    if tot.visit_minutes_by_province:
        parts = ", ".join(f"{p} {dec(m / 60, 1, lang)} {t['h']}" for p, m in sorted(tot.visit_minutes_by_province.items(),
                                                                    key=lambda kv: -kv[1]))
        out.append(f"{t['provinces']}: {parts}")
    if tot.visit_minutes_by_theme:
        cats = CATEGORY_LABELS[lang_of(lang)]
        parts = ", ".join(f"{cats.get(c, c)} {dec(m / 60, 1, lang)} {t['h']}" for c, m in sorted(
            tot.visit_minutes_by_theme.items(), key=lambda kv: -kv[1]))
        out.append(f"{t['themes']}: {parts}")
    used = used_weights_line(it, t, lang)
    if used:
        out.append(used)
    if it.warnings:
        out.append(f"\n{t['warnings']}:")
        out.extend(f"  - {w}" for w in it.notes(lang))
    shown = left_out_lines(it, lang, max_excluded)
    if shown:
        out.append(f"\n{t['left_out']}:")
        out.extend(f"  - {line}" for line in shown)
    out.append(f"\n{it.attribution}")
    return "\n".join(out)
