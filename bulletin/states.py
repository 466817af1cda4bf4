"""The one table of a bulletin's states and its deliveries' states, and the one function that
changes either, writing its audit entry in the same transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bulletin.errors import NotFoundError, PolicyError
from bulletin.store.audit import append_entry
from bulletin.store.base import now_iso

# action -> (states it may start from, state it leads to); None is "does not exist yet".
TRANSITIONS: dict[str, tuple[frozenset[str | None], str]] = {
    "create": (frozenset({None}), "draft"),
    "build": (frozenset({"draft"}), "built"),
    # A draft found by the next build was left by one that was interrupted.
    "abandon": (frozenset({"draft"}), "rejected"),
    # Approval is for the audio people will hear: changed audio needs approval again.
    "edit": (frozenset({"built", "approved", "scheduled"}), "built"),
    # The first of two approvals an emergency needs leaves the bulletin built.
    "approve-first": (frozenset({"built"}), "built"),
    "approve": (frozenset({"built"}), "approved"),
    "schedule": (frozenset({"approved"}), "scheduled"),
    "unschedule": (frozenset({"scheduled"}), "approved"),
    "reject": (frozenset({"draft", "built", "approved", "scheduled"}), "rejected"),
    # Pushing again resumes an interrupted push or reaches controllers not yet delivered.
    "push": (
        frozenset({"approved", "scheduled", "delivering", "delivered", "failed"}),
        "delivering",
    ),
    "deliver": (frozenset({"delivering"}), "delivered"),
    "fail": (frozenset({"delivering"}), "failed"),
}

BULLETIN_STATES = (
    "draft",
    "built",
    "approved",
    "scheduled",
    "rejected",
    "delivering",
    "delivered",
    "failed",
)

# The same for one (bulletin, controller) delivery.
DELIVERY_TRANSITIONS: dict[str, tuple[frozenset[str | None], str]] = {
    "queue": (frozenset({None}), "pending"),
    # 'delivering' found at claim time was left by a killed push: transports write under a
    # name fixed by (bulletin, controller), so finishing it cannot air the bulletin twice.
    "claim": (frozenset({"pending", "failed", "delivering"}), "delivering"),
    "deliver": (frozenset({"delivering"}), "delivered"),
    "fail": (frozenset({"delivering"}), "failed"),
    "cancel": (frozenset({"pending", "failed"}), "cancelled"),
}

DELIVERY_STATES = ("pending", "delivering", "delivered", "failed", "cancelled")

# States whose announcements count as heard (for programme selection).
AIRED = frozenset({"approved", "scheduled", "delivering", "delivered"})
# The states that carry approval: what may be delivered, what an approval hash guards.
DELIVERABLE = TRANSITIONS["push"][0]


@dataclass(frozen=True)
class Change:
    """A transition that happened."""

    bulletin_id: int
    action: str
    from_state: str | None
    to_state: str


def allowed(action: str, state: str | None) -> bool:
    starts, _ = TRANSITIONS[action]
    return state in starts


def create(db: sqlite3.Connection, columns: Mapping[str, Any], *, actor: str) -> Change:
    """Insert a new bulletin as a draft; the caller's transaction holds the write lock."""
    stamp = now_iso()
    values = {
        **columns,
        "state": TRANSITIONS["create"][1],
        "created_at": stamp,
        "updated_at": stamp,
    }
    names = list(values)
    cursor = db.execute(
        f"INSERT INTO bulletins ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [values[n] for n in names],
    )
    bulletin_id = int(cursor.lastrowid or 0)
    append_entry(db, bulletin_id, actor=actor, action="create", from_state=None, to_state="draft")
    return Change(bulletin_id, "create", None, "draft")


def transition(
    db: sqlite3.Connection,
    bulletin_id: int,
    action: str,
    *,
    actor: str,
    reason: str | None = None,
    reason_key: str | None = None,
    reason_params: Mapping[str, Any] | None = None,
    update: Mapping[str, Any] | None = None,
) -> Change:
    """Move a bulletin by `action` if the table allows it from its current state.

    `update` sets other columns of the bulletin in the same statement (new audio after a
    build or edit, the approved hash). Run inside the caller's IMMEDIATE transaction, so the
    state read here is the state changed here.
    """
    starts, target = TRANSITIONS[action]
    row = db.execute("SELECT state FROM bulletins WHERE id = ?", (bulletin_id,)).fetchone()
    if row is None:
        raise NotFoundError("bulletin.missing", id=bulletin_id)
    state = str(row[0])
    if state not in starts:
        raise PolicyError("bulletin.wrong_state", id=bulletin_id, state=state, action=action)
    values = {**(update or {}), "state": target, "updated_at": now_iso()}
    if "state" in (update or {}):
        raise ValueError("state changes only through the transition table")
    assignments = ", ".join(f"{name} = ?" for name in values)
    db.execute(f"UPDATE bulletins SET {assignments} WHERE id = ?", [*values.values(), bulletin_id])
    sha = db.execute("SELECT audio_sha256 FROM bulletins WHERE id = ?", (bulletin_id,)).fetchone()
    append_entry(
        db,
        bulletin_id,
        actor=actor,
        action=action,
        from_state=state,
        to_state=target,
        reason=reason,
        reason_key=reason_key,
        reason_params=reason_params,
        audio_sha256=sha[0],
    )
    return Change(bulletin_id, action, state, target)


def note(
    db: sqlite3.Connection,
    bulletin_id: int,
    action: str,
    *,
    actor: str,
    reason_key: str,
    reason_params: Mapping[str, Any] | None = None,
) -> None:
    """An audit entry that changes no state: a refusal, or something a person must know."""
    row = db.execute(
        "SELECT state, audio_sha256 FROM bulletins WHERE id = ?", (bulletin_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError("bulletin.missing", id=bulletin_id)
    append_entry(
        db,
        bulletin_id,
        actor=actor,
        action=action,
        from_state=row[0],
        to_state=row[0],
        reason_key=reason_key,
        reason_params=reason_params,
        audio_sha256=row[1],
    )


def delivery_transition(
    db: sqlite3.Connection,
    bulletin_id: int,
    controller: str,
    action: str,
    *,
    actor: str,
    update: Mapping[str, Any] | None = None,
    reason_key: str | None = None,
    reason_params: Mapping[str, Any] | None = None,
    airing: str = "",
) -> Change:
    """Move one (bulletin, controller, airing) delivery by `action`, audited like a
    bulletin's. `airing` is empty for a bulletin's first airing; a scheduled repeat or an
    emergency repeat is another airing of the same approved audio, delivered once of its own."""
    starts, target = DELIVERY_TRANSITIONS[action]
    row = db.execute(
        "SELECT state FROM deliveries WHERE bulletin_id = ? AND controller = ? AND airing = ?",
        (bulletin_id, controller, airing),
    ).fetchone()
    state = None if row is None else str(row[0])
    if state not in starts:
        raise PolicyError(
            "delivery.wrong_state",
            id=bulletin_id,
            controller=controller,
            state=state,
            action=action,
        )
    values = {**(update or {}), "state": target, "at": now_iso()}
    if state is None:
        names = ["bulletin_id", "controller", "airing", *values]
        db.execute(
            f"INSERT INTO deliveries ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [bulletin_id, controller, airing, *values.values()],
        )
    else:
        assignments = ", ".join(f"{name} = ?" for name in values)
        db.execute(
            f"UPDATE deliveries SET {assignments} "
            "WHERE bulletin_id = ? AND controller = ? AND airing = ?",
            [*values.values(), bulletin_id, controller, airing],
        )
    append_entry(
        db,
        bulletin_id,
        actor=actor,
        action=f"delivery-{action}",
        subject=f"{controller}@{airing}" if airing else controller,
        from_state=state,
        to_state=target,
        reason_key=reason_key,
        reason_params=reason_params,
        audio_sha256=(update or {}).get("sha256"),
    )
    return Change(bulletin_id, action, state, target)
