"""Emergency bulletins: typed in, built at once, approved by two people, aired at once and
repeated at set intervals until an end time.

Every airing goes through the delivery engine, exactly once per controller: the first as the
bulletin's own delivery, repeat n as the engine's airing `emergency-n` (its own deliveries,
receipts and idempotency keys). Which airing is next is counted in `emergencies.airings`,
moved on only when an airing completes, so a killed process resumes the same airing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bulletin.errors import InputError, NotFoundError, PolicyError
from bulletin.services.delivery import PushResult, push, resolve_targets
from bulletin.services.station import Station
from bulletin.store.emergencies import Emergency

RETRY_PAUSE_S = 30.0
"""An airing left incomplete (a retryable failure, a killed process) is due again after this."""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([hms])")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(value: str) -> float:
    """`15m`, `1h`, `90s`, `1h30m` (a bare number is minutes) as seconds; at least 10 s."""
    text = value.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        seconds = float(text) * 60.0
    elif text and re.fullmatch(rf"(?:{_DURATION.pattern})+", text):
        seconds = sum(float(n) * _UNIT[u] for n, u in _DURATION.findall(text))
    else:
        raise InputError("emergency.duration", value=value)
    if seconds < 10:
        raise InputError("emergency.duration", value=value)
    return seconds


@dataclass(frozen=True)
class DeclaredEmergency:
    """An emergency bulletin built and waiting for its approvals."""

    bulletin_id: int
    state: str
    target: str
    controllers: tuple[str, ...]
    approvals_needed: int
    repeat_every_s: float | None
    until: str | None
    build_s: float

    def as_json(self) -> dict[str, Any]:
        return {
            "bulletin": self.bulletin_id,
            "state": self.state,
            "target": self.target,
            "controllers": list(self.controllers),
            "approvals_needed": self.approvals_needed,
            "repeat_every_s": self.repeat_every_s,
            "until": self.until,
            "build_s": round(self.build_s, 3),
        }


def declare(
    station: Station,
    text: str,
    target: str,
    *,
    title: str | None = None,
    repeat_every: str | None = None,
    until: str | None = None,
    actor: str = "bulletin",
    now: datetime | None = None,
) -> DeclaredEmergency:
    """Store the text as a typed-in emergency notice, build a bulletin of exactly that notice
    at once, and record where it airs and how it repeats. Nothing is built when the target
    or the repeat is wrong."""
    from bulletin.clock import parse_air_time
    from bulletin.messages import t
    from bulletin.services.building import build
    from bulletin.services.fetching import add_typed_notice
    from bulletin.services.review import approvals_required

    controllers = tuple(resolve_targets(station, target))
    every: float | None = None
    end: str | None = None
    if (repeat_every is None) != (until is None):
        raise InputError("emergency.repeat_pair")
    if repeat_every is not None and until is not None:
        every = parse_duration(repeat_every)
        zone = station.workspace.config.timezone
        end = parse_air_time(until, zone, now=now).astimezone(UTC).isoformat()
    started = time.monotonic()
    notice = add_typed_notice(
        station,
        title or t("emergency.title"),
        text,
        priority="emergency",
        tags=["khan-cap"],
        actor=actor,
    )
    bulletin_id = build(station, item_ids=[notice.id], actor=actor)
    build_s = time.monotonic() - started
    with station.store() as store:
        bulletin = store.bulletin(bulletin_id)
        if bulletin.priority != "emergency":  # the build takes its items' highest priority
            raise PolicyError("emergency.not_emergency", id=bulletin_id)
        store.save_emergency(bulletin_id, target=target, repeat_every_s=every, until=end)
    return DeclaredEmergency(
        bulletin_id,
        bulletin.state,
        target,
        controllers,
        approvals_required(station, bulletin),
        every,
        end,
        build_s,
    )


def due_emergencies(station: Station, now: datetime | None = None) -> list[int]:
    """Approved emergencies to air now, oldest first: those never aired, an airing left
    incomplete (after RETRY_PAUSE_S), and repeats whose time (the last airing's start plus the
    interval) has come and is before their end time."""
    current = now or datetime.now(UTC)
    with station.store(readonly=True) as store:
        found = store.emergencies()
    return [e.bulletin_id for e in found if _due(e, current)]


def _due(emergency: Emergency, now: datetime) -> bool:
    if not emergency.approved:
        return False
    if emergency.incomplete:
        tried = datetime.fromisoformat(emergency.last_tried_at or "")
        retry = now >= tried + timedelta(seconds=RETRY_PAUSE_S)
        return retry and (emergency.airings == 0 or _before_end(emergency, tried))
    if emergency.airings == 0:
        return True
    if not emergency.repeat_every_s or emergency.last_aired_at is None:
        return False
    next_at = datetime.fromisoformat(emergency.last_aired_at) + timedelta(
        seconds=emergency.repeat_every_s
    )
    return next_at <= now and _before_end(emergency, next_at)


def _before_end(emergency: Emergency, at: datetime) -> bool:
    return emergency.until is not None and at < datetime.fromisoformat(emergency.until)


def air_emergency(
    station: Station, bulletin_id: int, actor: str, *, now: datetime | None = None
) -> PushResult:
    """Air an approved emergency on its target now, interrupting what plays (no air time, so
    devices that schedule play it at once): its first airing, or its next repeat. The airing
    counts as done when no controller is left with a failure a retry could fix."""
    with station.lock(f"emergency-{bulletin_id}"), station.store() as store:
        emergency = store.emergency(bulletin_id)
        if emergency is None:
            raise NotFoundError("emergency.missing", id=bulletin_id)
        bulletin = store.bulletin(bulletin_id)
        if not emergency.approved or not bulletin.approved_sha256:
            raise PolicyError("push.unapproved", id=bulletin_id, state=bulletin.state)
        started = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
        store.start_airing(bulletin_id, started)
        airing = emergency.airings
        result = push(
            station, bulletin_id, emergency.target, actor, at=None, airing=airing_name(airing)
        )
        if not any(o.state == "failed" and o.retryable for o in result.deliveries):
            store.complete_airing(bulletin_id, airing, started)
        return result


def after_approval(station: Station, bulletin_id: int, actor: str) -> PushResult | None:
    """Called by `approve` once a bulletin is approved: an emergency airs at once when no
    daemon runs; a running daemon picks it up within a poll. None when nothing aired here."""
    from bulletin.services.scheduling import daemon_running

    with station.store(readonly=True) as store:
        if store.emergency(bulletin_id) is None:
            return None
    if daemon_running(station):
        return None
    return air_emergency(station, bulletin_id, actor)


def airing_name(airing: int) -> str | None:
    """The engine's airing of repeat `airing` (0, the first airing, is the bulletin's own)."""
    return f"emergency-{airing}" if airing else None


def emergencies(station: Station) -> list[Emergency]:
    with station.store(readonly=True) as store:
        return store.emergencies()
