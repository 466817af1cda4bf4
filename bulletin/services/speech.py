"""`bulletin say`: normalize a text, speak it with a voice profile, write MP3 or WAV."""

from __future__ import annotations

import itertools
import os
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin.errors import InputError
from bulletin.services.station import Station
from bulletin.staging import partial_path
from bulletin.workspace import LimitsConfig, VoiceProfile, Workspace

if TYPE_CHECKING:
    from bulletin.production import PartKind
    from bulletin.speech.fallback import Speaker
    from bulletin.speech.tts.base import AudioChunk

MAX_SAY_CHARS: int = LimitsConfig.model_fields["say_max_chars"].default
"""Longest text `say` reads, before and after normalization: about 9 minutes of speech at the
default voice. Production holds the whole programme in memory, several copies of it (about
42 MB and 5 s of work a minute), so longer texts are refused with the limit named rather
than left to exhaust memory."""
SENTENCE_GAP_S = 0.35
"""Silence between sentences in a raw WAV."""


@dataclass(frozen=True)
class SpokenFile:
    """Speech written to a file: where, how long, how loud, and the text as it was read."""

    path: str
    duration_s: float
    spoken: list[str]
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    sha256: str | None = None
    fallback_voice: str | None = None
    """The station's fallback voice, when it read some sentences because the voice failed."""
    fallback_sentences: tuple[int, ...] = ()
    """Which sentences (from 0) it read."""
    voice_failure: str | None = None
    """Why the chosen voice failed."""
    voice: str | None = None
    """The chosen voice's profile name, when the fallback read for it."""

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "path": self.path,
            "duration_s": self.duration_s,
            "spoken": self.spoken,
        }
        if self.fallback_voice is not None:
            document.update(
                fallback_voice=self.fallback_voice,
                fallback_sentences=list(self.fallback_sentences),
                voice_failure=self.voice_failure,
                voice=self.voice,
            )
        if self.sha256 is not None:
            document.update(
                loudness_lufs=self.loudness_lufs,
                true_peak_dbtp=self.true_peak_dbtp,
                sha256=self.sha256,
            )
        return document


def say(
    station: Station | None,
    text: str,
    out: Path,
    voice_name: str | None,
    *,
    max_chars: int | None = None,
    fallback: bool = False,
) -> SpokenFile:
    """Normalize `text`, speak it with a voice profile, and write MP3 (produced) or WAV (raw).
    With `fallback` (`bulletin say`), the station's fallback voice reads what the voice fails
    to, and the SpokenFile says so; without it (testing a voice), the failure is the answer.

    Text longer than `max_chars`, as written or as it will be spoken, is refused, and so is
    text with nothing to read (emoji, punctuation): either is an InputError.
    """
    from bulletin.services.building import speaker
    from bulletin.speech.normalize import normalize
    from bulletin.speech.profiles import engine_for
    from bulletin.text.sentences import split_sentences

    workspace = station.workspace if station is not None else None
    if max_chars is None:
        limits = workspace.config.limits if workspace is not None else LimitsConfig()
        max_chars = limits.say_max_chars
    if len(text) > max_chars:
        raise InputError("say.too_long", size=len(text), limit=max_chars)

    lexicon: dict[str, str] = {}
    voice_key: str | None = None
    if workspace is not None:
        voice_key, voice = workspace.voice(voice_name)
        lexicon = workspace.lexicon()
    elif voice_name:
        raise InputError("voice.missing", name=voice_name, path="voices/")
    else:
        voice = VoiceProfile()
    sentences = split_sentences(text)
    if not sentences:
        raise InputError("input.empty")
    normalized = (normalize(s, region=voice.region, lexicon=lexicon) for s in sentences)
    # A sentence of emoji or punctuation alone would be spoken as a click or a breath.
    spoken = [s for s in normalized if _speakable(s)]
    if not spoken:
        raise InputError("say.unspeakable")
    # Numbers and abbreviations grow when written out ("0 0 0" reads "không không không").
    spoken_chars = sum(len(s) for s in spoken)
    if spoken_chars > max_chars:
        raise InputError("say.too_long_spoken", size=spoken_chars, limit=max_chars)
    # Chunks are passed on as the engine makes them; nothing here keeps a second list.
    chunks: Iterable[AudioChunk]
    voices = None
    if station is not None:
        voices = speaker(station, voice, None, voice_key, fallback=fallback)
        chunks = (sentence.chunk for sentence in voices.speak(spoken))
    else:
        chunks = engine_for(voice, None).stream(spoken)
    if out.suffix.lower() == ".wav":
        duration = _write_wav(chunks, out)
        return SpokenFile(str(out), duration, spoken, **_fallback_report(voices))
    from bulletin import production

    settings = production.ProductionSettings(
        **_audio_settings(workspace), jingle_open=None, jingle_close=None
    )
    produced = production.produce(_sentence_parts(chunks), out, settings)
    return SpokenFile(
        str(produced.path),
        produced.duration_s,
        spoken,
        produced.loudness_lufs,
        produced.true_peak_dbtp,
        produced.sha256,
        **_fallback_report(voices),
    )


def _fallback_report(voices: Speaker | None) -> dict[str, Any]:
    if voices is None or not voices.fallback_sentences:
        return {}
    return {
        "fallback_voice": voices.fallback_name,
        "fallback_sentences": tuple(voices.fallback_sentences),
        "voice_failure": str(voices.failure),
        "voice": voices.primary.name,
    }


def _audio_settings(workspace: Workspace | None) -> dict[str, Any]:
    if workspace is None:
        return {}
    audio = workspace.config.audio
    return {
        "target_lufs": audio.target_lufs,
        "true_peak_dbtp": audio.true_peak_dbtp,
        "pause_sentence_ms": audio.pause_sentence_ms,
    }


def _speakable(sentence: str) -> bool:
    """Whether a normalized sentence has a letter or a digit for the voice to read."""
    return any(c.isalnum() for c in sentence)


def _sentence_parts(chunks: Iterable[AudioChunk]) -> Iterator[tuple[PartKind, AudioChunk]]:
    for chunk in chunks:
        yield "item_sentence", chunk


def _write_wav(chunks: Iterable[AudioChunk], out: Path) -> float:
    """Raw engine output, sentences back to back with a short pause, written as the engine
    speaks (memory stays flat however long the text) and moved into place when complete."""
    stream = iter(chunks)
    first = next(stream, None)
    if first is None:
        raise InputError("say.unspeakable")
    rate = first.sample_rate
    gap = bytes(2 * int(rate * SENTENCE_GAP_S))
    frames = 0
    temp = partial_path(out)
    try:
        with wave.open(str(temp), "wb") as sink:
            sink.setnchannels(1)
            sink.setsampwidth(2)
            sink.setframerate(rate)
            for chunk in itertools.chain([first], stream):
                sink.writeframes(chunk.samples.tobytes())
                sink.writeframes(gap)
                frames += len(chunk.samples) + len(gap) // 2
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return frames / rate


@dataclass(frozen=True)
class VoiceListing:
    """A voice profile of the workspace and whether it can speak on this machine."""

    name: str
    profile: VoiceProfile
    problem: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "engine": self.profile.engine,
            "voice": self.profile.model or self.profile.voice,
            "region": self.profile.region,
            "playable": self.problem is None,
            "problem": self.problem,
        }


def list_voices(station: Station) -> list[VoiceListing]:
    from bulletin.speech.profiles import profile_problem

    workspace = station.workspace
    listings = []
    for path in sorted((workspace.root / "voices").glob("*.yaml")):
        name, profile = workspace.voice(path.stem)
        listings.append(VoiceListing(name, profile, profile_problem(profile, workspace)))
    return listings


def install_voice(
    station: Station,
    name: str,
    *,
    force: bool = False,
    from_path: Path | None = None,
    base_url: str | None = None,
) -> Path:
    """Install a catalog voice into the workspace's voices/: downloaded (from `base_url`, the
    station's `voices_url`, else the catalog's address) or copied from a folder; every file
    is checked against the catalog's SHA-256 first."""
    from bulletin.speech.voices import install_voice as download
    from bulletin.speech.voices import install_voice_from

    dest = station.root / "voices"
    if from_path is not None:
        return install_voice_from(name, from_path, dest, force=force)
    mirror = base_url or station.workspace.config.voices_url
    return download(name, dest, force=force, base_url=mirror)
