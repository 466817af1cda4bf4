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
# The same syllables written without their vowel marks ("Bac", "Nam").
_BARE_SYLLABLE = re.compile(
    (_ONSET + _NUCLEUS + _CODA).translate(str.maketrans("ăâêôơưđ", "aaeooud"))
)
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


def voiced(token: str) -> str | None:
    """``token`` as a Vietnamese syllable, or None when it is none. One written without its
    marks ("thien", "Bac") is kept, a stop coda given the rising tone it cannot go without
    ("bác"), since marks cannot be guessed."""
    if is_syllable(token):
        return token
    low = token.lower()
    if _BARE_SYLLABLE.fullmatch(low) is None:
        return None
    if low.endswith(_STOP_CODAS):
        i = max(low.rfind(v) for v in "aeiouy")
        low = unicodedata.normalize("NFC", low[: i + 1] + _SAC + low[i + 1 :])
    return low if token[:1].islower() else low[:1].upper() + low[1:]


def spell(token: str) -> str:
    """Letter names for letters, cardinals for digit runs: "QH14" -> "quy hát mười bốn"."""
    words: list[str] = []
    for run in _RUNS.findall(token):
        if run[0].isdigit():
            words.append(read_integer(run))
        else:
            words += [LETTER_NAMES.get(c, c.lower()) for c in run.upper()]
    return " ".join(words)


_SAC = "\u0301"
_STOP_CODAS = ("c", "ch", "p", "t")
_FRONT = ("e", "ê", "i", "y")
# Nuclei a coda may follow: single vowels and the rising diphthongs.
_VOWELS = frozenset("aăâeêioôơuưy")
_CLOSABLE = _VOWELS | {
    "iê",
    "yê",
    "uô",
    "ươ",
    "oa",
    "oă",
    "oe",
    "uâ",
    "uê",
    "uy",
    "uyê",
    "oo",
    "uơ",
}
_SYLLABLE_PARTS = re.compile(f"({_ONSET})({_NUCLEUS})({_CODA})")


def _tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return next((c for c in decomposed if c in _TONE_MARKS), "")


def is_syllable(token: str) -> bool:
    """True only for a well-spelled Vietnamese syllable: known onset, nucleus and coda, no
    "c" or "g" before a front vowel, no coda after a falling diphthong, and a stop coda
    carrying a sắc or nặng tone. eSpeak's Vietnamese voice reads anything else ("vet",
    "gram", "ce", "rain") as English."""
    low = token.lower()
    parts = _SYLLABLE_PARTS.fullmatch(strip_tones(low))
    if parts is None:
        return False
    onset, nucleus, coda = parts.groups()
    front = nucleus.startswith(_FRONT)
    if onset in ("c", "g") and front:
        return False  # the voice reads "ce", "ge" as English; "ke", "ghe" as Vietnamese
    if coda and nucleus not in _CLOSABLE:
        return False  # "ai", "ia", "ươi"... end the syllable themselves: no "ain"
    return coda not in _STOP_CODAS or _tone(low) in ("\u0301", "\u0323")


# English letters to Vietnamese onsets, and codas to the nearest Vietnamese coda.
_ONSETS = {
    "ph": "ph", "th": "th", "sh": "s", "ch": "ch", "tr": "tr", "kh": "kh", "gh": "g",
    "wh": "u", "ng": "ng", "nh": "nh", "qu": "qu",
    "b": "b", "c": "c", "d": "đ", "f": "ph", "g": "g", "h": "h", "j": "gi", "k": "c",
    "l": "l", "m": "m", "n": "n", "p": "p", "q": "qu", "r": "r", "s": "x", "t": "t",
    "v": "v", "w": "u", "x": "x", "y": "d", "z": "d",
}  # fmt: skip
_CODAS = {
    "ng": "ng", "nk": "ng", "ck": "c", "ch": "ch", "sh": "t", "th": "t",
    "b": "p", "c": "c", "d": "t", "f": "p", "g": "c", "k": "c", "l": "n", "m": "m",
    "n": "n", "p": "p", "q": "c", "s": "t", "t": "t", "v": "p", "x": "c", "z": "t",
}  # fmt: skip
_NUCLEI = {
    "ee": "i", "ea": "i", "ie": "i", "ey": "ây", "ay": "ây", "ai": "ai", "ei": "ây",
    "oo": "u", "ou": "u", "ow": "ô", "au": "o", "aw": "o", "oa": "oa", "oi": "oi", "oy": "oi",
    "ue": "u", "ui": "uy", "uy": "uy", "y": "i", "o": "ô",
}  # fmt: skip
_CONSONANT_Y = re.compile(r"(?:^|(?<=[aeiou]))y(?=[aeiou])")
_ENGLISH_PIECES = re.compile(r"[^aeiouy]+|[aeiouy]+")
_ALONE = {  # a consonant left without a vowel becomes its own syllable with "ờ"
    "b": "bờ", "c": "cờ", "d": "đờ", "f": "phờ", "g": "gờ", "h": "hờ", "j": "giờ",
    "k": "cờ", "l": "lờ", "m": "mờ", "n": "nờ", "p": "pờ", "q": "quờ", "r": "rờ",
    "s": "xờ", "t": "tờ", "v": "vờ", "w": "uờ", "x": "xờ", "z": "dờ",
}  # fmt: skip


def _split_onset(cluster: str) -> tuple[list[str], str]:
    """Leading consonants that need a syllable of their own, and the onset proper."""
    if len(cluster) >= 2 and cluster[-2:] in _ONSETS:
        head, onset = cluster[:-2], cluster[-2:]
    else:
        head, onset = cluster[:-1], cluster[-1:]
    return [_ALONE[c] for c in head if c in _ALONE], _ONSETS.get(onset, "")


def _spelled_syllable(onset: str, nucleus: str, coda: str) -> str:
    if onset == "u" and nucleus in ("a", "e"):  # "wa", "we" -> "oa", "oe"
        onset, nucleus = "", "o" + nucleus
    elif onset == "u":
        onset, nucleus = "", "u" + nucleus if nucleus != "u" else "u"
    front = nucleus.startswith(_FRONT)
    if front:
        onset = {"c": "k", "g": "gh", "ng": "ngh"}.get(onset, onset)
    if nucleus not in _CLOSABLE:
        coda = ""  # "Ukraine" -> "rai", never "rain"
    syllable = onset + nucleus + coda
    if coda in _STOP_CODAS:
        # Vietnamese closes a syllable on a stop only with a rising (sắc) tone.
        i = max(syllable.rfind(v) for v in "aăâeêioôơuưy")
        syllable = unicodedata.normalize("NFC", syllable[: i + 1] + _SAC + syllable[i + 1 :])
    return syllable


def transliterate(word: str) -> str | None:
    """A foreign word respelled as Vietnamese syllables ("Samsung" -> "xam xung"), or None
    when some piece makes no syllable the Vietnamese voice can read."""
    low = word.lower()
    if not low.isascii() or not low.isalpha():
        return None
    # A "y" before a vowel at the start or between vowels is a consonant: "Yagi", "Toyota".
    low = _CONSONANT_Y.sub("z", low)
    if len(low) > 3 and low.endswith("e") and low[-2] not in "aeiouy" and low[-3] in "aeiouy":
        low = low[:-1]  # a silent final e: "game", "phone"
    pieces = _ENGLISH_PIECES.findall(low)
    if pieces and pieces[0][0] not in "aeiouy":
        onset_cluster, pieces = pieces[0], pieces[1:]
    else:
        onset_cluster = ""
    if not pieces:
        return None  # no vowel at all: leave it to be spelled
    syllables: list[str] = []
    # pieces now alternate vowels, consonants, vowels...
    for i in range(0, len(pieces), 2):
        vowels = pieces[i]
        following = pieces[i + 1] if i + 1 < len(pieces) else ""
        if i + 2 >= len(pieces):
            coda_cluster, next_onset = following, ""
        elif len(following) >= 2 and following[-2:] in _ONSETS:
            # Between vowels the last consonant (or digraph) opens the next syllable.
            coda_cluster, next_onset = following[:-2], following[-2:]
        else:
            coda_cluster, next_onset = following[:-1], following[-1:]
        alone, onset = _split_onset(onset_cluster) if onset_cluster else ([], "")
        syllables += alone
        if vowels in _NUCLEI or len(vowels) == 1:
            nuclei = [_NUCLEI.get(vowels, vowels)]
        else:
            nuclei = [_NUCLEI.get(v, v) for v in vowels]
        coda = ""
        if coda_cluster:
            key = coda_cluster[:2] if coda_cluster[:2] in _CODAS else coda_cluster[:1]
            coda = _CODAS.get(key, "")
        for n, nucleus in enumerate(nuclei):
            syllables.append(
                _spelled_syllable(
                    onset if n == 0 else "", nucleus, coda if n == len(nuclei) - 1 else ""
                )
            )
        onset_cluster = next_onset
    if not syllables or not all(is_syllable(s) for s in syllables):
        return None
    return " ".join(syllables)


def split_bare_syllables(word: str) -> list[str] | None:
    """Vietnamese syllables run together without marks, as in a host name:
    "quangngai" -> ["quang", "ngai"]; None when the word does not split into them.
    The fewest syllables win, then the fewest opening on a vowel ("ha noi", not "han oi")."""
    low = word.lower()
    n = len(low)
    if not low.isascii() or not low.isalpha() or n > 40:
        return None
    # best[i]: (cost, syllables) for low[:i]
    best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for end in range(1, n + 1):
        for start in range(max(0, end - 7), end):
            done = best[start]
            piece = low[start:end]
            if done is None or _BARE_SYLLABLE.fullmatch(piece) is None:
                continue
            cost = done[0] + 1 + (0.5 if piece[0] in "aeiouy" else 0)
            current = best[end]
            if current is None or cost < current[0]:
                best[end] = (cost, [*done[1], piece])
    found = best[n]
    return found[1] if found else None
