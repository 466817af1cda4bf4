"""Dates and their ranges: 31/12, 10/08/2021, "20-22/10", "tháng 1-3/2026"; house numbers."""

from __future__ import annotations

import re

from ..core import Context, Rule, cue_before
from ..letters import spell
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


# After these a "27/3" is a house or lane number, never a date.
_ADDRESS_CUE = re.compile(
    r"(?<!\w)(?:số|số nhà|nhà số|hẻm|ngõ|ngách|kiệt|lô|căn|địa chỉ:?)$", re.IGNORECASE
)


def _valid(day: str | None, month: str) -> bool:
    return 1 <= int(month) <= 12 and (day is None or 1 <= int(day) <= 31)


def _day_month(day: str, month: str, ctx: Context) -> str:
    return f"{read_integer(day, ctx.region)} tháng {MONTHS[int(month)]}"


# Days sharing a month: "20-22/10", "28-30/11/2026", "20 - 22.10".
_DAY_RANGE = re.compile(
    r"(\d(?<![\d.,/-]\d)\d?)\s?[-–]\s?(\d{1,2})([/.])(\d{1,2})(?:\3(\d{4}))?(?![\d/-]|[.,]\d)"
)


def _day_range(m: re.Match[str], ctx: Context) -> str | None:
    first, last, _, month, year = m.groups()
    if not (_valid(first, month) and _valid(last, month)) or int(first) >= int(last):
        return None
    if cue_before(_ADDRESS_CUE, m.string, m.start()):
        return None
    spoken = f"{read_integer(first, ctx.region)} đến {_day_month(last, month, ctx)}"
    if year:
        spoken += f" năm {read_integer(year, ctx.region)}"
    return spoken


# Two whole dates joined by a dash: "30/12-2/1", "25/10/2026 - 5/11/2026".
_DATE = r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?"
_DATE_RANGE = re.compile(
    rf"(\d(?<![\d.,/-]\d)\d?)/(\d{{1,2}})(?:/(\d{{4}}))?\s?[-–]\s?{_DATE}(?![\d/-]|[.,]\d)"
)


def _date_range(m: re.Match[str], ctx: Context) -> str | None:
    day1, month1, year1, day2, month2, year2 = m.groups()
    if not (_valid(day1, month1) and _valid(day2, month2)):
        return None
    if cue_before(_ADDRESS_CUE, m.string, m.start()):
        return None
    spoken = []
    for day, month, year in ((day1, month1, year1), (day2, month2, year2)):
        one = _day_month(day, month, ctx)
        if year:
            one += f" năm {read_integer(year, ctx.region)}"
        spoken.append(one)
    return " đến ".join(spoken)


# Day, month and year with one separator, or a hyphen before the year ("2/9-2025").
_FULL = re.compile(r"(\d(?<![\d.,/-]\d)\d?)([/.-])(\d{1,2})(?:\2|-)(\d{4})(?![\d/-]|[.,]\d)")


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


# Months sharing a year: "tháng 1-3/2026".
_MONTH_RANGE = re.compile(r"(\d(?<![\d.,/-]\d)\d?)\s?[-–]\s?(\d{1,2})/(\d{4})(?![\d/-]|[.,]\d)")
_MONTH_CUE = re.compile(r"(?<!\w)tháng$", re.IGNORECASE)


def _month_range(m: re.Match[str], ctx: Context) -> str | None:
    first, last, year = m.groups()
    if not (_valid(None, first) and _valid(None, last)) or int(first) >= int(last):
        return None
    said_month = cue_before(_MONTH_CUE, m.string, m.start())
    spoken_year = read_integer(year, ctx.region)
    prefix = "" if said_month else "tháng "
    return f"{prefix}{MONTHS[int(first)]} đến tháng {MONTHS[int(last)]} năm {spoken_year}"


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


_SLASH = re.compile(r"(\d(?<![\d.,/-]\d)\d{0,2})/(\d{1,3})(?![\d/-]|[.,]\d)")
_FRACTION_CUE = re.compile(r"\s+(?:số|tổng|diện tích|dân số)\b")


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


# A house number with several slashes ("số 27/3/5", "hẻm 12/4/2"): "trên" between the parts.
_ADDRESS = re.compile(r"\d(?<![\d.,/-]\d)\d{0,3}[A-Z]?(?:/\d{1,4}[A-Z]?)+(?![\w/-]|[.,]\d)")


def _address(m: re.Match[str], ctx: Context) -> str | None:
    if not cue_before(_ADDRESS_CUE, m.string, m.start()):
        return None
    parts = []
    for part in m.group(0).split("/"):
        number = part.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        suffix = part[len(number) :]
        parts.append(read_integer(number, ctx.region) + (" " + spell(suffix) if suffix else ""))
    return " trên ".join(parts)


RULES = [
    Rule("address", _ADDRESS, _address, needs_digit=True),
    Rule("date", _DAY_RANGE, _day_range, needs_digit=True),
    Rule("date", _DATE_RANGE, _date_range, needs_digit=True),
    Rule("date", _FULL, _full, needs_digit=True),
    Rule("date", _MONTH_RANGE, _month_range, needs_digit=True),
    Rule("date", _MONTH_YEAR, _month_year, needs_digit=True),
    Rule("date", _HYPHEN, _hyphen, needs_digit=True),
    Rule("date", _SLASH, _slash, needs_digit=True),
    Rule("date", _MONTH, _month, needs_digit=True),
]
