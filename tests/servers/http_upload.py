"""An HTTP server on 127.0.0.1 that accepts uploads the way a controller's API does (PUT of
the file, or a multipart POST), checks a bearer token or basic login, keeps the files, and
has switches for the faults a real one shows."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from posixpath import basename
from urllib.parse import urlsplit

from tests.servers.ftp import reset


@dataclass
class Upload:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    filename: str
    data: bytes


@dataclass
class HttpUploadServer:
    """Switches: `status` answers every upload with that code, `reset` drops the connection
    with a TCP reset after reading part of the body, `delay` holds each answer that many
    seconds, `wrong_sha256` reports a checksum that is not the stored file's, `fail_times`
    answers the next N uploads with 503 and then accepts them (a server that recovers)."""

    token: str | None = "token-bi-mat-123"
    user: str | None = None
    password: str | None = None
    status: int | None = None
    reset: bool = False
    delay: float = 0.0
    wrong_sha256: bool = False
    fail_times: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str = "/upload/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> HttpUploadServer:
        harness = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def _allowed(self) -> bool:
                given = self.headers.get("Authorization", "")
                if harness.token is not None and given == f"Bearer {harness.token}":
                    return True
                if harness.user is not None:
                    pair = f"{harness.user}:{harness.password}".encode()
                    if given == f"Basic {base64.b64encode(pair).decode()}":
                        return True
                return harness.token is None and harness.user is None

            def _answer(self, status: int, body: dict[str, object] | None = None) -> None:
                payload = json.dumps(body or {"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _receive(self) -> bytes | None:
                """The body, or None when the request was answered (refused or dropped)."""
                length = int(self.headers.get("Content-Length", "0"))
                if harness.reset:
                    self.rfile.read(min(length, 1024))
                    reset(self.connection)
                    self.close_connection = True
                    return None
                body = self.rfile.read(length)
                if harness.delay:
                    time.sleep(harness.delay)
                if not self._allowed():
                    self._answer(401, {"error": "unauthorized"})
                    return None
                if harness.status is not None:
                    self._answer(harness.status, {"error": "switched"})
                    return None
                if harness.fail_times > 0:
                    harness.fail_times -= 1
                    self._answer(503, {"error": "busy, try again"})
                    return None
                return body

            def _store(self, name: str, data: bytes) -> None:
                harness.files[name] = data
                harness.uploads.append(
                    Upload(self.command, self.path, dict(self.headers.items()), name, data)
                )
                digest = hashlib.sha256(b"other" if harness.wrong_sha256 else data).hexdigest()
                self._answer(201, {"id": f"rec-{len(harness.uploads)}", "sha256": digest})

            def do_PUT(self) -> None:
                data = self._receive()
                if data is not None:
                    self._store(basename(urlsplit(self.path).path), data)

            def do_POST(self) -> None:
                data = self._receive()
                if data is None:
                    return
                head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
                form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
                for part in form.iter_parts():
                    name, payload = part.get_filename(), part.get_payload(decode=True)
                    if name and isinstance(payload, bytes):
                        self._store(name, payload)
                        return
                self._answer(400, {"error": "no file"})

            def do_HEAD(self) -> None:
                if not self._allowed():
                    self._answer(401)
                    return
                data = harness.files.get(basename(urlsplit(self.path).path))
                if data is None:
                    self._answer(200 if self.path.endswith("/") else 404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(data)))
                digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
                self.send_header("Repr-Digest", f"sha-256=:{digest}:")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def sha256(self, name: str) -> str:
        """The SHA-256 of the file as stored on this side."""
        return hashlib.sha256(self.files[name]).hexdigest()
