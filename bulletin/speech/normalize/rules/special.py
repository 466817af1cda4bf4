"""Fixed readings of terms that mix letters and digits: Covid-19, SARS-CoV-2, URLs and e-mails."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..letters import spell
from ..lexicon import LOANWORDS

_TERMS = {
    "covid19": "cô vít mười chín",
    "sarscov2": "sát cô vi hai",
}
_TERM = re.compile(r"(?<!\w)(?:covid[-\s]?19|sars[-\s]?cov[-\s]?2)(?!\w)", re.IGNORECASE)


def _term(m: re.Match[str], ctx: Context) -> str | None:
    key = re.sub(r"[-\s]", "", m.group(0).lower())
    return _TERMS.get(key)


_URL_PARTS = {
    "www": "vê kép vê kép vê kép",
    "http": "hát tê tê pê",
    "https": "hát tê tê pê ét",
    "gov": "gốp",
    "vn": "vê en",
    "com": "com",
    "net": "nét",
    "org": "o rờ gờ",
    "edu": "e đu",
    "info": "in phô",
    "gmail": "gờ meo",
    # Unaccented names of the portals bulletins point listeners to most often.
    "dichvucong": "dịch vụ công",
    "baohiemxahoi": "bảo hiểm xã hội",
    "chinhphu": "chính phủ",
    "baochinhphu": "báo chính phủ",
    "thuvienphapluat": "thư viện pháp luật",
    "congbao": "công báo",
    "tiemchungcovid": "tiêm chủng cô vít",
}
# A URL starts only where a run of its characters starts (the lookbehind names every one a
# URL can begin with), and runs are taken whole (possessive): a run of 100,000 hyphens is
# scanned once, not once from each of its positions.
_URL = re.compile(
    r"(?<![\w@.-])(?:https?://)?(?:[\w-]++@)?(?:[a-z0-9-]++\.)+(?:vn|com|net|org|gov|edu|info)"
    r"(?:/[\w./-]*+)?(?![\w])",
    re.IGNORECASE,
)
_URL_PIECES = re.compile(r"[a-z]+|\d+|[@./:-]", re.IGNORECASE)
_URL_PUNCT = {"@": "a còng", ".": "chấm", "/": "xẹt", ":": "hai chấm", "-": "gạch ngang"}


def _url(m: re.Match[str], ctx: Context) -> str | None:
    words: list[str] = []
    for piece in _URL_PIECES.findall(m.group(0)):
        low = piece.lower()
        if piece in _URL_PUNCT:
            words.append(_URL_PUNCT[piece])
        elif low in _URL_PARTS:
            words.append(_URL_PARTS[low])
        elif low in LOANWORDS:
            words.append(LOANWORDS[low])
        elif piece.isdigit() or len(piece) <= 3:
            words.append(spell(piece))
        else:
            # Unaccented Vietnamese in a domain cannot be re-toned reliably; leave it to the voice.
            words.append(piece)
    return " ".join(words).replace("chấm chấm", "chấm")


RULES = [
    Rule("term", _TERM, _term, needs_digit=True),
    Rule("url", _URL, _url),
]
