"""HTTP upload to a controller's API: PUT the file to a URL, or POST it as multipart form
data, with an idempotency key so a retry is the same delivery to the server."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ssl
import time
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict

from bulletin.delivery.base import (
    AudioFile,
    Credentials,
    Job,
    Probe,
    Receipt,
    Target,
    auth_error,
    secrets_of,
)
from bulletin.errors import DeliveryError
from bulletin.store import now_iso
from bulletin.text.redact import redact

# Answers that a later attempt may not get: timeouts, rate limits and server errors.
_RETRY_LATER = {408, 425, 429}
_DISK_FULL = 507


class Options(BaseModel):
    """`controllers.NAME.http-upload` in controllers.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["put", "post"] = "put"
    """put: the file is the body, at the address (+ file name when it ends with '/');
    post: a multipart form with the file in `field`."""
    field: str = "file"
    auth: Literal["bearer", "basic"] | None = None
    """How credentials are sent; by default a token as bearer, `user:password` as basic."""


class HttpUploadTransport:
    """One short-lived client per call (each controller has its own TLS settings), so
    `deliver` is safe from several threads at once."""

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        data = audio.read_verified()
        digest = hashlib.sha256(data)
        options = target.config.options(Options)
        url = _upload_url(target, audio, options)
        headers = {
            "Idempotency-Key": job.key,
            "X-Bulletin-Id": str(job.bulletin_id),
            "Repr-Digest": f"sha-256=:{base64.b64encode(digest.digest()).decode()}:",
        }
        if job.air_at is not None:
            headers["X-Air-At"] = job.air_at.isoformat()
        method = options.method.upper()
        request: dict[str, Any] = {"headers": headers}
        if options.method == "put":
            headers["Content-Type"] = audio.content_type
            request["content"] = data
        else:
            request["files"] = {options.field: (audio.filename, data, audio.content_type)}
        with _client(target, options) as client:
            response = _send(target, method, lambda: client.request(method, url, **request))
        _refuse_failure(target, method, response)
        found = _reported_sha256(response)
        if found is not None and found != digest.hexdigest():
            raise DeliveryError(
                "upload.checksum_mismatch",
                retryable=True,
                controller=target.name,
                found=found,
                sent=digest.hexdigest(),
            )
        return Receipt(
            bytes=len(data),
            sha256=digest.hexdigest(),
            remote_id=_remote_id(response, url),
            at=now_iso(),
            ack=_ack(target, response),
        )

    def check(self, target: Target) -> Probe:
        """HEAD the address (OPTIONS when HEAD is not allowed) with the credentials: reachable
        and not refusing us, uploading nothing."""
        started = time.monotonic()
        options = target.config.options(Options)
        url = target.config.address
        with _client(target, options) as client:
            response = _send(target, "HEAD", lambda: client.head(url))
            if response.status_code in (405, 501):
                response = _send(target, "OPTIONS", lambda: client.options(url))
        if response.status_code in (401, 403) or response.status_code >= 500:
            _refuse_failure(target, response.request.method, response)
        return Probe(True, f"{url} {_ack(target, response)}", time.monotonic() - started)

    def confirm(self, audio: AudioFile, target: Target, job: Job) -> Receipt | None:
        """For PUT, the file at its URL has the approved size (and checksum, when the server
        tells one). A POSTed file has no URL of its own to ask about."""
        options = target.config.options(Options)
        if options.method != "put":
            return None
        url = _upload_url(target, audio, options)
        size = len(audio.read_verified())
        with _client(target, options) as client:
            response = _send(target, "HEAD", lambda: client.head(url))
        if response.status_code != 200:
            return None
        if response.headers.get("Content-Length") != str(size):
            return None
        found = _reported_sha256(response)
        if found is not None and found != audio.sha256:
            return None
        return Receipt(
            bytes=size, sha256=audio.sha256, remote_id=url, at=now_iso(), ack=_ack(target, response)
        )

    def close(self) -> None:
        return None


def _upload_url(target: Target, audio: AudioFile, options: Options) -> str:
    address = target.config.address
    if not address.lower().startswith(("http://", "https://")):
        raise DeliveryError(
            "upload.address",
            retryable=False,
            controller=target.name,
            address=address,
            transport="http-upload",
            expected="http(s)://HOST/PATH",
        )
    if options.method == "put" and address.endswith("/"):
        return address + audio.filename
    return address


def _client(target: Target, options: Options) -> httpx.Client:
    # Plain HTTP needs no TLS context (building one reads the system's CA store).
    context: ssl.SSLContext | bool = False
    if target.config.address.lower().startswith("https:"):
        try:
            context = target.ssl_context()
        except OSError as exc:  # a ca_bundle that cannot be read
            raise DeliveryError(
                "upload.tls", retryable=False, controller=target.name, detail=str(exc)[:300]
            ) from None
    return httpx.Client(
        verify=context,
        timeout=httpx.Timeout(target.timeout),
        auth=_auth(target, options),
        follow_redirects=False,
    )


def _auth(target: Target, options: Options) -> httpx.Auth | None:
    creds: Credentials | None = target.credentials
    if creds is None:
        return None
    mode = options.auth or ("basic" if creds.username and creds.password else "bearer")
    if mode == "basic":
        if not (creds.username and creds.password is not None):
            raise auth_error(target.name, "basic auth needs user:password")
        return httpx.BasicAuth(creds.username, creds.password)
    token = creds.token or creds.password
    if not token:
        raise auth_error(target.name, "bearer auth needs a token")
    return _Bearer(token)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self._header
        yield request


def _send(target: Target, method: str, call: Any) -> httpx.Response:
    """Run one request, turning transport failures into typed errors."""
    hidden = secrets_of(target.credentials)
    try:
        response: httpx.Response = call()
        return response
    except httpx.InvalidURL:
        raise DeliveryError(
            "upload.address",
            retryable=False,
            controller=target.name,
            address=target.config.address,
            transport="http-upload",
            expected="http(s)://HOST/PATH",
        ) from None
    except httpx.TransportError as exc:
        detail = redact(str(exc) or type(exc).__name__, hidden)[:300]
        if _tls_refused(exc):
            raise DeliveryError(
                "upload.tls", retryable=False, controller=target.name, detail=detail
            ) from None
        if isinstance(exc, httpx.UnsupportedProtocol):
            raise DeliveryError(
                "upload.address",
                retryable=False,
                controller=target.name,
                address=target.config.address,
                transport="http-upload",
                expected="http(s)://HOST/PATH",
            ) from None
        # Refused, reset, timed out: the next attempt may get through.
        raise DeliveryError(
            "delivery.network",
            retryable=True,
            controller=target.name,
            what=f"{method} ",
            detail=detail,
        ) from None


def _tls_refused(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _refuse_failure(target: Target, method: str, response: httpx.Response) -> None:
    """Raise the typed error for an answer that is not a success."""
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = _ack(target, response)
    body = redact(" ".join(response.text.split()), secrets_of(target.credentials))[:200]
    if status in (401, 403):
        raise auth_error(target.name, detail)
    if status == _DISK_FULL:
        raise DeliveryError(
            "upload.disk_full", retryable=False, controller=target.name, detail=detail
        )
    if status in _RETRY_LATER or status >= 500:
        raise DeliveryError(
            "upload.server_busy", retryable=True, controller=target.name, what=method, detail=detail
        )
    raise DeliveryError(
        "upload.refused",
        retryable=False,
        controller=target.name,
        what=method,
        detail=f"{detail}: {body}" if body else detail,
    )


def _reported_sha256(response: httpx.Response) -> str | None:
    """The SHA-256 the server says it stored, as hex: a Repr-Digest header, an
    X-Checksum-SHA256 header or a JSON body's `sha256`; None when it says none."""
    for part in response.headers.get("Repr-Digest", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "sha-256" and value.startswith(":") and value.endswith(":"):
            try:
                return base64.b64decode(value[1:-1], validate=True).hex()
            except (binascii.Error, ValueError):
                return "unreadable"
    header = response.headers.get("X-Checksum-SHA256")
    if header:
        return header.strip().lower()
    found = _json(response).get("sha256")
    return found.lower() if isinstance(found, str) else None


def _remote_id(response: httpx.Response, url: str) -> str:
    body = _json(response)
    for key in ("id", "url", "location"):
        value = body.get(key)
        if isinstance(value, str | int) and str(value):
            return str(value)[:300]
    return response.headers.get("Location", url)[:300]


def _json(response: httpx.Response) -> dict[str, Any]:
    if "json" not in response.headers.get("Content-Type", ""):
        return {}
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _ack(target: Target, response: httpx.Response) -> str:
    text = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    return redact(text, secrets_of(target.credentials))[:200]
