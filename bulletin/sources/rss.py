"""RSS/Atom feeds through feedparser, from a URL or a file in the workspace."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bulletin.errors import SourceError
from bulletin.sources import FetchContext, FetchResult
from bulletin.store import NewAnnouncement
from bulletin.text.clean import clean_line, clean_text


def fetch_rss(ctx: FetchContext) -> FetchResult:
    import feedparser

    workspace, name, spec = ctx.workspace, ctx.name, ctx.spec
    etag, last_modified = ctx.etag, ctx.last_modified
    location = spec.url or spec.path
    if not location:
        raise SourceError("source.no_location", name=name)
    if location.startswith(("http://", "https://")):
        reply = ctx.http.get(
            location,
            etag=etag,
            last_modified=last_modified,
            ca_bundle=spec.ca_bundle,
            timeout_s=spec.timeout_s,
        )
        if reply.not_modified:
            return FetchResult(etag=etag, last_modified=last_modified, not_modified=True)
        raw, etag, last_modified = reply.body, reply.etag, reply.last_modified
    else:
        path = workspace.resolve(location)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SourceError(
                "source.unreadable", name=name, path=str(path), detail=exc.strerror or str(exc)
            ) from None
    # Browser copies put text before the root element; feedparser gives up on that.
    start = raw.find(b"<?xml")
    if start < 0:
        start = min(
            (i for i in (raw.find(b"<rss"), raw.find(b"<feed"), raw.find(b"<rdf")) if i >= 0),
            default=0,
        )
    parsed: Any = feedparser.parse(raw[start:], sanitize_html=False)
    if not parsed.entries and parsed.get("bozo"):
        raise SourceError("feed.invalid", name=name, detail=str(parsed.get("bozo_exception")))
    zone = ZoneInfo(workspace.config.timezone)
    items = []
    for entry in parsed.entries:
        title = clean_line(entry.get("title", ""))
        body = _entry_body(entry)
        if not title and not body:
            continue
        link = (entry.get("link") or "").strip() or None
        uid = (entry.get("id") or link or "").strip() or _digest(title + body)
        items.append(
            NewAnnouncement(
                uid=uid,
                title=title or body.split("\n", 1)[0][:120],
                body=body or title,
                link=link,
                published=_published(entry, zone),
            )
        )
    return FetchResult(items, etag=etag, last_modified=last_modified)


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    candidates = [c.get("value", "") for c in contents]
    candidates.append(entry.get("summary", "") or entry.get("description", ""))
    best = max(candidates, key=len, default="")
    return clean_text(best)


def _published(entry: Any, zone: ZoneInfo) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    # feedparser gives UTC; show it in the station's own time zone.
    year, month, day, hour, minute, second = parsed[:6]
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC).astimezone(zone)
    return moment.isoformat()


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
