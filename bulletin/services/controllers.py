"""Controllers in controllers.yaml: list, add and remove (comments kept)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulletin.services.station import Station
from bulletin.workspace import ControllerConfig


@dataclass(frozen=True)
class ControllerListing:
    name: str
    config: ControllerConfig

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "transport": self.config.transport,
            "address": self.config.address,
            "group": self.config.group,
            "format": self.config.format.model_dump(),
            "credentials_env": self.config.credentials_env,
        }


def list_controllers(station: Station) -> list[ControllerListing]:
    return [ControllerListing(n, c) for n, c in station.workspace.controllers().items()]


def add_controller(station: Station, name: str, entry: dict[str, Any]) -> str:
    from bulletin.config_edit import add_entry

    ControllerConfig.model_validate(entry)
    target = station.root / "controllers.yaml"
    add_entry(target, "controllers", name, entry)
    station.workspace.controllers()  # the file must still load
    return str(target)


def remove_controller(station: Station, name: str) -> str:
    from bulletin.config_edit import remove_entry

    target = station.root / "controllers.yaml"
    remove_entry(target, "controllers", name)
    return str(target)
