"""Vietnamese cardinal reading (Northern radio standard, Southern variant) and digit strings."""

from __future__ import annotations

import re

from .core import Region

DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# Any run of digits with inner dots/commas; read_numeral decides what the separators mean.
NUM = r"\d+(?:[.,]\d+)*"

_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)*")
_POINT_DECIMAL = re.compile(r"\d+\.\d{1,2}")
_BILLION = 1_000_000_000
# Beyond this a digit string is a code or an identifier, not a quantity anyone says aloud.
_MAX_DIGITS = 15


def _triple(n: int, full: bool, south: bool) -> list[str]:
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if hundreds or full:
                words.append("lẻ" if south else "linh")
            words.append(DIGIT_WORDS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGIT_WORDS[units])
    else:
        words += [DIGIT_WORDS[tens], "mươi"]
        if units == 1:
            words.append("mốt")
        elif units == 5:
            words.append("lăm")
        elif units:
            words.append(DIGIT_WORDS[units])
    return words


def _below_billion(n: int, full: bool, south: bool) -> list[str]:
    words: list[str] = []
    thousand = "ngàn" if south else "nghìn"
    for value, unit in ((n // 1_000_000, "triệu"), (n // 1000 % 1000, thousand), (n % 1000, "")):
        if value == 0:
            # Empty groups are skipped; the next group then carries "không trăm"/"linh".
            continue
        words += _triple(value, full, south)
        if unit:
            words.append(unit)
        full = True
    return words


def _words(n: int, full: bool, south: bool) -> list[str]:
    if n >= _BILLION:
        high, low = divmod(n, _BILLION)
        words = [*_words(high, full, south), "tỷ"]
        if low:
            words += _below_billion(low, True, south)
        return words
    return _below_billion(n, full, south)


def read_number(n: int, *, region: Region = "north") -> str:
    """Cardinal reading of ``n``: 21 -> "hai mươi mốt", 105 -> "một trăm linh năm"."""
    if n < 0:
        return "âm " + read_number(-n, region=region)
    if n == 0:
        return "không"
    return " ".join(_words(n, False, region == "south"))


def read_digits(s: str) -> str:
    """Digit by digit: "0912" -> "không chín một hai"."""
    return " ".join(DIGIT_WORDS[int(c)] for c in s if c.isdigit())


def read_integer(s: str, region: Region = "north") -> str:
    """An integer string; leading zeros of counts are not read ("03" -> "ba")."""
    if len(s) > _MAX_DIGITS:
        return read_digits(s)
    return read_number(int(s), region=region)


def _read_fraction(s: str, region: Region) -> str:
    # A leading zero must be heard ("1,05"), and long tails are easier digit by digit.
    if s.startswith("0") or len(s) > 3:
        return read_digits(s)
    return read_number(int(s), region=region)


def read_numeral(s: str, region: Region = "north", *, point: bool = True) -> str:
    """A written number: a comma is the decimal mark ("phẩy"); a dot before three digits
    groups thousands ("1.592"), a single dot before one or two digits is an English-style
    decimal point ("212.6", as forecast centres write). With ``point=False`` such a dot is
    read "chấm", as in a version or section number ("4.0", "2.1")."""
    if _THOUSANDS.fullmatch(s):
        s = s.replace(".", "")
    elif point and _POINT_DECIMAL.fullmatch(s):
        s = s.replace(".", ",")
    elif "." in s:
        # Neither thousands nor a decimal: a version or section number, "4.0", "1.2.3".
        return " chấm ".join(read_numeral(part, region) for part in s.split("."))
    head, *tails = s.split(",")
    if len(tails) > 1:
        # Two commas make no decimal: a list, "phường 1,2,3".
        return ", ".join(read_numeral(part, region) for part in s.split(","))
    words = [read_integer(head, region)]
    words += [_read_fraction(tail, region) for tail in tails]
    return " phẩy ".join(words)
