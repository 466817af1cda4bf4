"""Deliveries in the store: one row per (bulletin, controller), moved by the state table."""

from __future__ import annotations

import sqlite3

from bulletin import states
from bulletin.domain import Delivery
from bulletin.store.base import QueryBase


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
    )


class DeliveryQueries(QueryBase):
    def delivery(self, bulletin_id: int, controller: str) -> Delivery | None:
        row = self.db.execute(
            "SELECT * FROM deliveries WHERE bulletin_id = ? AND controller = ?",
            (bulletin_id, controller),
        ).fetchone()
        return None if row is None else _delivery(row)

    def claim_delivery(self, bulletin_id: int, controller: str, *, actor: str) -> bool:
        """Mark a delivery as in progress; False when it was delivered (or cancelled) before."""
        with self.tx() as db:
            row = db.execute(
                "SELECT state, attempts FROM deliveries WHERE bulletin_id = ? AND controller = ?",
                (bulletin_id, controller),
            ).fetchone()
            if row is None:
                states.delivery_transition(db, bulletin_id, controller, "queue", actor=actor)
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
                update={"attempts": attempts + 1, "error": None, "retryable": None},
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
    ) -> None:
        with self.tx() as db:
            states.delivery_transition(
                db,
                bulletin_id,
                controller,
                "deliver" if ok else "fail",
                actor=actor,
                update={
                    "bytes": bytes_sent,
                    "sha256": sha256,
                    "remote_id": remote_id,
                    "error": error,
                    "retryable": None if retryable is None else int(retryable),
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
