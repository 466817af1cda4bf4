"""The folder transport: a USB stick, a shared folder or an FM transmitter PC's inbox."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bulletin.delivery.base import AudioFile, Job, Probe, Receipt, Target
from bulletin.errors import DeliveryError
from bulletin.staging import partial_path, sweep
from bulletin.store import now_iso

# Players and the account that serves the folder read the files; only we write them.
DELIVERED_MODE = 0o644


def folder_of(target: Target) -> Path:
    """The folder a controller's address names: `file:///abs`, `file://localhost/abs`, an
    absolute path, or a path relative to the workspace. An empty address or a file URL on
    another host is refused, never read as a folder of the workspace."""
    address = target.config.address.strip()
    if address.startswith("file:"):
        parts = urlsplit(address)
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise DeliveryError(
                "delivery.folder_address", retryable=False, controller=target.name, address=address
            )
        address = unquote(parts.path)
    if not address:
        raise DeliveryError(
            "delivery.folder_address", retryable=False, controller=target.name, address=address
        )
    folder = Path(address).expanduser()
    return folder if folder.is_absolute() else target.base_dir / folder


class FolderTransport:
    """Writes the verified bytes under a fixed name, atomically, so a player never sees half."""

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        data = audio.read_verified()
        folder = folder_of(target)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _folder_error(target.name, folder, exc, retryable=False) from None
        # Left by a push that was killed: hidden, not *.mp3, and gone from here on.
        sweep(folder)
        final = folder / audio.filename
        # The partial file must sit on the controller's own filesystem (a USB stick) for the
        # rename to be atomic; its name keeps every player away from it.
        temp = partial_path(final)
        try:
            with open(temp, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temp.chmod(DELIVERED_MODE)
            os.replace(temp, final)
        except OSError as exc:
            raise _folder_error(target.name, final, exc, retryable=True) from None
        finally:
            temp.unlink(missing_ok=True)
        return Receipt(
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            remote_id=str(final),
            at=now_iso(),
        )

    def check(self, target: Target) -> Probe:
        """The folder exists (or can be made) and a file can be written in it."""
        started = time.monotonic()
        folder = folder_of(target)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = partial_path(folder / "check")
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise _folder_error(target.name, folder, exc, retryable=False) from None
        return Probe(True, str(folder), time.monotonic() - started)

    def confirm(self, audio: AudioFile, target: Target, job: Job) -> Receipt | None:
        """A push killed after the rename left the right bytes in place: nothing to redo."""
        final = folder_of(target) / audio.filename
        try:
            data = final.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        if digest != audio.sha256:
            return None
        return Receipt(bytes=len(data), sha256=digest, remote_id=str(final), at=now_iso())

    def close(self) -> None:
        return None


def _folder_error(name: str, path: Path, exc: OSError, *, retryable: bool) -> DeliveryError:
    return DeliveryError(
        "delivery.folder",
        retryable=retryable,
        controller=name,
        path=str(path),
        detail=exc.strerror or str(exc),
    )
