"""SQLite store of one workspace: the connection, transactions and migrations.

Queries live per area (announcements, bulletins, deliveries, users, audit); every state change
goes through `bulletin.states`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bulletin.domain import Announcement, ItemRecord, NewAnnouncement
from bulletin.errors import BulletinError
from bulletin.store import schema
from bulletin.store.alerts import AlertQueries
from bulletin.store.announcements import AnnouncementQueries
from bulletin.store.audit import AuditQueries
from bulletin.store.base import content_hash, now_iso
from bulletin.store.bulletins import BulletinQueries
from bulletin.store.caches import CacheQueries
from bulletin.store.deliveries import DeliveryQueries
from bulletin.store.emergencies import EmergencyQueries
from bulletin.store.scheduling import SchedulingQueries
from bulletin.store.sessions import SessionQueries
from bulletin.store.users import UserQueries

__all__ = [
    "Announcement",
    "ItemRecord",
    "NewAnnouncement",
    "Store",
    "StoreError",
    "content_hash",
    "now_iso",
    "open_store",
]


class StoreError(BulletinError):
    """The database is unusable (locked, corrupt, disk full)."""


class Store(
    AnnouncementQueries,
    BulletinQueries,
    DeliveryQueries,
    UserQueries,
    AuditQueries,
    CacheQueries,
    SchedulingQueries,
    EmergencyQueries,
    AlertQueries,
    SessionQueries,
):
    """A connection to one workspace's database; every write is one `tx()`."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly and self._open_readonly():
            return
        private_dir(path.parent)
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            # REPLACE deletes the row it replaces: with recursive triggers that delete meets the
            # audit log's no-delete trigger instead of silently rewriting history.
            self.db.execute("PRAGMA recursive_triggers=ON")
            self._migrate()
            self.db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError("store.broken", path=str(path), detail=str(exc)) from None
        for suffix in ("", "-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                side.chmod(0o600)

    def _open_readonly(self) -> bool:
        """Open for reading only, so commands that only read work on a read-only workspace.

        False when a read-only connection cannot serve: no store yet, or one that needs a
        migration first (the caller then opens it for writing).
        """
        if not self.path.exists():
            return False
        uri = self.path.resolve().as_uri()
        for mode in ("mode=ro", "mode=ro&immutable=1"):
            # Without write access to the folder, WAL's shared-memory file cannot be made;
            # an immutable open reads the file as it is.
            try:
                self.db = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=30)
                self.db.row_factory = sqlite3.Row
                self.db.execute("PRAGMA busy_timeout=30000")
                version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
            except sqlite3.DatabaseError:
                continue
            if version == len(schema.MIGRATIONS):
                return True
            self.db.close()
            return False
        raise StoreError("store.broken", path=str(self.path), detail="read-only open failed")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: all of it lands, or none of it (Ctrl-C included)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def _migrate(self) -> None:
        # An up-to-date store (every open but the first) takes no write lock: a fan-out opens
        # a connection per delivery, and each would otherwise queue for the writer.
        if self.db.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS):
            return
        # Tables are rebuilt with foreign keys off (they cannot change inside a transaction);
        # the check below proves no reference broke before the migration commits.
        self.db.execute("PRAGMA foreign_keys=OFF")
        with self.tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(schema.MIGRATIONS):
                raise StoreError(
                    "store.too_new",
                    path=str(self.path),
                    version=version,
                    known=len(schema.MIGRATIONS),
                )
            for number, migration in enumerate(schema.MIGRATIONS[version:], start=version + 1):
                schema.apply(db, migration)
                db.execute(f"PRAGMA user_version = {number}")
            broken = db.execute("PRAGMA foreign_key_check").fetchone()
            if broken is not None:
                raise StoreError("store.broken", path=str(self.path), detail=str(tuple(broken)))

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])


def private_dir(path: Path) -> None:
    """Data folders are the station's own: no one else on the machine reads or writes them."""
    path.mkdir(parents=True, exist_ok=True)
    if os.stat(path).st_mode & 0o077:
        path.chmod(0o700)


@contextmanager
def open_store(path: Path, *, readonly: bool = False) -> Iterator[Store]:
    store = Store(path, readonly=readonly)
    try:
        yield store
    finally:
        store.close()
