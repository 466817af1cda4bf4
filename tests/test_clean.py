"""Cleaning text copied from Vietnamese news and government pages."""

from __future__ import annotations

import unicodedata

from bulletin.text.clean import attachment_note, clean_line, clean_text


def test_tags_entities_and_double_escaping_become_plain_nfc_text() -> None:
    raw = (
        "<div><p>Tr&#7841;m y t&#7871; x&atilde; th&ocirc;ng b&aacute;o</p>"
        "<script>var x = 1;</script>"
        "<p>L&amp;#7883;ch ti&amp;ecirc;m &amp;amp; kh&aacute;m</p></div>"
    )
    assert clean_text(raw) == "Trạm y tế xã thông báo\n\nLịch tiêm & khám"


def test_decomposed_diacritics_and_odd_spaces_are_normalized() -> None:
    raw = unicodedata.normalize("NFD", "Nước\u00a0sạch\u200b  về\u202fthôn Đ\u00adông") + "\t."
    assert clean_text(raw) == "Nước sạch về thôn Đông ."
    assert clean_line("  Cảnh báo\u00a0\n mưa   lớn ") == "Cảnh báo mưa lớn"


def test_page_furniture_lines_are_dropped_but_headlines_that_start_alike_kept() -> None:
    raw = "\n".join(
        [
            "Trạm y tế xã tổ chức tiêm chủng vào sáng thứ Bảy.",
            "XEM VIDEO",
            "Video đang được xử lý...",
            "Chia sẻ",
            "Chia sẻ kinh nghiệm giữ vệ sinh nguồn nước khi mùa lũ về.",
            "In bài viết",
            "Tin liên quan",
            "Lượt xem: 1520",
            "Ảnh: Minh Anh",
            "Bà con mang theo sổ tiêm chủng. (Ảnh: Thu Hà)",
        ]
    )
    assert clean_text(raw) == (
        "Trạm y tế xã tổ chức tiêm chủng vào sáng thứ Bảy.\n"
        "Chia sẻ kinh nghiệm giữ vệ sinh nguồn nước khi mùa lũ về.\n"
        "Bà con mang theo sổ tiêm chủng."
    )


def test_closing_bylines_and_sources_are_dropped() -> None:
    body = "Đề nghị bà con chủ động phòng tránh mưa lũ."
    for tail in ("PV", "Theo TTXVN", "Nguồn: Cổng thông tin điện tử tỉnh", "Hải Yến (TTXVN)"):
        assert clean_text(f"{body}\n\n{tail}") == body
    assert clean_text(f"{body}\n\nThu Trang\n\nTheo baochinhphu.vn") == f"{body}\n\nThu Trang"


def test_a_closing_sentence_starting_with_theo_is_kept() -> None:
    text = "Mưa lớn kéo dài.\n\nTheo dự báo, từ đêm nay đến ngày mai các xã ven sông có lũ."
    assert clean_text(text) == text


def test_attachment_note_is_reported_and_not_read_aloud() -> None:
    raw = (
        "<p>Ngày 5/12, UBND xã ban hành Kế hoạch phòng chống rét cho đàn gia súc.</p>"
        "<p>Toàn văn Kế hoạch số 41/KH-UBND xem tại file đính kèm./.</p>"
    )
    assert attachment_note(raw) == "Toàn văn Kế hoạch số 41/KH-UBND xem tại file đính kèm"
    assert (
        clean_text(raw) == "Ngày 5/12, UBND xã ban hành Kế hoạch phòng chống rét cho đàn gia súc."
    )
    assert attachment_note("Nội dung chi tiết xem tại văn bản đính kèm.") is not None
    assert attachment_note("Bà con xem lịch tại nhà văn hoá thôn.") is None
