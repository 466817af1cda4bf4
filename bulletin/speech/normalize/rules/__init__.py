"""The ordered rule list: specific shapes (codes, dates) first, so numbers never split them."""

from __future__ import annotations

from ..core import Rule
from . import (
    abbreviations,
    alerts,
    cardinals,
    dates,
    documents,
    measures,
    ordinals,
    phones,
    ranges,
    special,
    times,
)

RULES: tuple[Rule, ...] = (
    *special.RULES,
    *documents.RULES,
    *phones.RULES,
    *alerts.RULES,
    *ordinals.RULES,
    *dates.RULES,
    *times.RULES,
    *measures.RULES,
    *ranges.RULES,
    *abbreviations.RULES,
    *cardinals.RULES,
)

__all__ = ["RULES"]
