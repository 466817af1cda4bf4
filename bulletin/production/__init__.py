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
from bulletin.production.ffmpeg import decode, encode, measure, transcode
from bulletin.production.loudness import (
    integrated_loudness,
    normalize,
    peak_envelope_db,
    phase_rotate,
    true_peak_db,
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
    "transcode",
]

# MP3 coding reconstructs peaks imperfectly; limit below the ceiling so the decoded
# file still complies. Raised automatically if the encoded file still overshoots.
ENCODE_MARGIN_DB = 0.5
LOUDNESS_TOLERANCE_LU = 0.5  # promised on the encoded file
_ACCEPT_LU = 0.2  # re-encode with a correction beyond this, to stay well inside the promise
_MAX_ENCODE_ATTEMPTS = 3
SILENCE_LUFS = -70.0

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
    samples = phase_rotate(segment_to_float(programme), rate)
    del programme

    # A dual-mono file measures 10·log10(2) dB louder than its mono source
    # (BS.1770 sums channel powers), so aim the mono signal lower.
    target_mono = settings.target_lufs - 10.0 * math.log10(fmt.channels)
    margin = ENCODE_MARGIN_DB
    trim_db = 0.0
    base = integrated_loudness(samples[:, None], rate)
    if not math.isfinite(base) or base < SILENCE_LUFS:
        raise ProductionError("produce.silent")
    gain_db, slope = target_mono - base, 1.0
    # Gain scales the envelope, so the 4×-oversampled envelope is computed once.
    envelope_db = peak_envelope_db(samples)
    # Every attempt goes to one temp file beside the target; only the accepted one
    # is moved into place, so an interrupt never leaves a partial or
    # non-compliant MP3 under the final name.
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_path(out_path)
    try:
        for attempt in range(1, _MAX_ENCODE_ATTEMPTS + 1):
            ceiling = settings.true_peak_dbtp - margin
            master, gain_db, slope = normalize(
                samples, envelope_db, rate, target_mono + trim_db, ceiling, gain_db, slope
            )
            encode(master, tmp, fmt)
            del master
            decoded, _ = decode(tmp)
            loudness = integrated_loudness(decoded, rate)
            peak = true_peak_db(decoded)
            frames = decoded.shape[0]
            del decoded
            loud_err = loudness - settings.target_lufs
            over = peak - settings.true_peak_dbtp
            if over <= 0.0 and abs(loud_err) <= _ACCEPT_LU:
                break
            if attempt == _MAX_ENCODE_ATTEMPTS:
                if over > 0.0 or abs(loud_err) > LOUDNESS_TOLERANCE_LU:
                    log.warning(
                        "%s: after %d attempts loudness %.2f LUFS (target %.1f), "
                        "true peak %.2f dBTP (ceiling %.1f)",
                        out_path,
                        attempt,
                        loudness,
                        settings.target_lufs,
                        peak,
                        settings.true_peak_dbtp,
                    )
                break
            # Codec overshoot was larger than the margin, or the codec shifted loudness
            # (LAME's quantizer loses ~0.3 dB of energy at 128 kbps, more on noisy
            # signals): correct by what the decoded file showed and encode again.
            margin += max(0.0, over) + 0.2
            trim_db -= loud_err
            gain_db -= loud_err / slope
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
