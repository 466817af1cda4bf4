"""The folder transport: a USB stick, a shared folder or an FM transmitter PC's inbox."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from bulletin.delivery.base import AudioFile, Receipt, Target
from bulletin.errors import DeliveryError
from bulletin.store import now_iso


class FolderTransport:
    """Writes the verified bytes under a fixed name, atomically, so a player never sees half."""

    def deliver(self, audio: AudioFile, target: Target) -> Receipt:
        data = audio.read_verified()
        location = target.config.address
        if location.startswith("file://"):
            location = location[len("file://") :]
        folder = Path(location).expanduser()
        folder = folder if folder.is_absolute() else target.base_dir / folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _folder_error(target.name, folder, exc, retryable=False) from None
        final = folder / f"{audio.stem}.mp3"
        temp: Path | None = None
        try:
            fd, temp_name = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=folder)
            temp = Path(temp_name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, final)
        except OSError as exc:
            raise _folder_error(target.name, final, exc, retryable=True) from None
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)
        return Receipt(
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            remote_id=str(final),
            at=now_iso(),
        )

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
