"""Build times of the demo pipeline: a cold build, a warm rebuild of the same items and a
rebuild after a one-sentence edit (times, ratios to the cold build, and how much of each is
production); production against ffmpeg; and `bulletin say` against eSpeak NG called directly.

Run: .venv/bin/python bench/pipeline.py [--text FILE] [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_TEXT = ROOT.parent / "shared" / "data" / "articles" / "vietnamnet_07_bao-so-4-do-bo.txt"
WARM_TARGET = 0.15
EDIT_TARGET = 0.25


@dataclass
class Run:
    """One build or rebuild: its wall time, the part spent in `produce()`, its stages."""

    name: str
    seconds: float = 0.0
    producing: float = 0.0
    stages: list[tuple[str, float]] = field(default_factory=list)
    peak_mib: float = 0.0


class BuildStages:
    """Splits one build into the stages its progress callback reports."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.current: str | None = None
        self.started = 0.0

    def __call__(self, name: str, done: int, total: int) -> None:
        if name != self.current:
            self.close()
            self.current, self.started = name, time.perf_counter()

    def close(self) -> None:
        if self.current is not None:
            self.run.stages.append((self.current, time.perf_counter() - self.started))
            self.current = None


@contextmanager
def timed(run: Run) -> Iterator[None]:
    """Time `run`, and the calls to `produce()` inside it (the render looks it up on the
    production module at each call, so wrapping the attribute sees every one)."""
    from bulletin import production

    original = production.produce

    def produce(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            run.producing += time.perf_counter() - started

    production.produce = produce
    tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        yield
    finally:
        run.seconds = time.perf_counter() - started
        run.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
        production.produce = original


def pipeline(workdir: Path) -> tuple[float, float, list[Run]]:
    """Fetch a fresh copy of the samples, then build cold, rebuild warm, edit one sentence."""
    from bulletin import workspace as workspaces
    from bulletin.services import Station
    from bulletin.services.building import build
    from bulletin.services.editing import edit_script
    from bulletin.services.users import ensure_user

    root = workdir / "ws"
    shutil.copytree(ROOT / "samples", root)
    station = Station(workspaces.load(root))
    ensure_user(station, "bench", ["approver"])
    from bulletin.services.fetching import fetch_sources

    started = time.perf_counter()
    fetch_sources(station)  # stores and embeds each new announcement, once
    fetching = time.perf_counter() - started

    cold, warm, edit = Run("cold build"), Run("warm rebuild, same items"), Run("one-sentence edit")
    stages = BuildStages(cold)
    with timed(cold):
        first = build(station, actor="bench", progress=stages)
    stages.close()
    with station.store() as store:
        item_ids = [item.announcement_id for item in store.bulletin_items(first)]
    stages = BuildStages(warm)
    with timed(warm):
        second = build(station, item_ids=item_ids, actor="bench", progress=stages)
    stages.close()
    with station.store() as store:
        target = next(s for s in store.sentences(second) if s.part == "item")
        duration = float(store.bulletin(second).duration_s or 0)
    with timed(edit):
        edited = edit_script(
            station, second, {target.index: "Hạn nộp hồ sơ là ngày 31/12/2026."}, actor="bench"
        )
    assert edited.synthesized == 1, edited
    return duration, fetching, [cold, warm, edit]


def report(duration: float, fetching: float, runs: list[Run]) -> None:
    cold = runs[0].seconds
    print(f"Demo pipeline: {duration:.1f} s bulletin; fetch (with embedding) {fetching:.2f} s")
    print(f"{'build':<28}{'wall s':>9}{'ratio':>8}{'target':>8}{'produce s':>11}{'peak MiB':>10}")
    targets = {1: f"≤{WARM_TARGET:.2f}", 2: f"≤{EDIT_TARGET:.2f}"}
    for index, run in enumerate(runs):
        print(
            f"{run.name:<28}{run.seconds:>9.3f}{run.seconds / cold:>8.3f}"
            f"{targets.get(index, ''):>8}{run.producing:>11.3f}{run.peak_mib:>10.1f}"
        )
        for name, seconds in run.stages:
            print(f"  {name:<26}{seconds:>9.3f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB (tracemalloc peaks above are Python+numpy heap)")


def production_figures() -> None:
    """Production against ffmpeg's ebur128 measure plus LAME encode (bench/production.py)."""
    path = Path(__file__).with_name("production.py")
    if not path.exists():
        print("\n(production against ffmpeg: bench/production.py not found)")
        return
    spec = importlib.util.spec_from_file_location("bench_production", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    r = module.production_against_ffmpeg()
    reference = r["ffmpeg_measure_s"] + r["ffmpeg_encode_s"]
    print(f"\nProduction of {r['audio_s']:.1f} s of speech against ffmpeg on the same audio")
    print(f"{'path':<44}{'seconds':>9}{'ratio':>8}")
    print(f"{'ffmpeg ebur128 + libmp3lame':<44}{reference:>9.3f}{1.0:>8.2f}")
    print(f"{'produce() (target ≤ 2.0)':<44}{r['produce_s']:>9.3f}{r['ratio']:>8.2f}")
    print(
        f"output {r['loudness_lufs']:.2f} LUFS (target {r['target_lufs']:.1f}), "
        f"true peak {r['true_peak_dbtp']:.2f} dBTP (ceiling {r['ceiling_dbtp']:.1f})"
    )


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def say_against_direct(text: str, repeat: int, workdir: Path) -> None:
    from bulletin.services.speech import say as speak_to_file
    from bulletin.speech.normalize import normalize
    from bulletin.speech.profiles import ESPEAK_DEFAULT_RATE
    from bulletin.speech.tts.espeak import espeak_direct
    from bulletin.text.sentences import split_sentences
    from bulletin.workspace import VoiceProfile

    voice = VoiceProfile()
    rate = round(voice.rate or ESPEAK_DEFAULT_RATE)
    spoken = " ".join(normalize(s) for s in split_sentences(text))
    pcm, sample_rate = espeak_direct(spoken, voice=voice.voice, rate=rate)  # loads the library
    audio_s = len(pcm) / 2 / sample_rate
    direct = best_of(repeat, lambda: espeak_direct(spoken, voice=voice.voice, rate=rate))
    wav = best_of(repeat, lambda: speak_to_file(None, text, workdir / "say.wav", None))
    mp3 = best_of(max(1, repeat // 3), lambda: speak_to_file(None, text, workdir / "say.mp3", None))
    words = len(text.split())
    print(f"\n`bulletin say` on {words} words ({audio_s:.1f} s of speech), median of {repeat} runs")
    print(f"{'path':<44}{'seconds':>9}{'RTF':>9}{'ratio':>8}")
    encode, decode = codec_alone(workdir / "say.mp3", max(1, repeat // 3))
    cores = os.cpu_count() or 1
    floor = direct + (encode + decode) / cores
    for name, seconds in (
        ("eSpeak NG called directly (spoken text)", direct),
        ("bulletin say -> WAV (normalize + speak)", wav),
        ("bulletin say -> MP3 (+ loudness, encode)", mp3),
        ("  LAME encode of that audio alone, 1 core", encode),
        ("  decoding that MP3 alone, 1 core", decode),
        (f"  eSpeak + (encode + decode) / {cores} cores", floor),
    ):
        print(f"{name:<44}{seconds:>9.3f}{seconds / audio_s:>9.4f}{seconds / direct:>8.2f}")
    print(
        "(the last line is what any MP3 checked on its decoded audio costs at the least, "
        "before analysis, levelling and measuring)"
    )


def codec_alone(mp3: Path, repeat: int) -> tuple[float, float]:
    """The codec's own work on `say`'s output: one LAME encode of its audio (as production
    encodes: same bitrate, rate, quality) and one decode of the MP3, each on one core."""
    import subprocess

    from bulletin.production.common import AudioFormat
    from bulletin.production.ffmpeg import decode, ffmpeg_exe
    from bulletin.production.segments import ENCODER_QUALITY

    fmt = AudioFormat()
    pcm = decode(mp3)[0][:, 0].astype("<f4").tobytes()
    head = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"]
    encode_cmd = [
        *head, "-f", "f32le", "-ar", str(fmt.sample_rate), "-ac", "1", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", f"{fmt.bitrate_kbps}k",
        "-compression_level", str(ENCODER_QUALITY), "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    decode_cmd = [*head, "-f", "mp3", "-i", str(mp3), "-f", "f32le", "pipe:1"]
    encode = best_of(repeat, lambda: subprocess.run(encode_cmd, input=pcm, capture_output=True))
    decode_s = best_of(repeat, lambda: subprocess.run(decode_cmd, capture_output=True))
    return encode, decode_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="bulletin-bench-") as temp:
        report(*pipeline(Path(temp)))
        tracemalloc.stop()
        production_figures()
        if args.text.exists():
            text = args.text.read_text(encoding="utf-8")
        else:
            print(f"({args.text} not found; using the demo notices)")
            text = "\n".join(p.read_text("utf-8") for p in (ROOT / "samples/notices").glob("*"))
        say_against_direct(text, args.repeat, Path(temp))


if __name__ == "__main__":
    main()
