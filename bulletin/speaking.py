"""`bulletin say`: normalize a text, speak it with a voice profile, write MP3 or WAV."""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path
from typing import Any

from bulletin.errors import InputError
from bulletin.workspace import VoiceProfile, Workspace


def speak_to_file(
    workspace: Workspace | None, text: str, out: Path, voice_name: str | None
) -> dict[str, Any]:
    from bulletin.speech.normalize import normalize
    from bulletin.speech.profiles import engine_for
    from bulletin.text.sentences import split_sentences

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
    engine = engine_for(voice, workspace)
    chunks = list(engine.stream(spoken))
    if out.suffix.lower() == ".wav":
        duration = _write_wav(chunks, out)
        return {"path": str(out), "duration_s": duration, "spoken": spoken}
    from bulletin import production

    settings = production.ProductionSettings(
        **_audio_settings(workspace), jingle_open=None, jingle_close=None
    )
    produced = production.produce([("item_sentence", c) for c in chunks], out, settings)
    return {
        "path": str(produced.path),
        "duration_s": produced.duration_s,
        "loudness_lufs": produced.loudness_lufs,
        "true_peak_dbtp": produced.true_peak_dbtp,
        "sha256": produced.sha256,
        "spoken": spoken,
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
