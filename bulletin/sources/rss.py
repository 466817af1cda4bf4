"""RSS 0.9x/1.0/2.0 and Atom feeds through feedparser, with the repairs real portals need,
and article pages fetched for items that carry only a lead."""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from html.entities import name2codepoint
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bulletin.errors import BulletinError, SourceError
from bulletin.messages import t
from bulletin.sources import FetchContext, FetchResult
from bulletin.sources.dates import EARLIEST_YEAR, LATEST_YEAR, parse_date
from bulletin.sources.http import MAX_BYTES
from bulletin.sources.xmlsafe import UnsafeXml, harden_feedparser, without_doctype
from bulletin.store import NewAnnouncement
from bulletin.text.clean import clean_line, clean_text

LEAD_CHARS = 400
"""In follow_links: auto, a body shorter than this is a lead and the article page is fetched."""

# Where the document starts when a browser or a CMS put text before it.
_ROOT = re.compile(rb"<\?xml\s|<rss[\s>]|<feed[\s>]|<(?:[\w.-]+:)?RDF[\s>]")
_DECLARATION = re.compile(rb"^<\?xml[^>]*?\?>")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([\w.:-]+)["']""")
# An & that starts no entity, or one that XML does not know (HTML's &nbsp; &ocirc; ...).
# CDATA sections are matched too, to be left alone: an & is literal there.
_AMPERSAND = re.compile(
    rb"<!\[CDATA\[.*?\]\]>|&(?:(#\d{1,7};|#x[0-9a-fA-F]{1,6};)|([A-Za-z][A-Za-z0-9]{0,31});)?",
    re.S,
)
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CDATA_LINK = re.compile(rb"<link>\s*<!\[CDATA\[\s*(.*?)\s*\]\]>\s*</link>", re.S)


def fetch_rss(ctx: FetchContext) -> FetchResult:
    workspace, name, spec = ctx.workspace, ctx.name, ctx.spec
    etag, last_modified = ctx.etag, ctx.last_modified
    location = spec.url or spec.path
    if not location:
        raise SourceError("source.no_location", name=name)
    charset: str | None = None
    base_url: str | None = None
    if location.startswith(("http://", "https://")):
        reply = ctx.get(location, etag=etag, last_modified=last_modified)
        if reply.not_modified:
            return FetchResult(etag=etag, last_modified=last_modified, not_modified=True)
        raw, etag, last_modified = reply.body, reply.etag, reply.last_modified
        charset, base_url = reply.charset, reply.url
    else:
        raw = _read_file(ctx, location)
    items = read_feed(
        raw,
        name=name,
        base_url=base_url,
        zone=ZoneInfo(workspace.config.timezone),
        charset=charset,
        warnings=ctx.warnings,
    )
    return FetchResult(_follow_links(ctx, items), etag=etag, last_modified=last_modified)


# What CMSs put in an empty description.
PLACEHOLDERS = frozenset({"", "no description", "không có mô tả", "null", "undefined"})


def read_feed(
    raw: bytes,
    *,
    name: str,
    zone: tzinfo,
    base_url: str | None = None,
    charset: str | None = None,
    warnings: list[str] | None = None,
) -> list[NewAnnouncement]:
    """The announcements of a feed document; `charset` is the server's claim, used last.

    A broken or truncated document that still gives items adds a message to `warnings`
    (some items may be missing); one that gives none is a SourceError."""
    data = _to_utf8(raw, charset)
    try:
        # Before and after the junk is cut: the cut must not hide a DOCTYPE from the scan
        # (a "<rss>" inside a comment), nor the junk hide one from it.
        data = without_doctype(_declare_utf8(_strip_before_root(without_doctype(data))))
    except UnsafeXml as exc:
        raise SourceError("feed.unsafe", name=name, detail=str(exc)) from None
    parsed = _parse(_repair(data), name)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        # Strict and loose parsing both failed: try the heavier repairs once.
        retry = _parse(_CDATA_LINK.sub(_unwrap_cdata, _repair(data)), name)
        if retry.entries:
            parsed = retry
    broken = _syntax_error(parsed)
    if not parsed.entries:
        if parsed.get("bozo") or not parsed.get("version"):
            detail = parsed.get("bozo_exception") or "no RSS/Atom element"
            raise SourceError("feed.invalid", name=name, detail=str(detail))
        return []
    channel = _repair_link(parsed.feed.get("link") or "", base_url)
    base = base_url or channel
    items = []
    for entry in parsed.entries:
        title = clean_line(entry.get("title", ""))
        body = _entry_body(entry)
        if body.strip(" .").lower() in PLACEHOLDERS:
            body = ""
        link = _repair_link(entry.get("link") or "", base)
        # Without a title, an item needs both text and a link to be an announcement;
        # otherwise it is a CMS placeholder ("No Description").
        if not title and (not body or not link):
            continue
        guid = " ".join((entry.get("id") or "").split())
        uid = guid or (canonical_link(link) if link else "") or _digest(title + body)
        items.append(
            NewAnnouncement(
                uid=uid,
                title=title or body.split("\n", 1)[0][:120],
                body=body or title,
                link=link,
                published=_published(entry, zone),
            )
        )
    if broken is not None:
        # The lenient parser read what it could; a person must know the rest may be lost.
        if not items:
            raise SourceError("feed.invalid", name=name, detail=broken)
        if warnings is not None:
            warnings.append(t("feed.malformed", name=name, detail=broken, count=len(items)))
    return items


def _syntax_error(parsed: Any) -> str | None:
    """The XML error the strict parser stopped at, when the document is not well-formed
    (feedparser's notes on encodings and undeclared prefixes are harmless and not counted)."""
    from xml.sax import SAXException, SAXParseException

    error = parsed.get("bozo_exception")
    if isinstance(error, SAXParseException):
        return (
            f"line {error.getLineNumber()}, column {error.getColumnNumber()}: {error.getMessage()}"
        )
    return str(error) if isinstance(error, SAXException) else None


def _read_file(ctx: FetchContext, location: str) -> bytes:
    path = ctx.workspace.resolve(location)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError(
            "source.unreadable", name=ctx.name, path=str(path), detail=exc.strerror or str(exc)
        ) from None
    if len(raw) > MAX_BYTES:
        raise SourceError("file.too_big", path=str(path), limit_mb=MAX_BYTES // 2**20)
    return raw


def _parse(data: bytes, name: str) -> Any:
    import feedparser
    from defusedxml import DefusedXmlException

    harden_feedparser()
    try:
        # A BytesIO, never bytes: feedparser would try bytes as a file name first.
        return feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    except DefusedXmlException as exc:
        raise SourceError("feed.unsafe", name=name, detail=type(exc).__name__) from None


# Bytes: encoding, junk, stray ampersands -------------------------------------------------


def _to_utf8(raw: bytes, charset: str | None) -> bytes:
    """UTF-8 bytes, whatever the document or the server claimed."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(codec, "replace").encode("utf-8")
    if raw[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        codec = "utf-16-be" if raw[0] == 0 else "utf-16-le"
        return raw.decode(codec, "replace").encode("utf-8")
    if _is_utf8(raw):
        # Valid multi-byte UTF-8 is almost never an accident, so it beats any declaration.
        return raw
    declared = _DECLARED_ENCODING.search(_xml_declaration(raw))
    candidates = [declared.group(1).decode("ascii") if declared else None, charset]
    for candidate in candidates:
        if candidate and candidate.lower().replace("_", "-") not in ("utf-8", "utf8"):
            try:
                return raw.decode(candidate).encode("utf-8")
            except (LookupError, UnicodeDecodeError):
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 1 << 20]).best()
    codec = best.encoding if best is not None else "windows-1258"
    return raw.decode(codec, "replace").encode("utf-8")


def _xml_declaration(raw: bytes) -> bytes:
    start = raw.find(b"<?xml", 0, 4096)
    return raw[start : raw.find(b"?>", start, start + 400)] if start >= 0 else b""


def _is_utf8(raw: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 20
    try:
        for start in range(0, len(raw), step):
            decoder.decode(raw[start : start + step], start + step >= len(raw))
    except UnicodeDecodeError:
        return False
    return True


def _declare_utf8(data: bytes) -> bytes:
    """The XML declaration says UTF-8, which the bytes now are."""
    head = data.lstrip()
    match = _DECLARATION.match(head)
    if match is None:
        return data
    declaration = _DECLARED_ENCODING.sub(b'encoding="utf-8"', match.group(0))
    return declaration + head[match.end() :]


def _strip_before_root(data: bytes) -> bytes:
    match = _ROOT.search(data)
    return data[match.start() :] if match else data


def _repair(data: bytes) -> bytes:
    """Escape stray &, turn HTML entities into numeric ones, drop control bytes.

    Each is a syntax error that sends feedparser to its loose parser, which loses things."""
    data = _CONTROL.sub(b"", data)
    return _AMPERSAND.sub(_fix_ampersand, data)


def _fix_ampersand(match: re.Match[bytes]) -> bytes:
    if match.group(1) or match.group(0)[:1] == b"<":
        return match.group(0)
    entity = match.group(2)
    if entity is None:
        return b"&amp;"
    if entity in _XML_ENTITIES:
        return match.group(0)
    character = name2codepoint.get(entity.decode("ascii"))
    if character is None:
        return b"&amp;" + entity + b";"
    return b"&#%d;" % character


def _unwrap_cdata(match: re.Match[bytes]) -> bytes:
    return b"<link>" + html.escape(match.group(1).decode("utf-8", "replace")).encode() + b"</link>"


# Entries: text, links, dates -------------------------------------------------------------


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    candidates = [c.get("value", "") for c in contents]
    candidates.append(entry.get("summary", "") or entry.get("description", ""))
    best = max(candidates, key=len, default="")
    return clean_text(best)


def _repair_link(raw: str, base: str | None) -> str | None:
    """An absolute http(s) link from what feeds put in <link>, or None."""
    text = raw.strip()
    if text.startswith("<![CDATA[") and text.endswith("]]>"):
        text = text[9:-3].strip()
    while "&amp;" in text:
        text = html.unescape(text)
    # Lines broken inside the URL are an editor's wrapping; a lone space is a real %20.
    text = re.sub(r"\s*[\r\n\t]+\s*", "", text).replace(" ", "%20")
    if not text or text.lower().startswith(("javascript:", "mailto:", "#")):
        return None
    text = re.sub(r"^(https?):/*(?=[^/])", r"\1://", text, count=1, flags=re.I)
    if text.lower().startswith("www."):
        scheme = urlsplit(base).scheme if base else ""
        text = f"{scheme or 'http'}://{text}"
    if base and not urlsplit(text).scheme:
        text = urljoin(base, text)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def canonical_link(link: str) -> str:
    """The link as an identity: lower-case scheme and host, no fragment, no tracking params."""
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in ("fbclid", "gclid")
    ]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def _published(entry: Any, zone: tzinfo) -> str | None:
    for key in ("published", "updated", "created"):
        text = entry.get(key)
        if text:
            moment = parse_date(text, zone)
            if moment is not None:
                return moment.isoformat()
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    # feedparser knows formats we do not, and gives them in UTC.
    year, month, day, hour, minute, second = parsed[:6]
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None  # a placeholder, by the rule parse_date applies (and 9999 overflows)
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).astimezone(zone).isoformat()


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# Articles behind leads -------------------------------------------------------------------


def _is_lead(body: str) -> bool:
    return len(body) < LEAD_CHARS or body.rstrip().endswith(("…", "..."))


def _follow_links(ctx: FetchContext, items: list[NewAnnouncement]) -> list[NewAnnouncement]:
    """Replace leads by their article's text; never for an item already stored."""
    mode = ctx.spec.follow_links
    if mode == "never":
        return items
    from bulletin.sources.article import article_from_url

    def wanted(item: NewAnnouncement) -> bool:
        lead = mode == "always" or _is_lead(item.body)
        return lead and bool(item.link) and item.uid not in ctx.known_uids

    budget = ctx.spec.max_articles
    result = []
    for index, item in enumerate(items):
        if not item.link or not wanted(item) or budget <= 0:
            result.append(item)
            continue
        if ctx.out_of_time():
            # The rest keep the feed's text: a slow portal must not hold up the other sources.
            left = min(budget, sum(map(wanted, items[index:])))
            ctx.stop_for_time(left)
            result.extend(items[index:])
            break
        budget -= 1
        try:
            article = article_from_url(ctx, item.link)
        except BulletinError as exc:
            ctx.warnings.append(
                t("feed.follow_failed", name=ctx.name, url=item.link, detail=str(exc))
            )
            result.append(item)
            continue
        if article is None:
            result.append(item)
            continue
        body = clean_text(article.text)
        if article.attachments_text:
            body = f"{body}\n\n{clean_text(article.attachments_text)}".strip()
        if len(body) <= len(item.body):
            # The page gave less than the feed: its extraction missed the article.
            result.append(item)
            continue
        result.append(
            replace(
                item,
                body=body,
                title=item.title or clean_line(article.title),
                published=item.published or article.published,
            )
        )
    return result
