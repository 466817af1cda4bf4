"""Coqui TTS worker: runs in the coqui env (.venv-coqui), loads one model, speaks sentences.

Imports only the stdlib, numpy, soundfile and TTS, never the rest of bulletin: run it by path
with `python -I …/coqui_worker.py` (`CoquiEngine` does) or as `-m bulletin.speech.tts.coqui_worker`.

Protocol: one JSON request per line on stdin, one JSON reply per line on stdout.
    {"op": "load", "model_path", "config_path", "speaker", "language", "speaker_wav"}
        -> {"ok": true, "sample_rate", "speakers", "languages", "load_s", "versions"}
    {"op": "speak", "text"} -> {"ok": true, "sample_rate", "synth_s", "bytes": N} then N bytes of
        little-endian int16 mono samples
    any failure -> {"ok": false, "error": "...", "kind": "ExceptionClassName"}
The worker exits when stdin closes.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

# Languages whose text the stock XTTS tokenizer refuses although fine-tunes (viXTTS) speak them.
_PASSTHROUGH_LANGUAGES = frozenset({"vi"})


def _read_reference(path: str, sample_rate: int) -> Any:
    """A reference recording as XTTS expects it: float tensor [1, T] at `sample_rate`.

    soundfile, not torchaudio.load: the latter needs FFmpeg's shared libraries."""
    import soundfile
    import torch
    import torchaudio

    data, rate = soundfile.read(path, dtype="float32", always_2d=True)
    audio = torch.from_numpy(np.ascontiguousarray(data.mean(axis=1)))[None, :]
    if rate != sample_rate:
        audio = torchaudio.functional.resample(audio, rate, sample_rate)
    return audio.clip(-1.0, 1.0)


def _patch_xtts() -> None:
    """Make stock coqui-tts XTTS usable for Vietnamese fine-tunes without FFmpeg."""
    from TTS.tts.layers.xtts import tokenizer
    from TTS.tts.models import xtts

    xtts.load_audio = _read_reference
    original = tokenizer.VoiceBpeTokenizer.preprocess_text

    def preprocess_text(self: Any, txt: str, lang: str) -> str:
        if lang.split("-")[0] in _PASSTHROUGH_LANGUAGES:
            # bulletin's normalizer already spelled out numbers and abbreviations; what is
            # left of the stock cleaners is lowercasing and whitespace.
            return tokenizer.collapse_whitespace(txt.replace('"', "").lower())
        return str(original(self, txt, lang))

    tokenizer.VoiceBpeTokenizer.preprocess_text = preprocess_text


def _fairseq_paths(model_path: str, config_path: str | None) -> tuple[str, str | None]:
    """Coqui's (model_path, config_path) for an MMS checkpoint in fairseq's own layout.

    Coqui recognizes such a checkpoint (G_100000.pth beside fairseq's config.json and
    vocab.txt) only by "fairseq" in its path, and must not be given that config.json."""
    checkpoint = Path(model_path)
    folder = checkpoint.parent
    if not (checkpoint.is_file() and (folder / "vocab.txt").is_file()):
        return model_path, config_path
    try:
        fairseq_config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return model_path, config_path
    if "data" not in fairseq_config or "model" in fairseq_config:
        return model_path, config_path
    if "fairseq" not in str(checkpoint):
        linked = Path(tempfile.mkdtemp(prefix="bulletin-mms-")) / "fairseq"
        atexit.register(shutil.rmtree, linked.parent, True)
        linked.mkdir()
        for name in (checkpoint.name, "config.json", "vocab.txt"):
            (linked / name).symlink_to((folder / name).resolve())
        checkpoint = linked / checkpoint.name
    return str(checkpoint), None


class Voice:
    """One loaded model with the speaker and language every sentence uses."""

    def __init__(self, request: dict[str, Any]) -> None:
        started = time.perf_counter()
        from TTS.api import TTS

        model_path, config_path = _fairseq_paths(request["model_path"], request.get("config_path"))
        self.tts = TTS(model_path=model_path, config_path=config_path, progress_bar=False)
        synthesizer = self.tts.synthesizer
        self.sample_rate = int(synthesizer.output_sample_rate)
        self.model = synthesizer.tts_model
        if type(self.model).__name__ == "Xtts":
            _patch_xtts()
        self.speaker: str | None = request.get("speaker")
        self.speaker_wav: str | None = request.get("speaker_wav")
        # A single-language model (MMS, most VITS) refuses any language argument.
        self.language: str | None = request.get("language") if self.tts.is_multi_lingual else None
        self.speakers = list(self.tts.speakers or []) if self.tts.is_multi_speaker else []
        self.languages = list(self.tts.languages or []) if self.tts.is_multi_lingual else []
        self._check_voice()
        self.latents: tuple[Any, Any] | None = None
        if self.speaker_wav and hasattr(self.model, "get_conditioning_latents"):
            # Clone the announcer's voice once (XTTS): coqui's own path recomputes the latents
            # for every sentence and may write a voice file into the model folder.
            config = self.model.config
            self.latents = self.model.get_conditioning_latents(
                audio_path=[self.speaker_wav],
                max_ref_length=config.max_ref_len,
                gpt_cond_len=config.gpt_cond_len,
                gpt_cond_chunk_len=config.gpt_cond_chunk_len,
                sound_norm_refs=config.sound_norm_refs,
            )
        self.load_s = time.perf_counter() - started

    def _check_voice(self) -> None:
        if self.speaker is not None and not self.tts.is_multi_speaker:
            raise ValueError(f"this model has a single speaker; remove speaker {self.speaker!r}")
        if (
            self.speaker is not None
            and self.speakers
            and self.speaker not in self.speakers
            and not self.speaker_wav
        ):
            raise ValueError(
                f"unknown speaker {self.speaker!r}; this model has: {', '.join(self.speakers)}"
            )
        if self.tts.is_multi_speaker and self.speaker is None and not self.speaker_wav:
            known = ", ".join(self.speakers) or "none built in"
            raise ValueError(
                f"this model needs a speaker name or a reference recording (speaker_wav); "
                f"speakers: {known}"
            )
        if self.tts.is_multi_lingual and self.language is None:
            raise ValueError(f"this model needs a language; it has: {', '.join(self.languages)}")

    def speak(self, text: str) -> np.ndarray:
        if not text.strip():
            return np.zeros(0, dtype="<i2")
        if self.latents is not None:
            config = self.model.config
            out = self.model.inference(
                text,
                self.language,
                self.latents[0],
                self.latents[1],
                temperature=config.temperature,
                length_penalty=config.length_penalty,
                repetition_penalty=config.repetition_penalty,
                top_k=config.top_k,
                top_p=config.top_p,
            )
            wav = np.asarray(out["wav"], dtype=np.float32).reshape(-1)
        else:
            from TTS.utils.synthesizer import PAD_SILENCE_SAMPLES

            # One sentence in, one sentence out: bulletin splits Vietnamese text itself,
            # coqui's splitter is English-only.
            raw = self.tts.tts(
                text,
                speaker=self.speaker,
                language=self.language,
                speaker_wav=self.speaker_wav,
                split_sentences=False,
            )
            wav = np.asarray(raw, dtype=np.float32).reshape(-1)
            # Coqui appends a fixed pause after each sentence; bulletin places pauses itself.
            if len(wav) >= PAD_SILENCE_SAMPLES and not wav[-PAD_SILENCE_SAMPLES:].any():
                wav = wav[:-PAD_SILENCE_SAMPLES]
        return (np.clip(wav, -1.0, 1.0) * 32767.0).astype("<i2")


def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for package in ("coqui-tts", "torch"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    return found


def _reply(out: BinaryIO, header: dict[str, Any], payload: bytes = b"") -> None:
    out.write(json.dumps(header, ensure_ascii=False).encode() + b"\n" + payload)
    out.flush()


def serve(requests: BinaryIO, out: BinaryIO) -> None:
    voice: Voice | None = None
    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "load":
                voice = None  # free the old model before loading another
                voice = Voice(request)
                _reply(
                    out,
                    {
                        "ok": True,
                        "sample_rate": voice.sample_rate,
                        "speakers": voice.speakers,
                        "languages": voice.languages,
                        "load_s": round(voice.load_s, 3),
                        "versions": _versions(),
                    },
                )
            elif op == "speak":
                if voice is None:
                    raise RuntimeError("no model loaded; send a load request first")
                started = time.perf_counter()
                samples = voice.speak(str(request["text"])).tobytes()
                header = {
                    "ok": True,
                    "sample_rate": voice.sample_rate,
                    "bytes": len(samples),
                    "synth_s": round(time.perf_counter() - started, 4),
                }
                _reply(out, header, samples)
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as exc:  # the worker reports every failure and keeps serving
            _reply(out, {"ok": False, "error": str(exc) or repr(exc), "kind": type(exc).__name__})


def main() -> None:
    # Coqui, torch and tqdm print to stdout, some from C code; only protocol bytes may go
    # there, so keep a private copy of the real stdout and point fd 1 at stderr.
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, protocol_out)


if __name__ == "__main__":
    main()
