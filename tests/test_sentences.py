"""Sentence and heading splitting on Vietnamese announcement text, as listeners hear it."""

from __future__ import annotations

import time

import pytest

from bulletin.text.sentences import Unit, split_sentences, split_units
from tests.conftest import HANG_S

# Each case: text, and the sentences a reader would pause after.
LOWERCASE_AFTER_POINT = {
    # "ả", "ố", "ạ", "đ" lie in or near the range À-Ỹ but are lower case: no new sentence.
    "accented a": ("Lũ lên nhanh lúc 3 giờ sáng. ảnh hưởng tới 40 hộ.", 1),
    "accented o": ("Nước sông Hồng lên tới 9.8m. ống cống bị tắc.", 1),
    "dotted a": ("Mưa lớn tại xã Trà Cang. ạ, bà con chú ý.", 1),
    "d with stroke": ("Sạt lở tại km 12. đường tạm thời bị chia cắt.", 1),
    "capital D with stroke": ("Sạt lở tại km 12. Đường tạm thời bị chia cắt.", 2),
    "capital accented": ("Mưa đã ngớt. Ở vùng trũng nước còn sâu.", 2),
}

ABBREVIATIONS_AND_INITIALS = {
    "place prefixes": (
        "Ngập sâu tại P. Phúc Xá, Q. Ba Đình từ sáng. Tp. Vinh và TX. Hoàng Mai ít mưa.",
        ["Ngập sâu tại P. Phúc Xá, Q. Ba Đình từ sáng.", "Tp. Vinh và TX. Hoàng Mai ít mưa."],
    ),
    "district and commune": (
        "Ở H. Nam Trà My và X. Trà Leng đã có mưa to. TP. Tam Kỳ chưa mưa.",
        ["Ở H. Nam Trà My và X. Trà Leng đã có mưa to.", "TP. Tam Kỳ chưa mưa."],
    ),
    "prefix before a number": (
        "Điểm sơ tán đặt tại P. 3, Q. 1. Bà con đến trước 17h.",
        ["Điểm sơ tán đặt tại P. 3, Q. 1.", "Bà con đến trước 17h."],
    ),
    "titles": (
        "Ý kiến của ThS. Lê Minh và GS.TS. Trần Văn Bình được ghi nhận. Hết.",
        ["Ý kiến của ThS. Lê Minh và GS.TS. Trần Văn Bình được ghi nhận.", "Hết."],
    ),
    "middle initial": (
        "Bà Nguyễn Th. Hương, trú tại thôn 2, cho biết nước đã rút.",
        ["Bà Nguyễn Th. Hương, trú tại thôn 2, cho biết nước đã rút."],
    ),
    "initial opening a sentence": (
        "Th. Hương cho biết bếp ăn đã sẵn sàng. Bà con yên tâm.",
        ["Th. Hương cho biết bếp ăn đã sẵn sàng.", "Bà con yên tâm."],
    ),
    "initial after a comma": (
        "Người trực: Tr. Minh, Ph. Lan. Số máy 0912.",
        ["Người trực: Tr. Minh, Ph. Lan.", "Số máy 0912."],
    ),
    "initial after a form of address is the whole name": (
        "Người bị thương là chị H. Chị đã được đưa đi cấp cứu.",
        ["Người bị thương là chị H.", "Chị đã được đưa đi cấp cứu."],
    ),
    "initial alone after a verb is the whole name": (
        "Công an đã triệu tập Tr. Sau đó, Tr. khai nhận sự việc.",
        ["Công an đã triệu tập Tr.", "Sau đó, Tr. khai nhận sự việc."],
    ),
    "several initials of one name": (
        "Bà Đ. T.H. (SN 1960) và ông N. Q. D. đã về nhà. Hết.",
        ["Bà Đ. T.H. (SN 1960) và ông N. Q. D. đã về nhà.", "Hết."],
    ),
    "place letter in brackets": (
        "Ngập ở phường Tràng Tiền (Q. Hoàn Kiếm) từ sáng. Hết.",
        ["Ngập ở phường Tràng Tiền (Q. Hoàn Kiếm) từ sáng.", "Hết."],
    ),
    "place letter after a word": (
        "Công an Q. Long Biên và UBND H. Nam Trà My đã vào cuộc. Hết.",
        ["Công an Q. Long Biên và UBND H. Nam Trà My đã vào cuộc.", "Hết."],
    ),
    "byline initials": (
        "Ảnh: Th. Hương. Bài: Tr. Minh.",
        ["Ảnh: Th. Hương.", "Bài: Tr. Minh."],
    ),
    "initial before birth year": (
        "Anh Trần Văn K. (SN 1990, trú tại xã Hòa Bắc) được cứu. Hết.",
        ["Anh Trần Văn K. (SN 1990, trú tại xã Hòa Bắc) được cứu.", "Hết."],
    ),
    "initial ending a name and a sentence": (
        "Người mất tích là ông Lê Văn T. Lực lượng cứu hộ vẫn đang tìm kiếm.",
        ["Người mất tích là ông Lê Văn T.", "Lực lượng cứu hộ vẫn đang tìm kiếm."],
    ),
    "etc at the end of a sentence": (
        "Chuẩn bị gạo, nước uống, đèn pin v.v. Các hộ ven sông di dời trước 17h.",
        ["Chuẩn bị gạo, nước uống, đèn pin v.v.", "Các hộ ven sông di dời trước 17h."],
    ),
    "etc inside a sentence": (
        "Gạo, nước uống, đèn pin v.v. cần đủ dùng trong ba ngày.",
        ["Gạo, nước uống, đèn pin v.v. cần đủ dùng trong ba ngày."],
    ),
    "etc at the very end": (
        "Cần chuẩn bị áo phao, đèn pin, v.v.",
        ["Cần chuẩn bị áo phao, đèn pin, v.v."],
    ),
}

NOT_BROKEN = {
    "thousands and decimals": "Có 1.250 hộ bị ảnh hưởng, mực nước tăng 3,5 m và lượng mưa 212.6mm.",
    "time": "Lúc 7h30 sáng nay, tâm bão ở cách đảo Cồn Cỏ khoảng 80km.",
    "date": "Từ ngày 20/10/2026, các trường học cho học sinh nghỉ.",
    "code": "Thực hiện Kế hoạch số 80/KH-UBND ngày 20/10/2026 của UBND tỉnh.",
    "url": "Xem bản tin tại https://nchmf.gov.vn/Kttv/vi-VN/1/index.html hoặc www.thoitiet.vn.",
    "city code": "Nhiều tuyến đường ở TP.HCM bị ngập khi triều cường lên.",
    "ellipsis mid sentence": "Cần mang theo giấy tờ, thuốc men... để dùng khi sơ tán.",
}

SENTENCE_ENDS = {
    "after a number": ("Gió giật cấp 10. Sóng cao 3m.", 2),
    "before a number": ("Số hộ phải di dời là 84. 19 điểm có nguy cơ sạt lở.", 2),
    "after an organisation": ("Văn bản do UBND gửi TP.HCM. Các xã thực hiện ngay.", 2),
    "quoted sentence": ('Ông nói: "Không ra khơi." Mọi tàu đã về bến.', 2),
    "before a quote": ('Bão đã vào bờ. "Không ai được chủ quan", ông nhấn mạnh.', 2),
    "question and exclamation": ("Bão đi đâu? Bà con chú ý! Hãy nghe loa.", 3),
    "ellipsis": ("Mưa còn kéo dài... Bà con không nên ra đồng.", 2),
    "after a url": ("Xem tại https://kttv.gov.vn/tin-bao.htm. Tin tiếp theo.", 2),
}


@pytest.mark.parametrize(
    ("text", "count"), LOWERCASE_AFTER_POINT.values(), ids=LOWERCASE_AFTER_POINT
)
def test_a_point_before_a_lowercase_word_does_not_end_a_sentence(text: str, count: int) -> None:
    assert len(split_sentences(text)) == count


@pytest.mark.parametrize(
    ("text", "expected"), ABBREVIATIONS_AND_INITIALS.values(), ids=ABBREVIATIONS_AND_INITIALS
)
def test_abbreviations_and_initials_end_a_sentence_only_where_it_ends(
    text: str, expected: list[str]
) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", NOT_BROKEN.values(), ids=NOT_BROKEN)
def test_numbers_times_dates_codes_and_urls_are_not_broken(text: str) -> None:
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(("text", "count"), SENTENCE_ENDS.values(), ids=SENTENCE_ENDS)
def test_sentences_still_end_at_a_point_before_a_capital_or_number(text: str, count: int) -> None:
    assert len(split_sentences(text)) == count


NOTICE = """THÔNG BÁO KHẨN
Về việc phòng, chống bão số 5

I. TÌNH HÌNH
1. Diễn biến của bão
Hồi 7h sáng nay, tâm bão ở trên vùng biển Quảng Bình. Sức gió mạnh nhất cấp 9.
2. Dự báo
a) Vùng biển
Từ Nghệ An đến Quảng Trị có gió mạnh cấp 7.
II. CÁC VIỆC CẦN LÀM NGAY:
- Tàu thuyền vào nơi tránh trú an toàn.
+ Chằng chống nhà cửa
• Theo dõi loa truyền thanh xã."""


def test_headings_and_section_numbers_stand_alone_and_are_marked() -> None:
    assert split_units(NOTICE) == [
        Unit("THÔNG BÁO KHẨN", heading=True),
        Unit("Về việc phòng, chống bão số 5", heading=True),
        Unit("I. TÌNH HÌNH", heading=True),
        Unit("1. Diễn biến của bão", heading=True),
        Unit("Hồi 7h sáng nay, tâm bão ở trên vùng biển Quảng Bình.", heading=False),
        Unit("Sức gió mạnh nhất cấp 9.", heading=False),
        Unit("2. Dự báo", heading=True),
        Unit("a) Vùng biển", heading=True),
        Unit("Từ Nghệ An đến Quảng Trị có gió mạnh cấp 7.", heading=False),
        Unit("II. CÁC VIỆC CẦN LÀM NGAY:", heading=True),
        Unit("- Tàu thuyền vào nơi tránh trú an toàn.", heading=False),
        Unit("+ Chằng chống nhà cửa", heading=False),
        Unit("• Theo dõi loa truyền thanh xã.", heading=False),
    ]


def test_split_sentences_is_the_text_of_the_units() -> None:
    assert split_sentences(NOTICE) == [unit.text for unit in split_units(NOTICE)]


@pytest.mark.parametrize(
    "text",
    [
        "1. Diễn biến của bão",
        "Các việc cần làm: 1. Sơ tán dân ven sông.",
        "IV. Tổ chức thực hiện",
    ],
    ids=["at a line start", "after a colon", "roman"],
)
def test_a_section_number_is_not_a_sentence_of_its_own(text: str) -> None:
    assert split_sentences(text) == [text]


def test_a_short_line_without_a_full_stop_is_a_heading_not_glued_to_the_next() -> None:
    text = "Tình hình mưa lũ\nĐêm qua ở Hòa Bắc mưa 166mm, ở Bạch Mã mưa 309mm."
    assert split_units(text) == [
        Unit("Tình hình mưa lũ", heading=True),
        Unit("Đêm qua ở Hòa Bắc mưa 166mm, ở Bạch Mã mưa 309mm.", heading=False),
    ]


def test_a_line_ending_in_a_colon_leads_in_without_being_a_heading() -> None:
    text = "Các hộ cần làm ngay những việc sau:\nDi dời người già và trẻ em."
    assert split_units(text) == [
        Unit("Các hộ cần làm ngay những việc sau:", heading=False),
        Unit("Di dời người già và trẻ em.", heading=False),
    ]


WRAPPED = (
    "Ban Chỉ huy phòng, chống thiên tai xã đề nghị các hộ dân sống ven sông\n"
    "và dưới chân đồi khẩn trương di dời đến nơi an toàn trước 17h ngày\n"
    "20/10/2026, mang theo giấy tờ tùy thân và thuốc men. Lực lượng dân quân\n"
    "sẽ hỗ trợ các hộ neo đơn tại thôn Trà Cang, thôn Trà Dơn và thôn Trà\n"
    "Leng; mọi thắc mắc xin liên hệ trực ban UBND xã qua số điện thoại đường\n"
    "dây nóng.\n"
    "\n"
    "Đề nghị bà con theo dõi loa truyền thanh."
)


def test_a_single_line_break_inside_a_paragraph_does_not_end_a_sentence() -> None:
    assert split_units(WRAPPED) == [
        Unit(
            "Ban Chỉ huy phòng, chống thiên tai xã đề nghị các hộ dân sống ven sông và dưới "
            "chân đồi khẩn trương di dời đến nơi an toàn trước 17h ngày 20/10/2026, mang "
            "theo giấy tờ tùy thân và thuốc men.",
            heading=False,
        ),
        Unit(
            "Lực lượng dân quân sẽ hỗ trợ các hộ neo đơn tại thôn Trà Cang, thôn Trà Dơn và "
            "thôn Trà Leng; mọi thắc mắc xin liên hệ trực ban UBND xã qua số điện thoại "
            "đường dây nóng.",
            heading=False,
        ),
        Unit("Đề nghị bà con theo dõi loa truyền thanh.", heading=False),
    ]


def test_lines_without_full_stops_stay_apart_unless_the_text_is_wrapped() -> None:
    text = "Bão số 5 đã vào đất liền Quảng Bình chiều nay\nNgười dân không ra khơi khi biển động"
    assert len(split_sentences(text)) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mưa to ở vùng\nnúi phía Tây.", ["Mưa to ở vùng núi phía Tây."]),
        ("Ngập sâu tại Q.\nBa Đình từ sáng.", ["Ngập sâu tại Q. Ba Đình từ sáng."]),
        ("Mưa đã ngớt.\nNước đang rút.", ["Mưa đã ngớt.", "Nước đang rút."]),
        ("Mưa đã ngớt.\n\nnước đang rút.", ["Mưa đã ngớt.", "nước đang rút."]),
        ("Bà con cần:\n- Chằng nhà\n- Trữ gạo", ["Bà con cần:", "- Chằng nhà", "- Trữ gạo"]),
    ],
    ids=["lowercase", "abbreviation", "capital", "blank line", "bullets"],
)
def test_line_breaks_join_or_split_by_what_follows(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_whitespace_crlf_and_no_break_spaces_are_tidied() -> None:
    text = "  Bão\u00a0số 5  đã  vào bờ.\r\nBà con   chú ý.\r\n\r\n"
    assert split_sentences(text) == ["Bão số 5 đã vào bờ.", "Bà con chú ý."]


def test_empty_text_has_no_units() -> None:
    assert split_units("") == [] and split_units(" \n\n \n") == []


@pytest.mark.parametrize(
    "text",
    [
        "TP. A " * 40_000,
        "Nguyễn Văn D. Sau " * 12_000,
        "THÔNG BÁO\n" * 20_000,
        "Tình hình\nĐêm qua " * 15_000,
    ],
    ids=["abbreviations", "initials", "headings", "short lines"],
)
def test_a_200kb_hostile_paragraph_splits_without_hanging(text: str) -> None:
    started = time.perf_counter()
    split_units(text)
    assert time.perf_counter() - started < HANG_S


def test_a_line_of_symbols_after_a_sentence_is_not_glued_to_it() -> None:
    assert split_sentences("Kính thưa bà con.\n🎉🎉\nXin cảm ơn.") == [
        "Kính thưa bà con.",
        "🎉🎉",
        "Xin cảm ơn.",
    ]
