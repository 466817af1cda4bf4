"""Lexicon abbreviations, loanwords, letter-digit tokens (F0, 9A, 5K) and unknown acronyms."""

from __future__ import annotations

import re

from ..core import Context, Rule, space_before
from ..letters import is_word, spell
from ..lexicon import CONTEXTUAL, LOANWORDS

_TOKEN = re.compile(r"(?<![\w&/.])[^\W\d_][^\W_]*(?:[&/.,][^\W_]+)*\.?")


def _lookup(token: str, m: re.Match[str], ctx: Context) -> str | None:
    if token in CONTEXTUAL and token not in ctx.station_keys:
        follow, reading = CONTEXTUAL[token]
        if follow.match(m.string, m.end()):
            return reading
    return ctx.lexicon.get(token)


def _at_sentence_start(m: re.Match[str]) -> bool:
    # Only the whitespace just before the token is read: searching all the text before
    # every token made a text full of abbreviations cost quadratic time.
    text, start = m.string, m.start()
    gap = space_before(text, start)
    return start == 0 or "\n" in text[gap:start] or (gap > 0 and text[gap - 1] in ".!?:")


def _abbreviation(m: re.Match[str], ctx: Context) -> str | None:
    spoken = _expand(m, ctx)
    if spoken and _at_sentence_start(m):
        # Lexicon entries are lower case unless a proper name; a sentence still opens capitalised.
        spoken = spoken[0].upper() + spoken[1:]
    return spoken


def _expand(m: re.Match[str], ctx: Context) -> str | None:
    token = m.group(0)
    if token.isalpha() and token.islower():
        return None
    found = _lookup(token, m, ctx)
    if found is not None:
        return found
    dot = ""
    if token.endswith("."):
        token, dot = token[:-1], "."
        found = _lookup(token, m, ctx)
        if found is not None:
            return found + dot
    if "&" in token or "/" in token:
        parts = re.split(r"([&/])", token)
        spoken = [ctx.lexicon.get(p, p) for p in parts]
        if spoken == parts:
            return None
        return "".join(" và " if p == "&" else ", " if p == "/" else p for p in spoken) + dot
    return None


def _phrase(m: re.Match[str], ctx: Context) -> str | None:
    return ctx.lexicon.get(m.group(0))


_LOANWORD = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted(LOANWORDS, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)


def _loanword(m: re.Match[str], ctx: Context) -> str | None:
    return LOANWORDS[m.group(0).lower()]


# Tokens mixing letters and digits: F0, 9A, 5K, QH14, H5N1, 10A1.
_MIXED = re.compile(r"(?<![\w.,/-])(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]+(?![\w/-])")


def _mixed(m: re.Match[str], ctx: Context) -> str | None:
    return spell(m.group(0))


_CAPS = re.compile(r"(?<![\w&/.-])[^\W\d_]+(?![\w&/-])")


def _acronym(m: re.Match[str], ctx: Context) -> str | None:
    token = m.group(0)
    if not token.isupper() or is_word(token):
        return None
    return spell(token)


RULES = [
    Rule("lexicon", None, _phrase, pattern_for=lambda ctx: ctx.phrases),
    Rule("abbreviation", _TOKEN, _abbreviation),
    Rule("loanword", _LOANWORD, _loanword),
    Rule("alphanumeric", _MIXED, _mixed, needs_digit=True),
    Rule("acronym", _CAPS, _acronym),
]
