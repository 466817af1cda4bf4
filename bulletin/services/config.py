"""Named entries in sources.yaml and controllers.yaml: added or removed with comments kept,
and never left in a state the workspace cannot load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel

from bulletin.services.station import Station
from bulletin.workspace import ControllerConfig, SourceConfig, Workspace, check_name

Section = Literal["sources", "controllers"]

_SECTIONS: dict[Section, tuple[str, type[BaseModel], Callable[[Workspace], object], str]] = {
    "sources": ("sources.yaml", SourceConfig, Workspace.sources, "source"),
    "controllers": ("controllers.yaml", ControllerConfig, Workspace.controllers, "controller"),
}


def add_entry(station: Station, section: Section, name: str, entry: dict[str, Any]) -> str:
    """Add `name` to the section's file; returns the file written. When the file would no
    longer load as a whole, its previous text is put back and the error raised."""
    from bulletin.config_edit import add_entry as write_entry

    filename, model, load, what = _SECTIONS[section]
    check_name(name, what)
    model.model_validate(entry)
    target = station.root / filename
    before = target.read_text(encoding="utf-8") if target.exists() else None
    write_entry(target, section, name, entry)
    try:
        load(station.workspace)
    except BaseException:
        if before is None:
            target.unlink(missing_ok=True)
        else:
            target.write_text(before, encoding="utf-8")
        raise
    return str(target)


def remove_entry(station: Station, section: Section, name: str) -> str:
    """Remove `name` from the section's file; what the store recorded for it stays."""
    from bulletin.config_edit import remove_entry as drop_entry

    target = station.root / _SECTIONS[section][0]
    drop_entry(target, section, name)
    return str(target)
