"""Fetch every configured source; one failing source never stops the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bulletin.errors import BulletinError, NotFoundError
from bulletin.sources import fetcher_for, location_of
from bulletin.store import Store
from bulletin.workspace import Workspace


@dataclass(frozen=True)
class SourceReport:
    """What one source gave in this fetch."""

    source: str
    kind: str
    status: str  # ok | not_modified | error
    found: int
    new: int
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "status": self.status,
            "found": self.found,
            "new": self.new,
            "error": self.error,
        }


def fetch_sources(
    workspace: Workspace,
    store: Store,
    only: str | None = None,
    on_source: Callable[[str], None] | None = None,
) -> list[SourceReport]:
    sources = workspace.sources()
    if only is not None:
        if only not in sources:
            raise NotFoundError("source.missing", name=only, known=", ".join(sources) or "-")
        sources = {only: sources[only]}
    reports = []
    for name, spec in sources.items():
        if on_source is not None:
            on_source(name)
        location = location_of(spec)
        state = store.source_state(name)
        same_place = state is not None and state["location"] == location
        etag = state["etag"] if same_place and state else None
        modified = state["last_modified"] if same_place and state else None
        try:
            result = fetcher_for(spec.kind)(workspace, name, spec, etag, modified)
        except BulletinError as exc:
            store.record_fetch_error(name, spec.kind, location, str(exc))
            reports.append(SourceReport(name, spec.kind, "error", 0, 0, str(exc)))
            continue
        new_ids = store.save_fetch(
            name,
            spec.kind,
            location,
            result.announcements,
            priority=spec.priority,
            tags=spec.tags,
            etag=result.etag,
            last_modified=result.last_modified,
            status="not_modified" if result.not_modified else "ok",
        )
        status = "not_modified" if result.not_modified else "ok"
        reports.append(
            SourceReport(name, spec.kind, status, len(result.announcements), len(new_ids))
        )
    return reports
