"""Clock times: 6h30, 06:30, 7h00, 8g30, 21h, ranges ("18h-20h", "13-15h"), "19h/16"."""

from __future__ import annotations

import re

from ..core import Context, Rule, cue_before
from ..numbers import read_integer
from .dates import MONTHS

_ONE = r"\d{1,2}(?:h|g|:(?=\d{2}))(?:\d{2}(?::\d{2})?)?(?:'|p(?!\w))?"
_TIME = re.compile(rf"(?<![\w.,:/]){_ONE}(?:\s*[-–]\s*{_ONE})?(?![\w:])")
_PARTS = re.compile(r"(\d{1,2})([hg:])(\d{2})?(?::(\d{2}))?")
# "16g" alone could be grams; only read it as a time where a time is expected.
_TIME_CUE = re.compile(r"(?:lúc|từ|đến|tới|khoảng|vào|trước|sau|[-–])$", re.IGNORECASE)


def _one(hour: str, sep: str, minute: str | None, second: str | None, ctx: Context) -> str | None:
    if int(hour) > 24 or (minute and int(minute) > 59) or (second and int(second) > 59):
        return None
    words = [read_integer(hour, ctx.region), "giờ"]
    if minute and int(minute):
        words += [read_integer(minute, ctx.region), "phút"]
    if second and int(second):
        words += [read_integer(second, ctx.region), "giây"]
    return " ".join(words)


def _time(m: re.Match[str], ctx: Context) -> str | None:
    spoken = []
    for i, part in enumerate(_PARTS.finditer(m.group(0))):
        hour, sep, minute, second = part.groups()
        if sep == "g" and not minute and i == 0 and not cue_before(_TIME_CUE, m.string, m.start()):
            return None
        one = _one(hour, sep, minute, second, ctx)
        if one is None:
            return None
        spoken.append(one)
    return " đến ".join(spoken)


# "13-15h": only the second hour carries the "h"; the first is read as an hour too.
_BARE_HOUR_RANGE = re.compile(r"(\d(?<![\w.,:/]\d)\d?)\s?[-–]\s?(?=\d{1,2}[hg](?:\d{2})?(?![\w:]))")


def _bare_hour(m: re.Match[str], ctx: Context) -> str | None:
    if int(m.group(1)) > 24:
        return None
    return f"{read_integer(m.group(1), ctx.region)} đến "


# An hour with its day, as forecast tables write it: "19h/16", "04h/07/9".
_HOUR_DAY = re.compile(r"(\d(?<![\w.,:/]\d)\d?)h(\d{2})?/(\d{1,2})(?:/(\d{1,2}))?(?![\d/]|[.,]\d)")


def _hour_day(m: re.Match[str], ctx: Context) -> str | None:
    hour, minute, day, month = m.groups()
    if not 1 <= int(day) <= 31 or (month and not 1 <= int(month) <= 12):
        return None
    spoken = _one(hour, "h", minute, None, ctx)
    if spoken is None:
        return None
    spoken += f" ngày {read_integer(day, ctx.region)}"
    if month:
        spoken += f" tháng {MONTHS[int(month)]}"
    return spoken


RULES = [
    Rule("time", _HOUR_DAY, _hour_day, needs_digit=True),
    Rule("time", _BARE_HOUR_RANGE, _bare_hour, needs_digit=True),
    Rule("time", _TIME, _time, needs_digit=True),
]
