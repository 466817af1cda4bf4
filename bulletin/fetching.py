"""Fetch every configured source; one failing source never stops the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bulletin.errors import BulletinError, InputError, NotFoundError
from bulletin.sources import FetchContext, fetcher_for, location_of
from bulletin.sources.http import HttpClient
from bulletin.store import Announcement, NewAnnouncement, Store
from bulletin.workspace import SourceConfig, Workspace


@dataclass(frozen=True)
class SourceReport:
    """What one source gave in this fetch."""

    source: str
    kind: str
    status: str  # ok | not_modified | error
    found: int
    new: int
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "status": self.status,
            "found": self.found,
            "new": self.new,
            "error": self.error,
            "warnings": self.warnings,
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
    with HttpClient() as http:
        for name, spec in sources.items():
            if on_source is not None:
                on_source(name)
            reports.append(_fetch_one(workspace, store, http, name, spec))
    return reports


def _fetch_one(
    workspace: Workspace, store: Store, http: HttpClient, name: str, spec: SourceConfig
) -> SourceReport:
    location = location_of(spec)
    state = store.source_state(name)
    # Validators belong to a URL: after the source moves, ask unconditionally.
    same_place = state is not None and state["location"] == location
    context = FetchContext(
        workspace=workspace,
        name=name,
        spec=spec,
        http=http,
        etag=state["etag"] if state is not None and same_place else None,
        last_modified=state["last_modified"] if state is not None and same_place else None,
        known_uids=store.known_uids(name),
    )
    try:
        result = fetcher_for(spec.kind)(context)
    except BulletinError as exc:
        store.record_fetch_error(name, spec.kind, location, str(exc))
        return SourceReport(name, spec.kind, "error", 0, 0, str(exc), context.warnings)
    status = "not_modified" if result.not_modified else "ok"
    new_ids = store.save_fetch(
        name,
        spec.kind,
        location,
        result.announcements,
        priority=spec.priority,
        tags=spec.tags,
        etag=result.etag,
        last_modified=result.last_modified,
        status=status,
    )
    return SourceReport(
        name, spec.kind, status, len(result.announcements), len(new_ids), None, context.warnings
    )


def check_source(workspace: Workspace, name: str) -> tuple[list[NewAnnouncement], list[str]]:
    """Fetch and parse one source unconditionally, storing nothing."""
    sources = workspace.sources()
    if name not in sources:
        raise NotFoundError("source.missing", name=name, known=", ".join(sources) or "-")
    spec = sources[name]
    with HttpClient() as http:
        context = FetchContext(workspace=workspace, name=name, spec=spec, http=http)
        result = fetcher_for(spec.kind)(context)
    return result.announcements, context.warnings


TYPED_SOURCE = "nhap-tay"


def add_typed_notice(
    workspace: Workspace,
    title: str,
    text: str,
    *,
    priority: str,
    tags: list[str],
    actor: str,
) -> Announcement:
    """Store a notice typed in by staff as an announcement of the source 'nhap-tay'."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bulletin.store import content_hash, open_store
    from bulletin.text.clean import clean_line, clean_text

    title, body = clean_line(title), clean_text(text)
    if not title or not body:
        raise InputError("input.empty")
    now = datetime.now(ZoneInfo(workspace.config.timezone))
    notice = NewAnnouncement(
        uid=f"{now:%Y%m%dT%H%M%S}-{content_hash(title, body)[:12]}",
        title=title,
        body=body,
        link=None,
        published=now.isoformat(timespec="seconds"),
    )
    with open_store(workspace.db_path) as store:
        new_ids = store.save_fetch(
            TYPED_SOURCE, "manual", actor, [notice], priority=priority, tags=tags
        )
        if not new_ids:
            raise InputError("config.exists", name=title, path=TYPED_SOURCE)
        return store.announcement(new_ids[0])
