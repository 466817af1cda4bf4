"""Production against ffmpeg's own work on the same audio: ``produce()`` on a few minutes
of real eSpeak NG speech, timed in the same run as ffmpeg's ebur128 measure pass plus a
libmp3lame encode of the same PCM, with the ratio and the output's loudness and true peak.

Run: .venv/bin/python bench/production.py [--seconds 270]
"""

from __future__ import annotations

import argparse
import math
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ARTICLES = ROOT.parent / "shared" / "data" / "articles"
SENTENCES_PER_ITEM = 6


def _sentences() -> list[str]:
    from bulletin.text.clean import clean_text
    from bulletin.text.sentences import split_sentences

    paths = sorted(ARTICLES.glob("*.txt")) or sorted((ROOT / "samples" / "notices").glob("*"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    return [s for text in texts for s in split_sentences(clean_text(text))]


def speech_parts(seconds_of_speech: float) -> list[tuple[str, Any]]:
    """Real eSpeak NG sentences (Vietnamese) as programme parts, about ``seconds_of_speech``
    long; the sample texts are spoken again from the start when they run out."""
    from bulletin.speech.tts.espeak import EspeakEngine

    engine = EspeakEngine()
    sentences = _sentences()
    if not sentences:
        raise SystemExit("no sample text found to speak")
    parts: list[tuple[str, Any]] = []
    spoken = 0.0
    i = 0
    while spoken < seconds_of_speech:
        chunk = engine.synthesize(sentences[i % len(sentences)])
        spoken += chunk.samples.size / chunk.sample_rate
        i += 1
        kind = "item_end" if i % SENTENCES_PER_ITEM == 0 else "item_sentence"
        parts.append(("opening" if i == 1 else kind, chunk))
    parts.append(("closing", engine.synthesize("Xin cảm ơn bà con đã lắng nghe.")))
    return parts


def _ffmpeg(args: list[str], stdin: bytes | None = None) -> str:
    from bulletin.production.ffmpeg import ffmpeg_exe

    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", *args],
        input=stdin,
        capture_output=True,
        check=True,
    )
    return done.stderr.decode(errors="replace")


def ebur128(args: list[str], stdin: bytes | None = None) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's own ebur128 meter."""
    err = _ffmpeg([*args, "-af", "ebur128=peak=true", "-f", "null", "-"], stdin)
    summary = err[err.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def timed(action: Callable[[], object]) -> float:
    """Wall time of one call of ``action``."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def production_against_ffmpeg(seconds_of_speech: float = 270, repeat: int = 3) -> dict[str, float]:
    """Time ``produce()`` and ffmpeg's measure-plus-encode of the same audio, in one run.

    The reference work is what any loudness-normalized MP3 costs at the least: one
    ebur128 pass (with true peak) over the programme's PCM and one libmp3lame encode
    of it, both by the ffmpeg binary ``produce()`` uses. Each side is timed as the
    best of ``repeat`` runs, alternating, so load from other work hits both alike.
    """
    from bulletin.production import ProductionSettings, produce
    from bulletin.production.ffmpeg import decode

    parts = speech_parts(seconds_of_speech)
    settings = ProductionSettings()
    fmt = settings.format
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bulletin.mp3"
        # The first run also warms imports and caches; its peak memory is the figure.
        result = produce(parts, out, settings)  # type: ignore[arg-type]
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The same programme as PCM at the output rate (decoding it is not timed).
        pcm = decode(out)[0][:, 0].astype("<f4").tobytes()
        raw = ["-f", "f32le", "-ar", str(fmt.sample_rate), "-ac", "1", "-i", "pipe:0"]
        reference_mp3 = str(Path(tmp) / "reference.mp3")
        lame = ["-c:a", "libmp3lame", "-b:a", f"{fmt.bitrate_kbps}k", "-y", reference_mp3]
        produce_s = measure_s = encode_s = math.inf
        for _ in range(repeat):
            produce_s = min(produce_s, timed(lambda: produce(parts, out, settings)))  # type: ignore[arg-type]
            measure_s = min(measure_s, timed(lambda: ebur128(raw, pcm)))
            encode_s = min(encode_s, timed(lambda: _ffmpeg([*raw, *lame], pcm)))
        loudness, peak = ebur128(["-i", str(out)])
    reference_s = measure_s + encode_s
    return {
        "audio_s": result.duration_s,
        "produce_s": produce_s,
        "ffmpeg_measure_s": measure_s,
        "ffmpeg_encode_s": encode_s,
        "ratio": produce_s / reference_s,
        "loudness_lufs": loudness,
        "true_peak_dbtp": peak,
        "target_lufs": settings.target_lufs,
        "ceiling_dbtp": settings.true_peak_dbtp,
        "peak_rss_mb": rss_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=270.0, help="seconds of speech")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args()
    r = production_against_ffmpeg(args.seconds, args.repeat)
    reference = r["ffmpeg_measure_s"] + r["ffmpeg_encode_s"]
    print(f"programme      {r['audio_s']:7.1f} s of audio")
    print(f"produce()      {r['produce_s']:7.2f} s")
    print(
        f"ffmpeg         {reference:7.2f} s  (ebur128 {r['ffmpeg_measure_s']:.2f} s "
        f"+ libmp3lame {r['ffmpeg_encode_s']:.2f} s)"
    )
    print(f"ratio          {r['ratio']:7.2f} ×  (acceptance ≤ 2.0)")
    print(
        f"output         {r['loudness_lufs']:.2f} LUFS (target {r['target_lufs']:.1f}), "
        f"true peak {r['true_peak_dbtp']:.2f} dBTP (ceiling {r['ceiling_dbtp']:.1f}), "
        "by ffmpeg ebur128"
    )
    print(f"peak RSS       {r['peak_rss_mb']:7.0f} MB (whole process)")


if __name__ == "__main__":
    main()
