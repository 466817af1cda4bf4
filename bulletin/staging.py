"""Partial files: written under a hidden, non-audio name that carries the writer's process id,
moved into place when complete, and swept when their writer died before finishing."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

# ".<final name>.<pid>-<random>.part": a dot-file without an audio extension, so no player
# that scans a folder for *.mp3 ever picks one up, even when a kill leaves it behind.
_PARTIAL = re.compile(r"^\..+\.(\d+)-[0-9a-f]{8}\.part$")


def partial_path(final: Path) -> Path:
    """Where to write `final` before it is complete (same folder, so the rename is atomic)."""
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.part")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's live process, or not a pid of this machine: leave it
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove the partial files in `folder` whose writer is no longer running."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            entry.unlink()
            removed.append(entry)
        except OSError:
            continue
    return removed


def stale(names: list[str], final: str) -> list[str]:
    """Of `names` (in a remote folder, say), the partial files of `final` whose writer on this
    machine is no longer running: what a killed upload left behind."""
    pattern = re.compile(rf"^\.{re.escape(final)}\.(\d+)-[0-9a-f]{{8}}\.part$")
    found = []
    for name in names:
        match = pattern.match(name.rsplit("/", 1)[-1])
        if match is not None and not _alive(int(match.group(1))):
            found.append(name)
    return found
