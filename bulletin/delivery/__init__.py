"""Delivery: push approved audio to controllers, exactly once per (bulletin, controller)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import DeliveryError, NotFoundError, PolicyError
from bulletin.locks import exclusive
from bulletin.store import Store
from bulletin.workspace import ControllerConfig, Workspace

DELIVERABLE = ("approved", "delivering", "delivered", "failed")


@dataclass(frozen=True)
class Receipt:
    """Proof of one delivery: what was sent, its checksum and where it landed."""

    bytes: int
    sha256: str
    remote_id: str
    at: str


@dataclass(frozen=True)
class Outcome:
    controller: str
    state: str  # delivered | failed | skipped (already delivered earlier)
    bytes: int | None
    sha256: str | None
    error: str | None


Transport = Callable[[Workspace, Path, str, ControllerConfig, str], Receipt]


def transport_for(name: str) -> Transport:
    if name == "folder":
        from bulletin.delivery.folder import deliver_folder

        return deliver_folder
    raise NotFoundError("transport.unknown", transport=name)


def resolve_targets(workspace: Workspace, target: str | None) -> dict[str, ControllerConfig]:
    """A controller name, a group name, or (none given) every controller."""
    controllers = workspace.controllers()
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


def push(
    workspace: Workspace, store: Store, bulletin_id: int, target: str | None, actor: str
) -> list[Outcome]:
    row = store.bulletin(bulletin_id)
    if row["state"] not in DELIVERABLE:
        raise PolicyError("push.unapproved", id=bulletin_id, state=row["state"])
    targets = resolve_targets(workspace, target)
    audio = Path(row["audio_path"])
    with exclusive(workspace.data_dir / "push.lock", "push"):
        if row["state"] == "approved":
            store.transition(
                bulletin_id,
                expect=("approved",),
                to_state="delivering",
                actor=actor,
                action="push",
            )
        outcomes = [
            _deliver_one(workspace, store, bulletin_id, audio, name, controller, row["programme"])
            for name, controller in targets.items()
        ]
        _settle(store, bulletin_id, actor)
    return outcomes


def _deliver_one(
    workspace: Workspace,
    store: Store,
    bulletin_id: int,
    audio: Path,
    name: str,
    controller: ControllerConfig,
    programme: str,
) -> Outcome:
    if not store.claim_delivery(bulletin_id, name):
        done = store.delivery(bulletin_id, name)
        assert done is not None
        return Outcome(name, "skipped", done["bytes"], done["sha256"], None)
    try:
        transport = transport_for(controller.transport)
        receipt = transport(workspace, audio, f"{programme}-{bulletin_id}", controller, name)
    except DeliveryError as exc:
        store.finish_delivery(bulletin_id, name, ok=False, error=str(exc))
        return Outcome(name, "failed", None, None, str(exc))
    except BaseException as exc:
        # Ctrl-C or a bug: the row must not stay 'delivering' with nothing behind it.
        store.finish_delivery(bulletin_id, name, ok=False, error=repr(exc))
        raise
    store.finish_delivery(
        bulletin_id,
        name,
        ok=True,
        bytes_sent=receipt.bytes,
        sha256=receipt.sha256,
        remote_id=receipt.remote_id,
    )
    return Outcome(name, "delivered", receipt.bytes, receipt.sha256, None)


def _settle(store: Store, bulletin_id: int, actor: str) -> None:
    """The bulletin is delivered when every delivery is, failed while any has failed."""
    states = {d["state"] for d in store.deliveries(bulletin_id)}
    target = "failed" if "failed" in states else "delivered"
    current = store.bulletin(bulletin_id)["state"]
    if current != target:
        store.transition(
            bulletin_id, expect=DELIVERABLE, to_state=target, actor=actor, action="deliver"
        )
