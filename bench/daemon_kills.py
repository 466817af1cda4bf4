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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.daemon import DaemonProcess, kill_storm, verify, workspace  # noqa: E402
from tests.servers.media import free_port  # noqa: E402
from tests.servers.vendor_device import VendorDeviceServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--low", type=float, default=2.0, help="shortest pause between kills")
    parser.add_argument("--high", type=float, default=12.0, help="longest pause between kills")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bulletin-kills-") as temp:
        device = VendorDeviceServer().start()
        device.add_device("LOA-1")
        port = free_port()
        root = workspace(
            Path(temp) / "ws",
            programmes={
                "thu": {
                    "title": "Bản tin thử",
                    "build_cron": "*/20 * * * * *",
                    "air_cron": "10,30,50 * * * * *",
                    "max_minutes": 0.3,
                    "approval": "auto",
                    "trusted_sources": ["nhap-tay", "thong-bao-xa", "tin-huyen"],
                    "controllers": ["loa"],
                    "misfire_grace_minutes": 1.5,
                }
            },
            controllers={"loa": {"transport": "vendor-json", "address": device.address("LOA-1")}},
            port=port,
            notices=12,
        )
        log = Path(temp) / "daemon.log"
        daemon = DaemonProcess(root, port, log).start()
        started = datetime.now(UTC)
        clock = time.monotonic()
        try:
            kill_storm(daemon, args.kills, args.low, args.high, args.seed)
            storm = time.monotonic() - clock
            time.sleep(40)
        finally:
            stopped = datetime.now(UTC)
            daemon.stop()
            device.settle()
            device.stop()
        plays: dict[str, int] = {}
        for name in device.device("LOA-1").plays:
            plays[name] = plays.get(name, 0) + 1
        verdict = verify(root, "thu", plays, started + timedelta(seconds=2), stopped)
        downloads = device.device("LOA-1").download_commands
        twice = len(downloads) - len({tuple(d) for d in downloads})
        print(f"seed {args.seed}: {len(daemon.kills)} SIGKILLs over {storm:.0f} s")
        print(f"air firings checked: {verdict.airs}")
        print(f"delivered exactly once: {verdict.delivered_once}")
        print(f"downloaded twice: {twice}")
        for problem in verdict.problems:
            print(f"  problem: {problem}")
        ok = not verdict.problems and twice == 0 and len(daemon.kills) >= args.kills
        print("PASS" if ok else "FAIL")
        if not ok:
            print(log.read_text()[-4000:])
            raise SystemExit(1)


if __name__ == "__main__":
    main()
