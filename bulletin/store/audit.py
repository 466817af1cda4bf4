"""The audit log: append-only, each entry chained to the one before by its hash."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bulletin.domain import AuditEntry
from bulletin.store.base import QueryBase, now_iso
from bulletin.store.schema import AUDIT_FIELDS, GENESIS, entry_hash


@dataclass(frozen=True)
class ChainCheck:
    """The result of walking the audit chain: how far it holds and where it first breaks."""

    entries: int
    broken_at: int | None
    """The id of the first entry whose link or content does not match, None when intact."""
    problem: str | None
    """What is wrong there: 'link' (previous entry changed or removed) or 'content'."""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def append_entry(
    db: sqlite3.Connection,
    bulletin_id: int,
    *,
    actor: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    subject: str | None = None,
    reason: str | None = None,
    reason_key: str | None = None,
    reason_params: Mapping[str, Any] | None = None,
    audio_sha256: str | None = None,
) -> None:
    """Write one entry inside the caller's transaction (which holds the write lock)."""
    last = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    row: dict[str, Any] = {
        "id": (last[0] + 1) if last else 1,
        "bulletin_id": bulletin_id,
        "at": now_iso(),
        "actor": actor,
        "action": action,
        "subject": subject,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "reason_key": reason_key,
        "reason_params": json.dumps(dict(reason_params or {}), ensure_ascii=False, sort_keys=True),
        "audio_sha256": audio_sha256,
        "prev_hash": last[1] if last else GENESIS,
    }
    columns = (*AUDIT_FIELDS, "hash")
    db.execute(
        f"INSERT INTO audit ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        (*(row[f] for f in AUDIT_FIELDS), entry_hash(row)),
    )


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        bulletin_id=row["bulletin_id"],
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        subject=row["subject"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        reason=row["reason"],
        reason_key=row["reason_key"],
        reason_params=json.loads(row["reason_params"] or "{}"),
        audio_sha256=row["audio_sha256"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


class AuditQueries(QueryBase):
    def audit_log(self, bulletin_id: int) -> list[AuditEntry]:
        cursor = self.db.execute(
            "SELECT * FROM audit WHERE bulletin_id = ? ORDER BY id", (bulletin_id,)
        )
        return [_entry(r) for r in cursor]

    def verify_audit(self) -> ChainCheck:
        """Walk the whole chain, oldest first; the first mismatch is where history changed."""
        previous = GENESIS
        count = 0
        for row in self.db.execute("SELECT * FROM audit ORDER BY id"):
            count += 1
            fields = {f: row[f] for f in AUDIT_FIELDS}
            if row["prev_hash"] != previous:
                return ChainCheck(count, int(row["id"]), "link")
            if entry_hash(fields) != row["hash"]:
                return ChainCheck(count, int(row["id"]), "content")
            previous = row["hash"]
        return ChainCheck(count, None, None)
