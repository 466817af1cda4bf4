"""SIGKILL a real `schedule run` at random points and restart it at once, then check that
every air firing since the start was delivered exactly once: one bulletin per firing, and the
stand-in vendor-json device played each exactly once.

    .venv/bin/python bench/daemon_kills.py [--kills 20] [--seed N]

A programme builds every 20 s and airs 10 s later (auto-approved, trusted sources); kills
come every 2-12 s, so builds, downloads and play commands are cut short at random points; the
misfire grace (1.5 min) covers the catch-up after each restart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.daemon import kill_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--low", type=float, default=2.0, help="shortest pause between kills")
    parser.add_argument("--high", type=float, default=12.0, help="longest pause between kills")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bulletin-kills-") as temp:
        run = kill_run(
            Path(temp),
            kills=args.kills,
            low=args.low,
            high=args.high,
            seed=args.seed,
            every=20,
            settle=40,
        )
        verdict = run.verdict
        print(f"seed {args.seed}: {run.kills} SIGKILLs over {run.storm_seconds:.0f} s")
        print(f"air firings checked: {verdict.airs}")
        print(f"delivered exactly once: {verdict.delivered_once}")
        print(f"downloaded twice: {run.downloaded_twice}")
        for problem in verdict.problems:
            print(f"  problem: {problem}")
        ok = not verdict.problems and run.downloaded_twice == 0 and run.kills >= args.kills
        print("PASS" if ok else "FAIL")
        if not ok:
            print(run.log.read_text()[-4000:])
            raise SystemExit(1)


if __name__ == "__main__":
    main()
