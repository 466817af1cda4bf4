"""`bulletin status`: the station's health in one look, from the store and the schedule files;
it only reads, so it works while the daemon runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bulletin.errors import BulletinError
from bulletin.services.station import Station

NEXT_FIRINGS = 5
LAST_DELIVERIES = 10
FAILURES = 20
ALERTS = 10
STALE_HEARTBEATS = 3  # the daemon is stale when its heartbeat is this many periods old


@dataclass(frozen=True)
class StatusReport:
    daemon: dict[str, Any]
    next: list[dict[str, Any]]
    last_deliveries: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    controllers_silent: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    silent_minutes: float = field(default=60.0)

    def as_json(self) -> dict[str, Any]:
        return {
            "daemon": self.daemon,
            "next": self.next,
            "last_deliveries": self.last_deliveries,
            "failures": self.failures,
            "controllers_silent": self.controllers_silent,
            "alerts": self.alerts,
        }


def status(station: Station, *, now: datetime | None = None) -> StatusReport:
    from bulletin.services.scheduling import daemon_running, next_firings

    now = now or datetime.now(UTC)
    config = station.workspace.config
    failures: list[dict[str, Any]] = []
    try:
        upcoming = [f.as_json() for f in next_firings(station, NEXT_FIRINGS, now=now)]
    except BulletinError as exc:  # a bad schedule file is a failure to show, not a crash
        upcoming = []
        failures.append(_failure("schedule", now.isoformat(timespec="seconds"), detail=str(exc)))
    running = daemon_running(station)
    with station.store(readonly=True) as store:
        record = store.daemon()
        last = [d.as_json() for d in store.recent_deliveries(LAST_DELIVERIES)]
        for d in store.recent_deliveries(FAILURES, failed=True):
            failures.append(
                _failure(
                    "delivery",
                    d.finished_at or d.at,
                    bulletin=d.bulletin_id,
                    controller=d.controller,
                    state=d.state,
                    detail=d.error or "",
                )
            )
        for run in store.runs(FAILURES, states=("failed", "missed")):
            failures.append(
                _failure(
                    "run",
                    run.finished_at or run.due_at,
                    programme=run.programme,
                    what=run.what,
                    due_at=run.due_at,
                    bulletin=run.bulletin_id,
                    state=run.state,
                    detail=run.detail,
                )
            )
        seen = store.last_seen()
        alerts = [a.as_json() for a in store.alerts(ALERTS)]
    minutes = config.alerts.controller_silent_minutes
    try:
        silent = _silent(station, seen, minutes, now)
    except BulletinError as exc:  # a broken controllers.yaml: shown, not a crash
        silent = []
        failures.insert(
            0, _failure("controllers", now.isoformat(timespec="seconds"), detail=str(exc))
        )
    failures.sort(key=lambda f: _sort_key(f["at"]), reverse=True)
    return StatusReport(
        daemon=_daemon(record, running, config.scheduler.heartbeat_s, now),
        next=upcoming,
        last_deliveries=last,
        failures=failures[:FAILURES],
        controllers_silent=silent,
        alerts=alerts,
        silent_minutes=minutes,
    )


def _daemon(record: Any, running: bool, heartbeat_s: float, now: datetime) -> dict[str, Any]:
    limit = STALE_HEARTBEATS * heartbeat_s
    age = None if record is None else _age_s(record.heartbeat_at, now)
    return {
        "running": running,
        "stale": running and (age is None or age > limit),
        "pid": None if record is None else record.pid,
        "host": None if record is None else record.host,
        "started_at": None if record is None else record.started_at,
        "heartbeat_at": None if record is None else record.heartbeat_at,
        "heartbeat_age_s": None if age is None else round(age, 1),
        "stale_after_s": limit,
        "stopped_at": None if record is None else record.stopped_at,
    }


def _silent(
    station: Station, seen: dict[str, str], minutes: float, now: datetime
) -> list[dict[str, Any]]:
    """Enabled controllers with no delivery taken and no status reading within `minutes`."""
    found = []
    for name, controller in station.workspace.controllers().items():
        if not controller.enabled:
            continue
        last = seen.get(name)
        age = None if last is None else _age_s(last, now)
        if age is None or age > minutes * 60:
            found.append(
                {
                    "controller": name,
                    "last_seen": last,
                    "minutes": None if age is None else round(age / 60, 1),
                }
            )
    return found


def _failure(kind: str, at: str | None, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": kind,
        "at": at,
        "programme": None,
        "what": None,
        "due_at": None,
        "bulletin": None,
        "controller": None,
        "state": None,
        "detail": "",
    }
    return {**base, **fields}


def _parse(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _age_s(value: str | None, now: datetime) -> float | None:
    moment = _parse(value) if value else None
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def _sort_key(value: str | None) -> datetime:
    return (value and _parse(value)) or datetime.min.replace(tzinfo=UTC)
