"""Bulletins in the store: their items, script sentences, audio and renditions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bulletin import states
from bulletin.domain import Bulletin, BulletinItem, ItemRecord, Sentence
from bulletin.errors import NotFoundError
from bulletin.store.base import QueryBase


@dataclass(frozen=True)
class StoredAudio:
    """A produced MP3 as the store records it (path relative to the workspace)."""

    path: str
    bytes: int
    sha256: str
    duration_s: float
    loudness_lufs: float
    true_peak_dbtp: float

    def columns(self) -> dict[str, Any]:
        return {
            "audio_path": self.path,
            "audio_bytes": self.bytes,
            "audio_sha256": self.sha256,
            "duration_s": self.duration_s,
            "loudness_lufs": self.loudness_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
        }


def _bulletin(row: sqlite3.Row) -> Bulletin:
    return Bulletin(
        id=row["id"],
        programme=row["programme"],
        state=row["state"],
        priority=row["priority"],
        voice=row["voice"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        audio_path=row["audio_path"],
        audio_bytes=row["audio_bytes"],
        audio_sha256=row["audio_sha256"],
        approved_sha256=row["approved_sha256"],
        duration_s=row["duration_s"],
        loudness_lufs=row["loudness_lufs"],
        true_peak_dbtp=row["true_peak_dbtp"],
        air_at=row["air_at"],
    )


class BulletinQueries(QueryBase):
    def create_draft(
        self,
        *,
        programme: str,
        priority: str,
        voice: str,
        items: Sequence[ItemRecord],
        sentences: Sequence[tuple[str, int | None, str, str]],
        actor: str,
        run_key: str | None = None,
        air_at: str | None = None,
    ) -> int:
        """A draft bulletin with its items and script (part, item, text, spoken); `run_key`
        ties it to the scheduled firing it is built for."""
        with self.tx() as db:
            columns: dict[str, object] = {
                "programme": programme,
                "priority": priority,
                "voice": voice,
            }
            if run_key is not None:
                columns |= {"run_key": run_key, "air_at": air_at}
            change = states.create(db, columns, actor=actor)
            bulletin_id = change.bulletin_id
            db.executemany(
                """INSERT INTO bulletin_items (bulletin_id, position, announcement_id, title,
                       summary, engine, fallback_key, fallback_params, merged)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        bulletin_id,
                        pos,
                        item.announcement_id,
                        item.title,
                        item.summary,
                        item.engine,
                        item.fallback_key,
                        json.dumps(item.fallback_params, ensure_ascii=False),
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
        return bulletin_id

    def finish_build(
        self,
        bulletin_id: int,
        audio: StoredAudio,
        audio_keys: Sequence[str],
        *,
        actor: str,
        fallback_voices: Sequence[str | None] = (),
    ) -> None:
        """The built audio, each sentence's audio key, and the fallback voice that read each
        sentence the bulletin's voice could not (none by default)."""
        with self.tx() as db:
            db.executemany(
                "UPDATE script_sentences SET audio_key=?, fallback_voice=? "
                "WHERE bulletin_id=? AND idx=?",
                [
                    (key, _at(fallback_voices, idx), bulletin_id, idx)
                    for idx, key in enumerate(audio_keys)
                ],
            )
            states.transition(db, bulletin_id, "build", actor=actor, update=audio.columns())

    def finish_edit(
        self,
        bulletin_id: int,
        *,
        sentences: Sequence[tuple[int, str, str]],
        audio_keys: Sequence[str],
        audio: StoredAudio,
        actor: str,
        reason: str | None,
        reason_params: Mapping[str, Any],
        fallback_voices: Sequence[str | None] = (),
    ) -> None:
        """New script text and audio in one transaction; the bulletin needs approval again.

        The state is checked here, inside the transaction: an edit that raced a push or a
        rejection changes nothing.
        """
        with self.tx() as db:
            _edited(
                db,
                bulletin_id,
                audio,
                actor=actor,
                reason=reason,
                reason_key=None if reason else "edit.audit",
                reason_params=reason_params,
            )
            db.executemany(
                "UPDATE script_sentences SET text=?, spoken=?, audio_key=?, fallback_voice=? "
                "WHERE bulletin_id=? AND idx=?",
                [
                    (text, spoken, key, _at(fallback_voices, idx), bulletin_id, idx)
                    for (idx, text, spoken), key in zip(sentences, audio_keys, strict=True)
                ],
            )

    def finish_item_edit(
        self,
        bulletin_id: int,
        *,
        order: Sequence[int],
        sentences: Sequence[tuple[str, int | None, str, str]],
        audio_keys: Sequence[str],
        audio: StoredAudio,
        actor: str,
        reason_key: str,
        reason_params: Mapping[str, Any],
        fallback_voices: Sequence[str | None] = (),
    ) -> None:
        """Items kept and renumbered 1..n in `order` (their old positions; the rest removed),
        the whole script (part, item, text, spoken) replaced, and the new audio, in one
        transaction; the bulletin needs approval again. The state is checked inside it."""
        with self.tx() as db:
            _edited(
                db,
                bulletin_id,
                audio,
                actor=actor,
                reason=None,
                reason_key=reason_key,
                reason_params=reason_params,
            )
            # Through negative positions: the primary key allows no two items at one position,
            # not even for a moment, and every column an item has moves with it.
            db.execute(
                "UPDATE bulletin_items SET position = -1 - position WHERE bulletin_id = ?",
                (bulletin_id,),
            )
            db.executemany(
                "UPDATE bulletin_items SET position = ? WHERE bulletin_id = ? AND position = ?",
                [(new, bulletin_id, -1 - old) for new, old in enumerate(order, start=1)],
            )
            db.execute(
                "DELETE FROM bulletin_items WHERE bulletin_id = ? AND position < 0", (bulletin_id,)
            )
            db.execute("DELETE FROM script_sentences WHERE bulletin_id = ?", (bulletin_id,))
            db.executemany(
                """INSERT INTO script_sentences (bulletin_id, idx, part, item_position, text,
                       spoken, audio_key, fallback_voice) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (bulletin_id, idx, part, pos, text, spoken, key, _at(fallback_voices, idx))
                    for idx, ((part, pos, text, spoken), key) in enumerate(
                        zip(sentences, audio_keys, strict=True)
                    )
                ],
            )

    def change(
        self,
        bulletin_id: int,
        action: str,
        *,
        actor: str,
        reason: str | None = None,
        reason_key: str | None = None,
        reason_params: Mapping[str, Any] | None = None,
        update: Mapping[str, Any] | None = None,
    ) -> states.Change:
        """One transition in its own transaction."""
        with self.tx() as db:
            return states.transition(
                db,
                bulletin_id,
                action,
                actor=actor,
                reason=reason,
                reason_key=reason_key,
                reason_params=reason_params,
                update=update,
            )

    def note(
        self,
        bulletin_id: int,
        action: str,
        *,
        actor: str,
        reason_key: str,
        reason_params: Mapping[str, Any] | None = None,
    ) -> None:
        """An audit entry that changes no state, in its own transaction."""
        with self.tx() as db:
            states.note(
                db,
                bulletin_id,
                action,
                actor=actor,
                reason_key=reason_key,
                reason_params=reason_params,
            )

    def abandon_drafts(self, *, actor: str) -> list[int]:
        """Close drafts an interrupted build left behind, so none lingers half-made."""
        with self.tx() as db:
            ids = [int(r[0]) for r in db.execute("SELECT id FROM bulletins WHERE state='draft'")]
            for bulletin_id in ids:
                states.transition(
                    db, bulletin_id, "abandon", actor=actor, reason_key="build.interrupted"
                )
        return ids

    def bulletin(self, bulletin_id: int) -> Bulletin:
        row = self.db.execute("SELECT * FROM bulletins WHERE id = ?", (bulletin_id,)).fetchone()
        if row is None:
            raise NotFoundError("bulletin.missing", id=bulletin_id)
        return _bulletin(row)

    def bulletins(self, *, state: str | None = None, limit: int = 200) -> list[Bulletin]:
        query = "SELECT * FROM bulletins"
        args: list[Any] = []
        if state is not None:
            query += " WHERE state = ?"
            args.append(state)
        query += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        return [_bulletin(r) for r in self.db.execute(query, args)]

    def bulletin_state_counts(self) -> dict[str, int]:
        return {
            state: int(count)
            for state, count in self.db.execute(
                "SELECT state, COUNT(*) FROM bulletins GROUP BY state"
            )
        }

    def latest_bulletin_id(self) -> int | None:
        row = self.db.execute("SELECT MAX(id) FROM bulletins").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def bulletin_items(self, bulletin_id: int) -> list[BulletinItem]:
        cursor = self.db.execute(
            "SELECT * FROM bulletin_items WHERE bulletin_id = ? ORDER BY position", (bulletin_id,)
        )
        return [
            BulletinItem(
                position=r["position"],
                announcement_id=r["announcement_id"],
                title=r["title"],
                summary=r["summary"],
                engine=r["engine"],
                fallback_reason=r["fallback_reason"],
                merged=tuple(json.loads(r["merged"] or "[]")),
                fallback_key=r["fallback_key"],
                fallback_params=json.loads(r["fallback_params"] or "{}"),
            )
            for r in cursor
        ]

    def sentences(self, bulletin_id: int) -> list[Sentence]:
        cursor = self.db.execute(
            "SELECT * FROM script_sentences WHERE bulletin_id = ? ORDER BY idx", (bulletin_id,)
        )
        return [
            Sentence(
                index=r["idx"],
                part=r["part"],
                item_position=r["item_position"],
                text=r["text"],
                spoken=r["spoken"],
                audio_key=r["audio_key"],
                fallback_voice=r["fallback_voice"],
            )
            for r in cursor
        ]

    def audio_paths(self) -> set[str]:
        """Every audio file a bulletin still points at (the rest may be cleaned up)."""
        found = {str(r[0]) for r in self.db.execute("SELECT audio_path FROM bulletins")}
        found |= {str(r[0]) for r in self.db.execute("SELECT path FROM renditions")}
        return found

    def rendition(self, bulletin_id: int, fmt: str, source_sha256: str) -> tuple[str, str] | None:
        """(path, sha256) of the bulletin's audio in another format, made from `source_sha256`."""
        row = self.db.execute(
            "SELECT path, sha256 FROM renditions WHERE bulletin_id = ? AND format = ? "
            "AND source_sha256 = ?",
            (bulletin_id, fmt, source_sha256),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def save_rendition(
        self, bulletin_id: int, fmt: str, path: str, sha256: str, source_sha256: str
    ) -> None:
        with self.tx() as db:
            db.execute(
                """INSERT INTO renditions (bulletin_id, format, path, sha256, source_sha256)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (bulletin_id, format, source_sha256)
                   DO UPDATE SET path = excluded.path, sha256 = excluded.sha256""",
                (bulletin_id, fmt, path, sha256, source_sha256),
            )


def _at(values: Sequence[str | None], index: int) -> str | None:
    return values[index] if index < len(values) else None


def _edited(
    db: sqlite3.Connection,
    bulletin_id: int,
    audio: StoredAudio,
    *,
    actor: str,
    reason: str | None,
    reason_key: str | None,
    reason_params: Mapping[str, Any],
) -> None:
    """The 'edit' transition with its audit entry: new audio, and approval and air time gone."""
    states.transition(
        db,
        bulletin_id,
        "edit",
        actor=actor,
        reason=reason,
        reason_key=reason_key,
        reason_params=reason_params,
        update={**audio.columns(), "approved_sha256": None, "air_at": None},
    )
