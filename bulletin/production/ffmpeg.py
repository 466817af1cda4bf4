"""Running the ffmpeg binary shipped by imageio-ffmpeg: finding it, decoding any audio to
float, measuring files (the segment encoder is in segments.py)."""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from bulletin.production.common import FloatArray, ProductionError
from bulletin.production.loudness import integrated_loudness, true_peak_db

# Bare MP3 frames (plus the LAME info frame for gapless length) with no ID3 tag or
# encoder-version strings, so identical input hashes identically and simple
# players in loudspeaker controllers see nothing unexpected.
BARE_MP3 = [
    "-id3v2_version", "0", "-write_id3v1", "0", "-map_metadata", "-1",
    "-fflags", "+bitexact", "-flags:a", "+bitexact",
]  # fmt: skip


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the wheel's ffmpeg binary, looked up on first use.

    imageio-ffmpeg runs the binary to validate it, so resolving it at import time
    would make merely importing the package spawn a process.
    """
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def die_with_parent() -> None:
    """In the child before exec: the kernel kills ffmpeg when bulletin dies, so a killed push
    or build never leaves an orphan still writing audio."""
    import contextlib
    import ctypes
    import signal

    # Not Linux: no prctl, and the parent's own cleanup still kills ffmpeg on errors.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


def _stderr_tail(text: str) -> str:
    return text.strip()[-300:]


def ebur128_summary(report: str) -> tuple[float, float] | None:
    """(integrated LUFS, true peak dBTP) from the summary ebur128 logs at the end."""
    summary = report[report.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        return None
    return float(integrated.group(1)), float(peak.group(1))


def run_for_output(cmd: list[str]) -> tuple[bytes, str | None]:
    """Run an ffmpeg command that writes to stdout: its output, and its stderr if it failed.

    One read into one buffer (communicate() would hold the PCM twice: chunks, then joined);
    stderr goes to a file, as nobody reads it while ffmpeg fills stdout.
    """
    with tempfile.TemporaryFile() as errlog:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=errlog, preexec_fn=die_with_parent
        )
        assert proc.stdout is not None
        with proc.stdout:
            data = proc.stdout.read()
        if proc.wait() != 0:
            errlog.seek(0)
            message = errlog.read().decode(errors="replace")
            return data, message or f"ffmpeg exit {proc.returncode}"
    return data, None


def decode(path: Path) -> tuple[FloatArray, int]:
    """Decode any audio file with the wheel's ffmpeg to float32 (frames, channels)."""
    if not path.is_file():
        raise FileNotFoundError(path)
    cmd = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(path), "-vn", "-map", "0:a:0", "-c:a", "pcm_f32le", "-f", "wav", "pipe:1",
    ]  # fmt: skip
    data, failure = run_for_output(cmd)
    if failure is not None:
        raise ProductionError("produce.decode", path=str(path), detail=_stderr_tail(failure))
    # ffmpeg streams WAV to a pipe with placeholder sizes, so walk the chunks and
    # take everything after the data header rather than trusting its length.
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise RuntimeError(f"unexpected decoder output for {path}")
    pos = 12
    channels = rate = 0
    while pos + 8 <= len(data):
        cid = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if cid == b"fmt ":
            channels = int.from_bytes(data[body + 2 : body + 4], "little")
            rate = int.from_bytes(data[body + 4 : body + 8], "little")
        elif cid == b"data":
            if not channels or not rate:
                break
            raw = data[body : body + (len(data) - body) // (4 * channels) * 4 * channels]
            samples = np.frombuffer(raw, dtype="<f4").reshape(-1, channels)
            return samples.astype(np.float32, copy=False), rate
        pos = body + size + (size & 1)
    raise RuntimeError(f"no audio data decoded from {path}")


def measure(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS, BS.1770) and true peak (dBTP, 4× oversampled) of a file."""
    samples, rate = decode(Path(path))
    return integrated_loudness(samples, rate), true_peak_db(samples)
