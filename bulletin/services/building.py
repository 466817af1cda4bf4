"""Build a bulletin: choose announcements, summarize, write the script, speak it, produce audio."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bulletin.domain import ItemRecord
from bulletin.errors import InputError
from bulletin.script import AirTime, ScriptLine, write_script
from bulletin.services.station import Station
from bulletin.speech.profiles import syllables_per_minute
from bulletin.staging import sweep
from bulletin.store import Store
from bulletin.store.bulletins import StoredAudio
from bulletin.workspace import PRIORITY_RANK, SummaryConfig, VoiceProfile

if TYPE_CHECKING:
    from bulletin.production import PartKind, ProducedAudio
    from bulletin.speech.tts.base import AudioChunk, TTSEngine
    from bulletin.summarize.base import Summarizer

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def summarizer(station: Station, name: str, config: SummaryConfig) -> Summarizer:
    """The guarded summarizer `name`, loaded once per process for these settings."""
    from bulletin.summarize import summarizer_for

    key = ("summarizer", name, config.model_dump_json())
    return station.engine(key, lambda: summarizer_for(name, config))


def tts_engine(station: Station, voice: VoiceProfile) -> TTSEngine:
    """The engine a voice profile describes, loaded once per process."""
    from bulletin.speech.profiles import engine_for

    key = ("tts", voice.model_dump_json())
    return station.engine(key, lambda: engine_for(voice, station.workspace))


def build(
    station: Station,
    *,
    programme_name: str | None = None,
    item_ids: Sequence[int] = (),
    voice_name: str | None = None,
    actor: str = "bulletin",
    progress: Progress = _no_progress,
) -> int:
    """Build one bulletin to the 'built' state and return its id."""
    with station.lock("build"), station.store() as store:
        # Holding the lock, any draft left is from a build that was interrupted.
        store.abandon_drafts(actor="bulletin")
        return _build(station, store, programme_name, item_ids, voice_name, actor, progress)


def _build(
    station: Station,
    store: Store,
    programme_name: str | None,
    item_ids: Sequence[int],
    voice_name: str | None,
    actor: str,
    progress: Progress,
) -> int:
    from bulletin.selection import select
    from bulletin.summarize.base import Budget

    workspace = station.workspace
    programme_key, programme = workspace.programme(programme_name)
    voice_key, voice = workspace.voice(voice_name or programme.voice)
    summary = workspace.config.summary
    budget = Budget(
        sentences=summary.sentences or workspace.config.defaults.summary_sentences,
        seconds=summary.seconds,
        words_per_minute=syllables_per_minute(voice),
    )
    progress("select", 0, 1)
    engine = summarizer(station, programme.summarizer or summary.engine, summary)
    today = datetime.now(ZoneInfo(workspace.config.timezone))
    air_time = AirTime(workspace, voice)
    frame = air_time.frame(write_script(workspace, programme, voice, [], today))
    chosen = select(
        store,
        programme,
        engine,
        budget,
        item_ids,
        cost_of=air_time,
        frame_seconds=frame,
        max_candidates=workspace.config.limits.build_candidates,
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
                fallback_key=c.summary.fallback_key,
                fallback_params=c.summary.fallback_params,
                merged=c.merged,
            )
            for c in chosen
        ],
        sentences=[(s.part, s.item_position, s.text, s.spoken) for s in script],
        actor=actor,
    )
    rendered = render(station, voice, script, bulletin_id, progress)
    store.finish_build(bulletin_id, rendered.audio, rendered.keys, actor=actor)
    return bulletin_id


@dataclass(frozen=True)
class Rendered:
    """A script spoken and produced: the audio, each sentence's cache key, what was new."""

    audio: StoredAudio
    keys: list[str]
    synthesized: int
    """Sentences the engine had to speak (the others came from the sentence cache)."""


def render(
    station: Station,
    voice: VoiceProfile,
    script: Sequence[ScriptLine],
    bulletin_id: int,
    progress: Progress = _no_progress,
) -> Rendered:
    """Speak every sentence (cached ones are reused) and produce the bulletin's MP3.

    Each render writes a new file: the audio a bulletin was approved with is never
    overwritten in place, so an edit racing a push cannot change what the push sends.
    """
    from bulletin import production
    from bulletin.speech.cache import SentenceCache, synthesize_cached

    workspace = station.workspace
    engine = tts_engine(station, voice)
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
        jingle_open=_jingle(station, audio.jingle_open),
        jingle_close=_jingle(station, audio.jingle_close),
    )
    workspace.audio_dir.mkdir(parents=True, exist_ok=True)
    sweep(workspace.audio_dir)  # partial MP3s of builds that were killed
    out = workspace.audio_dir / f"bulletin-{bulletin_id}-{secrets.token_hex(4)}.mp3"
    produced = production.produce(_production_parts(parts), out, settings)
    progress("produce", 1, 1)
    return Rendered(_stored(station, produced), keys, synthesized)


def _stored(station: Station, produced: ProducedAudio) -> StoredAudio:
    return StoredAudio(
        path=station.relative(produced.path),
        bytes=produced.bytes,
        sha256=produced.sha256,
        duration_s=produced.duration_s,
        loudness_lufs=produced.loudness_lufs,
        true_peak_dbtp=produced.true_peak_dbtp,
    )


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


def _jingle(station: Station, setting: str | None) -> Path | Literal["builtin"] | None:
    if setting is None:
        return None
    if setting == "builtin":
        return "builtin"
    workspace = station.workspace
    path = workspace.resolve(setting)
    if not path.is_file():
        raise InputError(
            "config.field",
            path=str(workspace.root / "bulletin.yaml"),
            field="audio.jingle",
            detail=f"{path}?",
        )
    return path
