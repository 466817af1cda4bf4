"""Source kinds: each turns a configured source into announcements (one module per kind)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bulletin.errors import SourceError
from bulletin.store import NewAnnouncement
from bulletin.workspace import SourceConfig, Workspace

if TYPE_CHECKING:
    from bulletin.sources.http import HttpClient, Response


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
    started: float = field(default_factory=time.monotonic)
    """When the source's fetch began (`time.monotonic()`): its time budget counts from here."""

    @property
    def budget_s(self) -> float:
        """How long the source may go on starting requests: `timeout_s` times the station's
        `limits.source_budget_factor`, so a whole fetch takes at most this plus one
        `timeout_s`."""
        return self.spec.timeout_s * self.budget_factor

    @property
    def budget_factor(self) -> int:
        return self.workspace.config.limits.source_budget_factor

    def out_of_time(self) -> bool:
        """Whether the source has used up its budget: start no further request."""
        return time.monotonic() - self.started >= self.budget_s

    def stop_for_time(self, unfetched: int) -> None:
        """Say that the source stopped following links, `unfetched` article pages early."""
        from bulletin.messages import t

        self.warnings.append(
            t(
                "source.budget_spent",
                name=self.name,
                seconds=f"{self.budget_s:g}",
                factor=self.budget_factor,
                count=unfetched,
            )
        )

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET `url` for this source: its CA bundle, and a wall-clock limit of its `timeout_s`
        for the whole request, retries included; none starts past the source's deadline."""
        if self.out_of_time():
            raise SourceError("source.out_of_time", name=self.name, seconds=f"{self.budget_s:g}")
        return self.http.get(
            url,
            etag=etag,
            last_modified=last_modified,
            ca_bundle=self.spec.ca_bundle,
            deadline_s=self.spec.timeout_s,
        )


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
