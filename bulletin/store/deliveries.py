"""Deliveries in the store: one row per (bulletin, controller), moved by the state table."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bulletin import states
from bulletin.domain import Delivery
from bulletin.store.base import QueryBase, now_iso


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        bulletin_id=row["bulletin_id"],
        controller=row["controller"],
        state=row["state"],
        attempts=row["attempts"],
        bytes=row["bytes"],
        sha256=row["sha256"],
        remote_id=row["remote_id"],
        at=row["at"],
        error=row["error"],
        retryable=None if row["retryable"] is None else bool(row["retryable"]),
        key=row["key"],
        air_at=row["air_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        seconds=row["seconds"],
        ack=row["ack"],
        format=row["format"],
        airing=row["airing"],
    )


@dataclass(frozen=True)
class MediaToken:
    """One delivery's URL on the media endpoint and what devices fetched through it."""

    token: str
    bulletin_id: int
    controller: str
    path: str
    sha256: str
    filename: str
    content_type: str
    expires_at: str
    requests: int
    completed_at: str | None
    completed_bytes: int | None
    client: str | None


@dataclass(frozen=True)
class StatusRecord:
    controller: str
    status: str
    seen_at: str | None
    checked_at: str
    detail: str

    def as_json(self) -> dict[str, object]:
        return {
            "controller": self.controller,
            "status": self.status,
            "seen_at": self.seen_at,
            "checked_at": self.checked_at,
            "detail": self.detail,
        }


class DeliveryQueries(QueryBase):
    def delivery(self, bulletin_id: int, controller: str, airing: str = "") -> Delivery | None:
        row = self.db.execute(
            "SELECT * FROM deliveries WHERE bulletin_id = ? AND controller = ? AND airing = ?",
            (bulletin_id, controller, airing),
        ).fetchone()
        return None if row is None else _delivery(row)

    def claim_delivery(
        self,
        bulletin_id: int,
        controller: str,
        *,
        actor: str,
        key: str | None = None,
        air_at: str | None = None,
        fmt: str | None = None,
        airing: str = "",
    ) -> bool:
        """Mark a delivery as in progress; False when it was delivered (or cancelled) before.
        `sent`, what an interrupted attempt had already sent, is kept for `confirm`."""
        with self.tx() as db:
            row = db.execute(
                """SELECT state, attempts FROM deliveries
                   WHERE bulletin_id = ? AND controller = ? AND airing = ?""",
                (bulletin_id, controller, airing),
            ).fetchone()
            if row is None:
                states.delivery_transition(
                    db, bulletin_id, controller, "queue", actor=actor, airing=airing
                )
                attempts = 0
            elif row["state"] in ("delivered", "cancelled"):
                return False
            else:
                attempts = int(row["attempts"])
            states.delivery_transition(
                db,
                bulletin_id,
                controller,
                "claim",
                actor=actor,
                airing=airing,
                update={
                    "attempts": attempts + 1,
                    "error": None,
                    "retryable": None,
                    "key": key,
                    "air_at": air_at,
                    "format": fmt,
                    "started_at": now_iso(),
                    "finished_at": None,
                },
            )
            return True

    def finish_delivery(
        self,
        bulletin_id: int,
        controller: str,
        *,
        actor: str,
        ok: bool,
        bytes_sent: int | None = None,
        sha256: str | None = None,
        remote_id: str | None = None,
        error: str | None = None,
        retryable: bool | None = None,
        ack: str | None = None,
        seconds: float | None = None,
        airing: str = "",
    ) -> None:
        with self.tx() as db:
            states.delivery_transition(
                db,
                bulletin_id,
                controller,
                "deliver" if ok else "fail",
                actor=actor,
                airing=airing,
                update={
                    "bytes": bytes_sent,
                    "sha256": sha256,
                    "remote_id": remote_id,
                    "error": error,
                    "retryable": None if retryable is None else int(retryable),
                    "ack": ack,
                    "seconds": seconds,
                    "finished_at": now_iso(),
                },
                reason_key=None if ok else "delivery.failed_audit",
                reason_params=None if ok else {"detail": (error or "")[:300]},
            )

    def deliveries(self, bulletin_id: int | None = None) -> list[Delivery]:
        if bulletin_id is None:
            cursor = self.db.execute("SELECT * FROM deliveries ORDER BY id")
        else:
            cursor = self.db.execute(
                "SELECT * FROM deliveries WHERE bulletin_id = ? ORDER BY id", (bulletin_id,)
            )
        return [_delivery(r) for r in cursor]

    def mark_sent(self, bulletin_id: int, controller: str, sent: str, airing: str = "") -> None:
        """What a transport has sent so far in this attempt (a command and its answer), so a
        push killed after it confirms instead of sending again. Not a state change."""
        with self.tx() as db:
            db.execute(
                """INSERT INTO delivery_sent (bulletin_id, controller, airing, sent, at)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT (bulletin_id, controller, airing)
                   DO UPDATE SET sent = excluded.sent, at = excluded.at""",
                (bulletin_id, controller, airing, sent[:500], now_iso()),
            )

    def clear_sent(self, bulletin_id: int, controller: str, airing: str = "") -> None:
        with self.tx() as db:
            db.execute(
                """DELETE FROM delivery_sent
                   WHERE bulletin_id = ? AND controller = ? AND airing = ?""",
                (bulletin_id, controller, airing),
            )

    def sent(self, bulletin_id: int, controller: str, airing: str = "") -> str | None:
        row = self.db.execute(
            """SELECT sent FROM delivery_sent
               WHERE bulletin_id = ? AND controller = ? AND airing = ?""",
            (bulletin_id, controller, airing),
        ).fetchone()
        return None if row is None else str(row[0])

    # The media endpoint's tokens: one per delivery, reused while it is valid.

    def media_token(self, token: str) -> MediaToken | None:
        row = self.db.execute("SELECT * FROM media_tokens WHERE token = ?", (token,)).fetchone()
        return None if row is None else _token(row)

    def delivery_token(self, bulletin_id: int, controller: str, sha256: str) -> MediaToken | None:
        """The newest unexpired token for this delivery's audio."""
        row = self.db.execute(
            """SELECT * FROM media_tokens WHERE bulletin_id = ? AND controller = ? AND sha256 = ?
               AND expires_at > ? ORDER BY created_at DESC LIMIT 1""",
            (bulletin_id, controller, sha256, now_iso()),
        ).fetchone()
        return None if row is None else _token(row)

    def save_media_token(
        self,
        token: str,
        *,
        bulletin_id: int,
        controller: str,
        path: str,
        sha256: str,
        filename: str,
        content_type: str,
        expires_at: str,
    ) -> None:
        with self.tx() as db:
            db.execute(
                """INSERT INTO media_tokens (token, bulletin_id, controller, path, sha256,
                   filename, content_type, created_at, expires_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    token,
                    bulletin_id,
                    controller,
                    path,
                    sha256,
                    filename,
                    content_type,
                    now_iso(),
                    expires_at,
                ),
            )

    def record_fetch(self, token: str, *, start: int, sent: int, size: int, client: str) -> None:
        """One response of the media endpoint: `sent` bytes from offset `start` of a file of
        `size`. The download is complete once the bytes served from the start, resumed
        ranges joined, reach the end of the file."""
        with self.tx() as db:
            row = db.execute("SELECT prefix FROM media_tokens WHERE token = ?", (token,)).fetchone()
            if row is None:
                return
            prefix = int(row[0])
            if start <= prefix:
                prefix = max(prefix, start + sent)
            complete = prefix >= size
            db.execute(
                """UPDATE media_tokens SET requests = requests + 1,
                   bytes_served = bytes_served + ?, prefix = ?,
                   completed_at = CASE WHEN ? AND completed_at IS NULL THEN ?
                                  ELSE completed_at END,
                   completed_bytes = CASE WHEN ? THEN ? ELSE completed_bytes END,
                   client = ? WHERE token = ?""",
                (sent, prefix, complete, now_iso(), complete, size, client[:100], token),
            )

    def expire_tokens(self, bulletin_id: int) -> None:
        """No URL of this bulletin works any more (rejected, replaced or withdrawn)."""
        with self.tx() as db:
            db.execute(
                "UPDATE media_tokens SET expires_at = ? WHERE bulletin_id = ? AND expires_at > ?",
                (now_iso(), bulletin_id, now_iso()),
            )

    # Device status history, newest last.

    def record_status(
        self, controller: str, status: str, seen_at: str | None, detail: str = ""
    ) -> None:
        with self.tx() as db:
            db.execute(
                """INSERT INTO controller_status (controller, status, seen_at, checked_at, detail)
                   VALUES (?, ?, ?, ?, ?)""",
                (controller, status, seen_at, now_iso(), detail[:500]),
            )

    def latest_status(self) -> dict[str, StatusRecord]:
        """Each controller's newest status reading."""
        cursor = self.db.execute(
            """SELECT * FROM controller_status WHERE id IN
               (SELECT MAX(id) FROM controller_status GROUP BY controller)"""
        )
        return {
            r["controller"]: StatusRecord(
                r["controller"], r["status"], r["seen_at"], r["checked_at"], r["detail"]
            )
            for r in cursor
        }

    def latest_deliveries(self) -> dict[str, Delivery]:
        """Each controller's newest delivery (the last one queued)."""
        cursor = self.db.execute(
            """SELECT * FROM deliveries WHERE id IN
               (SELECT MAX(id) FROM deliveries GROUP BY controller)"""
        )
        return {r["controller"]: _delivery(r) for r in cursor}

    def status_history(self, controller: str | None = None, limit: int = 50) -> list[StatusRecord]:
        if controller is None:
            cursor = self.db.execute(
                "SELECT * FROM controller_status ORDER BY id DESC LIMIT ?", (limit,)
            )
        else:
            cursor = self.db.execute(
                "SELECT * FROM controller_status WHERE controller = ? ORDER BY id DESC LIMIT ?",
                (controller, limit),
            )
        return [
            StatusRecord(r["controller"], r["status"], r["seen_at"], r["checked_at"], r["detail"])
            for r in cursor
        ]


def _token(row: sqlite3.Row) -> MediaToken:
    return MediaToken(
        token=row["token"],
        bulletin_id=row["bulletin_id"],
        controller=row["controller"],
        path=row["path"],
        sha256=row["sha256"],
        filename=row["filename"],
        content_type=row["content_type"],
        expires_at=row["expires_at"],
        requests=row["requests"],
        completed_at=row["completed_at"],
        completed_bytes=row["completed_bytes"],
        client=row["client"],
    )
