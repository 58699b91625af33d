"""Helpers shared by the export formats: language choice, labels and attribution."""

from __future__ import annotations

from typing import Any

from .. import OSM_ATTRIBUTION

TIMEZONE = "Asia/Ho_Chi_Minh"

LABELS: dict[str, dict[str, str]] = {
    "en": {"day": "Day", "visit": "Visit", "drive": "Drive", "lunch": "Lunch", "night": "Night at",
           "estimated": "estimated (no road network loaded for this leg)", "osm": "OpenStreetMap roads",
           "fee": "Fee", "fee_unknown": "fee unknown", "hours": "Opening hours", "hours_unknown": "hours unknown",
           "source": "Source", "province": "Province", "as_of": "as of", "start": "Start", "end": "End",
           "trip": "Trip", "stop": "Stop", "arrival": "Arrival", "departure": "Departure", "wait": "Wait (min)",
           "category": "Category", "lodging": "Lodging", "date": "Date", "name": "Name", "id": "Place id",
           "lat": "Latitude", "lon": "Longitude", "minutes": "Visit (min)", "drive_min": "Drive before (min)",
           "drive_km": "Drive before (km)", "leg_source": "Road data", "evening": "Evening (optional)",
           "evening_stop": "evening", "travel": "Travel from the hub",
           "hours_assumed": "hours unknown — planned as open {window}; check locally",
           "stale": "may be out of date", "domestic": "Vietnamese visitors",
           "seats": "seats", "seats_unknown": "seat count not published — confirm it holds the group"},
    "vi": {"day": "Ngày", "visit": "Tham quan", "drive": "Di chuyển", "lunch": "Ăn trưa", "night": "Nghỉ đêm tại",
           "estimated": "ước tính (chưa có dữ liệu đường cho chặng này)", "osm": "đường OpenStreetMap",
           "fee": "Vé", "fee_unknown": "chưa rõ giá vé", "hours": "Giờ mở cửa", "hours_unknown": "chưa rõ giờ mở cửa",
           "source": "Nguồn", "province": "Tỉnh", "as_of": "cập nhật", "start": "Xuất phát", "end": "Kết thúc",
           "trip": "Chuyến đi", "stop": "Điểm", "arrival": "Đến", "departure": "Rời", "wait": "Chờ (phút)",
           "category": "Loại hình", "lodging": "Lưu trú", "date": "Ngày", "name": "Tên", "id": "Mã điểm",
           "lat": "Vĩ độ", "lon": "Kinh độ", "minutes": "Tham quan (phút)", "drive_min": "Lái xe trước (phút)",
           "drive_km": "Lái xe trước (km)", "leg_source": "Dữ liệu đường", "evening": "Buổi tối (tự chọn)",
           "evening_stop": "tối", "travel": "Di chuyển từ nơi nghỉ",
           "hours_assumed": "chưa rõ giờ mở cửa — lịch trình giả định mở {window}; cần kiểm tra tại chỗ",
           "stale": "có thể đã thay đổi", "domestic": "khách Việt Nam",
           "seats": "chỗ", "seats_unknown": "chưa công bố sức chứa — cần xác nhận đủ chỗ cho đoàn"},
}

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "en": {"heritage": "Heritage", "mice": "MICE / events", "coastal": "Coast & islands", "lodging": "Lodging",
           "other": "Nature & leisure"},
    "vi": {"heritage": "Di sản", "mice": "MICE / sự kiện", "coastal": "Biển đảo", "lodging": "Lưu trú",
           "other": "Thiên nhiên & giải trí"},
}

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
    if not as_of:
        return ""
    return f" ({t['as_of']} {as_of}" + (f" — {t['stale']}" if stale else "") + ")"


def fee_text(stop: Any, lang: str | None) -> str:
    """The fee as published (the foreign / single price, the domestic one where it differs), its date, and a stale
    flag when the date is more than 3 years old (SCHEMA.md, data truth)."""
    t = labels(lang)
    if stop.fee_vnd is None:
        return t["fee_unknown"]
    domestic = getattr(stop, "fee_domestic_vnd", None)
    dom = f" / {vnd(domestic)} {t['domestic']}" if domestic is not None and domestic != stop.fee_vnd else ""
    return f"{vnd(stop.fee_vnd)}{dom}" + _as_of_text(t, stop.fee_as_of, "fee" in (getattr(stop, "stale", None) or ()))


def hours_text(stop: Any, lang: str | None) -> str:
    """Opening hours with their date and stale flag; unknown hours say so, with the window the plan assumed."""
    t = labels(lang)
    if not stop.opening_hours:
        window = getattr(stop, "hours_assumed", None)
        return t["hours_assumed"].format(window=window) if window else t["hours_unknown"]
    return stop.opening_hours + _as_of_text(t, getattr(stop, "hours_as_of", None),
                                           "hours" in (getattr(stop, "stale", None) or ()))


def seats_text(stop: Any, lang: str | None) -> str | None:
    """A MICE stop's seats, or the warning that they are not published; None for other stops."""
    t = labels(lang)
    if getattr(stop, "seats_unknown", False):
        return t["seats_unknown"]
    seats = getattr(stop, "seats", None)
    return f"{seats:,} {t['seats']}".replace(",", ".") if seats is not None else None


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
