"""Advisory file locks so two processes never run the same job on one workspace at once."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bulletin.errors import BulletinError


@contextmanager
def exclusive(path: Path, job: str, *, busy: BulletinError | None = None) -> Iterator[None]:
    """Hold `path` for `job`; a second taker gets `busy` (default: a generic 'job running')."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy or BulletinError("lock.busy", job=job, path=str(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


def held(path: Path) -> bool:
    """Whether some process holds `path` now (tried without taking it for long)."""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
