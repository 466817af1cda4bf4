"""A `Station`: one workspace as every use case sees it, from the CLI, the desk or the daemon."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from bulletin.errors import BulletinError, InputError, NotFoundError
from bulletin.locks import exclusive
from bulletin.store import Store, open_store, private_dir
from bulletin.workspace import Workspace

T = TypeVar("T")

# Engines load models once per process and are shared by every Station of that process.
_ENGINES: dict[tuple[Any, ...], Any] = {}
_ENGINES_LOCK = threading.Lock()


class Station:
    """A workspace, a store opened per unit of work, and engines cached per process.

    SQLite connections are not shared across threads, so each `store()` opens its own; a web
    request or a scheduler job makes one unit of work.
    """

    def __init__(self, workspace: Workspace, *, lang: str | None = None) -> None:
        self.workspace = workspace
        self.lang = lang
        """The language of messages for this caller (a web request's); None: $BULLETIN_LANG."""
        _private_dirs(workspace)

    @classmethod
    def open(cls, path: Path | None = None, *, lang: str | None = None) -> Station:
        """--workspace DIR, else $BULLETIN_WORKSPACE, else the current folder upward."""
        from bulletin import workspace

        return cls(workspace.find(path), lang=lang)

    @property
    def root(self) -> Path:
        return self.workspace.root

    @contextmanager
    def store(self, *, readonly: bool = False) -> Iterator[Store]:
        """The store for one unit of work; `readonly` for use cases that only read, so they
        work on a read-only copy of a workspace and never wait for a writer."""
        with open_store(self.workspace.db_path, readonly=readonly) as store:
            yield store

    def lock(self, job: str) -> AbstractContextManager[None]:
        """A workspace-wide job lock (one build at a time); a second taker is refused."""
        return exclusive(self.workspace.data_dir / f"{job}.lock", job)

    def bulletin_lock(self, bulletin_id: int) -> AbstractContextManager[None]:
        """Serializes what reads or replaces one bulletin's audio: an edit and a push."""
        return exclusive(
            self.workspace.data_dir / "locks" / f"bulletin-{bulletin_id}.lock",
            "bulletin",
            busy=BulletinError("bulletin.busy", id=bulletin_id),
        )

    def audio_file(self, relative: str | None) -> Path:
        """The file a stored audio path names, which must lie inside this workspace."""
        if not relative:
            raise NotFoundError("audio.missing", path="-")
        parts = PurePosixPath(relative)
        if parts.is_absolute() or ".." in parts.parts:
            raise InputError("audio.outside", path=relative)
        return self.root / Path(*parts.parts)

    def relative(self, path: Path) -> str:
        """How the store records a file of this workspace."""
        return path.resolve().relative_to(self.root).as_posix()

    def engine(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """The engine cached under `key` in this process, made on first use."""
        full_key = (str(self.root), *key)
        with _ENGINES_LOCK:
            if full_key in _ENGINES:
                cached: T = _ENGINES[full_key]
                return cached
        made = make()
        with _ENGINES_LOCK:
            return _ENGINES.setdefault(full_key, made)


def _private_dirs(workspace: Workspace) -> None:
    """The store, audio and cache are the station's own: no one else on the machine may read
    or write them."""
    for folder in (workspace.data_dir, workspace.audio_dir, workspace.cache_dir):
        try:
            private_dir(folder)
        except OSError:
            continue  # a read-only workspace still reads; writes will say what is wrong
