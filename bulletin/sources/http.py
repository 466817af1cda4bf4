"""HTTP for sources on httpx: timeouts, a deadline, retries, a size cap on the decoded body,
conditional requests, per-host politeness and a clear User-Agent."""

from __future__ import annotations

import email.utils
import random
import ssl
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from bulletin import __version__
from bulletin.errors import SourceError
from bulletin.text.redact import redact

USER_AGENT = f"bulletin/{__version__} (+commune loudspeaker bulletins)"
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 30.0
"""Longest silence while connecting or reading before a try counts as timed out."""
CONNECT_TIMEOUT_S = 10.0
DEADLINE_S = 120.0
"""Wall-clock limit of one `get`, redirects and retries included, unless the caller gives one."""
RETRIES = 3
BACKOFF_S = 0.5
RETRY_AFTER_CAP_S = 60.0
MIN_INTERVAL_S = 1.0
MAX_REDIRECTS = 10
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Decoded pieces stay this small, so even a gzip bomb never sits whole in memory.
_PIECE = 256 * 1024
# Content codings we undo ourselves, in bounded pieces; we ask for nothing else.
_CODINGS = frozenset({"gzip", "x-gzip", "deflate"})
# The other registered codings compress too, and we have no bounded decoder for them. Any
# other token ("utf-8", "none": misconfigured servers) means no coding, as browsers read it.
_UNDECODABLE = frozenset(
    {"br", "zstd", "compress", "x-compress", "aes128gcm", "exi", "pack200-gzip", "dcb", "dcz"}
)
MAX_CODINGS = 2
"""Stacked codings ("gzip, gzip") a response may carry; each costs a decoder's buffers."""


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
    headers: Mapping[str, str] = field(default_factory=dict)
    """All response headers, lower-case names (Content-Disposition names attachments)."""


@dataclass(frozen=True)
class _Deadline:
    """When one `get` must be over, and how long it was given (for the message)."""

    at: float
    seconds: float
    started: float

    def left(self) -> float:
        return self.at - time.monotonic()

    def error(self, url: str, *, spent: bool = False) -> SourceError:
        """A timeout naming the limit: the whole budget, or with `spent` the time the tries
        really took, when a silent server used up the retries before the deadline."""
        seconds = min(time.monotonic() - self.started, self.seconds) if spent else self.seconds
        return SourceError("http.timeout", url=_shown(url), seconds=_seconds(seconds))


class _Retry(Exception):
    """A try failed in a way another try may fix; `error` is what to raise if none is left."""

    def __init__(self, error: SourceError, wait_s: float | None = None) -> None:
        super().__init__(error.key)
        self.error = error
        self.wait_s = wait_s


class HttpClient:
    """One per fetch run, shared by every source, so per-host politeness holds across them."""

    def __init__(
        self,
        *,
        timeout_s: float = TIMEOUT_S,
        max_bytes: int = MAX_BYTES,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        deadline_s: float = DEADLINE_S,
        retries: int = RETRIES,
        backoff_s: float = BACKOFF_S,
        retry_after_cap_s: float = RETRY_AFTER_CAP_S,
        min_interval_s: float = MIN_INTERVAL_S,
        max_redirects: int = MAX_REDIRECTS,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.connect_timeout_s = connect_timeout_s
        self.deadline_s = deadline_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.retry_after_cap_s = retry_after_cap_s
        self.min_interval_s = min_interval_s
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        # One connection pool per trust setting: a CA bundle is a property of the client.
        self._clients: dict[str | None, httpx.Client] = {}
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
        deadline_s: float | None = None,
        max_bytes: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET `url`, following redirects; 304 gives `not_modified=True` and an empty body.

        `deadline_s` bounds the whole call, redirects, retries and waits included; `timeout_s`
        bounds each silence within it (connecting, or between two pieces of the body)."""
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise SourceError(
                "http.unreachable", url=_shown(url), detail="only http:// and https://"
            )
        budget = self.deadline_s if deadline_s is None else deadline_s
        now = time.monotonic()
        deadline = _Deadline(now + budget, budget, now)
        limit = max_bytes or self.max_bytes
        request_headers = {
            "User-Agent": self.user_agent,
            "Accept-Encoding": "gzip, deflate",
            **(headers or {}),
        }
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        client = self._client(url, ca_bundle)
        attempt = 0
        while True:
            try:
                return self._follow(
                    client, url, request_headers, timeout_s or self.timeout_s, deadline, limit
                )
            except _Retry as retry:
                attempt += 1
                if attempt > self.retries:
                    raise retry.error from None
                if retry.wait_s is not None:
                    wait = retry.wait_s
                else:
                    # Exponential backoff with jitter, so clients hit by one outage spread out.
                    step = self.backoff_s * 2 ** (attempt - 1)
                    wait = step / 2 + random.uniform(0, step / 2)
                if wait >= deadline.left():
                    raise retry.error from None
                time.sleep(wait)

    def _follow(
        self,
        client: httpx.Client,
        url: str,
        headers: dict[str, str],
        timeout_s: float,
        deadline: _Deadline,
        limit: int,
    ) -> Response:
        """One try: the request and its redirects, by hand so loops and hops are ours to count."""
        # A portal may bounce once to the same URL to set a cookie; a third visit is a loop.
        visits = Counter([url])
        current = url
        for _ in range(self.max_redirects + 1):
            self._wait_turn(current, deadline, url)
            remaining = deadline.left()
            if remaining <= 0:
                raise deadline.error(url)
            timeout = httpx.Timeout(
                min(timeout_s, remaining),
                connect=min(self.connect_timeout_s, timeout_s, remaining),
            )
            try:
                with client.stream("GET", current, headers=headers, timeout=timeout) as reply:
                    if reply.status_code in _REDIRECT_STATUSES and "location" in reply.headers:
                        target = urljoin(current, reply.headers["location"].strip())
                        visits[target] += 1
                        if visits[target] > 2:
                            raise SourceError("http.redirects", url=_shown(url))
                        current = target
                        continue
                    return self._answer(reply, current, url, deadline, limit)
            except httpx.TimeoutException:
                raise _Retry(deadline.error(url, spent=True)) from None
            except httpx.ConnectError as exc:
                if _is_tls(exc):
                    raise SourceError("http.tls", url=_shown(url), detail=_detail(exc)) from None
                raise _Retry(
                    SourceError("http.unreachable", url=_shown(url), detail=_detail(exc))
                ) from None
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                raise _Retry(
                    SourceError("http.unreachable", url=_shown(url), detail=_detail(exc))
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise SourceError(
                    "http.unreachable", url=_shown(url), detail=_detail(exc)
                ) from None
        raise SourceError("http.redirects", url=_shown(url))

    def _answer(
        self, reply: httpx.Response, final_url: str, url: str, deadline: _Deadline, limit: int
    ) -> Response:
        status = reply.status_code
        fields = {k.lower(): v for k, v in reply.headers.items()}
        etag = reply.headers.get("etag")
        last_modified = reply.headers.get("last-modified")
        if status == 304:
            return Response(
                b"", final_url, 304, etag, last_modified, not_modified=True, headers=fields
            )
        if status in RETRY_STATUSES:
            wait = _retry_after(reply.headers.get("retry-after"))
            if wait is not None and wait > self.retry_after_cap_s:
                # Coming back sooner than the server asked would be rude and likely refused.
                raise SourceError("http.status", url=_shown(url), status=status)
            raise _Retry(SourceError("http.status", url=_shown(url), status=status), wait)
        if status >= 400:
            raise SourceError("http.status", url=_shown(url), status=status)
        body = self._read(reply, url, deadline, limit)
        content_type = reply.headers.get("content-type")
        return Response(
            body=body,
            url=final_url,
            status=status,
            etag=etag,
            last_modified=last_modified,
            content_type=content_type.split(";", 1)[0].strip().lower() if content_type else None,
            charset=reply.charset_encoding,
            headers=fields,
        )

    def _read(self, reply: httpx.Response, url: str, deadline: _Deadline, limit: int) -> bytes:
        """The decoded body; the cap counts decoded bytes and the deadline counts every chunk."""
        declared = reply.headers.get("content-length", "")
        codings = _codings(reply.headers.get("content-encoding", ""), url)
        if not codings and declared.isdigit() and int(declared) > limit:
            raise SourceError("http.too_big", url=_shown(url), limit_mb=_mb(limit))
        pieces: list[bytes] = []
        size = 0
        for piece in _decoded(reply.iter_raw(), codings, url):
            size += len(piece)
            if size > limit:
                raise SourceError("http.too_big", url=_shown(url), limit_mb=_mb(limit))
            pieces.append(piece)
            # A server that drips a byte a second never trips the read timeout.
            if deadline.left() < 0:
                raise deadline.error(url)
        return b"".join(pieces)

    def _wait_turn(self, url: str, deadline: _Deadline, original: str) -> None:
        """Keep `min_interval_s` between two requests to the same host, across sources."""
        if self.min_interval_s <= 0:
            return
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            if slot >= deadline.at:
                # No turn is taken: a request that gives up must not delay the next one.
                raise deadline.error(original)
            self._next_slot[host] = slot + self.min_interval_s
        if slot > now:
            time.sleep(slot - now)

    def _client(self, url: str, ca_bundle: str | None) -> httpx.Client:
        client = self._clients.get(ca_bundle)
        if client is not None:
            return client
        verify: ssl.SSLContext | bool = True
        if ca_bundle:
            # The bundle adds trust for one portal's broken chain; verification stays on.
            try:
                verify = ssl.create_default_context(cafile=ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise SourceError(
                    "http.tls", url=_shown(url), detail=f"{ca_bundle}: {exc}"
                ) from None
        client = httpx.Client(verify=verify, follow_redirects=False, http2=False)
        self._clients[ca_bundle] = client
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _codings(header: str, url: str) -> list[str]:
    """The content codings of a response, in the order the server applied them.

    Each is undone by a decoder of ours that works in bounded pieces; one we cannot undo that
    way is refused rather than handed to a decoder that inflates whole chunks at once."""
    codings = [c.strip().lower() for c in header.split(",")]
    for coding in codings:
        if coding in _UNDECODABLE:
            raise SourceError("http.encoding", url=_shown(url), encoding=coding)
    codings = [c for c in codings if c in _CODINGS]
    if len(codings) > MAX_CODINGS:
        raise SourceError("http.encoding", url=_shown(url), encoding=", ".join(codings)[:80])
    return codings


def _decoded(raw: Iterator[bytes], codings: list[str], url: str) -> Iterator[bytes]:
    """`raw` with every coding undone, last applied first; each stage passes on small pieces,
    so a bomb nested in a bomb is held back by the size cap like a single one."""
    stream = raw
    for coding in reversed(codings):
        stream = _inflated(stream, coding, url)
    return stream


def _inflated(chunks: Iterator[bytes], coding: str, url: str) -> Iterator[bytes]:
    """Undo one gzip or deflate coding in pieces of at most `_PIECE` bytes."""
    wbits = 15 if coding == "deflate" else 47  # 47: gzip or zlib header, auto-detected
    inflater = zlib.decompressobj(wbits)
    started = False
    try:
        for chunk in chunks:
            data = chunk
            while data:
                try:
                    piece = inflater.decompress(data, _PIECE)
                except zlib.error:
                    if wbits == 15 and not started:
                        # Some servers send raw deflate without the zlib header.
                        wbits = -15
                        inflater = zlib.decompressobj(wbits)
                        continue
                    raise
                started = True
                if piece:
                    yield piece
                data = inflater.unconsumed_tail
                if inflater.eof:
                    data = inflater.unused_data + data
                    if not data.startswith(b"\x1f\x8b"):
                        # Padding after the stream is common and harmless: ignore it.
                        return
                    # Concatenated gzip members are legal: start over on the next one.
                    inflater = zlib.decompressobj(wbits)
        tail = inflater.flush()
        if tail:
            yield tail
    except zlib.error as exc:
        raise SourceError("http.unreachable", url=_shown(url), detail=f"{coding}: {exc}") from None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or str(seen).startswith("[SSL"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _detail(exc: BaseException) -> str:
    return redact(str(exc) or type(exc).__name__)


def _shown(url: str) -> str:
    """The URL as errors show it: a password written into it stays out of every message."""
    return redact(url)


def _seconds(value: float) -> int | float:
    """Whole seconds, or tenths below ten seconds so a short limit is not shown as 0."""
    rounded = round(value) if value >= 10 else round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


def _mb(limit: int) -> int | float:
    return limit // 2**20 if limit >= 2**20 else round(limit / 2**20, 2)
