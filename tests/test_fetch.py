"""Fetching: feeds over real HTTP on 127.0.0.1, folders, duplicates, failing sources."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import run_bulletin

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Cổng thông tin huyện</title>
<item><title>Thông báo lịch tiêm chủng &amp; khám sức khỏe</title>
<link>https://huyen.example.gov.vn/tin/1.html</link><guid>tin-1</guid>
<pubDate>Thu, 26 Nov 2026 07:30:00 +0700</pubDate>
<description><![CDATA[<p>Trạm y tế xã tổ chức tiêm chủng từ 7h30 ngày 3/12/2026.</p>
<p>XEM VIDEO</p><p>Đề nghị phụ huynh đưa trẻ đến đúng giờ.</p>]]></description></item>
<item><title>Cảnh báo mưa lớn</title><link>https://huyen.example.gov.vn/tin/2.html</link>
<guid>tin-2</guid><pubDate>Wed, 25 Nov 2026 17:00:00 +0700</pubDate>
<description>Lượng mưa phổ biến 100-150 mm.</description></item>
</channel></rss>
"""


class FeedServer:
    """A real HTTP server on 127.0.0.1 that honours ETag and records what it was asked."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(dict(self.headers))
                if self.path == "/broken":
                    self.send_response(500)
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == '"v1"':
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer(FEED.encode("utf-8"))
    yield server
    server.stop()


def _sources(ws: Path, text: str) -> None:
    (ws / "sources.yaml").write_text(text, encoding="utf-8")


def test_fetching_twice_stores_no_duplicate(sample_ws: Path) -> None:
    first = run_bulletin("-w", str(sample_ws), "fetch", "--json")
    assert first.code == 0, first.err
    stored = run_bulletin("-w", str(sample_ws), "items", "--json").json()
    assert sum(r["new"] for r in first.json()) == len(stored) >= 10
    second = run_bulletin("-w", str(sample_ws), "fetch", "--json")
    assert second.code == 0
    assert sum(r["new"] for r in second.json()) == 0
    assert len(run_bulletin("-w", str(sample_ws), "items", "--json").json()) == len(stored)


def test_items_have_the_documented_shape(sample_ws: Path) -> None:
    run_bulletin("-w", str(sample_ws), "fetch")
    items = run_bulletin("-w", str(sample_ws), "items", "--json").json()
    for item in items:
        assert {"id", "source", "title", "link", "published", "priority", "body"} <= set(item)
        assert item["title"] and item["body"]
        assert item["published"] is None or item["published"][-6:] in ("+07:00",)
        assert "<p>" not in item["body"] and "&amp;" not in item["body"]
    assert not any("README" in (i["link"] or "") for i in items)


@pytest.mark.long(12)
def test_feed_over_http_uses_conditional_get(sample_ws: Path, feed_server: FeedServer) -> None:
    _sources(sample_ws, f"sources:\n  huyen:\n    kind: rss\n    url: {feed_server.url}/rss\n")
    first = run_bulletin("-w", str(sample_ws), "fetch", "--json")
    assert first.code == 0, first.err
    assert first.json()[0]["new"] == 2
    second = run_bulletin("-w", str(sample_ws), "fetch", "--json")
    assert second.json()[0]["status"] == "not_modified"
    assert feed_server.requests[-1].get("If-None-Match") == '"v1"'
    assert "bulletin/" in feed_server.requests[-1].get("User-Agent", "")
    items = run_bulletin("-w", str(sample_ws), "items", "--json").json()
    assert len(items) == 2
    vaccination = next(i for i in items if i["link"].endswith("/1.html"))
    assert vaccination["title"] == "Thông báo lịch tiêm chủng & khám sức khỏe"
    assert "XEM VIDEO" not in vaccination["body"]
    assert vaccination["published"] == "2026-11-26T07:30:00+07:00"


def test_text_before_the_root_element_is_recovered(sample_ws: Path) -> None:
    feed = sample_ws / "feeds" / "copied.xml"
    feed.write_text("view-source: trang tin\n" + FEED, encoding="utf-8")
    _sources(sample_ws, "sources:\n  copy:\n    kind: rss\n    path: feeds/copied.xml\n")
    result = run_bulletin("-w", str(sample_ws), "fetch", "--json")
    assert result.code == 0, result.err
    assert result.json()[0]["new"] == 2


def test_one_failing_source_does_not_stop_the_others(
    sample_ws: Path, feed_server: FeedServer
) -> None:
    _sources(
        sample_ws,
        "sources:\n"
        f"  hong:\n    kind: rss\n    url: {feed_server.url}/broken\n"
        "  chet:\n    kind: rss\n    url: http://127.0.0.1:9/rss\n"
        "  xa:\n    kind: folder\n    path: notices\n",
    )
    result = run_bulletin("-w", str(sample_ws), "fetch", "--json")
    assert result.code == 1
    reports = {r["source"]: r for r in result.json()}
    assert reports["hong"]["status"] == "error" and "500" in reports["hong"]["error"]
    assert reports["chet"]["status"] == "error"
    assert reports["xa"]["new"] == 4
    assert len(run_bulletin("-w", str(sample_ws), "items", "--json").json()) == 4


def test_malformed_feed_is_a_clear_error(sample_ws: Path) -> None:
    (sample_ws / "feeds" / "bad.xml").write_text("<html><body>403 Forbidden", encoding="utf-8")
    _sources(sample_ws, "sources:\n  bad:\n    kind: rss\n    path: feeds/bad.xml\n")
    result = run_bulletin("-w", str(sample_ws), "fetch")
    assert result.code == 1
    assert "bad" in result.out + result.err
    assert "Traceback" not in result.err
