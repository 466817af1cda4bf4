"""The `page` source kind: a portal's listing pages, for portals that publish no feed; which
links are articles, what the listing says of each, and where its next page is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bulletin.errors import SourceError
from bulletin.messages import t
from bulletin.sources import FetchContext, FetchResult
from bulletin.sources.article import (
    anchor_text,
    article_from_url,
    get,
    in_furniture,
    outer_html,
    page_text,
    parse_html,
)
from bulletin.sources.dates import date_in_text, is_date_line
from bulletin.store import NewAnnouncement
from bulletin.text.clean import clean_text

if TYPE_CHECKING:
    from lxml.html import HtmlElement

MIN_HEADLINE_CHARS = 20
MIN_HEADLINE_WORDS = 4

_ARTICLE_SUFFIX = re.compile(r"\.(html?|aspx?|php|shtml|jsp|vnp)$")
_ARTICLE_ID = re.compile(r"\d{4,}")
_ID_PARAM = re.compile(r"^(id|newsid|articleid|itemid|postid|tinid|news_id|article_id|p)$", re.I)
_PAGE_PARAM = re.compile(
    r"^(page|pageindex|pagenum|pagenumber|pg|trang|cur|.*_cur|currentpage)$", re.I
)
_PAGE_PATH = re.compile(r"(/page/|/trang[-/]|[-_/]p)(\d{1,4})(?=[/.]|$)", re.I)
# Path segments of listings, searches, accounts and media rather than readable articles.
_NOT_ARTICLE_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "chuyen-muc", "danh-muc", "tim-kiem", "search",
     "login", "dang-nhap", "dang-ky", "register", "lien-he", "contact", "rss", "feed", "video",
     "videos", "clip", "clips", "photo", "photos", "gallery", "anh", "podcast", "emagazine"}
)  # fmt: skip
_NEXT_TEXTS = frozenset(
    {"trang sau", "sau", "tiếp", "trang tiếp", "tiếp theo", "xem tiếp", "next", "next page",
     "»", "›", ">", "→", "trang sau »", "sau »", "tiếp »", "next »", "next ›"}
)  # fmt: skip
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|_ga)$", re.I)


@dataclass(frozen=True)
class ListingItem:
    """What a listing page shows of one article: enough to stand in if the article fails."""

    url: str
    title: str
    summary: str
    published: str | None


def fetch_page(ctx: FetchContext) -> FetchResult:
    """Follow the listing (and its next pages), then read each article not stored yet."""
    spec = ctx.spec
    if not spec.url:
        raise SourceError("source.no_location", name=ctx.name)
    tz = ctx.workspace.config.timezone
    links: list[str] = []
    items: dict[str, ListingItem] = {}
    page_url: str | None = spec.url
    visited: set[str] = set()
    for index in range(spec.max_pages):
        if page_url is None or canonical_url(page_url) in visited:
            break
        visited.add(canonical_url(page_url))
        try:
            reply = get(ctx, page_url)
            html = page_text(ctx, reply)
        except SourceError as exc:
            # The first listing page is the source itself; a later one only adds older items.
            if index == 0:
                raise
            ctx.warnings.append(t("page.listing_failed", url=page_url, detail=str(exc)))
            break
        found = find_article_links(html, reply.url, spec.link_pattern)
        items.update(listing_items(html, reply.url, found, tz))
        links.extend(link for link in found if link not in links)
        page_url = next_page(html, reply.url)
    if not links:
        ctx.warnings.append(t("page.no_links", url=spec.url))
    announcements: list[NewAnnouncement] = []
    wanted = [link for link in links if canonical_url(link) not in ctx.known_uids]
    for fetched, link in enumerate(wanted[: spec.max_articles]):
        if ctx.out_of_time():
            # Unread articles are not stored, so the next run picks them up.
            left = min(len(wanted), spec.max_articles) - fetched
            ctx.stop_for_time(left)
            break
        uid = canonical_url(link)
        announcement = _announcement(ctx, uid, link, items.get(link))
        if announcement is not None:
            announcements.append(announcement)
    return FetchResult(announcements)


def _announcement(
    ctx: FetchContext, uid: str, link: str, item: ListingItem | None
) -> NewAnnouncement | None:
    article = article_from_url(ctx, link)
    if article is None:
        if item is None or not (item.summary or item.title):
            return None
        ctx.warnings.append(t("page.fallback", url=link))
        return NewAnnouncement(uid, item.title, item.summary or item.title, link, item.published)
    body = "\n\n".join(part for part in (article.text, article.attachments_text) if part)
    if not body and article.attachment_note:
        # Nothing readable but the pointer to a file we could not read: say at least that.
        body = article.attachment_note + "."
    title = article.title or (item.title if item else "") or body.split("\n", 1)[0][:120]
    published = article.published or (item.published if item else None)
    if not body:
        return None
    return NewAnnouncement(uid, title, body, link, published)


def find_article_links(listing_html: str, base_url: str, pattern: str | None = None) -> list[str]:
    """Article links of a listing page, in page order, without duplicates.

    With `pattern` (a regex searched in the absolute URL) exactly the matching links; without,
    links that look like headlines to article pages of the same site, outside menus and footers.
    """
    doc = parse_html(listing_html)
    matcher = re.compile(pattern) if pattern else None
    base_host = _host(base_url)
    base = canonical_url(base_url)
    ordered: list[str] = []
    headline: dict[str, bool] = {}
    for anchor in doc.iter("a"):
        href = _href(anchor, base_url)
        if href is None or canonical_url(href) == base:
            continue
        if matcher is not None:
            if matcher.search(href) and href not in headline:
                ordered.append(href)
                headline[href] = True
            continue
        if _host(href) != base_host or not _looks_like_article(href):
            continue
        if in_furniture(anchor):
            continue
        if href not in headline:
            ordered.append(href)
            headline[href] = False
        # Listings pair a picture link with a headline link to the same article.
        headline[href] = headline[href] or _is_headline(anchor_text(anchor))
    links = [link for link in ordered if headline[link]]
    if matcher is None:
        # Where most articles carry a numeric id, id-less links are category pages.
        with_id = [link for link in links if _has_id(link)]
        if len(with_id) >= 3:
            links = with_id
    return links


def listing_items(
    listing_html: str, base_url: str, links: list[str], tz: str
) -> dict[str, ListingItem]:
    """Title, date and summary the listing shows next to each article link."""
    doc = parse_html(listing_html)
    zone = ZoneInfo(tz)
    wanted = set(links)
    anchors: dict[str, list[HtmlElement]] = {}
    for anchor in doc.iter("a"):
        href = _href(anchor, base_url)
        if href in wanted:
            anchors.setdefault(href, []).append(anchor)
    items = {}
    for link, found in anchors.items():
        best = max(found, key=lambda a: len(anchor_text(a)))
        title = anchor_text(best)
        # The item is the largest block around the link holding no other article's link.
        container = best
        while True:
            parent = container.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            others = {_href(a, base_url) for a in parent.iter("a")} & wanted
            if others - {link}:
                break
            container = parent
        lines = [line for line in clean_text(outer_html(container)).split("\n") if line]
        published = date_in_text("\n".join(lines), zone, allow_date_only=True)
        summary = [line for line in lines if line != title and not is_date_line(line)]
        stamp = published.isoformat(timespec="seconds") if published else None
        items[link] = ListingItem(link, title, "\n\n".join(summary), stamp)
    return items


def next_page(listing_html: str, base_url: str) -> str | None:
    """The next page of a listing: rel=next, a "Trang sau"/"»" link, or page N+1."""
    doc = parse_html(listing_html)
    here = canonical_url(base_url)
    for element in doc.iter("link", "a"):
        if "next" in (element.get("rel") or "").lower().split():
            href = _href(element, base_url)
            if href and canonical_url(href) != here:
                return href
    anchors = [(a, _href(a, base_url)) for a in doc.iter("a")]
    for anchor, href in anchors:
        if href is None or canonical_url(href) == here:
            continue
        labels = {anchor_text(anchor).lower(), (anchor.get("title") or "").strip().lower()}
        labels |= {(anchor.get("aria-label") or "").strip().lower()}
        if labels & _NEXT_TEXTS:
            return href
    current = _page_number(base_url) or 1
    for _anchor, href in anchors:
        if href is not None and _page_number(href) == current + 1:
            return href
    return None


def canonical_url(url: str) -> str:
    """The URL an article is known by: no fragment, no tracking parameters, lowercase host."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        ]
    )
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def _href(element: HtmlElement, base_url: str) -> str | None:
    raw = (element.get("href") or "").strip()
    if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    absolute = urljoin(base_url, raw)
    if not absolute.startswith(("http://", "https://")):
        return None
    return urlunsplit(urlsplit(absolute)._replace(fragment=""))


def _is_headline(text: str) -> bool:
    return len(text) >= MIN_HEADLINE_CHARS and len(text.split()) >= MIN_HEADLINE_WORDS


def _looks_like_article(url: str) -> bool:
    parts = urlsplit(url)
    path = unquote(parts.path).lower()
    segments = [s for s in path.split("/") if s]
    if not segments or _NOT_ARTICLE_SEGMENTS.intersection(segments):
        return False
    params = dict(parse_qsl(parts.query))
    if any(_PAGE_PARAM.match(key) for key in params):
        return False
    if _has_id(url):
        return True
    stem = _ARTICLE_SUFFIX.sub("", segments[-1])
    return len(re.split(r"[-_]+", stem)) >= 4


def _has_id(url: str) -> bool:
    parts = urlsplit(url)
    segments = [s for s in unquote(parts.path).split("/") if s]
    if segments and _ARTICLE_ID.search(_ARTICLE_SUFFIX.sub("", segments[-1])):
        return True
    return any(_ID_PARAM.match(key) and value.isdigit() for key, value in parse_qsl(parts.query))


def _page_number(url: str) -> int | None:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if _PAGE_PARAM.match(key) and value.isdigit():
            return int(value)
    found = _PAGE_PATH.search(parts.path)
    return int(found.group(2)) if found else None


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
