"""Controllers in controllers.yaml: list, add, remove (comments kept), check and status."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bulletin.delivery.base import Target, resolve_credentials, secrets_of
from bulletin.domain import Delivery
from bulletin.errors import BulletinError, DeliveryError, NotFoundError
from bulletin.messages import t
from bulletin.services.config import add_entry, remove_entry
from bulletin.services.station import Station
from bulletin.store.deliveries import StatusRecord
from bulletin.text.redact import redact
from bulletin.workspace import ControllerConfig


@dataclass(frozen=True)
class ControllerListing:
    name: str
    config: ControllerConfig

    def as_json(self) -> dict[str, Any]:
        c = self.config
        return {
            "id": self.name,
            "name": c.name or self.name,
            "commune": c.commune,
            "transport": c.transport,
            "address": c.address,
            "groups": c.all_groups(),
            "enabled": c.enabled,
            "format": c.format.model_dump(),
            "format_key": c.format.key,
            # The names of where secrets are, never the secrets.
            "credentials_env": c.credentials_env,
            "credentials_file": c.credentials_file,
        }


@dataclass(frozen=True)
class CheckResult:
    controller: str
    transport: str
    ok: bool
    detail: str
    seconds: float
    retryable: bool | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "controller": self.controller,
            "transport": self.transport,
            "ok": self.ok,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
            "retryable": self.retryable,
        }


def list_controllers(station: Station) -> list[ControllerListing]:
    return [ControllerListing(n, c) for n, c in station.workspace.controllers().items()]


def add_controller(station: Station, name: str, entry: dict[str, Any]) -> str:
    return add_entry(station, "controllers", name, entry)


def remove_controller(station: Station, name: str) -> str:
    return remove_entry(station, "controllers", name)


def _chosen(station: Station, name: str | None) -> dict[str, ControllerConfig]:
    controllers = station.workspace.controllers()
    if not controllers:
        raise NotFoundError("controller.none")
    if name is None:
        return controllers
    if name in controllers:
        return {name: controllers[name]}
    members = {n: c for n, c in controllers.items() if name in c.all_groups()}
    if not members:
        raise NotFoundError("controller.missing", name=name, known=", ".join(controllers))
    return members


def _target(station: Station, name: str, config: ControllerConfig) -> Target:
    settings = station.workspace.config
    return Target(
        name,
        config,
        resolve_credentials(config, name, station.root),
        station.root,
        settings.public_url,
        config.timeout_s or min(settings.delivery.timeout_s, 15.0),
    )


def check_controllers(station: Station, name: str | None = None) -> list[CheckResult]:
    """Each controller's reachability and authentication, delivering nothing."""
    from bulletin.plugins import load

    results = []
    for cname, config in _chosen(station, name).items():
        started = time.monotonic()
        secrets: list[str] = []
        transport = load("transports", config.transport)()
        try:
            target = _target(station, cname, config)
            secrets = secrets_of(target.credentials)
            probe = getattr(transport, "check", None)
            if probe is None:
                results.append(
                    CheckResult(
                        cname,
                        config.transport,
                        True,
                        t("check.no_probe", transport=config.transport),
                        0.0,
                    )
                )
                continue
            found = probe(target)
            results.append(
                CheckResult(
                    cname, config.transport, found.ok, redact(found.detail, secrets), found.seconds
                )
            )
        except DeliveryError as exc:
            results.append(
                CheckResult(
                    cname,
                    config.transport,
                    False,
                    redact(str(exc), secrets),
                    time.monotonic() - started,
                    exc.retryable,
                )
            )
        except BulletinError as exc:
            results.append(
                CheckResult(cname, config.transport, False, str(exc), time.monotonic() - started)
            )
        finally:
            transport.close()
    return results


def controller_status(station: Station, name: str | None = None) -> list[StatusRecord]:
    """Ask each controller whose protocol reports device status; record every reading, so a
    history builds up. Others show their last delivery."""
    from bulletin.plugins import load

    found: list[StatusRecord] = []
    chosen = _chosen(station, name)
    readings: list[tuple[str, str, str | None, str]] = []
    for cname, config in chosen.items():
        transport = load("transports", config.transport)()
        secrets: list[str] = []
        try:
            ask = getattr(transport, "status", None)
            if ask is None:
                readings.append((cname, "unknown", None, t("status.none")))
                continue
            target = _target(station, cname, config)
            secrets = secrets_of(target.credentials)
            devices = ask(target)
            if not devices:
                readings.append((cname, "unknown", None, ""))
            for device in devices:
                detail = device.detail
                if len(devices) > 1:
                    detail = f"{device.device}: {detail}".rstrip(": ")
                readings.append((cname, device.status, device.seen_at, redact(detail, secrets)))
        except DeliveryError as exc:
            readings.append((cname, "unreachable", None, redact(str(exc), secrets)))
        finally:
            transport.close()
    with station.store() as store:
        last = {d.controller: d for d in store.deliveries()}
        for cname, status, seen_at, detail in readings:
            if status == "unknown" and cname in last:
                d = last[cname]
                detail = t("status.last_delivery", id=d.bulletin_id, state=d.state)
                seen_at = d.at if d.state == "delivered" else seen_at
            store.record_status(cname, status, seen_at, detail)
            found.append(store.status_history(cname, limit=1)[0])
    return found


@dataclass(frozen=True)
class ControllerOverview:
    """One controller as the review desk shows it: its last delivery, last status reading and
    when it was last known alive."""

    name: str
    config: ControllerConfig
    last_delivery: Delivery | None
    last_status: StatusRecord | None
    last_seen: str | None


def controller_overview(station: Station) -> tuple[list[ControllerOverview], str | None]:
    """Every configured controller with what the store knows of it, and the problem reading
    controllers.yaml if there is one (shown, not raised: the page must still open)."""
    try:
        controllers = station.workspace.controllers()
    except BulletinError as exc:
        return [], exc.message(station.lang)
    with station.store(readonly=True) as store:
        last = store.latest_deliveries()
        readings = store.latest_status()
        seen = store.last_seen()
    return [
        ControllerOverview(name, config, last.get(name), readings.get(name), seen.get(name))
        for name, config in controllers.items()
    ], None
