"""The review desk's audio pictures against ffmpeg's own loudness meter: ``audio_pictures`` on a
five-minute MP3, cold and from its cache, timed in the same run as ffmpeg's ebur128 pass over
the same file, with the ratio and both integrated loudness figures.

Run: .venv/bin/python bench/pictures.py [FILE] [--seconds 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bulletin.production.ffmpeg import ffmpeg_exe  # noqa: E402
from bulletin.web.pictures import audio_pictures  # noqa: E402

SPEECH_RATE = 22050  # what eSpeak and most Piper voices speak at


def speech_like(seconds: float) -> np.ndarray:
    """Noise with speech's spectrum tilt, syllable rhythm and pauses between sentences."""
    from scipy import signal

    rng = np.random.default_rng(7)
    n = round(seconds * SPEECH_RATE)
    noise = signal.sosfilt(
        signal.butter(2, [100, 6000], "bandpass", fs=SPEECH_RATE, output="sos"),
        rng.standard_normal(n),
    )
    t = np.arange(n) / SPEECH_RATE
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 2
    sentences = (t % 6.0) < 5.2  # 0.8 s pause every six seconds
    return (0.3 * noise * syllables * sentences).astype("<f4")


def make_mp3(dest: Path, seconds: float) -> None:
    encode = [
        ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
        "-f", "f32le", "-ar", str(SPEECH_RATE), "-ac", "1", "-i", "pipe:0",
        "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k", str(dest),
    ]  # fmt: skip
    subprocess.run(encode, input=speech_like(seconds).tobytes(), check=True)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(repeat: int, run: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best wall and CPU seconds (this process and its children, ffmpeg included) of ``repeat``
    runs, and the last result."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), _cpu()
        result = run()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, _cpu() - cpu)
    return best_wall, best_cpu, result


def ebur128(path: Path) -> float:
    measure = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats",
        "-i", str(path), "-af", "ebur128", "-f", "null", "-",
    ]  # fmt: skip
    report = subprocess.run(measure, capture_output=True, text=True, check=True).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, help="an audio file (default: made here)")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the made MP3")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; best is shown")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        audio = args.file
        if audio is None:
            audio = Path(tmp) / "bench.mp3"
            make_mp3(audio, args.seconds)
        cache = Path(tmp) / "cache"

        def cold() -> Any:
            return audio_pictures(audio, target_lufs=-16.0, true_peak_dbtp=-1.0)

        def cached() -> Any:
            return audio_pictures(audio, target_lufs=-16.0, true_peak_dbtp=-1.0, cache_dir=cache)

        cold()  # imports and the ffmpeg lookup are not what is measured
        cold_wall, cold_cpu, pictures = timed(args.repeat, cold)
        cached()  # fills the cache
        hit_wall, hit_cpu, hit = timed(args.repeat, cached)
        ff_wall, ff_cpu, ff_lufs = timed(args.repeat, lambda: ebur128(audio))

    assert hit.from_cache
    print(f"file: {audio} ({pictures.duration_s:.1f} s)")
    print(f"audio_pictures cold   wall {cold_wall:6.3f} s   cpu {cold_cpu:6.3f} s")
    print(f"audio_pictures cached wall {hit_wall:6.3f} s   cpu {hit_cpu:6.3f} s")
    print(f"ffmpeg ebur128        wall {ff_wall:6.3f} s   cpu {ff_cpu:6.3f} s")
    print(f"ratio cold/ebur128    wall {cold_wall / ff_wall:6.2f}     cpu {cold_cpu / ff_cpu:6.2f}")
    print(f"integrated: pictures {pictures.integrated_lufs:.2f} LUFS, ebur128 {ff_lufs:.1f} LUFS")


if __name__ == "__main__":
    main()
