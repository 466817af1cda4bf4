"""Build a bulletin: choose announcements, summarize, write the script, speak it, produce audio."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bulletin.errors import InputError
from bulletin.locks import exclusive
from bulletin.messages import t
from bulletin.speech.profiles import syllables_per_minute
from bulletin.store import Announcement, ItemRecord, Store
from bulletin.text.sentences import ensure_period
from bulletin.workspace import PRIORITY_RANK, Programme, VoiceProfile, Workspace

if TYPE_CHECKING:
    from bulletin.production import PartKind, ProducedAudio
    from bulletin.speech.tts.base import AudioChunk
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

    def seconds(self, lines: Sequence[str]) -> float:
        from bulletin.speech.normalize import normalize

        words = sum(
            len(normalize(line, region=self.region, lexicon=self.lexicon).split()) for line in lines
        )
        return words * 60.0 / self.per_minute + len(lines) * self.audio.pause_sentence_ms / 1000

    def __call__(self, announcement: Announcement, summary: Summary) -> float:
        """An item: its intro, its summary and the pause after it."""
        intro = f"Tin thứ nhất: {announcement.title}."
        return self.seconds([intro, *summary.sentences]) + self.audio.pause_item_ms / 1000

    def frame(self, script: Sequence[ScriptLine]) -> float:
        """Opening, closing and jingles: what every programme spends before its items."""
        jingles = sum(
            JINGLE_SECONDS
            for setting in (self.audio.jingle_open, self.audio.jingle_close)
            if setting
        )
        return self.seconds([line.text for line in script]) + jingles


def _ordinal(n: int) -> str:
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
    date = normalize(f"{WEEKDAYS[today.weekday()]}, ngày {today:%d/%m/%Y}", region=voice.region)
    fields = {
        "station": config.station.name,
        "commune": config.station.commune,
        "programme": programme.title,
        "date": date,
        "count": _spoken_count(len(items)),
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
                config.script.item_intro, {"index": _ordinal(position), "title": announcement.title}
            ),
        )
        for sentence in summary:
            add("item", position, sentence)
    add("closing", None, _fill(config.script.closing, fields))
    return lines


def _spoken_count(n: int) -> str:
    from bulletin.speech.normalize import read_number

    return read_number(n)


def _fill(template: str, fields: dict[str, str]) -> str:
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise InputError("script.template", template=template, detail=str(exc)) from None


def build(
    workspace: Workspace,
    store: Store,
    *,
    programme_name: str | None = None,
    item_ids: Sequence[int] = (),
    voice_name: str | None = None,
    actor: str = "bulletin",
    progress: Progress = _no_progress,
) -> int:
    """Build one bulletin to the 'built' state and return its id."""
    with exclusive(workspace.data_dir / "build.lock", "build"):
        # Holding the lock, any draft left is from a build that was interrupted.
        store.reject_drafts(actor="bulletin", reason=t("build.interrupted"))
        return _build(workspace, store, programme_name, item_ids, voice_name, actor, progress)


def _build(
    workspace: Workspace,
    store: Store,
    programme_name: str | None,
    item_ids: Sequence[int],
    voice_name: str | None,
    actor: str,
    progress: Progress,
) -> int:
    from bulletin.selection import select
    from bulletin.summarize import summarizer_for
    from bulletin.summarize.base import Budget

    programme_key, programme = workspace.programme(programme_name)
    voice_key, voice = workspace.voice(voice_name or programme.voice)
    summary = workspace.config.summary
    budget = Budget(
        sentences=summary.sentences or workspace.config.defaults.summary_sentences,
        seconds=summary.seconds,
        words_per_minute=syllables_per_minute(voice),
    )
    progress("select", 0, 1)
    summarizer = summarizer_for(programme.summarizer or summary.engine, summary)
    today = datetime.now(ZoneInfo(workspace.config.timezone))
    air_time = AirTime(workspace, voice)
    frame = air_time.frame(write_script(workspace, programme, voice, [], today))
    chosen = select(
        store, programme, summarizer, budget, item_ids, cost_of=air_time, frame_seconds=frame
    )
    if not chosen:
        raise InputError("build.nothing")
    items = [(c.announcement, list(c.summary.sentences)) for c in chosen]
    progress("select", 1, 1)
    progress("script", 0, 1)
    script = write_script(workspace, programme, voice, items, today)
    progress("script", 1, 1)
    priority = min((c.announcement.priority for c in chosen), key=lambda p: PRIORITY_RANK.get(p, 9))
    bulletin_id = store.create_draft(
        programme=programme_key,
        priority=priority,
        voice=voice_key,
        items=[
            ItemRecord(
                announcement_id=c.announcement.id,
                title=c.announcement.title,
                summary=c.summary.text,
                engine=c.summary.engine,
                fallback_reason=c.summary.fallback_reason,
                merged=c.merged,
            )
            for c in chosen
        ],
        sentences=[(s.part, s.item_position, s.text, s.spoken) for s in script],
        actor=actor,
    )
    rendered = render(workspace, voice, script, bulletin_id, progress)
    store.finish_build(
        bulletin_id,
        audio_path=str(rendered.audio.path),
        audio_bytes=rendered.audio.bytes,
        audio_sha256=rendered.audio.sha256,
        duration_s=rendered.audio.duration_s,
        loudness_lufs=rendered.audio.loudness_lufs,
        true_peak_dbtp=rendered.audio.true_peak_dbtp,
        audio_keys=rendered.keys,
        actor=actor,
    )
    return bulletin_id


@dataclass(frozen=True)
class Rendered:
    """A script spoken and produced: the audio, each sentence's cache key, what was new."""

    audio: ProducedAudio
    keys: list[str]
    synthesized: int
    """Sentences the engine had to speak (the others came from the sentence cache)."""


def render(
    workspace: Workspace,
    voice: VoiceProfile,
    script: Sequence[ScriptLine],
    bulletin_id: int,
    progress: Progress = _no_progress,
) -> Rendered:
    """Speak every sentence (cached ones are reused) and produce the bulletin's MP3."""
    from bulletin import production
    from bulletin.speech.cache import SentenceCache, synthesize_cached
    from bulletin.speech.profiles import engine_for

    engine = engine_for(voice, workspace)
    cache = SentenceCache(workspace.cache_dir / "sentences")
    parts: list[tuple[str, int | None, AudioChunk]] = []
    keys = []
    synthesized = 0
    total = len(script)
    progress("speak", 0, total)
    spoken = synthesize_cached(engine, cache, [line.spoken for line in script])
    for done, (line, (chunk, hit)) in enumerate(zip(script, spoken, strict=True), start=1):
        parts.append((line.part, line.item_position, chunk))
        keys.append(cache.digest((engine.cache_key(), line.spoken)))
        synthesized += not hit
        progress("speak", done, total)
    progress("produce", 0, 1)
    audio = workspace.config.audio
    settings = production.ProductionSettings(
        target_lufs=audio.target_lufs,
        true_peak_dbtp=audio.true_peak_dbtp,
        pause_sentence_ms=audio.pause_sentence_ms,
        pause_item_ms=audio.pause_item_ms,
        jingle_open=_jingle(workspace, audio.jingle_open),
        jingle_close=_jingle(workspace, audio.jingle_close),
    )
    out = workspace.audio_dir / f"bulletin-{bulletin_id}.mp3"
    produced = production.produce(_production_parts(parts), out, settings)
    progress("produce", 1, 1)
    return Rendered(produced, keys, synthesized)


def _production_parts(
    parts: Sequence[tuple[str, int | None, AudioChunk]],
) -> list[tuple[PartKind, AudioChunk]]:
    """Script lines as production parts: the last sentence of an item ends the item."""
    kinds: list[tuple[PartKind, AudioChunk]] = []
    for index, (part, position, chunk) in enumerate(parts):
        if part != "item":
            kinds.append(("opening" if part == "opening" else "closing", chunk))
            continue
        following = parts[index + 1] if index + 1 < len(parts) else None
        last = following is None or following[1] != position
        kinds.append(("item_end" if last else "item_sentence", chunk))
    return kinds


def _jingle(workspace: Workspace, setting: str | None) -> Path | Literal["builtin"] | None:
    if setting is None:
        return None
    if setting == "builtin":
        return "builtin"
    path = workspace.resolve(setting)
    if not path.is_file():
        raise InputError(
            "config.field",
            path=str(workspace.root / "bulletin.yaml"),
            field="audio.jingle",
            detail=f"{path}?",
        )
    return path
