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
        "pace": "Nhịp độ", "pace_relaxed": "Thong thả", "pace_normal": "Bình thường", "pace_packed": "Dày đặc",
        "group_size": "Số khách", "vehicle": "Phương tiện", "vehicle_auto": "Tự chọn theo số khách",
        "v_car": "Ô tô 4 chỗ", "v_van": "Xe 16 chỗ", "v_coach": "Xe khách 45 chỗ", "v_motorbike": "Xe máy",
        "costs": "Chi phí", "vehicle_per_km": "Giá xe mỗi km (₫, để trống = mặc định)",
        "lodging_cost": "Lưu trú mỗi khách mỗi đêm (₫)", "include_fees": "Tính vé tham quan",
        "lunch": "Nghỉ ăn trưa", "evenings": "Gợi ý buổi tối (phố đèn lồng, chợ đêm, biểu diễn)",
        "evening": "Buổi tối (tự chọn)", "evening_show": "biểu diễn", "evening_from": "từ {hub}, {min:.0f} phút",
        "driving_cap": "Tối đa phút lái xe mỗi ngày", "advanced": "Tuỳ chọn nâng cao",
        "solver_seconds": "Thời gian tối ưu (giây; để trống: tự động)", "plan_button": "Lập lịch trình", "planning": "Đang tối ưu lộ trình…",
        "title": "Tên lịch trình", "summary": "Tổng quan", "stops": "điểm tham quan", "km": "km",
        "driving_hours": "giờ lái xe", "per_person": "chi phí mỗi khách", "total_cost": "Tổng chi phí",
        "estimated_km": "km ước tính", "time_per_province": "Thời gian tham quan theo tỉnh", "weights_used": "Trọng số chủ đề đã dùng",
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
        # regional analytics and sample packages (issue 6)
        "analytics": "Phân tích vùng", "packages": "Gói tour mẫu",
        "an_title": "Phân tích vùng cho sở du lịch",
        "an_intro": "Thời gian di chuyển giữa các trung tâm, phạm vi đi về trong ngày, mức độ phân bổ khách giữa các tỉnh và so sánh kịch bản.",
        "an_matrix": "Ma trận giữa các trung tâm", "an_matrix_desc": "Thời gian và quãng đường giữa các trung tâm lưu trú, theo phương tiện; mỗi ô ghi rõ theo đường OSM hay ước tính.",
        "an_reach": "Phạm vi trong ngày", "an_reach_desc": "Những điểm đến được từ một trung tâm trong thời gian cho trước, và có kịp đi về trong ngày không.",
        "an_fairness": "Báo cáo phân bổ lợi ích", "an_fairness_desc": "Giờ tham quan và đêm lưu trú theo tỉnh (tỉnh cũ và tỉnh từ 2025), chỉ số Gini và HHI, điểm chưa được ghé.",
        "an_compare": "So sánh kịch bản", "an_compare_desc": "Hai tập lịch trình A và B: thay đổi theo tỉnh và của các chỉ số (B − A).",
        "an_hubs": "Trung tâm", "an_hubs_hint": "Mặc định: một trung tâm mỗi tỉnh. Tối đa {n} trung tâm.",
        "an_compute": "Tính", "an_scenario": "Kịch bản đường (giả định)", "an_baseline": "Hiện trạng",
        "an_scenario_change": "Thay đổi so với hiện trạng",
        "an_scenario_nochange": "Kịch bản không làm thay đổi thời gian giữa các đầu mối đã chọn.", "an_from_to": "Từ \\ đến",
        "an_est_note": "* = ước tính (đường chim bay × hệ số đường vòng); ô không có * là theo đường OSM.",
        "an_download_csv": "Tải CSV", "an_heatmap": "Bản đồ nhiệt thời gian di chuyển",
        "an_minutes_budget": "Thời gian di chuyển tối đa (phút, một chiều)", "an_day_hours": "Độ dài chuyến đi trong ngày (giờ)",
        "an_categories": "Loại điểm", "an_all_categories": "(mọi loại, trừ lưu trú)",
        "an_place": "Điểm", "an_province": "Tỉnh", "an_travel_time": "Thời gian di chuyển",
        "an_round_trip": "Khứ hồi + tham quan", "an_day_trip": "Đi về trong ngày",
        "an_day_trip_yes": "kịp đi về trong ngày", "an_day_trip_no": "không kịp đi về trong ngày",
        "an_n_places": "{n} điểm trong vòng {m:g} phút từ {hub}", "an_pick_hub": "Chọn trung tâm",
        "an_plans": "Lịch trình đã lưu", "an_all_plans": "Tất cả lịch trình đã lưu", "an_job_results": "Kết quả một lần tạo gói",
        "an_none": "(không)", "an_legacy": "Theo tỉnh cũ (trước 2025)", "an_2025": "Theo tỉnh từ 2025",
        "an_visit_hours": "Giờ tham quan", "an_visit_share": "Tỉ lệ giờ", "an_nights": "Đêm lưu trú",
        "an_nights_share": "Tỉ lệ đêm", "an_index": "Chỉ số", "an_itineraries": "Số lịch trình",
        "an_gini_hint": "Gini: 0 = đều giữa 12 tỉnh, càng gần 1 càng dồn vào ít tỉnh. HHI: 1/12 ≈ 0,083 = đều, 1 = chỉ một tỉnh. Tỉnh không có khách vẫn được tính.",
        "an_unused": "Điểm chưa được ghé", "an_chosen": "Đã chọn", "an_report": "Xem báo cáo",
        "an_side_a": "Kịch bản A", "an_side_b": "Kịch bản B", "an_item": "Mục", "an_kind": "Chỉ tiêu",
        "an_change": "Thay đổi (B − A)", "an_compare_btn": "So sánh", "an_total_hours": "Tổng giờ tham quan",
        "an_total_nights": "Tổng đêm lưu trú", "an_no_plans": "Chưa có lịch trình đã lưu hoặc kết quả tạo gói nào — hãy lập lịch trình hoặc tạo gói trước.",
        "an_more": "và {n} điểm khác",
        "pk_title": "Gói tour mẫu cho hội chợ du lịch",
        "pk_intro": "Dán hoặc tải lên tệp cấu hình (YAML hoặc JSON), kiểm tra, rồi tạo các gói trong nền: lịch trình, bản đồ, tờ giới thiệu HTML và PDF tiếng Việt và tiếng Anh, tải về dạng zip.",
        "pk_spec": "Cấu hình gói (YAML hoặc JSON)", "pk_upload": "…hoặc tải lên tệp .yaml / .json (thay cho nội dung ở trên)",
        "pk_limits": "Tối đa {kb} KB và {n} gói; thời gian tối ưu mỗi gói tối đa {s:g} giây trên máy chủ này.",
        "pk_validate": "Kiểm tra", "pk_build": "Tạo các gói", "pk_valid": "Cấu hình hợp lệ: {n} gói",
        "pk_jobs": "Các lần tạo gần đây", "pk_job": "Lần tạo gói", "pk_no_jobs": "Chưa có lần tạo gói nào.",
        "pk_state_queued": "đang chờ", "pk_state_running": "đang chạy", "pk_state_done": "đã xong", "pk_state_failed": "lỗi",
        "pk_progress": "Đã xong {n}/{total} gói", "pk_current": "Đang lập", "pk_download": "Tải kết quả (zip)",
        "pk_refresh_hint": "Trang này tự cập nhật.", "pk_id": "Mã", "pk_length": "Độ dài", "pk_theme": "Chủ đề",
        "pk_price": "Giá mỗi khách", "pk_duplicate": "trùng với", "pk_no_plan": "không lập được", "pk_state": "Trạng thái",
        "pk_again": "Tạo gói khác", "pk_example_hint": "Đã điền sẵn ví dụ data/packages/example.yaml.",
        "pk_files": "Tệp", "pk_seconds": "giây",
        "planner_busy": "Máy chủ đang bận lập các lịch trình khác; vui lòng thử lại sau {seconds} giây "
                        "(lịch trình đã lưu vẫn xem được bình thường)",
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
        "pace": "Pace", "pace_relaxed": "Relaxed", "pace_normal": "Normal", "pace_packed": "Packed",
        "group_size": "Group size", "vehicle": "Vehicle", "vehicle_auto": "Chosen from the group size",
        "v_car": "Car (4 seats)", "v_van": "Van (15 seats)", "v_coach": "Coach (44 seats)", "v_motorbike": "Motorbike",
        "costs": "Costs", "vehicle_per_km": "Vehicle cost per km (₫, empty = default)",
        "lodging_cost": "Lodging per person per night (₫)", "include_fees": "Include entrance fees",
        "lunch": "Lunch break", "evenings": "Evening suggestions (lanterns, night markets, shows)",
        "evening": "Evening (optional)", "evening_show": "show", "evening_from": "{min:.0f} min from {hub}",
        "driving_cap": "Max driving minutes per day", "advanced": "Advanced options",
        "solver_seconds": "Optimisation time (seconds; empty: automatic)", "plan_button": "Plan my trip", "planning": "Optimising the route…",
        "title": "Plan title", "summary": "Summary", "stops": "stops", "km": "km",
        "driving_hours": "hours driving", "per_person": "cost per person", "total_cost": "Total cost",
        "estimated_km": "km estimated", "time_per_province": "Visit time per province", "weights_used": "Theme weights used",
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
        # regional analytics and sample packages (issue 6)
        "analytics": "Regional analytics", "packages": "Sample packages",
        "an_title": "Regional analytics for tourism departments",
        "an_intro": "Travel between hubs, what a day trip from a hub reaches, how visitors spread over the provinces, and what-if comparisons.",
        "an_matrix": "Hub-to-hub matrix", "an_matrix_desc": "Travel time and distance between lodging hubs per vehicle; every cell says whether it is routed on OSM roads or estimated.",
        "an_reach": "Reachability", "an_reach_desc": "The places reachable from a hub within a travel-time budget, and whether each fits a day trip.",
        "an_fairness": "Fair-benefit report", "an_fairness_desc": "Visit hours and overnight stays per province (legacy and 2025), Gini and HHI, places never used.",
        "an_compare": "What-if comparison", "an_compare_desc": "Two sets of plans A and B: the change per province and of the indices (B − A).",
        "an_hubs": "Hubs", "an_hubs_hint": "Default: one hub per province. At most {n} hubs.",
        "an_compute": "Compute", "an_scenario": "Road scenario (what-if)", "an_baseline": "Baseline",
        "an_scenario_change": "Change against the baseline",
        "an_scenario_nochange": "The scenario changes no travel time between the chosen hubs.", "an_from_to": "From \\ to",
        "an_est_note": "* = estimate (great-circle × circuity); cells without * are routed on OSM roads.",
        "an_download_csv": "Download CSV", "an_heatmap": "Travel-time heatmap",
        "an_minutes_budget": "Travel-time budget (minutes, one way)", "an_day_hours": "Day-trip length (hours)",
        "an_categories": "Categories", "an_all_categories": "(all but lodging)",
        "an_place": "Place", "an_province": "Province", "an_travel_time": "Travel time",
        "an_round_trip": "Round trip + visit", "an_day_trip": "Day trip",
        "an_day_trip_yes": "fits a day trip", "an_day_trip_no": "too long for a day trip",
        "an_n_places": "{n} places within {m:g} min of {hub}", "an_pick_hub": "Choose a hub",
        "an_plans": "Saved plans", "an_all_plans": "All saved plans", "an_job_results": "Results of a package job",
        "an_none": "(none)", "an_legacy": "By legacy province (before 2025)", "an_2025": "By province since 2025",
        "an_visit_hours": "Visit hours", "an_visit_share": "Share of hours", "an_nights": "Nights",
        "an_nights_share": "Share of nights", "an_index": "Index", "an_itineraries": "Itineraries",
        "an_gini_hint": "Gini: 0 = even over the 12 provinces, towards 1 = concentrated in few. HHI: 1/12 ≈ 0.083 = even, 1 = one province only. Provinces without visitors count.",
        "an_unused": "Places never used", "an_chosen": "Chosen", "an_report": "Show report",
        "an_side_a": "Scenario A", "an_side_b": "Scenario B", "an_item": "Item", "an_kind": "Measure",
        "an_change": "Change (B − A)", "an_compare_btn": "Compare", "an_total_hours": "Total visit hours",
        "an_total_nights": "Total nights", "an_no_plans": "No saved plans or package results yet — plan a trip or build packages first.",
        "an_more": "and {n} more",
        "pk_title": "Sample packages for trade fairs",
        "pk_intro": "Paste or upload a spec (YAML or JSON), validate it, then build the packages in the background: itinerary, map, brochures in HTML and PDF in Vietnamese and English, downloaded as a zip.",
        "pk_spec": "Package spec (YAML or JSON)", "pk_upload": "…or upload a .yaml / .json file (used instead of the text above)",
        "pk_limits": "At most {kb} KB and {n} packages; solver time per package at most {s:g} s on this server.",
        "pk_validate": "Validate", "pk_build": "Build packages", "pk_valid": "The spec is valid: {n} package(s)",
        "pk_jobs": "Recent jobs", "pk_job": "Package job", "pk_no_jobs": "No jobs yet.",
        "pk_state_queued": "queued", "pk_state_running": "running", "pk_state_done": "done", "pk_state_failed": "failed",
        "pk_progress": "{n} of {total} packages done", "pk_current": "Now planning", "pk_download": "Download results (zip)",
        "pk_refresh_hint": "This page updates by itself.", "pk_id": "Id", "pk_length": "Length", "pk_theme": "Theme",
        "pk_price": "Price per person", "pk_duplicate": "duplicate of", "pk_no_plan": "no plan", "pk_state": "State",
        "pk_again": "Build other packages", "pk_example_hint": "Prefilled with the example data/packages/example.yaml.",
        "pk_files": "Files", "pk_seconds": "s",
        "planner_busy": "The server is busy planning other trips; please try again in {seconds} s "
                        "(saved plans can still be viewed as usual)",
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
