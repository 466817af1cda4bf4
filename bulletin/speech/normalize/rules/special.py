"""Fixed readings: Covid-19, SARS-CoV-2, "v.v.", and URLs and e-mails read as a short host."""

from __future__ import annotations

import re

from ..core import Context, Rule
from ..letters import spell, split_bare_syllables, voiced
from ..lexicon import FOREIGN_NAMES

_TERMS = {
    "covid19": "cô vít mười chín",
    "sarscov2": "sát cô vi hai",
}
_TERM = re.compile(r"(?<!\w)(?:covid[-\s]?19|sars[-\s]?cov[-\s]?2)(?!\w)", re.IGNORECASE)


def _term(m: re.Match[str], ctx: Context) -> str | None:
    key = re.sub(r"[-\s]", "", m.group(0).lower())
    return _TERMS.get(key)


_URL_PARTS = {
    "gov": "gốp",
    "vn": "vê en",
    "com": "com",
    "net": "nét",
    "org": "o rờ gờ",
    "edu": "e đu",
    "info": "in phô",
    "int": "in",
    "gmail": "gờ meo",
    "yahoo": "da hu",
    # Unaccented names of the portals bulletins point listeners to most often.
    "dichvucong": "dịch vụ công",
    "baohiemxahoi": "bảo hiểm xã hội",
    "chinhphu": "chính phủ",
    "baochinhphu": "báo chính phủ",
    "thuvienphapluat": "thư viện pháp luật",
    "congbao": "công báo",
    "tiemchungcovid": "tiêm chủng cô vít",
    "thoitiet": "thời tiết",
}
_TLD = r"(?:vn|com|net|org|gov|edu|info|int|io|asia|biz)"
# A URL starts only where a run of its characters starts (the lookbehind names every one a
# URL can begin with), and runs are taken whole (possessive): a run of 100,000 hyphens is
# scanned once, not once from each of its positions.
_URL = re.compile(
    r"(?<![\w@.-])(?:https?://)?(?:([\w.-]++)@)?((?:[a-z0-9-]++\.)+" + _TLD + r")"
    r"(?::\d+)?(?:/[\w./?=&%#+~-]*+)?(?![\w])",
    re.IGNORECASE,
)
_URL_PIECES = re.compile(r"[a-z]+|\d+|[.-]", re.IGNORECASE)
_URL_PUNCT = {".": "chấm", "-": "gạch ngang"}


def _url_words(host: str) -> list[str]:
    words: list[str] = []
    for piece in _URL_PIECES.findall(host):
        low = piece.lower()
        if piece in _URL_PUNCT:
            words.append(_URL_PUNCT[piece])
        elif low in _URL_PARTS:
            words.append(_URL_PARTS[low])
        elif low in FOREIGN_NAMES:
            words.append(FOREIGN_NAMES[low])
        elif not piece.isdigit() and (syllables := split_bare_syllables(piece)):
            # Vietnamese run together without marks ("quangngai"): read as syllables, a
            # stop coda given the tone the voice needs to read it as Vietnamese.
            words += [voiced(syllable) or syllable for syllable in syllables]
        else:
            # Letters that make no Vietnamese syllable are spelled, never left to the voice,
            # which would read them as English.
            words.append(spell(piece))
    return words


def _url(m: re.Match[str], ctx: Context) -> str | None:
    # A listener can use neither a scheme nor "www" nor a path: the host is what they
    # can type or look for, read by its parts ("nchmf chấm gov chấm vn").
    user, host = m.groups()
    if host.lower().startswith("www."):
        host = host[4:]
    words = []
    if user:
        words += [*_url_words(user), "a còng"]
    words += _url_words(host)
    # A path takes its run whole, so a sentence's last point or question mark came with it.
    source = m.group(0)
    return " ".join(words) + source[len(source.rstrip(".?!")) :]


# "v.v." (and so on), also "v.v..." and "v.v…".
_ETC = re.compile(r"[vV](?<!\w[vV])\.\s?[vV](?!\w)\.?(?:\.\.|…)?")


def _etc(m: re.Match[str], ctx: Context) -> str | None:
    # Its last point ends the sentence too, unless the sentence goes on after it.
    rest = m.string[m.end() : m.end() + 3].lstrip(" \t")
    ends = not rest or rest[0] in "\r\n" or rest[0].isupper()
    return "vân vân" + ("." if ends and m.group(0).endswith((".", "…")) else "")


RULES = [
    Rule("term", _TERM, _term, needs_digit=True),
    Rule("url", _URL, _url),
    Rule("etc", _ETC, _etc),
]
