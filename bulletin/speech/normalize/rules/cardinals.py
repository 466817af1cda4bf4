"""Remaining numbers as cardinals, then a last pass so no digit ever reaches the voice."""

from __future__ import annotations

import re

from ..core import Context, Rule, cue_before, space_before
from ..numbers import NUM, read_digits, read_numeral

_NUMBER = re.compile(rf"(?<![\d.,]){NUM}")
# After these words "2.1" names a version or a section, read with "chấm".
_VERSION_CUE = re.compile(
    r"(?<!\w)(?:phiên bản|mục|tiểu mục|điều|khoản|phần|chương|công nghiệp)$", re.IGNORECASE
)
# "Chuyển đổi số 4.0": after "số" only a whole version ("4.0") is one; "điểm số 8.5" is not.
_DIGITAL_CUE = re.compile(r"(?<!\w)số$", re.IGNORECASE)


def _is_label(m: re.Match[str]) -> bool:
    text, start = m.string, m.start()
    gap = space_before(text, start)
    # A number opening a line is a section number ("2.1. Diễn biến").
    if gap == 0 or text[gap - 1] == "\n":
        return True
    if m.group(0).endswith(".0") and cue_before(_DIGITAL_CUE, text, start):
        return True
    return cue_before(_VERSION_CUE, text, start)


def _number(m: re.Match[str], ctx: Context) -> str | None:
    token = m.group(0)
    point = "." not in token or not _is_label(m)
    return read_numeral(token, ctx.region, point=point)


_DIGITS = re.compile(r"\d+")


def _digits(m: re.Match[str], ctx: Context) -> str | None:
    return read_digits(m.group(0))


RULES = [
    Rule("number", _NUMBER, _number, needs_digit=True),
    Rule("digits", _DIGITS, _digits, needs_digit=True),
]
