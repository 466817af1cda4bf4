"""Fan-out of one approved bulletin: a 5-minute MP3 pushed to 1,000 stand-in vendor-json
devices that download it from a real `bulletin serve`, and uploaded to 50 FTP servers; then
the media endpoint's throughput against Debian's nginx serving the same file to the same
downloader in the same run.

Everything runs for real on 127.0.0.1: a temporary copy of samples/, the MP3 made by ffmpeg
in the produced format and approved through the services, `bulletin serve` and `bulletin
push` as child processes (the real CLI), the devices (one stand-in server hosting them all)
and the FTP servers each in a child process of their own, so no two share an interpreter
lock.

Run: .venv/bin/python bench/fanout.py [--devices N] [--ftp N] [--minutes M]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "samples"

from tests.servers import free_port  # noqa: E402

CHILDREN = Path(__file__).resolve().parent / "_fanout_servers.py"
NGINX = "/usr/sbin/nginx"
CLI = (sys.executable, "-m", "bulletin.cli")
DEVICES_TARGET_S = 30.0
NGINX_TARGET = 0.5
FTP_USER, FTP_PASSWORD = "loa", "mat-khau-ftp"


@dataclass
class Stage:
    name: str
    seconds: float
    megabytes: float
    peak_rss_mb: float | None = None
    ratio: float | None = None
    note: str = ""

    @property
    def mb_s(self) -> float:
        return self.megabytes / self.seconds if self.seconds else 0.0


def wait_port(port: int, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listening on 127.0.0.1:{port} after {timeout:g} s")


def peak_rss_mb(pid: int) -> float:
    """The process's high-water resident set (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PeakWatcher:
    """Polls a child's VmHWM and CPU time until it exits (a zombie's /proc entry loses
    them, so the last reading before then is kept)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, peak_rss_mb(self.pid))
            self.cpu = max(self.cpu, cpu_seconds(self.pid))
            self._stop.wait(0.05)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


class Child:
    """A helper child process talking JSON lines (bench/_fanout_servers.py)."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILDREN), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        out: IO[str] | None = self.proc.stdout
        assert out is not None
        line = out.readline()
        if not line:
            raise SystemExit(f"helper {self.proc.args!r} ended early")
        result: dict[str, Any] = json.loads(line)
        return result

    def ask(self, **command: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"cmd": "stop"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def make_mp3(path: Path, minutes: float) -> bytes:
    """Speech-band noise in the produced format: 128 kbps CBR, 44.1 kHz, mono."""
    import imageio_ffmpeg

    subprocess.run(
        [
            *(imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"anoisesrc=color=pink:duration={minutes * 60:g}:r=44100"),
            *("-ac", "1", "-ar", "44100", "-codec:a", "libmp3lame", "-b:a", "128k", str(path)),
        ],
        check=True,
    )
    return path.read_bytes()


def workspace(
    work: Path, devices_port: int, device_count: int, ftp_ports: list[int], concurrency: int
) -> Path:
    import yaml

    ws = work / "ws"
    shutil.copytree(SAMPLES, ws)
    config_path = ws / "bulletin.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["delivery"] = {**(config.get("delivery") or {}), "concurrency": concurrency}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    controllers: dict[str, dict[str, Any]] = {}
    for n in range(1, device_count + 1):
        controllers[f"vj-{n:04d}"] = {
            "transport": "vendor-json",
            "address": f"vendorjson://127.0.0.1:{devices_port}/{n:04d}",
            "group": "bench-vj",
            "timeout_s": 120,
        }
    for n, port in enumerate(ftp_ports):
        controllers[f"ftp-{n:02d}"] = {
            "transport": "ftp",
            "address": f"ftp://127.0.0.1:{port}/inbox",
            "group": "bench-ftp",
            "credentials_env": "BENCH_FTP_CREDENTIALS",
            "timeout_s": 120,
        }
    (ws / "controllers.yaml").write_text(
        yaml.safe_dump({"controllers": controllers}), encoding="utf-8"
    )
    return ws


def approved_bulletin(ws: Path, audio: bytes) -> tuple[int, str]:
    """The MP3 as a built bulletin (the store calls a build makes), approved by an approver."""
    from bulletin import workspace as workspaces
    from bulletin.services.review import approve
    from bulletin.services.station import Station
    from bulletin.services.users import add_user
    from tests.conftest import built

    station = Station(workspaces.load(ws))
    add_user(station, "bench", ["approver"])
    number = built(station, audio)
    approve(station, number, user="bench")
    with station.store() as store:
        bulletin = store.bulletin(number)
    return number, bulletin.approved_sha256 or ""


def media_urls(ws: Path, number: int, base: str) -> list[str]:
    """The media URLs the push gave the devices (one token per delivery)."""
    import sqlite3

    from bulletin import workspace as workspaces

    with sqlite3.connect(workspaces.load(ws).db_path) as db:
        rows = db.execute(
            "SELECT token, filename FROM media_tokens WHERE bulletin_id = ?", (number,)
        ).fetchall()
    return [f"{base}/media/{token}/{filename}" for token, filename in rows]


def push(ws: Path, number: int, group: str, env: dict[str, str]) -> tuple[float, float, float, Any]:
    """`bulletin push` as a user runs it: (seconds, peak RSS MB, CPU seconds, its JSON)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [*CLI, "-w", str(ws), "push", str(number), "--to", group, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    watcher = PeakWatcher(proc.pid)
    out, err = proc.communicate(timeout=600)
    seconds = time.monotonic() - started
    peak = watcher.stop()
    if proc.returncode not in (0, 1) or not out.strip().startswith("{"):
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"push to {group} ended with code {proc.returncode}")
    return seconds, peak, watcher.cpu, json.loads(out)


def start_nginx(work: Path, audio: Path, sha256: str) -> tuple[subprocess.Popen[bytes], str]:
    """Debian's nginx in the foreground, serving the same MP3 with the same digest header."""
    here = work / "nginx"
    www = here / "www"
    www.mkdir(parents=True)
    shutil.copyfile(audio, www / audio.name)
    port = free_port()
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = (
        " ".join(
            f"{kind}_temp_path {here / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi")
        )
        + f" scgi_temp_path {here / 'scgi'};"
    )
    (here / "nginx.conf").write_text(
        f"""{user}daemon off;
master_process on;
worker_processes 2;
pid {here / "nginx.pid"};
error_log {here / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 5;
    {temp}
    types {{ audio/mpeg mp3; }}
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location / {{ add_header Repr-Digest "sha-256=:{digest}:"; }}
    }}
}}
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [NGINX, "-p", str(here), "-e", str(here / "error.log"), "-c", str(here / "nginx.conf")]
    )
    wait_port(port)
    return proc, f"http://127.0.0.1:{port}/{audio.name}"


def stop(proc: subprocess.Popen[Any], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_note(push_cpu: float, serve: int, devices: int, before: tuple[float, float]) -> str:
    return (
        f"CPU s push {push_cpu:.1f}, serve {cpu_seconds(serve) - before[0]:.1f}, "
        f"devices {cpu_seconds(devices) - before[1]:.1f}"
    )


def check_devices(report: dict[str, Any], sha256: str, count: int) -> list[str]:
    problems = []
    for device, downloads in report["downloads"].items():
        good = [d for d in downloads if d[0] and d[1] == sha256]
        if not good:
            problems.append(f"{device}: {downloads[:1] or 'no download'}")
    if len(report["downloads"]) != count:
        problems.append(f"{len(report['downloads'])} devices known, expected {count}")
    return problems


def check_ftp(root: Path, count: int, filename: str, sha256: str) -> list[str]:
    problems = []
    for n in range(count):
        path = root / f"{n:02d}" / "inbox" / filename
        if not path.exists():
            problems.append(f"ftp-{n:02d}: no {filename}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            problems.append(f"ftp-{n:02d}: wrong bytes")
    return problems


def delivered_filename(result: Any) -> set[str]:
    return {d["state"] for d in result["deliveries"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000, help="vendor-json devices")
    parser.add_argument("--ftp", type=int, default=50, help="FTP servers")
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the MP3")
    parser.add_argument(
        "--concurrency", type=int, default=64, help="delivery.concurrency of the push"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bulletin-fanout-"))
    cleanup: list[Any] = []
    try:
        run(args, work, cleanup)
    finally:
        for undo in reversed(cleanup):
            undo()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, cleanup: list[Any]) -> None:
    print(f"{os.cpu_count()} CPUs; {args.devices} vendor-json devices, {args.ftp} FTP servers")
    started = time.monotonic()
    mp3 = work / "bench.mp3"
    audio = make_mp3(mp3, args.minutes)
    megabytes = len(audio) / 1e6
    print(f"MP3: {args.minutes:g} min, {len(audio):,} bytes ({time.monotonic() - started:.1f} s)")

    devices = Child("devices", str(args.devices))
    cleanup.append(devices.stop)
    ftp_root = work / "ftp"
    ftp = Child("ftp", str(args.ftp), str(ftp_root))
    cleanup.append(ftp.stop)
    serve_port = free_port()
    ws = workspace(work, devices.ready["port"], args.devices, ftp.ready["ports"], args.concurrency)
    number, sha256 = approved_bulletin(ws, audio)

    env = {
        **os.environ,
        "BULLETIN_PUBLIC_URL": f"http://127.0.0.1:{serve_port}",
        "BULLETIN_LANG": "en",
        "BENCH_FTP_CREDENTIALS": f"{FTP_USER}:{FTP_PASSWORD}",
    }
    serve = subprocess.Popen(
        [*CLI, "-w", str(ws), "serve", "--host", "127.0.0.1", "--port", str(serve_port)],
        env=env,
        cwd=ROOT,
    )
    cleanup.append(lambda: stop(serve, signal.SIGINT))
    serve_peak = PeakWatcher(serve.pid)
    wait_port(serve_port)

    stages: list[Stage] = []
    problems: list[str] = []

    # 1. vendor-json: the push tells each device to fetch its URL, waits for the endpoint to
    # see the whole file go out, then tells it to play.
    dev_pid = devices.proc.pid
    cpu0 = (cpu_seconds(serve.pid), cpu_seconds(dev_pid))
    t0 = time.monotonic()
    seconds, push_peak, push_cpu, result = push(ws, number, "bench-vj", env)
    report = devices.ask(cmd="wait", count=args.devices, timeout=60)
    last = (report["last"] or t0) - t0
    failed = [d for d in result["deliveries"] if d["state"] != "delivered"]
    vj_problems = [f"{d['controller']}: {d['error']}" for d in failed[:5]]
    vj_problems += check_devices(report, sha256, args.devices)[:5]
    problems += vj_problems
    stages.append(
        Stage(
            f"vendor-json x{args.devices}",
            seconds,
            megabytes * args.devices,
            push_peak,
            note=f"last device verified at {last:.1f} s; {len(failed)} not delivered; "
            + cpu_note(push_cpu, serve.pid, dev_pid, cpu0),
        )
    )

    # 2. FTP: the push uploads the bytes itself.
    seconds, push_peak, push_cpu, result = push(ws, number, "bench-ftp", env)
    failed = [d for d in result["deliveries"] if d["state"] != "delivered"]
    problems += [f"{d['controller']}: {d['error']}" for d in failed[:5]]
    filename = f"ban-tin-sang-{number}.mp3"
    problems += check_ftp(ftp_root, args.ftp, filename, sha256)[:5]
    stages.append(
        Stage(
            f"ftp x{args.ftp}",
            seconds,
            megabytes * args.ftp,
            push_peak,
            note=f"{len(failed)} not delivered; push CPU {push_cpu:.1f} s",
        )
    )

    # 3. The same downloader, same pool, same count: nginx, then the media endpoint (the
    # tokens the push made), then nginx again, taking each side's better run.
    urls = media_urls(ws, number, env["BULLETIN_PUBLIC_URL"])[: args.devices]
    nginx, nginx_url = start_nginx(work, mp3, sha256)
    cleanup.append(lambda: stop(nginx, signal.SIGQUIT))
    runs: dict[str, list[dict[str, Any]]] = {"nginx": [], "serve": []}
    for side in ("nginx", "serve", "nginx", "serve"):
        wanted = [nginx_url] * len(urls) if side == "nginx" else urls
        cpu0 = (cpu_seconds(serve.pid), cpu_seconds(dev_pid))
        fetched = devices.ask(cmd="fetch", urls=wanted)
        fetched["cpu"] = (cpu_seconds(serve.pid) - cpu0[0], cpu_seconds(dev_pid) - cpu0[1])
        if fetched["ok"] != len(wanted) or fetched["sha256"] != [sha256]:
            problems.append(f"{side}: {fetched['ok']}/{len(wanted)} verified {fetched['errors']}")
        runs[side].append(fetched)
    best = {side: min(r, key=lambda f: f["seconds"]) for side, r in runs.items()}
    nginx_stage = Stage(
        f"nginx x{len(urls)}", best["nginx"]["seconds"], best["nginx"]["bytes"] / 1e6
    )
    serve_stage = Stage(
        f"bulletin serve x{len(urls)}",
        best["serve"]["seconds"],
        best["serve"]["bytes"] / 1e6,
        peak_rss_mb(serve.pid),
        note="runs: "
        + ", ".join(f"{r['bytes'] / 1e6 / r['seconds']:.0f}" for r in runs["serve"])
        + " MB/s; CPU s serve {:.1f}, devices {:.1f}".format(*best["serve"]["cpu"]),
    )
    nginx_stage.note = (
        "runs: " + ", ".join(f"{r['bytes'] / 1e6 / r['seconds']:.0f}" for r in runs["nginx"])
    ) + " MB/s; CPU s devices {:.1f}".format(best["nginx"]["cpu"][1])
    serve_stage.ratio = serve_stage.mb_s / nginx_stage.mb_s if nginx_stage.mb_s else None
    nginx_stage.ratio = 1.0
    stages += [nginx_stage, serve_stage]
    serve_max = serve_peak.stop()

    print()
    print(f"{'stage':<24}{'seconds':>9}{'MB/s':>9}{'peak RSS MB':>13}{'vs nginx':>10}  note")
    for stage in stages:
        rss = f"{stage.peak_rss_mb:.0f}" if stage.peak_rss_mb else "-"
        ratio = f"{stage.ratio:.2f}x" if stage.ratio is not None else "-"
        print(
            f"{stage.name:<24}{stage.seconds:>9.2f}{stage.mb_s:>9.0f}{rss:>13}{ratio:>10}"
            f"  {stage.note}"
        )
    print(f"bulletin serve peak RSS over the whole run: {serve_max:.0f} MB")
    print()
    vj = stages[0]
    devices_ok = vj.seconds <= DEVICES_TARGET_S and not vj_problems
    versus = serve_stage.ratio or 0.0
    print(
        f"{'PASS' if devices_ok else 'FAIL'}  {args.devices} vendor-json devices in "
        f"{vj.seconds:.1f} s (target <= {DEVICES_TARGET_S:g} s)"
    )
    print(
        f"{'PASS' if versus >= NGINX_TARGET else 'FAIL'}  media endpoint at {versus:.2f}x "
        f"nginx's throughput (target >= {NGINX_TARGET:g}x)"
    )
    if problems:
        print("problems:")
        for problem in problems:
            print(f"  {problem}")


if __name__ == "__main__":
    main()
