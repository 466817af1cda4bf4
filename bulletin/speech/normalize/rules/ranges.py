"""Bare numeric ranges: "2021-2025", "18-65 tuổi" -> "... đến ..."."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..numbers import NUM
from .measures import read_amount

_RANGE = re.compile(rf"(?<![\w.,/-])({NUM})\s*[-–]\s*({NUM})(?![\w/-]|[.,]\d)")


def _range(m: re.Match[str], ctx: Context) -> str | None:
    return read_amount(m.group(1), m.group(2), ctx)


RULES = [Rule("range", _RANGE, _range, needs_digit=True)]
