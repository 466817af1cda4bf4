"""Text normalization for speech: Vietnamese announcements rewritten as words a voice can read."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .core import Context, Region, RuleHit, run
from .lexicon import ABBREVIATIONS, FOREIGN_NAMES, foreign_key
from .numbers import read_number
from .rules import RULES

__all__ = ["Region", "RuleHit", "explain", "normalize", "read_number"]

_NO_STATION: tuple[tuple[str, str], ...] = ()
# A single token as the abbreviation rule sees it; other station keys need their own pattern.
_SINGLE_TOKEN = re.compile(r"[^\W\d_][^\W_]*(?:[&/.,][^\W_]+)*\.?")


def _whole_words(keys: Iterable[str]) -> str | None:
    # Longest first, so "ZaloPay" wins over "Zalo".
    ordered = sorted(keys, key=len, reverse=True)
    if not ordered:
        return None
    return rf"(?<!\w)(?:{'|'.join(re.escape(k) for k in ordered)})(?!\w)"


@lru_cache(maxsize=64)
def _context(region: Region, station: tuple[tuple[str, str], ...]) -> Context:
    merged = dict(ABBREVIATIONS)
    merged.update(station)
    phrases = [key for key, _ in station if not _SINGLE_TOKEN.fullmatch(key)]
    phrase_pattern = _whole_words(phrases)
    # The station's single words extend and override the shipped foreign names, in any case
    # unless written all in capitals (capitals stay with the abbreviation rule).
    foreign = dict(FOREIGN_NAMES)
    foreign.update(
        (foreign_key(key), spoken)
        for key, spoken in station
        if _SINGLE_TOKEN.fullmatch(key) and not key.isupper()
    )
    return Context(
        region,
        merged,
        re.compile(phrase_pattern) if phrase_pattern else None,
        frozenset(key for key, _ in station),
        foreign,
    )


def _make_context(region: Region, lexicon: Mapping[str, str] | None) -> Context:
    if not lexicon:
        return _context(region, _NO_STATION)
    station = tuple(
        sorted(
            (unicodedata.normalize("NFC", k), unicodedata.normalize("NFC", v))
            for k, v in lexicon.items()
        )
    )
    return _context(region, station)


def normalize(
    text: str, *, region: Region = "north", lexicon: Mapping[str, str] | None = None
) -> str:
    """``text`` with numbers, dates, codes and abbreviations written out as spoken words (NFC)."""
    source = unicodedata.normalize("NFC", text)
    return run(RULES, source, _make_context(region, lexicon), None)


def explain(
    text: str, *, region: Region = "north", lexicon: Mapping[str, str] | None = None
) -> list[RuleHit]:
    """Every rewrite ``normalize`` makes on ``text``, in the order the rules applied them."""
    hits: list[RuleHit] = []
    run(RULES, unicodedata.normalize("NFC", text), _make_context(region, lexicon), hits)
    return hits
