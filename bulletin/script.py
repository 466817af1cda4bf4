"""A bulletin's script: opening, items and closing as sentences in written and spoken form,
and how long a script takes on air."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bulletin.domain import Announcement
from bulletin.errors import BulletinError, InputError
from bulletin.speech.profiles import syllables_per_minute
from bulletin.text.sentences import ensure_period
from bulletin.workspace import Programme, VoiceProfile, Workspace

if TYPE_CHECKING:
    from bulletin.summarize.base import Summary

Progress = Callable[[str, int, int], None]
WEEKDAYS = ("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật")


@dataclass(frozen=True)
class ScriptLine:
    """One sentence of the script: where it belongs, what is written and what is spoken."""

    part: str  # opening | item | closing
    item_position: int | None
    text: str
    spoken: str


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


JINGLE_SECONDS = 3.1  # the built-in chime and the gap after it


class AirTime:
    """Seconds a script takes on air: spoken words at the voice's real rate, and the pauses."""

    def __init__(self, workspace: Workspace, voice: VoiceProfile) -> None:
        self.audio = workspace.config.audio
        self.region = voice.region
        self.lexicon = workspace.lexicon()
        self.per_minute = syllables_per_minute(voice)
        self.issuers = Issuers(workspace)

    def seconds(self, lines: Sequence[str]) -> float:
        from bulletin.speech.normalize import normalize

        words = sum(
            len(normalize(line, region=self.region, lexicon=self.lexicon).split()) for line in lines
        )
        return words * 60.0 / self.per_minute + len(lines) * self.audio.pause_sentence_ms / 1000

    def __call__(self, announcement: Announcement, summary: Summary) -> float:
        """An item: its intro, its summary and the pause after it."""
        intro = [f"Tin thứ nhất: {announcement.title}."]
        intro += self.issuers.lines(announcement, list(summary.sentences))
        return self.seconds([*intro, *summary.sentences]) + self.audio.pause_item_ms / 1000

    def frame(self, script: Sequence[ScriptLine]) -> float:
        """Opening, closing and jingles: what every programme spends before its items."""
        jingles = sum(
            JINGLE_SECONDS
            for setting in (self.audio.jingle_open, self.audio.jingle_close)
            if setting
        )
        return self.seconds([line.text for line in script]) + jingles


class Issuers:
    """Who issued each source's items, as the station set it (`issuer` in sources.yaml), and
    the sentence that says so before an item's summary ("Theo Đài Khí tượng Thủy văn tỉnh …:")."""

    def __init__(self, workspace: Workspace) -> None:
        self.template = workspace.config.script.item_issuer
        try:
            sources = workspace.sources()
        except BulletinError:
            sources = {}  # a broken sources.yaml is reported by fetch; a script goes on
        self.by_source = {key: (spec.issuer or "").strip() for key, spec in sources.items()}

    def lines(self, announcement: Announcement, summary: Sequence[str]) -> list[str]:
        """The issuer's sentence, unless unknown or the title or summary opening names it."""
        issuer = self.by_source.get(announcement.source, "")
        if not issuer or not summary:
            return []
        named = _words(issuer)
        opening = _words(" ".join([announcement.title, *summary[:1]]))
        if f" {named} " in f" {opening} ":
            return []
        return [_fill(self.template, {"issuer": issuer})]


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def ordinal(n: int) -> str:
    from bulletin.speech.normalize import read_number

    return {1: "nhất", 4: "tư"}.get(n, read_number(n))


def write_script(
    workspace: Workspace,
    programme: Programme,
    voice: VoiceProfile,
    items: Sequence[tuple[Announcement, list[str]]],
    today: datetime,
) -> list[ScriptLine]:
    """Opening, each item's title and summary, closing; each sentence normalized for speech."""
    from bulletin.speech.normalize import normalize
    from bulletin.text.sentences import split_sentences

    config = workspace.config
    lexicon = workspace.lexicon()
    issuers = Issuers(workspace)
    date = normalize(f"{WEEKDAYS[today.weekday()]}, ngày {today:%d/%m/%Y}", region=voice.region)
    fields = {
        "station": config.station.name,
        "commune": config.station.commune,
        "programme": programme.title,
        "date": date,
        "count": spoken_count(len(items)),
    }
    lines: list[ScriptLine] = []

    def add(part: str, position: int | None, text: str) -> None:
        for sentence in split_sentences(text):
            sentence = ensure_period(sentence)
            lines.append(
                ScriptLine(
                    part,
                    position,
                    sentence,
                    normalize(sentence, region=voice.region, lexicon=lexicon),
                )
            )

    add("opening", None, _fill(config.script.opening, fields))
    for position, (announcement, summary) in enumerate(items, start=1):
        add(
            "item",
            position,
            _fill(
                config.script.item_intro, {"index": ordinal(position), "title": announcement.title}
            ),
        )
        for line in issuers.lines(announcement, summary):
            add("item", position, line)
        for sentence in summary:
            add("item", position, sentence)
    add("closing", None, _fill(config.script.closing, fields))
    return lines


def spoken_count(n: int) -> str:
    from bulletin.speech.normalize import read_number

    return read_number(n)


def _fill(template: str, fields: dict[str, str]) -> str:
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise InputError("script.template", template=template, detail=str(exc)) from None
