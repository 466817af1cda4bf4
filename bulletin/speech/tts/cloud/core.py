"""What every cloud voice shares: its profile keys, the access key read from the environment,
HTTP with timeouts and bounded retries, errors a person can act on, and decoding the audio.

The access key is read from the variable `credentials_env` names at each request, and never
written anywhere: not in the cache key, not in logs, not in an error (a vendor's message that
echoes it is redacted before it is shown).
"""

from __future__ import annotations

import email.utils
import os
import random
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bulletin.speech.tts.base import AudioChunk, PathResolver, WordedTTSError

if TYPE_CHECKING:
    import httpx

_DETAIL_CHARS = 200
# Words vendors use when an account's quota (not just the request rate) is spent: retrying
# those cannot help before the next billing period.
_QUOTA_WORDS = ("insufficient_quota", "quota", "hạn mức", "het han muc", "out of credit")


class CloudSpeechError(WordedTTSError):
    """A cloud voice failed; the message (in the user's language) names the service's host and
    what happened, never the access key."""


class CloudOptions(BaseModel):
    """Keys every cloud voice profile has; each vendor sets its own defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: str
    """The service's URL (the vendor's documented public one by default)."""
    voice: str
    credentials_env: str | None = None
    """Name of the environment variable holding the access key (never the key itself)."""
    format: Literal["mp3", "wav"] = "mp3"
    """What to ask the service for; either is decoded to samples here."""
    connect_timeout_s: float = Field(5.0, gt=0, le=120)
    read_timeout_s: float = Field(30.0, gt=0, le=600)
    """Longest wait for an answer to one request; a slower service counts as failed."""
    tries: int = Field(4, ge=1, le=10)
    """Attempts per request when the service is busy (429), failing (5xx) or unreachable."""
    backoff_s: float = Field(1.0, ge=0, le=60)
    """First wait between attempts; it doubles each time, with jitter, up to backoff_max_s."""
    backoff_max_s: float = Field(16.0, ge=0, le=300)
    retry_after_max_s: float = Field(30.0, ge=0, le=600)
    """Cap on a Retry-After the service asks for."""

    @field_validator("endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("endpoint must be an http:// or https:// URL")
        if parts.username or parts.password:
            raise ValueError("no user or password in the endpoint: use credentials_env")
        return value.strip()

    @field_validator("credentials_env")
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("_", "A").isalnum():
            raise ValueError("credentials_env is the NAME of an environment variable")
        return value


class AsyncOptions(CloudOptions):
    """For services that answer with a job to wait for rather than with the audio."""

    poll_interval_s: float = Field(1.0, gt=0, le=60)
    poll_timeout_s: float = Field(120.0, gt=0, le=1800)
    """Longest wait for the audio of one sentence once the service took the request."""


class CloudVoice:
    """Base of the cloud engines: subclasses set `name` and `Options`, and implement `_speak`
    (one sentence to audio bytes) and `_identity` (what decides the audio, for the cache)."""

    name: ClassVar[str] = "cloud"
    Options: ClassVar[type[CloudOptions]] = CloudOptions

    def __init__(self, options: CloudOptions) -> None:
        self.options = options
        self.host = urlsplit(options.endpoint).netloc
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_options(cls, options: Any, resolve: PathResolver) -> Self:
        return cls(options)

    # --- the engine protocol -------------------------------------------------------------

    def cache_key(self) -> str:
        parts = [f"{self.name}/1", f"endpoint={self.options.endpoint}"]
        parts += [f"{k}={v}" for k, v in self._identity().items()]
        return "|".join(parts)

    def synthesize(self, text: str) -> AudioChunk:
        return decode_audio(self._speak(text), self.host, text)

    def stream(self, sentences: Iterable[str]) -> Iterator[AudioChunk]:
        for sentence in sentences:
            yield self.synthesize(sentence)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.cache_key()})"

    # --- for subclasses ------------------------------------------------------------------

    def _identity(self) -> dict[str, object]:
        raise NotImplementedError

    def _speak(self, text: str) -> bytes:
        raise NotImplementedError

    def secret(self, *, required: bool = True) -> str | None:
        """The access key from the environment, read now (a key renewed while the daemon runs
        is used from the next request on)."""
        variable = self.options.credentials_env
        if variable is None:
            if required:
                raise CloudSpeechError(
                    "cloud.credentials_missing", host=self.host, variable="(credentials_env)"
                )
            return None
        value = os.environ.get(variable, "").strip()
        if not value:
            raise CloudSpeechError("cloud.credentials_missing", host=self.host, variable=variable)
        return value

    def client(self) -> httpx.Client:
        import httpx

        from bulletin import __version__

        with self._lock:
            if self._client is None:
                # No redirects by default: a key in a vendor's own header (token, api-key)
                # would follow one to any host; audio links, fetched keyless, may redirect.
                self._client = httpx.Client(
                    headers={"User-Agent": f"bulletin/{__version__}"},
                    follow_redirects=False,
                    timeout=httpx.Timeout(
                        self.options.read_timeout_s, connect=self.options.connect_timeout_s
                    ),
                )
            return self._client

    def request(
        self, method: str, url: str, *, secret: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request with bounded retries: 429, 5xx and connection failures are tried again
        after a growing, jittered wait (or the Retry-After the service asks for, capped). A
        refused key (401/403 to a request that carried `secret`), a spent quota and a slow
        answer end at once with their own error; any other answer is returned for the
        vendor's code to read."""
        import httpx

        options = self.options
        host = urlsplit(url).netloc or self.host
        last: httpx.Response | None = None
        failure = ""
        for attempt in range(1, options.tries + 1):
            try:
                response = self.client().request(method, url, **kwargs)
            except httpx.ConnectTimeout:
                failure, last = f"connect timeout {options.connect_timeout_s:g} s", None
            except httpx.TimeoutException:
                # A service this slow once will be as slow again: no retry, the caller falls
                # back instead of waiting a multiple of the timeout on every sentence.
                raise CloudSpeechError(
                    "cloud.timeout", host=host, seconds=f"{options.read_timeout_s:g}"
                ) from None
            except httpx.TransportError as exc:
                failure, last = _transport_detail(exc), None
            else:
                status = response.status_code
                if status in (401, 403) and secret is not None:
                    raise CloudSpeechError(
                        "cloud.unauthorized",
                        host=host,
                        status=status,
                        variable=options.credentials_env or "(credentials_env)",
                    )
                if status == 429 and _quota_spent(response):
                    raise self.quota_error(response, attempt, secret)
                if status != 429 and status < 500:
                    return response
                last = response
            if attempt < options.tries:
                time.sleep(self._delay(attempt, last))
        if last is None:
            raise CloudSpeechError(
                "cloud.unreachable", host=host, tries=options.tries, detail=failure
            )
        if last.status_code == 429:
            raise self.quota_error(last, options.tries, secret)
        raise CloudSpeechError(
            "cloud.server", host=host, status=last.status_code, tries=options.tries
        )

    def quota_error(
        self, response: httpx.Response, tries: int, secret: str | None
    ) -> CloudSpeechError:
        detail = vendor_detail(response, secret)
        return CloudSpeechError(
            "cloud.quota",
            host=urlsplit(str(response.request.url)).netloc or self.host,
            status=response.status_code,
            tries=tries,
            detail=f": {detail}" if detail else "",
        )

    def rejected(self, response: httpx.Response, secret: str | None) -> CloudSpeechError:
        """A 4xx answer (or a vendor's error document) as an error naming what it said."""
        detail = vendor_detail(response, secret)
        if _mentions_quota(detail):
            return self.quota_error(response, 1, secret)
        return CloudSpeechError(
            "cloud.rejected",
            host=self.host,
            status=response.status_code,
            detail=f": {detail}" if detail else "",
        )

    def poll(self, url: str, job: str, ready: Any, *, secret: str | None = None) -> Any:
        """Ask `url` every poll_interval_s until `ready(response)` returns something other
        than None, for at most poll_timeout_s; `secret` goes only to the service's own host."""
        options = self.options
        assert isinstance(options, AsyncOptions)
        deadline = time.monotonic() + options.poll_timeout_s
        headers = self.auth_headers(secret) if secret and _same_host(url, self.host) else {}
        while True:
            response = self.request(
                "GET",
                url,
                headers=headers,
                secret=secret if headers else None,
                follow_redirects=not headers,
            )
            found = ready(response)
            if found is not None:
                return found
            if time.monotonic() + options.poll_interval_s > deadline:
                raise CloudSpeechError(
                    "cloud.poll_timeout",
                    host=urlsplit(url).netloc,
                    job=job,
                    seconds=f"{options.poll_timeout_s:g}",
                )
            time.sleep(options.poll_interval_s)

    def auth_headers(self, secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    def download(self, url: str) -> bytes:
        """An audio link the service gave: fetched without the access key, which belongs to
        the service, not to the storage the link points at."""
        response = self.request("GET", url, follow_redirects=True)
        if response.status_code != 200:
            raise CloudSpeechError(
                "cloud.rejected",
                host=urlsplit(url).netloc,
                status=response.status_code,
                detail="",
            )
        return response.content

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        options = self.options
        asked = _retry_after(response) if response is not None else None
        if asked is not None:
            return min(asked, options.retry_after_max_s)
        step = min(options.backoff_s * 2 ** (attempt - 1), options.backoff_max_s)
        # Jitter: stations that lost the service together do not all come back together.
        return step * random.uniform(0.5, 1.0)


def _same_host(url: str, host: str) -> bool:
    return urlsplit(url).netloc == host


def _transport_detail(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:_DETAIL_CHARS]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _mentions_quota(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _QUOTA_WORDS)


def _quota_spent(response: httpx.Response) -> bool:
    """A 429 that says the account's quota is spent (OpenAI's `insufficient_quota`), as
    opposed to "slow down", which a retry can outlast."""
    try:
        return _mentions_quota(response.text[:2000])
    except (UnicodeDecodeError, LookupError):
        return False


def vendor_detail(response: httpx.Response, secret: str | None) -> str:
    """What the service said about an error, short, on one line, with the key blotted out."""
    try:
        document = response.json()
    except ValueError:
        document = None
    text = ""
    if isinstance(document, dict):
        text = _message_in(document)
    if not text:
        try:
            text = response.text
        except (UnicodeDecodeError, LookupError):
            text = ""
        if "<html" in text[:200].lower():
            text = ""
    return redact(" ".join(text.split())[:_DETAIL_CHARS], secret)


def _message_in(document: dict[str, Any]) -> str:
    """The human part of a vendor's error document: OpenAI's error.message, Vbee's
    error_message, Viettel's vi_message/en_message, FPT's message."""
    error = document.get("error")
    if isinstance(error, dict):
        parts = [str(error.get(k)) for k in ("code", "message") if error.get(k)]
        return " ".join(parts)
    for key in ("error_message", "vi_message", "en_message", "message", "msg", "detail"):
        value = document.get(key)
        if isinstance(value, str) and value.strip():
            code = document.get("error_code") or document.get("code")
            return f"{code}: {value}" if code not in (None, "", 0) else value
    return ""


def redact(text: str, secret: str | None) -> str:
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text


def decode_audio(data: bytes, host: str, text: str) -> AudioChunk:
    """Audio bytes (MP3, WAV, anything ffmpeg reads) as int16 mono samples at their own rate."""
    import numpy as np

    from bulletin.errors import BulletinError
    from bulletin.production.ffmpeg import decode

    head = data[:64].lstrip()
    if not data or head[:1] in (b"{", b"[", b"<"):
        shown = " ".join(data[:80].decode("utf-8", "replace").split()) or "empty"
        raise CloudSpeechError("cloud.not_audio", host=host, detail=shown)
    with tempfile.TemporaryDirectory(prefix="bulletin-cloud-") as folder:
        path = Path(folder) / "answer"
        path.write_bytes(data)
        try:
            samples, rate = decode(path)
        except (BulletinError, RuntimeError) as exc:
            raise CloudSpeechError(
                "cloud.not_audio", host=host, detail=f"{len(data)} bytes: {str(exc)[-120:]}"
            ) from None
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    if mono.size == 0:
        raise CloudSpeechError("cloud.not_audio", host=host, detail="no samples")
    pcm = np.clip(np.rint(mono * 32767.0), -32768, 32767).astype(np.int16)
    return AudioChunk(pcm, rate, text)
