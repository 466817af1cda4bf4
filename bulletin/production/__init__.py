"""Assemble speech segments into a broadcast-ready MP3: jingles, pauses, loudness
normalization (ITU-R BS.1770) with a true-peak look-ahead limiter, atomic CBR encoding."""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bulletin.production.assembly import (
    JingleSpec,
    Part,
    PartKind,
    SpeechChunk,
    add_jingles,
    as_parts,
    assemble_speech,
    builtin_jingle,
    segment_to_float,
)
from bulletin.production.common import MP3_SAMPLE_RATES, AudioFormat, ProductionError
from bulletin.production.ffmpeg import encode, measure
from bulletin.production.loudness import normalize, phase_rotate
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
# from 64 kbps per channel up and 0.6 dB at 32 kbps. Raised (and the file encoded
# again) only if it still overshoots.
ENCODE_MARGIN_DB = 0.5
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
) -> ProducedAudio:
    """Build the bulletin MP3 at ``out_path`` from ``parts`` (``Part`` or ``(kind, chunk)``).

    Order on air: open jingle, opening, items, closing, close jingle. Raises
    ``ValueError`` when there is no audible speech.
    """
    settings = settings or ProductionSettings()
    fmt = settings.format
    out_path = Path(out_path)
    rate = fmt.sample_rate

    speech = assemble_speech(
        list(as_parts(parts)), rate, settings.pause_sentence_ms, settings.pause_item_ms
    )
    programme = add_jingles(speech, rate, settings.jingle_open, settings.jingle_close)
    del speech
    master = phase_rotate(segment_to_float(programme), rate)
    del programme

    # ffmpeg spreads mono over two channels at -3 dB each (the centre mix level), so
    # a stereo file measures as loud as its mono master (BS.1770 sums channel
    # powers) while each channel peaks 3 dB lower than the master.
    target_master = settings.target_lufs
    upmix_db = 10.0 * math.log10(fmt.channels)
    low_bitrate = fmt.bitrate_kbps / fmt.channels < 64
    margin = LOW_BITRATE_MARGIN_DB if low_bitrate else ENCODE_MARGIN_DB
    ceiling = settings.true_peak_dbtp - margin + upmix_db
    # LAME's quantizer drops some energy (about 0.4 dB on speech at 128 kbps):
    # aim that much higher so one encode usually lands on the target.
    levelling = normalize(master, rate, target_master + LAME_LOSS_LU, ceiling)
    frames = master.size
    # The attempt goes to a temp file beside the target; only an accepted one is
    # moved into place, so an interrupt never leaves a partial or non-compliant MP3
    # under the final name.
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_path(out_path)
    try:
        for attempt in range(1, _MAX_ENCODE_ATTEMPTS + 1):
            loudness, peak = encode(master, tmp, fmt)
            log.debug("%s: encode %d: %.2f LUFS, %.2f dBTP", out_path, attempt, loudness, peak)
            loud_err = loudness - settings.target_lufs
            over = peak - settings.true_peak_dbtp
            # A programme too peaky for the ceiling cannot be made louder by any
            # gain (the limiter takes it all back); only the codec's part of the
            # error is worth another encode.
            if loud_err < 0.0:
                short_lu = max(0.0, target_master + LAME_LOSS_LU - levelling.loudness_lufs)
                loud_err = min(0.0, loud_err + short_lu)
            if (over <= 0.0 and abs(loud_err) <= _ACCEPT_LU) or attempt == _MAX_ENCODE_ATTEMPTS:
                break
            # Rare: the codec overshot by more than the margin, or shifted loudness
            # further than usual. Correct the targets by what the encoded file showed
            # and process the programme again (limiting harder if needed).
            if over > 0.0:
                ceiling -= over + 0.2
            target_master -= loud_err
            # Start again from the unprocessed programme: limiting an already limited
            # master adds distortion that LAME turns into even larger overshoots.
            levelling.undo(master)
            levelling = normalize(master, rate, target_master + LAME_LOSS_LU, ceiling)
        del master
        short = levelling.loudness_lufs < target_master + LAME_LOSS_LU - _ACCEPT_LU
        if peak > settings.true_peak_dbtp or (
            abs(loudness - settings.target_lufs) > LOUDNESS_TOLERANCE_LU
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
        digest = hashlib.sha256()
        with tmp.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
            os.fsync(f.fileno())  # data on disk before the rename makes it visible
        size = tmp.stat().st_size
        # A bulletin must stay readable by whatever serves it to the loudspeakers (the data
        # folder itself is private), so keep the old file's mode or use 0644.
        mode = out_path.stat().st_mode & 0o777 if out_path.exists() else 0o644
        tmp.chmod(mode)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

    return ProducedAudio(
        path=out_path,
        duration_s=frames / rate,
        loudness_lufs=loudness,
        true_peak_dbtp=peak,
        bytes=size,
        sha256=digest.hexdigest(),
    )
