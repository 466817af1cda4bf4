"""The transport contract: the exact approved bytes in, a receipt or a typed error out."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bulletin.errors import DeliveryError, PolicyError
from bulletin.workspace import ControllerConfig


@dataclass(frozen=True)
class Receipt:
    """Proof of one delivery: what was sent, its checksum and where it landed."""

    bytes: int
    sha256: str
    remote_id: str
    at: str


@dataclass(frozen=True)
class AudioFile:
    """The audio to send and the SHA-256 it must have: the approved audio, or a rendition
    in the controller's format whose recorded hash was made from the approved audio."""

    path: Path
    sha256: str
    stem: str
    """A name fixed per bulletin, so a retry overwrites rather than adds a second copy."""

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
        return data


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


class Transport(Protocol):
    """One protocol. Built with no arguments once per push and closed after, so it may hold a
    connection across controllers; a controller's own settings for it live under
    `controllers.NAME.<transport>` and are read with `target.config.options(Model)`."""

    def deliver(self, audio: AudioFile, target: Target) -> Receipt:
        """Send the audio; raise `DeliveryError(retryable=...)` when it cannot be sent."""
        ...

    def close(self) -> None: ...


def resolve_credentials(config: ControllerConfig, name: str) -> Credentials | None:
    """`user:password` or a token from the controller's environment variable."""
    if not config.credentials_env:
        return None
    value = os.environ.get(config.credentials_env)
    if value is None:
        raise DeliveryError(
            "delivery.no_credentials", retryable=False, controller=name, env=config.credentials_env
        )
    user, sep, password = value.partition(":")
    if sep:
        return Credentials(username=user, password=password)
    return Credentials(token=value)
