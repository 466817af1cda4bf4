"""A stand-in vendor device server: the base64-JSON command channel that commune loudspeaker
devices sit behind, hosting many devices that really download what they are told to.

Requests and answers follow the shape documented in `bulletin.delivery.vendorjson`. On a
download command (PacketType 1) the server answers at once, then fetches each URL on a
bounded pool, hashes the body and checks it against the response's `Repr-Digest` header;
every download, play and schedule is recorded per device for tests to assert on.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import socket
import struct
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

DOWNLOAD_WORKERS = 64
DOWNLOAD_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Download:
    """One download a device made of a URL it was given."""

    url: str
    bytes: int
    sha256: str
    ok: bool
    """The body's SHA-256 matched the `Repr-Digest` the server sent."""
    error: str = ""


@dataclass
class Device:
    """What one device was told and did."""

    device_id: str
    online: bool = True
    downloads: list[Download] = field(default_factory=list)
    download_commands: list[list[str]] = field(default_factory=list)
    plays: list[str] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    commands: int = 0
    last_seen: str | None = None


@dataclass
class VendorDeviceServer:
    """Fault switches: `fail_status` (answer every request with that HTTP status), `delay_s`
    (wait before answering), `reset` (drop the connection with a TCP reset, answering
    nothing), `auth` ((user, password) for basic auth, or a token for Bearer), `download`
    (False: devices acknowledge but never fetch)."""

    host: str = "127.0.0.1"
    port: int = 0
    fail_status: int | None = None
    delay_s: float = 0.0
    reset: bool = False
    auth: tuple[str, str] | str | None = None
    download: bool = True
    devices: dict[str, Device] = field(default_factory=dict)
    requests: int = 0
    in_flight: int = 0
    fetching: int = 0
    """Downloads devices were told to make and are still making."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _pool: ThreadPoolExecutor | None = None

    # -- the API tests use --------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def address(self, device_id: str) -> str:
        """A controller address for one device on this server."""
        return f"vendorjson://{self.host}:{self.port}/{device_id}"

    def add_device(self, *device_ids: str) -> None:
        with self._lock:
            for device_id in device_ids:
                self.devices.setdefault(device_id, Device(device_id))

    def device(self, device_id: str) -> Device:
        return self.devices[device_id]

    def wait_downloads(
        self, device_id: str, count: int = 1, timeout: float = 10.0
    ) -> list[Download]:
        """The device's downloads once it has made `count` of them (or the timeout passed)."""
        end = time.monotonic() + timeout
        device = self.devices[device_id]
        while len(device.downloads) < count and time.monotonic() < end:
            time.sleep(0.01)
        return list(device.downloads)

    def settle(self, timeout: float = 5.0) -> None:
        """Wait for requests still being answered (a slow one the client gave up on still
        runs its command when it wakes) and downloads still being made, so the next test
        starts clean (a late download would count as the next test's)."""
        end = time.monotonic() + timeout
        while (self.in_flight or self.fetching) and time.monotonic() < end:
            time.sleep(0.01)

    def faults_off(self) -> None:
        self.fail_status = None
        self.delay_s = 0.0
        self.reset = False
        self.auth = None
        self.download = True

    def start(self) -> VendorDeviceServer:
        self._pool = ThreadPoolExecutor(DOWNLOAD_WORKERS, thread_name_prefix="vendor-device")
        self._server = _QuietServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._server.request_queue_size = 1024
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    # -- the protocol -------------------------------------------------------------------

    def _authorized(self, header: str | None) -> bool:
        if self.auth is None:
            return True
        if isinstance(self.auth, str):
            return header == f"Bearer {self.auth}"
        user, password = self.auth
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        return header == f"Basic {expected}"

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """The JSON answer to one decoded request."""
        data_type = request.get("DataType")
        if data_type == 20:
            return {"Result": "OK", "Data": self._statuses()}
        if data_type == 4:
            items = json.loads(request["Data"])["CommandItem_Ts"]
            return {"Result": "OK", "Data": [self._command(item) for item in items]}
        return {"Result": "ERROR", "Message": f"UNKNOWN_DATATYPE {data_type}"}

    def _statuses(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "DeviceID": d.device_id,
                    "Status": "online" if d.online else "offline",
                    "LastSeen": d.last_seen,
                    "Playing": d.plays[-1] if d.plays else None,
                }
                for d in self.devices.values()
            ]

    def _command(self, item: dict[str, Any]) -> dict[str, Any]:
        device_id = str(item.get("DeviceID", ""))
        with self._lock:
            device = self.devices.get(device_id)
            if device is None:
                return {"DeviceID": device_id, "Result": "ERROR", "Message": "DEVICE_NOT_FOUND"}
            if not device.online:
                return {"DeviceID": device_id, "Result": "ERROR", "Message": "DEVICE_OFFLINE"}
            command = json.loads(item["CommandSend"])
            device.commands += 1
            device.last_seen = time.strftime("%Y-%m-%dT%H:%M:%S")
            packet = command.get("PacketType")
            if packet == 1:
                urls = [str(u) for u in command.get("URLlist", [])]
                device.download_commands.append(urls)
            elif packet == 2:
                device.schedules.append(command)
            elif packet == 5:
                device.plays.append(str(command.get("SongName", "")))
            else:
                return {"DeviceID": device_id, "Result": "ERROR", "Message": f"BAD_PACKET {packet}"}
        if packet == 1 and self.download and self._pool is not None:
            for url in urls:
                with self._lock:
                    self.fetching += 1
                self._pool.submit(self._fetch, device, url)
        return {"DeviceID": device_id, "Result": "OK", "Message": f"PACKET {packet} ACCEPTED"}

    def _fetch(self, device: Device, url: str) -> None:
        try:
            self._download(device, url)
        finally:
            with self._lock:
                self.fetching -= 1

    def _download(self, device: Device, url: str) -> None:
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
                digest_header = response.headers.get("Repr-Digest", "")
                hasher = hashlib.sha256()
                size = 0
                while chunk := response.read(65536):
                    hasher.update(chunk)
                    size += len(chunk)
        except OSError as exc:
            record = Download(url, 0, "", False, str(exc))
        else:
            expected = _sha256_of_digest_header(digest_header)
            sha = hasher.hexdigest()
            if expected is None:
                record = Download(url, size, sha, False, "no Repr-Digest sha-256")
            elif expected != sha:
                record = Download(url, size, sha, False, "Repr-Digest mismatch")
            else:
                record = Download(url, size, sha, True)
        with self._lock:
            device.downloads.append(record)


def decode_request(path: str) -> dict[str, Any]:
    """The JSON a request path carries: base64url or standard base64 (with '/' and '+'
    percent-escaped), padded or not."""
    token = unquote(path.lstrip("/").split("?", 1)[0])
    token += "=" * (-len(token) % 4)
    raw = base64.b64decode(token.replace("-", "+").replace("_", "/"), validate=True)
    decoded = json.loads(raw)
    if not isinstance(decoded, dict):
        raise ValueError("not a JSON object")
    return decoded


def _sha256_of_digest_header(header: str) -> str | None:
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "sha-256" and value.startswith(":") and value.endswith(":"):
            try:
                return base64.b64decode(value[1:-1]).hex()
            except binascii.Error:
                return None
    return None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (timeout, reset) leaves a broken pipe: not the server's fault.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _handler_for(server: VendorDeviceServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def finish(self) -> None:
            # A reset connection has nothing left to flush.
            with contextlib.suppress(OSError):
                super().finish()

        def do_GET(self) -> None:
            with server._lock:
                server.requests += 1
                server.in_flight += 1
            try:
                self._serve()
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _serve(self) -> None:
            if server.delay_s:
                time.sleep(server.delay_s)
            if server.reset:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return
            if server.fail_status is not None:
                self._send(server.fail_status, {"Result": "ERROR", "Message": "INTERNAL"})
                return
            if not server._authorized(self.headers.get("Authorization")):
                self._send(401, {"Result": "ERROR", "Message": "UNAUTHORIZED"})
                return
            try:
                request = decode_request(self.path)
            except (ValueError, binascii.Error, KeyError):
                self._send(400, {"Result": "ERROR", "Message": "BAD_REQUEST"})
                return
            try:
                answer = server.answer(request)
            except (ValueError, KeyError, TypeError):
                self._send(400, {"Result": "ERROR", "Message": "BAD_COMMAND"})
                return
            self._send(200, answer)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
