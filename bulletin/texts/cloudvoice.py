"""What cloud voices and the station's fallback voice say: service failures and warnings."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "cloud.credentials_missing": (
        "chưa có khoá truy cập {host}: biến môi trường {variable} chưa được đặt (tên biến ghi ở "
        "credentials_env của hồ sơ giọng)",
        "no access key for {host}: the environment variable {variable} is not set (the "
        "profile's credentials_env names it)",
    ),
    "cloud.setting_missing": (
        "hồ sơ giọng thiếu khoá {field}, cần để gọi {host}",
        "the voice profile lacks the key {field}, which {host} needs",
    ),
    "cloud.unauthorized": (
        "{host} từ chối khoá truy cập (HTTP {status}): khoá sai hoặc đã hết hạn; lấy khoá mới "
        "và đặt vào biến {variable}",
        "{host} refused the access key (HTTP {status}): it is wrong or has expired; get a new "
        "one and put it in {variable}",
    ),
    "cloud.quota": (
        "{host} báo đã hết hạn mức sử dụng (HTTP {status}, {tries} lần thử){detail}",
        "{host} says the usage quota is spent (HTTP {status}, {tries} tries){detail}",
    ),
    "cloud.server": (
        "máy chủ {host} bị lỗi (HTTP {status}) sau {tries} lần thử",
        "the {host} server failed (HTTP {status}) after {tries} tries",
    ),
    "cloud.rejected": (
        "{host} không nhận yêu cầu (HTTP {status}){detail}",
        "{host} refused the request (HTTP {status}){detail}",
    ),
    "cloud.timeout": (
        "{host} trả lời quá chậm: quá {seconds} giây chưa xong (read_timeout_s)",
        "{host} answers too slowly: nothing complete after {seconds} s (read_timeout_s)",
    ),
    "cloud.unreachable": (
        "không kết nối được {host} sau {tries} lần thử ({detail})",
        "cannot reach {host} after {tries} tries ({detail})",
    ),
    "cloud.poll_timeout": (
        "{host} nhận yêu cầu {job} nhưng sau {seconds} giây vẫn chưa có tệp âm thanh "
        "(poll_timeout_s)",
        "{host} took request {job} but had no audio file after {seconds} s (poll_timeout_s)",
    ),
    "cloud.job_failed": (
        "{host} báo không tổng hợp được yêu cầu {job}{detail}",
        "{host} says request {job} could not be synthesized{detail}",
    ),
    "cloud.bad_answer": (
        "{host} trả lời không đúng dạng tài liệu mô tả ({detail})",
        "{host} answered in a shape its documentation does not describe ({detail})",
    ),
    "cloud.not_audio": (
        "{host} trả về dữ liệu không phải âm thanh ({detail})",
        "{host} returned something that is not audio ({detail})",
    ),
    "voice.failed": ("giọng '{voice}': {detail}", "voice '{voice}': {detail}"),
    "voice.fallback_used": (
        "Giọng '{voice}' lỗi ({detail}); {count} câu đã đọc bằng giọng dự phòng '{fallback}'",
        "Voice '{voice}' failed ({detail}); {count} sentence(s) read by the fallback voice "
        "'{fallback}'",
    ),
    "voice.fallback_build": (
        "Giọng '{voice}' lỗi khi dựng bản tin {id}: câu {sentences} đọc bằng giọng dự phòng "
        "'{fallback}' (xem 'bulletin preview {id}'); lần dựng sau sẽ thử lại giọng '{voice}'",
        "Voice '{voice}' failed while building bulletin {id}: sentence(s) {sentences} read by "
        "the fallback voice '{fallback}' (see 'bulletin preview {id}'); the next build tries "
        "'{voice}' again",
    ),
    "voice.fallback_broken": (
        "giọng '{voice}' lỗi ({detail}) và giọng dự phòng '{fallback}' cũng không đọc được "
        "({problem})",
        "voice '{voice}' failed ({detail}) and the fallback voice '{fallback}' cannot speak "
        "either ({problem})",
    ),
    "voice.fallback_mark": ("giọng dự phòng", "fallback voice"),
    "voice.fallback_mark_named": ("giọng dự phòng: {voice}", "fallback voice: {voice}"),
    "col.voice_used": ("Giọng", "Voice"),
}
