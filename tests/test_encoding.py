"""Decoding announcement bytes: lying charsets, Windows-1258, and legacy TCVN3/VNI text."""

from __future__ import annotations

import codecs
import random
import unicodedata

import pytest

from bulletin.errors import SourceError
from bulletin.text.encoding import decode_bytes, legacy_encoding, tcvn3_to_unicode

NOTICE = (
    "Thông báo: Uỷ ban nhân dân xã tổ chức tiêm chủng cho trẻ em dưới năm tuổi vào sáng thứ "
    "Hai. Đề nghị các hộ gia đình đưa trẻ đến trạm y tế đúng giờ."
)

# The same notice typed with the ABC (TCVN3) fonts, shown through a Latin-1 lens: written
# here byte by byte from the TCVN 5712 table, as old Word files and pasted web text carry it.
NOTICE_TCVN3_BYTES = (
    "Th«ng b¸o: Uû ban nh©n d©n x· tæ chøc tiªm chñng cho trÎ em d­íi n¨m tuæi vµo s¸ng thø "
    "Hai. §Ò nghÞ c¸c hé gia ®×nh ®­a trÎ ®Õn tr¹m y tÕ ®óng giê."
).encode("latin-1")

# VNI-Windows: a base letter followed by a mark ("Vieät", "ñoäc").
VNI_TEXT = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam, Ñoäc laäp - Töï do - Haïnh phuùc".encode(
    "cp1252"
)

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters plus combining tone marks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += base.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258")
    return bytes(out)


def test_utf8_wins_over_a_declared_western_charset() -> None:
    decoded = decode_bytes(NOTICE.encode("utf-8"), "iso-8859-1")
    assert decoded.text == NOTICE and decoded.encoding == "utf-8" and decoded.warning is None


def test_windows_1258_with_combining_tones_comes_out_nfc() -> None:
    raw = to_cp1258(NOTICE)
    assert b"\xd2" in raw  # the hook-above tone travels as a separate combining byte
    decoded = decode_bytes(raw, "windows-1252")
    assert decoded.text == NOTICE
    assert decoded.text == unicodedata.normalize("NFC", decoded.text)
    assert decoded.encoding == "cp1258"


def test_byte_order_marks_decide_the_encoding() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + NOTICE.encode()).text == NOTICE
    assert decode_bytes(codecs.BOM_UTF16_LE + NOTICE.encode("utf-16-le")).text == NOTICE


def test_decomposed_utf8_is_normalized() -> None:
    decomposed = unicodedata.normalize("NFD", NOTICE)
    assert decode_bytes(decomposed.encode()).text == NOTICE


def test_tcvn3_bytes_are_converted_with_a_warning_naming_the_file() -> None:
    decoded = decode_bytes(NOTICE_TCVN3_BYTES, name="thong-bao-cu.txt")
    assert decoded.text == NOTICE
    assert decoded.encoding == "tcvn3"
    assert decoded.warning and "thong-bao-cu.txt" in decoded.warning
    assert "TCVN3" in decoded.warning


def test_tcvn3_pasted_into_a_utf8_page_is_converted_but_unicode_paragraphs_kept() -> None:
    page = "Tin mới về tiêm chủng\n" + NOTICE_TCVN3_BYTES.decode("latin-1")
    decoded = decode_bytes(page.encode("utf-8"), "utf-8", name="https://xa.example.vn/tin/1")
    first, second = decoded.text.split("\n")
    assert first == "Tin mới về tiêm chủng"
    assert second == NOTICE
    assert decoded.warning and "https://xa.example.vn/tin/1" in decoded.warning


def test_tcvn3_headings_typed_in_capitals_stay_capitals() -> None:
    heading = "CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM"
    assert tcvn3_to_unicode(heading) == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert tcvn3_to_unicode("§éc lËp - Tù do - H¹nh phóc") == "Độc lập - Tự do - Hạnh phúc"


def test_vni_text_is_reported_not_guessed() -> None:
    decoded = decode_bytes(VNI_TEXT, name="van-ban.txt")
    assert decoded.encoding == "vni"
    assert decoded.warning and "VNI" in decoded.warning and "van-ban.txt" in decoded.warning


def test_proper_vietnamese_is_not_mistaken_for_a_legacy_encoding() -> None:
    text = NOTICE + " © 2026 Cổng thông tin điện tử xã. Nhiệt độ 25°C, độ ẩm 80%."
    assert legacy_encoding(text) is None
    assert decode_bytes(text.encode()).warning is None


def test_utf8_read_once_as_windows_1252_is_repaired() -> None:
    garbled = "".join(
        chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
        for b in NOTICE.encode("utf-8")
    )
    assert decode_bytes(garbled.encode("utf-8")).text == NOTICE


def test_random_bytes_are_refused_not_read_as_tcvn3() -> None:
    noise = random.Random(14).randbytes(100_000)
    with pytest.raises(SourceError) as caught:
        decode_bytes(noise, name="nhieu.txt")
    assert caught.value.key == "encoding.unreadable"
    assert "nhieu.txt" in str(caught.value)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 40,  # a program, named .txt
        "Thông báo".encode("utf-16-le") * 50,  # UTF-16 without its byte order mark
    ],
    ids=["binary", "utf-16-without-bom"],
)
def test_bytes_that_decode_only_to_control_characters_are_refused(raw: bytes) -> None:
    with pytest.raises(SourceError) as caught:
        decode_bytes(raw, name="x.txt")
    assert caught.value.key == "encoding.unreadable"


def test_a_stray_control_character_does_not_refuse_a_real_notice() -> None:
    page = "\f" + NOTICE + "\x1a"  # a page break and DOS's end-of-file mark
    assert decode_bytes(page.encode("utf-8")).text == page
    assert decode_bytes(NOTICE_TCVN3_BYTES + b"\x00").encoding == "tcvn3"
