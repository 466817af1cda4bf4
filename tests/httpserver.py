"""A real HTTP/1.1 server on 127.0.0.1 for tests, with canned behaviours of real portals.

Use the `http_server` fixture (import it in a test module or conftest)::

    from tests.httpserver import http_server, static, status, sequence  # noqa: F401

    def test_x(http_server):
        http_server.route("/rss", static(b"<rss/>", etag='"v1"'))
        http_server.route("/busy", sequence(status(503, retry_after=0), static(b"ok")))
        client.get(http_server.url + "/rss")
        assert http_server.requests[-1].headers["user-agent"].startswith("bulletin/")

A route is a `Reply` or a function `Request -> Reply`. Bodies may be bytes or an
iterable of bytes (sent chunked, so they can be slow or never end).
"""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest


class Request(NamedTuple):
    """What the server was asked: the path (query included) and the headers, lower-case names."""

    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    """One canned answer."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    """Bytes are sent with Content-Length; an iterable is sent chunked, piece by piece."""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Sleep before the status line (a server slow to answer)."""
    chunk_delay_s: float = 0.0
    """Sleep before each piece of an iterable body (a slow drip)."""


Route = Reply | Callable[[Request], Reply]


class HttpServer:
    """A ThreadingHTTPServer in a daemon thread; `route` adds answers, `requests` logs asks.

    With `certfile` (and `keyfile`) it speaks HTTPS; see `self_signed` and `https_server`."""

    def __init__(self, *, certfile: Path | None = None, keyfile: Path | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.ca_bundle: str | None = None
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        scheme = "http"
        if certfile is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            scheme = "https"
        self.port = self._httpd.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def route(self, path: str, answer: Route) -> str:
        """Answer GETs of `path` (matched without the query string); returns its full URL."""
        self.routes[path] = answer
        return self.url + path

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
            server.requests.append(request)
            answer = server.routes.get(urlsplit(self.path).path)
            if answer is None:
                reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
            else:
                reply = answer(request) if callable(answer) else answer
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (a cap or a deadline did its job).
                self.close_connection = True

        def _send(self, reply: Reply) -> None:
            if reply.delay_s:
                time.sleep(reply.delay_s)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if isinstance(reply.body, bytes | bytearray):
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in reply.body:
                if reply.chunk_delay_s:
                    time.sleep(reply.chunk_delay_s)
                if piece:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: object) -> None:
            return None

    return Handler


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    server = HttpServer()
    yield server
    server.stop()


def self_signed(folder: Path) -> Path:
    """A self-signed certificate and key for 127.0.0.1 in one PEM file (needs `openssl`)."""
    pem = folder / "127.0.0.1.pem"
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
    subprocess.run(
        [*command.split(), "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", pem, "-out", pem],
        check=True,
        capture_output=True,
    )
    return pem


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[HttpServer]:
    """An HTTPS server whose certificate no CA signed; `server.ca_bundle` trusts it."""
    pem = self_signed(tmp_path)
    server = HttpServer(certfile=pem)
    server.ca_bundle = str(pem)
    yield server
    server.stop()


# Canned behaviours ----------------------------------------------------------------------


def static(
    body: bytes,
    *,
    content_type: str = "application/rss+xml; charset=utf-8",
    etag: str | None = None,
    last_modified: float | None = None,
    headers: dict[str, str] | None = None,
) -> Callable[[Request], Reply]:
    """A fixed body with validators, honouring If-None-Match / If-Modified-Since with 304.

    `last_modified` is a Unix time."""
    stamp = formatdate(last_modified, usegmt=True) if last_modified is not None else None
    base = {"Content-Type": content_type, **(headers or {})}
    if etag:
        base["ETag"] = etag
    if stamp:
        base["Last-Modified"] = stamp

    def answer(request: Request) -> Reply:
        match = request.headers.get("if-none-match")
        since = request.headers.get("if-modified-since")
        if (etag and match == etag) or (not match and stamp and since == stamp):
            return Reply(304, b"", {k: v for k, v in base.items() if k != "Content-Type"})
        return Reply(200, body, dict(base))

    return answer


def status(code: int, *, retry_after: str | int | None = None, body: bytes = b"") -> Reply:
    """An error status (404, 500, 503…), optionally with Retry-After."""
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Reply(code, body, headers)


def sequence(*answers: Route) -> Callable[[Request], Reply]:
    """Successive answers to successive requests; the last one repeats."""
    pending = list(answers)
    lock = threading.Lock()

    def answer(request: Request) -> Reply:
        with lock:
            current = pending.pop(0) if len(pending) > 1 else pending[0]
        return current(request) if callable(current) else current

    return answer


def redirect(location: str, code: int = 302) -> Reply:
    """A redirect; two routes redirecting to each other make a loop."""
    return Reply(code, b"", {"Location": location})


def slow(
    body: bytes, *, delay_s: float = 0.0, chunk_delay_s: float = 0.0, chunk_size: int = 1
) -> Reply:
    """A body sent in `chunk_size` pieces with a pause before each (a slow drip)."""
    pieces = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
    return Reply(
        200,
        pieces,
        {"Content-Type": "text/plain; charset=utf-8"},
        delay_s=delay_s,
        chunk_delay_s=chunk_delay_s,
    )


def gzipped(body: bytes, *, content_type: str = "application/rss+xml; charset=utf-8") -> Reply:
    """A body sent with Content-Encoding: gzip."""
    return Reply(
        200, gzip.compress(body), {"Content-Type": content_type, "Content-Encoding": "gzip"}
    )


def gzip_bomb(decompressed_bytes: int = 2**30) -> Callable[[Request], Reply]:
    """A gzip stream of zeros: about 1 KB per MB on the wire, `decompressed_bytes` when inflated.

    Compressed on the fly, so the server never holds it either."""

    def pieces() -> Iterator[bytes]:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = b"\0" * 2**20
        left = decompressed_bytes
        while left > 0:
            out = packer.compress(zeros[: min(left, len(zeros))])
            left -= min(left, len(zeros))
            if out:
                yield out
        yield packer.flush()

    def answer(request: Request) -> Reply:
        return Reply(200, pieces(), {"Content-Type": "text/xml", "Content-Encoding": "gzip"})

    return answer


def endless(piece: bytes = b"x" * 65536) -> Callable[[Request], Reply]:
    """A chunked body that never ends (until the client hangs up)."""

    def pieces() -> Iterator[bytes]:
        while True:
            yield piece

    def answer(request: Request) -> Reply:
        return Reply(200, pieces(), {"Content-Type": "text/xml"})

    return answer


def wrong_charset(
    text: str, *, declared: str = "windows-1252", content_type: str = "text/xml"
) -> Reply:
    """UTF-8 bytes served under a Content-Type that claims another charset."""
    return Reply(200, text.encode("utf-8"), {"Content-Type": f"{content_type}; charset={declared}"})
