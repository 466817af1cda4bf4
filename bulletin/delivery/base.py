"""The transport contract: the exact approved bytes in, a receipt or a typed error out."""

from __future__ import annotations

import hashlib
import os
import ssl
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bulletin.errors import DeliveryError, PolicyError
from bulletin.workspace import ControllerConfig


@dataclass(frozen=True)
class Receipt:
    """Proof of one delivery: what was sent, its checksum, where it landed and what the
    remote side answered."""

    bytes: int
    sha256: str
    remote_id: str
    at: str
    ack: str | None = None
    """The remote acknowledgement as received (a device's answer, an MQTT ack, a 201)."""


@dataclass(frozen=True)
class AudioFile:
    """The audio to send and the SHA-256 it must have: the approved audio, or a rendition
    in the controller's format whose recorded hash was made from the approved audio."""

    path: Path
    sha256: str
    stem: str
    """A name fixed per bulletin, so a retry overwrites rather than adds a second copy."""
    suffix: str = ".mp3"

    @property
    def filename(self) -> str:
        return f"{self.stem}{self.suffix}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.suffix, "application/octet-stream")

    def read_verified(self) -> bytes:
        """The file's bytes, refused when they are not the bytes that were approved."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise DeliveryError(
                "delivery.audio_unreadable", retryable=False, path=str(self.path), detail=str(exc)
            ) from None
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise AudioMismatchError("audio.changed_on_disk", path=str(self.path))
        _remember(self)
        return data

    def verify(self) -> int:
        """Check, without keeping the bytes, that the file is the approved one; its size. For
        transports that send a URL rather than bytes. A file version already checked in this
        process (same size and modification time) is not read again, so a fan-out to a thousand
        devices hashes the audio once, not a thousand times."""
        try:
            info = self.path.stat()
        except OSError as exc:
            raise DeliveryError(
                "delivery.audio_unreadable", retryable=False, path=str(self.path), detail=str(exc)
            ) from None
        key = (str(self.path), info.st_size, info.st_mtime_ns, self.sha256)
        with _VERIFIED_LOCK:
            if key in _VERIFIED:
                return info.st_size
        return len(self.read_verified())


_VERIFIED: set[tuple[str, int, int, str]] = set()
_VERIFIED_LOCK = threading.Lock()


def _remember(audio: AudioFile) -> None:
    try:
        info = audio.path.stat()
    except OSError:
        return
    with _VERIFIED_LOCK:
        _VERIFIED.add((str(audio.path), info.st_size, info.st_mtime_ns, audio.sha256))


CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
}


class AudioMismatchError(PolicyError):
    """The bytes about to be sent are not the approved ones: never send them."""


@dataclass(frozen=True)
class Credentials:
    """What a controller needs to let us in, resolved from its environment variable or file."""

    username: str | None = None
    password: str | None = None
    token: str | None = None


@dataclass(frozen=True)
class Target:
    """One controller as a transport sees it: its settings and resolved credentials."""

    name: str
    config: ControllerConfig
    credentials: Credentials | None
    base_dir: Path
    """Where a relative folder address lies (the workspace root)."""
    public_url: str = ""
    """Where devices that fetch audio by URL reach `bulletin serve`."""
    timeout: float = 60.0
    """Seconds one attempt may take, connecting included."""

    def ssl_context(self) -> ssl.SSLContext:
        """TLS verified by default, against the controller's own CA bundle when it names one."""
        context = ssl.create_default_context(
            cafile=str(self.base_dir / self.config.ca_bundle) if self.config.ca_bundle else None
        )
        if not self.config.tls_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


@dataclass(frozen=True)
class Job:
    """What one delivery is about, beyond the audio: the same for every attempt."""

    bulletin_id: int
    title: str
    station: str
    key: str
    """The idempotency key of (bulletin, controller): devices and servers that keep one
    see a retry as the same delivery."""
    air_at: datetime | None = None
    """When to play, aware; None is now."""
    media_url: str = ""
    """The URL of this delivery's audio on `bulletin serve` (its own token)."""
    fetched: Callable[[float], Fetch | None] | None = None
    """Wait up to N seconds for a device to have fetched `media_url` completely."""
    sent: Callable[[str], None] | None = None
    """Record that a command went out (with the remote answer), before waiting on the
    device, so a push killed after this point can confirm instead of sending it again."""
    was_sent: str | None = None
    """The answer recorded by `sent` in an earlier, interrupted attempt."""


@dataclass(frozen=True)
class Fetch:
    """A complete download of a delivery's media URL, as `bulletin serve` saw it."""

    bytes: int
    completed_at: str
    client: str


@dataclass(frozen=True)
class Probe:
    """What `controllers check` found, without delivering anything."""

    ok: bool
    detail: str
    seconds: float


@dataclass(frozen=True)
class DeviceStatus:
    """One device's state as its protocol reports it."""

    device: str
    status: str  # online | offline | playing | idle | unknown, or the device's own word
    seen_at: str | None
    detail: str = ""


class Transport(Protocol):
    """One protocol. Built with no arguments once per push and closed after, so it may hold a
    connection across controllers, but `deliver` may be called from several threads at once;
    a controller's own settings live under `controllers.NAME.<transport>` and are read with
    `target.config.options(Model)`.

    Optional methods, found with getattr:
    - `check(target) -> Probe`: reachability and authentication, delivering nothing;
    - `status(target) -> list[DeviceStatus]`: the device's state, where the protocol has one;
    - `confirm(audio, target, job) -> Receipt | None`: after a push was killed mid-delivery,
      whether that delivery completed anyway (then it is not sent again).
    """

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        """Send the audio; raise `DeliveryError(retryable=...)` when it cannot be sent."""
        ...

    def close(self) -> None: ...


def resolve_credentials(
    config: ControllerConfig, name: str, base_dir: Path | None = None
) -> Credentials | None:
    """`user:password` or a token, from the controller's environment variable or its 0600 file."""
    if config.credentials_file:
        path = Path(config.credentials_file).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        try:
            mode = path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise DeliveryError(
                    "delivery.credentials_file_mode",
                    retryable=False,
                    controller=name,
                    path=str(path),
                    mode=f"{stat.S_IMODE(mode):04o}",
                )
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DeliveryError(
                "delivery.credentials_file",
                retryable=False,
                controller=name,
                path=str(path),
                detail=exc.strerror or str(exc),
            ) from None
    elif config.credentials_env:
        found = os.environ.get(config.credentials_env)
        if found is None:
            raise DeliveryError(
                "delivery.no_credentials",
                retryable=False,
                controller=name,
                env=config.credentials_env,
            )
        value = found.strip()
    else:
        return None
    user, sep, password = value.partition(":")
    if sep:
        return Credentials(username=user, password=password)
    return Credentials(token=value)


def secrets_of(credentials: Credentials | None) -> list[str]:
    """The values an error message or log line must never show."""
    if credentials is None:
        return []
    return [v for v in (credentials.password, credentials.token) if v]


def network_error(name: str, exc: BaseException, *, what: str = "") -> DeliveryError:
    """A socket-level failure as a typed error: refused, reset, unreachable and timeouts can
    pass, so they are retryable."""
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return DeliveryError(
        "delivery.network", retryable=True, controller=name, what=what, detail=detail[:300]
    )


def auth_error(name: str, detail: str) -> DeliveryError:
    """The controller refused our credentials: trying again cannot help."""
    return DeliveryError("delivery.auth", retryable=False, controller=name, detail=detail[:300])
