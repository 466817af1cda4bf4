"""Sources and announcements: fetch every source (one failing never stops the others), check
one, type in a notice, list what is stored, and add or remove sources in sources.yaml."""

from __future__ import annotations

import logging
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from typing import Any

from bulletin.domain import Announcement, NewAnnouncement
from bulletin.errors import BulletinError, InputError, NotFoundError, SourceError
from bulletin.services.station import Station
from bulletin.sources import FetchContext, fetcher_for, location_of
from bulletin.sources.http import HttpClient
from bulletin.store import Store
from bulletin.text.redact import env_secrets, redact
from bulletin.workspace import SourceConfig, Workspace

log = logging.getLogger(__name__)


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
    station: Station,
    only: str | None = None,
    on_source: Callable[[str], None] | None = None,
) -> list[SourceReport]:
    workspace = station.workspace
    sources = workspace.sources()
    if only is not None:
        if only not in sources:
            raise NotFoundError("source.missing", name=only, known=", ".join(sources) or "-")
        sources = {only: sources[only]}
    # Whatever a server echoes back, the settings' own secrets never reach the store or stdout.
    secrets = env_secrets([workspace.config, *sources.values()])
    reports = []
    with HttpClient() as http, station.store() as store:
        for name, spec in sources.items():
            if on_source is not None:
                on_source(name)
            reports.append(_fetch_one(workspace, store, http, name, spec, secrets))
    return reports


def _fetch_one(
    workspace: Workspace,
    store: Store,
    http: HttpClient,
    name: str,
    spec: SourceConfig,
    secrets: Set[str] = frozenset(),
) -> SourceReport:
    """Fetch and store one source. This is the source's failure boundary: whatever goes wrong
    inside it, short of an interrupt, becomes this source's error and the next one runs."""
    location = location_of(spec)
    state = store.source_state(name)
    # Validators belong to a URL: after the source moves, ask unconditionally.
    same_place = state is not None and state.location == location
    context = FetchContext(
        workspace=workspace,
        name=name,
        spec=spec,
        http=http,
        etag=state.etag if state is not None and same_place else None,
        last_modified=state.last_modified if state is not None and same_place else None,
        known_uids=store.known_uids(name),
    )
    try:
        result = fetcher_for(spec.kind)(context)
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
    except Exception as exc:  # not BaseException: Ctrl-C and SystemExit still stop the run
        error = _reason(name, exc, secrets)
        store.record_fetch_error(name, spec.kind, location, error)
        warnings = [redact(w, secrets) for w in context.warnings]
        return SourceReport(name, spec.kind, "error", 0, 0, error, warnings)
    _embed_new(store, name, new_ids)
    warnings = [redact(w, secrets) for w in context.warnings]
    return SourceReport(
        name, spec.kind, status, len(result.announcements), len(new_ids), None, warnings
    )


def _embed_new(store: Store, name: str, new_ids: list[int]) -> None:
    """Embed what this fetch stored, once, so builds compare stored vectors. The vectors are
    a cache: if embedding fails the fetch still counts, and a build embeds what is missing."""
    if not new_ids:
        return
    from bulletin.selection import embed_announcements

    try:
        embed_announcements(store, new_ids)
    except Exception as exc:  # not BaseException: Ctrl-C still stops the run
        log.warning("source %s: announcements stored, not embedded yet (%s)", name, exc)


def _reason(name: str, exc: Exception, secrets: Set[str]) -> str:
    """One line a person can act on, with no secret in it: our own errors say what to fix;
    anything else names its kind."""
    if isinstance(exc, BulletinError):
        return redact(str(exc), secrets)
    return str(_unexpected(name, exc, secrets))


def _unexpected(name: str, exc: Exception, secrets: Set[str]) -> SourceError:
    # The traceback is for whoever reports the bug; the person fetching reads one line.
    log.debug("source %s failed", name, exc_info=exc)
    # Masked before it is cut short: a secret cut in half would no longer be recognised.
    detail = redact(" ".join(str(exc).split()), secrets)[:200] or "-"
    return SourceError("fetch.crashed", name=name, kind=type(exc).__name__, detail=detail)


@dataclass(frozen=True)
class SourceCheck:
    """What one source gives right now, fetched unconditionally and stored nowhere."""

    source: str
    items: list[NewAnnouncement]
    warnings: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "items": [
                {
                    "uid": a.uid,
                    "title": a.title,
                    "link": a.link,
                    "published": a.published,
                    "chars": len(a.body),
                    "body": a.body,
                }
                for a in self.items
            ],
            "warnings": self.warnings,
        }


def check_source(station: Station, name: str) -> SourceCheck:
    """Fetch and parse one source unconditionally, storing nothing."""
    workspace = station.workspace
    sources = workspace.sources()
    if name not in sources:
        raise NotFoundError("source.missing", name=name, known=", ".join(sources) or "-")
    spec = sources[name]
    secrets = env_secrets([workspace.config, spec])
    with HttpClient() as http:
        context = FetchContext(workspace=workspace, name=name, spec=spec, http=http)
        try:
            result = fetcher_for(spec.kind)(context)
        except BulletinError:
            raise
        except Exception as exc:  # one clear line, as `fetch` gives, not a traceback
            raise _unexpected(name, exc, secrets) from exc
    return SourceCheck(name, result.announcements, [redact(w, secrets) for w in context.warnings])


TYPED_SOURCE = "nhap-tay"


def add_typed_notice(
    station: Station,
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

    from bulletin.store import content_hash
    from bulletin.text.clean import clean_line, clean_text

    workspace = station.workspace
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
    with station.store() as store:
        new_ids = store.save_fetch(
            TYPED_SOURCE, "manual", actor, [notice], priority=priority, tags=tags
        )
        if not new_ids:
            raise InputError("config.exists", name=title, path=TYPED_SOURCE)
        return store.announcement(new_ids[0])


def items(station: Station, since: str | None = None) -> list[Announcement]:
    """Stored announcements, newest first."""
    from datetime import date

    if since is not None:
        try:
            date.fromisoformat(since[:10])
        except ValueError:
            raise InputError("config.field", path="--since", field="since", detail=since) from None
    with station.store(readonly=True) as store:
        return store.announcements(since=since)


@dataclass(frozen=True)
class SourceListing:
    """A configured source and what the store remembers of it."""

    name: str
    spec: SourceConfig
    stored: int
    last_fetch_at: str | None
    last_status: str | None
    last_error: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.spec.kind,
            "location": location_of(self.spec),
            "priority": self.spec.priority,
            "tags": list(self.spec.tags),
            "stored": self.stored,
            "last_fetch_at": self.last_fetch_at,
            "last_status": self.last_status,
            "last_error": self.last_error,
        }


def list_sources(station: Station) -> list[SourceListing]:
    configured = station.workspace.sources()
    with station.store(readonly=True) as store:
        counts = store.announcement_counts()
        listings = []
        for name, spec in configured.items():
            state = store.source_state(name)
            listings.append(
                SourceListing(
                    name,
                    spec,
                    counts.get(name, 0),
                    state.last_fetch_at if state else None,
                    state.last_status if state else None,
                    state.last_error if state else None,
                )
            )
    return listings


def add_source(station: Station, name: str, entry: dict[str, Any]) -> str:
    """Add a source to sources.yaml (comments kept); returns the file written."""
    from bulletin.services.config import add_entry

    return add_entry(station, "sources", name, entry)


def remove_source(station: Station, name: str) -> str:
    """Remove a source from sources.yaml; what it fetched stays in the store."""
    from bulletin.services.config import remove_entry

    return remove_entry(station, "sources", name)
