"""The programme as segments cut in its pauses, levelled with one gain, encoded side by side.

Each segment is encoded on its own (one ffmpeg per core) into MP3 frames, decoded again and
measured; the bulletin file is the segments' frames end to end, and its loudness and true
peak follow from the decoded segments' 100 ms K-weighted energies and peaks. A segment whose
samples, gain and format were encoded before is taken from the cache, so after a one-sentence
edit only the segment holding that sentence is encoded again.

A fresh LAME stream starts with no bit reservoir, so frames of separately encoded segments
join into one valid stream. Each stream carries the codec's delay (576 samples in the encoder,
529 in the decoder) at its start and padding up to a whole frame at its end: a segment cut in
a pause gives that much of the pause back (``fit_tail``), so pauses keep their length.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import math
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from bulletin.production.common import AudioFormat, FloatArray, ProductionError
from bulletin.production.ffmpeg import BARE_MP3, die_with_parent, ffmpeg_exe
from bulletin.production.loudness import (
    GAIN_HOP_S,
    MAX_GAIN_DB,
    MAX_LIMITING_DB,
    NEAR_CEILING_DB,
    SILENCE_LUFS,
    apply_gain,
    gated_loudness,
    hop_peaks_db,
    kweighted_energy,
    limiter_gain_db,
    phase_rotate,
    true_peak_db,
    true_peak_of_hops,
)

log = logging.getLogger(__name__)

GRANULE = 576  # samples per layer III granule: LAME's encoder delay, and its least padding
SEGMENT_S = 60.0  # a sentence pause ends a segment once it is this long
GAIN_STEP_DB = 0.05  # the programme gain is chosen on this grid, so a rebuild can reuse it
REUSE_LU = 0.2  # a cached gain is reused when it keeps the programme this close to target
# LAME's speed setting (`-q`, ffmpeg's compression_level): 7 is its fast mode, about 40 %
# less CPU than its default; at 64 kbps and more per channel speech loses nothing audible.
ENCODER_QUALITY = 7
_VERSION = "1"  # bump when what a cached segment holds or means changes


@dataclass
class Segment:
    """Samples at the programme's rate; a jingle is levelled against the speech first."""

    samples: FloatArray
    rate: int
    jingle: bool = False

    def key(self) -> str:
        digest = hashlib.sha256(f"{_VERSION}:{self.rate}:{int(self.jingle)}:".encode())
        digest.update(np.ascontiguousarray(self.samples, dtype="<f4").tobytes())
        return digest.hexdigest()


def frame_samples(out_rate: int) -> int:
    """Samples per MP3 frame: two granules at 32 kHz and up (MPEG-1), one below (MPEG-2)."""
    return 2 * GRANULE if out_rate >= 32000 else GRANULE


def fit_tail(content: int, tail: int, rate: int, out_rate: int) -> int:
    """How many of ``tail`` silent samples (after ``content``) to keep so the segment decodes
    to about as many samples as ``content + tail`` would play, codec delay and padding
    included: the pause at the cut keeps its length within half a frame. (Each cut on its
    own: carrying the rounding on to the next cut would change every later segment's
    samples whenever one sentence changes length, and with them what can be reused.)

    LAME pads a stream to whole frames with at least a granule after the last sample (more
    than that when less would be left), so the kept samples aim at the middle of that range.
    More than ``tail`` by part of a frame at most: the caller pads."""
    frame = frame_samples(out_rate)
    padding = GRANULE + frame // 2
    frames = max(1, round((content + tail) * out_rate / rate / frame))
    while True:
        kept = math.floor((frames * frame - GRANULE - padding) * rate / out_rate) - content
        if kept >= 0:
            return kept
        frames += 1


@dataclass
class Analysis:
    """What the gain search needs of a segment: K-weighted energy and true-peak envelope
    (dB) per millisecond hop; hops far under the segment's loudest (``ENVELOPE_RANGE_DB``)
    hold an upper bound, so the analysis follows from the samples alone."""

    energy: np.ndarray
    envelope_db: FloatArray


@dataclass
class Encoded:
    """A segment's MP3 frames and what its decoded audio measures."""

    mp3: bytes
    step_energy: np.ndarray  # K-weighted energy per 100 ms step (channels summed)
    step_len: np.ndarray  # samples per step (the last may be short)
    peak_db: float
    frames: int  # decoded samples per channel


class SegmentCache:
    """Analyses and encoded segments on disk, by content key; writes are atomic and a cache
    that cannot be written or read only costs time. Trimmed to ``limit_bytes``, oldest use
    first."""

    def __init__(self, folder: Path | None, limit_bytes: int = 256 << 20) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes

    def _path(self, key: str, suffix: str) -> Path | None:
        return None if self.folder is None else self.folder / key[:2] / f"{key}{suffix}"

    def has_encoded(self, key: str) -> bool:
        path = self._path(key, ".mp3")
        return path is not None and path.is_file()

    def analysis(self, key: str) -> Analysis | None:
        path = self._path(key, ".analysis.npz")
        if path is None:
            return None
        try:
            with np.load(path) as data:
                return Analysis(data["energy"], data["envelope_db"])
        except (OSError, ValueError, KeyError):
            return None

    def keep_analysis(self, key: str, analysis: Analysis) -> None:
        self._write(
            key,
            ".analysis.npz",
            lambda f: np.savez(
                f,
                energy=analysis.energy,
                envelope_db=analysis.envelope_db,
            ),
        )

    def encoded(self, key: str) -> Encoded | None:
        mp3_path, figures_path = self._path(key, ".mp3"), self._path(key, ".npz")
        if mp3_path is None or figures_path is None:
            return None
        try:
            mp3 = mp3_path.read_bytes()
            with np.load(figures_path) as data:
                if hashlib.sha256(mp3).hexdigest() != str(data["sha256"]):
                    return None
                found = Encoded(
                    mp3,
                    data["step_energy"],
                    data["step_len"],
                    float(data["peak_db"]),
                    int(data["frames"]),
                )
            os.utime(mp3_path)
        except (OSError, ValueError, KeyError):
            return None
        return found

    def keep_encoded(self, key: str, encoded: Encoded) -> None:
        # Figures first, with the frames' hash: frames without figures are never read, and
        # figures never vouch for frames other than their own.
        self._write(
            key,
            ".npz",
            lambda f: np.savez(
                f,
                step_energy=encoded.step_energy,
                step_len=encoded.step_len,
                peak_db=np.float64(encoded.peak_db),
                frames=np.int64(encoded.frames),
                sha256=np.array(hashlib.sha256(encoded.mp3).hexdigest()),
            ),
        )
        self._write(key, ".mp3", lambda f: f.write(encoded.mp3))

    def _write(self, key: str, suffix: str, write: Callable[..., object]) -> None:
        path = self._path(key, suffix)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=suffix)
            try:
                with os.fdopen(fd, "wb") as f:
                    write(f)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            log.info("Could not keep segment %s in %s: %s", key[:12], self.folder, exc)

    def trim(self) -> None:
        """Delete the least recently used files past the size limit."""
        if self.folder is None or not self.folder.is_dir():
            return
        try:
            files = [(p.stat(), p) for p in self.folder.glob("*/*") if p.is_file()]
        except OSError:
            return
        total = sum(st.st_size for st, _ in files)
        for st, path in sorted(files, key=lambda item: item[0].st_mtime):
            if total <= self.limit_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= st.st_size


def hop_of(rate: int) -> int:
    """Samples per gain hop (a millisecond)."""
    return max(1, round(GAIN_HOP_S * rate))


def hop_energy(samples: FloatArray, rate: int) -> np.ndarray:
    """K-weighted energy of each hop of a (phase-rotated) segment."""
    hop = hop_of(rate)
    bounds = np.append(np.arange(0, samples.size, hop), samples.size).astype(np.int64)
    return kweighted_energy(samples[:, None], rate, bounds)


class Steps:
    """100 ms gating steps over hops laid end to end, as whole hops: the estimate only
    steers the gain search, the encoded segments are measured exactly afterwards."""

    def __init__(self, hops: int, rate: int) -> None:
        hop = hop_of(rate)
        steps = np.unique(np.round(np.arange(0, hops, 0.1 * rate / hop))).astype(np.int64)
        steps = steps[steps < hops]
        if steps.size < 5:
            raise ProductionError("produce.too_short")
        lengths = np.add.reduceat(np.full(hops, float(hop)), steps)
        # The last, partial step would weigh a fragment like a full 100 ms.
        self.starts, self.lengths = steps[:-1], lengths[:-1]

    def loudness(self, hop_energy: np.ndarray) -> float:
        per_step = np.add.reduceat(hop_energy, self.starts)[: self.starts.size]
        return gated_loudness(per_step, self.lengths)


def programme_loudness(energies: Sequence[np.ndarray], rate: int) -> float:
    """Estimated loudness of segments (their hop energies) played end to end."""
    energy = np.concatenate(list(energies))
    return Steps(energy.size, rate).loudness(energy)


@functools.cache
def code_fingerprint() -> str:
    """The production code's own hash: after an upgrade no segment made before is reused."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


# Hops this far under a segment's own loudest get the envelope's upper bound instead of their
# exact true peak: the programme gain puts the loudest hop near the ceiling, limiting at most
# MAX_LIMITING_DB past that, so no hop this much quieter can reach the ceiling.
ENVELOPE_RANGE_DB = 30.0


@dataclass
class Prepared:
    """A segment with its cache key and analysis; its phase-rotated samples on demand."""

    segment: Segment
    key: str
    analysis: Analysis
    _rotated: FloatArray | None = None

    def samples(self) -> FloatArray:
        if self._rotated is None:
            self._rotated = rotated(self.segment)
        return self._rotated


def rotated(segment: Segment) -> FloatArray:
    # Phase rotation spreads voiced speech's aligned harmonics: less for the limiter to do.
    return phase_rotate(segment.samples.copy(), segment.rate)


def prepare(segment: Segment, cache: SegmentCache) -> Prepared:
    """The segment's analysis, from the cache or measured (and kept)."""
    key = segment.key()
    found = cache.analysis(key)
    if found is not None:
        return Prepared(segment, key, found)
    x = rotated(segment)
    loudest = float(np.abs(x).max()) if x.size else 0.0
    floor = 20.0 * math.log10(loudest) - ENVELOPE_RANGE_DB if loudest > 0 else -300.0
    analysis = Analysis(hop_energy(x, segment.rate), hop_peaks_db(x, hop_of(segment.rate), floor))
    cache.keep_analysis(key, analysis)
    return Prepared(segment, key, analysis, x)


@dataclass
class Plan:
    """The programme gain and the loudness the gain search expects of it."""

    gain_db: float
    loudness_lufs: float


class GainSearch:
    """The one programme gain that brings all segments, each limited on its own, to the
    target loudness: the loudness of any gain follows from the hops' energies and envelopes
    without touching the samples."""

    def __init__(
        self,
        analyses: Sequence[Analysis],
        pre_db: Sequence[float],
        rate: int,
        ceiling_db: float,
    ) -> None:
        self.hop_rate = rate / hop_of(rate)
        self.ceiling_db = ceiling_db
        self.envelopes = [
            a.envelope_db + np.float32(p) for a, p in zip(analyses, pre_db, strict=True)
        ]
        self.pre_db = list(pre_db)
        self.energy = np.concatenate(
            [a.energy * 10.0 ** (p / 10.0) for a, p in zip(analyses, pre_db, strict=True)]
        )
        self.steps = Steps(self.energy.size, rate)

    def curves(self, gain_db: float) -> list[FloatArray]:
        """Each segment's gain per hop (limiting and its own level included)."""
        return [
            limiter_gain_db(env, gain_db, self.ceiling_db, self.hop_rate)
            + np.float32(gain_db + pre)
            for env, pre in zip(self.envelopes, self.pre_db, strict=True)
        ]

    def loudness(self, gain_db: float) -> float:
        applied = np.concatenate(
            [
                limiter_gain_db(env, gain_db, self.ceiling_db, self.hop_rate)
                for env in self.envelopes
            ]
        )
        return self.steps.loudness(
            np.power(10.0, (applied.astype(np.float64) + gain_db) / 10.0) * self.energy
        )

    def solve(self, target_lufs: float) -> Plan:
        """Secant steps on gain (loudness rises monotonically but ever slower with it, as the
        limiter takes more back), from the plain loudness difference."""
        base = self.steps.loudness(self.energy)
        if not math.isfinite(base) or base < SILENCE_LUFS:
            raise ProductionError("produce.silent")
        g0 = min(MAX_GAIN_DB, max(-MAX_GAIN_DB, target_lufs - base))
        # Past this much limiting a too-peaky programme falls short rather than be flattened.
        g_max = min(MAX_GAIN_DB, g0 + MAX_LIMITING_DB)
        l0 = self.loudness(g0)
        slope = 1.0
        for _ in range(20):
            if abs(target_lufs - l0) < 0.01:
                break
            g1 = min(g_max, max(-MAX_GAIN_DB, g0 + (target_lufs - l0) / slope))
            if g1 == g0:
                break
            l1 = self.loudness(g1)
            slope = min(1.0, max(0.1, (l1 - l0) / (g1 - g0)))
            g0, l0 = g1, l1
        return Plan(g0, l0)


def on_grid(gain_db: float) -> float:
    return round(round(gain_db / GAIN_STEP_DB) * GAIN_STEP_DB, 4)


def choose_gain(
    search: GainSearch, plan: Plan, target_lufs: float, cached: Callable[[float], int]
) -> Plan:
    """A gain on the grid near the solved one: the one with the most segments already encoded
    (``cached(gain)`` counts them) among those within ``REUSE_LU`` of the target, else the
    nearest."""
    nearest = on_grid(plan.gain_db)
    best = Plan(
        nearest, search.loudness(nearest) if nearest != plan.gain_db else plan.loudness_lufs
    )
    best_hits = cached(nearest)
    for step in (-1, 1, -2, 2, -3, 3, -4, 4):
        gain = on_grid(nearest + step * GAIN_STEP_DB)
        hits = cached(gain)
        if hits <= best_hits:
            continue
        loudness = search.loudness(gain)
        if abs(loudness - target_lufs) <= REUSE_LU:
            best, best_hits = Plan(gain, loudness), hits
    return best


def level(
    samples: FloatArray, analysis: Analysis, curve: FloatArray, rate: int, ceiling_db: float
) -> FloatArray:
    """A copy of ``samples`` with the gain curve applied and any residual true peak over the
    ceiling trimmed (the curve moves within each interpolation window, so the output can
    stray a little from envelope + gain near the ceiling)."""
    hop = hop_of(rate)
    x = samples.copy()
    apply_gain(x, curve, hop)
    near = analysis.envelope_db + curve >= np.float32(ceiling_db - NEAR_CEILING_DB)
    peak = true_peak_of_hops(x, hop, near)
    if peak > ceiling_db:
        x *= np.float32(10.0 ** ((ceiling_db - peak) / 20.0))
    return x


def encode_segment(x: FloatArray, rate: int, fmt: AudioFormat) -> Encoded:
    """MP3 frames of one levelled segment, and its decoded audio's figures. The decoder reads
    the frames as the encoder makes them, so the two run side by side."""
    encoder = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
        "-ac", str(fmt.channels), "-ar", str(fmt.sample_rate),
        "-c:a", "libmp3lame", "-b:a", f"{fmt.bitrate_kbps}k",
        "-compression_level", str(ENCODER_QUALITY), "-write_xing", "0",
        *BARE_MP3, "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    decoder = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "mp3", "-i", "pipe:0", "-f", "f32le", "pipe:1",
    ]  # fmt: skip
    frames: list[bytes] = []
    with tempfile.TemporaryFile() as enc_log, tempfile.TemporaryFile() as dec_log:
        enc = subprocess.Popen(
            encoder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=enc_log,
            preexec_fn=die_with_parent,
        )  # fmt: skip
        dec = subprocess.Popen(
            decoder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=dec_log,
            preexec_fn=die_with_parent,
        )  # fmt: skip
        assert enc.stdin and enc.stdout and dec.stdin and dec.stdout

        def feed() -> None:
            with contextlib.suppress(BrokenPipeError):
                enc.stdin.write(x.astype("<f4", copy=False).tobytes())  # type: ignore[union-attr]
            with contextlib.suppress(BrokenPipeError):
                enc.stdin.close()  # type: ignore[union-attr]

        def relay() -> None:
            for block in iter(lambda: enc.stdout.read1(1 << 16), b""):  # type: ignore[union-attr]
                frames.append(block)
                with contextlib.suppress(BrokenPipeError):
                    dec.stdin.write(block)  # type: ignore[union-attr]
            with contextlib.suppress(BrokenPipeError):
                dec.stdin.close()  # type: ignore[union-attr]

        helpers = [threading.Thread(target=feed), threading.Thread(target=relay)]
        try:
            for helper in helpers:
                helper.start()
            pcm = dec.stdout.read()
            for helper in helpers:
                helper.join()
            encoded, decoded_ok = enc.wait(), dec.wait()
        except BaseException:
            for child in (enc, dec):
                child.kill()
                child.wait()
            raise
        if encoded != 0:
            raise ProductionError("produce.encode", detail=_last_line(enc_log))
        if decoded_ok != 0:
            raise ProductionError("produce.decode", path="-", detail=_last_line(dec_log))
    decoded = np.frombuffer(pcm, dtype="<f4").reshape(-1, fmt.channels)
    out_rate = fmt.sample_rate
    bounds = np.append(np.round(np.arange(0, decoded.shape[0], 0.1 * out_rate)), decoded.shape[0])
    bounds = np.unique(bounds.astype(np.int64))
    energy = kweighted_energy(decoded, out_rate, bounds)
    return Encoded(
        b"".join(frames),
        energy,
        np.diff(bounds).astype(np.float64),
        true_peak_db(decoded),
        decoded.shape[0],
    )


def _last_line(log_file: IO[bytes]) -> str:
    log_file.seek(0)
    message = log_file.read().decode(errors="replace").strip()
    return message.splitlines()[-1] if message else ""


def measured(parts: Sequence[Encoded]) -> tuple[float, float]:
    """Integrated loudness and true peak of the segments played end to end."""
    energy = np.concatenate([p.step_energy for p in parts])
    lengths = np.concatenate([p.step_len for p in parts])
    return gated_loudness(energy, lengths), max(p.peak_db for p in parts)
