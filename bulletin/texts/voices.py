"""What `bulletin voices install` and `voices test --score` (the machine ear) say."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # the catalog
    "voices.catalog.unreadable": (
        "Không đọc được danh mục giọng {path}: {detail}",
        "Cannot read the voice catalog {path}: {detail}",
    ),
    "voices.catalog.unknown": (
        "Giọng '{name}' không có trong danh mục {path} (có: {known})",
        "Voice '{name}' is not in the catalog {path} (known: {known})",
    ),
    # downloads
    "voices.fetch.no_access": (
        "Không tải được giọng {name} từ {base} ({detail}); máy này có vẻ không vào được mạng. "
        "Trên máy có Internet, tải các tệp {files} từ {where}, chép vào USB rồi chạy "
        "'bulletin voices install {name} --from THƯ_MỤC'",
        "Cannot download voice {name} from {base} ({detail}); this machine seems to have no "
        "access to it. On a machine with internet access download {files} from {where}, copy "
        "them to a USB stick and run 'bulletin voices install {name} --from FOLDER'",
    ),
    "voices.fetch.not_found": (
        "Máy chủ không có tệp {url} (HTTP {status}); kiểm tra địa chỉ máy chủ gương (--base-url)",
        "The server has no file {url} (HTTP {status}); check the mirror's address (--base-url)",
    ),
    "voices.fetch.http": (
        "Tải {url} thất bại: máy chủ trả lời HTTP {status}",
        "Downloading {url} failed: the server answered HTTP {status}",
    ),
    "voices.fetch.interrupted": (
        "Tải {file} bị ngắt sau {attempts} lần thử ({detail}); đã giữ {done}/{size} byte "
        "trong {part}: chạy lại lệnh để tải tiếp",
        "Downloading {file} was interrupted after {attempts} attempts ({detail}); "
        "{done}/{size} bytes are kept in {part}: run the command again to resume",
    ),
    "voices.write": (
        "Không ghi được giọng {name} vào {path}: {detail}",
        "Cannot write voice {name} into {path}: {detail}",
    ),
    # checks against the catalog
    "voices.file.size": (
        "Tệp {file} dài {got} byte, danh mục ghi {expected} byte: tệp bị cắt cụt hoặc không "
        "phải tệp của giọng này; không cài gì.{hint}",
        "File {file} is {got} bytes, the catalog says {expected}: it is truncated or not this "
        "voice's file; nothing was installed.{hint}",
    ),
    "voices.file.mismatch": (
        "Tệp {file} hỏng hoặc bị thay: SHA-256 cần {expected}…, nhận được {got}…; đã xoá tệp "
        "này, không cài gì.{hint}",
        "File {file} is corrupt or was replaced: SHA-256 expected {expected}…, got {got}…; "
        "that file was removed and nothing was installed.{hint}",
    ),
    "voices.hint.retry": (
        " Thử lại sau, hoặc dùng máy chủ gương khác (--base-url).",
        " Try again later, or another mirror (--base-url).",
    ),
    "voices.hint.copy": (
        " Chép lại tệp từ nguồn gốc rồi cài lại.",
        " Copy the file again from its origin and install again.",
    ),
    "voices.from.not_folder": (
        "{path} không phải là thư mục (cần thư mục hoặc USB chứa các tệp của giọng)",
        "{path} is not a folder (give the folder or USB stick holding the voice's files)",
    ),
    "voices.from.missing": (
        "Không thấy tệp {file} trong {path} (đã tìm: {tried})",
        "No file {file} in {path} (looked for: {tried})",
    ),
    "voices.installed_licence": ("Giấy phép: {licence}", "Licence: {licence}"),
    "opt.from_path": (
        "Cài từ thư mục hoặc USB chứa các tệp của giọng, không cần Internet.",
        "Install from a folder or USB stick holding the voice's files, no internet needed.",
    ),
    "opt.base_url": (
        "Tải từ máy chủ gương này thay cho địa chỉ trong danh mục (hoặc voices_url trong "
        "bulletin.yaml).",
        "Download from this mirror instead of the catalog's address (or voices_url in "
        "bulletin.yaml).",
    ),
    # the machine ear
    "ear.missing": (
        "Chưa cài bộ nghe máy (viet-asr): chạy \"pip install 'bulletin[ear]'\" rồi thử lại",
        "The machine ear (viet-asr) is not installed: run \"pip install 'bulletin[ear]'\" "
        "and try again",
    ),
    "ear.failed": (
        "Bộ nghe máy không nhận dạng được âm thanh: {detail}",
        "The machine ear could not transcribe the audio: {detail}",
    ),
    "ear.sentences_missing": (
        "Không đọc được bộ câu chấm điểm {path}: {detail}",
        "Cannot read the scoring sentences {path}: {detail}",
    ),
    "ear.overall": (
        "Giọng {voice}: tỉ lệ lỗi âm tiết {ser} trên {count} câu ({seconds} giây)",
        "Voice {voice}: syllable error rate {ser} over {count} sentences ({seconds} s)",
    ),
    "opt.score": (
        "Chấm độ dễ nghe: đọc bộ câu mẫu, nhận dạng lại bằng máy và tính tỉ lệ lỗi âm tiết "
        "(cần bulletin[ear]).",
        "Score intelligibility: speak the sample sentences, transcribe them by machine and "
        "report the syllable error rate (needs bulletin[ear]).",
    ),
    "opt.force": ("Cài lại dù giọng đã có.", "Install again even when installed."),
    "opt.sentences_file": (
        "Cùng --score: câu của đài (mỗi dòng một câu, ví dụ tên thôn xóm) thay cho bộ câu có sẵn.",
        "With --score: the station's own sentences (one a line, e.g. its place names) instead "
        "of the built-in set.",
    ),
    "col.ser": ("Lỗi âm tiết", "Syllable errors"),
    "col.heard": ("Máy nghe được", "Heard"),
}
