"""Controllers in controllers.yaml: list, add and remove (comments kept)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulletin.services.config import add_entry, remove_entry
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
    return add_entry(station, "controllers", name, entry)


def remove_controller(station: Station, name: str) -> str:
    return remove_entry(station, "controllers", name)
