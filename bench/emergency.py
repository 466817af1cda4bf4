"""Emergency: the time from `bulletin emergency` (text typed in) to audio in the folder
controller's folder, on the embedded defaults and a fresh copy of samples/ per run. Reports
the build and the delivery apart, and PASS/FAIL against the target: audio in the folder at
most 15 s after the second approval.

Every step is the real CLI in its own process, as staff run it; the daemon is not running,
so the second `approve` airs the emergency itself.

Run: .venv/bin/python bench/emergency.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
TARGET_S = 15.0
STORM = (
    "Bão số 9 đang tiến vào vùng biển xã Minh Hòa với sức gió mạnh cấp 12, giật cấp 14. "
    "Đề nghị bà con khẩn trương chằng chống nhà cửa, đưa tàu thuyền vào nơi tránh trú an "
    "toàn, tuyệt đối không ra khơi. Các hộ ở vùng trũng thấp di chuyển đến nhà văn hóa thôn "
    "trước 17 giờ hôm nay."
)


@dataclass
class Timing:
    emergency_s: float = 0.0
    """`bulletin emergency` wall time (process start, notice stored, build, recorded)."""
    build_s: float = 0.0
    """The build alone, inside that command."""
    first_approval_s: float = 0.0
    second_to_audio_s: float = 0.0
    """From starting the second `approve` to the MP3 being in the controller's folder."""
    delivery_s: float = 0.0
    """The delivery engine's own time for the folder controller (its receipt)."""
    audio_bytes: int = 0


def bulletin(workspace: Path, *args: str) -> tuple[float, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bulletin.cli", "-w", str(workspace), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "BULLETIN_LANG": "vi"},
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bulletin {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return seconds, json.loads(done.stdout) if "--json" in args else None


def one_run(scratch: Path) -> Timing:
    workspace = scratch / "ws"
    shutil.copytree(SAMPLES, workspace)
    for name in ("an", "binh"):
        bulletin(workspace, "users", "add", name, "--role", "approver")
    folder = workspace / "xuat" / "loa"
    timing = Timing()
    timing.emergency_s, declared = bulletin(
        workspace, "emergency", STORM, "--to", "toan-xa", "--json"
    )
    timing.build_s = float(declared["build_s"])
    number = str(declared["bulletin"])
    timing.first_approval_s, _ = bulletin(workspace, "approve", number, "--as", "an", "--json")
    if list(folder.glob("*.mp3")):
        raise SystemExit("audio reached the folder after one approval")
    started = time.perf_counter()
    _, approved = bulletin(workspace, "approve", number, "--as", "binh", "--json")
    found = list(folder.glob("*.mp3"))
    timing.second_to_audio_s = time.perf_counter() - started
    if not found or approved.get("aired") is None:
        raise SystemExit("no audio in the folder after the second approval")
    timing.audio_bytes = found[0].stat().st_size
    _, receipts = bulletin(workspace, "deliveries", number, "--json")
    timing.delivery_s = float(receipts[0].get("seconds") or 0.0)
    return timing


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh workspaces to time")
    options = parser.parse_args()
    runs: list[Timing] = []
    for _ in range(options.runs):
        with tempfile.TemporaryDirectory(prefix="bench-emergency-") as scratch:
            runs.append(one_run(Path(scratch)))
    fields = [
        ("bulletin emergency (wall)", "emergency_s"),
        ("  of which build", "build_s"),
        ("first approve (wall)", "first_approval_s"),
        ("second approve -> audio in folder", "second_to_audio_s"),
        ("  of which delivery (receipt)", "delivery_s"),
    ]
    header = ("step (seconds)", *(f"run {i + 1}" for i in range(len(runs))), "median")
    rows: list[tuple[str, ...]] = [header]
    for label, name in fields:
        values = [getattr(r, name) for r in runs]
        rows.append((label, *(f"{v:.3f}" for v in values), f"{statistics.median(values):.3f}"))
    totals = [r.emergency_s + r.first_approval_s + r.second_to_audio_s for r in runs]
    rows.append(
        (
            "text -> audio, approvals instant",
            *(f"{v:.3f}" for v in totals),
            f"{statistics.median(totals):.3f}",
        )
    )
    print(
        f"Emergency on the embedded defaults ({len(runs)} fresh copies of samples/, "
        f"{runs[0].audio_bytes} bytes of audio)\n"
    )
    table(rows)
    worst = max(r.second_to_audio_s for r in runs)
    verdict = "PASS" if worst <= TARGET_S else "FAIL"
    print(
        f"\n{verdict}: audio in the folder {worst:.2f} s after the second approval "
        f"(worst of {len(runs)}; target <= {TARGET_S:.0f} s)"
    )
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
