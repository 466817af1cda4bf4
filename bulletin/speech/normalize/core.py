"""Rule engine shared by every rule family: context, rule records and the ordered rewrite pass."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Region = Literal["north", "south"]


@dataclass(frozen=True)
class RuleHit:
    """One rewrite: which rule fired, the source span and what will be spoken."""

    rule: str
    source: str
    spoken: str


@dataclass(frozen=True)
class Context:
    """Per-call settings every rule may consult."""

    region: Region
    lexicon: Mapping[str, str]
    phrases: re.Pattern[str] | None = None
    station_keys: frozenset[str] = frozenset()
    foreign: Mapping[str, str] = field(default_factory=dict)
    """Foreign names by ``lexicon.foreign_key``: the shipped ones, then the station's."""


Render = Callable[[re.Match[str], Context], str | None]


@dataclass(frozen=True)
class Rule:
    """A compiled pattern and the function that speaks each match (None = leave as is)."""

    name: str
    pattern: re.Pattern[str] | None
    render: Render
    needs_digit: bool = False
    pattern_for: Callable[[Context], re.Pattern[str] | None] | None = None


_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r" {2,}")
# Longer than any cue word a rule looks for before a match ("khoảng", "kiệt số").
CUE_REACH = 12


def space_before(text: str, end: int) -> int:
    """Where the run of whitespace that ends at `end` starts (`end` itself when there is none)."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def cue_before(cue: re.Pattern[str], text: str, end: int) -> bool:
    """Whether `cue` (a pattern ending in `$`) ends where the whitespace before `end` begins.

    Only the few characters before the match are searched: searching all the text before
    every match made a text full of matches cost quadratic time.
    """
    stop = space_before(text, end)
    return cue.search(text, max(0, stop - CUE_REACH), stop) is not None


def _replacer(
    rule: Rule, ctx: Context, hits: list[RuleHit] | None
) -> Callable[[re.Match[str]], str]:
    def replace(m: re.Match[str]) -> str:
        spoken = rule.render(m, ctx)
        source = m.group(0)
        if spoken is None or spoken == source:
            return source
        if hits is not None:
            hits.append(RuleHit(rule.name, source, spoken))
        text, start, end = m.string, m.start(), m.end()
        # A spoken span glued to a neighbouring word ("abc123") would fuse two words for TTS.
        if start > 0 and text[start - 1].isalnum() and spoken[:1].isalnum():
            spoken = " " + spoken
        if end < len(text) and text[end].isalnum() and spoken[-1:].isalnum():
            spoken += " "
        return spoken

    return replace


def run(rules: Iterable[Rule], text: str, ctx: Context, hits: list[RuleHit] | None) -> str:
    """Apply ``rules`` in order, each over the whole text as left by the previous ones."""
    for rule in rules:
        if rule.needs_digit and _DIGIT.search(text) is None:
            continue
        pattern = rule.pattern_for(ctx) if rule.pattern_for is not None else rule.pattern
        if pattern is None:
            continue
        text = pattern.sub(_replacer(rule, ctx, hits), text)
    return _SPACES.sub(" ", text)
