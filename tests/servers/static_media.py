"""A small HTTP server that serves one file's bytes the way `bulletin serve` does (with a
`Repr-Digest` header) and records complete downloads, for testing a transport on its own."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bulletin.delivery.base import Fetch


@dataclass
class StaticMedia:
    data: bytes
    content_type: str = "audio/mpeg"
    fetches: list[Fetch] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/media/token/audio.mp3"

    def start(self) -> StaticMedia:
        media = self
        digest = base64.b64encode(hashlib.sha256(self.data).digest()).decode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", media.content_type)
                self.send_header("Content-Length", str(len(media.data)))
                self.send_header("Repr-Digest", f"sha-256=:{digest}:")
                self.end_headers()
                self.wfile.write(media.data)
                media.fetches.append(
                    Fetch(
                        len(media.data), time.strftime("%Y-%m-%dT%H:%M:%S"), self.client_address[0]
                    )
                )

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def fetched(self, timeout: float) -> Fetch | None:
        """Job.fetched: wait until a complete download has been served."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.fetches:
                return self.fetches[-1]
            time.sleep(0.02)
        return self.fetches[-1] if self.fetches else None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
