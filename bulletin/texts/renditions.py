"""Renditions: the approved bulletin re-encoded in the codec a controller asks for."""

TEXTS: dict[str, tuple[str, str]] = {
    "rendition.encode": (
        "Không mã hoá được bản tin sang định dạng {format}: {detail}",
        "Cannot encode the bulletin as {format}: {detail}",
    ),
    "rendition.measure": (
        "Không đo được độ lớn âm thanh của bản {format}: {detail}",
        "Cannot measure the loudness of the {format} rendition: {detail}",
    ),
    "rendition.silent": (
        "Bản {format} không có tiếng: bản tin gốc im lặng hoặc hỏng",
        "The {format} rendition is silent: the approved audio is silent or damaged",
    ),
    "rendition.write": (
        "Không ghi được tệp âm thanh {format} vào {path}: {detail}",
        "Cannot write the {format} audio file to {path}: {detail}",
    ),
}
