"""Build a bulletin: choose announcements, summarize, write the script, speak it, produce audio."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import secrets
import shutil
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
from bulletin.staging import partial_path, sweep
from bulletin.store import Store
from bulletin.store.base import file_sha256
from bulletin.store.bulletins import StoredAudio
from bulletin.workspace import PRIORITY_RANK, SummaryConfig, VoiceProfile

if TYPE_CHECKING:
    from bulletin.production import PartKind, ProducedAudio, ProductionSettings
    from bulletin.speech.cache import SentenceCache
    from bulletin.speech.fallback import Speaker
    from bulletin.speech.tts.base import AudioChunk, TTSEngine
    from bulletin.summarize.base import Budget, Summarizer, Summary

Progress = Callable[[str, int, int], None]
_log = logging.getLogger(__name__)


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


READING_VERSION = 2
"""What may be read of a text (headings, boilerplate, lists: `summarize.content`); summaries
stored under an older reading are made again."""


def spoken_seconds(station: Station, voice: VoiceProfile) -> Callable[[str], float]:
    """Seconds a written sentence takes when `voice` speaks it, with the pause after it:
    normalized and synthesized, so a time limit holds on the audio, not on an estimate."""
    from bulletin.speech.normalize import normalize

    workspace = station.workspace
    engine = tts_engine(station, voice)
    lexicon = workspace.lexicon()
    pause = workspace.config.audio.pause_sentence_ms / 1000

    @functools.lru_cache(maxsize=256)
    def seconds(sentence: str) -> float:
        spoken = normalize(sentence, region=voice.region, lexicon=lexicon)
        return engine.synthesize(spoken).duration_s + pause

    return seconds


class StoredSummaries:
    """A `Summarizer` that answers from the store's summaries first: a text summarized before
    by this engine with these settings and budget is not summarized again. The engine itself
    is loaded only when something is missing."""

    def __init__(
        self, store: Store, name: str, config: SummaryConfig, load: Callable[[], Summarizer]
    ) -> None:
        self.name = name
        self._store = store
        self._config = config.model_dump_json()
        self._load = load

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return self.summarize_many([(text, title)], budget)[0]

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        # The engine's options (the whole summary section) and the budget decide a summary.
        settings = _sha256_json(
            {
                "summary": self._config,
                "budget": dataclasses.asdict(budget),
                "reading": READING_VERSION,
            }
        )
        digests = [_sha256_json([title, text]) for text, title in texts]
        found = self._store.cached_summaries(digests, self.name, settings)
        missing = {d: pair for d, pair in zip(digests, texts, strict=True) if d not in found}
        if missing:
            made = self._load().summarize_many(list(missing.values()), budget)
            fresh = dict(zip(missing, made, strict=True))
            self._store.save_summaries(fresh, self.name, settings)
            found.update(fresh)
        return [found[d] for d in digests]


def _sha256_json(value: object) -> str:
    canonical = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build(
    station: Station,
    *,
    programme_name: str | None = None,
    item_ids: Sequence[int] = (),
    voice_name: str | None = None,
    actor: str = "bulletin",
    progress: Progress = _no_progress,
    run_key: str | None = None,
    air_at: str | None = None,
) -> int:
    """Build one bulletin to the 'built' state and return its id. `run_key` names the
    scheduled firing it is for: a bulletin already built for it is returned, not built again
    (a daemon killed after the build but before recording it)."""
    with station.lock("build"), station.store() as store:
        # Holding the lock, any draft left is from a build that was interrupted.
        store.abandon_drafts(actor="bulletin")
        if run_key is not None:
            found = store.bulletin_by_run_key(run_key)
            if found is not None:
                return found
        bulletin_id = _build(
            station, store, programme_name, item_ids, voice_name, actor, progress, run_key, air_at
        )
    if not item_ids:
        # A programme's minutes hold on the audio as produced, not on the estimate it was
        # filled by (items named one by one are the editor's choice, not trimmed).
        _, programme = station.workspace.programme(programme_name)
        keep_to_time(station, bulletin_id, programme.max_minutes * 60.0, actor=actor)
    return bulletin_id


def keep_to_time(station: Station, bulletin_id: int, limit_s: float, *, actor: str) -> None:
    """Drop the last (least important) items of a built bulletin while its produced audio is
    longer than `limit_s`, as an editor would, through the item edit (recorded in the audit).
    Each item's share of the measured length goes by its spoken words."""
    from bulletin.messages import t
    from bulletin.services.editing import edit_items

    for _ in range(4):
        with station.store(readonly=True) as store:
            duration = store.bulletin(bulletin_id).duration_s
            positions = [item.position for item in store.bulletin_items(bulletin_id)]
            rows = store.sentences(bulletin_id)
        if duration is None or duration <= limit_s or len(positions) <= 1:
            return
        words = {p: 0 for p in positions}
        total = 0
        for row in rows:
            count = len(row.spoken.split())
            total += count
            if row.item_position in words:
                words[row.item_position] += count
        per_word = duration / max(total, 1)
        kept = list(positions)
        over = duration - limit_s
        while len(kept) > 1 and over > 0:
            over -= words[kept.pop()] * per_word
        note = t("content.trimmed", seconds=f"{duration:.0f}", limit=f"{limit_s:.0f}")
        edit_items(station, bulletin_id, kept, actor=actor, reason=note)


def _build(
    station: Station,
    store: Store,
    programme_name: str | None,
    item_ids: Sequence[int],
    voice_name: str | None,
    actor: str,
    progress: Progress,
    run_key: str | None = None,
    air_at: str | None = None,
) -> int:
    from bulletin.selection import LeftOut, select
    from bulletin.summarize.base import Budget
    from bulletin.summarize.content import Boilerplate

    workspace = station.workspace
    programme_key, programme = workspace.programme(programme_name)
    voice_key, voice = workspace.voice(voice_name or programme.voice)
    summary = workspace.config.summary
    budget = Budget(
        sentences=summary.sentences or workspace.config.defaults.summary_sentences,
        seconds=summary.seconds,
        words_per_minute=syllables_per_minute(voice),
        sentence_pause_s=workspace.config.audio.pause_sentence_ms / 1000,
    )
    progress("select", 0, 1)
    engine_name = programme.summarizer or summary.engine
    engine = StoredSummaries(
        store, engine_name, summary, lambda: summarizer(station, engine_name, summary)
    )
    today = datetime.now(ZoneInfo(workspace.config.timezone))
    air_time = AirTime(workspace, voice)
    frame = air_time.frame(write_script(workspace, programme, voice, [], today))
    left_out: list[LeftOut] = []  # too old, a cut snippet, over time: logged with the reason
    chosen = select(
        store,
        programme,
        engine,
        budget,
        item_ids,
        cost_of=air_time,
        frame_seconds=frame,
        max_candidates=workspace.config.limits.build_candidates,
        now=today,
        boilerplate=Boilerplate.for_workspace(workspace.root),
        left_out=left_out,
    )
    for skipped in left_out:
        _log.info("%s", skipped.reason())
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
        run_key=run_key,
        air_at=air_at,
    )
    rendered = render(station, voice, script, bulletin_id, progress, voice_name=voice_key)
    store.finish_build(
        bulletin_id,
        rendered.audio,
        rendered.keys,
        actor=actor,
        fallback_voices=rendered.fallback_voices,
    )
    return bulletin_id


@dataclass(frozen=True)
class Rendered:
    """A script spoken and produced: the audio, each sentence's cache key, what was new."""

    audio: StoredAudio
    keys: list[str]
    synthesized: int
    """Sentences the engine had to speak (the others came from the sentence cache)."""
    fallback_voices: tuple[str | None, ...] = ()
    """Per sentence, the fallback voice that read it because the chosen voice failed (None:
    the chosen voice); empty when no sentence needed it."""


def render(
    station: Station,
    voice: VoiceProfile,
    script: Sequence[ScriptLine],
    bulletin_id: int,
    progress: Progress = _no_progress,
    *,
    voice_name: str | None = None,
) -> Rendered:
    """Speak every sentence (cached ones are reused) and produce the bulletin's MP3. When the
    voice fails, the station's fallback voice reads the rest (see `speaker`).

    Each render writes a new file: the audio a bulletin was approved with is never
    overwritten in place, so an edit racing a push cannot change what the push sends.
    """
    from bulletin import production
    from bulletin.speech.cache import SentenceCache

    workspace = station.workspace
    cache = SentenceCache(workspace.cache_dir / "sentences")
    voices = speaker(station, voice, cache, voice_name)
    lines = [line.spoken for line in script]
    keys = voices.planned_keys(lines)
    kinds = _part_kinds([(line.part, line.item_position) for line in script])
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
    programmes = ProgrammeCache(workspace.cache_dir / "programmes")
    inputs = programme_inputs(keys, kinds, settings)
    total = len(script)
    progress("speak", 0, total)
    reused = programmes.copy_to(inputs, out)
    if reused is not None:
        # Every sentence and setting is as in a programme made before: its bytes are the answer.
        progress("speak", total, total)
        progress("produce", 0, 1)
        progress("produce", 1, 1)
        # The primary voice could not even load: the planned keys were the fallback's.
        fell = tuple(voices.fallback_name for _ in script) if voices.failure else ()
        return Rendered(_stored(station, reused), keys, 0, fell)
    chunks: list[AudioChunk] = []
    synthesized = 0
    for done, sentence in enumerate(voices.speak(lines), start=1):
        chunks.append(sentence.chunk)
        keys[done - 1] = sentence.key  # the key of the voice that really spoke it
        synthesized += not sentence.cached
        progress("speak", done, total)
    fallback_voices: tuple[str | None, ...] = ()
    if voices.fallback_sentences:
        fell_back = set(voices.fallback_sentences)
        fallback_voices = tuple(
            voices.fallback_name if i in fell_back else None for i in range(len(script))
        )
        # Kept under what was really spoken: the next build asks the chosen voice again.
        inputs = programme_inputs(keys, kinds, settings)
    progress("produce", 0, 1)
    produced = production.produce(
        list(zip(kinds, chunks, strict=True)),
        out,
        settings,
        cache_dir=workspace.cache_dir / "segments",
    )
    programmes.keep(inputs, produced)
    progress("produce", 1, 1)
    return Rendered(_stored(station, produced), keys, synthesized, fallback_voices)


def speaker(
    station: Station,
    voice: VoiceProfile,
    cache: SentenceCache | None,
    name: str | None = None,
    *,
    fallback: bool = True,
) -> Speaker:
    """Who speaks a script: `voice` (called `name` in messages), and the station's fallback
    voice (defaults.fallback_voice) for what it fails to speak, unless not `fallback`."""
    from bulletin.speech.fallback import Speaker, Voice

    workspace = station.workspace
    fallback_name = workspace.config.defaults.fallback_voice if fallback else None

    def fallback_engine() -> TTSEngine:
        _, profile = workspace.voice(fallback_name)
        return tts_engine(station, profile)

    primary = Voice(name or voice.engine, lambda: tts_engine(station, voice))
    backup = Voice(fallback_name, fallback_engine) if fallback_name else None
    return Speaker(primary, backup, cache)


def programme_inputs(
    keys: Sequence[str], kinds: Sequence[PartKind], settings: ProductionSettings
) -> str:
    """A hash of all a produced programme depends on: each sentence's audio (its cache key)
    and part in order, the production settings with the jingles' contents, the output format
    and the producer's own code."""
    from bulletin.production.segments import code_fingerprint

    described: dict[str, object] = {}
    for setting in dataclasses.fields(settings):
        value = getattr(settings, setting.name)
        if isinstance(value, Path):
            value = {"file": value.name, "sha256": file_sha256(value)}
        described[setting.name] = (
            value if isinstance(value, (int, float, str, dict)) else repr(value)
        )
    return _sha256_json(
        {
            "sentences": list(keys),
            "parts": list(kinds),
            "settings": described,
            "producer": code_fingerprint(),
        }
    )


class ProgrammeCache:
    """Produced programmes by the hash of their inputs, each an MP3 with its measured figures
    beside it. A reused programme is copied to the new bulletin's own file: approval pins a
    file's hash per bulletin and an edit deletes the file it supersedes, so none is shared."""

    KEEP = 8
    """Programmes kept, newest use first: a rebuild or an edit reuses a recent one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def copy_to(self, inputs: str, out: Path) -> ProducedAudio | None:
        """The programme made from `inputs`, copied to `out`, or None if there is none (or
        its file no longer matches its figures)."""
        from bulletin.production import ProducedAudio

        mp3, figures = self._paths(inputs)
        try:
            known = json.loads(figures.read_text("utf-8"))
            partial = partial_path(out)
            shutil.copyfile(mp3, partial)
        except (OSError, ValueError):
            return None
        if file_sha256(partial) != known.get("sha256"):
            partial.unlink(missing_ok=True)
            return None
        os.replace(partial, out)
        os.utime(figures)
        return ProducedAudio(
            path=out,
            duration_s=float(known["duration_s"]),
            loudness_lufs=float(known["loudness_lufs"]),
            true_peak_dbtp=float(known["true_peak_dbtp"]),
            bytes=int(known["bytes"]),
            sha256=str(known["sha256"]),
        )

    def keep(self, inputs: str, produced: ProducedAudio) -> None:
        """Keep a copy of a new programme; a cache that cannot be written only costs time."""
        mp3, figures = self._paths(inputs)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            sweep(self.folder)
            partial = partial_path(mp3)
            shutil.copyfile(produced.path, partial)
            os.replace(partial, mp3)
            record = {
                "duration_s": produced.duration_s,
                "loudness_lufs": produced.loudness_lufs,
                "true_peak_dbtp": produced.true_peak_dbtp,
                "bytes": produced.bytes,
                "sha256": produced.sha256,
            }
            partial = partial_path(figures)
            partial.write_text(json.dumps(record), "utf-8")
            os.replace(partial, figures)
            self._prune()
        except OSError:
            return

    def _paths(self, inputs: str) -> tuple[Path, Path]:
        return self.folder / f"{inputs}.mp3", self.folder / f"{inputs}.json"

    def _prune(self) -> None:
        records = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in records[self.KEEP :]:
            stale.with_suffix(".mp3").unlink(missing_ok=True)
            stale.unlink(missing_ok=True)


def _stored(station: Station, produced: ProducedAudio) -> StoredAudio:
    return StoredAudio(
        path=station.relative(produced.path),
        bytes=produced.bytes,
        sha256=produced.sha256,
        duration_s=produced.duration_s,
        loudness_lufs=produced.loudness_lufs,
        true_peak_dbtp=produced.true_peak_dbtp,
    )


def _part_kinds(lines: Sequence[tuple[str, int | None]]) -> list[PartKind]:
    """Script lines' (part, item position) as production parts: the last sentence of an item
    ends the item."""
    kinds: list[PartKind] = []
    for index, (part, position) in enumerate(lines):
        if part != "item":
            kinds.append("opening" if part == "opening" else "closing")
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        last = following is None or following[1] != position
        kinds.append("item_end" if last else "item_sentence")
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
