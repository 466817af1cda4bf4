"""Telephone and hotline numbers, read digit by digit in the groups they are written in."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..numbers import read_digits

_PHONE = re.compile(
    # An area code may sit in parentheses: "(0232) 3822 451", "(+84) 912 345 678".
    r"(?<![\d.,])\((?:\+84|0\d{1,4})\)[ .-]?\d{1,4}(?:[ .-]?\d{2,4}){1,3}(?![\d]|[.,]\d)"
    r"|(?<![\d.,])(?:\+84[ .-]?|0)\d{1,4}(?:[ .-]?\d{2,4}){1,4}(?![\d]|[.,]\d)"
    r"|(?<![\d.,])1[89]00(?:[ .-]?\d{2,4}){1,2}(?![\d]|[.,]\d)"
)
_GROUP = re.compile(r"\+84|\d+")


def _read_groups(text: str) -> str:
    groups = []
    for group in _GROUP.findall(text):
        groups.append("cộng tám tư" if group == "+84" else read_digits(group))
    return ", ".join(groups)


def _phone(m: re.Match[str], ctx: Context) -> str | None:
    text = m.group(0)
    digits = sum(c.isdigit() for c in text)
    if text.startswith("1"):
        if digits not in (8, 10):
            return None
    elif not 9 <= digits <= 12:
        # Short zero-led numbers are counts ("03 thành viên"), not phone numbers.
        return None
    return _read_groups(text)


# A local number without its area code, named as a phone number: "ĐT: 3822 451".
_LOCAL = re.compile(
    r"(?<!\w)((?i:điện thoại|số điện thoại|đường dây nóng|hotline|fax)|ĐT|SĐT)"
    r"(\s?:?\s?(?:(?i:số)\s)?)(\d{1,4}(?:[ .-]\d{2,4}){1,3}|\d{6,8})(?![\d]|[.,]\d)"
)


_CUES = {"ĐT": "điện thoại", "SĐT": "số điện thoại"}


def _local(m: re.Match[str], ctx: Context) -> str | None:
    cue, gap, number = m.groups()
    if not 6 <= sum(c.isdigit() for c in number) <= 8:
        return None
    cue = _CUES.get(cue, cue)
    return f"{cue}{gap}{_read_groups(number)}"


RULES = [
    Rule("phone", _PHONE, _phone, needs_digit=True),
    Rule("phone", _LOCAL, _local, needs_digit=True),
]
