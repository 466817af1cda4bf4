"""Push approved audio to controllers, exactly once per (bulletin, controller), with receipts.

A push fans out over a bounded thread pool. Each controller is claimed, delivered and settled
through its own store connection, so a receipt is written the moment it exists; a retryable
failure is recorded, backed off (exponential, with jitter) and tried again until the attempts
or the air time run out. A push killed midway leaves its in-flight deliveries 'delivering':
the next push asks the transport to confirm them (what was sent is recorded before a
transport waits on a device) instead of sending them again.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bulletin import states
from bulletin.delivery.base import (
    AudioFile,
    AudioMismatchError,
    Fetch,
    Job,
    Receipt,
    Target,
    Transport,
    resolve_credentials,
    secrets_of,
)
from bulletin.domain import Bulletin, Delivery
from bulletin.errors import DeliveryError, InputError, NotFoundError, PolicyError
from bulletin.services.station import Station
from bulletin.store import Store
from bulletin.text.redact import redact
from bulletin.workspace import AudioFormatConfig, ControllerConfig, DeliveryConfig

# What production encodes; a controller wanting another format gets a rendition.
PRODUCED_FORMAT = AudioFormatConfig()


@dataclass(frozen=True)
class Outcome:
    """What one push did for one controller."""

    controller: str
    state: str  # delivered | failed | skipped (delivered before)
    bytes: int | None
    sha256: str | None
    error: str | None
    retryable: bool | None = None
    attempts: int = 0
    confirmed: bool = False
    """Delivered by an earlier, interrupted push: confirmed, not sent again."""

    def as_json(self) -> dict[str, Any]:
        return {
            "controller": self.controller,
            "state": self.state,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "error": self.error,
            "retryable": self.retryable,
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class PushResult:
    bulletin_id: int
    deliveries: list[Outcome]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.deliveries if o.state == "failed"]

    def as_json(self) -> dict[str, Any]:
        return {"bulletin": self.bulletin_id, "deliveries": [o.as_json() for o in self.deliveries]}


@dataclass(frozen=True)
class Progress:
    """One step of a push, for a live display: which controller, what happened."""

    controller: str
    event: str  # start | retry | delivered | failed | skipped | confirmed
    attempt: int
    detail: str = ""


def resolve_targets(station: Station, target: str | None) -> dict[str, ControllerConfig]:
    """A controller id, a group or commune, or (none given) every enabled controller. A disabled
    controller named on its own is refused; in a group it is left out."""
    controllers = station.workspace.controllers()
    if not controllers:
        raise NotFoundError("controller.none")
    if target is None:
        chosen = {n: c for n, c in controllers.items() if c.enabled}
    elif target in controllers:
        if not controllers[target].enabled:
            raise InputError("controller.disabled", name=target)
        return {target: controllers[target]}
    else:
        members = {n: c for n, c in controllers.items() if target in c.all_groups()}
        if not members:
            raise NotFoundError("controller.missing", name=target, known=", ".join(controllers))
        chosen = {n: c for n, c in members.items() if c.enabled}
    if not chosen:
        raise InputError("controller.all_disabled", name=target or "*")
    return chosen


def delivery_key(bulletin: Bulletin, controller: str, airing: str = "") -> str:
    """The idempotency key of (bulletin, approved audio, controller, airing)."""
    seed = f"{bulletin.id}/{bulletin.approved_sha256}/{controller}/{airing}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


@dataclass
class _Plan:
    """Everything a worker needs for one controller, prepared before the fan-out."""

    name: str
    config: ControllerConfig
    transport: Transport
    audio: AudioFile
    job: Job
    timeout: float
    fmt: str
    airing: str = ""


@dataclass
class _Fanout:
    station: Station
    bulletin: Bulletin
    actor: str
    settings: DeliveryConfig
    deadline: float
    """time.monotonic() after which no retry starts (the air time, or the retry window)."""
    progress: Callable[[Progress], None] | None
    stop: threading.Event = field(default_factory=threading.Event)
    _probe_lock: threading.Lock = field(default_factory=threading.Lock)
    _probe: tuple[float, str | None] = (0.0, None)

    def media_endpoint_problem(self) -> str | None:
        """Why devices cannot fetch from `bulletin serve` at public_url, or None. Asked at
        most every two seconds, so a thousand deliveries make a handful of probes."""
        import httpx

        with self._probe_lock:
            checked, problem = self._probe
            if time.monotonic() - checked < 2.0:
                return problem
            url = self.station.workspace.config.public_url.rstrip("/") + "/healthz"
            try:
                answer = httpx.get(url, timeout=3.0)
                problem = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                problem = str(exc) or type(exc).__name__
            self._probe = (time.monotonic(), problem)
            return problem

    def tell(self, controller: str, event: str, attempt: int, detail: str = "") -> None:
        if self.progress is not None:
            self.progress(Progress(controller, event, attempt, detail))


def push(
    station: Station,
    bulletin_id: int,
    target: str | None,
    actor: str,
    *,
    at: datetime | None = None,
    progress: Callable[[Progress], None] | None = None,
    airing: str | None = None,
) -> PushResult:
    """Deliver an approved bulletin's exact approved audio to each target controller.

    Holds the bulletin's lock for the whole push, so an edit cannot replace the audio midway;
    every transport checks the bytes it sends against the approved hash. `at` is the air time
    (aware); devices that can schedule get it, a stream waits for it. `airing` names a
    further airing of the same approved audio (a scheduled repeat): delivered once of its own.
    """
    from bulletin.plugins import load

    targets = resolve_targets(station, target)
    settings = station.workspace.config.delivery
    with station.bulletin_lock(bulletin_id), station.store() as store:
        bulletin = store.bulletin(bulletin_id)
        if bulletin.state not in states.DELIVERABLE or not bulletin.approved_sha256:
            raise PolicyError("push.unapproved", id=bulletin_id, state=bulletin.state)
        approved = AudioFile(
            station.audio_file(bulletin.audio_path),
            bulletin.approved_sha256,
            f"{bulletin.programme}-{bulletin_id}",
        )
        try:
            approved.read_verified()
        except AudioMismatchError:
            store.note(bulletin_id, "push-refused", actor=actor, reason_key="audio.changed")
            raise PolicyError("audio.changed", id=bulletin_id) from None
        transports: dict[str, Transport] = {}
        watch = _FetchWatch(station, bulletin_id)
        try:
            for controller in targets.values():
                if controller.transport not in transports:
                    transports[controller.transport] = load("transports", controller.transport)()
            # Renditions are made once per format, before any controller is claimed.
            audio_by_format: dict[str, AudioFile] = {}
            plans: list[_Plan] = []
            for name, controller in targets.items():
                key = controller.format.key
                if key not in audio_by_format:
                    audio_by_format[key] = _in_format(
                        station, store, bulletin, approved, controller.format
                    )
                plans.append(
                    _plan(
                        station,
                        store,
                        bulletin,
                        name,
                        controller,
                        transports[controller.transport],
                        audio_by_format[key],
                        key,
                        at,
                        watch,
                        airing or "",
                    )
                )
            store.change(bulletin_id, "push", actor=actor)
            window = settings.retry_window_s
            if at is not None:
                window = max(window, (at - datetime.now(UTC)).total_seconds())
            fanout = _Fanout(
                station, bulletin, actor, settings, time.monotonic() + window, progress
            )
            outcomes = _fan_out(fanout, plans)
        finally:
            watch.close()
            for transport in transports.values():
                transport.close()
            _settle(store, bulletin_id, actor)
    order = list(targets)
    outcomes.sort(key=lambda o: order.index(o.controller))
    return PushResult(bulletin_id, outcomes)


def _plan(
    station: Station,
    store: Store,
    bulletin: Bulletin,
    name: str,
    controller: ControllerConfig,
    transport: Transport,
    audio: AudioFile,
    fmt: str,
    at: datetime | None,
    watch: _FetchWatch,
    airing: str = "",
) -> _Plan:
    settings = station.workspace.config.delivery
    media_url = ""
    token = ""
    if getattr(transport, "uses_media_url", False):
        token, media_url = _media_url(station, store, bulletin, name, audio, at)
    if airing and not getattr(transport, "uses_media_url", False):
        # A further airing written as a file gets a file of its own, so a player watching a
        # folder sees something new; devices fetching by URL already hold the audio.
        slug = "".join(c if c.isalnum() else "-" for c in airing).strip("-")
        audio = replace(audio, stem=f"{audio.stem}-{slug}")
    job = Job(
        bulletin_id=bulletin.id,
        title=f"{station.workspace.config.station.name} - {bulletin.programme} "
        f"({bulletin.created_at[:10]})",
        station=station.workspace.config.station.name,
        key=delivery_key(bulletin, name, airing),
        air_at=at,
        media_url=media_url,
        fetched=watch.waiter(token) if token else None,
        sent=_sent_recorder(station, bulletin.id, name, airing),
    )
    return _Plan(
        name,
        controller,
        transport,
        audio,
        job,
        controller.timeout_s or settings.timeout_s,
        fmt,
        airing,
    )


def _fan_out(fanout: _Fanout, plans: list[_Plan]) -> list[Outcome]:
    """Every plan through a bounded pool. Ctrl-C stops new deliveries and retries; those in
    flight finish (each bounded by its timeout) and are recorded."""
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(
        max_workers=min(fanout.settings.concurrency, len(plans)) or 1,
        thread_name_prefix="deliver",
    ) as pool:
        pending: set[Future[Outcome]] = {pool.submit(_deliver_one, fanout, p) for p in plans}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                outcomes.extend(f.result() for f in done)
        except BaseException:
            fanout.stop.set()
            for future in pending:
                future.cancel()
            raise
    return outcomes


def _deliver_one(fanout: _Fanout, plan: _Plan) -> Outcome:
    """One controller: confirm an interrupted delivery, or deliver with retries."""
    station, bulletin, actor, name = fanout.station, fanout.bulletin, fanout.actor, plan.name
    if fanout.stop.is_set():
        return Outcome(name, "failed", None, None, "stopped", True)
    credentials = None
    with station.store() as store:
        before = store.delivery(bulletin.id, name, plan.airing)
        if before is not None and before.state in ("delivered", "cancelled"):
            fanout.tell(name, "skipped", before.attempts)
            return Outcome(
                name, "skipped", before.bytes, before.sha256, None, None, before.attempts
            )
        interrupted = before is not None and before.state == "delivering"
        was_sent = store.sent(bulletin.id, name, plan.airing) if interrupted else None
        attempt = 0
        while True:
            store.claim_delivery(
                bulletin.id,
                name,
                actor=actor,
                key=plan.job.key,
                air_at=plan.job.air_at.isoformat() if plan.job.air_at else None,
                fmt=plan.fmt,
                airing=plan.airing,
            )
            attempt = store.delivery(bulletin.id, name, plan.airing).attempts  # type: ignore[union-attr]
            started = time.monotonic()
            fanout.tell(name, "start", attempt)
            confirmed = False
            try:
                credentials = resolve_credentials(plan.config, name, station.root)
                target = Target(
                    name,
                    plan.config,
                    credentials,
                    station.root,
                    station.workspace.config.public_url,
                    plan.timeout,
                )
                receipt: Receipt | None = None
                confirm = getattr(plan.transport, "confirm", None)
                if interrupted and confirm is not None:
                    receipt = confirm(plan.audio, target, replace(plan.job, was_sent=was_sent))
                    confirmed = receipt is not None
                interrupted = False
                if receipt is None:
                    store.clear_sent(bulletin.id, name, plan.airing)
                    problem = plan.job.media_url and fanout.media_endpoint_problem()
                    if problem:
                        # No command goes out that would send a device to a dead URL.
                        raise DeliveryError(
                            "delivery.media_endpoint",
                            retryable=True,
                            url=station.workspace.config.public_url,
                            detail=problem,
                        )
                    receipt = plan.transport.deliver(plan.audio, target, plan.job)
            except AudioMismatchError as exc:
                store.finish_delivery(
                    bulletin.id,
                    name,
                    actor=actor,
                    ok=False,
                    error=str(exc),
                    retryable=False,
                    airing=plan.airing,
                )
                store.note(bulletin.id, "push-refused", actor=actor, reason_key="audio.changed")
                fanout.tell(name, "failed", attempt, str(exc))
                return Outcome(name, "failed", None, None, str(exc), False, attempt)
            except DeliveryError as exc:
                message = redact(str(exc), secrets_of(credentials))
                store.finish_delivery(
                    bulletin.id,
                    name,
                    actor=actor,
                    ok=False,
                    error=message,
                    retryable=exc.retryable,
                    seconds=round(time.monotonic() - started, 3),
                    airing=plan.airing,
                )
                pause = _backoff(fanout.settings, attempt)
                if (
                    exc.retryable
                    and attempt < fanout.settings.retry_attempts
                    and time.monotonic() + pause < fanout.deadline
                    and not fanout.stop.wait(pause)
                ):
                    fanout.tell(name, "retry", attempt, message)
                    continue
                fanout.tell(name, "failed", attempt, message)
                return Outcome(name, "failed", None, None, message, exc.retryable, attempt)
            except BaseException as exc:
                # A bug, or the interpreter going down: the row must not stay 'delivering'
                # with nothing behind it.
                store.finish_delivery(
                    bulletin.id,
                    name,
                    actor=actor,
                    ok=False,
                    error=redact(repr(exc)[:300], secrets_of(credentials)),
                    retryable=True,
                    airing=plan.airing,
                )
                if isinstance(exc, Exception):
                    fanout.tell(name, "failed", attempt, repr(exc)[:200])
                    return Outcome(name, "failed", None, None, repr(exc)[:300], True, attempt)
                raise
            store.finish_delivery(
                bulletin.id,
                name,
                actor=actor,
                ok=True,
                bytes_sent=receipt.bytes,
                sha256=receipt.sha256,
                remote_id=redact(receipt.remote_id, secrets_of(credentials)),
                ack=redact(receipt.ack or "", secrets_of(credentials))[:500] or None,
                seconds=round(time.monotonic() - started, 3),
                airing=plan.airing,
            )
            fanout.tell(name, "confirmed" if confirmed else "delivered", attempt)
            return Outcome(
                name, "delivered", receipt.bytes, receipt.sha256, None, None, attempt, confirmed
            )


def _backoff(settings: DeliveryConfig, attempt: int) -> float:
    """Exponential from retry_base_s, capped, with full jitter in [0.5, 1.5)."""
    pause = min(settings.retry_cap_s, settings.retry_base_s * 2 ** max(attempt - 1, 0))
    return pause * (0.5 + random.random())


def _media_url(
    station: Station,
    store: Store,
    bulletin: Bulletin,
    controller: str,
    audio: AudioFile,
    at: datetime | None,
) -> tuple[str, str]:
    """This delivery's own URL on `bulletin serve`: a token kept while it is valid, so a retry
    sends the device the same URL."""
    found = store.delivery_token(bulletin.id, controller, audio.sha256)
    if found is None:
        ttl = timedelta(hours=station.workspace.config.delivery.token_ttl_hours)
        expires = datetime.now(UTC) + ttl
        if at is not None and at + ttl > expires:
            expires = at + ttl
        token = secrets.token_urlsafe(24)
        store.save_media_token(
            token,
            bulletin_id=bulletin.id,
            controller=controller,
            path=station.relative(audio.path),
            sha256=audio.sha256,
            filename=audio.filename,
            content_type=audio.content_type,
            expires_at=expires.astimezone(UTC).isoformat(timespec="seconds"),
        )
    else:
        token = found.token
    base = station.workspace.config.public_url.rstrip("/")
    return token, f"{base}/media/{token}/{audio.filename}"


class _FetchWatch:
    """What `bulletin serve` reports of one bulletin's downloads, for every delivery waiting on
    a device: one thread asks the store ten times a second while anyone waits, instead of
    each waiting delivery polling on its own connection."""

    def __init__(self, station: Station, bulletin_id: int) -> None:
        self.station = station
        self.bulletin_id = bulletin_id
        self._cond = threading.Condition()
        self._done: dict[str, Fetch] = {}
        self._waiting = 0
        self._polls = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    def waiter(self, token: str) -> Callable[[float], Fetch | None]:
        return lambda timeout: self.wait(token, timeout)

    def wait(self, token: str, timeout: float) -> Fetch | None:
        """The complete download of `token`, waiting up to `timeout` s (at least one fresh
        look at the store, so a zero timeout still sees what is recorded)."""
        end = time.monotonic() + max(timeout, 0.0)
        with self._cond:
            self._waiting += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="fetch-watch", daemon=True)
                self._thread.start()
            try:
                seen = self._polls
                while True:
                    if token in self._done:  # a complete download stays complete
                        return self._done[token]
                    remaining = end - time.monotonic()
                    if self._polls > seen and remaining <= 0:
                        return self._done.get(token)
                    if self._closed:
                        return self._done.get(token)
                    self._cond.wait(max(remaining, 0.05))
            finally:
                self._waiting -= 1

    def _run(self) -> None:
        with self.station.store() as store:
            while True:
                rows = store.db.execute(
                    """SELECT token, completed_bytes, completed_at, client FROM media_tokens
                       WHERE bulletin_id = ? AND completed_at IS NOT NULL""",
                    (self.bulletin_id,),
                ).fetchall()
                with self._cond:
                    for row in rows:
                        self._done[row[0]] = Fetch(row[1] or 0, row[2], row[3] or "")
                    self._polls += 1
                    self._cond.notify_all()
                    if self._closed or self._waiting == 0:
                        self._thread = None
                        return
                time.sleep(0.1)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def _sent_recorder(
    station: Station, bulletin_id: int, controller: str, airing: str
) -> Callable[[str], None]:
    def sent(what: str) -> None:
        with station.store() as store:
            store.mark_sent(bulletin_id, controller, what, airing)

    return sent


def _in_format(
    station: Station,
    store: Store,
    bulletin: Bulletin,
    approved: AudioFile,
    fmt: AudioFormatConfig,
) -> AudioFile:
    """The approved audio, or its rendition in the controller's format: encoded once per
    bulletin from the verified approved bytes, tagged, kept within 0.5 LU of the station's
    target, and recorded with its own hash against the approved audio's."""
    import datetime as dt

    from bulletin.production.renditions import Tags, render

    if fmt == PRODUCED_FORMAT:
        return approved
    audio_settings = station.workspace.config.audio
    key = f"{fmt.key}-{audio_settings.target_lufs:g}lufs"
    found = store.rendition(bulletin.id, key, approved.sha256)
    suffix = fmt.suffix
    if found is not None and station.audio_file(found[0]).exists():
        return AudioFile(station.audio_file(found[0]), found[1], approved.stem, suffix)
    approved.read_verified()
    out: Path = (
        station.workspace.audio_dir / f"bulletin-{bulletin.id}-{approved.sha256[:12]}-{key}{suffix}"
    )
    config = station.workspace.config
    info = render(
        approved.path,
        out,
        fmt,
        Tags(
            title=f"{config.station.name} - {bulletin.programme}",
            station=config.station.name,
            date=dt.date.fromisoformat(bulletin.created_at[:10]),
            bulletin_id=bulletin.id,
        ),
        audio_settings.target_lufs,
        audio_settings.true_peak_dbtp,
    )
    store.save_rendition(bulletin.id, key, station.relative(out), info.sha256, approved.sha256)
    return AudioFile(out, info.sha256, approved.stem, info.suffix)


def _settle(store: Store, bulletin_id: int, actor: str) -> None:
    """The bulletin is delivered when every delivery is, failed while any has failed."""
    found = {d.state for d in store.deliveries(bulletin_id)}
    if "delivering" in found or store.bulletin(bulletin_id).state != "delivering":
        return
    store.change(bulletin_id, "fail" if "failed" in found else "deliver", actor=actor)


def deliveries(station: Station, bulletin_id: int | None = None) -> list[Delivery]:
    with station.store(readonly=True) as store:
        return store.deliveries(bulletin_id)
