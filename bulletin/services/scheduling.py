"""Programmes on schedule: schedule files checked and listed, their next firings, and the
daemon (`schedule run`) that builds, approves by policy, and airs them exactly once."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bulletin import states
from bulletin.errors import BulletinError, InputError
from bulletin.locks import exclusive, held
from bulletin.messages import t
from bulletin.schedules import Firing
from bulletin.schedules import next_firings as _next
from bulletin.services.station import Station
from bulletin.workspace import Programme

DAEMON_LOCK = "scheduler"


def daemon_lock_path(station: Station) -> Path:
    return station.workspace.data_dir / f"{DAEMON_LOCK}.lock"


def daemon_running(station: Station) -> bool:
    """Whether a `schedule run` holds this workspace now."""
    return held(daemon_lock_path(station))


def programmes(station: Station) -> dict[str, Programme]:
    """Every schedules/*.yaml, loaded and checked (the first bad one raises, naming it)."""
    folder = station.root / "schedules"
    found: dict[str, Programme] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name, programme = station.workspace.programme(path.stem)
        found[name] = programme
    return found


def next_firings(station: Station, count: int = 10, *, now: datetime | None = None) -> list[Firing]:
    """The next `count` builds, airs and repeats of every scheduled programme, soonest first."""
    scheduled = {n: p for n, p in programmes(station).items() if p.scheduled}
    return _next(scheduled, station.workspace.config.timezone, count, now=now or datetime.now(UTC))


# One firing: build, air, repeat ------------------------------------------------------------

log = logging.getLogger("bulletin.scheduler")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _vi(key: str, **params: Any) -> str:
    """Alerts are for the station's staff: Vietnamese."""
    return t(key, lang="vi", **params)


_BUILDS = threading.Lock()


def run_build(station: Station, name: str, programme: Programme, due: datetime) -> int | None:
    """Build the programme's bulletin for the air time after `due`, once; approve it when the
    programme's policy allows. Returns the bulletin id, None when nothing was built."""
    from bulletin.schedules import air_for_build
    from bulletin.services.building import build

    air = air_for_build(programme, station.workspace.config.timezone, due)
    air_iso = _iso(air) if air is not None else None
    with station.store() as store:
        run = store.start_run(name, "build", _iso(due), for_air=air_iso)
    if run is None:
        return None
    log.info("build %s for %s (due %s, attempt %d)", name, air_iso, _iso(due), run.attempts)
    deadline = time.monotonic() + programme.misfire_grace_minutes * 60 + 60
    try:
        while True:
            try:
                # One build at a time in this daemon; a build another process runs (staff at
                # the CLI) is waited for, not failed.
                with _BUILDS:
                    bulletin_id = build(
                        station,
                        programme_name=name,
                        actor="scheduler",
                        run_key=f"{name}@{air_iso or _iso(due)}",
                        air_at=air_iso,
                    )
                break
            except BulletinError as exc:
                if exc.key != "lock.busy" or time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
    except BulletinError as exc:
        nothing = isinstance(exc, InputError) and exc.key == "build.nothing"
        with station.store() as store:
            store.finish_run(
                name, "build", _iso(due), "skipped" if nothing else "failed", detail=str(exc)
            )
        if not nothing:
            _alert(
                station,
                "build_failed",
                f"build:{name}:{_iso(due)}",
                "alert.build_failed",
                programme=name,
                detail=str(exc),
            )
        log.warning("build %s: %s", name, exc)
        return None
    with station.store() as store:
        store.link_run(name, "build", _iso(due), bulletin_id)
    if programme.approval == "auto":
        auto_approve(station, bulletin_id, name, programme)
    with station.store() as store:
        store.finish_run(name, "build", _iso(due), "done", bulletin_id=bulletin_id)
    return bulletin_id


def auto_approve(station: Station, bulletin_id: int, name: str, programme: Programme) -> bool:
    """The one way around a person's review: a programme with `approval: auto` whose every
    item comes from one of its `trusted_sources`. Recorded in the audit log as the user `auto`
    with the policy that allowed it. Never for an emergency."""
    from bulletin.store.base import file_sha256

    with station.bulletin_lock(bulletin_id), station.store() as store:
        bulletin = store.bulletin(bulletin_id)
        if bulletin.state != "built" or bulletin.priority == "emergency":
            return False
        items = store.bulletin_items(bulletin_id)
        sources = sorted({store.announcement(i.announcement_id).source for i in items})
        trusted = set(programme.trusted_sources)
        if not items or not set(sources) <= trusted:
            store.note(
                bulletin_id,
                "auto-approve-refused",
                actor="auto",
                reason_key="review.auto_refused",
                reason_params={"programme": name, "sources": ", ".join(sources)},
            )
            return False
        try:
            on_disk = file_sha256(station.audio_file(bulletin.audio_path))
        except FileNotFoundError:
            on_disk = None
        if on_disk != bulletin.audio_sha256:
            return False
        with store.tx() as db:
            states.transition(
                db,
                bulletin_id,
                "approve",
                actor="auto",
                reason_key="review.auto_policy",
                reason_params={"programme": name, "sources": ", ".join(sources)},
                update={"approved_sha256": bulletin.audio_sha256},
            )
    log.info("auto-approved bulletin %d (%s: trusted %s)", bulletin_id, name, sources)
    return True


def run_air(
    station: Station, name: str, programme: Programme, due: datetime, what: str = "air"
) -> None:
    """Air the programme's bulletin for `due` on its controllers, once. Nothing approved by
    then: skip and alert (the policy `unapproved: skip`)."""
    from bulletin.schedules import air_for_repeat

    zone = station.workspace.config.timezone
    air = due if what == "air" else air_for_repeat(programme, zone, due)
    with station.store() as store:
        run = store.start_run(name, what, _iso(due), for_air=_iso(air) if air else None)
    if run is None:
        return
    bulletin_id = _bulletin_for(station, name, programme, air) if air else None
    with station.store() as store:
        bulletin = store.bulletin(bulletin_id) if bulletin_id is not None else None
    if bulletin is None or bulletin.state not in states.DELIVERABLE:
        _unapproved(station, name, programme, due, what, bulletin)
        return
    # A repeat is the same approved audio aired again: a delivery of its own.
    failed = _air_on(station, programme, bulletin.id, due, run.due_at if what == "repeat" else None)
    with station.store() as store:
        store.finish_run(
            name,
            what,
            _iso(due),
            "failed" if failed else "done",
            bulletin_id=bulletin.id,
            detail="; ".join(failed)[:500],
        )
    for line in failed:
        controller = line.split(":", 1)[0]
        _alert(
            station,
            "controller_failed",
            f"fail:{controller}:{bulletin.id}:{_iso(due)}",
            "alert.controller_failed",
            programme=name,
            controller=controller,
            bulletin=bulletin.id,
            detail=line,
        )


def _air_on(
    station: Station, programme: Programme, bulletin_id: int, due: datetime, airing: str | None
) -> list[str]:
    """Push to the programme's controllers (every enabled one when it names none); the
    failures as "controller: error"."""
    from bulletin.services.delivery import push

    failed: list[str] = []
    targets: list[str | None] = list(programme.controllers) or [None]
    for target in targets:
        result = push(station, bulletin_id, target, "scheduler", at=due, airing=airing)
        failed += [f"{o.controller}: {o.error}" for o in result.failed]
    return failed


def _unapproved(
    station: Station,
    name: str,
    programme: Programme,
    due: datetime,
    what: str,
    bulletin: Any,
) -> None:
    """Nothing approved at air time: skip, or air the programme's fallback recording when a
    person approved exactly that recording (`schedule fallback`); alert either way."""

    zone = station.workspace.config.timezone
    state = bulletin.state if bulletin else "-"
    local = due.astimezone(ZoneInfo(zone)).strftime("%H:%M %d/%m")
    fallback = approved_fallback(station, name, programme)
    aired = ""
    if programme.unapproved == "fallback" and fallback is not None:
        failed = _air_on(station, programme, fallback, due, _iso(due))
        aired = f"fallback {fallback} aired" + (f"; {'; '.join(failed)}" if failed else "")
    detail = f"not approved ({state})" if bulletin else "nothing built"
    with station.store() as store:
        store.finish_run(
            name,
            what,
            _iso(due),
            "done" if aired else "skipped",
            bulletin_id=fallback if aired else (bulletin.id if bulletin else None),
            detail=f"{detail}; {aired}" if aired else detail,
        )
    params: dict[str, Any]
    if bulletin is None:
        key, params = "alert.nothing_built", {"programme": name, "at": local}
    else:
        key = "alert.skipped_unapproved"
        params = {"programme": name, "at": local, "bulletin": bulletin.id, "state": state}
    if aired:
        key = "alert.fallback_aired"
        params = {"programme": name, "at": local, "fallback": fallback}
    elif programme.unapproved == "fallback":
        key = "alert.fallback_unapproved"
        params = {"programme": name, "at": local}
    _alert(station, "skipped_unapproved", f"skip:{name}:{_iso(due)}", key, **params)


def _fallback_file(station: Station, name: str, programme: Programme) -> Path:
    if not programme.fallback_audio:
        raise InputError("schedule.no_fallback", programme=name)
    path = Path(programme.fallback_audio).expanduser()
    return path if path.is_absolute() else station.root / path


def register_fallback(station: Station, name: str, actor: str) -> int:
    """The programme's fallback recording as a bulletin awaiting approval: once a person
    approves it, it may air when nothing else was approved by air time. A changed recording is
    a new bulletin needing approval again."""
    import shutil

    from bulletin.production.ffmpeg import decode, measure
    from bulletin.store.base import file_sha256
    from bulletin.store.bulletins import StoredAudio

    name, programme = station.workspace.programme(name)
    source = _fallback_file(station, name, programme)
    if source.suffix.lower() != ".mp3" or not source.is_file():
        raise InputError("schedule.fallback_file", path=str(source))
    digest = file_sha256(source)
    run_key = f"fallback:{name}:{digest}"
    with station.store() as store:
        found = store.bulletin_by_run_key(run_key)
    if found is not None:
        return found
    target = station.workspace.audio_dir / f"fallback-{name}-{digest[:12]}.mp3"
    shutil.copyfile(source, target)
    samples, rate = decode(target)
    loudness, peak = measure(target)
    with station.store() as store:
        number = store.create_draft(
            programme=name,
            priority="normal",
            voice="-",
            items=[],
            sentences=[("fallback", None, f"({source.name})", "")],
            actor=actor,
            run_key=run_key,
        )
        store.finish_build(
            number,
            StoredAudio(
                station.relative(target),
                target.stat().st_size,
                digest,
                len(samples) / rate,
                loudness,
                peak,
            ),
            [],
            actor=actor,
        )
    return number


def approved_fallback(station: Station, name: str, programme: Programme) -> int | None:
    """The approved bulletin of the programme's fallback recording as it is on disk now."""
    from bulletin.store.base import file_sha256

    if not programme.fallback_audio:
        return None
    try:
        digest = file_sha256(_fallback_file(station, name, programme))
    except OSError:
        return None
    with station.store() as store:
        found = store.bulletin_by_run_key(f"fallback:{name}:{digest}")
        if found is None:
            return None
        bulletin = store.bulletin(found)
    if bulletin.state in states.DELIVERABLE and bulletin.approved_sha256 == digest:
        return found
    return None


def _bulletin_for(station: Station, name: str, programme: Programme, air: datetime) -> int | None:
    """The bulletin built for this air time. A build of it running in this daemon is waited
    for; a build that never ran or was cut short by a kill is run now, within the misfire
    grace, rather than letting the air time go by empty."""
    deadline = time.monotonic() + programme.misfire_grace_minutes * 60
    tried = False
    while True:
        with station.store() as store:
            found = store.build_for_air(name, _iso(air))
        if found is not None and found.bulletin_id is not None:
            return found.bulletin_id
        if time.monotonic() > deadline:
            return None
        if found is not None and found.state == "running" and _building_here(name, found.due_at):
            time.sleep(0.2)
            continue
        if (found is not None and found.state != "running") or tried:
            return None  # built nothing (no items, or failed): the record says why
        tried = True
        due = _build_due_for(programme, station.workspace.config.timezone, air)
        if due is None:
            return None
        _run_firing(station, name, programme, "build", due)


def _build_due_for(programme: Programme, zone: str, air: datetime) -> datetime | None:
    """The build firing whose bulletin airs at `air`: the latest one before it that is for it."""
    from bulletin.schedules import air_for_build, triggers

    latest = None
    for what, _, trigger in triggers(programme, zone):
        if what != "build":
            continue
        fire = trigger.get_next_fire_time(None, air - timedelta(days=1))
        while fire is not None and fire <= air:
            if air_for_build(programme, zone, fire) == air and (latest is None or fire > latest):
                latest = fire
            fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


def _alert(station: Station, kind: str, key: str, message_key: str, **params: Any) -> None:
    """Tell staff; a broken alert channel never stops the daemon."""
    try:
        from bulletin.services.alerts import alert
    except ImportError:  # the alerts service is optional for a stripped-down install
        log.warning("%s: %s", kind, _vi(message_key, **params))
        return
    try:
        alert(
            station,
            kind,
            key,
            _vi(message_key, **params),
            programme=params.get("programme"),
            controller=params.get("controller"),
            bulletin_id=params.get("bulletin") if isinstance(params.get("bulletin"), int) else None,
        )
    except Exception:
        log.exception("alert %s failed", kind)


# Checking schedule files -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    field: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "field": self.field, "detail": self.detail}

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.detail}"


def check_schedules(station: Station) -> tuple[dict[str, Programme], list[Problem]]:
    """Every schedule file, with every problem found (not only the first): fields, then what
    they name (controllers or groups, sources, voice, the fallback recording)."""
    from bulletin.errors import ConfigError
    from bulletin.workspace import yaml_line

    folder = station.root / "schedules"
    found: dict[str, Programme] = {}
    problems: list[Problem] = []
    workspace = station.workspace
    try:
        controllers = workspace.controllers()
    except BulletinError:
        controllers = {}
    from bulletin.services.fetching import TYPED_SOURCE

    try:
        sources = {*workspace.sources(), TYPED_SOURCE}
    except BulletinError:
        sources = set()
    known_targets = set(controllers) | {g for c in controllers.values() for g in c.all_groups()}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            name, programme = workspace.programme(path.stem)
        except ConfigError as exc:
            params = exc.params
            problems.append(
                Problem(
                    str(path),
                    params.get("line"),
                    str(params.get("field", "(file)")),
                    str(params.get("detail", exc)),
                )
            )
            continue
        except BulletinError as exc:
            problems.append(Problem(str(path), None, "(file)", str(exc)))
            continue
        found[name] = programme

        def bad(field: str, index: int | None, detail: str, _path: Path = path) -> None:
            loc: list[Any] = [field] if index is None else [field, index]
            problems.append(Problem(str(_path), yaml_line(_path, loc), field, detail))

        for n, target in enumerate(programme.controllers):
            if target not in known_targets:
                bad("controllers", n, f"no controller, group or commune '{target}'")
        for field in ("sources", "trusted_sources"):
            for n, source in enumerate(getattr(programme, field)):
                if sources and source not in sources:
                    bad(field, n, f"no source '{source}' in sources.yaml")
        if programme.voice:
            try:
                workspace.voice(programme.voice)
            except BulletinError as exc:
                bad("voice", None, str(exc))
        if programme.fallback_audio:
            audio = Path(programme.fallback_audio)
            if not (audio if audio.is_absolute() else station.root / audio).is_file():
                bad("fallback_audio", None, f"no file {programme.fallback_audio}")
    return found, problems


# The daemon --------------------------------------------------------------------------------


def _fire(root: str, programme: str, what: str, index: int) -> None:
    """One APScheduler job: the firing it is for is the trigger's latest time at or before
    now (within the misfire grace). Module level, so the persistent job store can name it."""
    from bulletin.schedules import due_time, triggers

    station = Station.open(Path(root))
    zone = station.workspace.config.timezone
    try:
        name, found = station.workspace.programme(programme)
    except BulletinError as exc:
        log.error("programme %s: %s", programme, exc)
        return
    rules = [t for w, i, t in triggers(found, zone) if w == what and i == index]
    if not rules:
        return  # the file changed; the next sync drops this job
    # APScheduler starts a job a moment after its time: allow that, not more.
    grace = timedelta(minutes=found.misfire_grace_minutes, seconds=2)
    due = due_time(rules[0], datetime.now(UTC), grace)
    if due is None:
        return
    _run_firing(station, name, found, what, due)


_ACTIVE: set[tuple[str, str, str]] = set()
_ACTIVE_LOCK = threading.Lock()


def _run_firing(
    station: Station, name: str, programme: Programme, what: str, due: datetime
) -> None:
    """Run one firing unless this process is running it already (a job and the catch-up can
    meet at start-up; the store's run record keeps other processes out)."""
    key = (name, what, _iso(due))
    with _ACTIVE_LOCK:
        if key in _ACTIVE:
            return
        _ACTIVE.add(key)
    try:
        if what == "build":
            run_build(station, name, programme, due)
        else:
            run_air(station, name, programme, due, what)
    except Exception:
        log.exception("%s %s at %s", what, name, _iso(due))
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE.discard(key)


def _building_here(name: str, due: str) -> bool:
    with _ACTIVE_LOCK:
        return (name, "build", due) in _ACTIVE


class Daemon:
    """`schedule run`: APScheduler with a persistent job store in the workspace, coalescing
    and a misfire grace; firings recorded in the store so each runs exactly once across kills
    and restarts; emergencies picked up every `scheduler.poll_s`; a heartbeat."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.stop = threading.Event()
        self._files: dict[str, float] = {}
        self._last_beat = 0.0

    def run(self) -> None:
        from apscheduler.events import EVENT_JOB_MISSED
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        station = self.station
        busy = BulletinError("scheduler.running", path=str(daemon_lock_path(station)))
        with exclusive(daemon_lock_path(station), DAEMON_LOCK, busy=busy):
            with station.store() as store:
                previous = store.daemon()
                store.daemon_started(os.getpid(), socket.gethostname())
            since = _parse(previous.heartbeat_at) if previous else None
            first = _parse(previous.first_started_at or previous.started_at) if previous else None
            jobs = station.workspace.data_dir / "scheduler.sqlite3"
            scheduler = BackgroundScheduler(
                jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{jobs}")},
                executors={"default": ThreadPoolExecutor(4)},
                job_defaults={"coalesce": True, "max_instances": 1},
                timezone=ZoneInfo(station.workspace.config.timezone),
            )
            scheduler.add_listener(self._missed, EVENT_JOB_MISSED)
            self._sync(scheduler)
            scheduler.start()
            log.info("scheduler started (pid %d)", os.getpid())
            # In its own thread, so emergencies and the heartbeat never wait on a late build.
            catch_up = threading.Thread(
                target=self._catch_up, args=(since, first), name="catch-up", daemon=True
            )
            catch_up.start()
            try:
                self._loop(scheduler)
            finally:
                catch_up.join()
                scheduler.shutdown(wait=True)
                with station.store() as store:
                    store.daemon_stopped()
                log.info("scheduler stopped")

    def _loop(self, scheduler: Any) -> None:
        settings = self.station.workspace.config.scheduler
        while not self.stop.is_set():
            now = time.monotonic()
            if now - self._last_beat >= settings.heartbeat_s:
                self._last_beat = now
                with self.station.store() as store:
                    store.daemon_heartbeat()
                self._approval_alerts()
                if self._changed():
                    self._sync(scheduler)
            self._emergencies()
            self.stop.wait(settings.poll_s)

    def _emergencies(self) -> None:
        try:
            from bulletin.services import emergency
        except ImportError:
            return
        try:
            due = emergency.due_emergencies(self.station, datetime.now(UTC))
        except Exception:
            log.exception("emergencies")
            return
        for bulletin_id in due:
            log.info("emergency %d: airing", bulletin_id)
            try:
                emergency.air_emergency(self.station, bulletin_id, "scheduler")
            except BulletinError as exc:
                # Busy: approve (or another poll) is airing it right now.
                log.info("emergency %d: %s", bulletin_id, exc)
            except Exception:
                log.exception("emergency %d", bulletin_id)

    def _sync(self, scheduler: Any) -> None:
        """One job per firing rule of every programme file; a job whose rule is unchanged
        keeps its stored next run time, so misfires while the daemon was down are seen."""
        from bulletin.schedules import triggers

        station = Station.open(self.station.root)
        self.station = station
        zone = station.workspace.config.timezone
        wanted: dict[str, tuple[Any, list[Any], float]] = {}
        try:
            found = programmes(station)
        except BulletinError as exc:
            log.error("schedules not loaded, keeping the jobs I have: %s", exc)
            return
        for name, programme in found.items():
            for what, index, trigger in triggers(programme, zone):
                wanted[f"{name}:{what}:{index}"] = (
                    trigger,
                    [str(station.root), name, what, index],
                    max(programme.misfire_grace_minutes * 60, 1.0),
                )
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for job_id, (trigger, args, grace) in wanted.items():
            existing = scheduler.get_job(job_id)
            if existing is not None and str(existing.trigger) == str(trigger):
                continue
            scheduler.add_job(
                "bulletin.services.scheduling:_fire",
                trigger,
                args=args,
                id=job_id,
                replace_existing=True,
                misfire_grace_time=int(grace),
            )
        self._files = self._mtimes()
        log.info("%d programme jobs", len(wanted))

    def _mtimes(self) -> dict[str, float]:
        folder = self.station.root / "schedules"
        paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        return {str(p): p.stat().st_mtime for p in paths}

    def _changed(self) -> bool:
        try:
            return self._mtimes() != self._files
        except OSError:
            return True

    def _catch_up(self, since: datetime | None, first: datetime | None) -> None:
        """What the daemon owes after a restart, in time order (a build before the air it is
        for). Every firing of the last grace period is looked at again on every start (the
        run records skip what was done), so a restart that came before the previous one had
        caught up loses nothing; airs older than the grace, since the previous daemon's last
        heartbeat, are recorded as missed and alerted. A build runs only for an air time still
        ahead (an air within its grace builds what it needs). Nothing before this workspace's
        first daemon (`first`) was owed. Looks back a day at most."""
        from bulletin.schedules import triggers

        now = datetime.now(UTC)
        zone = self.station.workspace.config.timezone
        try:
            found = programmes(self.station)
        except BulletinError:
            return
        order = {"build": 0, "air": 1, "repeat": 2}
        owed: dict[tuple[str, str, datetime], tuple[Programme, timedelta]] = {}
        day_ago = now - timedelta(days=1)
        for name, programme in found.items():
            grace = timedelta(minutes=programme.misfire_grace_minutes)
            for what, _, trigger in triggers(programme, zone):
                if what == "build":
                    begin = day_ago if first is None else max(first, day_ago)
                elif first is None:
                    continue  # the first daemon owes no air time before it started
                else:
                    recheck = now - grace
                    if since is not None:
                        recheck = min(recheck, since - timedelta(seconds=10))
                    begin = max(first, recheck, day_ago)
                fire = trigger.get_next_fire_time(None, begin - timedelta(seconds=1))
                while fire is not None and fire <= now:
                    owed[(name, what, fire)] = (programme, grace)
                    fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
        with self.station.store() as store:
            unfinished = store.runs(200, states=("running",))
        for run in unfinished:
            if run.programme in found:
                due = datetime.fromisoformat(run.due_at)
                grace = timedelta(minutes=found[run.programme].misfire_grace_minutes)
                owed[(run.programme, run.what, due)] = (found[run.programme], grace)
        for (name, kind, fire), (programme, grace) in sorted(
            owed.items(), key=lambda o: (o[0][2], order[o[0][1]], o[0][0])
        ):
            if self.stop.is_set():
                return
            self._catch_up_one(name, programme, kind, fire, now, grace)

    def _catch_up_one(
        self,
        name: str,
        programme: Programme,
        what: str,
        fire: datetime,
        now: datetime,
        grace: timedelta,
    ) -> None:
        from bulletin.schedules import air_for_build

        with self.station.store() as store:
            run = store.run(name, what, _iso(fire))
        if run is not None and run.state != "running":
            return  # done, skipped, failed or missed: never again
        if what == "build":
            # A build matters only for an air time still ahead; an air time within its grace
            # builds what it needs itself (see `_bulletin_for`).
            air = air_for_build(programme, self.station.workspace.config.timezone, fire)
            if air is not None and air > now:
                _run_firing(self.station, name, programme, what, fire)
            elif run is not None and (air is None or now - air > grace):
                with self.station.store() as store:
                    store.finish_run(name, what, _iso(fire), "failed", detail="interrupted")
        elif now - fire <= grace:
            _run_firing(self.station, name, programme, what, fire)
        else:
            self._record_missed(name, what, fire)

    def _missed(self, event: Any) -> None:
        """APScheduler saw a firing later than its grace (the daemon was stopped or the clock
        jumped): record it as missed and alert, never air it late."""
        programme, what, _index = event.job_id.split(":")
        due = event.scheduled_run_time
        self._record_missed(programme, what, due)

    def _record_missed(self, programme: str, what: str, due: datetime) -> None:
        with self.station.store() as store:
            run = store.run(programme, what, _iso(due))
            if run is not None and run.state != "running":
                return
            store.start_run(programme, what, _iso(due))
            store.finish_run(programme, what, _iso(due), "missed", detail="missed")
        log.warning("%s %s at %s missed", what, programme, _iso(due))
        if what in ("air", "repeat"):
            local = due.astimezone(ZoneInfo(self.station.workspace.config.timezone))
            _alert(
                self.station,
                "missed_air",
                f"missed:{programme}:{_iso(due)}",
                "alert.missed_air",
                programme=programme,
                at=local.strftime("%H:%M %d/%m"),
            )

    def _approval_alerts(self) -> None:
        """A programme whose bulletin is built but not approved this close to air time."""
        from bulletin.schedules import triggers

        now = datetime.now(UTC)
        zone = self.station.workspace.config.timezone
        try:
            found = programmes(self.station)
        except BulletinError:
            return
        for name, programme in found.items():
            if programme.approval_alert_minutes is None:
                continue
            ahead = timedelta(minutes=programme.approval_alert_minutes)
            for what, _, trigger in triggers(programme, zone):
                if what != "air":
                    continue
                air = trigger.get_next_fire_time(None, now)
                if air is None or air - now > ahead:
                    continue
                with self.station.store() as store:
                    build = store.build_for_air(name, _iso(air))
                    if build is None or build.bulletin_id is None:
                        continue
                    state = store.bulletin(build.bulletin_id).state
                if state in ("built", "draft"):
                    local = air.astimezone(ZoneInfo(zone)).strftime("%H:%M %d/%m")
                    _alert(
                        self.station,
                        "awaiting_approval",
                        f"waiting:{name}:{_iso(air)}",
                        "alert.awaiting_approval",
                        programme=name,
                        at=local,
                        bulletin=build.bulletin_id,
                    )


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def run_daemon(
    station: Station, *, serve: tuple[str, int] | None = None, log_json: bool = False
) -> None:
    """`schedule run`: until SIGTERM or SIGINT, which let running firings finish. With `serve`,
    `bulletin serve` runs in the same process."""
    import signal

    handler = logging.StreamHandler()
    handler.setFormatter(
        _JsonLines() if log_json else logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    )
    root = logging.getLogger("bulletin")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    daemon = Daemon(station)

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after running firings finish", signum)
        daemon.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server = None
    if serve is not None:
        import uvicorn

        from bulletin.web.app import create_app

        server = uvicorn.Server(
            uvicorn.Config(
                create_app(station),
                host=serve[0],
                port=serve[1],
                log_level="warning",
                access_log=False,
                server_header=False,
            )
        )
        threading.Thread(target=server.run, name="serve", daemon=True).start()
    try:
        daemon.run()
    finally:
        if server is not None:
            server.should_exit = True
