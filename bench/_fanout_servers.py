"""Child processes for bench/fanout.py, so the stand-in devices and the FTP servers do not
share the bench's (or the push's) interpreter lock.

    python bench/_fanout_servers.py devices N    a VendorDeviceServer with devices 0001..N
    python bench/_fanout_servers.py ftp N ROOT   N pyftpdlib servers over ROOT/00..N-1

Each prints one JSON line when ready ({"port": P} or {"ports": [...]}), then answers JSON
commands, one a line, on stdin with one JSON line on stdout:

    {"cmd": "wait", "count": C, "timeout": S}   the devices' downloads once C have finished
    {"cmd": "fetch", "urls": [...]}             the devices' own downloader fetches every URL
                                                on the same pool; seconds, bytes, failures
    {"cmd": "stop"}
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import wait
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers.ftp import FtpServer  # noqa: E402
from tests.servers.vendor_device import (  # noqa: E402
    DOWNLOAD_WORKERS,
    Device,
    Download,
    VendorDeviceServer,
)


class TimedDevices(VendorDeviceServer):
    """The stand-in server, noting when (time.monotonic(), the same clock in every process
    on Linux) each device's download finished."""

    def __init__(self) -> None:
        super().__init__()
        self.finished: list[float] = []

    def _fetch(self, device: Device, url: str) -> None:
        super()._fetch(device, url)
        with self._lock:
            self.finished.append(time.monotonic())


def _reply(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def _serve_commands(handle: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        answer = handle(command)
        if answer is None:
            return
        _reply(answer)


def run_devices(count: int) -> None:
    server = TimedDevices()
    server.add_device(*(f"{n:04d}" for n in range(1, count + 1)))
    server.start()
    _reply({"port": server.port, "workers": DOWNLOAD_WORKERS})

    def handle(command: dict[str, Any]) -> dict[str, Any] | None:
        if command["cmd"] == "wait":
            end = time.monotonic() + float(command["timeout"])
            while len(server.finished) < command["count"] and time.monotonic() < end:
                time.sleep(0.02)
            with server._lock:
                downloads = {
                    d.device_id: [(x.ok, x.sha256, x.bytes, x.error) for x in d.downloads]
                    for d in server.devices.values()
                }
                finished = list(server.finished)
            return {
                "downloads": downloads,
                "first": min(finished, default=None),
                "last": max(finished, default=None),
                "requests": server.requests,
            }
        if command["cmd"] == "fetch":
            return _fetch_all(server, command["urls"])
        server.stop()
        return None

    _serve_commands(handle)


def _fetch_all(server: TimedDevices, urls: list[str]) -> dict[str, Any]:
    """Every URL through the devices' own downloader and pool (DOWNLOAD_WORKERS at once)."""
    pool = server._pool
    assert pool is not None
    sinks = [Device(f"bench-{n}") for n in range(len(urls))]
    started = time.monotonic()
    futures = [pool.submit(server._fetch, sink, url) for sink, url in zip(sinks, urls, strict=True)]
    wait(futures)
    seconds = time.monotonic() - started
    records: list[Download] = [d for sink in sinks for d in sink.downloads]
    return {
        "seconds": seconds,
        "bytes": sum(r.bytes for r in records),
        "ok": sum(r.ok for r in records),
        "errors": sorted({r.error for r in records if not r.ok})[:5],
        "sha256": sorted({r.sha256 for r in records if r.ok}),
    }


def run_ftp(count: int, root: Path) -> None:
    servers = []
    for n in range(count):
        folder = root / f"{n:02d}"
        (folder / "inbox").mkdir(parents=True, exist_ok=True)
        servers.append(FtpServer(folder).start())
    _reply({"ports": [s.port for s in servers]})

    def handle(command: dict[str, Any]) -> dict[str, Any] | None:
        if command["cmd"] == "stop":
            stoppers = [threading.Thread(target=s.stop) for s in servers]
            for thread in stoppers:
                thread.start()
            for thread in stoppers:
                thread.join()
            return None
        return {"error": f"unknown command {command['cmd']}"}

    _serve_commands(handle)


def main() -> None:
    kind = sys.argv[1]
    if kind == "devices":
        run_devices(int(sys.argv[2]))
    elif kind == "ftp":
        run_ftp(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(f"unknown child kind {kind!r}")


if __name__ == "__main__":
    main()
