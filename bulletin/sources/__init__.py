"""Source kinds: each turns a configured source into announcements (one module per kind)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bulletin.errors import InputError
from bulletin.store import NewAnnouncement
from bulletin.workspace import SourceConfig, Workspace


@dataclass(frozen=True)
class FetchResult:
    """What one source gave in one fetch, and the validators for the next conditional one."""

    announcements: list[NewAnnouncement] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


Fetcher = Callable[[Workspace, str, SourceConfig, str | None, str | None], FetchResult]


def fetcher_for(kind: str) -> Fetcher:
    """The fetch function of a source kind, imported only when used."""
    if kind == "rss":
        from bulletin.sources.rss import fetch_rss

        return fetch_rss
    if kind == "folder":
        from bulletin.sources.files import fetch_folder

        return fetch_folder
    raise InputError("source.kind", kind=kind)


def location_of(spec: SourceConfig) -> str:
    return spec.url or spec.path or ""
