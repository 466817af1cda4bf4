"""HttpClient against a real server on 127.0.0.1: validators, retries, caps, deadlines."""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import Callable

import pytest

from bulletin.errors import SourceError
from bulletin.sources.http import HttpClient
from tests.httpserver import (
    HttpServer,
    Reply,
    Request,
    endless,
    gzip_bomb,
    gzipped,
    http_server,
    https_server,
    redirect,
    sequence,
    slow,
    static,
    status,
    wrong_charset,
)

__all__ = ["http_server", "https_server"]

VIETNAMESE = "Thông báo lịch tiêm chủng ở xã Minh Hòa".encode()


def _client(**kwargs: float) -> HttpClient:
    options: dict[str, float] = {"min_interval_s": 0, "backoff_s": 0.01, **kwargs}
    return HttpClient(**options)  # type: ignore[arg-type]


def test_conditional_get_gives_not_modified(http_server: HttpServer) -> None:
    url = http_server.route("/rss", static(VIETNAMESE, etag='"v1"', last_modified=1.8e9))
    with _client() as http:
        first = http.get(url)
        second = http.get(url, etag=first.etag, last_modified=first.last_modified)
    assert first.body == VIETNAMESE and first.status == 200 and first.etag == '"v1"'
    assert second.not_modified and second.status == 304 and second.body == b""
    assert http_server.requests[-1].headers["if-none-match"] == '"v1"'
    assert http_server.requests[-1].headers["if-modified-since"] == first.last_modified


def test_user_agent_names_the_project(http_server: HttpServer) -> None:
    url = http_server.route("/rss", static(b"ok"))
    with _client() as http:
        http.get(url)
    agent = http_server.requests[-1].headers["user-agent"]
    assert agent.startswith("bulletin/") and "commune loudspeaker bulletins" in agent


def test_gzip_body_is_decoded(http_server: HttpServer) -> None:
    url = http_server.route("/gz", gzipped(VIETNAMESE * 100))
    with _client() as http:
        assert http.get(url).body == VIETNAMESE * 100


def test_stacked_codings_are_all_undone(http_server: HttpServer) -> None:
    twice = gzip.compress(zlib.compress(VIETNAMESE * 100))
    headers = {"Content-Type": "text/xml", "Content-Encoding": "deflate, gzip"}
    url = http_server.route("/gz2", Reply(200, twice, headers))
    with _client() as http:
        assert http.get(url).body == VIETNAMESE * 100


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, gzip, gzip"])
def test_codings_without_a_bounded_decoder_are_refused(
    http_server: HttpServer, coding: str
) -> None:
    url = http_server.route("/c", Reply(200, b"\x00" * 64, {"Content-Encoding": coding}))
    with _client() as http, pytest.raises(SourceError) as caught:
        http.get(url)
    assert caught.value.key == "http.encoding"


def test_declared_charset_is_reported_not_trusted(http_server: HttpServer) -> None:
    url = http_server.route("/cs", wrong_charset("Lịch cắt điện"))
    with _client() as http:
        reply = http.get(url)
    assert reply.charset == "windows-1252"
    assert reply.body.decode("utf-8") == "Lịch cắt điện"


def test_retries_503_then_succeeds(http_server: HttpServer) -> None:
    busy = status(503, retry_after=0)
    url = http_server.route("/busy", sequence(busy, busy, static(b"ok")))
    with _client() as http:
        assert http.get(url).body == b"ok"
    assert http_server.paths().count("/busy") == 3


def test_retry_after_beyond_the_cap_is_not_waited_for(http_server: HttpServer) -> None:
    url = http_server.route("/later", sequence(status(429, retry_after=3600), static(b"ok")))
    with _client(retry_after_cap_s=5) as http, pytest.raises(SourceError) as caught:
        http.get(url)
    assert caught.value.key == "http.status" and caught.value.params["status"] == 429
    assert http_server.paths().count("/later") == 1


def test_no_retry_on_404(http_server: HttpServer) -> None:
    url = http_server.route("/gone", status(404))
    with _client() as http, pytest.raises(SourceError) as caught:
        http.get(url)
    assert caught.value.key == "http.status" and caught.value.params["status"] == 404
    assert http_server.paths().count("/gone") == 1


def test_gives_up_after_the_retries(http_server: HttpServer) -> None:
    url = http_server.route("/down", status(502))
    with _client(retries=2) as http, pytest.raises(SourceError) as caught:
        http.get(url)
    assert caught.value.key == "http.status"
    assert http_server.paths().count("/down") == 3


def test_slow_drip_hits_the_deadline(http_server: HttpServer) -> None:
    url = http_server.route("/drip", slow(b"x" * 1000, chunk_delay_s=0.05))
    started = time.monotonic()
    with _client(deadline_s=1.0, timeout_s=5) as http, pytest.raises(SourceError) as caught:
        http.get(url)
    assert caught.value.key == "http.timeout"
    assert time.monotonic() - started < 3
    # The message names the limit that stopped it, not the per-silence timeout.
    assert caught.value.params["seconds"] == 1


def test_a_silent_server_is_retried_only_within_the_deadline(http_server: HttpServer) -> None:
    url = http_server.route("/mute", Reply(200, b"late", delay_s=2.0))
    started = time.monotonic()
    with _client(timeout_s=0.3, retries=10) as http, pytest.raises(SourceError) as caught:
        http.get(url, deadline_s=0.8)
    elapsed = time.monotonic() - started
    assert caught.value.key == "http.timeout"
    assert elapsed < 1.8, f"{elapsed:.2f} s"  # under one 2 s answer, let alone ten tries
    assert caught.value.params["seconds"] <= 0.8
    assert 2 <= http_server.paths().count("/mute") <= 3


def test_silent_server_times_out_and_is_retried(http_server: HttpServer) -> None:
    url = http_server.route("/mute", Reply(200, b"late", delay_s=1.0))
    with _client(timeout_s=0.2, retries=1) as http, pytest.raises(SourceError) as caught:
        http.get(url)
    assert caught.value.key == "http.timeout"
    assert http_server.paths().count("/mute") == 2


def test_redirects_are_followed(http_server: HttpServer) -> None:
    http_server.route("/old", redirect("/mid"))
    http_server.route("/mid", redirect("/new", 301))
    final = http_server.route("/new", static(b"moved"))
    with _client() as http:
        reply = http.get(http_server.url + "/old")
    assert reply.body == b"moved" and reply.url == final


def test_redirect_loop_is_a_clear_error(http_server: HttpServer) -> None:
    http_server.route("/a", redirect("/b"))
    http_server.route("/b", redirect("/a"))
    with _client() as http, pytest.raises(SourceError) as caught:
        http.get(http_server.url + "/a")
    assert caught.value.key == "http.redirects"
    assert len(http_server.requests) <= 4


def test_a_cookie_bounce_to_the_same_url_is_not_a_loop(http_server: HttpServer) -> None:
    def gate(request: Request) -> Reply:
        if "bot=ok" in request.headers.get("cookie", ""):
            return Reply(200, b"inside")
        return Reply(302, b"", {"Location": "/gate", "Set-Cookie": "bot=ok; Path=/"})

    url = http_server.route("/gate", gate)
    with _client() as http:
        assert http.get(url).body == b"inside"


def test_too_many_redirects_is_a_clear_error(http_server: HttpServer) -> None:
    for hop in range(12):
        http_server.route(f"/r{hop}", redirect(f"/r{hop + 1}"))
    with _client() as http, pytest.raises(SourceError) as caught:
        http.get(http_server.url + "/r0")
    assert caught.value.key == "http.redirects"


def test_unreachable_host_is_a_clear_error() -> None:
    with _client(retries=1) as http, pytest.raises(SourceError) as caught:
        http.get("http://127.0.0.1:9/rss")
    assert caught.value.key == "http.unreachable"


def test_tls_is_verified_and_a_ca_bundle_adds_trust(https_server: HttpServer) -> None:
    url = https_server.route("/rss", static(b"secure"))
    with _client(retries=0) as http:
        with pytest.raises(SourceError) as caught:
            http.get(url)
        assert caught.value.key == "http.tls"
        assert http.get(url, ca_bundle=https_server.ca_bundle).body == b"secure"


def test_missing_ca_bundle_is_a_clear_error(https_server: HttpServer) -> None:
    url = https_server.route("/rss", static(b"secure"))
    with _client() as http, pytest.raises(SourceError) as caught:
        http.get(url, ca_bundle="/nonexistent/ca.pem")
    assert caught.value.key == "http.tls" and "/nonexistent/ca.pem" in caught.value.params["detail"]


def test_other_schemes_are_refused() -> None:
    with _client() as http, pytest.raises(SourceError) as caught:
        http.get("file:///etc/passwd")
    assert caught.value.key == "http.unreachable"


def test_polite_interval_between_requests_to_one_host(http_server: HttpServer) -> None:
    url = http_server.route("/rss", static(b"ok"))
    with HttpClient(min_interval_s=0.3) as http:
        started = time.monotonic()
        for _ in range(3):
            http.get(url)
    assert time.monotonic() - started >= 0.6


def test_size_cap_counts_declared_length(http_server: HttpServer) -> None:
    url = http_server.route("/big", static(b"x" * 5000))
    with HttpClient(min_interval_s=0, max_bytes=4096) as http, pytest.raises(SourceError) as caught:
        http.get(url)
    assert caught.value.key == "http.too_big"


_PEAK_SCRIPT = textwrap.dedent(
    """
    # VmHWM, not ru_maxrss: the latter carries the forking parent's peak across exec.
    import sys
    from tests.memory import peak_mb
    from bulletin.errors import SourceError
    from bulletin.sources.http import HttpClient
    with HttpClient(min_interval_s=0) as http:
        try:
            http.get(sys.argv[1])
            print("fetched")
        except SourceError as exc:
            print(exc.key)
    print(peak_mb())
    """
)


def _gzip_in_gzip_bomb(decompressed_bytes: int) -> Callable[[Request], Reply]:
    """`Content-Encoding: gzip, gzip`: zeros gzipped twice, about 2.5 KB on the wire per GB.

    The inner stream is one deflate block of a MB of zeros, repeated: each ends in a full
    flush, so the copies are identical and the gigabytes are never compressed one by one."""
    zeros = bytes(2**20)
    count = decompressed_bytes // len(zeros)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, decompressed_bytes & 0xFFFFFFFF)
    wire = gzip.compress(header + block * count + packer.flush() + trailer, 9)
    headers = {"Content-Type": "text/xml", "Content-Encoding": "gzip, gzip"}
    return lambda request: Reply(200, wire, headers)


@pytest.mark.parametrize(
    "behaviour",
    [endless, lambda: gzip_bomb(2**30), lambda: _gzip_in_gzip_bomb(2**32)],
    ids=["endless", "gzip-bomb", "gzip-in-gzip-bomb"],
)
def test_a_gigabyte_body_is_refused_with_bounded_memory(
    http_server: HttpServer, behaviour: Callable[[], Callable[[Request], Reply]]
) -> None:
    url = http_server.route("/huge", behaviour())
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    key, peak_mb = done.stdout.split()
    assert key == "http.too_big"
    assert int(peak_mb) < 200, f"peak RSS {peak_mb} MB"
    print(f"peak RSS {peak_mb} MB")
