"""The folder transport: a USB stick, a shared folder or an FM transmitter PC's inbox."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bulletin.delivery import Receipt
from bulletin.errors import DeliveryError
from bulletin.store import now_iso
from bulletin.workspace import ControllerConfig, Workspace


def deliver_folder(
    workspace: Workspace, audio: Path, stem: str, controller: ControllerConfig, name: str
) -> Receipt:
    target_dir = workspace.resolve(controller.address)
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _folder_error(name, target_dir, exc, retryable=False) from None
    # A fixed name per (bulletin, controller): a retry overwrites, never adds a second copy.
    final = target_dir / f"{stem}.mp3"
    temp: Path | None = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".part-", suffix=".mp3", dir=target_dir)
        os.close(fd)
        temp = Path(temp_name)
        _write_in_format(audio, temp, controller)
        digest = hashlib.sha256(temp.read_bytes()).hexdigest()
        size = temp.stat().st_size
        os.replace(temp, final)
    except OSError as exc:
        raise _folder_error(name, final, exc, retryable=True) from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    return Receipt(bytes=size, sha256=digest, remote_id=str(final), at=now_iso())


def _folder_error(name: str, path: Path, exc: OSError, *, retryable: bool) -> DeliveryError:
    return DeliveryError(
        "delivery.folder",
        retryable=retryable,
        controller=name,
        path=str(path),
        detail=exc.strerror or str(exc),
    )


def _write_in_format(audio: Path, out: Path, controller: ControllerConfig) -> None:
    """Copy when the controller takes the produced format, else re-encode with ffmpeg."""
    import imageio_ffmpeg

    from bulletin.production import AudioFormat

    wanted = controller.format
    produced = AudioFormat()
    if (wanted.bitrate_kbps, wanted.sample_rate, wanted.channels) == (
        produced.bitrate_kbps,
        produced.sample_rate,
        produced.channels,
    ):
        shutil.copyfile(audio, out)
        return
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(audio),
        "-ac",
        str(wanted.channels),
        "-ar",
        str(wanted.sample_rate),
        "-codec:a",
        "libmp3lame",
        "-b:a",
        f"{wanted.bitrate_kbps}k",
        "-f",
        "mp3",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DeliveryError("delivery.encode", retryable=False, detail=done.stderr.strip()[-300:])
