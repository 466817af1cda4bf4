"""Serve every file of ../shared/data/feeds and ../shared/data/pages on 127.0.0.1, fetch each
through bulletin's own source kinds, and print what came out of it.

Run: .venv/bin/python bench/serve_shared.py [--data ../shared/data] [--show N]
Only 127.0.0.1 is contacted: links to other hosts are never followed here.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import threading
import time
import unicodedata
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def workspace(folder: Path, sources: dict[str, dict[str, object]]) -> Path:
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bulletin.yaml").write_text(
        "station: {name: Bench, commune: Bench}\ntimezone: Asia/Ho_Chi_Minh\n", encoding="utf-8"
    )
    (folder / "sources.yaml").write_text(
        yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8"
    )
    return folder


def is_aware(stamp: str | None) -> bool:
    return stamp is not None and datetime.fromisoformat(stamp).tzinfo is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", type=int, default=2, help="items to print per file")
    args = parser.parse_args()
    from bulletin import workspace as workspaces
    from bulletin.services import Station
    from bulletin.services.fetching import check_source

    server, base = serve(args.data)
    sources: dict[str, dict[str, object]] = {}
    for path in sorted((args.data / "feeds").glob("*")):
        # Feed items link to the publisher's site; following them would leave this machine.
        sources[path.stem] = {
            "kind": "rss",
            "url": f"{base}/feeds/{path.name}",
            "follow_links": "never",
        }
    for path in sorted((args.data / "pages").glob("*")):
        sources[path.stem] = {
            "kind": "page",
            "url": f"{base}/pages/{path.name}",
            "max_articles": 40,
            "timeout_s": 5,
        }
    failures = 0
    with tempfile.TemporaryDirectory() as temp:
        ws = workspaces.load(workspace(Path(temp) / "ws", sources))
        for name in sources:
            started = time.perf_counter()
            try:
                found = check_source(Station(ws), name)
                items, warnings = found.items, found.warnings
            except Exception as exc:  # a benchmark reports every failure and goes on
                failures += 1
                print(f"\n== {name}: FAILED {type(exc).__name__}: {exc}")
                continue
            took = time.perf_counter() - started
            titled = sum(bool(i.title) for i in items)
            linked = sum(bool(i.link) for i in items)
            dated = sum(is_aware(i.published) for i in items)
            clean = sum(
                bool(i.body)
                and unicodedata.is_normalized("NFC", i.body)
                and "<" not in i.body
                and "&amp;" not in i.body
                and "\u00a0" not in i.body
                for i in items
            )
            print(
                f"\n== {name} ({sources[name]['kind']}): {len(items)} items in {took:.2f} s; "
                f"title {titled}, link {linked}, tz-aware date {dated}, clean NFC body {clean}"
            )
            for line in warnings[:5]:
                print(f"   warning: {line}")
            for item in items[: args.show]:
                print(f"   - {item.title[:90]}")
                print(f"     {item.published}  {item.link}")
                print(f"     {item.body[:160]!r}")
            if not items:
                failures += 1
    server.shutdown()
    print(f"\n{len(sources)} files, {failures} without items")


if __name__ == "__main__":
    main()
