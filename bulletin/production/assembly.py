"""The programme timeline: speech parts with their pauses, jingles (built-in or from
files) levelled against the speech, resampling and float ↔ pydub segment conversion."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from scipy import signal

from bulletin.production.common import FloatArray, ProductionError
from bulletin.production.ffmpeg import decode
from bulletin.production.loudness import integrated_loudness

# pydub looks for a system ffmpeg at import time and warns when there is none (it
# only ever mixes in memory here, so it never needs one), and warns that audioop
# is deprecated (the audioop-lts dependency covers Python ≥ 3.13).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment

PartKind = Literal["opening", "item_sentence", "item_end", "closing"]
JingleSpec = Path | Literal["builtin"] | None

JINGLE_GAP_MS = 500  # silence between a jingle and the speech next to it
JINGLE_REL_LU = -3.0  # jingles sit a little under the speech so they never startle

_SECTION: dict[str, str] = {
    "opening": "opening",
    "item_sentence": "item",
    "item_end": "item",
    "closing": "closing",
}

# The timeline is built as 32-bit pydub segments: level changes before the final
# normalization then cost no resolution, and nothing clips before the limiter.
_WIDTH = 4
_SCALE = float(2**31 - 1)


class SpeechChunk(Protocol):
    """Shape of ``bulletin.speech.tts.base.AudioChunk`` (int16 mono samples)."""

    @property
    def samples(self) -> np.ndarray: ...

    @property
    def sample_rate(self) -> int: ...


@dataclass(frozen=True)
class Part:
    """One spoken segment of the script, in broadcast order.

    ``kind`` places the segment and decides the pause after it: ``pause_item_ms``
    after an ``item_end`` and wherever the section changes (opening → items →
    closing), ``pause_sentence_ms`` otherwise. ``item_end`` may carry the item's last
    sentence or an empty chunk used only as a marker; empty chunks add no audio and
    the gap around them is the longest pause requested there.
    """

    kind: PartKind
    chunk: SpeechChunk


@functools.lru_cache(maxsize=8)  # the same chime every build; pydub segments are immutable
def builtin_jingle(kind: Literal["open", "close"], sample_rate: int) -> AudioSegment:
    """A soft ~2.5 s four-note chime (rising to open, falling to close), made in code."""
    if kind not in ("open", "close"):
        raise ValueError(f"jingle kind must be 'open' or 'close', not {kind!r}")
    notes = [523.25, 659.26, 783.99, 1046.50]  # C5 E5 G5 C6
    if kind == "close":
        notes.reverse()
    duration = 2.6
    n = int(duration * sample_rate)
    t = np.arange(n, dtype=np.float64) / sample_rate
    out = np.zeros(n)
    # Vibraphone-like partials: mostly harmonic with one slightly inharmonic
    # overtone for a bell colour; higher partials die away faster.
    partials = ((1.0, 1.0), (2.0, 0.30), (2.76, 0.10), (3.0, 0.12), (4.0, 0.05))
    for i, f0 in enumerate(notes):
        onset = 0.2 * i
        tau = 0.45 if i < len(notes) - 1 else 0.8  # the last note rings out
        tt = t - onset
        live = tt >= 0
        attack = np.clip(tt[live] / 0.004, 0.0, 1.0)
        for ratio, amp in partials:
            f = f0 * ratio
            if f >= 0.45 * sample_rate:  # would alias at low sample rates
                continue
            env = amp * attack * np.exp(-tt[live] * ratio / tau)
            out[live] += env * np.sin(2 * np.pi * f * tt[live])
    fade = int(0.08 * sample_rate)
    out[-fade:] *= np.linspace(1.0, 0.0, fade)
    out *= 10 ** (-3.0 / 20) / np.max(np.abs(out))
    return float_to_segment(out.astype(np.float32), sample_rate)


def as_parts(parts: Iterable[Part | tuple[PartKind, SpeechChunk]]) -> Iterator[Part]:
    """``Part``s from parts or ``(kind, chunk)`` pairs, rejecting unknown kinds."""
    for p in parts:
        part = p if isinstance(p, Part) else Part(kind=p[0], chunk=p[1])
        if part.kind not in _SECTION:
            raise ValueError(f"unknown part kind {part.kind!r}; expected one of {list(_SECTION)}")
        yield part


def _chunk_to_float(chunk: SpeechChunk, rate: int) -> FloatArray:
    x = np.asarray(chunk.samples)
    if x.ndim == 2:  # tolerate (frames, channels) by down-mixing
        x = x.mean(axis=1) if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64).mean(1)
    if np.issubdtype(x.dtype, np.integer):
        y = x.astype(np.float32) / float(2 ** (8 * x.dtype.itemsize - 1))
    else:
        y = x.astype(np.float32)
    return resample(y, int(chunk.sample_rate), rate)


def resample(x: FloatArray, src: int, dst: int) -> FloatArray:
    """``x`` converted from ``src`` Hz to ``dst`` Hz."""
    if src == dst or x.size == 0:
        return x
    # Polyphase FIR, unlike pydub's linear ratecv, does not fold eSpeak's 11 kHz
    # band edge back as aliasing when converting 22050 → 44100 Hz.
    g = math.gcd(src, dst)
    return signal.resample_poly(x, dst // g, src // g).astype(np.float32)


def float_to_segment(x: FloatArray, rate: int) -> AudioSegment:
    """Mono float samples in [-1, 1] as a 32-bit pydub segment."""
    # float64: float32 cannot hold 2**31 - 1, so full scale would overflow the cast.
    pcm = np.round(np.clip(x.astype(np.float64), -1.0, 1.0) * _SCALE).astype("<i4")
    return AudioSegment(data=pcm.tobytes(), sample_width=_WIDTH, frame_rate=rate, channels=1)


def segment_to_float(seg: AudioSegment) -> FloatArray:
    """A pydub segment as mono float32 samples."""
    seg = seg.set_channels(1).set_sample_width(_WIDTH)
    out = np.frombuffer(seg.raw_data, dtype="<i4").astype(np.float32)
    out *= np.float32(1.0 / _SCALE)
    return out


def _join(segments: list[AudioSegment], rate: int) -> AudioSegment:
    # One join instead of repeated `+`: pydub's `+` copies the whole timeline each
    # time, quadratic for a 15-minute programme of hundreds of sentences.
    data = b"".join(s.raw_data for s in segments)
    return AudioSegment(data=data, sample_width=_WIDTH, frame_rate=rate, channels=1)


def _silence(ms: int, rate: int) -> AudioSegment:
    frames = round(ms * rate / 1000)
    return AudioSegment(
        data=bytes(frames * _WIDTH), sample_width=_WIDTH, frame_rate=rate, channels=1
    )


def assemble_speech(
    parts: list[Part], rate: int, pause_sentence_ms: int, pause_item_ms: int
) -> AudioSegment:
    """The spoken programme at ``rate``: every non-empty part, with the pauses between."""
    segments: list[AudioSegment] = []
    pending_gap = 0
    prev: Part | None = None
    for part in parts:
        if prev is not None:
            boundary = (
                pause_item_ms
                if prev.kind == "item_end" or _SECTION[prev.kind] != _SECTION[part.kind]
                else pause_sentence_ms
            )
            pending_gap = max(pending_gap, boundary)
        prev = part
        audio = _chunk_to_float(part.chunk, rate)
        if audio.size == 0:
            continue
        if segments and pending_gap:
            segments.append(_silence(pending_gap, rate))
        pending_gap = 0
        segments.append(float_to_segment(audio, rate))
    if not segments:
        raise ProductionError("produce.silent")
    return _join(segments, rate)


def _load_jingle(
    spec: JingleSpec, kind: Literal["open", "close"], rate: int
) -> AudioSegment | None:
    if spec is None:
        return None
    if spec == "builtin":
        return builtin_jingle(kind, rate).set_sample_width(_WIDTH)
    samples, src_rate = decode(Path(spec))
    return float_to_segment(resample(samples.mean(axis=1).astype(np.float32), src_rate, rate), rate)


def add_jingles(
    speech: AudioSegment, rate: int, jingle_open: JingleSpec, jingle_close: JingleSpec
) -> AudioSegment:
    """``speech`` between the opening and closing jingles, each a gap away from it."""
    opening = _load_jingle(jingle_open, "open", rate)
    closing = _load_jingle(jingle_close, "close", rate)
    if opening is None and closing is None:
        return speech
    speech_lufs = integrated_loudness(segment_to_float(speech)[:, None], rate)
    jingle_lufs = [
        integrated_loudness(segment_to_float(j)[:, None], rate)
        for j in (opening, closing)
        if j is not None
    ]
    # Level jingles against the speech by attenuating whichever side is too loud:
    # raising a full-scale jingle would clip before the limiter ever sees it.
    jingle_gain: list[float] = []
    speech_gain = 0.0
    if math.isfinite(speech_lufs):
        wanted = [speech_lufs + JINGLE_REL_LU - lj for lj in jingle_lufs]
        speech_gain = -max(0.0, *wanted)
        jingle_gain = [w + speech_gain for w in wanted]
    gains = iter(jingle_gain)
    gap = _silence(JINGLE_GAP_MS, rate)
    segments: list[AudioSegment] = []
    if opening is not None:
        segments += [opening.apply_gain(next(gains, 0.0)), gap]
    segments.append(speech.apply_gain(speech_gain) if speech_gain else speech)
    if closing is not None:
        segments += [gap, closing.apply_gain(next(gains, 0.0))]
    return _join(segments, rate)
