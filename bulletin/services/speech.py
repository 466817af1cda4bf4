"""`bulletin say`: normalize a text, speak it with a voice profile, write MP3 or WAV."""

from __future__ import annotations

import os
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin.errors import InputError
from bulletin.services.station import Station
from bulletin.workspace import VoiceProfile, Workspace


@dataclass(frozen=True)
class SpokenFile:
    """Speech written to a file: where, how long, how loud, and the text as it was read."""

    path: str
    duration_s: float
    spoken: list[str]
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    sha256: str | None = None

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "path": self.path,
            "duration_s": self.duration_s,
            "spoken": self.spoken,
        }
        if self.sha256 is not None:
            document.update(
                loudness_lufs=self.loudness_lufs,
                true_peak_dbtp=self.true_peak_dbtp,
                sha256=self.sha256,
            )
        return document


def say(station: Station | None, text: str, out: Path, voice_name: str | None) -> SpokenFile:
    """Normalize `text`, speak it with a voice profile, and write MP3 (produced) or WAV (raw)."""
    from bulletin.services.building import tts_engine
    from bulletin.speech.normalize import normalize
    from bulletin.speech.profiles import engine_for
    from bulletin.text.sentences import split_sentences

    workspace = station.workspace if station is not None else None

    lexicon: dict[str, str] = {}
    if workspace is not None:
        _, voice = workspace.voice(voice_name)
        lexicon = workspace.lexicon()
    elif voice_name:
        raise InputError("voice.missing", name=voice_name, path="voices/")
    else:
        voice = VoiceProfile()
    spoken = [normalize(s, region=voice.region, lexicon=lexicon) for s in split_sentences(text)]
    if not spoken:
        raise InputError("input.empty")
    engine = tts_engine(station, voice) if station is not None else engine_for(voice, None)
    chunks = list(engine.stream(spoken))
    if out.suffix.lower() == ".wav":
        duration = _write_wav(chunks, out)
        return SpokenFile(str(out), duration, spoken)
    from bulletin import production

    settings = production.ProductionSettings(
        **_audio_settings(workspace), jingle_open=None, jingle_close=None
    )
    produced = production.produce([("item_sentence", c) for c in chunks], out, settings)
    return SpokenFile(
        str(produced.path),
        produced.duration_s,
        spoken,
        produced.loudness_lufs,
        produced.true_peak_dbtp,
        produced.sha256,
    )


def _audio_settings(workspace: Workspace | None) -> dict[str, Any]:
    if workspace is None:
        return {}
    audio = workspace.config.audio
    return {
        "target_lufs": audio.target_lufs,
        "true_peak_dbtp": audio.true_peak_dbtp,
        "pause_sentence_ms": audio.pause_sentence_ms,
    }


def _write_wav(chunks: list[Any], out: Path) -> float:
    """Raw engine output, sentences back to back with a short pause, written atomically."""
    import numpy as np

    rate = chunks[0].sample_rate
    gap = np.zeros(int(rate * 0.35), dtype=np.int16)
    pieces = []
    for chunk in chunks:
        pieces += [chunk.samples, gap]
    samples = np.concatenate(pieces)
    fd, temp = tempfile.mkstemp(suffix=".wav", dir=out.parent if str(out.parent) else ".")
    os.close(fd)
    try:
        with wave.open(temp, "wb") as sink:
            sink.setnchannels(1)
            sink.setsampwidth(2)
            sink.setframerate(rate)
            sink.writeframes(samples.tobytes())
        os.replace(temp, out)
    finally:
        Path(temp).unlink(missing_ok=True)
    return len(samples) / rate


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


def install_voice(station: Station, name: str, *, force: bool = False) -> Path:
    """Download a piper voice into the workspace's voices/ (needs the internet)."""
    from bulletin.speech.voices import install_voice as download

    return download(name, station.root / "voices", force=force)
