"""The icecast transport: a source client that streams the approved MP3 to a mount in real
time, for the IP receivers that listen to it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from bulletin.delivery.base import (
    AudioFile,
    DeviceStatus,
    Job,
    Probe,
    Receipt,
    Target,
    auth_error,
    network_error,
    secrets_of,
)
from bulletin.errors import DeliveryError
from bulletin.store import now_iso
from bulletin.text.redact import redact

SCHEMES = {"icecast": False, "icecasts": True}
"""Scheme -> whether the connection is TLS."""

QUEUE_BLOCK = 1400
"""Icecast 2.4 queues an MP3 source's bytes in blocks of this size and drops a last, partial
block when the source ends: the tail of the audio would never reach a listener."""


class IcecastOptions(BaseModel):
    """`controllers.NAME.icecast` in controllers.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user: str = "source"
    """The source user when the credentials are a bare password (a token)."""
    burst_s: float = Field(0.5, ge=0, le=30)
    """Seconds of audio sent at once at the start, so listeners' buffers fill quickly."""
    chunk_s: float = Field(0.1, gt=0, le=5)
    """Seconds of audio per send after the burst."""
    bitrate_kbps: float | None = Field(None, gt=0, le=1024)
    """The pace when the audio's own duration cannot be read."""
    public: bool = False
    """Whether icecast may list the stream in a public directory."""


@dataclass(frozen=True)
class Mount:
    """Where a controller's address points: host, port, mount path, TLS or not."""

    host: str
    port: int
    path: str
    tls: bool

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}{self.path}"


def mount_of(target: Target) -> Mount:
    """`icecast://HOST:PORT/MOUNT` or `icecasts://…`; anything else is a bad address."""
    address = target.config.address
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in SCHEMES or not parts.hostname or len(parts.path) < 2:
        raise DeliveryError(
            "icecast.address", retryable=False, controller=target.name, address=address
        )
    tls = SCHEMES[parts.scheme]
    return Mount(parts.hostname, port or (443 if tls else 8000), unquote(parts.path), tls)


def bytes_per_second(data: bytes, options: IcecastOptions) -> float:
    """The pace at which the audio plays: its size over its duration as mutagen reads it
    (Xing/Info header or frame headers), else the configured bitrate."""
    import mutagen

    try:
        found = mutagen.File(io.BytesIO(data))
        length = float(found.info.length) if found is not None else 0.0
    except Exception:  # mutagen raises its own error kinds per format; any means unknown
        length = 0.0
    if length > 0:
        return len(data) / length
    if options.bitrate_kbps:
        return options.bitrate_kbps * 1000 / 8
    raise DeliveryError("icecast.unknown_pace", retryable=False)


class IcecastTransport:
    """Streams over HTTP PUT (Icecast 2.4+), paced by the audio's own bitrate, so what
    listeners hear starts when it is sent and the server's buffers never overflow."""

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        data = audio.read_verified()
        mount = mount_of(target)
        options = target.config.options(IcecastOptions)
        rate = bytes_per_second(data, options)
        if job.air_at is not None:
            # Streaming is airing: start at the set time, not when the push ran.
            delay = (job.air_at - datetime.now(UTC)).total_seconds()
            if delay > 0:
                time.sleep(delay)
        headers = {
            "Content-Type": audio.content_type,
            "ice-name": job.title,
            "ice-description": job.station,
            "ice-public": "1" if options.public else "0",
            "ice-audio-info": f"bitrate={round(rate * 8 / 1000)}",
        }
        sock, answer = _start_source(target, mount, options, headers)
        with sock:
            status = _status_line(answer)
            _raise_for(target, mount, answer)
            digest = hashlib.sha256()
            sent = 0
            # Zero bytes hold no MP3 frame sync, so decoders skip them; they only complete
            # icecast's last block so that the audio's own last bytes are passed on.
            padding = (-len(data)) % QUEUE_BLOCK if audio.content_type == "audio/mpeg" else 0
            burst = min(len(data), int(rate * options.burst_s))
            chunk = max(1, int(rate * options.chunk_s))
            started = time.monotonic()
            try:
                while sent < len(data):
                    # Byte n of the audio is due when n bytes' worth of play time (less the
                    # burst) has passed: the pace follows the audio clock, not send times.
                    due = started + max(0, sent - burst) / rate
                    wait = due - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                    piece = data[sent : sent + (burst if sent == 0 and burst else chunk)]
                    sock.sendall(piece)
                    digest.update(piece)
                    sent += len(piece)
                if padding:
                    sock.sendall(bytes(padding))
                # End the stream the polite way and wait for icecast to close its side:
                # closing at once can reset the connection and drop the audio's tail.
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(4096):
                    pass
            except OSError as exc:
                raise network_error(target.name, exc, what=f"{mount.url} ") from None
        ack = f"{status}; +{padding} zero bytes to fill icecast's last block" if padding else status
        return Receipt(
            bytes=sent, sha256=digest.hexdigest(), remote_id=mount.url, at=now_iso(), ack=ack
        )

    def check(self, target: Target) -> Probe:
        """The server answers its status page and accepts our source credentials for this
        mount. Icecast checks a source's password only when a source starts, so the probe
        starts one and ends it at once, sending no audio: a 200 proves the credentials and a
        free mount; 'mountpoint in use' proves the credentials while another source plays."""
        started = time.monotonic()
        mount = mount_of(target)
        options = target.config.options(IcecastOptions)
        server = _stats(target, mount).get("server_id", "?")
        headers = {"Content-Type": "audio/mpeg", "Content-Length": "0", "ice-public": "0"}
        sock, answer = _start_source(target, mount, options, headers)
        sock.close()
        try:
            _raise_for(target, mount, answer)
        except DeliveryError as exc:
            if exc.key != "icecast.mount_in_use":
                raise
            return Probe(False, f"{server}: {exc.message()}", time.monotonic() - started)
        return Probe(True, f"{server} {mount.url}", time.monotonic() - started)

    def status(self, target: Target) -> list[DeviceStatus]:
        """From /status-json.xsl: whether the mount is live, and how many listen."""
        mount = mount_of(target)
        stats = _stats(target, mount)
        sources = stats.get("source") or []
        for source in sources if isinstance(sources, list) else [sources]:
            listen = str(source.get("listenurl", ""))
            if urlsplit(listen).path == mount.path:
                listeners = source.get("listeners", 0)
                return [
                    DeviceStatus(
                        mount.url,
                        "playing",
                        source.get("stream_start_iso8601"),
                        f"listeners={listeners}",
                    )
                ]
        return [DeviceStatus(mount.url, "idle", now_iso(), "")]

    def close(self) -> None:
        return None


def _start_source(
    target: Target, mount: Mount, options: IcecastOptions, headers: dict[str, str]
) -> tuple[socket.socket, bytes]:
    """A connection on which icecast has answered a source request, and its answer: PUT
    (Icecast 2.4+), or the older SOURCE method when a server does not know PUT."""
    for method in ("PUT", "SOURCE"):
        sock = _connect(target, mount)
        try:
            answer = _request(sock, target, mount, options, method, headers)
        except DeliveryError:
            sock.close()
            raise
        if _code(answer) not in (400, 405, 501):
            break
        sock.close()
    return sock, answer


def _connect(target: Target, mount: Mount) -> socket.socket:
    try:
        sock = socket.create_connection((mount.host, mount.port), timeout=target.timeout)
        if mount.tls:
            sock = target.ssl_context().wrap_socket(sock, server_hostname=mount.host)
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            "icecast.tls", retryable=False, controller=target.name, detail=str(exc)[:300]
        ) from None
    except OSError as exc:
        raise network_error(target.name, exc, what=f"{mount.url} ") from None
    return sock


def _request(
    sock: socket.socket,
    target: Target,
    mount: Mount,
    options: IcecastOptions,
    method: str,
    headers: dict[str, str],
) -> bytes:
    """Send a request head and read the answer's head (icecast answers a source before
    it reads any audio)."""
    lines = [f"{method} {mount.path} HTTP/1.1", f"Host: {mount.host}:{mount.port}"]
    creds = target.credentials
    if creds is not None:
        user = creds.username or options.user
        secret = creds.password if creds.username else creds.token
        token = base64.b64encode(f"{user}:{secret or ''}".encode()).decode()
        lines.append(f"Authorization: Basic {token}")
    lines.append("User-Agent: bulletin")
    for name, value in headers.items():
        # A title is free text: one header line, whatever it holds.
        lines.append(f"{name}: {' '.join(value.split())}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    answer = b""
    try:
        sock.sendall(head)
        while b"\r\n\r\n" not in answer and len(answer) < 65536:
            piece = sock.recv(4096)
            if not piece:
                break
            answer += piece
    except OSError as exc:
        raise network_error(target.name, exc, what=f"{mount.url} ") from None
    if not answer:
        raise network_error(target.name, ConnectionResetError("no answer"), what=f"{mount.url} ")
    # Icecast closes after an error; the rest of its short body may follow the head.
    if not answer.startswith((b"HTTP/1.0 200", b"HTTP/1.1 200", b"HTTP/1.1 100")):
        try:
            sock.settimeout(min(target.timeout, 2.0))
            while len(answer) < 65536:
                piece = sock.recv(4096)
                if not piece:
                    break
                answer += piece
        except OSError:
            pass
    return answer


def _status_line(answer: bytes) -> str:
    return answer.split(b"\r\n", 1)[0].decode("latin-1").strip()


def _code(answer: bytes) -> int | None:
    try:
        return int(_status_line(answer).split()[1])
    except (IndexError, ValueError):
        return None


def _raise_for(target: Target, mount: Mount, answer: bytes) -> None:
    status = _status_line(answer)
    code = _code(answer)
    if code is None:
        raise DeliveryError(
            "icecast.not_icecast", retryable=False, controller=target.name, detail=status[:100]
        )
    if code in (100, 200):
        return
    body = answer.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")
    text = " ".join(redact(f"{status} {_plain(body)}", secrets_of(target.credentials)).split())
    if code == 401:
        raise auth_error(target.name, text)
    lowered = body.lower()
    if code in (403, 409) and "in use" in lowered:
        raise DeliveryError(
            "icecast.mount_in_use", retryable=True, controller=target.name, mount=mount.path
        )
    # Too many sources passes when one ends; a 5xx may pass too; other refusals will not.
    retryable = code >= 500 or "too many" in lowered
    raise DeliveryError(
        "icecast.refused", retryable=retryable, controller=target.name, detail=text[:300]
    )


def _certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate failure that an HTTP client error wraps, if that is what it is."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _stats(target: Target, mount: Mount) -> dict[str, Any]:
    """icecast's public /status-json.xsl, as the `icestats` object."""
    import httpx

    url = f"{'https' if mount.tls else 'http'}://{mount.host}:{mount.port}/status-json.xsl"
    verify: ssl.SSLContext | bool = target.ssl_context() if mount.tls else True
    stats = None
    for attempt in range(3):
        if attempt:
            # Icecast 2.4 serves half-built JSON for a moment after it starts.
            time.sleep(0.2)
        try:
            response = httpx.get(url, timeout=target.timeout, verify=verify)
        except httpx.HTTPError as exc:
            bad_certificate = _certificate_error(exc)
            if bad_certificate is not None:
                raise DeliveryError(
                    "icecast.tls",
                    retryable=False,
                    controller=target.name,
                    detail=str(bad_certificate)[:300],
                ) from None
            raise network_error(target.name, exc, what=f"{url} ") from None
        if response.status_code >= 400:
            raise DeliveryError(
                "icecast.refused",
                retryable=response.status_code >= 500,
                controller=target.name,
                detail=f"{response.status_code} {url}",
            )
        try:
            stats = json.loads(response.text).get("icestats")
        except (ValueError, AttributeError):
            continue
        break
    if not isinstance(stats, dict):
        raise DeliveryError(
            "icecast.not_icecast", retryable=False, controller=target.name, detail=url
        )
    return stats
