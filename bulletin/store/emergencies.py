"""Emergency bulletins: where each airs, how it repeats, how far its airings have got."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bulletin.store.base import QueryBase, now_iso


@dataclass(frozen=True)
class Emergency:
    """An emergency bulletin's airing plan and how far it has got."""

    bulletin_id: int
    target: str
    """A controller, group or commune, as given to `bulletin emergency --to`."""
    repeat_every_s: float | None
    until: str | None
    """ISO 8601 (UTC): no repeat starts at or after this time."""
    created_at: str
    last_aired_at: str | None
    """When the latest completed airing began."""
    last_tried_at: str | None
    """When the latest attempt began; later than `last_aired_at` while an airing is incomplete."""
    airings: int
    """Completed airings: 0 until the first airing is done."""
    state: str
    """The bulletin's state."""
    approved: bool
    """The bulletin carries an approval (an approved hash, in a deliverable state)."""

    @property
    def incomplete(self) -> bool:
        """An attempt began and did not complete (a retryable failure, or a killed process)."""
        if self.last_tried_at is None:
            return False
        tried = datetime.fromisoformat(self.last_tried_at)
        return self.last_aired_at is None or tried > datetime.fromisoformat(self.last_aired_at)


_DELIVERABLE = ("approved", "scheduled", "delivering", "delivered", "failed")


def _emergency(row: sqlite3.Row) -> Emergency:
    return Emergency(
        bulletin_id=int(row["bulletin_id"]),
        target=str(row["target"]),
        repeat_every_s=row["repeat_every_s"],
        until=row["until"],
        created_at=str(row["created_at"]),
        last_aired_at=row["last_aired_at"],
        last_tried_at=row["last_tried_at"],
        airings=int(row["airings"]),
        state=str(row["state"]),
        approved=bool(row["approved_sha256"]) and row["state"] in _DELIVERABLE,
    )


_SELECT = """SELECT e.*, b.state, b.approved_sha256 FROM emergencies e
             JOIN bulletins b ON b.id = e.bulletin_id"""


class EmergencyQueries(QueryBase):
    def save_emergency(
        self,
        bulletin_id: int,
        *,
        target: str,
        repeat_every_s: float | None,
        until: str | None,
    ) -> None:
        with self.tx() as db:
            db.execute(
                """INSERT INTO emergencies (bulletin_id, target, repeat_every_s, until,
                       created_at) VALUES (?, ?, ?, ?, ?)""",
                (bulletin_id, target, repeat_every_s, until, now_iso()),
            )

    def emergency(self, bulletin_id: int) -> Emergency | None:
        row = self.db.execute(f"{_SELECT} WHERE e.bulletin_id = ?", (bulletin_id,)).fetchone()
        return None if row is None else _emergency(row)

    def emergencies(self) -> list[Emergency]:
        rows = self.db.execute(f"{_SELECT} ORDER BY e.created_at, e.bulletin_id").fetchall()
        return [_emergency(r) for r in rows]

    def start_airing(self, bulletin_id: int, at: str) -> None:
        with self.tx() as db:
            db.execute(
                "UPDATE emergencies SET last_tried_at = ? WHERE bulletin_id = ?", (at, bulletin_id)
            )

    def complete_airing(self, bulletin_id: int, airing: int, started_at: str) -> None:
        """Airing `airing` (0 is the first) is done: it counts, and repeats are timed from it."""
        with self.tx() as db:
            db.execute(
                """UPDATE emergencies SET airings = MAX(airings, ?), last_aired_at = ?,
                       last_tried_at = ? WHERE bulletin_id = ?""",
                (airing + 1, started_at, started_at, bulletin_id),
            )
