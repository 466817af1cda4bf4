"""Speech figures: real-time factor of each available TTS engine through bulletin against the
engine called directly on the same text (and their ratio), the sentence cache on a rebuild,
and normalizer throughput.

Run: .venv/bin/python bench/speech.py [--piper-model FILE.onnx] [--runs N]
Without --piper-model a tiny random piper voice is built with piper's own model code (the
ratio is then about our wrapper's overhead, not about voice quality).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ARTICLES = ROOT.parent / "shared" / "data" / "articles"


def sample_sentences() -> list[str]:
    from bulletin.text.clean import clean_text
    from bulletin.text.sentences import split_sentences

    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))]
    if not texts:
        texts = [p.read_text(encoding="utf-8") for p in (ROOT / "samples/notices").glob("*")]
    return [s for text in texts for s in split_sentences(clean_text(text))]


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def espeak(spoken: list[str], runs: int) -> None:
    from bulletin.speech.tts.espeak import EspeakEngine, espeak_direct

    engine = EspeakEngine()
    text = " ".join(spoken)
    pcm, rate = espeak_direct(text, rate=engine.rate)  # loads the library once for both
    audio_s = len(pcm) / 2 / rate
    direct = median_seconds(lambda: espeak_direct(text, rate=engine.rate), runs)
    ours = median_seconds(lambda: list(engine.stream(spoken)), runs)
    print(
        f"espeak  {audio_s:8.1f} s audio  direct RTF {direct / audio_s:.4f}  "
        f"bulletin RTF {ours / audio_s:.4f}  ratio {ours / direct:.2f}"
    )


def piper(model: Path | None, runs: int) -> None:
    try:
        from tests.tiny_piper import bench_piper, build_tiny_voice
    except ImportError as exc:
        print(f"piper   skipped: {exc}")
        return
    with tempfile.TemporaryDirectory() as temp:
        if model is None:
            model = build_tiny_voice(Path(temp))
            label = "tiny random voice"
        else:
            label = model.name
        figures = bench_piper(model, runs=runs)
    print(
        f"piper   {figures['audio_s']:8.1f} s audio  direct RTF {figures['piper_rtf']:.4f}  "
        f"bulletin RTF {figures['engine_rtf']:.4f}  ratio {figures['ratio']:.2f} "
        f"(sentence stream {figures['stream_ratio']:.2f}; {label})"
    )


COQUI_DIRECT = """
import statistics, sys, time
from TTS.api import TTS
model, config, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sentences = [line for line in sys.stdin.read().splitlines() if line]
tts = TTS(model_path=model, config_path=config, progress_bar=False)
tts.tts(sentences[0], split_sentences=False)
times = []
for _ in range(runs):
    started = time.perf_counter()
    for sentence in sentences:
        tts.tts(sentence, split_sentences=False)
    times.append(time.perf_counter() - started)
print(statistics.median(times))
"""


def coqui(spoken: list[str], runs: int) -> None:
    """Coqui in its own environment: coqui's TTS.tts() there against our worker-backed engine."""
    import subprocess

    python = ROOT / ".venv-coqui" / "bin" / "python"
    if not python.exists():
        print("coqui   skipped: no .venv-coqui (make coqui-env)")
        return
    from bulletin.speech.tts.coqui import CoquiEngine

    sentences = spoken[:12]
    with tempfile.TemporaryDirectory() as temp:
        subprocess.run(
            [str(python), str(ROOT / "tests" / "tiny_coqui.py"), temp],
            check=True,
            capture_output=True,
        )
        model, config = Path(temp) / "model.pth", Path(temp) / "config.json"
        done = subprocess.run(
            [str(python), "-c", COQUI_DIRECT, str(model), str(config), str(runs)],
            input="\n".join(sentences),
            capture_output=True,
            text=True,
            check=True,
        )
        direct = float(done.stdout.split()[-1])
        with CoquiEngine(str(model), config=str(config), python=str(python)) as engine:
            started = time.perf_counter()
            engine.synthesize(sentences[0])
            startup = time.perf_counter() - started
            audio = sum(c.duration_s for c in engine.stream(sentences))
            ours = median_seconds(lambda: list(engine.stream(sentences)), runs)
    # Same sentences, same model: compare compute time (coqui's own output also carries a
    # trailing pause that our engine trims, which would flatter its real-time factor).
    print(
        f"coqui   {audio:8.1f} s audio  direct RTF {direct / audio:.4f}  "
        f"bulletin RTF {ours / audio:.4f}  ratio {ours / direct:.2f} "
        f"(tiny random VITS; worker start-up {startup:.1f} s)"
    )


def cache_on_rebuild() -> None:
    from bulletin import workspace as workspaces
    from bulletin.services import Station
    from bulletin.services.building import build
    from bulletin.services.editing import edit_script
    from bulletin.services.fetching import fetch_sources

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "ws"
        shutil.copytree(ROOT / "samples", root)
        station = Station(workspaces.load(root))
        ws = station.workspace
        fetch_sources(station)
        first = build(station)
        with station.store() as store:
            ids = [item.announcement_id for item in store.bulletin_items(first)]
            sentences = len(store.sentences(first))
        cached = sum(1 for _ in (ws.cache_dir / "sentences").rglob("*.wav"))
        started = time.perf_counter()
        second = build(station, item_ids=ids)
        rebuild_s = time.perf_counter() - started
        cached_after = sum(1 for _ in (ws.cache_dir / "sentences").rglob("*.wav"))
        with station.store() as store:
            row = next(r for r in store.sentences(second) if r.part == "item")
        edited = edit_script(
            station, second, {row.index: "Câu này đã được sửa lại."}, actor="bench"
        )
    new = cached_after - cached
    print(
        f"cache   rebuild of {sentences} sentences: {sentences - new} hits, {new} spoken "
        f"(hit rate {(sentences - new) / sentences:.0%}, {rebuild_s:.1f} s); "
        f"after editing one sentence: {edited.synthesized} spoken"
    )


def normalizer(sentences: list[str]) -> None:
    from bulletin.speech.normalize import normalize

    started = time.perf_counter()
    for sentence in sentences:
        normalize(sentence)
    took = time.perf_counter() - started
    print(
        f"normalize  {len(sentences)} sentences in {took:.3f} s: "
        f"{len(sentences) / took:,.0f} sentences/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--piper-model", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from bulletin.speech.normalize import normalize

    sentences = sample_sentences()
    spoken = [normalize(s) for s in sentences]
    espeak(spoken, args.runs)
    piper(args.piper_model, args.runs)
    coqui(spoken, args.runs)
    cache_on_rebuild()
    normalizer(sentences)


if __name__ == "__main__":
    main()
