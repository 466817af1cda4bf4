"""Vietnamese letter names for spelling acronyms, and the test for capitalised words."""

from __future__ import annotations

import re
import unicodedata

from .numbers import read_integer

LETTER_NAMES = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em",
    "N": "en",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i",
    "Z": "dét",
}

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_RUNS = re.compile(r"\d+|[^\W\d_]+")

_ONSET = r"(?:ngh|ng|gh|gi|ch|kh|nh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
_NUCLEUS = (
    r"(?:uyê|uya|uyu|iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|"
    r"ai|ao|au|ay|âu|ây|eo|êu|ia|iê|yê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|"
    r"[aăâeêioôơuưy])"
)
_CODA = r"(?:ch|ng|nh|[cmnpt])?"
_SYLLABLE = re.compile(_ONSET + _NUCLEUS + _CODA)
_MARKED_VOWELS = frozenset("ăâêôơư")


def strip_tones(s: str) -> str:
    """Remove the five tone marks but keep vowel qualities (ấ -> â)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", s) if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", bare)


def is_word(token: str) -> bool:
    """True for a Vietnamese syllable, whatever its case ("KHẨN", "BÁO", "TIN")."""
    low = token.lower()
    if low != strip_tones(low) or any(c in _MARKED_VOWELS for c in low):
        return True
    return _SYLLABLE.fullmatch(low) is not None


def spell(token: str) -> str:
    """Letter names for letters, cardinals for digit runs: "QH14" -> "quy hát mười bốn"."""
    words: list[str] = []
    for run in _RUNS.findall(token):
        if run[0].isdigit():
            words.append(read_integer(run))
        else:
            words += [LETTER_NAMES.get(c, c.lower()) for c in run.upper()]
    return " ".join(words)
