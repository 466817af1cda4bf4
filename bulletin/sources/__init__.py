"""Source kinds: each turns a configured source into announcements (one module per kind)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bulletin.store import NewAnnouncement
from bulletin.workspace import SourceConfig, Workspace

if TYPE_CHECKING:
    from bulletin.sources.http import HttpClient


@dataclass(frozen=True)
class FetchContext:
    """Everything a source kind needs for one fetch of one source."""

    workspace: Workspace
    name: str
    spec: SourceConfig
    http: HttpClient
    etag: str | None = None
    """Validator from the previous fetch of the source's URL, for a conditional GET."""
    last_modified: str | None = None
    known_uids: frozenset[str] = frozenset()
    """Announcement ids already stored for this source: their pages need no new fetch."""
    warnings: list[str] = field(default_factory=list)
    """Things a person should know that did not stop the fetch (mis-encoded text, a .doc)."""
    options: Any = None
    """The kind's own settings, validated by its `Options` model, for kinds that have one."""


@dataclass(frozen=True)
class FetchResult:
    """What one source gave in one fetch, and the validators for the next conditional one."""

    announcements: list[NewAnnouncement] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


Fetcher = Callable[[FetchContext], FetchResult]


def fetcher_for(kind: str) -> Fetcher:
    """The fetch function of a source kind, imported only when used. A kind with an `Options`
    model gets its section `sources.NAME.<kind>` validated by it, as `context.options`."""
    from bulletin import plugins

    fetch: Fetcher = plugins.load("sources", kind)
    model = getattr(fetch, "Options", None)
    if model is None:
        return fetch

    def fetch_with_options(context: FetchContext) -> FetchResult:
        return fetch(replace(context, options=context.spec.options(model)))

    return fetch_with_options


def location_of(spec: SourceConfig) -> str:
    return spec.url or spec.path or ""
