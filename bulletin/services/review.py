"""Approve and reject bulletins as a named, active approver; verify the audit chain."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bulletin import states
from bulletin.domain import Bulletin, User
from bulletin.errors import InputError, PolicyError
from bulletin.services.station import Station
from bulletin.store import Store
from bulletin.store.audit import ChainCheck
from bulletin.store.base import file_sha256
from bulletin.users import normalize_name

if TYPE_CHECKING:
    from bulletin.services.delivery import PushResult


@dataclass(frozen=True)
class ReviewResult:
    """A review decision: the bulletin's new state, who decided, who else is still needed."""

    bulletin_id: int
    state: str
    by: str
    approvers: tuple[str, ...]
    """Who has approved this exact audio so far."""
    needed: int
    """How many more distinct approvers the bulletin needs before it may air."""
    aired: PushResult | None = None
    """An emergency this approval aired at once (no scheduler daemon running), else None."""

    def as_json(self) -> dict[str, Any]:
        found = {
            "bulletin": self.bulletin_id,
            "state": self.state,
            "by": self.by,
            "approvers": list(self.approvers),
            "needed": self.needed,
        }
        if self.aired is not None:
            found["aired"] = self.aired.as_json()
        return found


def reviewer(store: Store, raw_name: str) -> User:
    """The active user with the approver role that `raw_name` names, or a refusal."""
    if not raw_name.strip():
        raise InputError("review.no_user")
    name = normalize_name(raw_name)
    user = store.find_user(name)
    if user is None:
        raise PolicyError("review.unknown_user", user=name)
    if not user.active:
        raise PolicyError("review.inactive_user", user=name)
    if not user.has_role("approver"):
        raise PolicyError("review.not_approver", user=name)
    return user


def _audio_sha256(station: Station, bulletin: Bulletin) -> str | None:
    try:
        return file_sha256(station.audio_file(bulletin.audio_path))
    except FileNotFoundError:
        return None


def approvals_required(station: Station, bulletin: Bulletin) -> int:
    two = station.workspace.config.review.emergency_two_approvers
    return 2 if bulletin.priority == "emergency" and two else 1


def approve(
    station: Station, bulletin_id: int, *, user: str, note: str | None = None
) -> ReviewResult:
    """Approve the bulletin's audio as it is on disk now.

    An emergency bulletin needs two different approvers unless the station turned that off;
    the first approval is recorded and leaves the bulletin built.
    """
    with station.bulletin_lock(bulletin_id), station.store() as store:
        person = reviewer(store, user)
        bulletin = store.bulletin(bulletin_id)
        if not states.allowed("approve", bulletin.state):
            raise PolicyError(
                "bulletin.wrong_state", id=bulletin_id, state=bulletin.state, action="approve"
            )
        # Approval is for exact bytes: audio changed on disk since the build is not approved.
        if _audio_sha256(station, bulletin) != bulletin.audio_sha256:
            store.note(
                bulletin_id, "approve-refused", actor=person.name, reason_key="audio.changed"
            )
            raise PolicyError("audio.changed", id=bulletin_id)
        needed = approvals_required(station, bulletin)
        with store.tx() as db:
            earlier = _approvers(store, bulletin_id, bulletin.audio_sha256)
            if person.name in earlier:
                raise PolicyError("review.same_approver", id=bulletin_id, user=person.name)
            final = len(earlier) + 1 >= needed
            states.transition(
                db,
                bulletin_id,
                "approve" if final else "approve-first",
                actor=person.name,
                reason=note,
                update={"approved_sha256": bulletin.audio_sha256} if final else None,
            )
        approvers = (*earlier, person.name)
        result = ReviewResult(
            bulletin_id,
            "approved" if final else bulletin.state,
            person.name,
            approvers,
            max(0, needed - len(approvers)),
        )
    # --- Emergency hook (bulletin/services/emergency.py), after the approval committed and the
    # bulletin's lock is released: an approved emergency airs at once unless the scheduler
    # daemon runs (it then airs it within a poll).
    if final:
        from bulletin.services.emergency import after_approval

        result = replace(result, aired=after_approval(station, bulletin_id, person.name))
    # --- end of the emergency hook
    return result


def _approvers(store: Store, bulletin_id: int, sha256: str | None) -> tuple[str, ...]:
    """Who approved this exact audio, in order; an edit (new audio) starts over."""
    return tuple(
        entry.actor
        for entry in store.audit_log(bulletin_id)
        if entry.action == "approve-first" and entry.audio_sha256 == sha256
    )


def reject(station: Station, bulletin_id: int, *, user: str, reason: str) -> ReviewResult:
    """Reject a bulletin for good: it is never edited, approved or delivered again."""
    if not reason.strip():
        raise InputError("review.no_reason")
    with station.bulletin_lock(bulletin_id), station.store() as store:
        person = reviewer(store, user)
        with store.tx() as db:
            states.transition(db, bulletin_id, "reject", actor=person.name, reason=reason.strip())
            open_deliveries = db.execute(
                "SELECT controller FROM deliveries WHERE bulletin_id = ? "
                "AND state IN ('pending', 'failed')",
                (bulletin_id,),
            ).fetchall()
            for (controller,) in open_deliveries:
                states.delivery_transition(db, bulletin_id, controller, "cancel", actor=person.name)
    return ReviewResult(bulletin_id, "rejected", person.name, (), 0)


def review_status(station: Station, bulletin_id: int) -> ReviewResult:
    """Who has approved the bulletin's current audio and how many more it needs."""
    with station.store(readonly=True) as store:
        bulletin = store.bulletin(bulletin_id)
        earlier = _approvers(store, bulletin_id, bulletin.audio_sha256)
        needed = approvals_required(station, bulletin)
        done = bulletin.state in states.DELIVERABLE
        approvers = earlier
        if done:
            final = [e.actor for e in store.audit_log(bulletin_id) if e.action == "approve"]
            approvers = (*earlier, *final[-1:])
        return ReviewResult(
            bulletin_id,
            bulletin.state,
            "",
            approvers,
            0 if done else max(0, needed - len(earlier)),
        )


def verify_audit(station: Station) -> ChainCheck:
    with station.store(readonly=True) as store:
        return store.verify_audit()
