"""Remaining numbers as cardinals, then a last pass so no digit ever reaches the voice."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..numbers import NUM, read_digits, read_numeral

_NUMBER = re.compile(rf"(?<![\d.,]){NUM}")


def _number(m: re.Match[str], ctx: Context) -> str | None:
    return read_numeral(m.group(0), ctx.region)


_DIGITS = re.compile(r"\d+")


def _digits(m: re.Match[str], ctx: Context) -> str | None:
    return read_digits(m.group(0))


RULES = [
    Rule("number", _NUMBER, _number, needs_digit=True),
    Rule("digits", _DIGITS, _digits, needs_digit=True),
]
