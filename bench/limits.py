"""Work under hostile input (issue 14): peak memory and wall time of a 50,000-item backlog
build's selection, `say` on 1 MB and on the most text it accepts, `normalize` on 100,000
hyphens and a gzip-in-gzip response, each case in a child process so its peak is its own.

Run: .venv/bin/python bench/limits.py [--backlog 50000] [--case NAME ...]
Acceptance: every case under 600 MB peak (VmHWM) and 60 s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PEAK_MB_LIMIT = 600.0
SECONDS_LIMIT = 60.0
CHILD_TIMEOUT_S = 600.0
BOMB = "gzip-in-gzip.bin"
VIETNEWS = ROOT.parent / "shared" / "data" / "vietnews" / "dev300.jsonl"
# Without the news set, a notice of ordinary length varied by topic and number.
NOTICE = (
    "Ủy ban nhân dân xã thông báo tới toàn thể nhân dân về {topic} đợt {n} trong tháng tới. "
    "Các thôn tổ chức họp dân để phổ biến nội dung và lấy ý kiến của bà con về {topic}. "
    "Thời gian thực hiện từ ngày {day}/12/2026, bắt đầu lúc 7h30 tại nhà văn hóa thôn. "
    "Mọi ý kiến đóng góp gửi về bộ phận một cửa của xã trước ngày cuối tháng. "
) * 3
TOPICS = ("cắt điện", "tiêm phòng", "thu thuế", "họp dân", "phòng cháy", "vệ sinh môi trường")


def peak_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the cases; each runs in a fresh child and returns what happened, in a few words ---


def backlog_selection(workdir: Path) -> str:
    """(a) The selection step of `build` over the backlog the parent stored, as build runs it:
    the workspace's own summarizer, budget and air-time cost (services/building.py)."""
    from bulletin.script import AirTime, write_script
    from bulletin.selection import select
    from bulletin.services.building import summarizer
    from bulletin.services.station import Station
    from bulletin.speech.profiles import syllables_per_minute
    from bulletin.summarize.base import Budget

    station = Station.open(workdir / "ws")
    workspace = station.workspace
    _, programme = workspace.programme(None)
    _, voice = workspace.voice(programme.voice)
    summary = workspace.config.summary
    budget = Budget(
        sentences=summary.sentences or workspace.config.defaults.summary_sentences,
        seconds=summary.seconds,
        words_per_minute=syllables_per_minute(voice),
    )
    engine = summarizer(station, programme.summarizer or summary.engine, summary)
    air_time = AirTime(workspace, voice)
    today = datetime.now(ZoneInfo(workspace.config.timezone))
    frame = air_time.frame(write_script(workspace, programme, voice, [], today))
    with station.store() as store:
        chosen = select(store, programme, engine, budget, cost_of=air_time, frame_seconds=frame)
    return f"{len(chosen)} items chosen ({engine.name})"


def _say(text: str, workdir: Path) -> str:
    from bulletin.errors import InputError
    from bulletin.services.speech import say

    try:
        spoken = say(None, text, workdir / "say.mp3", None)
    except InputError as refused:
        return f"refused: {refused.message('en')}"
    return f"spoke {spoken.duration_s / 60:.1f} min"


def say_megabyte(workdir: Path) -> str:
    """(b) `say` on 1 MB of text."""
    return _say(("Bà con chú ý theo dõi thông báo của xã. " * 30_000)[:1_000_000], workdir)


def say_at_the_limit(workdir: Path) -> str:
    """(b') `say` on the longest text it accepts: what memory the cap really allows."""
    from bulletin.services.speech import MAX_SAY_CHARS

    sentence = "Bà con chú ý theo dõi thông báo của xã về lịch cắt điện tuần tới. "
    return _say((sentence * (MAX_SAY_CHARS // len(sentence))).strip(), workdir)


def normalize_hyphens(workdir: Path) -> str:
    """(c) `normalize` on 100,000 hyphens."""
    from bulletin.speech.normalize import normalize

    return f"{len(normalize('-' * 100_000))} characters out"


def gzip_in_gzip(workdir: Path) -> str:
    """(d) A response coded `gzip, gzip` whose inner body inflates to 1 GiB of zeros (made by
    the parent), served on 127.0.0.1 and fetched with the sources' own HttpClient."""
    from bulletin.errors import BulletinError
    from bulletin.sources.http import HttpClient

    body = (workdir / BOMB).read_bytes()

    class Bomb(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip, gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bomb)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with HttpClient(retries=0, min_interval_s=0) as client:
            response = client.get(f"http://127.0.0.1:{server.server_port}/bomb")
        return f"{len(body):,} bytes on the wire; accepted {len(response.body):,} bytes"
    except BulletinError as refused:
        return f"{len(body):,} bytes on the wire; refused: {refused.message('en')}"
    finally:
        server.shutdown()


def double_gzip(inner_size: int) -> bytes:
    """gzip(gzip(`inner_size` zero bytes)), compressed in pieces so building it stays small."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    once = b"".join(inner.compress(block) for _ in range(inner_size // len(block)))
    once += inner.flush()
    return gzip.compress(once, 9)


CASES: dict[str, tuple[str, Callable[[Path], str]]] = {
    "backlog": ("(a) build selection, backlog", backlog_selection),
    "say-1mb": ("(b) say, 1 MB of text", say_megabyte),
    "say-limit": ("(b) say, text at the limit", say_at_the_limit),
    "hyphens": ("(c) normalize, 100,000 '-'", normalize_hyphens),
    "gzip": ("(d) gzip-in-gzip response", gzip_in_gzip),
}


def run_child(case: str, workdir: Path) -> None:
    started = time.perf_counter()
    try:
        outcome = CASES[case][1](workdir)
    except Exception as error:  # the figure to report is what happened, whatever it was
        outcome = f"{type(error).__name__}: {str(error)[:120]}"
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "outcome": outcome}))


# --- the parent: prepares the backlog, runs each case in a child, prints the table ---


def notice(i: int, news: list[dict[str, Any]]) -> tuple[str, str]:
    """Title and body of the `i`-th stored announcement: news sentences of three articles
    (as many different notices as a real backlog has), or the template without the set."""
    if not news:
        topic = TOPICS[i % len(TOPICS)]
        return f"Thông báo {topic} số {i}", NOTICE.format(topic=topic, n=i, day=1 + i % 28)
    lead, *others = (news[(i * step + step) % len(news)] for step in (1, 7, 13))
    sentences = lead["article_sentences"][:6]
    for other in others:
        sentences += other["article_sentences"][:3]
    return f"{lead['title']} ({i})", " ".join(sentences)


def store_backlog(workdir: Path, count: int) -> float:
    """A copy of the sample workspace whose store holds `count` unaired announcements."""
    from bulletin.services.station import Station
    from bulletin.store import NewAnnouncement

    started = time.perf_counter()
    news = []
    if VIETNEWS.is_file():
        news = [json.loads(line) for line in VIETNEWS.read_text(encoding="utf-8").splitlines()]
    shutil.copytree(ROOT / "samples", workdir / "ws")
    station = Station.open(workdir / "ws")
    with station.store() as store:
        for first in range(0, count, 5_000):
            items = [
                NewAnnouncement(
                    str(i),
                    *notice(i, news),
                    None,
                    f"2026-{1 + i // 5000 % 12:02d}-{1 + i // 200 % 28:02d}T"
                    f"{i // 60 % 24:02d}:{i % 60:02d}:00+07:00",
                )
                for i in range(first, min(first + 5_000, count))
            ]
            store.save_fetch("huyen", "rss", "bench", items, priority="normal", tags=[])
    return time.perf_counter() - started


def measure(case: str, workdir: Path) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", case, "--workdir", str(workdir)],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": CHILD_TIMEOUT_S, "peak_mb": float("nan"), "outcome": "timed out"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": f"died: {tail}"}
    figures: dict[str, Any] = json.loads(lines[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=50_000, help="announcements stored")
    parser.add_argument("--case", action="append", choices=list(CASES), help="repeatable")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.workdir)
        return
    cases = args.case or list(CASES)
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        if "backlog" in cases:
            seconds = store_backlog(workdir, args.backlog)
            print(f"stored a backlog of {args.backlog:,} announcements in {seconds:.0f} s")
        if "gzip" in cases:
            (workdir / BOMB).write_bytes(double_gzip(1 << 30))
        print(f"{'case':38} {'seconds':>8} {'peak MB':>8}  ok   outcome")
        for case in cases:
            figures = measure(case, workdir)
            seconds, peak = float(figures["seconds"]), float(figures["peak_mb"])
            label = CASES[case][0] + (f" {args.backlog:,}" if case == "backlog" else "")
            ok = seconds <= SECONDS_LIMIT and peak <= PEAK_MB_LIMIT
            print(
                f"{label:38} {seconds:8.1f} {peak:8.0f}  {'yes' if ok else 'NO ':3}  "
                f"{figures['outcome']}"
            )


if __name__ == "__main__":
    main()
