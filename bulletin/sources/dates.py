"""Dates as feeds and portal pages write them: RFC 822, ISO 8601, Vietnamese day-first numbers,
"ngày 27 tháng 7 năm 2021", and the .NET US-style fields some feeds carry."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

EARLIEST_YEAR = 1990
LATEST_YEAR = 2100
"""Outside these, a date is a CMS placeholder (0001-01-01, 1970-01-01) or a typo."""

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_RFC822 = re.compile(
    r"^(?:[A-Za-z]{2,9}\.?,?\s*)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})"
    r"\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(.*)$"
)
_OFFSET = re.compile(r"^(?:GMT|UTC|UT)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.I)
_ZONE_NAMES = {"GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "ICT": 7 * 60}

_D, _M, _Y = r"(?P<d>\d{1,2})", r"(?P<m>\d{1,2})", r"(?P<y>\d{4})"
# "16:30", "16h30", "4g30 CH", "6:44:00 PM", "9:00 a.m.": SA/CH are Vietnamese AM/PM.
# The lookahead keeps "CH" from being read out of "Chủ nhật".
_HM = (
    r"(?P<H>\d{1,2})\s*[:hg]\s*(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<ampm>[ap]\.?m\.?|sa|ch)(?!\w))?"
)
_CLOCK = re.compile(rf"(?<!\d){_HM}", re.I)
_NUMERIC_DATE = re.compile(rf"(?<!\d){_D}[/.-]{_M}[/.-]{_Y}(?!\d)")
# "27/07/2021 | 04:30 PM", "Thứ hai, 27/07/2021 16:30", "27-07-2021 - 16h30"
_DATE_TIME = re.compile(rf"\b{_D}[/.-]{_M}[/.-]{_Y}\s*(?:[|,-]|lúc)?\s*{_HM}", re.I)
# "16:30 27/07/2021", "10:38, Thứ Ba, 27/7/2021"
_TIME_DATE = re.compile(
    rf"\b{_HM}\s*(?:[|,-]|ngày)?\s*(?:(?:thứ\s+\w+|chủ nhật)\s*,?\s*)?(?:ngày\s*)?"
    rf"{_D}[/.-]{_M}[/.-]{_Y}",
    re.I,
)
_DATE_ONLY = re.compile(rf"\b{_D}[/.-]{_M}[/.-]{_Y}\b")
_DATE_WORDS = re.compile(rf"ngày\s+{_D}\s+tháng\s+{_M}\s+năm\s+{_Y}", re.I)
_DATE_LINE_WORDS = re.compile(r"ngày đăng|view count|lượt xem|cập nhật|\d+|[|:,-]", re.I)


def parse_date(text: str, zone: tzinfo, *, keep_offset: bool = False) -> datetime | None:
    """The moment a date field (a feed's pubDate, a page's <meta>/<time>) names, or None.

    Without a time zone it is the station's time, `zone`; one with its own offset is shown in
    `zone`, unless `keep_offset`. A numeric date is day first, as Vietnamese writes it, unless
    its second number cannot be a month or an English AM/PM marks .NET's US format.
    """
    text = " ".join(text.split())
    moment = _rfc822(text) or _iso(text) or _numeric(text) or _in_words(text)
    if moment is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment if keep_offset else moment.astimezone(zone)


def date_in_text(text: str, zone: tzinfo, *, allow_date_only: bool) -> datetime | None:
    """The first date with a time of day written in `text`, as station time, or None.

    With `allow_date_only`, a date without a time (at midnight) is taken too, but only when
    no date in the text has one: where prose gives both, the dated-and-timed one is the stamp.
    Day first always: on a Vietnamese page "10/04/2020 10:38 AM" is the 10th of April.
    """
    text = " ".join(text.split())
    patterns = [_DATE_TIME, _TIME_DATE]
    if allow_date_only:
        patterns += [_DATE_ONLY, _DATE_WORDS]
    for pattern in patterns:
        for match in pattern.finditer(text):
            moment = _moment(match, zone)
            if moment is not None:
                return moment
    return None


def is_date_line(line: str) -> bool:
    """A date stamp ("Ngày đăng 10/04/2020 | 10:38 AM | Lượt xem: 1390"), not prose citing one."""
    rest = _DATE_TIME.sub(" ", line)
    rest = _DATE_ONLY.sub(" ", rest)
    rest = _DATE_LINE_WORDS.sub(" ", rest)
    return len(rest.split()) <= 2 and rest != line


def _rfc822(text: str) -> datetime | None:
    match = _RFC822.match(text)
    if match is None:
        return None
    day, month_name, year, hour, minute, second, zone = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        moment = datetime(full_year, month, int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    offset = _offset_minutes(zone)
    return moment if offset is None else moment.replace(tzinfo=timezone(timedelta(minutes=offset)))


def _offset_minutes(zone: str) -> int | None:
    zone = zone.strip()
    if not zone:
        return None
    if zone.upper() in _ZONE_NAMES:
        return _ZONE_NAMES[zone.upper()]
    match = _OFFSET.match(zone)
    if match is None:
        return None  # an unknown name: the station's own time is the likeliest reading
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes or 0)
    return -total if sign == "-" else total


def _iso(text: str) -> datetime | None:
    # The year first is what tells ISO apart; fromisoformat alone would also try the rest.
    if not re.match(r"^\d{4}", text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _numeric(text: str) -> datetime | None:
    """`14/09/2026 18:44` (Vietnamese) or `9/14/2026 6:44:00 PM` (US-style .NET portals)."""
    date = _NUMERIC_DATE.search(text)
    if date is None:
        return None
    first, second, year = int(date["d"]), int(date["m"]), int(date["y"])
    # A field holds one moment, so its time of day may stand anywhere around the date.
    clock = _CLOCK.search(text[: date.start()] + " " + text[date.end() :])
    english = clock is not None and (clock["ampm"] or "").lower()[:1] in ("a", "p")
    if second > 12 or (first <= 12 and english):
        day, month = second, first
    else:
        day, month = first, second
    hour, minute, sec = _clock_time(clock) if clock is not None else (0, 0, 0)
    try:
        return datetime(year, month, day, hour, minute, sec)
    except ValueError:
        return None


def _in_words(text: str) -> datetime | None:
    match = _DATE_WORDS.search(text)
    if match is None:
        return None
    try:
        return datetime(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def _moment(match: re.Match[str], zone: tzinfo) -> datetime | None:
    """Station time from a match of the day-first patterns, None for an impossible date."""
    timed = match.groupdict().get("H") is not None
    hour, minute, second = _clock_time(match) if timed else (0, 0, 0)
    try:
        moment = datetime(
            int(match["y"]), int(match["m"]), int(match["d"]), hour, minute, second, tzinfo=zone
        )
    except ValueError:
        return None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    return moment


def _clock_time(match: re.Match[str]) -> tuple[int, int, int]:
    """Hour (0-23), minute and second of a match of `_HM`."""
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    meridiem = (match["ampm"] or "").lower()[:1]
    # "sa" (sáng) is the morning and "ch" (chiều) the afternoon, like AM and PM.
    if meridiem in ("p", "c") and hour < 12:
        hour += 12
    elif meridiem in ("a", "s") and hour == 12:
        hour = 0
    return hour, minute, second
