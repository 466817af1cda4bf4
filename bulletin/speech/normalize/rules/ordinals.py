"""Ordinals after "thứ" (thứ nhất, thứ tư) and Roman numerals after Chương/khóa/quý/Đại hội..."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..numbers import read_number

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN = r"[IVXLCDM]+"
_VALID_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def roman_value(s: str) -> int | None:
    """Value of a well-formed Roman numeral, else None."""
    if not s or _VALID_ROMAN.fullmatch(s) is None:
        return None
    total = 0
    for i, c in enumerate(s):
        value = _ROMAN_VALUES[c]
        total += -value if i + 1 < len(s) and _ROMAN_VALUES[s[i + 1]] > value else value
    return total


_ORDINAL = re.compile(rf"(?<!\w)((?i:thứ)\s+)(\d{{1,3}}|{_ROMAN})(?![\w]|[.,]\d)")


def _ordinal(m: re.Match[str], ctx: Context) -> str | None:
    prefix, value = m.groups()
    n = int(value) if value.isdigit() else roman_value(value)
    if n is None:
        return None
    if n == 1:
        return prefix + "nhất"
    if n == 4:
        return prefix + "tư"
    return prefix + read_number(n, region=ctx.region)


_QUARTER = re.compile(rf"(?<!\w)((?i:quý)\s+)(\d|{_ROMAN})/(\d{{4}})(?![\d/])")


def _quarter(m: re.Match[str], ctx: Context) -> str | None:
    prefix, value, year = m.groups()
    n = int(value) if value.isdigit() else roman_value(value)
    if n is None or not 1 <= n <= 4:
        return None
    spoken_year = read_number(int(year), region=ctx.region)
    return f"{prefix}{read_number(n, region=ctx.region)} năm {spoken_year}"


_ROMAN_AFTER = re.compile(
    r"(?<!\w)((?i:chương|phần|mục|khóa|khoá|thế kỷ|thế kỉ|quý|đại hội|kỳ họp|hội nghị)\s+)"
    rf"({_ROMAN})(?![\w])"
)


def _roman_after(m: re.Match[str], ctx: Context) -> str | None:
    prefix, value = m.groups()
    n = roman_value(value)
    return None if n is None else prefix + read_number(n, region=ctx.region)


# Standalone I/V/X numerals of two letters or more ("Thế chiến II"); single letters stay letters.
_BARE_ROMAN = re.compile(r"(?<![\w-])[IVX]{2,}(?![\w-])")


def _bare_roman(m: re.Match[str], ctx: Context) -> str | None:
    n = roman_value(m.group(0))
    return None if n is None else read_number(n, region=ctx.region)


RULES = [
    Rule("quarter", _QUARTER, _quarter, needs_digit=True),
    Rule("ordinal", _ORDINAL, _ordinal),
    Rule("roman", _ROMAN_AFTER, _roman_after),
    Rule("roman", _BARE_ROMAN, _bare_roman),
]
