"""Split Vietnamese text into sentences without breaking numbers, codes or abbreviations."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (optionally followed by quotes/brackets) before whitespace and
# an upper-case letter, a digit or an opening quote; "1.250" or "TP. Hà Nội" do not end one.
_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*(\s+)(?=[\"“'(\[]?[A-ZÀ-ỸĐ0-9])")
_ABBREVIATIONS = ("TP.", "Tp.", "ThS.", "TS.", "PGS.", "GS.", "BS.", "KS.", "Ths.", "St.", "Đ/c.")
# News and police notices shorten names to initials ("anh Nguyễn Văn D. (SN 1993, …)"); a
# Vietnamese syllable always has a vowel, so a capital plus consonants before "." is an initial.
_INITIAL_END = re.compile(r"(?:^|\s)(?:(?:[A-ZĐ]|Tr|Th|Kh|Ngh|Ng|Nh|Ph|Ch|Gi|Qu)\.)+$")


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        pieces, start = [], 0
        for match in _BOUNDARY.finditer(paragraph):
            pieces.append(paragraph[start : match.start(1)])
            start = match.end(1)
        pieces.append(paragraph[start:])
        # Pieces are grouped and joined once: growing a sentence piece by piece, and searching
        # all of it each time, cost quadratic time on a paragraph of "TP. A TP. A …". Only the
        # last piece is looked at, as neither an abbreviation nor initials span a space.
        merged: list[list[str]] = []
        for piece in pieces:
            if merged and (
                merged[-1][-1].endswith(_ABBREVIATIONS)
                or (piece.startswith("(") and _INITIAL_END.search(merged[-1][-1]))
            ):
                merged[-1].append(piece)
            else:
                merged.append([piece])
        joined = (" ".join(group).strip() for group in merged)
        sentences.extend(s for s in joined if s)
    return sentences


def ensure_period(sentence: str) -> str:
    """A title or heading read aloud still needs a full stop for the pause after it."""
    sentence = sentence.strip()
    return sentence if sentence.endswith((".", "!", "?", "…", ":")) else f"{sentence}."
