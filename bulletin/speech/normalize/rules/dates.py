"""Dates: 31/12, 10/08/2021, 10-08-2021, "tháng 4", "tháng 3/2022", "sáng 8-3"."""

from __future__ import annotations

import re

from ..core import Context, Rule, cue_before
from ..numbers import read_integer

MONTHS = (
    "",
    "một",
    "hai",
    "ba",
    "tư",
    "năm",
    "sáu",
    "bảy",
    "tám",
    "chín",
    "mười",
    "mười một",
    "mười hai",
)


def _valid(day: str | None, month: str) -> bool:
    return 1 <= int(month) <= 12 and (day is None or 1 <= int(day) <= 31)


def _day_month(day: str, month: str, ctx: Context) -> str:
    return f"{read_integer(day, ctx.region)} tháng {MONTHS[int(month)]}"


_FULL = re.compile(r"(?<![\d.,/-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/-]|[.,]\d)")


def _full(m: re.Match[str], ctx: Context) -> str | None:
    day, _, month, year = m.groups()
    if not _valid(day, month):
        return None
    return f"{_day_month(day, month, ctx)} năm {read_integer(year, ctx.region)}"


_MONTH_YEAR = re.compile(r"(?<![\d.,/-])((?i:tháng)\s+)?(\d{1,2})/(\d{4})(?![\d/-]|[.,]\d)")


def _month_year(m: re.Match[str], ctx: Context) -> str | None:
    prefix, month, year = m.groups()
    if not _valid(None, month):
        return None
    return f"{prefix or 'tháng '}{MONTHS[int(month)]} năm {read_integer(year, ctx.region)}"


# A hyphenated day-month is only a date after a word that announces one ("sáng 8-3").
_HYPHEN = re.compile(
    r"(?<!\w)((?i:ngày|mồng|mùng|sáng|trưa|chiều|tối|đêm|hôm)\s+)(\d{1,2})-(\d{1,2})"
    r"(?![\d/-]|[.,]\d)"
)


def _hyphen(m: re.Match[str], ctx: Context) -> str | None:
    prefix, day, month = m.groups()
    if not _valid(day, month):
        return None
    return prefix + _day_month(day, month, ctx)


_SLASH = re.compile(r"(?<![\d.,/-])(\d{1,3})/(\d{1,3})(?![\d/-]|[.,]\d)")
_FRACTION_CUE = re.compile(r"\s+(?:số|tổng|diện tích|dân số)\b")
_ADDRESS_CUE = re.compile(r"(?:số nhà|nhà số|hẻm|ngõ|ngách|kiệt|kiệt số|hẻm số)$", re.IGNORECASE)


def _slash(m: re.Match[str], ctx: Context) -> str | None:
    day, month = m.groups()
    # "2/3 số hộ" is a share, "số nhà 12/4" an address, and 24/24 cannot be a date.
    left, right = read_integer(day, ctx.region), read_integer(month, ctx.region)
    if not _valid(day, month) or cue_before(_ADDRESS_CUE, m.string, m.start()):
        return f"{left} trên {right}"
    if _FRACTION_CUE.match(m.string, m.end()):
        return f"{left} phần {right}"
    return _day_month(day, month, ctx)


_MONTH = re.compile(r"(?<!\w)((?i:tháng)\s+)(\d{1,2})(?![\d:/]|[.,]\d)")


def _month(m: re.Match[str], ctx: Context) -> str | None:
    prefix, month = m.groups()
    if not _valid(None, month):
        return None
    return prefix + MONTHS[int(month)]


RULES = [
    Rule("date", _FULL, _full, needs_digit=True),
    Rule("date", _MONTH_YEAR, _month_year, needs_digit=True),
    Rule("date", _HYPHEN, _hyphen, needs_digit=True),
    Rule("date", _SLASH, _slash, needs_digit=True),
    Rule("date", _MONTH, _month, needs_digit=True),
]
