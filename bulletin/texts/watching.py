"""Watching the station: `bulletin status` and the alerts raised to staff."""

TEXTS: dict[str, tuple[str, str]] = {
    "help.status": (
        "Tình trạng đài: bộ lập lịch, lượt sắp tới, lần gửi gần đây, lỗi, loa lâu không thấy "
        "và cảnh báo.",
        "Station health: the scheduler, next firings, last deliveries, failures, silent "
        "controllers and alerts.",
    ),
    "watching.daemon.title": ("Bộ lập lịch (schedule run)", "Scheduler (schedule run)"),
    "watching.daemon.running": (
        "Đang chạy: PID {pid} trên {host}, nhịp tim cách đây {age} giây",
        "Running: PID {pid} on {host}, heartbeat {age} s ago",
    ),
    "watching.daemon.stale": (
        "Bộ lập lịch giữ khóa nhưng nhịp tim đã cũ ({age} giây; quá {limit} giây): có thể bị treo",
        "The scheduler holds the lock but its heartbeat is old ({age} s; over {limit} s): it "
        "may be stuck",
    ),
    "watching.daemon.stopped": (
        "Không chạy (lần cuối: PID {pid} trên {host}, dừng lúc {stopped})",
        "Not running (last: PID {pid} on {host}, stopped at {stopped})",
    ),
    "watching.daemon.died": (
        "Không chạy: PID {pid} trên {host} đã dừng bất thường (nhịp tim cuối lúc {heartbeat})",
        "Not running: PID {pid} on {host} ended abnormally (last heartbeat at {heartbeat})",
    ),
    "watching.daemon.never": (
        "Không chạy: bộ lập lịch chưa từng chạy ở thư mục làm việc này "
        "(chạy: bulletin schedule run)",
        "Not running: the scheduler has never run in this workspace (start: bulletin schedule run)",
    ),
    "watching.next.title": ("Lượt sắp tới", "Next firings"),
    "watching.next.none": ("Không có chương trình nào theo lịch.", "No scheduled programme."),
    "watching.deliveries.title": ("Lần gửi gần đây", "Last deliveries"),
    "watching.deliveries.none": ("Chưa gửi bản tin nào.", "Nothing delivered yet."),
    "watching.failures.title": ("Lỗi gần đây", "Recent failures"),
    "watching.failures.none": ("Không có lỗi nào.", "No failures."),
    "watching.silent.title": (
        "Bộ điều khiển lâu không thấy (quá {minutes} phút)",
        "Controllers not seen lately (over {minutes} min)",
    ),
    "watching.silent.never": ("chưa từng thấy", "never seen"),
    "watching.silent.none": (
        "Mọi bộ điều khiển đều vừa được thấy.",
        "Every controller was seen lately.",
    ),
    "watching.alerts.title": ("Cảnh báo gần đây", "Recent alerts"),
    "watching.alerts.none": ("Không có cảnh báo nào.", "No alerts."),
    "watching.kind.delivery": ("gửi bản tin", "delivery"),
    "watching.kind.run": ("lịch chạy", "scheduled run"),
    "watching.kind.schedule": ("tệp lịch", "schedule file"),
    "watching.kind.controllers": ("tệp bộ điều khiển", "controllers file"),
    "watching.col.programme": ("Chương trình", "Programme"),
    "watching.col.what": ("Việc", "What"),
    "watching.col.last_seen": ("Thấy lần cuối", "Last seen"),
    "watching.col.minutes": ("Số phút", "Minutes"),
    "watching.col.kind": ("Loại", "Kind"),
    "watching.col.message": ("Nội dung", "Message"),
    "watching.col.sent": ("Đã gửi qua", "Sent via"),
    "watching.what.build": ("soạn", "build"),
    "watching.what.air": ("phát", "air"),
    "watching.what.repeat": ("phát lại", "repeat"),
    "watching.alert.not_sent": (
        "Cảnh báo '{kind}' chưa gửi được qua {channel}: {detail}",
        "Alert '{kind}' could not be sent via {channel}: {detail}",
    ),
}
