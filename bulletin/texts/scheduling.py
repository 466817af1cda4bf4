"""The scheduler daemon, schedule files and automatic approval."""

TEXTS: dict[str, tuple[str, str]] = {
    "scheduler.running": (
        "Bộ lập lịch đã chạy cho không gian làm việc này (khoá {path}); mỗi nơi chỉ chạy một",
        "A scheduler already runs for this workspace (lock {path}); only one may run",
    ),
    "review.auto_policy": (
        "Tự động duyệt theo chương trình '{programme}': mọi tin từ nguồn tin cậy ({sources})",
        "Approved automatically by programme '{programme}': every item from a trusted source "
        "({sources})",
    ),
    "review.auto_refused": (
        "Không tự động duyệt (chương trình '{programme}'): có tin từ nguồn chưa tin cậy "
        "({sources}); cần người duyệt",
        "Not approved automatically (programme '{programme}'): items from untrusted sources "
        "({sources}); a person must approve",
    ),
    "alert.build_failed": (
        "Không dựng được bản tin '{programme}': {detail}",
        "Could not build '{programme}': {detail}",
    ),
    "alert.skipped_unapproved": (
        "Chương trình '{programme}' lúc {at} KHÔNG phát: bản tin {bulletin} chưa được duyệt "
        "({state})",
        "Programme '{programme}' at {at} did NOT air: bulletin {bulletin} is not approved "
        "({state})",
    ),
    "alert.nothing_built": (
        "Chương trình '{programme}' lúc {at} KHÔNG phát: không có bản tin nào được dựng cho giờ "
        "này (không có tin mới, hoặc dựng lỗi)",
        "Programme '{programme}' at {at} did NOT air: no bulletin was built for it (no new "
        "items, or the build failed)",
    ),
    "alert.fallback_aired": (
        "Chương trình '{programme}' lúc {at}: không có bản tin được duyệt; đã phát bản ghi dự "
        "phòng (bản tin {fallback})",
        "Programme '{programme}' at {at}: nothing approved; the fallback recording aired "
        "(bulletin {fallback})",
    ),
    "alert.fallback_unapproved": (
        "Chương trình '{programme}' lúc {at} KHÔNG phát: không có bản tin được duyệt, và bản "
        "ghi dự phòng chưa được duyệt (chạy `bulletin schedule fallback {programme}` rồi duyệt)",
        "Programme '{programme}' at {at} did NOT air: nothing approved, and the fallback "
        "recording is not approved (run `bulletin schedule fallback {programme}`, then approve)",
    ),
    "schedule.no_fallback": (
        "Chương trình '{programme}' không có fallback_audio",
        "Programme '{programme}' has no fallback_audio",
    ),
    "schedule.fallback_file": (
        "Bản ghi dự phòng {path} không có hoặc không phải tệp MP3",
        "The fallback recording {path} is missing or not an MP3 file",
    ),
    "schedule.fallback_made": (
        "Bản ghi dự phòng của '{programme}' là bản tin {id}; cần duyệt: bulletin approve {id} "
        "--as TÊN",
        "The fallback recording of '{programme}' is bulletin {id}; approve it: bulletin "
        "approve {id} --as NAME",
    ),
    "help.schedule.fallback": (
        "Đưa bản ghi dự phòng của chương trình vào để duyệt (chỉ bản đã duyệt mới được phát).",
        "",
    ),
    "alert.controller_failed": (
        "Chương trình '{programme}': không gửi được bản tin {bulletin} tới '{controller}': "
        "{detail}",
        "Programme '{programme}': bulletin {bulletin} did not reach '{controller}': {detail}",
    ),
    "alert.missed_air": (
        "Chương trình '{programme}' lỡ giờ phát {at} (bộ lập lịch không chạy hoặc đồng hồ "
        "nhảy); không phát muộn",
        "Programme '{programme}' missed its air time {at} (the scheduler was not running or "
        "the clock jumped); not aired late",
    ),
    "alert.awaiting_approval": (
        "Bản tin {bulletin} của chương trình '{programme}' phát lúc {at} vẫn chưa được duyệt",
        "Bulletin {bulletin} of programme '{programme}' airs at {at} and is still not approved",
    ),
    "help.schedule": ("Chương trình phát theo lịch (check, list, next, run).", ""),
    "help.schedule.check": (
        "Kiểm tra mọi tệp trong schedules/ (mỗi lỗi nêu tệp, dòng, trường).",
        "",
    ),
    "help.schedule.list": ("Liệt kê các chương trình và giờ phát.", ""),
    "help.schedule.next": ("Các lần dựng/phát sắp tới.", ""),
    "help.schedule.run": (
        "Chạy bộ lập lịch: dựng, duyệt theo quy định, phát đúng giờ (mỗi lần một lần).",
        "",
    ),
    "schedule.ok": (
        "{count} chương trình, không có lỗi",
        "{count} programme(s), no problems",
    ),
    "schedule.problems": ("{count} lỗi trong schedules/", "{count} problem(s) in schedules/"),
    "schedule.none": ("Không có chương trình nào trong schedules/", "No programmes in schedules/"),
    "what.build": ("dựng", "build"),
    "what.air": ("phát", "air"),
    "what.repeat": ("phát lại", "repeat"),
    "opt.serve": ("Chạy cả máy chủ âm thanh (bulletin serve) trong cùng tiến trình.", ""),
    "opt.log_json": ("Ghi nhật ký dạng JSON từng dòng (cho journald, Loki...).", ""),
}
