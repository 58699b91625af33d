"""Vietnamese / English user-facing text: a plain dict per language, ``t(key)`` in Python and templates.

The language comes from ``?lang=vi|en`` (remembered in the session cookie), default Vietnamese.
"""

from __future__ import annotations

from flask import g, request, session

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "app_name": "touroute", "tagline": "Lập lịch trình du lịch liên tỉnh miền Trung và Nam Trung Bộ",
        "new_plan": "Lập lịch trình", "saved_plans": "Lịch trình đã lưu", "api": "API",
        "start_place": "Điểm xuất phát", "end_place": "Điểm kết thúc", "end_same": "để trống = quay về điểm xuất phát",
        "search_place": "Tìm theo tên (có hoặc không dấu)…", "start_date": "Ngày khởi hành", "days": "Số ngày",
        "day_start": "Bắt đầu mỗi ngày", "day_end": "Kết thúc mỗi ngày", "themes": "Mức quan tâm theo chủ đề",
        "cat_heritage": "Di sản", "cat_coastal": "Biển đảo", "cat_mice": "MICE / sự kiện",
        "cat_other": "Thiên nhiên & giải trí", "cat_lodging": "Lưu trú",
        "must_visit": "Điểm bắt buộc ghé", "exclude": "Điểm không đi", "add_place": "Thêm điểm…",
        "regional": "Liên kết vùng", "provinces_filter": "Chỉ chọn điểm trong các tỉnh",
        "provinces_any": "(mọi tỉnh)", "must_cover": "Tỉnh bắt buộc đi qua",
        "min_stops": "Số điểm tối thiểu mỗi tỉnh", "max_share": "Tỉ lệ thời gian tối đa ở một tỉnh (%)",
        "min_hours": "Số giờ tham quan tối thiểu mỗi tỉnh",
        "pace": "Nhịp độ", "pace_relaxed": "Thong thả", "pace_normal": "Bình thường", "pace_intense": "Dày đặc",
        "group_size": "Số khách", "vehicle": "Phương tiện", "vehicle_auto": "Tự chọn theo số khách",
        "v_car": "Ô tô 4 chỗ", "v_van": "Xe 16 chỗ", "v_coach": "Xe khách 45 chỗ", "v_motorbike": "Xe máy",
        "costs": "Chi phí", "vehicle_per_km": "Giá xe mỗi km (₫, để trống = mặc định)",
        "lodging_cost": "Lưu trú mỗi khách mỗi đêm (₫)", "include_fees": "Tính vé tham quan",
        "lunch": "Nghỉ ăn trưa", "driving_cap": "Tối đa phút lái xe mỗi ngày", "advanced": "Tuỳ chọn nâng cao",
        "solver_seconds": "Thời gian tối ưu (giây)", "plan_button": "Lập lịch trình", "planning": "Đang tối ưu lộ trình…",
        "title": "Tên lịch trình", "summary": "Tổng quan", "stops": "điểm tham quan", "km": "km",
        "driving_hours": "giờ lái xe", "per_person": "chi phí mỗi khách", "total_cost": "Tổng chi phí",
        "estimated_km": "km ước tính", "time_per_province": "Thời gian tham quan theo tỉnh",
        "nights": "Đêm nghỉ", "day": "Ngày", "night_at": "Nghỉ đêm tại", "timeline": "Dòng thời gian",
        "drive": "Di chuyển", "visit": "Tham quan", "lunch_block": "Ăn trưa", "wait": "Chờ mở cửa",
        "fee": "Vé", "fee_unknown": "chưa rõ giá vé", "as_of": "cập nhật", "hours": "Giờ mở cửa",
        "hours_unknown": "chưa rõ giờ mở cửa", "source": "Nguồn", "arrive": "Đến", "leave": "Rời",
        "estimated": "ước tính", "estimated_long": "Chặng ước tính (chưa có dữ liệu đường OSM) — nét đứt",
        "osm_road": "Theo đường OpenStreetMap — nét liền",
        "edit": "Chỉnh sửa & tối ưu lại", "lock": "Ghim vào ngày", "remove": "Bỏ điểm", "add_to_plan": "Thêm điểm",
        "change_hub": "Đổi nơi nghỉ đêm", "replan": "Tối ưu lại", "locked": "đã ghim",
        "replanned": "Đã tối ưu lại trong {s:.1f} giây (giới hạn thời gian rút ngắn còn {lim:g} giây).",
        "exports": "Tải về", "print": "Bản in / PDF", "permalink": "Liên kết chia sẻ",
        "created": "Tạo lúc", "open": "Mở", "no_plans": "Chưa có lịch trình nào được lưu.",
        "plans_private": "Chỉ các lịch trình lập trên trình duyệt này được liệt kê. Mỗi lịch trình có một đường "
                         "dẫn riêng khó đoán — hãy lưu hoặc chia sẻ đường dẫn đó.",
        "infeasible": "Không có lịch trình đáp ứng yêu cầu", "warnings": "Ghi chú", "left_out": "Không đưa vào",
        "form_errors": "Vui lòng sửa các trường sau", "legend": "Chú giải", "lodging": "Nơi nghỉ đêm",
        "background": "Nền: ranh giới tỉnh (khung bao)", "main_roads": "Đường chính (OSM)",
        "map_tiles": "Bản đồ nền OpenStreetMap", "osm_credit": "Dữ liệu bản đồ © OpenStreetMap contributors (ODbL 1.0)",
        "not_found": "Không tìm thấy lịch trình", "error": "Lỗi", "back": "Quay lại",
        "print_now": "In / lưu PDF", "itinerary": "Lịch trình", "vehicles": "xe", "profile": "Phương tiện",
        "plan_saved": "Lịch trình đã được lưu", "h": "giờ", "min": "phút", "language": "Ngôn ngữ",
        "defaults_hint": "Đã điền sẵn một hành trình 5 ngày Huế → Nha Trang — chỉ cần bấm “Lập lịch trình”.",
        "no_results": "Không tìm thấy", "start_end": "Xuất phát / kết thúc", "remove_chip": "Xoá",
        "day_opt": "Ngày", "keep_auto": "(tự chọn)", "solver_note": "Bộ tối ưu", "seconds": "giây",
        "request_too_large": "Yêu cầu quá lớn", "bad_request": "Yêu cầu không hợp lệ",
        "csrf_failed": "Biểu mẫu đã hết hạn hoặc không đến từ trang này; hãy tải lại trang và gửi lại",
        "server_error": "Lỗi máy chủ — vui lòng thử lại", "page_not_found": "Không tìm thấy trang",
    },
    "en": {
        "app_name": "touroute", "tagline": "Multi-province trip planner for Central and South-Central Vietnam",
        "new_plan": "Plan a trip", "saved_plans": "Saved plans", "api": "API",
        "start_place": "Start", "end_place": "End", "end_same": "empty = back to the start",
        "search_place": "Search by name (with or without diacritics)…", "start_date": "Start date", "days": "Days",
        "day_start": "Day starts", "day_end": "Day ends", "themes": "Interest per theme",
        "cat_heritage": "Heritage", "cat_coastal": "Coast & islands", "cat_mice": "MICE / events",
        "cat_other": "Nature & leisure", "cat_lodging": "Lodging",
        "must_visit": "Must visit", "exclude": "Leave out", "add_place": "Add a place…",
        "regional": "Regional linkage", "provinces_filter": "Only places in these provinces",
        "provinces_any": "(any province)", "must_cover": "Provinces the trip must cover",
        "min_stops": "Minimum stops per covered province", "max_share": "Max share of time in one province (%)",
        "min_hours": "Minimum visit hours per covered province",
        "pace": "Pace", "pace_relaxed": "Relaxed", "pace_normal": "Normal", "pace_intense": "Intense",
        "group_size": "Group size", "vehicle": "Vehicle", "vehicle_auto": "Chosen from the group size",
        "v_car": "Car (4 seats)", "v_van": "Van (15 seats)", "v_coach": "Coach (44 seats)", "v_motorbike": "Motorbike",
        "costs": "Costs", "vehicle_per_km": "Vehicle cost per km (₫, empty = default)",
        "lodging_cost": "Lodging per person per night (₫)", "include_fees": "Include entrance fees",
        "lunch": "Lunch break", "driving_cap": "Max driving minutes per day", "advanced": "Advanced options",
        "solver_seconds": "Optimisation time (seconds)", "plan_button": "Plan my trip", "planning": "Optimising the route…",
        "title": "Plan title", "summary": "Summary", "stops": "stops", "km": "km",
        "driving_hours": "hours driving", "per_person": "cost per person", "total_cost": "Total cost",
        "estimated_km": "km estimated", "time_per_province": "Visit time per province",
        "nights": "Nights", "day": "Day", "night_at": "Night at", "timeline": "Timeline",
        "drive": "Drive", "visit": "Visit", "lunch_block": "Lunch", "wait": "Waiting for opening",
        "fee": "Fee", "fee_unknown": "fee unknown", "as_of": "as of", "hours": "Opening hours",
        "hours_unknown": "hours unknown", "source": "Source", "arrive": "Arrive", "leave": "Leave",
        "estimated": "estimated", "estimated_long": "Estimated leg (no OSM road data loaded) — dashed",
        "osm_road": "Along OpenStreetMap roads — solid",
        "edit": "Edit & re-optimise", "lock": "Lock to day", "remove": "Remove", "add_to_plan": "Add a place",
        "change_hub": "Change the night's hub", "replan": "Re-optimise", "locked": "locked",
        "replanned": "Re-planned in {s:.1f} s (shorter time limit of {lim:g} s).",
        "exports": "Download", "print": "Print / PDF", "permalink": "Share link",
        "created": "Created", "open": "Open", "no_plans": "No saved plans yet.",
        "plans_private": "Only the plans made in this browser are listed. Each plan has its own hard-to-guess "
                         "link — keep or share that link.",
        "infeasible": "No plan fits this request", "warnings": "Notes", "left_out": "Left out",
        "form_errors": "Please correct these fields", "legend": "Legend", "lodging": "Overnight hub",
        "background": "Background: province outlines (bounding boxes)", "main_roads": "Main roads (OSM)",
        "map_tiles": "OpenStreetMap base map", "osm_credit": "Map data © OpenStreetMap contributors (ODbL 1.0)",
        "not_found": "Plan not found", "error": "Error", "back": "Back",
        "print_now": "Print / save as PDF", "itinerary": "Itinerary", "vehicles": "vehicle(s)", "profile": "Vehicle",
        "plan_saved": "Plan saved", "h": "h", "min": "min", "language": "Language",
        "defaults_hint": "A 5-day Huế → Nha Trang trip is filled in — just press “Plan my trip”.",
        "no_results": "No match", "start_end": "Start / end", "remove_chip": "Remove",
        "day_opt": "Day", "keep_auto": "(optimiser chooses)", "solver_note": "Solver", "seconds": "s",
        "request_too_large": "Request too large", "bad_request": "Bad request",
        "csrf_failed": "The form has expired or did not come from this site; reload the page and submit again",
        "server_error": "Server error — please try again", "page_not_found": "Page not found",
    },
}


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
    table = TEXT.get(lang or get_lang(), TEXT[DEFAULT_LANG])
    text = table.get(key) or TEXT["en"].get(key) or key
    return text.format(**fmt) if fmt else text
