"""Tests for the Vietnamese speech normalizer (bulletin.speech.normalize)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bulletin.speech.normalize import RuleHit, explain, normalize, read_number


@pytest.mark.parametrize(
    ("n", "north", "south"),
    [
        (0, "không", "không"),
        (5, "năm", "năm"),
        (10, "mười", "mười"),
        (15, "mười lăm", "mười lăm"),
        (21, "hai mươi mốt", "hai mươi mốt"),
        (44, "bốn mươi bốn", "bốn mươi bốn"),
        (55, "năm mươi lăm", "năm mươi lăm"),
        (101, "một trăm linh một", "một trăm lẻ một"),
        (110, "một trăm mười", "một trăm mười"),
        (1001, "một nghìn không trăm linh một", "một ngàn không trăm lẻ một"),
        (3050, "ba nghìn không trăm năm mươi", "ba ngàn không trăm năm mươi"),
        (207_000, "hai trăm linh bảy nghìn", "hai trăm lẻ bảy ngàn"),
        (4_000_021, "bốn triệu không trăm hai mươi mốt", "bốn triệu không trăm hai mươi mốt"),
        (6_300_000_000, "sáu tỷ ba trăm triệu", "sáu tỷ ba trăm triệu"),
        (2_000_000_000_000, "hai nghìn tỷ", "hai ngàn tỷ"),
    ],
)
def test_read_number(n: int, north: str, south: str) -> None:
    assert read_number(n) == north
    assert read_number(n, region="south") == south


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Thôn có 48 hộ.", "Thôn có bốn mươi tám hộ."),
        ("Huyện có 3.406 hộ.", "Huyện có ba nghìn bốn trăm linh sáu hộ."),
        ("Thu được 7.020.500 đồng.", "Thu được bảy triệu không trăm hai mươi nghìn năm trăm đồng."),
        ("Tổ có 04 thành viên.", "Tổ có bốn thành viên."),
        ("Năng suất 62,5 tạ.", "Năng suất sáu mươi hai phẩy năm tạ."),
        ("Hệ số 2,08.", "Hệ số hai phẩy không tám."),
        ("Chuyển đổi số 4.0.", "Chuyển đổi số bốn chấm không."),
    ],
)
def test_cardinals(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


def test_southern_variant() -> None:
    assert normalize("Ấp có 1.008 nhân khẩu.", region="south") == (
        "Ấp có một ngàn không trăm lẻ tám nhân khẩu."
    )


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Khai giảng ngày 5/9.", "Khai giảng ngày năm tháng chín."),
        (
            "Hạn chót 28/02/2024.",
            "Hạn chót hai mươi tám tháng hai năm hai nghìn không trăm hai mươi tư.",
        ),
        (
            "Từ 01-07-2023 áp dụng.",
            "Từ một tháng bảy năm hai nghìn không trăm hai mươi ba áp dụng.",
        ),
        (
            "Ngày 2 tháng 9 năm 1945.",
            "Ngày hai tháng chín năm một nghìn chín trăm bốn mươi lăm.",
        ),
        ("Trong tháng 4 và tháng 1.", "Trong tháng tư và tháng một."),
        ("Kỳ họp tháng 11/2023.", "Kỳ họp tháng mười một năm hai nghìn không trăm hai mươi ba."),
        ("Mít tinh sáng 8-3.", "Mít tinh sáng tám tháng ba."),
        ("Lễ hội đêm 14/2.", "Lễ hội đêm mười bốn tháng hai."),
    ],
)
def test_dates(text: str, spoken: str) -> None:
    # Normalized comparison of the tens digit four: "hai mươi tư" and "hai mươi bốn" are both right.
    assert normalize(text).replace("mươi bốn", "mươi tư") == spoken.replace("mươi bốn", "mươi tư")


def test_slash_pairs_that_are_not_dates() -> None:
    assert normalize("Có 2/3 số hộ.") == "Có hai phần ba số hộ."
    assert normalize("Trực 24/24 giờ.") == "Trực hai mươi bốn trên hai mươi bốn giờ."
    assert normalize("Số nhà 12/4.") == "Số nhà mười hai trên bốn."


def test_no_doubled_ngay() -> None:
    out = normalize("Vào ngày 20/11/2023, trường tổ chức lễ kỷ niệm.")
    assert "ngày ngày" not in out
    assert out.startswith("Vào ngày hai mươi tháng mười một năm")


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Họp lúc 14h30.", "Họp lúc mười bốn giờ ba mươi phút."),
        ("Xuất phát lúc 05:45 sáng.", "Xuất phát lúc năm giờ bốn mươi lăm phút sáng."),
        ("Mở cửa từ 8h00.", "Mở cửa từ tám giờ."),
        ("Tập trung lúc 7g15.", "Tập trung lúc bảy giờ mười lăm phút."),
        ("Bắt đầu lúc 19h.", "Bắt đầu lúc mười chín giờ."),
        ("Cấm xe từ 22h-5h.", "Cấm xe từ hai mươi hai giờ đến năm giờ."),
    ],
)
def test_times(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Giảm 7% so với năm trước.", "Giảm bảy phần trăm so với năm trước."),
        ("Đạt 99,5%.", "Đạt chín mươi chín phẩy năm phần trăm."),
        ("Độ ẩm 80-85%.", "Độ ẩm tám mươi đến tám mươi lăm phần trăm."),
        (
            "Nhiệm kỳ 2026-2031.",
            "Nhiệm kỳ hai nghìn không trăm hai mươi sáu đến hai nghìn không trăm ba mươi mốt.",
        ),
        ("Thanh niên 16-30 tuổi.", "Thanh niên mười sáu đến ba mươi tuổi."),
        ("Vào thứ 4 hằng tuần.", "Vào thứ tư hằng tuần."),
        ("Giải thứ 1 và giải thứ 3.", "Giải thứ nhất và giải thứ ba."),
        ("Đại hội lần thứ 14.", "Đại hội lần thứ mười bốn."),
        ("Chương VII, Phần III.", "Chương bảy, Phần ba."),
        ("Đảng bộ khóa XX, Đại hội XIV.", "Đảng bộ khóa hai mươi, Đại hội mười bốn."),
        ("Trong thế kỷ XIX.", "Trong thế kỷ mười chín."),
        ("Lần thứ IV.", "Lần thứ tư."),
    ],
)
def test_percent_range_ordinal(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


def test_quarter_roman() -> None:
    assert normalize("Quý III tăng.") == "Quý ba tăng."
    assert normalize("Quý II/2024.") == "Quý hai năm hai nghìn không trăm hai mươi bốn."


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Phí 20.000 đ/lượt.", "Phí hai mươi nghìn đồng một lượt."),
        ("Hỗ trợ 300.000 VNĐ.", "Hỗ trợ ba trăm nghìn đồng."),
        ("Tài trợ 2.000 USD.", "Tài trợ hai nghìn đô la Mỹ."),
        ("Vốn 3,5 tỷ đồng.", "Vốn ba phẩy năm tỷ đồng."),
        ("Đường dài 2,3 km.", "Đường dài hai phẩy ba ki lô mét."),
        ("Trồng 40 ha lúa.", "Trồng bốn mươi héc ta lúa."),
        ("Sân 600 m2.", "Sân sáu trăm mét vuông."),
        ("Đổ 12 m3 bê tông.", "Đổ mười hai mét khối bê tông."),
        ("Nhiệt độ 12-15°C.", "Nhiệt độ mười hai đến mười lăm độ xê."),
        ("Mưa 30 mm.", "Mưa ba mươi mi li mét."),
        ("Trạm 35 kV.", "Trạm ba mươi lăm ki lô vôn."),
        ("Nhà máy 30 MW.", "Nhà máy ba mươi mê ga oát."),
        ("Tặng 25 kg gạo.", "Tặng hai mươi lăm ki lô gam gạo."),
        ("Chạy 50 km/h.", "Chạy năm mươi ki lô mét trên giờ."),
    ],
)
def test_money_units(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Gọi 0978 111 222.", "Gọi không chín bảy tám, một một một, hai hai hai."),
        ("Gọi 0203.3855.204.", "Gọi không hai không ba, ba tám năm năm, hai không bốn."),
        ("Gọi 0356789012.", "Gọi không ba năm sáu bảy tám chín không một hai."),
    ],
)
def test_phones(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Theo Kế hoạch 45/KH-UBND.", "Theo Kế hoạch bốn mươi lăm, ca hát, Ủy ban nhân dân."),
        (
            "Nghị định 100/2019/NĐ-CP.",
            "Nghị định một trăm, hai nghìn không trăm mười chín, en đê, Chính phủ.",
        ),
        (
            "Thông tư 09/2022/TT-BTTTT.",
            "Thông tư chín, hai nghìn không trăm hai mươi hai, tê tê, "
            "Bộ Thông tin và Truyền thông.",
        ),
        ("Nghị quyết 36-NQ/TW.", "Nghị quyết ba mươi sáu, en quy, Trung ương."),
        ("Công điện 05/CĐ-TTg.", "Công điện năm, xê đê, Thủ tướng Chính phủ."),
    ],
)
def test_document_codes(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("HĐND tỉnh khai mạc kỳ họp.", "Hội đồng nhân dân tỉnh khai mạc kỳ họp."),
        ("Ban Thường trực MTTQ xã.", "Ban Thường trực Mặt trận Tổ quốc xã."),
        ("BCH Quân sự xã huấn luyện.", "Ban Chỉ huy Quân sự xã huấn luyện."),
        ("BCH Đoàn xã họp.", "Ban Chấp hành Đoàn xã họp."),
        ("Ứng dụng CNTT.", "Ứng dụng công nghệ thông tin."),
        ("Cấp thẻ BHYT.", "Cấp thẻ bảo hiểm y tế."),
        ("Hội LHPN huyện.", "Hội Liên hiệp Phụ nữ huyện."),
        ("Đ/c Bí thư phát biểu.", "Đồng chí Bí thư phát biểu."),
        ("Gặp đ/c Lan.", "Gặp đồng chí Lan."),
        (
            "Ông Trần Văn C (SN 1975).",
            "Ông Trần Văn xê (sinh năm một nghìn chín trăm bảy mươi lăm).",
        ),
        ("Tại TP. Vinh.", "Tại thành phố Vinh."),
        ("Phòng chống dịch COVID-19.", "Phòng chống dịch cô vít mười chín."),
        ("Cách ly F1, F2.", "Cách ly ép một, ép hai."),
        ("Thực hiện 5K.", "Thực hiện năm ca."),
        ("Lớp 11B.", "Lớp mười một bê."),
        ("Cơ quan VKS huyện.", "Cơ quan vê ca ét huyện."),
    ],
)
def test_abbreviations(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


def test_sentence_initial_expansion_is_capitalised() -> None:
    assert normalize("CSGT làm nhiệm vụ.") == "Cảnh sát giao thông làm nhiệm vụ."


@pytest.mark.parametrize(
    "text",
    ["THÔNG BÁO KHẨN CẤP", "TIN BÃO GẦN BỜ", "LỊCH CẮT ĐIỆN", "TIN MỚI NHẤT", "BAN TỔ CHỨC"],
)
def test_capitalised_words_are_not_spelled(text: str) -> None:
    assert normalize(text) == text


def test_station_lexicon_adds_and_overrides() -> None:
    out = normalize("HTX Hòa Bình và UBND xã.", lexicon={"HTX": "hợp tác xã", "UBND": "ủy ban"})
    assert out == "Hợp tác xã Hòa Bình và ủy ban xã."
    assert normalize("QTDND xã.", lexicon={"QTDND": "Quỹ tín dụng nhân dân"}) == (
        "Quỹ tín dụng nhân dân xã."
    )


def test_explain_records_rules() -> None:
    hits = explain("Ngày 31/12, UBND xã hỗ trợ 200.000 đ.")
    assert RuleHit("date", "31/12", "ba mươi mốt tháng mười hai") in hits
    assert RuleHit("money", "200.000 đ", "hai trăm nghìn đồng") in hits
    assert RuleHit("abbreviation", "UBND", "Ủy ban nhân dân") in hits
    assert explain("Bà con chú ý.") == []


def test_output_is_nfc_and_keeps_punctuation() -> None:
    decomposed = unicodedata.normalize("NFD", "Xã có 12 thôn; bà con lưu ý!")
    out = normalize(decomposed)
    assert out == unicodedata.normalize("NFC", out)
    assert out == "Xã có mười hai thôn; bà con lưu ý!"


VARIED = [
    "Ngày 15/8/2023, UBND xã tổ chức họp lúc 7h30 tại hội trường.",
    "Hỗ trợ 1.500.000 đồng/hộ cho 35 hộ nghèo, 12 hộ cận nghèo.",
    "Theo Quyết định số 2468/QĐ-UBND ngày 09/10/2023 của UBND tỉnh.",
    "Nhiệt độ từ 18-22°C, độ ẩm 75-90%, mưa 20-40 mm.",
    "Liên hệ 0912.345.678 hoặc 1900 1234 để được hỗ trợ.",
    "Biển số 36A-456.78 vi phạm; xe 29B1-12345 bị tạm giữ.",
    "Tiêm 3 mũi vắc xin Covid-19 cho F0 và F1, thực hiện 5K.",
    "Năm 2030, phấn đấu 100% xã đạt chuẩn NTM.",
    "Sản lượng 12.345,678 tấn, tăng 3,05% so với quý IV/2022.",
    "Mã hồ sơ 000123456789012345678, phòng 2B, tầng 3, số nhà 12/4.",
    "Đoạn đường km 12+300 đến km 15+200 sẽ cắt điện từ 6g đến 17g30.",
    "Xem tại congbao.chinhphu.vn hoặc gọi +84 24 3733 1234.",
    "Chương trình 135, Nghị quyết 21-NQ/TW, Chỉ thị 16/CT-TTg, Luật 45/2019/QH14.",
    "Số 1, số 02, số 003 và 0 đồng; 1,2,3; 4.5.6; 7-8-9-10.",
    "Hội nghị BCH Đảng bộ lần thứ 9 khóa XXII năm 2025.",
    "H5N1, 4G, 10A2, A1, Euro 2024, 3D, COVID19, iPhone 15.",
    "Điểm trung bình 8,25; tỷ số 2-1; 50m; 1h; 25/12; 31/2; 99/100.",
]


@pytest.mark.parametrize("text", VARIED)
def test_no_digits_survive(text: str) -> None:
    out = normalize(text)
    assert re.search(r"[0-9]", out) is None, out
    assert normalize(text, region="south") == normalize(text, region="south")
    assert re.search(r"[0-9]", normalize(text, region="south")) is None
