"""Approve and reject built bulletins; every decision lands in the append-only audit log."""

from __future__ import annotations

from bulletin.errors import InputError, PolicyError
from bulletin.store import Store
from bulletin.workspace import Workspace

APPROVABLE = ("built",)
REJECTABLE = ("built", "approved")


def approve(
    workspace: Workspace, store: Store, bulletin_id: int, *, user: str, note: str | None = None
) -> str:
    """Approve a built bulletin; returns its new state.

    An emergency bulletin needs two different approvers unless the station turned that off;
    the first approval is recorded and leaves the bulletin built.
    """
    user = user.strip()
    if not user:
        raise InputError("review.no_user")
    row = store.bulletin(bulletin_id)
    if row["state"] not in APPROVABLE:
        raise PolicyError(
            "bulletin.wrong_state", id=bulletin_id, state=row["state"], action="approve"
        )
    if row["priority"] == "emergency" and workspace.config.review.emergency_two_approvers:
        earlier = {
            entry["actor"]
            for entry in store.audit_log(bulletin_id)
            if entry["action"] == "approve-first" and entry["audio_sha256"] == row["audio_sha256"]
        }
        if not earlier:
            store.record_audit(bulletin_id, actor=user, action="approve-first", reason=note)
            return "built"
        if user in earlier:
            raise PolicyError("review.same_approver", id=bulletin_id, user=user)
    store.transition(
        bulletin_id,
        expect=APPROVABLE,
        to_state="approved",
        actor=user,
        action="approve",
        reason=note,
    )
    return "approved"


def reject(store: Store, bulletin_id: int, *, user: str, reason: str) -> str:
    user, reason = user.strip(), reason.strip()
    if not user:
        raise InputError("review.no_user")
    if not reason:
        raise InputError("review.no_reason")
    store.transition(
        bulletin_id,
        expect=REJECTABLE,
        to_state="rejected",
        actor=user,
        action="reject",
        reason=reason,
    )
    return "rejected"
