"""Push approved audio to controllers, exactly once per (bulletin, controller), with receipts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin import states
from bulletin.delivery.base import (
    AudioFile,
    AudioMismatchError,
    Target,
    Transport,
    resolve_credentials,
)
from bulletin.domain import Bulletin, Delivery
from bulletin.errors import DeliveryError, NotFoundError, PolicyError
from bulletin.services.station import Station
from bulletin.staging import partial_path
from bulletin.store import Store
from bulletin.store.base import file_sha256
from bulletin.workspace import AudioFormatConfig, ControllerConfig

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

    def as_json(self) -> dict[str, Any]:
        return {
            "controller": self.controller,
            "state": self.state,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "error": self.error,
            "retryable": self.retryable,
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


def resolve_targets(station: Station, target: str | None) -> dict[str, ControllerConfig]:
    """A controller name, a group name, or (none given) every controller."""
    controllers = station.workspace.controllers()
    if not controllers:
        raise NotFoundError("controller.none")
    if target is None:
        return controllers
    if target in controllers:
        return {target: controllers[target]}
    group = {name: c for name, c in controllers.items() if c.group == target}
    if not group:
        raise NotFoundError("controller.missing", name=target, known=", ".join(controllers))
    return group


def push(station: Station, bulletin_id: int, target: str | None, actor: str) -> PushResult:
    """Deliver an approved bulletin's exact approved audio to each target controller.

    Holds the bulletin's lock for the whole push, so an edit cannot replace the audio midway;
    every transport checks the bytes it sends against the approved hash.
    """
    from bulletin.plugins import load

    targets = resolve_targets(station, target)
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
        store.change(bulletin_id, "push", actor=actor)
        transports: dict[str, Transport] = {}
        try:
            outcomes = []
            for name, controller in targets.items():
                if controller.transport not in transports:
                    transports[controller.transport] = load("transports", controller.transport)()
                outcomes.append(
                    _deliver_one(
                        station,
                        store,
                        bulletin,
                        approved,
                        Target(
                            name,
                            controller,
                            None,
                            station.root,
                            station.workspace.config.public_url,
                        ),
                        transports[controller.transport],
                        actor,
                    )
                )
        finally:
            for transport in transports.values():
                transport.close()
            _settle(store, bulletin_id, actor)
    return PushResult(bulletin_id, outcomes)


def _deliver_one(
    station: Station,
    store: Store,
    bulletin: Bulletin,
    approved: AudioFile,
    target: Target,
    transport: Transport,
    actor: str,
) -> Outcome:
    name = target.name
    if not store.claim_delivery(bulletin.id, name, actor=actor):
        done = store.delivery(bulletin.id, name)
        assert done is not None
        return Outcome(name, "skipped", done.bytes, done.sha256, None)
    try:
        audio = _in_format(station, store, bulletin, approved, target.config)
        credentials = resolve_credentials(target.config, name)
        receipt = transport.deliver(
            audio,
            Target(name, target.config, credentials, target.base_dir, target.public_url),
        )
    except AudioMismatchError as exc:
        store.finish_delivery(
            bulletin.id, name, actor=actor, ok=False, error=str(exc), retryable=False
        )
        store.note(bulletin.id, "push-refused", actor=actor, reason_key="audio.changed")
        raise PolicyError("audio.changed", id=bulletin.id) from None
    except DeliveryError as exc:
        store.finish_delivery(
            bulletin.id, name, actor=actor, ok=False, error=str(exc), retryable=exc.retryable
        )
        return Outcome(name, "failed", None, None, str(exc), exc.retryable)
    except BaseException as exc:
        # Ctrl-C or a bug: the row must not stay 'delivering' with nothing behind it.
        store.finish_delivery(
            bulletin.id, name, actor=actor, ok=False, error=repr(exc)[:300], retryable=True
        )
        raise
    store.finish_delivery(
        bulletin.id,
        name,
        actor=actor,
        ok=True,
        bytes_sent=receipt.bytes,
        sha256=receipt.sha256,
        remote_id=receipt.remote_id,
    )
    return Outcome(name, "delivered", receipt.bytes, receipt.sha256, None)


def format_key(fmt: AudioFormatConfig) -> str:
    return f"mp3-{fmt.bitrate_kbps}k-{fmt.sample_rate}hz-{fmt.channels}ch"


def _in_format(
    station: Station,
    store: Store,
    bulletin: Bulletin,
    approved: AudioFile,
    controller: ControllerConfig,
) -> AudioFile:
    """The approved audio, or its rendition in the controller's format, made once from the
    verified approved bytes and recorded with its own hash."""
    from bulletin.production import AudioFormat
    from bulletin.production.ffmpeg import transcode

    if controller.format == PRODUCED_FORMAT:
        return approved
    key = format_key(controller.format)
    found = store.rendition(bulletin.id, key, approved.sha256)
    if found is not None and station.audio_file(found[0]).exists():
        return AudioFile(station.audio_file(found[0]), found[1], approved.stem)
    approved.read_verified()
    out: Path = (
        station.workspace.audio_dir / f"bulletin-{bulletin.id}-{approved.sha256[:12]}-{key}.mp3"
    )
    temp = partial_path(out)
    try:
        transcode(approved.path, temp, AudioFormat(**controller.format.model_dump()))
        os.replace(temp, out)
    except Exception as exc:
        raise DeliveryError("delivery.encode", retryable=False, detail=str(exc)[-300:]) from None
    finally:
        temp.unlink(missing_ok=True)
    digest = file_sha256(out)
    store.save_rendition(bulletin.id, key, station.relative(out), digest, approved.sha256)
    return AudioFile(out, digest, approved.stem)


def _settle(store: Store, bulletin_id: int, actor: str) -> None:
    """The bulletin is delivered when every delivery is, failed while any has failed."""
    found = {d.state for d in store.deliveries(bulletin_id)}
    if "delivering" in found or store.bulletin(bulletin_id).state != "delivering":
        return
    store.change(bulletin_id, "fail" if "failed" in found else "deliver", actor=actor)


def deliveries(station: Station, bulletin_id: int | None = None) -> list[Delivery]:
    with station.store(readonly=True) as store:
        return store.deliveries(bulletin_id)
