"""What of an announcement may be read at all: its sentences grouped into passages, with
headings, boilerplate and repeats of the title left out and each list kept with its lead-in."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import ConfigError
from bulletin.text.sentences import Unit, split_units

BOILERPLATE_FILE = "boilerplate.txt"
"""The station's own patterns, at the root of its workspace, read in addition to ours."""
_BUILT_IN = Path(__file__).resolve().parents[1] / "text" / BOILERPLATE_FILE
_CLOSERS = "\"'”’»)]"
# What a pattern does not see: list markers before, closing points and slashes after.
_LEADING = re.compile(r"^[\s\-–—+*•·●▪◦>]+")
_TRAILING = re.compile(r"[\s./:;!…-]+$")
# A list item opens with a bullet or a number: "- Hòa Bắc 152mm;", "1. Xã A", "a) Thôn B".
_ITEM_MARK = re.compile(r"^(?:[-+*–—•●▪◦]\s?|\d{1,3}[.)]\s|[a-zđ][.)]\s)")
_WORD = re.compile(r"\w+")


class Boilerplate:
    """Patterns of text never read on air, matched against a whole sentence or line."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self.patterns = tuple(patterns)
        joined = "|".join(f"(?:{p.pattern})" for p in self.patterns) or r"(?!)"
        self._any = re.compile(joined, re.I)

    @classmethod
    def built_in(cls) -> Boilerplate:
        return _built_in()

    @classmethod
    def for_workspace(cls, root: Path) -> Boilerplate:
        """Ours, plus the station's `boilerplate.txt` when it has one."""
        extra = root / BOILERPLATE_FILE
        if not extra.is_file():
            return _built_in()
        return cls([*_built_in().patterns, *read_patterns(extra)])

    def matches(self, text: str) -> bool:
        core = _TRAILING.sub("", _LEADING.sub("", text.strip()))
        return bool(core) and self._any.fullmatch(core) is not None

    def strip(self, text: str) -> str:
        """`text` without its boilerplate sentences; lines and paragraphs stay as they were."""
        lines = []
        for line in text.split("\n"):
            if not line.strip():
                lines.append("")
                continue
            units = [u.text for u in split_units(line) if not self.matches(u.text)]
            if units:
                lines.append(" ".join(units))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def read_patterns(path: Path) -> list[re.Pattern[str]]:
    """The patterns of a boilerplate file; a bad one is an error naming its line."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            "config.field", path=str(path), field="(file)", detail=str(error)
        ) from None
    patterns = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            patterns.append(re.compile(unicodedata.normalize("NFC", line), re.I))
        except re.error as error:
            raise ConfigError(
                "config.field", path=str(path), field=f"line {number}", detail=str(error)
            ) from None
    return patterns


@functools.cache
def _built_in() -> Boilerplate:
    return Boilerplate(read_patterns(_BUILT_IN))


@dataclass(frozen=True)
class Passage:
    """Sentences read together or not at all: one sentence, or a lead-in and its list."""

    sentences: tuple[str, ...]
    listing: bool = False
    """A sentence introducing a list ("… tại các tỉnh:") with the list's items."""

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def passages(
    text: str, title: str | None = None, boilerplate: Boilerplate | None = None
) -> list[Passage]:
    """The passages of `text` worth reading, in order.

    Headings and boilerplate are left out, and so is a sentence that only repeats the
    title. A sentence ending in a colon goes with the list it introduces; when no list
    follows (the table was an image, a heading comes next), it is left out too.
    """
    boilerplate = boilerplate or Boilerplate.built_in()
    units = [u for u in split_units(text) if u.heading or not boilerplate.matches(u.text)]
    found: list[Passage] = []
    i = 0
    while i < len(units):
        unit = units[i]
        i += 1
        if unit.heading:
            continue
        if not is_lead_in(unit.text):
            if not (title and repeats_title(unit.text, title)):
                found.append(Passage((unit.text,)))
            continue
        items, i = _list_after(units, i)
        if items:
            found.append(Passage((unit.text, *items), listing=True))
    return found


def is_lead_in(sentence: str) -> bool:
    """A sentence that announces what follows: "… tại các tỉnh:", "như sau:"."""
    return sentence.rstrip().rstrip(_CLOSERS).endswith(":")


def _list_after(units: Sequence[Unit], start: int) -> tuple[list[str], int]:
    """The items of the list opening at `units[start]`, and the index after them."""
    items: list[str] = []
    i = start
    marked = False
    while i < len(units):
        text = units[i].text
        has_mark = bool(_ITEM_MARK.match(text))
        # "1. Xã Trà Leng" alone on a line is a heading to the splitter, an item here.
        if units[i].heading and (not has_mark or text.isupper()):
            break
        if items:
            previous = items[-1].rstrip().rstrip(_CLOSERS)
            # A nested lead-in ("Tại tỉnh A:") goes on with its own items.
            goes_on = has_mark if marked else previous.endswith((";", ",", ":")) or has_mark
            if not goes_on:
                break
        else:
            marked = has_mark
        items.append(text)
        i += 1
    while items and is_lead_in(items[-1]):
        items.pop()  # a nested lead-in whose list is missing
        i -= 1
    return items, i


def canonical_words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def repeats_title(sentence: str, title: str) -> bool:
    """Whether `sentence` says no more than the title: the same words, give or take a few."""
    words, heading = canonical_words(sentence), set(canonical_words(title))
    if not words or not heading:
        return False
    new = [w for w in words if w not in heading]
    return len(new) <= len(words) // 8 and len(words) <= 1.3 * len(heading) + 2


def is_cut_snippet(body: str) -> bool:
    """A listing's teaser cut off with "…": too short to be the notice, ending mid-text."""
    text = body.strip().rstrip(_CLOSERS).rstrip()
    return len(text) < 600 and text.endswith(("…", "..."))


_WARNING = re.compile(
    r"\b(?:bão|áp thấp nhiệt đới|lũ|lũ quét|lũ ống|sạt lở|ngập|mưa lớn|mưa to|giông|lốc|"
    r"rét đậm|rét hại|nắng nóng|triều cường|xâm nhập mặn|động đất|sóng thần|cháy rừng|"
    r"thiên tai|thời tiết|khí tượng|thủy văn|thuỷ văn|"
    r"dịch bệnh|dịch|sốt xuất huyết|tay chân miệng|cúm|covid|"
    r"cắt điện|ngừng cung cấp điện|ngừng cấp điện|mất điện|tạm ngừng cấp nước|lịch cắt|"
    r"tiêm chủng|tiêm vắc|vắc xin|vắc-xin|vaccine|lịch thi|kỳ thi|thi tuyển|tuyển sinh|"
    r"cảnh báo|khẩn cấp|công điện|sơ tán|di dời)\b",
    re.I,
)
WARNING_TAGS = frozenset(
    {
        "canh-bao", "cảnh báo", "warning", "thoi-tiet", "thời tiết", "weather", "thien-tai",
        "thiên tai", "bao-lu", "bão lũ", "dich-benh", "dịch bệnh", "epidemic", "cat-dien",
        "cắt điện", "power", "tiem-chung", "tiêm chủng", "vaccination", "lich-thi", "lịch thi",
        "exam", "khan-cap", "khẩn cấp",
    }
)  # fmt: skip


def is_warning(title: str, tags: Sequence[str] = (), priority: str = "normal") -> bool:
    """A warning or notice where every place and figure matters: by the source's priority
    or tags, else by the words of its title."""
    if priority == "emergency":
        return True
    if {t.lower() for t in tags} & WARNING_TAGS:
        return True
    return _WARNING.search(unicodedata.normalize("NFC", title)) is not None


_COMMENTARY = re.compile(
    r"[“”\"]|\b(?:cho biết|nhấn mạnh|chia sẻ|nhận định|khuyến cáo|cho rằng|bày tỏ|phát biểu)\b",
    re.I,
)


def has_figures(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def is_commentary(text: str) -> bool:
    """Quoted or attributed opinion, the first to go when a warning is too long."""
    return _COMMENTARY.search(text) is not None and not has_figures(text)


def trim_to_seconds(
    sentences: Sequence[str], seconds_of: Callable[[str], float], limit: float
) -> tuple[str, ...]:
    """The longest opening of `sentences` whose measured seconds fit in `limit`, cut only
    between passages: a list goes with its lead-in, and a lead-in never ends what is kept."""
    kept = list(sentences)
    spent = [seconds_of(s) for s in kept]
    while kept and sum(spent) > limit + 1e-9:
        start = _list_start(kept, len(kept) - 1)
        cut = start if start is not None else len(kept) - 1
        del kept[cut:], spent[cut:]
    while kept and is_lead_in(kept[-1]):
        kept.pop()
    return tuple(kept)


def _list_start(sentences: Sequence[str], index: int) -> int | None:
    """Where the list holding `sentences[index]` starts (its lead-in), if it is in one."""
    j = index
    while j > 0:
        current, previous = sentences[j], sentences[j - 1].rstrip().rstrip(_CLOSERS)
        if not (_ITEM_MARK.match(current) or previous.endswith((";", ",", ":"))):
            return None
        if is_lead_in(sentences[j - 1]):
            return j - 1
        j -= 1
    return None


def is_vietnamese(text: str) -> bool:
    """Whether `text` is written in Vietnamese: most of its syllables carry a diacritic or
    a letter only Vietnamese has, where English or a transliterated name has almost none."""
    words = _WORD.findall(unicodedata.normalize("NFC", text))
    words = [w for w in words if not w.isdigit()]
    if len(words) < 8:
        return True  # too little to tell
    marked = sum(any(not ch.isascii() for ch in w) for w in words)
    return marked / len(words) >= 0.15
