"""HTTP for sources: timeouts, size cap, conditional requests, a clear User-Agent."""

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
    """One answer: the body (decompressed), where it came from, and its validators."""

    body: bytes
    url: str
    """The final URL, after redirects."""
    status: int
    etag: str | None
    last_modified: str | None
    content_type: str | None = None
    charset: str | None = None
    """The charset the server declared, which may be wrong."""
    not_modified: bool = False


class HttpClient:
    """One per fetch run, shared by every source, so per-host politeness holds across them."""

    def __init__(self, *, timeout_s: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
    ) -> Response:
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s or self.timeout_s) as reply:
                body = reply.read(self.max_bytes + 1)
                if len(body) > self.max_bytes:
                    raise SourceError("http.too_big", url=url, limit_mb=self.max_bytes // 2**20)
                if reply.headers.get("Content-Encoding", "").lower() == "gzip":
                    body = gzip.decompress(body)
                return Response(
                    body=body,
                    url=reply.url,
                    status=reply.status,
                    etag=reply.headers.get("ETag"),
                    last_modified=reply.headers.get("Last-Modified"),
                    content_type=reply.headers.get_content_type(),
                    charset=reply.headers.get_content_charset(),
                )
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(b"", url, 304, etag, last_modified, not_modified=True)
            raise SourceError("http.status", url=url, status=exc.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceError("http.unreachable", url=url, detail=str(reason)) from None

    def close(self) -> None:
        return None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
