"""SQLite store: schema, versioned migrations and every query, in one place."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bulletin.errors import BulletinError, NotFoundError

STATES = ("draft", "built", "approved", "rejected", "delivering", "delivered", "failed")

# Each entry moves the schema one version forward; never edit a released entry, append.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_fetch_at TEXT,
        last_status TEXT,
        last_error TEXT
    );
    CREATE TABLE announcements (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        uid TEXT NOT NULL,
        title TEXT NOT NULL,
        link TEXT,
        published TEXT,
        priority TEXT NOT NULL DEFAULT 'normal',
        tags TEXT NOT NULL DEFAULT '[]',
        body TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        duplicate_of INTEGER REFERENCES announcements(id),
        fetched_at TEXT NOT NULL,
        UNIQUE (source, uid)
    );
    CREATE INDEX announcements_hash ON announcements(content_hash);
    CREATE TABLE bulletins (
        id INTEGER PRIMARY KEY,
        programme TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('draft','built','approved','rejected','delivering','delivered','failed')),
        priority TEXT NOT NULL DEFAULT 'normal',
        voice TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        audio_path TEXT,
        audio_bytes INTEGER,
        audio_sha256 TEXT,
        duration_s REAL,
        loudness_lufs REAL,
        true_peak_dbtp REAL
    );
    CREATE TABLE bulletin_items (
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        position INTEGER NOT NULL,
        announcement_id INTEGER NOT NULL REFERENCES announcements(id),
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (bulletin_id, position)
    );
    CREATE TABLE script_sentences (
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        idx INTEGER NOT NULL,
        part TEXT NOT NULL,
        item_position INTEGER,
        text TEXT NOT NULL,
        spoken TEXT NOT NULL,
        audio_key TEXT,
        PRIMARY KEY (bulletin_id, idx)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        reason TEXT,
        audio_sha256 TEXT
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        controller TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('delivering','delivered','failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER,
        sha256 TEXT,
        remote_id TEXT,
        at TEXT NOT NULL,
        error TEXT,
        UNIQUE (bulletin_id, controller)
    );
    """,
    """
    ALTER TABLE bulletin_items ADD COLUMN engine TEXT;
    ALTER TABLE bulletin_items ADD COLUMN fallback_reason TEXT;
    ALTER TABLE bulletin_items ADD COLUMN merged TEXT NOT NULL DEFAULT '[]';
    """,
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(title: str, body: str) -> str:
    """Hash of the normalized text, so the same notice syndicated twice is recognized."""
    words = " ".join(f"{title}\n{body}".lower().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Announcement:
    """One official announcement as fetched from a source."""

    id: int
    source: str
    uid: str
    title: str
    link: str | None
    published: str | None
    priority: str
    tags: tuple[str, ...]
    body: str
    duplicate_of: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "link": self.link,
            "published": self.published,
            "priority": self.priority,
            "tags": list(self.tags),
            "body": self.body,
            "duplicate_of": self.duplicate_of,
        }


@dataclass(frozen=True)
class NewAnnouncement:
    """What a source yields before the store gives it an id."""

    uid: str
    title: str
    body: str
    link: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class ItemRecord:
    """One item of a bulletin as stored: its announcement, summary and how it was made."""

    announcement_id: int
    title: str
    summary: str
    engine: str = "lead"
    fallback_reason: str | None = None
    merged: tuple[int, ...] = ()


class StoreError(BulletinError):
    """The database is unusable (locked, corrupt, disk full)."""


class Store:
    """A connection to one workspace's database; use `tx()` for every write."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=30000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError("store.broken", path=str(path), detail=str(exc)) from None

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
        with self.tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(
                    "store.too_new", path=str(self.path), version=version, known=len(MIGRATIONS)
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _split_sql(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # sources ---------------------------------------------------------------
    def source_state(self, name: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM sources WHERE name = ?", (name,)
        ).fetchone()
        return row

    def save_fetch(
        self,
        name: str,
        kind: str,
        location: str,
        found: Sequence[NewAnnouncement],
        *,
        priority: str,
        tags: Sequence[str],
        etag: str | None = None,
        last_modified: str | None = None,
        status: str = "ok",
    ) -> list[int]:
        """Store what one source gave, skipping what is already stored; returns new ids."""
        new_ids: list[int] = []
        stamp = now_iso()
        with self.tx() as db:
            db.execute(
                """INSERT INTO sources (name, kind, location, etag, last_modified,
                       last_fetch_at, last_status, last_error)
                   VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
                   ON CONFLICT(name) DO UPDATE SET kind=excluded.kind,
                       location=excluded.location, etag=excluded.etag,
                       last_modified=excluded.last_modified,
                       last_fetch_at=excluded.last_fetch_at,
                       last_status=excluded.last_status, last_error=NULL""",
                (name, kind, location, etag, last_modified, stamp, status),
            )
            for item in found:
                digest = content_hash(item.title, item.body)
                exists = db.execute(
                    "SELECT id FROM announcements WHERE source = ? AND uid = ?", (name, item.uid)
                ).fetchone()
                if exists:
                    continue
                twin = db.execute(
                    "SELECT id FROM announcements WHERE content_hash = ? ORDER BY id LIMIT 1",
                    (digest,),
                ).fetchone()
                cursor = db.execute(
                    """INSERT INTO announcements (source, uid, title, link, published, priority,
                           tags, body, content_hash, duplicate_of, fetched_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        name,
                        item.uid,
                        item.title,
                        item.link,
                        item.published,
                        priority,
                        json.dumps(list(tags), ensure_ascii=False),
                        item.body,
                        digest,
                        twin["id"] if twin else None,
                        stamp,
                    ),
                )
                new_ids.append(int(cursor.lastrowid or 0))
        return new_ids

    def announcement_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT source, COUNT(*) FROM announcements GROUP BY source")
        return {str(r[0]): int(r[1]) for r in rows}

    def known_uids(self, source: str) -> frozenset[str]:
        rows = self.db.execute("SELECT uid FROM announcements WHERE source = ?", (source,))
        return frozenset(str(r[0]) for r in rows)

    def record_fetch_error(self, name: str, kind: str, location: str, error: str) -> None:
        with self.tx() as db:
            db.execute(
                """INSERT INTO sources (name, kind, location, last_fetch_at, last_status,
                       last_error) VALUES (?, ?, ?, ?, 'error', ?)
                   ON CONFLICT(name) DO UPDATE SET last_fetch_at=excluded.last_fetch_at,
                       last_status='error', last_error=excluded.last_error""",
                (name, kind, location, now_iso(), error),
            )

    # announcements ----------------------------------------------------------
    @staticmethod
    def _announcement(row: sqlite3.Row) -> Announcement:
        return Announcement(
            id=row["id"],
            source=row["source"],
            uid=row["uid"],
            title=row["title"],
            link=row["link"],
            published=row["published"],
            priority=row["priority"],
            tags=tuple(json.loads(row["tags"])),
            body=row["body"],
            duplicate_of=row["duplicate_of"],
        )

    def announcements(
        self, *, since: str | None = None, include_duplicates: bool = True
    ) -> list[Announcement]:
        query = "SELECT * FROM announcements WHERE 1=1"
        args: list[Any] = []
        if since:
            query += " AND COALESCE(published, fetched_at) >= ?"
            args.append(since)
        if not include_duplicates:
            query += " AND duplicate_of IS NULL"
        query += " ORDER BY COALESCE(published, fetched_at) DESC, id DESC"
        return [self._announcement(r) for r in self.db.execute(query, args)]

    def announcement(self, announcement_id: int) -> Announcement:
        row = self.db.execute(
            "SELECT * FROM announcements WHERE id = ?", (announcement_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("item.missing", id=announcement_id)
        return self._announcement(row)

    def aired_announcement_ids(self) -> set[int]:
        rows = self.db.execute(
            """SELECT i.announcement_id, i.merged FROM bulletin_items i
               JOIN bulletins b ON b.id = i.bulletin_id
               WHERE b.state IN ('approved', 'delivering', 'delivered')"""
        )
        aired: set[int] = set()
        for announcement_id, merged in rows:
            # A near-duplicate merged into an aired item was heard too.
            aired.add(int(announcement_id))
            aired.update(int(m) for m in json.loads(merged or "[]"))
        return aired

    # bulletins ---------------------------------------------------------------
    def create_draft(
        self,
        *,
        programme: str,
        priority: str,
        voice: str,
        items: Sequence[ItemRecord],
        sentences: Sequence[tuple[str, int | None, str, str]],
        actor: str,
    ) -> int:
        """A draft bulletin with its items and script (part, item, text, spoken)."""
        stamp = now_iso()
        with self.tx() as db:
            cursor = db.execute(
                """INSERT INTO bulletins (programme, state, priority, voice, created_at,
                       updated_at) VALUES (?, 'draft', ?, ?, ?, ?)""",
                (programme, priority, voice, stamp, stamp),
            )
            bulletin_id = int(cursor.lastrowid or 0)
            db.executemany(
                """INSERT INTO bulletin_items (bulletin_id, position, announcement_id, title,
                       summary, engine, fallback_reason, merged)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        bulletin_id,
                        pos,
                        item.announcement_id,
                        item.title,
                        item.summary,
                        item.engine,
                        item.fallback_reason,
                        json.dumps(list(item.merged)),
                    )
                    for pos, item in enumerate(items, start=1)
                ],
            )
            db.executemany(
                """INSERT INTO script_sentences (bulletin_id, idx, part, item_position, text,
                       spoken) VALUES (?, ?, ?, ?, ?, ?)""",
                [
                    (bulletin_id, idx, part, pos, text, spoken)
                    for idx, (part, pos, text, spoken) in enumerate(sentences)
                ],
            )
            self._audit(db, bulletin_id, actor, "create", None, "draft", None, None)
        return bulletin_id

    def finish_build(
        self,
        bulletin_id: int,
        *,
        audio_path: str,
        audio_bytes: int,
        audio_sha256: str,
        duration_s: float,
        loudness_lufs: float,
        true_peak_dbtp: float,
        audio_keys: Sequence[str],
        actor: str,
    ) -> None:
        with self.tx() as db:
            row = db.execute("SELECT state FROM bulletins WHERE id = ?", (bulletin_id,)).fetchone()
            db.execute(
                """UPDATE bulletins SET state='built', updated_at=?, audio_path=?, audio_bytes=?,
                       audio_sha256=?, duration_s=?, loudness_lufs=?, true_peak_dbtp=?
                   WHERE id=?""",
                (
                    now_iso(),
                    audio_path,
                    audio_bytes,
                    audio_sha256,
                    duration_s,
                    loudness_lufs,
                    true_peak_dbtp,
                    bulletin_id,
                ),
            )
            db.executemany(
                "UPDATE script_sentences SET audio_key=? WHERE bulletin_id=? AND idx=?",
                [(key, bulletin_id, idx) for idx, key in enumerate(audio_keys)],
            )
            self._audit(db, bulletin_id, actor, "build", row["state"], "built", None, audio_sha256)

    def finish_edit(
        self,
        bulletin_id: int,
        *,
        sentences: Sequence[tuple[int, str, str]],
        audio_keys: Sequence[str],
        audio: Any,
        actor: str,
        reason: str | None,
    ) -> None:
        """New script text and audio in one transaction; the bulletin needs approval again."""
        with self.tx() as db:
            row = db.execute("SELECT state FROM bulletins WHERE id = ?", (bulletin_id,)).fetchone()
            db.executemany(
                "UPDATE script_sentences SET text=?, spoken=?, audio_key=? "
                "WHERE bulletin_id=? AND idx=?",
                [
                    (text, spoken, key, bulletin_id, idx)
                    for (idx, text, spoken), key in zip(sentences, audio_keys, strict=True)
                ],
            )
            db.execute(
                """UPDATE bulletins SET state='built', updated_at=?, audio_path=?, audio_bytes=?,
                       audio_sha256=?, duration_s=?, loudness_lufs=?, true_peak_dbtp=?
                   WHERE id=?""",
                (
                    now_iso(),
                    str(audio.path),
                    audio.bytes,
                    audio.sha256,
                    audio.duration_s,
                    audio.loudness_lufs,
                    audio.true_peak_dbtp,
                    bulletin_id,
                ),
            )
            self._audit(db, bulletin_id, actor, "edit", row["state"], "built", reason, audio.sha256)

    def bulletin(self, bulletin_id: int) -> sqlite3.Row:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM bulletins WHERE id = ?", (bulletin_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("bulletin.missing", id=bulletin_id)
        return row

    def latest_bulletin_id(self) -> int | None:
        row = self.db.execute("SELECT MAX(id) FROM bulletins").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def bulletin_items(self, bulletin_id: int) -> list[sqlite3.Row]:
        return list(
            self.db.execute(
                "SELECT * FROM bulletin_items WHERE bulletin_id = ? ORDER BY position",
                (bulletin_id,),
            )
        )

    def sentences(self, bulletin_id: int) -> list[sqlite3.Row]:
        return list(
            self.db.execute(
                "SELECT * FROM script_sentences WHERE bulletin_id = ? ORDER BY idx",
                (bulletin_id,),
            )
        )

    def audit_log(self, bulletin_id: int) -> list[sqlite3.Row]:
        return list(
            self.db.execute("SELECT * FROM audit WHERE bulletin_id = ? ORDER BY id", (bulletin_id,))
        )

    @staticmethod
    def _audit(
        db: sqlite3.Connection,
        bulletin_id: int,
        actor: str,
        action: str,
        from_state: str | None,
        to_state: str | None,
        reason: str | None,
        sha256: str | None,
    ) -> None:
        db.execute(
            """INSERT INTO audit (bulletin_id, at, actor, action, from_state, to_state, reason,
                   audio_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (bulletin_id, now_iso(), actor, action, from_state, to_state, reason, sha256),
        )

    def transition(
        self,
        bulletin_id: int,
        *,
        expect: Sequence[str],
        to_state: str,
        actor: str,
        action: str,
        reason: str | None = None,
    ) -> str:
        """Move a bulletin between states atomically; returns the state it left."""
        from bulletin.errors import PolicyError

        with self.tx() as db:
            row = db.execute(
                "SELECT state, audio_sha256 FROM bulletins WHERE id = ?", (bulletin_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError("bulletin.missing", id=bulletin_id)
            if row["state"] not in expect:
                raise PolicyError(
                    "bulletin.wrong_state", id=bulletin_id, state=row["state"], action=action
                )
            if row["state"] != to_state:
                db.execute(
                    "UPDATE bulletins SET state=?, updated_at=? WHERE id=?",
                    (to_state, now_iso(), bulletin_id),
                )
            self._audit(
                db, bulletin_id, actor, action, row["state"], to_state, reason, row["audio_sha256"]
            )
            return str(row["state"])

    def reject_drafts(self, *, actor: str, reason: str) -> list[int]:
        """Close drafts an interrupted build left behind, so none lingers half-made."""
        with self.tx() as db:
            ids = [int(r[0]) for r in db.execute("SELECT id FROM bulletins WHERE state='draft'")]
            for bulletin_id in ids:
                db.execute(
                    "UPDATE bulletins SET state='rejected', updated_at=? WHERE id=?",
                    (now_iso(), bulletin_id),
                )
                self._audit(db, bulletin_id, actor, "reject", "draft", "rejected", reason, None)
        return ids

    def record_audit(
        self, bulletin_id: int, *, actor: str, action: str, reason: str | None = None
    ) -> None:
        """An audit entry that changes no state (e.g. the first of two approvals)."""
        with self.tx() as db:
            row = db.execute(
                "SELECT state, audio_sha256 FROM bulletins WHERE id = ?", (bulletin_id,)
            ).fetchone()
            self._audit(
                db,
                bulletin_id,
                actor,
                action,
                row["state"],
                row["state"],
                reason,
                row["audio_sha256"],
            )

    # deliveries -----------------------------------------------------------------
    def delivery(self, bulletin_id: int, controller: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM deliveries WHERE bulletin_id = ? AND controller = ?",
            (bulletin_id, controller),
        ).fetchone()
        return row

    def claim_delivery(self, bulletin_id: int, controller: str) -> bool:
        """Mark a delivery as in progress; False if it was already delivered.

        A row left 'delivering' by a crash is claimed again: transports write under a name
        fixed by (bulletin, controller), so finishing it cannot air the bulletin twice.
        """
        with self.tx() as db:
            row = db.execute(
                "SELECT state FROM deliveries WHERE bulletin_id = ? AND controller = ?",
                (bulletin_id, controller),
            ).fetchone()
            if row is not None and row["state"] == "delivered":
                return False
            db.execute(
                """INSERT INTO deliveries (bulletin_id, controller, state, attempts, at)
                   VALUES (?, ?, 'delivering', 1, ?)
                   ON CONFLICT(bulletin_id, controller) DO UPDATE SET state='delivering',
                       attempts=attempts+1, at=excluded.at, error=NULL""",
                (bulletin_id, controller, now_iso()),
            )
            return True

    def finish_delivery(
        self,
        bulletin_id: int,
        controller: str,
        *,
        ok: bool,
        bytes_sent: int | None = None,
        sha256: str | None = None,
        remote_id: str | None = None,
        error: str | None = None,
    ) -> None:
        with self.tx() as db:
            db.execute(
                """UPDATE deliveries SET state=?, bytes=?, sha256=?, remote_id=?, at=?, error=?
                   WHERE bulletin_id=? AND controller=?""",
                (
                    "delivered" if ok else "failed",
                    bytes_sent,
                    sha256,
                    remote_id,
                    now_iso(),
                    error,
                    bulletin_id,
                    controller,
                ),
            )

    def deliveries(self, bulletin_id: int | None = None) -> list[sqlite3.Row]:
        if bulletin_id is None:
            return list(self.db.execute("SELECT * FROM deliveries ORDER BY id"))
        return list(
            self.db.execute(
                "SELECT * FROM deliveries WHERE bulletin_id = ? ORDER BY id", (bulletin_id,)
            )
        )


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


@contextmanager
def open_store(path: Path) -> Iterator[Store]:
    store = Store(path)
    try:
        yield store
    finally:
        store.close()
