"""Plain HTTP GET for sources: timeout, size cap, conditional requests, a clear User-Agent."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from dataclasses import dataclass

from bulletin import __version__
from bulletin.errors import SourceError

USER_AGENT = f"bulletin/{__version__} (commune loudspeaker bulletins)"
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Response:
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


def get(url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as reply:
            body = reply.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise SourceError("http.too_big", url=url, limit_mb=MAX_BYTES // 2**20)
            if reply.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            return Response(
                body=body,
                etag=reply.headers.get("ETag"),
                last_modified=reply.headers.get("Last-Modified"),
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Response(b"", etag, last_modified, not_modified=True)
        raise SourceError("http.status", url=url, status=exc.code) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError("http.unreachable", url=url, detail=str(reason)) from None
