"""Sources and announcements in the store: what each fetch found, never stored twice."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bulletin.domain import Announcement, NewAnnouncement
from bulletin.errors import NotFoundError
from bulletin.store.base import QueryBase, content_hash, now_iso


@dataclass(frozen=True)
class SourceState:
    """What the store remembers of a source's last fetch."""

    name: str
    kind: str
    location: str
    etag: str | None
    last_modified: str | None
    last_fetch_at: str | None
    last_status: str | None
    last_error: str | None


class AnnouncementQueries(QueryBase):
    def source_state(self, name: str) -> SourceState | None:
        row = self.db.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        return (
            None if row is None else SourceState(**dict(zip(row.keys(), tuple(row), strict=True)))
        )

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
        return list(self.each_announcement(since=since, include_duplicates=include_duplicates))

    def each_announcement(
        self, *, since: str | None = None, include_duplicates: bool = True
    ) -> Iterator[Announcement]:
        """Announcements newest first, one at a time: a backlog of any size is never held
        in memory at once."""
        query = "SELECT * FROM announcements WHERE 1=1"
        args: list[Any] = []
        if since:
            query += " AND COALESCE(published, fetched_at) >= ?"
            args.append(since)
        if not include_duplicates:
            query += " AND duplicate_of IS NULL"
        query += " ORDER BY COALESCE(published, fetched_at) DESC, id DESC"
        for row in self.db.execute(query, args):
            yield self._announcement(row)

    def announcement(self, announcement_id: int) -> Announcement:
        row = self.db.execute(
            "SELECT * FROM announcements WHERE id = ?", (announcement_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("item.missing", id=announcement_id)
        return self._announcement(row)

    def aired_announcement_ids(self) -> set[int]:
        from bulletin.states import AIRED

        rows = self.db.execute(
            """SELECT i.announcement_id, i.merged FROM bulletin_items i
               JOIN bulletins b ON b.id = i.bulletin_id
               WHERE b.state IN (?, ?, ?, ?)""",
            tuple(sorted(AIRED)),
        )
        aired: set[int] = set()
        for announcement_id, merged in rows:
            # A near-duplicate merged into an aired item was heard too.
            aired.add(int(announcement_id))
            aired.update(int(m) for m in json.loads(merged or "[]"))
        return aired
