"""Pictures of a bulletin's audio on the review desk: the waveform and loudness over time."""

TEXTS: dict[str, tuple[str, str]] = {
    "pictures.missing": (
        "Không tìm thấy tệp âm thanh {path} để vẽ dạng sóng và độ lớn",
        "Audio file {path} not found; cannot draw its waveform and loudness",
    ),
    "pictures.unreadable": (
        "Không đọc được tệp âm thanh {path}: {detail}",
        "Cannot read the audio file {path}: {detail}",
    ),
    "pictures.undecodable": (
        "Tệp {path} không phải âm thanh đọc được (hỏng hoặc sai định dạng): {detail}",
        "{path} is not readable audio (damaged or in the wrong format): {detail}",
    ),
    "pictures.empty": (
        "Tệp {path} không chứa đoạn âm thanh nào",
        "{path} contains no audio",
    ),
}
