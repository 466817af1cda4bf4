"""Alerts raised to staff: one row per distinct problem (owned by the alerts service), and the
read-only queries `bulletin status` puts together."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bulletin.domain import Delivery
from bulletin.store.base import QueryBase, now_iso
from bulletin.store.deliveries import _delivery

# When a delivery last changed: its end when it has one, else its state change.
_DELIVERY_TIME = "COALESCE(finished_at, at)"


@dataclass(frozen=True)
class AlertRecord:
    id: int
    at: str
    kind: str
    key: str
    message: str
    programme: str | None
    controller: str | None
    bulletin_id: int | None
    sent: tuple[str, ...]
    error: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "kind": self.kind,
            "key": self.key,
            "message": self.message,
            "programme": self.programme,
            "controller": self.controller,
            "bulletin": self.bulletin_id,
            "sent": list(self.sent),
            "error": self.error,
        }


class AlertQueries(QueryBase):
    def raise_alert(
        self,
        kind: str,
        key: str,
        message: str,
        *,
        programme: str | None = None,
        controller: str | None = None,
        bulletin_id: int | None = None,
    ) -> int | None:
        """Record a new alert; None when one with this key was raised before (it alerts once)."""
        with self.tx() as db:
            cursor = db.execute(
                """INSERT OR IGNORE INTO alerts
                   (at, kind, key, message, programme, controller, bulletin_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (now_iso(), kind, key, message, programme, controller, bulletin_id),
            )
            return int(cursor.lastrowid or 0) if cursor.rowcount == 1 else None

    def alert_sent(self, alert_id: int, sent: list[str], error: str | None) -> None:
        """Which channels took the alert, and what went wrong with the others."""
        with self.tx() as db:
            db.execute(
                "UPDATE alerts SET sent = ?, error = ? WHERE id = ?",
                (",".join(sent), None if error is None else error[:500], alert_id),
            )

    def alerts(self, limit: int = 20) -> list[AlertRecord]:
        cursor = self.db.execute("SELECT * FROM alerts ORDER BY id DESC LIMIT ?", (limit,))
        return [_alert(r) for r in cursor]

    def alert(self, key: str) -> AlertRecord | None:
        row = self.db.execute("SELECT * FROM alerts WHERE key = ?", (key,)).fetchone()
        return None if row is None else _alert(row)

    # What `bulletin status` shows.

    def recent_deliveries(self, limit: int = 10, *, failed: bool = False) -> list[Delivery]:
        """The newest deliveries (only failed ones with `failed`), newest first."""
        where = "WHERE state = 'failed'" if failed else ""
        cursor = self.db.execute(
            f"SELECT * FROM deliveries {where} ORDER BY {_DELIVERY_TIME} DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [_delivery(r) for r in cursor]

    def last_seen(self) -> dict[str, str]:
        """Per controller, the last time it was known alive: a delivery it took, or a status
        reading that saw it."""
        seen: dict[str, str] = {}
        queries = (
            f"""SELECT controller, MAX({_DELIVERY_TIME}) FROM deliveries
                WHERE state = 'delivered' GROUP BY controller""",
            """SELECT controller, MAX(seen_at) FROM controller_status
               WHERE seen_at IS NOT NULL GROUP BY controller""",
        )
        for sql in queries:
            for controller, at in self.db.execute(sql):
                if at and (controller not in seen or _later(at, seen[controller])):
                    seen[controller] = at
        return seen


def _later(a: str, b: str) -> bool:
    from datetime import datetime

    try:
        return datetime.fromisoformat(a) > datetime.fromisoformat(b)
    except (ValueError, TypeError):  # unparsable, or one without an offset
        return a > b


def _alert(row: sqlite3.Row) -> AlertRecord:
    return AlertRecord(
        id=row["id"],
        at=row["at"],
        kind=row["kind"],
        key=row["key"],
        message=row["message"],
        programme=row["programme"],
        controller=row["controller"],
        bulletin_id=row["bulletin_id"],
        sent=tuple(s for s in (row["sent"] or "").split(",") if s),
        error=row["error"],
    )
