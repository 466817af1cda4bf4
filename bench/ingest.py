"""Feed ingestion speed and memory: our repairing rss path against bare feedparser, same bytes.

Run: .venv/bin/python bench/ingest.py [--items 5000]
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

_VOCABULARY = (
    "thông báo ủy ban nhân dân xã huyện tỉnh lịch tiêm chủng cắt điện nước phòng chống "
    "thiên tai bão lũ mưa lớn sạt lở đất bà con nhân dân thôn xóm tổ chức hội nghị "
    "triển khai kế hoạch năm học mới bảo hiểm y tế an toàn giao thông dịch bệnh gia súc"
)
WORDS = _VOCABULARY.split()


def make_feed(count: int, seed: int = 7) -> bytes:
    """An RSS 2.0 document with the quirks of real portals in every few items."""
    rng = random.Random(seed)
    parts = [
        "Trang này không có thông tin định dạng.\n",
        '<rss version="2.0"><channel><title>Cổng thông tin huyện</title>',
        "<link>https://huyen.example.gov.vn/</link>",
    ]
    for n in range(count):
        title = " ".join(rng.choices(WORDS, k=12)).capitalize()
        body = ". ".join(" ".join(rng.choices(WORDS, k=18)).capitalize() for _ in range(4))
        quirk = n % 5
        if quirk == 0:
            title += " & Môi trường"  # a raw ampersand
            link = f"<link><![CDATA[ https://huyen.example.gov.vn/tin/{n}.html ]]></link>"
            date = f"{n % 12 + 1}/14/2026 6:44:00 PM"
        elif quirk == 1:
            title = f"\n   {title}\n   &amp;amp; thông tin\n"
            link = f"<link>\nhttps:/baochinhphu.example.vn/tin-{n}.htm\n</link>"
            date = "14/09/2026 18:44"
        elif quirk == 2:
            body += " Kế ho&amp;#7841;ch&nbsp;mới…"
            link = f"<link>/tin-tuc/{n}.html?utm_source=rss</link>"
            date = "Mon, 14 Sep 2026 18:44:00"
        else:
            link = f"<link>https://huyen.example.gov.vn/tin/{n}.html</link><guid>tin-{n}</guid>"
            date = "Mon, 14 Sep 2026 11:44:00 +0000"
        parts.append(
            f"<item><title>{title}</title>{link}"
            f"<description><![CDATA[<p>{body}</p><img src='/a.jpg'>]]></description>"
            f"<pubDate>{date}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def measure(label: str, run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best = float("inf")
    items = 0
    for _ in range(repeat):
        started = time.perf_counter()
        items = run()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = items / best
    print(f"{label:<34} {items:>6} items  {rate:>9,.0f} items/s  peak {peak / 2**20:6.1f} MB")
    return rate, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    import feedparser

    from bulletin.sources.rss import read_feed

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    # Warm imports and regex caches on a small feed, so the timings are of parsing alone.
    warm = make_feed(50)
    read_feed(warm, name="warm", zone=zone)
    feedparser.parse(io.BytesIO(warm))
    data = make_feed(args.items)
    print(f"feed: {args.items} items, {len(data) / 2**20:.1f} MB")

    def ours() -> int:
        return len(read_feed(data, name="bench", zone=zone, base_url="https://x.example.vn/rss"))

    def bare(**options: Any) -> Callable[[], int]:
        def run() -> int:
            return len(feedparser.parse(io.BytesIO(data), **options).entries)

        return run

    ours_rate, ours_items = measure("bulletin rss (repair+clean+dates)", ours, args.repeat)
    bare_rate, bare_items = measure("feedparser, defaults", bare(), args.repeat)
    fast_rate, _ = measure(
        "feedparser, no sanitize/resolve",
        bare(sanitize_html=False, resolve_relative_uris=False),
        args.repeat,
    )
    from bulletin.text.clean import clean_text

    entries = feedparser.parse(io.BytesIO(data), sanitize_html=False).entries
    bodies = [e.get("summary", "") for e in entries]
    started = time.perf_counter()
    for body in bodies:
        clean_text(body)
    cleaning = time.perf_counter() - started
    label = "of which clean_text alone"
    print(f"{label:<34} {len(bodies):>6} items  {len(bodies) / cleaning:>9,.0f} items/s")
    print(f"ratio ours/feedparser(defaults): {ours_rate / bare_rate:.2f}")
    print(f"ratio ours/feedparser(no sanitize): {ours_rate / fast_rate:.2f}")
    if ours_items != bare_items:
        print(f"note: feedparser alone found {bare_items} entries, we kept {ours_items}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
