"""Bytes to NFC text: BOM, a distrusted declared charset, Windows-1258, and the legacy
Vietnamese font encodings (TCVN3 converted to Unicode, VNI recognised and reported)."""

from __future__ import annotations

import codecs
import contextlib
import re
import unicodedata
from dataclasses import dataclass

from bulletin.errors import SourceError
from bulletin.messages import t

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VOWELS = "aăâeêioôơuưy"
VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", vowel + tone)
    for vowel in _VOWELS + _VOWELS.upper()
    for tone in _TONES
) - frozenset("aeiouyAEIOUY") | frozenset("đĐ")
"""Letters with Vietnamese diacritics (NFC): finding many of them means the decoding is right."""

# TCVN 5712:1993 "VN3" (the ABC fonts .VnTime, .VnArial): one byte per precomposed lowercase
# letter; capitals with tones need a separate "H" font that reuses the same bytes, so the
# byte alone cannot say upper or lower case.
_TCVN3_LETTERS = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
_TCVN3_TABLE = {chr(code): letter for code, letter in _TCVN3_LETTERS.items()}
_TCVN3_TONED = frozenset(letter for code, letter in _TCVN3_LETTERS.items() if code >= 0xB5)

# Bytes A8–BE are TCVN3's commonest letters (ă â ê ô ơ ư đ, à á ạ ả ã ...); Unicode and
# Windows-1258 Vietnamese only use them as rare symbols, never glued to letters.
_TCVN3_SIGNS = re.compile(r"[A-Za-z][\xa8-\xbe]|[\xa8-\xbe][A-Za-z]")
# VNI writes a base letter then a mark byte: "Vieät", "hoaø", "ñoäc"; ø û ï ä å ë ü æ
# after a vowel, and ñ for đ, never occur in Vietnamese written in Unicode.
_VNI_SIGNS = re.compile(r"[aeiouyAEIOUY][øûïäåëüæ]|\b[ñÑ][aeiouyAEIOUYöô]|öô")
# How UTF-8 Vietnamese looks after a wrong Latin-1 decode: "Æ°" for ư, "áº¡" for ạ.
_MOJIBAKE = re.compile(r"[ÃÄ][\x80-\xbf]|Æ°|á[º»]|Ä‘")


MAX_UNREADABLE_SHARE = 0.05
"""Above this share of unreadable characters the bytes are not text in any encoding we know.
Real notices have none, or a stray form feed; random bytes give a fifth or more."""
# Spaces, line and page breaks are layout; every other control character is unreadable, as
# are private-use code points (no font agrees on them), surrogates and U+FFFD.
_LAYOUT = " \t\n\r\f\v"
_UNREADABLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]"
)


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, and how."""

    text: str
    """NFC text."""
    encoding: str
    """The codec used ("utf-8", "cp1258", ...), or "tcvn3"/"vni" for legacy font encodings."""
    warning: str | None = None
    """A message for a person when the text uses a legacy encoding."""


def decode_bytes(raw: bytes, declared: str | None = None, *, name: str = "") -> Decoded:
    """Decode `raw`, trusting `declared` (an HTTP or meta charset) only when it fits the bytes.

    `name` (a file or URL) goes into the warning about legacy encodings. Bytes that no
    decoding turns into readable text (a binary file, noise) raise SourceError.
    """
    decoded = _decode(raw, declared, name)
    share = unreadable_share(decoded.text)
    if share > MAX_UNREADABLE_SHARE:
        raise SourceError("encoding.unreadable", name=name or "?", percent=round(share * 100))
    return decoded


def unreadable_share(text: str) -> float:
    """The share of `text`'s visible characters that no reader can say: control characters,
    private-use code points, lone surrogates and U+FFFD (an undecodable byte)."""
    visible = len(text) - sum(text.count(ch) for ch in _LAYOUT)
    if visible <= 0:
        return 0.0
    return len(_UNREADABLE.findall(text)) / visible


def _decode(raw: bytes, declared: str | None, name: str) -> Decoded:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _finish(raw.decode(codec, errors="replace").lstrip("\ufeff"), codec, name)
    try:
        # Valid UTF-8 with non-ASCII bytes is almost never an accident, whatever the server
        # declares: portals routinely say windows-1252 or iso-8859-1 and send UTF-8.
        return _finish(raw.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError:
        pass
    # Legacy font encodings are plain bytes read through a Latin-1 lens.
    latin = raw.decode("latin-1")
    legacy = legacy_encoding(latin)
    if legacy == "TCVN3":
        return Decoded(_nfc(tcvn3_to_unicode(latin)), "tcvn3", _warning("encoding.converted", name))
    if legacy == "VNI":
        return Decoded(_nfc(latin), "vni", _warning("encoding.legacy", name, "VNI"))
    best: tuple[int, int, str, str] | None = None
    for rank, codec in enumerate(_candidates(raw, declared)):
        try:
            text = _nfc(raw.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
        score = _vietnamese_score(text)
        # Higher score wins; on a tie the earlier candidate (the declared charset) does.
        if best is None or (score, -rank) > (best[0], best[1]):
            best = (score, -rank, codec, text)
    if best is None:
        return _finish(raw.decode("cp1258", errors="replace"), "cp1258", name)
    return _finish(best[3], best[2], name)


def legacy_encoding(text: str) -> str | None:
    """'TCVN3' or 'VNI' when `text` looks like Vietnamese typed in a legacy font encoding."""
    letters = sum(ch.isalpha() for ch in text) or 1
    tcvn = len(_TCVN3_SIGNS.findall(text))
    vni = len(_VNI_SIGNS.findall(text))
    score, kind = max((tcvn, "TCVN3"), (vni, "VNI"))
    # Two signs in a short title, or a steady rate in a long text; a stray "®" is neither.
    if score >= 2 and (score >= 8 or score / letters >= 0.02):
        return kind
    return None


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text (read as Latin-1 code points) to Unicode, paragraph by paragraph.

    A paragraph holding characters beyond Latin-1 is already Unicode and is left alone, so a
    page mixing a pasted TCVN3 passage with Unicode text keeps its Unicode part.
    """
    return "\n".join(_tcvn3_line(line) for line in text.split("\n"))


def _tcvn3_line(line: str) -> str:
    if any(ord(ch) > 0xFF for ch in line) or not _TCVN3_SIGNS.search(line):
        return line
    converted = "".join(_TCVN3_TABLE.get(ch, ch) for ch in line)
    # Headings typed in the capitals font (.VnTimeH) come out as "CộNG HOà": when every
    # letter that is not a toned TCVN3 byte is a capital, the line or word was all capitals.
    if _all_capitals(converted, minimum=3):
        return converted.upper()
    return " ".join(w.upper() if _all_capitals(w, minimum=2) else w for w in converted.split(" "))


def _all_capitals(text: str, *, minimum: int) -> bool:
    plain = [ch for ch in text if ch.isalpha() and ch not in _TCVN3_TONED]
    return len(plain) >= minimum and all(ch.isupper() for ch in plain)


def _candidates(raw: bytes, declared: str | None) -> list[str]:
    codecs_: list[str] = []
    if declared:
        with contextlib.suppress(LookupError):
            codecs_.append(codecs.lookup(declared.strip().strip("\"'")).name)
    codecs_.append("cp1258")
    from charset_normalizer import from_bytes

    guess = from_bytes(raw).best()
    if guess is not None and guess.encoding:
        codecs_.append(guess.encoding)
    codecs_.append("cp1252")
    return list(dict.fromkeys(codecs_))


def _vietnamese_score(text: str) -> int:
    good = sum(ch in VIETNAMESE_LETTERS for ch in text)
    # C1 controls, stray combining marks and letters foreign to Vietnamese mean a wrong codec.
    bad = sum(
        0x80 <= ord(ch) <= 0x9F or ch == "\ufffd" or unicodedata.combining(ch) > 0 for ch in text
    )
    bad += sum(ch in "ðÐþÞøØåÅæÆßœŒšŠžŽ" for ch in text)
    return good - 3 * bad


def _finish(text: str, encoding: str, name: str) -> Decoded:
    text = _nfc(text)
    text = _repair_double_utf8(text)
    legacy = legacy_encoding(text)
    if legacy == "TCVN3":
        converted = _nfc(tcvn3_to_unicode(text))
        return Decoded(converted, encoding, _warning("encoding.converted", name))
    if legacy == "VNI":
        return Decoded(text, encoding, _warning("encoding.legacy", name, "VNI"))
    return Decoded(text, encoding)


def _repair_double_utf8(text: str) -> str:
    """UTF-8 that went through a Windows-1252 decoder once already ("ThÃ´ng bÃ¡o")."""
    if len(_MOJIBAKE.findall(text)) < 3:
        return text
    raw = bytearray()
    for ch in text:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            # Browsers pass the five bytes cp1252 leaves undefined through as C1 controls.
            if ord(ch) > 0xFF:
                return text
            raw.append(ord(ch))
    try:
        repaired = _nfc(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return text
    return repaired if _vietnamese_score(repaired) > _vietnamese_score(text) else text


def _nfc(text: str) -> str:
    # Windows-1258 and some editors store tones as combining marks; NFC rejoins them.
    return unicodedata.normalize("NFC", text)


def _warning(key: str, name: str, encoding: str = "TCVN3") -> str:
    return t(key, name=name or "?", encoding=encoding)
