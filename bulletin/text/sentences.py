"""Split Vietnamese text into sentences and headings without breaking numbers, codes or names."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """A piece of text read as one: a sentence, or a heading standing on its own line."""

    text: str
    """The words, runs of whitespace made one space."""
    heading: bool
    """A title, section heading or section label ("II. DỰ BÁO"), not a sentence."""


_SENTENCE_ENDS = (".", "!", "?", "…")
_OPENERS = "\"'“‘«(["
_CLOSERS = "\"'”’»)]"
# Title and place abbreviations only ever stand before a name: "TP. Vinh", "ThS. Lan".
# Single letters ("Q. Ba Đình", "H. Nam Trà My") are also initials, decided by context.
_PREFIXES = frozenset(
    {"TP", "Tp", "TX", "Tx", "TT", "ThS", "Ths", "TS", "PGS", "GS", "BS", "KS", "St", "Đ/c"}
)
# Quận, phường, huyện, xã: "Công an Q. Long Biên", "UBND H. Nam Trà My".
_PLACE_LETTERS = frozenset({"Q", "P", "H", "X"})
# A Vietnamese syllable always has a vowel, so a capital with consonants only is an initial.
_INITIAL_CLUSTERS = frozenset({"Ch", "Gh", "Gi", "Kh", "Ng", "Ngh", "Nh", "Ph", "Qu", "Th", "Tr"})
# Forms of address stand before a name: "anh D." is a whole name, "Bà Nguyễn Th." is not.
_ADDRESS = frozenset(
    {"anh", "bà", "bác", "bé", "cháu", "chị", "chú", "cô", "cụ", "cậu", "dì", "em", "ông", "thầy"}
)
# A section number or list marker opening a line: "1.", "1.2.", "II.", "a)", "đ)", "- ", "•".
# Of the single capitals only I and V, as Q, P, H and X also open lines as place prefixes.
_SECTION = r"(?:\d{1,3}(?:\.\d{1,3})*|I|V|[IVX]{2,5}|[a-zđ])[.)]\s"
_LINE_ITEM = re.compile(rf"{_SECTION}|[-+*–—]\s|[•●▪◦]")
_SECTION_START = re.compile(_SECTION)
_SECTION_WORD = re.compile(r"\d{1,3}(?:\.\d{1,3})*|[IVX]{1,5}|[a-zđ]")
# Lines of text wrapped at a fixed width (PDF, e-mail) are this long; a paragraph is longer.
_WRAPPED_LINE = range(40, 151)
_HEADING_WORDS = 20
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def split_sentences(text: str) -> list[str]:
    """The sentences and headings of `text`, in order, each as one line of plain text."""
    return [unit.text for unit in split_units(text)]


def split_units(text: str) -> list[Unit]:
    """The sentences of `text`, with headings standing alone on a line marked as such.

    A blank line always ends a unit; a single line break only where a new unit starts
    (a section number, a bullet, a capital after a sentence end or a heading), so text
    wrapped at a fixed width reads as the sentences it holds.
    """
    blocks = list(_blocks(text))
    # Wrapped text shows itself by lines going on in lower case; without that, a line that
    # ends without a full stop ends its unit, however long (a list of short sentences).
    wrapped = any(_starts_lower(line) for block in blocks for line in block[1:])
    units: list[Unit] = []
    for block in blocks:
        for segment, single_line in _segments(block, wrapped):
            sentences = _sentences(segment.split())
            if single_line and len(sentences) == 1 and _is_heading(sentences[0]):
                units.append(Unit(sentences[0], heading=True))
            else:
                units.extend(Unit(sentence, heading=False) for sentence in sentences)
    return units


def ensure_period(sentence: str) -> str:
    """A title or heading read aloud still needs a full stop for the pause after it."""
    sentence = sentence.strip()
    return sentence if sentence.endswith((".", "!", "?", "…", ":")) else f"{sentence}."


def _blocks(text: str) -> Iterator[list[str]]:
    """Runs of non-blank lines, whitespace collapsed; blank lines separate them."""
    block: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line:
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _segments(lines: list[str], wrapped: bool) -> Iterator[tuple[str, bool]]:
    """Lines joined where a break only wraps a sentence; with whether each is one line."""
    width = max(len(line) for line in lines) if wrapped else 0
    current = [lines[0]]
    for line in lines[1:]:
        if _wraps(current[-1], line, width):
            current.append(line)
        else:
            yield " ".join(current), len(current) == 1
            current = [line]
    yield " ".join(current), len(current) == 1


def _wraps(line: str, following: str, width: int) -> bool:
    """Whether the break between two lines of a block is inside one sentence; `width` is
    the longest line of a block of wrapped text, 0 for other blocks."""
    if _LINE_ITEM.match(following):
        return False
    if _starts_lower(following):
        return True
    if _is_all_caps(line):
        return False
    if line.rstrip(_CLOSERS).endswith(_SENTENCE_ENDS):
        first = following.lstrip(_OPENERS)[:1]
        if not (first.isupper() or first.isdigit()):
            return False  # a sentence ended and the next line starts with a symbol or emoji
        # A line ending "TP." or "Nguyễn Th." goes on; one ending a sentence does not.
        tokens = [*line.split()[-3:], following.split()[0]]
        return not _ends_sentence(tokens, len(tokens) - 2, 0)
    # Otherwise a line filling the width is wrapped text ("…: Hòa Bắc 166mm;" then "Bạch Mã
    # …" is one sentence); a shorter one before a capital is a heading ("Tình hình mưa lũ"),
    # leads in a list ("… như sau:") or ends a paragraph.
    return width > 0 and len(line) in _WRAPPED_LINE and len(line) >= 0.75 * width


def _starts_lower(line: str) -> bool:
    return line.lstrip(_OPENERS)[:1].islower()


def _sentences(tokens: Sequence[str]) -> list[str]:
    """Whitespace-separated tokens of one segment grouped into sentences."""
    sentences: list[str] = []
    start = 0
    for i in range(len(tokens) - 1):
        if _ends_sentence(tokens, i, start):
            sentences.append(" ".join(tokens[start : i + 1]))
            start = i + 1
    if start < len(tokens):
        sentences.append(" ".join(tokens[start:]))
    return sentences


def _ends_sentence(tokens: Sequence[str], i: int, start: int) -> bool:
    """Whether the sentence begun at `tokens[start]` ends with `tokens[i]`.

    Only tokens i-2..i+1 are looked at, which keeps splitting linear in the text's length.
    """
    word = tokens[i].rstrip(_CLOSERS)
    if not word.endswith(_SENTENCE_ENDS):
        return False
    following = tokens[i + 1].lstrip(_OPENERS)
    if not following and i + 2 < len(tokens):  # a quotation mark set apart: 'nay. " Ông'
        following = tokens[i + 2].lstrip(_OPENERS)
    # A real case test: "À-Ỹ" as a range also holds lower-case letters such as "ố".
    if not following or not (following[0].isupper() or following[0].isdigit()):
        return False
    if not word.endswith(".") or word.endswith(".."):
        return True
    stem = word[:-1].lstrip(_OPENERS)
    if _SECTION_WORD.fullmatch(stem) and (i == start or tokens[i - 1].endswith((":", ";"))):
        return False  # "1. Diễn biến của bão", "như sau: 1. Sơ tán": a number, not a sentence
    parts = stem.split(".")
    if all(part in _PREFIXES for part in parts):  # "TP.", "GS.TS."
        return False
    if _is_initials(stem):  # "D.", "Th.", "N.V."
        return _ends_name(tokens, i, start)
    return True


def _ends_name(tokens: Sequence[str], i: int, start: int) -> bool:
    """Whether the initial `tokens[i]`, before a capitalised word, ends the sentence.

    News names people by initials: "Nguyễn Văn D.", "anh D.", "Đ. N.A." and a bare "D."
    after a verb are whole names, so a capital after them starts a sentence. An initial
    opening the sentence or following punctuation or a surname ("Th. Hương", "Ảnh: Th.
    Hương", "Nguyễn Th. Hương"), or a place letter after a word ("tại Q. Ba Đình"), opens
    what follows.
    """
    following = tokens[i + 1]
    if following.startswith("(") or not following.lstrip(_OPENERS)[:1].isupper():
        return False
    if _is_initials(following.rstrip(".,;:)")):
        return False  # more initials of one name: "bà Đ. T.H.", "N. Q. D."
    if i == start or tokens[i].startswith(tuple(_OPENERS)):
        return False  # "Q. Ba Đình có mưa", "phường Tràng Tiền (Q. Hoàn Kiếm)"
    before = tokens[i - 1]
    if before.lower() in _ADDRESS:
        return True
    if before.endswith(".") and _is_initials(before[:-1]):
        return True
    if _is_name_word(before):
        return i - 2 >= start and _is_name_word(tokens[i - 2])
    if not before[-1].isalpha():
        return False
    return tokens[i].rstrip(_CLOSERS).rstrip(".") not in _PLACE_LETTERS


def _is_initials(word: str) -> bool:
    """Initials without their last point: "D", "Th", "N.V"."""
    return all((len(p) == 1 and p.isupper()) or p in _INITIAL_CLUSTERS for p in word.split("."))


def _is_name_word(token: str) -> bool:
    return (
        token[0].isupper()
        and token[-1].isalpha()
        and not (len(token) > 1 and token.isupper())  # "UBND", "TP"
        and token.lower() not in _ADDRESS
    )


def _is_all_caps(line: str) -> bool:
    """Upper-case letters only, as titles are set ("THÔNG BÁO KHẨN", "XEM VIDEO")."""
    return line.isupper() and len(_NOT_LETTERS.sub("", line)) >= 2


def _is_heading(line: str) -> bool:
    """A line standing alone that titles what follows rather than saying something."""
    words = len(line.split())
    if _LINE_ITEM.match(line) and not _SECTION_START.match(line):
        return False  # a bullet is an item of a list
    if _is_all_caps(line):
        return words <= _HEADING_WORDS
    end = line.rstrip(_CLOSERS)[-1:]
    if end == ":":
        return bool(_SECTION_START.match(line)) and words <= _HEADING_WORDS
    return end not in (*_SENTENCE_ENDS, ";", ",") and words <= _HEADING_WORDS
