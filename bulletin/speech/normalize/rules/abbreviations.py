"""Lexicon abbreviations, foreign names, letter-digit tokens (F0, 9A, 5K) and unknown acronyms."""

from __future__ import annotations

import re
from functools import lru_cache

from ..core import Context, Rule, space_before
from ..letters import is_syllable, is_word, spell, transliterate, voiced
from ..lexicon import CONTEXTUAL, FOREIGN_NAMES, KEPT_NAMES
from .measures import UNITS

# Capital Latin letters, Vietnamese ones included (Đ, Ơ, Ư, Ấ...).
_UPPER = "".join(chr(c) for c in [*range(0x41, 0x250), *range(0x1E00, 0x1F00)] if chr(c).isupper())
# Only a token with a capital or a "&", "/", "." can be a lexicon key: plain lower-case words,
# most of any text, are skipped by the pattern instead of by a call per word.
_TOKEN = re.compile(
    rf"(?<![\w&/.])(?=[^\W_]*[{re.escape(_UPPER)}&/.])[^\W\d_][^\W_]*(?:[&/.,][^\W_]+)*\.?"
)


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


# Each word in Latin letters standing alone, hyphenated parts allowed ("Wi-Fi"), is looked up:
# far cheaper than an alternation of every name, and it finds the unknown ones to respell.
# Names of several words are station phrases, read by the lexicon rule.
_LATIN_WORD = re.compile(r"(?<![\w&/.@-])[A-Za-z]+(?:-[A-Za-z]+)*(?![\w&/@-])")
# Vietnamese initial consonants written as a name's initial ("anh Th.", "chị Ng.").
_ONSET_INITIALS = frozenset(["ch", "gh", "kh", "ng", "ngh", "nh", "ph", "th", "tr"])
# Longer runs of letters are no word anyone says; they are left as they are.
_LONGEST_WORD = 40
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _shipped_name(word: str) -> str | None:
    """A part of a compound name that is a name by itself ("ZaloPay" in "ZaloPay-Viettel")."""
    if word in KEPT_NAMES:
        return word
    return FOREIGN_NAMES.get(word) or FOREIGN_NAMES.get(word.casefold())


@lru_cache(maxsize=4096)
def _respell(token: str) -> str | None:
    """A word in Latin letters that is no Vietnamese syllable, respelled in Vietnamese:
    "Samsung" -> "xam xung", "VnExpress" -> "vê en éc rét"."""
    if not 2 <= len(token) <= _LONGEST_WORD or token.isupper() or is_syllable(token):
        return None  # acronyms and initials are spelled by the acronym rule
    if token in KEPT_NAMES:
        return None  # a Vietnamese place name, read as written
    if token in UNITS:
        return UNITS[token]  # a unit named without a number: "đơn vị: mm"
    if token.lower() in _ONSET_INITIALS:
        return token.lower() + "ờ"  # a name's initial consonant: "chị Nh." -> "chị nhờ"
    spoken = []
    for part in token.split("-"):
        named = _shipped_name(part)
        if named is not None:
            spoken.append(named)
            continue
        pieces = _CAMEL.findall(part) if not part.islower() and not part.istitle() else [part]
        for piece in pieces:
            respelled = _shipped_name(piece) or voiced(piece) or transliterate(piece)
            if respelled is None and not any(c in "aeiouyAEIOUY" for c in piece):
                respelled = spell(piece)  # "Vn" in "VnExpress"
            if respelled is None:
                return None
            spoken.append(respelled)
    return " ".join(spoken)


# A name just after these is a Vietnamese place name ("xã Ia Hdeh", "buôn Ya"), read as written.
_PLACE_CUE = re.compile(
    r"(?<!\w)(?:xã|huyện|thôn|buôn|làng|bản|plei|phường|thị trấn|thị xã|sông|suối|đèo|núi"
    r"|(?-i:Ia|Ea|Đăk|Đắk|Kon|Krông|Chư|Cư))(?:\s+\S+)?\s+$",
    re.IGNORECASE,
)


def _in_place_name(m: re.Match[str]) -> bool:
    start = m.start()
    return _PLACE_CUE.search(m.string, max(0, start - 24), start) is not None


def _foreign(m: re.Match[str], ctx: Context) -> str | None:
    # The station's readings and the shipped names first, then a respelling, so the
    # Vietnamese voice never meets a word it would switch to English for.
    token = m.group(0)
    spoken = ctx.foreign.get(token) or ctx.foreign.get(token.casefold())
    if spoken is None and not (token[:1].isupper() and _in_place_name(m)):
        spoken = _respell(token)
    if spoken and token[:1].isupper() and not token.isupper():
        # A name keeps its capital: "trang Zalo" -> "trang Da lô".
        spoken = spoken[0].upper() + spoken[1:]
    return spoken


# Codes of capitals joined by "-" or "&" ("LĐ-TB&XH", "KT-XH"): the whole from the lexicon, or
# each part from it (or spelled), a "-" read as a pause and a "&" as "và".
_COMPOUND = re.compile(
    rf"(?<![\w&/.-])[{re.escape(_UPPER)}]+(?:[-&][{re.escape(_UPPER)}]+)+(?![\w&/-])"
)


def _compound(m: re.Match[str], ctx: Context) -> str | None:
    token = m.group(0)
    spoken = ctx.lexicon.get(token) or _compound_parts(token, ctx)
    if _at_sentence_start(m):
        spoken = spoken[0].upper() + spoken[1:]
    return spoken


def _compound_parts(token: str, ctx: Context) -> str:
    words = []
    for part in re.split(r"([-&])", token):
        if part == "-":
            words.append("-")
        elif part == "&":
            words.append("và")
        else:
            words.append(ctx.lexicon.get(part) or (part if is_word(part) else spell(part)))
    return " ".join(words)


# Tokens mixing letters and digits: F0, 9A, 5K, QH14, H5N1, 10A1.
_MIXED = re.compile(r"(?<![\w.,/-])(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]+(?![\w/-])")


def _mixed(m: re.Match[str], ctx: Context) -> str | None:
    return spell(m.group(0))


# "&" left between words once codes are read ("Công lý & Xã hội", "T&T") is "và".
_AMPERSAND = re.compile(r"&(?=\s*[^\W\d_])")


def _ampersand(m: re.Match[str], ctx: Context) -> str | None:
    # A bounded look back: slicing all the text before each "&" would cost quadratic time.
    before = m.string[max(0, m.start() - 8) : m.start()].rstrip()[-1:]
    return " và " if before.isalpha() else None


# Only words in capitals are looked at: two capitals, or a capital standing alone.
_CAPS = re.compile(
    rf"(?<![\w&/.-])(?=[{re.escape(_UPPER)}](?:[{re.escape(_UPPER)}]|(?!\w)))[^\W\d_]+(?![\w&/-])"
)


def _acronym(m: re.Match[str], ctx: Context) -> str | None:
    token = m.group(0)
    if not token.isupper() or is_word(token):
        return None
    return spell(token)


RULES = [
    Rule("lexicon", None, _phrase, pattern_for=lambda ctx: ctx.phrases),
    Rule("compound", _COMPOUND, _compound),
    Rule("abbreviation", _TOKEN, _abbreviation),
    Rule("foreign", _LATIN_WORD, _foreign),
    Rule("alphanumeric", _MIXED, _mixed, needs_digit=True),
    Rule("acronym", _CAPS, _acronym),
    Rule("ampersand", _AMPERSAND, _ampersand),
]
