"""Telephone and hotline numbers, read digit by digit in the groups they are written in."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..numbers import read_digits

_PHONE = re.compile(
    r"(?<![\d.,])(?:\+84[ .-]?|0)\d{1,4}(?:[ .-]?\d{2,4}){1,4}(?![\d]|[.,]\d)"
    r"|(?<![\d.,])1[89]00(?:[ .-]?\d{2,4}){1,2}(?![\d]|[.,]\d)"
)
_GROUP = re.compile(r"\+84|\d+")


def _phone(m: re.Match[str], ctx: Context) -> str | None:
    text = m.group(0)
    digits = sum(c.isdigit() for c in text)
    if text.startswith("1"):
        if digits not in (8, 10):
            return None
    elif not 9 <= digits <= 12:
        # Short zero-led numbers are counts ("03 thành viên"), not phone numbers.
        return None
    groups = []
    for group in _GROUP.findall(text):
        groups.append("cộng tám tư" if group == "+84" else read_digits(group))
    return ", ".join(groups)


RULES = [Rule("phone", _PHONE, _phone, needs_digit=True)]
