"""The normalizer in the register of weather, flood and civil-defence warnings and commune
notices, and foreign names read in Vietnamese phonology (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulletin.speech.normalize import normalize
from bulletin.speech.normalize.letters import is_syllable, transliterate
from bulletin.speech.normalize.lexicon import FOREIGN_NAMES, read_lexicon_table


def _said(text: str, **kwargs: object) -> str:
    """Lower case, as the reading conventions compare, with the tens four folded."""
    return normalize(text, **kwargs).lower().replace("mươi tư", "mươi bốn")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Trạm Kỳ Anh đo được 187.4mm.",
            "trạm kỳ anh đo được một trăm tám mươi bảy phẩy bốn mi li mét.",
        ),
        ("Mực nước lúc 13 giờ là 3.27m.", "mực nước lúc mười ba giờ là ba phẩy hai mươi bảy mét."),
        (
            "Vị trí tâm áp thấp ở khoảng 15.8 độ Vĩ Bắc; 112.3 độ Kinh Đông.",
            "vị trí tâm áp thấp ở khoảng mười lăm phẩy tám độ vĩ bắc; "
            "một trăm mười hai phẩy ba độ kinh đông.",
        ),
        (
            "Tâm bão ở 19.2°N, 108.6°E.",
            "tâm bão ở mười chín phẩy hai độ vĩ bắc, một trăm linh tám phẩy sáu độ kinh đông.",
        ),
        ("Mưa 0.8mm.", "mưa không phẩy tám mi li mét."),
        # Exactly three digits after the point: a thousands separator.
        ("Đèo cao 2.306m.", "đèo cao hai nghìn ba trăm linh sáu mét."),
        ("Có 1.250 hộ.", "có một nghìn hai trăm năm mươi hộ."),
        ("Điểm số 8.5 là cao nhất.", "điểm số tám phẩy năm là cao nhất."),
        # A version or a section number keeps "chấm".
        ("Theo mục 3.2 của kế hoạch.", "theo mục ba chấm hai của kế hoạch."),
        ("3.1 Tình hình mưa lũ", "ba chấm một tình hình mưa lũ"),
    ],
)
def test_decimal_point_and_thousands_separator(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Mưa 80mm/12h.", "mưa tám mươi mi li mét trong mười hai giờ."),
        ("Mưa 40-70 mm/24 giờ.", "mưa bốn mươi đến bảy mươi mi li mét trong hai mươi bốn giờ."),
        ("Gió mạnh 25 m/s.", "gió mạnh hai mươi lăm mét trên giây."),
        ("Sức gió 62-74km/h.", "sức gió sáu mươi hai đến bảy mươi bốn ki lô mét trên giờ."),
        ("Lãi suất 1,2%/năm.", "lãi suất một phẩy hai phần trăm một năm."),
        ("Hỗ trợ 350.000 đ/người.", "hỗ trợ ba trăm năm mươi nghìn đồng một người."),
    ],
)
def test_rate_units(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Mưa cục bộ (>90mm/6h).", "mưa cục bộ (trên chín mươi mi li mét trong sáu giờ)."),
        ("Vùng núi cao <3°C.", "vùng núi cao dưới ba độ xê."),
        ("Sóng < 1,5m.", "sóng dưới một phẩy năm mét."),
        ("Lượng mưa ≥ 50mm.", "lượng mưa lớn hơn hoặc bằng năm mươi mi li mét."),
        ("Độ mặn ≤4‰.", None),
        ("Nhiệt độ thấp nhất -3°C.", "nhiệt độ thấp nhất âm ba độ xê."),
        ("Nhiệt độ từ −1 đến 2°C.", "nhiệt độ từ âm một đến hai độ xê."),
        ("Nhiệt độ 18 - 21°C.", "nhiệt độ mười tám đến hai mươi mốt độ xê."),
    ],
)
def test_comparison_signs_and_negative_temperatures(text: str, spoken: str | None) -> None:
    said = _said(text)
    if spoken is None:
        assert "≤" not in said and "nhỏ hơn hoặc bằng bốn" in said
    else:
        assert said == spoken


def test_angle_brackets_that_are_not_comparisons_stay() -> None:
    assert normalize("a<b và x>y") == "a<b và x>y"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Sông Cả tại Yên Thượng ở mức BĐ3.", "sông cả tại yên thượng ở mức báo động ba."),
        ("Lũ lên mức BĐ2-BĐ3.", "lũ lên mức báo động hai đến báo động ba."),
        ("Lũ ở mức BĐ1 - BĐ2.", "lũ ở mức báo động một đến báo động hai."),
        ("Mực nước trên BĐ1 0,35m.", "mực nước trên báo động một không phẩy ba mươi lăm mét."),
        ("Đã vượt BĐII.", "đã vượt báo động hai."),
    ],
)
def test_flood_alert_levels(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Đài KTTV khu vực Nam Trung Bộ cho biết.",
            "đài khí tượng thủy văn khu vực nam trung bộ cho biết.",
        ),
        (
            "BCH PCTT&TKCN tỉnh Hà Tĩnh chỉ đạo.",
            "ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn tỉnh hà tĩnh chỉ đạo.",
        ),
        (
            "BCH PCTT và TKCN thị trấn trực ban.",
            "ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn thị trấn trực ban.",
        ),
        ("BCH PCCC cơ sở diễn tập.", "ban chỉ huy phòng cháy chữa cháy cơ sở diễn tập."),
        ("BCH Công đoàn họp.", "ban chấp hành công đoàn họp."),
        ("ATNĐ mạnh lên thành bão.", "áp thấp nhiệt đới mạnh lên thành bão."),
        ("Ảnh hưởng của KKL tăng cường.", "ảnh hưởng của không khí lạnh tăng cường."),
        ("UBND xã Cẩm Lạc thông báo.", "ủy ban nhân dân xã cẩm lạc thông báo."),
    ],
)
def test_agency_abbreviations(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Sạt lở trên QL14 và QL.1A.", "sạt lở trên quốc lộ mười bốn và quốc lộ một a."),
        ("Ngập tại ĐT.620, TL 8B.", "ngập tại đường tỉnh sáu trăm hai mươi, tỉnh lộ tám bê."),
    ],
)
def test_road_numbers(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Từ 15-17/9 có mưa.", "từ mười lăm đến mười bảy tháng chín có mưa."),
        (
            "Lễ hội ngày 3-5/12/2027.",
            "lễ hội ngày ba đến năm tháng mười hai năm hai nghìn không trăm hai mươi bảy.",
        ),
        ("Rét từ 29/11-1/12.", "rét từ hai mươi chín tháng mười một đến một tháng mười hai."),
        (
            "Mùa mưa tháng 6-8/2026.",
            "mùa mưa tháng sáu đến tháng tám năm hai nghìn không trăm hai mươi sáu.",
        ),
        ("Hạn nộp ngày 14/3.", "hạn nộp ngày mười bốn tháng ba."),
    ],
)
def test_date_ranges_sharing_a_month(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Liên hệ (028) 3930 1234.",
            "liên hệ không hai tám, ba chín ba không, một hai ba bốn.",
        ),
        (
            "Gọi (0258) 3.562.417.",
            "gọi không hai năm tám, ba, năm sáu hai, bốn một bảy.",
        ),
        ("ĐT: 3856 712.", "điện thoại: ba tám năm sáu, bảy một hai."),
        (
            "Gọi (+84) 236 381 220.",
            "gọi cộng tám tư, hai ba sáu, ba tám một, hai hai không.",
        ),
    ],
)
def test_phone_numbers_with_area_codes_read_digit_groups(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Tập trung tại số 45/12 đường Trần Phú.",
            "tập trung tại số bốn mươi lăm trên mười hai đường trần phú.",
        ),
        ("Nhà ở hẻm 8/2/5.", "nhà ở hẻm tám trên hai trên năm."),
        ("Ở ngõ 14/3 phố Huế.", "ở ngõ mười bốn trên ba phố huế."),
        ("Nhà số 16A/2.", "nhà số mười sáu a trên hai."),
    ],
)
def test_house_numbers_are_not_dates(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Mang theo áo mưa, thuốc, v.v.", "mang theo áo mưa, thuốc, vân vân."),
        ("Gạo, mì, v.v. để dự phòng.", "gạo, mì, vân vân để dự phòng."),
        ("Chăn, màn v.v... Bà con chú ý.", "chăn, màn vân vân. bà con chú ý."),
    ],
)
def test_etc(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Xem tại https://kttv.gov.vn/tin-tuc/canh-bao-123.html.",
            "xem tại ca tê tê vê chấm gốp chấm vê en.",
        ),
        (
            "Truy cập www.phongchongthientai.mard.gov.vn để biết thêm.",
            None,
        ),
        ("Gửi về pcttxa@gmail.com.", "gửi về pê xê tê tê ích a a còng gờ meo chấm com."),
    ],
)
def test_urls_read_as_a_short_host(text: str, spoken: str | None) -> None:
    said = _said(text)
    if spoken is not None:
        assert said == spoken
    for spelled in ("hát tê tê pê", "vê kép", "xẹt", "hai chấm", "http", "www", "/"):
        assert spelled not in said, said


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Gió mạnh cấp 9, giật cấp 11.", "gió mạnh cấp chín, giật cấp mười một."),
        (
            "Sức gió cấp 12-13, giật trên cấp 15.",
            "sức gió cấp mười hai đến mười ba, giật trên cấp mười lăm.",
        ),
        (
            "Bắt đầu lúc 21h45 ngày 9/10.",
            "bắt đầu lúc hai mươi mốt giờ bốn mươi lăm phút ngày chín tháng mười.",
        ),
        ("Cắt điện từ 1h-5h sáng.", "cắt điện từ một giờ đến năm giờ sáng."),
        ("Trước 17h ngày 2/8.", "trước mười bảy giờ ngày hai tháng tám."),
    ],
)
def test_beaufort_levels_and_times(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Hồ chứa 412,6 triệu m3 nước.", "hồ chứa bốn trăm mười hai phẩy sáu triệu mét khối nước."),
        ("Độ mặn 6‰ vào sâu 25km.", "độ mặn sáu phần nghìn vào sâu hai mươi lăm ki lô mét."),
        (
            "Sơ tán 812 hộ/2.905 khẩu.",
            "sơ tán tám trăm mười hai hộ, hai nghìn chín trăm linh năm khẩu.",
        ),
        ("Gió giật > cấp 9.", "gió giật trên cấp chín."),
        (
            "Sạt lở tại Km27+450 QL8A.",
            "sạt lở tại ki lô mét hai mươi bảy cộng bốn trăm năm mươi quốc lộ tám a.",
        ),
        ("Báo Nông thôn & Đời sống.", "báo nông thôn và đời sống."),
        ("Lượng mưa tính bằng mm.", "lượng mưa tính bằng mi li mét."),
    ],
)
def test_warning_register_odds_and_ends(text: str, spoken: str) -> None:
    assert _said(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Khoảng 14-16h chiều mai.", "khoảng mười bốn đến mười sáu giờ chiều mai."),
        ("Mưa từ 20h/3 đến 02h/4.", "mưa từ hai mươi giờ ngày ba đến hai giờ ngày bốn."),
        ("Dự báo lúc 10h/15/8.", "dự báo lúc mười giờ ngày mười lăm tháng tám."),
        (
            "Phía Bắc vĩ tuyến 16,5N; phía Đông kinh tuyến 112.0E.",
            "phía bắc vĩ tuyến mười sáu phẩy năm độ bắc; "
            "phía đông kinh tuyến một trăm mười hai phẩy không độ đông.",
        ),
        ("Tâm bão ở 21,3N.", "tâm bão ở hai mươi mốt phẩy ba độ vĩ bắc."),
        ("Ngập ở khối 2,5,7.", "ngập ở khối hai, năm, bảy."),
        ("Theo Sở LĐ-TB&XH tỉnh.", "theo sở lao động thương binh và xã hội tỉnh."),
        ("Báo cáo tình hình KT-XH quý này.", "báo cáo tình hình kinh tế xã hội quý này."),
        ("Bụi mịn PM2.5 tăng.", "bụi mịn pê em hai phẩy năm tăng."),
        ("Ổ dịch cúm A/H5N6.", "ổ dịch cúm a hát năm en sáu."),
        ("Ngập tuyến DH7.", "ngập tuyến đường huyện bảy."),
        (
            "Cắt điện TBA Đồng Bông 2, máy 320kVA.",
            "cắt điện trạm biến áp đồng bông hai, máy ba trăm hai mươi ki lô vôn am pe.",
        ),
    ],
)
def test_forecast_tables_codes_and_notices(text: str, spoken: str) -> None:
    assert re.sub(r"\s+-\s+", " ", _said(text)) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # A measured total over a span of time, against a price per span.
        ("Mưa 60mm/12 giờ.", "mưa sáu mươi mi li mét trong mười hai giờ."),
        ("Thuê 400.000 đồng/3 giờ.", "thuê bốn trăm nghìn đồng trên ba giờ."),
        ("Bán 45.000 đ/1 kg.", "bán bốn mươi lăm nghìn đồng một ki lô gam."),
        # A licence plate keeps its serial digit by digit, spaces around the dash or not.
        ("Xe 74C - 315.62 bị cuốn trôi.", "xe bảy tư xê, ba một năm sáu hai bị cuốn trôi."),
        # "đường ĐT.613" is not "đường đường tỉnh".
        ("Sạt lở đường ĐT.613.", "sạt lở đường tỉnh sáu trăm mười ba."),
    ],
)
def test_rates_plates_and_roads_in_context(text: str, spoken: str) -> None:
    assert _said(text).replace("bảy bốn", "bảy tư") == spoken


def test_initials_and_highland_place_names() -> None:
    # A name's initial consonant is one sound, not two letter names.
    assert _said("Anh Tr. và chị Ph. được cứu.") == "anh trờ. và chị phờ. được cứu."
    # After a place word a name in Latin letters is a Vietnamese place: read as written.
    assert normalize("Ngập ở xã Ia Hrú, buôn Kmrơng.") == "Ngập ở xã Ia Hrú, buôn Kmrơng."
    assert normalize("Sạt lở tại làng Kdoh.") == "Sạt lở tại làng Kdoh."
    # Elsewhere a foreign name is respelled.
    assert "Kdoh" not in normalize("Ông Kdoh phát biểu.")


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Đỉnh lũ ở mức BĐ3+0,4m.", "đỉnh lũ ở mức báo động ba cộng không phẩy bốn mét."),
        ("Địa chỉ: 41/7 Hùng Vương.", "địa chỉ: bốn mươi mốt trên bảy hùng vương."),
        ("TT Y tế huyện và TT Hương Khê.", "trung tâm y tế huyện và thị trấn hương khê."),
        ("Lượng mưa cao hơn TBNN.", "lượng mưa cao hơn trung bình nhiều năm."),
        ("GMĐB tràn về BTB.", "gió mùa đông bắc tràn về bắc trung bộ."),
        ("Hồ thấp hơn MNDBT.", "hồ thấp hơn mực nước dâng bình thường."),
        ("Nạp tiền qua ZaloPay-Viettel.", "nạp tiền qua da lô pây vi ét ten."),
    ],
)
def test_more_of_the_register(text: str, spoken: str) -> None:
    assert _said(text) == spoken


def test_vietnamese_host_names_are_read_as_syllables() -> None:
    assert _said("Xem baoninhbinh.gov.vn.") == "xem bao ninh binh chấm gốp chấm vê en."


# --- Foreign names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Theo dõi trang Zalo của xã.", "theo dõi trang da lô của xã."),
        ("Kênh YouTube và TikTok.", "kênh diu túp và tích tốc."),
        ("Kích hoạt tài khoản VNeID mức 2.", "kích hoạt tài khoản vê nê ai đi mức hai."),
        ("Khuyến cáo của WHO và UNICEF.", "khuyến cáo của vê kép hát ô và u ni xép."),
        ("Dịch COVID còn phức tạp.", "dịch cô vít còn phức tạp."),
        ("Hiện tượng La Nina.", "hiện tượng la ni na."),
        # "AI" is read as the acronym only in capitals; "Ai" is the Vietnamese word.
        ("Ai cần hỗ trợ về AI?", "ai cần hỗ trợ về ây ai?"),
    ],
)
def test_shipped_foreign_names(text: str, spoken: str) -> None:
    assert _said(text) == spoken


def test_every_shipped_reading_is_made_of_vietnamese_syllables() -> None:
    for written, spoken in FOREIGN_NAMES.items():
        bad = [word for word in spoken.split() if not is_syllable(word)]
        assert not bad, (written, spoken, bad)


@pytest.mark.parametrize(
    "word", ["Samsung", "Netflix", "Bitcoin", "Telegram", "Wechat", "Ukraine", "Podcast", "Yagi"]
)
def test_unknown_foreign_words_are_respelled_in_vietnamese_syllables(word: str) -> None:
    said = normalize(f"Tin về {word} hôm nay.")
    assert word not in said
    words = re.findall(r"[^\W\d_]+", said)
    assert all(is_syllable(w) for w in words), said


def test_syllable_check_knows_what_the_voice_would_read_as_english() -> None:
    for english in ("vet", "gram", "ce", "rain", "crô", "show"):
        assert not is_syllable(english)
    for vietnamese in ("vét", "nghiêng", "khuya", "quốc", "huỳnh", "xoong", "Kông"):
        assert is_syllable(vietnamese)
    assert transliterate("Samsung") == "xam xung"
    assert transliterate("mnp") is None


@pytest.mark.parametrize(
    "text",
    [
        "Bão số 3 đổ bộ vào Quảng Ninh, mưa to ở Hà Nội.",
        "Gia đình ông Ban ở thôn Tân Tiến, xã Ea Kar, Kon Tum, Pleiku.",
        "TIN BAO KHAN CAP",
    ],
)
def test_vietnamese_words_and_place_names_are_kept(text: str) -> None:
    said = normalize(text)
    for word in re.findall(r"[^\W\d_]+", text):
        if word.isalpha() and not word.isupper():
            assert word in said, (word, said)


def test_station_lexicon_extends_and_overrides_foreign_names() -> None:
    station = {"Zalo": "gia lô", "Shopee": "sốp pi", "webinar": "oép bi na"}
    # Overrides the shipped reading, in any case.
    assert _said("Nhóm Zalo và nhóm zalo.", lexicon=station) == "nhóm gia lô và nhóm gia lô."
    # Adds names, matched in any case, where a respelling was the fallback before.
    assert _said("Mua trên SHOPEE hoặc Shopee.", lexicon=station) == (
        "mua trên sốp pi hoặc sốp pi."
    )
    assert _said("Tham gia webinar.", lexicon=station) == "tham gia oép bi na."
    # Without it the shipped readings and the respelling stand.
    assert _said("Nhóm Zalo.") == "nhóm da lô."
    assert "Shopee" not in normalize("Mua trên Shopee.")


def test_lexicon_table_names_its_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "names.tsv"
    path.write_text("# comment\nGrab\tgờ ráp\nbroken line\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"names.tsv:3"):
        read_lexicon_table(path)


def test_voice_reads_foreign_names_without_switching_to_english() -> None:
    """eSpeak NG's Vietnamese voice marks a switch to English as "(en)" in its phonemes."""
    pytest.importorskip("espeakng_loader")
    phonemes = _espeak_phonemes()
    # The probe can fail: raw brand names do switch the voice.
    assert "(en)" in phonemes("Facebook và Zalo")
    text = (
        "Theo dõi Facebook, Zalo, YouTube, TikTok và Google của xã; cài VNeID; "
        "khuyến cáo của WHO, UNICEF về COVID; mua trên Shopee, Lazada; "
        "điện thoại Samsung, iPhone; bão Yagi; phần mềm Microsoft Windows; livestream, online."
    )
    spoken = normalize(text)
    assert "(en)" not in phonemes(spoken), spoken


def _espeak_phonemes():  # type: ignore[no-untyped-def]
    import ctypes

    from bulletin.speech.tts.espeak import _LOCK, _get_library

    def phonemes(text: str) -> str:
        with _LOCK:
            library = _get_library()
            library.set_voice("vi")
            lib = library.lib
            lib.espeak_TextToPhonemes.argtypes = (
                ctypes.POINTER(ctypes.c_void_p),
                ctypes.c_int,
                ctypes.c_int,
            )
            lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
            buffer = ctypes.create_string_buffer(text.encode())
            pointer = ctypes.c_void_p(ctypes.addressof(buffer))
            out = []
            while pointer.value:
                # 1 = UTF-8 text; 0x02 = IPA phonemes, which mark a language switch "(en)".
                out.append(
                    (lib.espeak_TextToPhonemes(ctypes.byref(pointer), 1, 0x02) or b"").decode()
                )
            return " ".join(out)

    return phonemes


def test_station_lexicon_yaml_extends_and_overrides_the_shipped_names(tmp_path: Path) -> None:
    from bulletin.workspace import StationConfig, Workspace

    (tmp_path / "lexicon.yaml").write_text(
        "# the station's own readings\nZalo: gia lô\nMessenger: mét xen giơ\nPleiku: Plây Cu\n",
        encoding="utf-8",
    )
    station = Workspace(tmp_path, StationConfig()).lexicon()
    said = _said("Nhắn qua Zalo, zalo hoặc Messenger; đi Pleiku; xem YouTube.", lexicon=station)
    assert said == "nhắn qua gia lô, gia lô hoặc mét xen giơ; đi plây cu; xem diu túp."


def test_a_date_with_a_hyphen_before_its_year_is_a_date() -> None:
    assert normalize("Dịp Quốc khánh 2/9-2025 xã treo cờ.") == (
        "Dịp Quốc khánh hai tháng chín năm hai nghìn không trăm hai mươi lăm xã treo cờ."
    )
    assert normalize("Từ 15/3-2026 xã thu phí.") == (
        "Từ mười lăm tháng ba năm hai nghìn không trăm hai mươi sáu xã thu phí."
    )
