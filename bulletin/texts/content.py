"""Why an announcement was left out of a programme, and what a script check finds."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "content.too_old": (
        "Tin {id} «{title}» đăng ngày {published}, cũ hơn {days} ngày mà chương trình cho phép",
        "Item {id} '{title}' was published on {published}, older than the programme's {days} days",
    ),
    "content.snippet": (
        "Tin {id} «{title}» chỉ có đoạn trích bị cắt («…») mà không lấy được toàn văn: bỏ qua",
        "Item {id} '{title}' is only a snippet cut with '…' and its full text could not be "
        "fetched: left out",
    ),
    "content.nothing_to_read": (
        "Tin {id} «{title}» không còn câu nào để đọc sau khi bỏ tiêu đề, câu lặp và phần thừa",
        "Item {id} '{title}' has nothing left to read once headings, boilerplate and title "
        "repeats are left out",
    ),
    "content.not_vietnamese": (
        "Tin {id} «{title}» không viết bằng tiếng Việt: bỏ qua",
        "Item {id} '{title}' is not written in Vietnamese: left out",
    ),
    "content.over_time": (
        "Tin {id} «{title}» không còn đủ thời lượng chương trình ({seconds} giây còn lại)",
        "Item {id} '{title}' does not fit in the programme's time ({seconds} s left)",
    ),
    "content.trimmed": (
        "Bản tin dài {seconds} giây, quá {limit} giây của chương trình: bỏ bớt các tin cuối",
        "The bulletin ran {seconds} s, over the programme's {limit} s: its last items were dropped",
    ),
    "script_check.clean": (
        "Bản tin {id}: không thấy gì cần xem lại",
        "Bulletin {id}: nothing to look at",
    ),
    "script_check.title": (
        "Bản tin {id}: {count} điểm cần xem lại",
        "Bulletin {id}: {count} findings",
    ),
    "script_check.col.sentence": ("Câu", "Sentence"),
    "script_check.col.kind": ("Loại", "Kind"),
    "script_check.col.detail": ("Chi tiết", "Detail"),
    "script_check.kind.acronym": (
        "chữ viết tắt lạ, đọc từng chữ cái",
        "unknown acronym, spelled out",
    ),
    "script_check.kind.foreign": ("từ nước ngoài", "foreign word"),
    "script_check.kind.symbol": ("còn chữ số hoặc ký hiệu", "digits or symbols left"),
    "script_check.kind.lowercase": ("câu bắt đầu bằng chữ thường", "sentence starts in lower case"),
    "script_check.kind.fragment": ("câu cụt, không có nội dung", "a fragment, not a statement"),
    "script_check.kind.long": ("câu quá dài (số tiếng)", "very long sentence (syllables)"),
    "script_check.kind.over_share": (
        "tin quá phần thời lượng của nó (giây)",
        "item over its time share (seconds)",
    ),
    "script_check.kind.misheard": (
        "bộ nghe máy không nghe ra (số, tên)",
        "the machine ear did not hear (figures, names)",
    ),
    "script_check.kind.fallback": (
        "đọc bằng giọng dự phòng",
        "read by the fallback voice",
    ),
    "script_check.no_audio": (
        "câu {index}: không còn âm thanh trong bộ nhớ đệm để nghe lại; "
        "dựng lại bản tin để kiểm tra",
        "sentence {index}: its audio is no longer cached; rebuild the bulletin to check it",
    ),
    "script_check.kind.too_old": (
        "tin cũ hơn chương trình cho phép (ngày)",
        "item older than the programme allows (days)",
    ),
}
