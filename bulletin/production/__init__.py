"""Assemble speech into a broadcast-ready MP3: jingles, pauses, loudness normalization
(ITU-R BS.1770) with a true-peak look-ahead limiter, CBR encoding in segments side by side
(reused from the last build where nothing changed), written atomically."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import math
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bulletin.production.assembly import (
    JINGLE_REL_LU,
    JingleSpec,
    Part,
    PartKind,
    SpeechChunk,
    as_parts,
    builtin_jingle,
    timeline,
)
from bulletin.production.common import MP3_SAMPLE_RATES, AudioFormat, FloatArray, ProductionError
from bulletin.production.ffmpeg import measure
from bulletin.production.loudness import SILENCE_LUFS
from bulletin.production.segments import (
    Encoded,
    GainSearch,
    Prepared,
    SegmentCache,
    choose_gain,
    code_fingerprint,
    encode_segment,
    level,
    measured,
    prepare,
    programme_loudness,
)
from bulletin.staging import partial_path

__all__ = [
    "MP3_SAMPLE_RATES",
    "AudioFormat",
    "JingleSpec",
    "Part",
    "PartKind",
    "ProducedAudio",
    "ProductionError",
    "ProductionSettings",
    "SpeechChunk",
    "builtin_jingle",
    "measure",
    "produce",
]

# MP3 coding reconstructs peaks imperfectly; limit below the ceiling so the decoded
# file still complies. Measured on eSpeak NG speech, LAME overshoots by about 0.3 dB
# from 64 kbps per channel up and 0.6 dB at 32 kbps; a controller's rendition, coded
# again from this file with no limiter of its own, adds up to 0.5 dB more at 64 kbps
# (tests/test_renditions.py). Raised (and the file encoded again) only if it still
# overshoots.
ENCODE_MARGIN_DB = 0.8
LOW_BITRATE_MARGIN_DB = 1.0  # under 64 kbps per channel
LOUDNESS_TOLERANCE_LU = 0.5  # promised on the encoded file
# Encode again only beyond this, so the promise holds with room for ebur128's
# 0.1 LU rounding and for metering the stream (whose decoder cannot trim LAME's
# padding) rather than the finished file.
_ACCEPT_LU = 0.3
_MAX_ENCODE_ATTEMPTS = 3
LAME_LOSS_LU = 0.4  # measured on eSpeak NG speech; see bench/production.py

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProductionSettings:
    """Loudness target, pauses and jingles for one bulletin.

    A jingle is ``"builtin"`` (chime synthesized in code), a path to any audio file
    ffmpeg can decode, or ``None`` for no jingle.
    """

    target_lufs: float = -16.0
    true_peak_dbtp: float = -1.0
    pause_sentence_ms: int = 350
    pause_item_ms: int = 900
    jingle_open: JingleSpec = "builtin"
    jingle_close: JingleSpec = "builtin"
    format: AudioFormat = field(default_factory=AudioFormat)


@dataclass(frozen=True)
class ProducedAudio:
    """The written MP3 with figures measured on the encoded file itself."""

    path: Path
    duration_s: float
    loudness_lufs: float
    true_peak_dbtp: float
    bytes: int
    sha256: str


def produce(
    parts: Iterable[Part | tuple[PartKind, SpeechChunk]],
    out_path: Path,
    settings: ProductionSettings | None = None,
    *,
    cache_dir: Path | None = None,
    workers: int | None = None,
) -> ProducedAudio:
    """Build the bulletin MP3 at ``out_path`` from ``parts`` (``Part`` or ``(kind, chunk)``).

    Order on air: open jingle, opening, items, closing, close jingle. Segments already made
    with the same samples, gain and format are taken from ``cache_dir``; the others are
    encoded on ``workers`` cores (all by default). Raises ``ProductionError`` when there is
    no audible speech.
    """
    settings = settings or ProductionSettings()
    fmt = settings.format
    out_path = Path(out_path)
    cache = SegmentCache(cache_dir)
    pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1)
    try:
        with _cancelled_on_error(pool):
            # Each segment is analysed on a spare core as soon as its last sentence is
            # spoken, while the voice goes on with the next.
            pending = [
                pool.submit(prepare, segment, cache)
                for segment in timeline(
                    as_parts(parts),
                    fmt,
                    settings.pause_sentence_ms,
                    settings.pause_item_ms,
                    settings.jingle_open,
                    settings.jingle_close,
                )
            ]
            prepared = [future.result() for future in pending]
            return _level_and_encode(prepared, out_path, settings, cache, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _cancelled_on_error(pool: ThreadPoolExecutor) -> Iterator[None]:
    """On an error or Ctrl-C, work not yet started is dropped (what runs finishes: a segment
    is a few seconds of work at most, and its ffmpeg dies with the process anyway)."""
    try:
        yield
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _level_and_encode(
    prepared: list[Prepared],
    out_path: Path,
    settings: ProductionSettings,
    cache: SegmentCache,
    pool: ThreadPoolExecutor,
) -> ProducedAudio:
    fmt = settings.format
    rate = prepared[0].segment.rate
    analyses = [p.analysis for p in prepared]
    pre_db = _jingle_levels(
        [a.energy for a in analyses], [p.segment.jingle for p in prepared], rate
    )
    # ffmpeg spreads mono over two channels at -3 dB each (the centre mix level), so
    # a stereo file measures as loud as its mono master (BS.1770 sums channel
    # powers) while each channel peaks 3 dB lower than the master.
    target_master = settings.target_lufs
    upmix_db = 10.0 * math.log10(fmt.channels)
    low_bitrate = fmt.bitrate_kbps / fmt.channels < 64
    margin = LOW_BITRATE_MARGIN_DB if low_bitrate else ENCODE_MARGIN_DB
    ceiling = settings.true_peak_dbtp - margin + upmix_db

    def encode_key(i: int, gain_db: float, ceiling_db: float) -> str:
        return _sha256_json(
            [prepared[i].key, round(pre_db[i], 4), round(gain_db, 4), round(ceiling_db, 4),
             [fmt.bitrate_kbps, fmt.sample_rate, fmt.channels], code_fingerprint()]
        )  # fmt: skip

    def job(i: int, curve: FloatArray, gain_db: float, ceiling_db: float) -> Encoded:
        levelled = level(prepared[i].samples(), analyses[i], curve, rate, ceiling_db)
        encoded = encode_segment(levelled, rate, fmt)
        cache.keep_encoded(encode_key(i, gain_db, ceiling_db), encoded)
        return encoded

    # LAME's quantizer drops some energy (about 0.4 dB on speech at 128 kbps):
    # aim that much higher so one encode usually lands on the target.
    search = GainSearch(analyses, pre_db, rate, ceiling)
    aim = target_master + LAME_LOSS_LU
    plan = choose_gain(
        search,
        search.solve(aim),
        aim,
        lambda gain: sum(
            cache.has_encoded(encode_key(i, gain, ceiling)) for i in range(len(prepared))
        ),
    )
    for attempt in range(1, _MAX_ENCODE_ATTEMPTS + 1):
        curves = search.curves(plan.gain_db)
        made: dict[int, Encoded | Future[Encoded]] = {}
        # Longest first, so no core is left with one long segment at the end.
        for i in sorted(range(len(curves)), key=lambda i: -prepared[i].segment.samples.size):
            found = cache.encoded(encode_key(i, plan.gain_db, ceiling))
            made[i] = (
                found
                if found is not None
                else pool.submit(job, i, curves[i], plan.gain_db, ceiling)
            )
        done = [m.result() if isinstance(m, Future) else m for _, m in sorted(made.items())]
        loudness, peak = measured(done)
        log.debug("%s: encode %d: %.2f LUFS, %.2f dBTP", out_path, attempt, loudness, peak)
        loud_err = loudness - settings.target_lufs
        over = peak - settings.true_peak_dbtp
        # A programme too peaky for the ceiling cannot be made louder by any gain (the
        # limiter takes it all back); only the codec's part of the error is worth another
        # encode.
        if loud_err < 0.0:
            short_lu = max(0.0, aim - plan.loudness_lufs)
            loud_err = min(0.0, loud_err + short_lu)
        if (over <= 0.0 and abs(loud_err) <= _ACCEPT_LU) or attempt == _MAX_ENCODE_ATTEMPTS:
            break
        # Rare: the codec overshot by more than the margin, or shifted loudness further
        # than usual. Correct the targets by what the encoded segments showed and level
        # the programme again (limiting harder if needed).
        if over > 0.0:
            ceiling -= over + 0.2
        target_master -= loud_err
        aim = target_master + LAME_LOSS_LU
        search = GainSearch(analyses, pre_db, rate, ceiling)
        plan = search.solve(aim)
    short = plan.loudness_lufs < aim - _ACCEPT_LU
    if (
        peak > settings.true_peak_dbtp
        or abs(loudness - settings.target_lufs) > LOUDNESS_TOLERANCE_LU
    ):
        log.warning(
            "%s: loudness %.2f LUFS (target %.1f), true peak %.2f dBTP (ceiling %.1f)%s",
            out_path,
            loudness,
            settings.target_lufs,
            peak,
            settings.true_peak_dbtp,
            "; too peaky to be louder under the ceiling" if short else "",
        )
    produced = _write(out_path, [m.mp3 for m in done])
    cache.trim()
    return ProducedAudio(
        path=out_path,
        duration_s=sum(m.frames for m in done) / fmt.sample_rate,
        loudness_lufs=loudness,
        true_peak_dbtp=peak,
        bytes=produced[0],
        sha256=produced[1],
    )


def _jingle_levels(energies: list[np.ndarray], jingle: list[bool], rate: int) -> list[float]:
    """Gain (dB) per segment putting each jingle ``JINGLE_REL_LU`` under the speech, in
    half-decibel steps (so a rebuild whose speech moved a little keeps its jingles' audio).
    Speech under the silence gate is refused, jingles or not."""
    speech = programme_loudness([e for e, j in zip(energies, jingle, strict=True) if not j], rate)
    if not math.isfinite(speech) or speech < SILENCE_LUFS:
        raise ProductionError("produce.silent")
    levels = []
    for energy, is_jingle in zip(energies, jingle, strict=True):
        own = programme_loudness([energy], rate) if is_jingle else math.nan
        wanted = speech + JINGLE_REL_LU - own
        levels.append(round(wanted * 2) / 2 if is_jingle and math.isfinite(wanted) else 0.0)
    return levels


def _write(out_path: Path, frames: list[bytes]) -> tuple[int, str]:
    """The segments' frames end to end, atomically at ``out_path``: (bytes, sha256).

    The file goes to a temp name beside the target first, so an interrupt never leaves a
    partial MP3 under the final name.
    """
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_path(out_path)
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as f:
            for block in frames:
                f.write(block)
                digest.update(block)
            f.flush()
            os.fsync(f.fileno())  # data on disk before the rename makes it visible
        size = tmp.stat().st_size
        # A bulletin must stay readable by whatever serves it to the loudspeakers (the data
        # folder itself is private), so keep the old file's mode or use 0644.
        mode = out_path.stat().st_mode & 0o777 if out_path.exists() else 0o644
        tmp.chmod(mode)
        os.replace(tmp, out_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise ProductionError("disk.full", detail=str(out_path.parent)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def _sha256_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":")).encode()).hexdigest()
