"""The media endpoint: devices fetch a delivery's audio by its own URL token.

`GET|HEAD /media/<token>/<filename>` serves exactly the bytes recorded for that delivery (the
approved audio or its rendition), verified against their SHA-256 when first read, with range
requests for resumed downloads, `ETag` and `Repr-Digest` headers a device can check the body
against, and nothing else: an unknown, expired or withdrawn token, another file name, or a
bulletin no longer approved is a 404 or 410. Each response that reaches the end of the file is
recorded in the store, which is how a push knows a device has the audio.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio.to_thread
from starlette.types import Receive, Scope, Send

from bulletin import states
from bulletin.services.station import Station
from bulletin.store import Store
from bulletin.store.base import now_iso
from bulletin.store.deliveries import MediaToken

log = logging.getLogger("bulletin.serve")

CHUNK = 256 * 1024
# Verified audio kept in memory: a bulletin is a few MB and is fetched by many devices at once.
CACHE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class _Media:
    data: bytes
    sha256: str
    digest_header: str


class _Verified:
    """Audio files read once, checked against the hash their token records, kept by
    (path, size, mtime) so a replaced file is read and checked again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, int, int, str], _Media] = OrderedDict()
        self._size = 0

    def get(self, path: Path, sha256: str) -> _Media | None:
        try:
            info = path.stat()
        except OSError:
            return None
        key = (str(path), info.st_size, info.st_mtime_ns, sha256)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(data)
        if digest.hexdigest() != sha256:
            log.error("refused %s: its bytes are not the ones recorded for delivery", path.name)
            return None
        media = _Media(data, sha256, f"sha-256=:{base64.b64encode(digest.digest()).decode()}:")
        with self._lock:
            if key not in self._items:
                self._items[key] = media
                self._size += len(data)
            while self._size > CACHE_BYTES and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._size -= len(old.data)
        return media


class _Stores(threading.local):
    store: Store | None = None


class MediaApp:
    """The ASGI app of `/media/...`: plain ASGI for speed, mounted in the Starlette app."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.audio_dir = station.workspace.audio_dir.resolve()
        self.cache = _Verified()
        self._stores = _Stores()

    def _store(self) -> Store:
        # One connection per worker thread, kept: a fetch costs a lookup, not an open.
        if self._stores.store is None:
            from bulletin.store import Store as _Store

            self._stores.store = _Store(self.station.workspace.db_path)
        return self._stores.store

    def _lookup(self, token: str, filename: str) -> tuple[int, str, MediaToken | None, Path | None]:
        """(status, reason, token, file): 200 only for a valid token of a deliverable bulletin."""
        store = self._store()
        found = store.media_token(token)
        if found is None or found.filename != filename:
            return 404, "unknown", None, None
        if found.expires_at <= now_iso():
            return 410, "expired", None, None
        bulletin = store.bulletin(found.bulletin_id)
        if bulletin.state not in states.DELIVERABLE or not bulletin.approved_sha256:
            return 410, "withdrawn", None, None
        delivery = store.delivery(found.bulletin_id, found.controller)
        if delivery is not None and delivery.state == "cancelled":
            return 410, "cancelled", None, None
        try:
            path = self.station.audio_file(found.path).resolve()
        except Exception:
            return 404, "outside", None, None
        if not path.is_relative_to(self.audio_dir):
            return 404, "outside", None, None
        return 200, "", found, path

    def _record(self, token: str, start: int, sent: int, size: int, client: str) -> None:
        self._store().record_fetch(token, start=start, sent=sent, size=size, client=client)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        parts = scope["path"].split("/")
        # "", "media", token, filename
        if method not in ("GET", "HEAD"):
            await _plain(send, 405, "method not allowed", {"allow": "GET, HEAD"})
            return
        if len(parts) != 4 or parts[1] != "media" or not parts[2] or not parts[3]:
            await _plain(send, 404, "not found")
            return
        token, filename = parts[2], parts[3]
        status, reason, found, path = await anyio.to_thread.run_sync(self._lookup, token, filename)
        if found is None or path is None:
            await _plain(send, status, reason or "not found")
            return
        media = await anyio.to_thread.run_sync(self.cache.get, path, found.sha256)
        if media is None:
            await _plain(send, 410, "audio unavailable")
            return
        size = len(media.data)
        headers = {
            "content-type": found.content_type,
            "accept-ranges": "bytes",
            "etag": f'"{media.sha256}"',
            "repr-digest": media.digest_header,
            "cache-control": "private, no-store",
            "content-disposition": f'inline; filename="{found.filename}"',
        }
        start, end = 0, size - 1
        code = 200
        wanted = _header(scope, b"range")
        if_range = _header(scope, b"if-range")
        if wanted and (not if_range or if_range == headers["etag"]):
            parsed = _range(wanted, size)
            if parsed is None:
                extra = {"content-range": f"bytes */{size}"}
                await _plain(send, 416, "range not satisfiable", extra)
                return
            if parsed != "all":
                start, end = parsed
                code = 206
                headers["content-range"] = f"bytes {start}-{end}/{size}"
        headers["content-length"] = str(end - start + 1)
        await send(
            {
                "type": "http.response.start",
                "status": code,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        view = memoryview(media.data)
        sent = 0
        position = start
        client = (scope.get("client") or ("?", 0))[0]
        try:
            while position <= end:
                stop = min(position + CHUNK, end + 1)
                more = stop <= end
                chunk = view[position:stop]
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                sent += stop - position
                position = stop
        finally:
            # Also when the device hangs up midway: what it got counts toward a resume.
            await anyio.to_thread.run_sync(self._record, token, start, sent, size, client)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _range(value: str, size: int) -> tuple[int, int] | Literal["all"] | None:
    """One `bytes=` range as (first, last), or None when it cannot be satisfied. Several
    ranges, or another unit, are answered with the whole file (which HTTP allows)."""
    unit, _, spec = value.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return "all"
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if not first:
            length = int(last)
            if length <= 0:
                return None
            return (max(size - length, 0), size - 1)
        start = int(first)
        stop = int(last) if last else size - 1
    except ValueError:
        return None
    if start < 0 or start >= size or stop < start:
        return None
    return (start, min(stop, size - 1))


async def _plain(send: Send, status: int, text: str, extra: dict[str, str] | None = None) -> None:
    body = (text + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in (extra or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
