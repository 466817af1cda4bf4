"""Delivery engine, media endpoint and controller commands."""

TEXTS: dict[str, tuple[str, str]] = {
    "delivery.credentials_file_mode": (
        "Bộ điều khiển '{controller}': tệp mật khẩu {path} có quyền {mode}; chỉ chủ tệp được "
        "đọc (chmod 600)",
        "Controller '{controller}': credentials file {path} has mode {mode}; only its owner "
        "may read it (chmod 600)",
    ),
    "delivery.credentials_file": (
        "Bộ điều khiển '{controller}': không đọc được tệp mật khẩu {path} ({detail})",
        "Controller '{controller}': cannot read credentials file {path} ({detail})",
    ),
    "delivery.network": (
        "Bộ điều khiển '{controller}': lỗi kết nối {what}({detail}); sẽ thử lại",
        "Controller '{controller}': connection failed {what}({detail}); will retry",
    ),
    "delivery.auth": (
        "Bộ điều khiển '{controller}': sai tên đăng nhập, mật khẩu hoặc mã truy cập ({detail}); "
        "không thử lại",
        "Controller '{controller}': wrong user name, password or token ({detail}); not retried",
    ),
    "controller.disabled": (
        "Bộ điều khiển '{name}' đang tắt (enabled: false trong controllers.yaml)",
        "Controller '{name}' is disabled (enabled: false in controllers.yaml)",
    ),
    "controller.all_disabled": (
        "Mọi bộ điều khiển của '{name}' đang tắt; không có nơi nào để gửi",
        "Every controller of '{name}' is disabled; nowhere to deliver",
    ),
    "time.invalid": (
        "Giờ '{value}' không hiểu được (ví dụ: 17:30, 17h30, 2026-12-01T06:00)",
        "Cannot read the time '{value}' (e.g. 17:30, 17h30, 2026-12-01T06:00)",
    ),
    "time.past": (
        "Giờ phát '{value}' đã qua (bây giờ là {now})",
        "Air time '{value}' is already past (it is now {now})",
    ),
    "push.progress.start": (
        "→ {controller}: đang gửi (lần {attempt})",
        "→ {controller}: sending (attempt {attempt})",
    ),
    "push.progress.retry": (
        "↻ {controller}: lỗi lần {attempt}, sẽ thử lại: {detail}",
        "↻ {controller}: attempt {attempt} failed, retrying: {detail}",
    ),
    "push.progress.delivered": ("✓ {controller}: đã gửi", "✓ {controller}: delivered"),
    "push.progress.confirmed": (
        "✓ {controller}: lần gửi trước (bị ngắt) đã tới nơi; không gửi lại",
        "✓ {controller}: the interrupted earlier push had arrived; not sent again",
    ),
    "push.progress.skipped": (
        "· {controller}: đã gửi trước đó; bỏ qua",
        "· {controller}: delivered before; skipped",
    ),
    "push.progress.failed": ("✗ {controller}: {detail}", "✗ {controller}: {detail}"),
    "push.air_at": ("Giờ phát: {at}", "Air time: {at}"),
    "check.ok": ("được", "ok"),
    "check.failed": ("lỗi", "failed"),
    "check.some_failed": (
        "Có bộ điều khiển không kết nối được; xem cột lỗi",
        "Some controllers cannot be reached; see the error column",
    ),
    "status.none": (
        "(giao thức không có trạng thái thiết bị)",
        "(the protocol has no device status)",
    ),
    "status.last_delivery": (
        "lần gửi gần nhất: bản tin {id}, {state}",
        "last delivery: bulletin {id}, {state}",
    ),
    "serve.listening": (
        "Bàn duyệt bản tin: http://{host}:{port}/ · âm thanh cho thiết bị tại "
        "http://{host}:{port}/media/… (địa chỉ công khai: {public_url}); Ctrl-C để dừng",
        "Review desk: http://{host}:{port}/ · audio for devices at http://{host}:{port}/media/… "
        "(public URL: {public_url}); Ctrl-C to stop",
    ),
    "help.serve": (
        "Chạy bàn duyệt bản tin trên trình duyệt và máy chủ âm thanh cho thiết bị (mỗi lượt "
        "gửi có mã URL riêng, có hạn).",
        "",
    ),
    "help.controllers.check": (
        "Kiểm tra kết nối và đăng nhập tới bộ điều khiển, không gửi gì.",
        "",
    ),
    "help.controllers.status": (
        "Trạng thái thiết bị (với giao thức có trạng thái), lưu lại lịch sử.",
        "",
    ),
    "opt.at": ("Giờ phát (17:30, 17h30 hoặc 2026-12-01T06:00, giờ của đài).", ""),
    "opt.host": ("Địa chỉ lắng nghe.", ""),
    "opt.port": ("Cổng lắng nghe.", ""),
    "opt.credentials_file": ("Tệp (quyền 0600) chứa tên:mật khẩu hoặc mã truy cập.", ""),
    "opt.commune": ("Xã của bộ điều khiển (cũng là một nhóm).", ""),
    "opt.label": ("Tên gọi của bộ điều khiển (ví dụ: Loa thôn 3).", ""),
    "opt.disabled": ("Thêm ở trạng thái tắt (không nhận bản tin).", ""),
    "col.format": ("Định dạng", "Format"),
    "col.seen": ("Thấy lần cuối", "Last seen"),
    "col.detail": ("Chi tiết", "Detail"),
    "check.no_probe": (
        "giao thức '{transport}' không có cách kiểm tra",
        "transport '{transport}' has no check",
    ),
    "delivery.media_endpoint": (
        "Thiết bị không tải được âm thanh: `bulletin serve` không trả lời tại {url} ({detail}). "
        "Hãy chạy `bulletin serve` và kiểm tra public_url trong bulletin.yaml",
        "Devices cannot fetch the audio: `bulletin serve` does not answer at {url} ({detail}). "
        "Run `bulletin serve` and check public_url in bulletin.yaml",
    ),
    "config.field_line": (
        "Tệp {path}, dòng {line}, trường '{field}': {detail}",
        "{path}, line {line}, field '{field}': {detail}",
    ),
}
