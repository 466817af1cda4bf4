"""Intelligibility of every voice profile that can speak here, measured by the machine ear:
each speaks the fixed commune sentences, viet-asr transcribes them, and the table gives the
syllable error rate against the normalizer's spoken form (lower is better; natural human
speech scores about 9%).

Run: .venv/bin/python bench/intelligibility.py [--piper-model FILE.onnx ...] [--tiny-piper]
     [--voices DIR] [--json]
Profiles come from a fresh workspace made in a temporary folder (the embedded eSpeak voices),
the project's voices/ folder (piper, coqui and other examples; skipped with the reason when
their model or service is missing), and a piper profile for each model found: --piper-model,
$BULLETIN_PIPER_MODEL, or *.onnx next to the profiles. --tiny-piper adds the random-weight
test voice, which shows the piper path runs and nothing about quality. Needs bulletin[ear].
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def profiles_to_try(ws: Path, extra_dirs: list[Path], piper_models: list[Path]) -> list[str]:
    """Copy candidate profiles into the workspace's voices/ and return their names."""
    voices = ws / "voices"
    for folder in extra_dirs:
        for path in sorted(folder.glob("*.yaml")):
            if not (voices / path.name).exists():
                shutil.copy(path, voices / path.name)
        for model in sorted(folder.glob("*.onnx")):
            if model not in piper_models:
                piper_models.append(model)
    for model in piper_models:
        name = f"piper-{model.stem}"
        (voices / f"{name}.yaml").write_text(
            f"engine: piper\nmodel: {model.resolve()}\nregion: north\n", encoding="utf-8"
        )
    return sorted(p.stem for p in voices.glob("*.yaml"))


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bulletin.services.intelligibility import score_voice
    from bulletin.services.station import Station
    from bulletin.speech.ear import Ear
    from bulletin.speech.profiles import profile_problem
    from bulletin.starter import init_workspace

    started = time.perf_counter()
    ear = Ear.load()
    ear_load_s = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bulletin-intelligibility-") as temp:
        ws = init_workspace(Path(temp) / "ws")
        models = [Path(m) for m in args.piper_model]
        if os.environ.get("BULLETIN_PIPER_MODEL"):
            models.append(Path(os.environ["BULLETIN_PIPER_MODEL"]))
        if args.tiny_piper:
            from tests.tiny_piper import build_tiny_voice

            models.append(build_tiny_voice(Path(temp) / "tiny"))
        names = profiles_to_try(ws, [Path(d) for d in args.voices], models)
        station = Station.open(ws)
        for name in names:
            _, profile = station.workspace.voice(name)
            problem = profile_problem(profile, station.workspace)
            if problem:
                skipped.append({"profile": name, "engine": profile.engine, "reason": problem})
                continue
            try:
                result = score_voice(station, name, ear=ear)
            except Exception as exc:  # a bench reports every profile, whatever breaks one
                reason = f"{type(exc).__name__}: {exc}"[:200]
                skipped.append({"profile": name, "engine": profile.engine, "reason": reason})
                continue
            rows.append(
                {
                    "profile": name,
                    "engine": result.engine,
                    "sentences": len(result.sentences),
                    "syllables": sum(s.syllables for s in result.sentences),
                    "ser": round(result.ser, 4),
                    "worst": round(max(s.ser for s in result.sentences), 4),
                    "best": round(min(s.ser for s in result.sentences), 4),
                    "seconds": round(result.seconds, 1),
                }
            )
    return {"ear_load_s": round(ear_load_s, 2), "voices": rows, "skipped": skipped}


def print_table(report: dict[str, Any]) -> None:
    header = ("profile", "engine", "sentences", "SER overall", "best..worst", "time (s)")
    lines = [header]
    for row in report["voices"]:
        lines.append(
            (
                row["profile"],
                row["engine"],
                str(row["sentences"]),
                f"{row['ser']:.1%}",
                f"{row['best']:.0%}..{row['worst']:.0%}",
                f"{row['seconds']:.1f}",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for skip in report["skipped"]:
        print(f"skipped {skip['profile']} ({skip['engine']}): {skip['reason']}")
    print(f"(ear loaded in {report['ear_load_s']} s; time = synthesis + transcription)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--piper-model", action="append", default=[], help="a piper .onnx")
    parser.add_argument(
        "--voices",
        action="append",
        default=[str(ROOT / "voices")],
        help="a folder of voice profiles (and piper models) to try too",
    )
    parser.add_argument("--tiny-piper", action="store_true", help="add the random test voice")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    try:
        report = run(args)
    except ImportError as exc:
        sys.exit(f"{exc}")
    except Exception as exc:
        from bulletin.errors import BulletinError

        if isinstance(exc, BulletinError):
            sys.exit(str(exc))
        raise
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
