"""Clock times: 6h30, 06:30, 7h00, 8g30, 21h, and ranges of them ("18h-20h")."""

from __future__ import annotations

import re

from ..core import Context, Rule, cue_before
from ..numbers import read_integer

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


RULES = [Rule("time", _TIME, _time, needs_digit=True)]
