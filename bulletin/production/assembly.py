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

from bulletin.production.common import AudioFormat, FloatArray, ProductionError
from bulletin.production.ffmpeg import decode
from bulletin.production.segments import SEGMENT_S, Segment, fit_tail

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


def _jingle_samples(
    spec: JingleSpec, kind: Literal["open", "close"], rate: int
) -> FloatArray | None:
    if spec is None:
        return None
    if spec == "builtin":
        return segment_to_float(builtin_jingle(kind, rate))
    samples, src_rate = decode(Path(spec))
    return resample(samples.mean(axis=1).astype(np.float32), src_rate, rate)


def timeline(
    parts: Iterable[Part],
    fmt: AudioFormat,
    pause_sentence_ms: int,
    pause_item_ms: int,
    jingle_open: JingleSpec,
    jingle_close: JingleSpec,
) -> Iterator[Segment]:
    """The programme as segments cut in its pauses, each yielded as soon as it is complete
    (so they can be analysed while later sentences are still being spoken): cut at every item
    pause, section change and jingle gap, and at a sentence pause once the segment is
    ``SEGMENT_S`` long. Each cut gives half the pause to either side, less what the codec
    adds there (``fit_tail``). Jingles are segments of their own, levelled later against the
    speech. The programme is made at its first voice's own rate (the encoder converts to the
    output's at the end, so nothing is resampled twice)."""
    pieces: list[FloatArray] = []
    length = 0
    jingle = False
    rate = 0
    out_rate = fmt.sample_rate

    def cut(gap: int, hard: bool) -> Segment | None:
        nonlocal pieces, length, jingle
        if not (hard or jingle or length >= SEGMENT_S * rate):
            pieces.append(np.zeros(gap, dtype=np.float32))
            length += gap
            return None
        tail, lead = gap // 2, gap - gap // 2
        pieces.append(np.zeros(fit_tail(length, tail, rate, out_rate), dtype=np.float32))
        done = Segment(np.concatenate(pieces), rate, jingle)
        pieces, length, jingle = [np.zeros(lead, dtype=np.float32)], lead, False
        return done

    def add(sound: FloatArray, is_jingle: bool = False) -> None:
        nonlocal length, jingle
        pieces.append(sound)
        length += sound.size
        jingle = jingle or is_jingle

    pending_gap, hard = 0, False
    prev: Part | None = None
    for part in parts:
        if prev is not None:
            item_pause = prev.kind == "item_end" or _SECTION[prev.kind] != _SECTION[part.kind]
            pending_gap = max(pending_gap, pause_item_ms if item_pause else pause_sentence_ms)
            hard = hard or item_pause
        prev = part
        if not rate:
            if not np.asarray(part.chunk.samples).size:
                continue
            rate = int(part.chunk.sample_rate)
            opening = _jingle_samples(jingle_open, "open", rate)
            if opening is not None:
                add(opening, is_jingle=True)
                pending_gap, hard = JINGLE_GAP_MS, True
        audio = _chunk_to_float(part.chunk, rate)
        if audio.size == 0:
            continue
        if pieces and pending_gap:
            done = cut(round(pending_gap * rate / 1000), hard)
            if done is not None:
                yield done
        pending_gap, hard = 0, False
        add(audio)
    if not rate:
        raise ProductionError("produce.silent")
    closing = _jingle_samples(jingle_close, "close", rate)
    if closing is not None:
        done = cut(round(JINGLE_GAP_MS * rate / 1000), True)
        if done is not None:
            yield done
        add(closing, is_jingle=True)
    yield Segment(np.concatenate(pieces), rate, jingle)
