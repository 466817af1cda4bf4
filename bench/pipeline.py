"""Per-stage wall time and peak memory of the demo pipeline, and `bulletin say` against
eSpeak NG called directly on the same text (real-time factors and their ratio).

Run: .venv/bin/python bench/pipeline.py [--text FILE] [--repeat N]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_TEXT = ROOT.parent / "shared" / "data" / "articles" / "vietnamnet_07_bao-so-4-do-bo.txt"

rows: list[tuple[str, float, float]] = []


@contextmanager
def stage(name: str) -> Iterator[None]:
    tracemalloc.reset_peak()
    start = time.perf_counter()
    yield
    rows.append((name, time.perf_counter() - start, tracemalloc.get_traced_memory()[1] / 2**20))


class BuildStages:
    """Splits one build into the stages its progress callback reports."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.started = 0.0

    def __call__(self, name: str, done: int, total: int) -> None:
        if name != self.current:
            self.close()
            self.current, self.started = name, time.perf_counter()
            tracemalloc.reset_peak()

    def close(self) -> None:
        if self.current is not None:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            rows.append((f"build: {self.current}", time.perf_counter() - self.started, peak))
            self.current = None


def pipeline(workdir: Path) -> float:
    from bulletin import workspace as workspaces
    from bulletin.services import Station
    from bulletin.services.building import build
    from bulletin.services.delivery import push
    from bulletin.services.fetching import fetch_sources
    from bulletin.services.review import approve
    from bulletin.services.users import ensure_user

    root = workdir / "ws"
    shutil.copytree(ROOT / "samples", root)
    station = Station(workspaces.load(root))
    ensure_user(station, "bench", ["approver"])
    with stage("fetch"):
        fetch_sources(station)
    stages = BuildStages()
    bulletin_id = build(station, actor="bench", progress=stages)
    stages.close()
    with stage("approve"):
        approve(station, bulletin_id, user="bench")
    with stage("push (folder)"):
        push(station, bulletin_id, None, "bench")
    with station.store() as store:
        return float(store.bulletin(bulletin_id).duration_s or 0)


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
    for name, seconds in (
        ("eSpeak NG called directly (spoken text)", direct),
        ("bulletin say -> WAV (normalize + speak)", wav),
        ("bulletin say -> MP3 (+ loudness, encode)", mp3),
    ):
        print(f"{name:<44}{seconds:>9.3f}{seconds / audio_s:>9.4f}{seconds / direct:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="bulletin-bench-") as temp:
        duration = pipeline(Path(temp))
        total = sum(r[1] for r in rows)
        print(f"Demo pipeline: {duration:.1f} s bulletin, {total:.2f} s wall in all")
        print(f"{'stage':<24}{'wall s':>9}{'peak MiB':>10}")
        for name, seconds, peak in rows:
            print(f"{name:<24}{seconds:>9.3f}{peak:>10.1f}")
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS: {rss:.0f} MiB (tracemalloc peaks above are Python+numpy heap)")
        if args.text.exists():
            text = args.text.read_text(encoding="utf-8")
        else:
            print(f"({args.text} not found; using the demo notices)")
            text = "\n".join(p.read_text("utf-8") for p in (ROOT / "samples/notices").glob("*"))
        say_against_direct(text, args.repeat, Path(temp))


if __name__ == "__main__":
    main()
