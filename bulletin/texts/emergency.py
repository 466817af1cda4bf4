"""Emergency bulletins: declaring, approving and airing them."""

TEXTS: dict[str, tuple[str, str]] = {
    "emergency.title": ("Thông báo khẩn cấp", "Emergency notice"),
    "emergency.duration": (
        "Khoảng lặp lại '{value}' không hợp lệ: dùng dạng 15m, 1h, 90s (ít nhất 10 giây)",
        "Invalid repeat interval '{value}': use 15m, 1h or 90s (at least 10 seconds)",
    ),
    "emergency.repeat_pair": (
        "--repeat-every và --until phải đi cùng nhau (lặp lại bao lâu một lần, đến mấy giờ)",
        "--repeat-every and --until go together (how often, and until when)",
    ),
    "emergency.not_emergency": (
        "Bản tin {id} không có mức ưu tiên khẩn cấp; không ghi nhận là tin khẩn cấp",
        "Bulletin {id} does not have emergency priority; not recorded as an emergency",
    ),
    "emergency.missing": (
        "Bản tin {id} không phải là tin khẩn cấp (tạo bằng 'bulletin emergency')",
        "Bulletin {id} is not an emergency (made with 'bulletin emergency')",
    ),
    "emergency.built": (
        "Đã dựng tin khẩn cấp {id} để phát tới {target} ({controllers}); cần {needed} người "
        "duyệt: bulletin approve {id} --as TÊN",
        "Emergency bulletin {id} built for {target} ({controllers}); {needed} approver(s) "
        "needed: bulletin approve {id} --as NAME",
    ),
    "emergency.repeats": (
        "Sẽ phát lại mỗi {every} giây đến {until}",
        "Will repeat every {every} s until {until}",
    ),
    "emergency.aired": (
        "Tin khẩn cấp {id} đã phát ngay: {delivered}/{total} bộ điều khiển nhận được",
        "Emergency bulletin {id} aired at once: {delivered}/{total} controllers received it",
    ),
    "emergency.aired_failed": (
        "Bộ điều khiển '{controller}' chưa nhận được: {error}",
        "Controller '{controller}' did not receive it: {error}",
    ),
    "emergency.daemon_will_air": (
        "Trình lập lịch đang chạy: tin khẩn cấp {id} sẽ được phát trong giây lát",
        "The scheduler is running: emergency bulletin {id} will air in a moment",
    ),
    "help.emergency": (
        "Tin khẩn cấp: dựng ngay từ văn bản, chờ duyệt (mặc định hai người), rồi phát ngay "
        "tới nhóm loa, có thể lặp lại đến một giờ định trước.",
        "",
    ),
    "opt.airs_on": ("Bộ điều khiển, nhóm hoặc xã sẽ phát tin (bắt buộc).", ""),
    "opt.repeat_every": ("Phát lại sau mỗi khoảng này (15m, 1h, 90s).", ""),
    "opt.until": ("Phát lại đến giờ này (HH:MM hoặc ngày giờ ISO).", ""),
}
