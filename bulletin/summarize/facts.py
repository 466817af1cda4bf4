"""Find the checkable facts in Vietnamese text (numbers, dates, times, money, percentages,
document codes, proper names) in a canonical form, so differently written equals compare equal."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

KINDS = ("code", "money", "percent", "date", "time", "number", "name")


@dataclass(frozen=True)
class Fact:
    """A checkable fact as written in a summary."""

    kind: str
    """One of code, money, percent, date, time, number, name."""
    text: str
    """The words in the summary, for a reviewer to find them."""


@dataclass(frozen=True)
class Found:
    """A fact and its canonical key: what a different spelling of it must equal."""

    fact: Fact
    key: tuple[object, ...]
    start: int = 0
    """Offset in the text, so a reviewer reads the facts in the order written."""


_NUM = r"\d+(?:[.,]\d+)*"
_SCALES = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_SCALE = r"(?:\s+(?:nghìn|ngàn|triệu|tỷ|tỉ))*"
_CURRENCY = r"(?:\s*(?:đồng|VNĐ|VND|USD|đ)(?!\w)|\s*\$)"
# Digits glued to letters ("H5N1", "COVID-19", "QL1A") are identifiers, not quantities.
_NOT_AFTER = r"(?<![\w.,/:-])"
_NOT_BEFORE = r"(?![\w/]|[.,:]\d)"

_CODE = re.compile(r"(?<![\w/])(?:\d+/)+[A-ZĐ][\wĐđ]*(?:[-–][\wĐđ]+)*")
_IDENTIFIER = re.compile(
    r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[\w]+(?:-[\w]+)*(?![\w-])", re.UNICODE
)
_MONEY = re.compile(_NOT_AFTER + rf"({_NUM})({_SCALE}){_CURRENCY}")
_PERCENT = re.compile(_NOT_AFTER + rf"({_NUM})\s*(?:%|phần trăm)")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?", re.I)
_MONTH_YEAR = re.compile(r"tháng\s+(\d{1,2})(?:\s+năm\s+|\s*[/-]\s*)(\d{4})(?!\d)", re.I)
_DATE_NUMERIC = re.compile(
    _NOT_AFTER + r"(\d{1,2})([/-])(\d{1,2})(?:\2(\d{4}))?(?![\w/-]|[.,]\d)"
    r"|" + _NOT_AFTER + r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\w.,]\d|\w)"
)
_TIME = re.compile(
    _NOT_AFTER + r"(\d{1,2})\s*(?:giờ|h|g)\s*(?:(\d{1,2})(?:\s*phút|p)?)?(?!\w)"
    r"|" + _NOT_AFTER + r"(\d{1,2}):(\d{2})(?![\w:])",
    re.I,
)
_NUMBER = re.compile(_NOT_AFTER + rf"({_NUM})({_SCALE})" + _NOT_BEFORE)

# Old and new tone placement are both in use ("Thanh Hoá" / "Thanh Hóa", "Uỷ" / "Ủy").
_TONE_PLACEMENT = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_EXPANSIONS = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "tp": "thành phố",
    "tx": "thị xã",
    "tt": "thị trấn",
}
_WORD = re.compile(r"\w+")
# "À-Ỹ" as a range would also take the lower-case letters between them.
_UPPER = "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
_CAPITALISED = re.compile(f"[A-Z{_UPPER}]")
_LEVELS = r"(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)"
_ORGANISATION = re.compile(
    r"(?:(?:Ủy|Uỷ|ỦY|UỶ) ban nhân dân|Hội đồng nhân dân|UBND|HĐND)"
    rf"(?:\s+{_LEVELS})?(?:\s+[A-Z{_UPPER}]\w*)*"
)


def canonical_words(text: str) -> str:
    """NFC, lower case, one tone placement, common abbreviations spelled out, single spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    for old, new in _TONE_PLACEMENT.items():
        text = text.replace(old, new)
    words = [_EXPANSIONS.get(word, word) for word in _WORD.findall(text)]
    return " ".join(words)


def parse_number(text: str) -> Decimal | None:
    """Vietnamese writes 1.250.000 and 18,3; English-style 1,250,000 and 2.5 also occur."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d+,\d+", text):
        text = text.replace(",", ".")
    elif not re.fullmatch(r"\d+(?:\.\d+)?", text):
        return None
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return None


def _scaled(number: str, scale: str) -> Decimal | None:
    value = parse_number(number)
    if value is None:
        return None
    for word in scale.split():
        value *= _SCALES[word.lower()]
    return value.normalize()


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def _mask(text: str, start: int, end: int) -> str:
    # Keep offsets so later patterns still see sentence starts where they were.
    return text[:start] + " " * (end - start) + text[end:]


def extract_facts(text: str) -> list[Found]:
    """Every checkable fact in `text`, most specific kinds first, none counted twice."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    found: list[Found] = []

    def take(pattern: re.Pattern[str], kind: str, key_of: object) -> None:
        nonlocal text
        for match in list(pattern.finditer(text)):
            key = key_of(match)  # type: ignore[operator]
            if key is None:
                continue
            found.append(Found(Fact(kind, match.group(0).strip()), key, match.start()))
            text = _mask(text, match.start(), match.end())

    take(_CODE, "code", lambda m: ("code", canonical_code(m.group(0))))
    take(_MONEY, "money", lambda m: _money_key(m))
    take(_PERCENT, "percent", lambda m: ("percent", parse_number(m.group(1))))
    take(_DATE_WORDS, "date", lambda m: _date_key(m.group(1), m.group(2), m.group(3)))
    take(_MONTH_YEAR, "date", lambda m: ("date", None, int(m.group(1)), int(m.group(2))))
    take(_DATE_NUMERIC, "date", _numeric_date_key)
    take(_TIME, "time", _time_key)
    take(_IDENTIFIER, "code", lambda m: ("code", canonical_code(m.group(0))))
    take(_NUMBER, "number", lambda m: _number_key(m))
    found.extend(_names(text))
    return sorted(found, key=lambda f: f.start)


def canonical_code(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text)).upper().replace("–", "-")


def _money_key(match: re.Match[str]) -> tuple[object, ...] | None:
    value = _scaled(match.group(1), match.group(2))
    return None if value is None else ("money", value)


def _number_key(match: re.Match[str]) -> tuple[object, ...] | None:
    value = _scaled(match.group(1), match.group(2))
    return None if value is None else ("number", value)


def _date_key(day: str | None, month: str | None, year: str | None) -> tuple[object, ...] | None:
    d, m = _int(day), _int(month)
    if (d is not None and not 1 <= d <= 31) or m is None or not 1 <= m <= 12:
        return None
    return ("date", d, m, _int(year))


def _numeric_date_key(match: re.Match[str]) -> tuple[object, ...] | None:
    if match.group(1):
        return _date_key(match.group(1), match.group(3), match.group(4))
    return _date_key(match.group(5), match.group(6), match.group(7))


def _time_key(match: re.Match[str]) -> tuple[object, ...] | None:
    hour = int(match.group(1) or match.group(3))
    minute = int(match.group(2) or match.group(4) or 0)
    if hour > 24 or minute > 59:
        return None
    return ("time", hour, minute)


def _names(text: str) -> list[Found]:
    """Capitalised runs of two or more syllables, and people's councils and committees.

    The first word of a sentence is capitalised anyway, so it never starts a name.
    """
    found = [
        Found(Fact("name", m.group(0)), ("name", canonical_words(m.group(0))), m.start())
        for m in _ORGANISATION.finditer(text)
    ]
    offset = 0
    for sentence in re.split(r"((?<=[.!?…:;])\s+|\n+|[\"“”«»(])", text):
        start, offset = offset, offset + len(sentence)
        run: list[re.Match[str]] = []
        for index, word in enumerate([*_WORD.finditer(sentence), None]):
            joined = word is not None and (
                not run or not sentence[run[-1].end() : word.start()].strip()
            )
            if (
                word is not None
                and joined
                and index > 0
                and _CAPITALISED.match(word.group(0))
                and not word.group(0).isdigit()
            ):
                run.append(word)
                continue
            if len(run) >= 2:
                phrase = sentence[run[0].start() : run[-1].end()]
                key = ("name", canonical_words(phrase))
                found.append(Found(Fact("name", phrase), key, start + run[0].start()))
            run = []
            if word is not None and index > 0 and _CAPITALISED.match(word.group(0)):
                run.append(word)
    return found
