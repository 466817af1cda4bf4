"""Renditions: the approved, loudness-normalized bulletin re-encoded in the codec, rate and
layout a controller asks for (MP3, 16-bit WAV or Ogg Opus), tagged, and checked for loudness."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.delivery.base import CONTENT_TYPES
from bulletin.errors import DeliveryError
from bulletin.production.ffmpeg import die_with_parent, ebur128_summary, ffmpeg_exe
from bulletin.staging import partial_path

if TYPE_CHECKING:  # production reads only the fields; no runtime tie to the config models
    from bulletin.workspace import AudioFormatConfig

LOUDNESS_TOLERANCE_LU = 0.5  # promised on every rendition, measured on the file
# Aim this far under the ceiling when a correction has to lower peaks: a lossy re-encode
# does not reproduce its overshoot exactly, and ebur128 reports peaks rounded to 0.1 dB.
_LOSSY_PEAK_MARGIN_DB = 0.3
_PCM_PEAK_MARGIN_DB = 0.1
_MIN_GAIN_DB = 0.05  # less than this changes nothing ebur128 can show: no second encode

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tags:
    """What a rendition says about itself, in the container's own tag format."""

    title: str
    """The bulletin's title as people see it in a player."""
    station: str
    """The station that made it (written as the artist)."""
    date: dt.date
    """The bulletin's day (written as an ISO date)."""
    bulletin_id: int
    """The bulletin's number, so a file found on a controller leads back to its record."""
    comment: str | None = None
    """Free text, e.g. the programme's name."""


@dataclass(frozen=True)
class RenditionInfo:
    """The written rendition, with figures measured on the encoded file itself."""

    sha256: str
    bytes: int
    suffix: str
    """".mp3", ".wav" or ".opus"."""
    content_type: str
    loudness_lufs: float
    """Integrated loudness (BS.1770, ffmpeg's ebur128) of the decoded file."""
    true_peak_dbtp: float
    """True peak (4× oversampled) of the decoded file."""


def suffix_of(fmt: AudioFormatConfig) -> str:
    """The file name suffix of a rendition in ``fmt``."""
    return fmt.suffix


def format_key(fmt: AudioFormatConfig) -> str:
    """A short name for ``fmt`` that tells renditions apart (`AudioFormatConfig.key`)."""
    return fmt.key


def render(
    src: Path,
    out: Path,
    fmt: AudioFormatConfig,
    tags: Tags,
    target_lufs: float,
    ceiling_dbtp: float,
) -> RenditionInfo:
    """Encode ``src`` (already loudness-normalized) into ``out`` in ``fmt``, tagged.

    One ffmpeg encode, then one decode of the result to measure it. Resampling,
    downmixing and lossy coding can move loudness and peaks a little: when the encoded
    file is more than 0.5 LU off ``target_lufs`` or over ``ceiling_dbtp``, it is encoded
    a second time with a corrective gain (the only case with two encodes). Peaks win: the
    gain never takes them over the ceiling, and a file too quiet but already near the
    ceiling is kept as encoded; either shortfall is logged as a warning. ``out`` appears
    atomically, complete or not at all.

    Raises ``DeliveryError`` (not retryable) when ffmpeg fails or the file cannot be written.
    """
    out = Path(out)
    tmp = partial_path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _encode(src, tmp, fmt, tags, gain_db=0.0)
        loudness, peak = _measure(tmp, fmt)
        log.debug("%s: %.2f LUFS, %.2f dBTP as encoded", out, loudness, peak)
        if abs(loudness - target_lufs) > LOUDNESS_TOLERANCE_LU or peak > ceiling_dbtp:
            if not (math.isfinite(loudness) and math.isfinite(peak)):
                raise DeliveryError("rendition.silent", retryable=False, format=format_key(fmt))
            margin = _PCM_PEAK_MARGIN_DB if fmt.codec == "wav" else _LOSSY_PEAK_MARGIN_DB
            gain = _correction(loudness - target_lufs, peak - ceiling_dbtp, margin)
        else:
            gain = 0.0
        if abs(gain) >= _MIN_GAIN_DB:
            _encode(src, tmp, fmt, tags, gain_db=gain)
            loudness, peak = _measure(tmp, fmt)
            log.debug("%s: %.2f LUFS, %.2f dBTP after %+.2f dB", out, loudness, peak, gain)
        if abs(loudness - target_lufs) > LOUDNESS_TOLERANCE_LU or peak > ceiling_dbtp:
            log.warning(
                "%s: loudness %.2f LUFS (target %.1f), true peak %.2f dBTP (ceiling %.1f)",
                out,
                loudness,
                target_lufs,
                peak,
                ceiling_dbtp,
            )
        with tmp.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
            os.fsync(f.fileno())  # data on disk before the rename makes it visible
        size = tmp.stat().st_size
        # Whatever serves the audio to loudspeakers must be able to read it.
        tmp.chmod(out.stat().st_mode & 0o777 if out.exists() else 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        raise DeliveryError(
            "rendition.write",
            retryable=False,
            format=format_key(fmt),
            path=str(out),
            detail=exc.strerror or str(exc),
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return RenditionInfo(
        sha256=digest,
        bytes=size,
        suffix=suffix_of(fmt),
        content_type=CONTENT_TYPES[fmt.suffix],
        loudness_lufs=loudness,
        true_peak_dbtp=peak,
    )


def _correction(loudness_err: float, peak_over: float, margin: float) -> float:
    """The gain (dB) for the second encode, from how far the first one is off the target
    (LU, positive when too loud) and over the ceiling (dB, positive when over).

    Peaks win: a gain never raises them to within ``margin`` of the ceiling. A file that is too
    quiet but already near the ceiling is not made quieter still (0 dB: nothing to gain).
    """
    wanted = -loudness_err
    capped = min(wanted, -peak_over - margin)
    if peak_over > 0.0:
        return capped
    return max(capped, min(wanted, 0.0))


def _clean(text: str) -> str:
    # Tag values travel as argv (no NUL possible) and end up in players' one-line displays.
    return _CONTROL.sub(" ", text).strip()


def _metadata(fmt: AudioFormatConfig, tags: Tags) -> list[str]:
    """``-metadata`` options for the container: ID3v2.3 frames (TIT2, TPE1, TYER+TDAT,
    TXXX), RIFF INFO chunks (INAM, IART, ICRD, ICMT) or Vorbis comments."""
    comment = _clean(tags.comment) if tags.comment else ""
    fields = {"title": _clean(tags.title), "artist": _clean(tags.station)}
    fields["date"] = tags.date.isoformat()
    if fmt.codec == "wav":
        # RIFF INFO has no field of its own for it: the id leads the comment.
        fields["comment"] = "; ".join(filter(None, [f"bulletin_id={tags.bulletin_id}", comment]))
    else:
        fields["BULLETIN_ID"] = str(tags.bulletin_id)
        if comment:
            fields["comment"] = comment
    if fmt.codec == "opus":  # Vorbis comment names are conventionally upper case
        fields = {key.upper(): value for key, value in fields.items()}
    options: list[str] = []
    for key, value in fields.items():
        options += ["-metadata", f"{key}={value}"]
    return options


def _codec_options(fmt: AudioFormatConfig) -> list[str]:
    if fmt.codec == "mp3":
        # ID3v2.3: the version simple players in loudspeaker controllers read; no ID3v1.
        return ["-c:a", "libmp3lame", "-b:a", f"{fmt.bitrate_kbps}k",
                "-id3v2_version", "3", "-write_id3v1", "0", "-f", "mp3"]  # fmt: skip
    if fmt.codec == "wav":
        return ["-c:a", "pcm_s16le", "-f", "wav"]
    return ["-c:a", "libopus", "-b:a", f"{fmt.bitrate_kbps}k", "-f", "ogg"]


def _encode(src: Path, dest: Path, fmt: AudioFormatConfig, tags: Tags, gain_db: float) -> None:
    gain = ["-af", f"volume={gain_db:.3f}dB:precision=float"] if gain_db else []
    cmd = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-i", str(src), "-vn", "-map", "0:a:0", "-map_metadata", "-1",
        *gain, "-ac", str(fmt.channels), "-ar", str(fmt.sample_rate),
        *_metadata(fmt, tags),
        # No encoder versions in the file, and a fixed Ogg serial: the same bulletin
        # renders to the same bytes, so its hash names it.
        "-fflags", "+bitexact", "-flags:a", "+bitexact",
        *_codec_options(fmt), str(dest),
    ]  # fmt: skip
    done = _run(cmd, fmt)
    if done.returncode != 0:
        raise DeliveryError(
            "rendition.encode",
            retryable=False,
            format=format_key(fmt),
            detail=_last_line(done.stderr) or f"ffmpeg exit status {done.returncode}",
        )


def _measure(path: Path, fmt: AudioFormatConfig) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of the file, decoded once by ffmpeg."""
    cmd = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats",
        "-i", str(path), "-vn", "-map", "0:a:0",
        # Per-frame lines only at verbose level: stderr stays a few lines however long.
        "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-",
    ]  # fmt: skip
    done = _run(cmd, fmt)
    report = done.stderr.decode(errors="replace")
    figures = ebur128_summary(report) if done.returncode == 0 else None
    if figures is None:
        raise DeliveryError(
            "rendition.measure",
            retryable=False,
            format=format_key(fmt),
            detail=_last_line(done.stderr) or "no ebur128 summary",
        )
    return figures


def _run(cmd: list[str], fmt: AudioFormatConfig) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
            preexec_fn=die_with_parent,
        )
    except OSError as exc:  # no ffmpeg to run: not the output file's fault
        raise DeliveryError(
            "rendition.encode", retryable=False, format=format_key(fmt), detail=str(exc)
        ) from None


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode(errors="replace").strip().splitlines()
    return lines[-1].strip()[-300:] if lines else ""
