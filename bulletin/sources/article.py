"""One article page read: its title, text, publication date and attached documents; and the
page fetching and HTML helpers the listing reader shares."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bulletin.errors import SourceError
from bulletin.messages import t
from bulletin.sources.attachments import display_name, document_kind, read_document
from bulletin.sources.dates import date_in_text, is_date_line, parse_date
from bulletin.text.clean import attachment_note, clean_line, clean_text
from bulletin.text.encoding import decode_bytes

if TYPE_CHECKING:
    from datetime import datetime

    from lxml.html import HtmlElement

    from bulletin.sources import FetchContext
    from bulletin.sources.http import Response

MAX_ATTACHMENTS = 5

_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_FURNITURE_CLASS = re.compile(
    r"(^|[\s_-])(nav|navbar|navigation|menu|menus|footer|breadcrumbs?|pagination|pager|"
    r"paging|page-iterator|sidebar|social|share|sharing|login|topbar|top-bar|banner)"
    r"([\s_-]|$)",
    re.I,
)
_DATE_CLASS = re.compile(r"date|time|publish|ngay|thoi-?gian|created|posted|meta", re.I)
_CONTENT_CLASS = re.compile(
    r"journal-content|content-detail|detail-content|news-content|article-content|"
    r"article-body|entry-content|post-content|noi-?dung|fck_detail|contentdetail|"
    r"detail__content|newsdetail|news-detail|asset-full-content|chitiet|chi-tiet",
    re.I,
)
_ATTACHMENT_TEXT = re.compile(
    r"tải về|tải xuống|download|(file|tệp|tập tin) đính kèm|văn bản đính kèm", re.I
)
_ATTACHMENT_LABEL = re.compile(
    r"^(\(?(file|tệp|tập tin|văn bản|tài liệu) đính kèm\)?|tải về|tải xuống|download)\s*:?$", re.I
)
_META_DATES = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "article:modified_time",
)


@dataclass(frozen=True)
class Article:
    """One article page, read."""

    title: str
    text: str
    """The article's own text, cleaned; a "see the attached file" note is not part of it."""
    published: str | None
    """ISO 8601 with offset; the station's timezone when the page gives none."""
    url: str
    attachments: list[str] = field(default_factory=list)
    """Absolute, percent-encoded URLs of attached documents."""
    attachments_text: str = ""
    attachment_note: str | None = None
    """The page's "Toàn văn ... xem tại file đính kèm" sentence, when it has one."""


def article_from_url(ctx: FetchContext, url: str) -> Article | None:
    """Fetch and read one article (and its attachments); None, with a warning, on failure."""
    tz = ctx.workspace.config.timezone
    try:
        reply = get(ctx, url)
    except SourceError as exc:
        ctx.warnings.append(t("page.article_failed", url=url, detail=str(exc)))
        return None
    # Listings of official documents often link straight to the PDF.
    if _is_document(reply):
        try:
            document = read_document(reply.body, reply.url)
        except SourceError as exc:
            ctx.warnings.append(str(exc))
            return None
        title = document.title or _title_from_filename(reply.url)
        return Article(title, "", None, reply.url, [reply.url], document.text)
    try:
        html = page_text(ctx, reply)
    except SourceError as exc:
        # Bytes that decode to no readable text: this article only, not the source.
        ctx.warnings.append(str(exc))
        return None
    article = extract_article(html, reply.url, tz)
    if not (article.text or article.attachments or article.attachment_note):
        ctx.warnings.append(t("page.no_text", url=url))
        return None
    if not ctx.spec.attachments or not article.attachments:
        if article.attachment_note and not article.text:
            ctx.warnings.append(t("page.attachment_missing", url=url))
        return article
    texts = []
    for link in article.attachments[:MAX_ATTACHMENTS]:
        if ctx.out_of_time():
            break  # the article's own text is kept; its files wait for no one
        text = _attachment_text(ctx, link)
        if text:
            texts.append(text)
    if article.attachment_note and not article.text and not texts:
        ctx.warnings.append(t("page.attachment_missing", url=url))
    return replace(article, attachments_text="\n\n".join(texts))


def _attachment_text(ctx: FetchContext, link: str) -> str:
    """The text of one attached document; "" with a warning when it cannot be read."""
    name = display_name(link)
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "doc":
        # Old Word files cannot be read here; say so without downloading them.
        ctx.warnings.append(t("attachment.doc", name=name))
        return ""
    if suffix in ("xls", "xlsx", "odt", "rtf"):
        return ""
    try:
        reply = get(ctx, link)
        return read_document(reply.body, link).text
    except SourceError as exc:
        ctx.warnings.append(str(exc))
        return ""


def extract_article(html: str, url: str, tz: str) -> Article:
    """Title, text, date and attachment links of one article page."""
    doc = parse_html(html)
    raw = _main_text(html, doc, url)
    title = _title(doc)
    attachments, labels = _attachment_links(doc, url)
    # The heading, the date line and the list of files are already fields of the article.
    skip = {title, *labels}
    lines = [
        line
        for line in clean_text(raw).split("\n")
        if line not in skip and not is_date_line(line) and not _ATTACHMENT_LABEL.match(line)
    ]
    published = _published(doc, tz)
    return Article(
        title=title,
        text=re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(),
        published=published.isoformat(timespec="seconds") if published else None,
        url=url,
        attachments=attachments,
        attachment_note=attachment_note(raw),
    )


def _main_text(html: str, doc: HtmlElement, url: str) -> str:
    """The article's text as paragraphs separated by blank lines, before cleaning."""
    import trafilatura

    text = trafilatura.extract(
        html,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_links=False,
        deduplicate=False,
    )
    if not text or len(text) < 200:
        # Short notices fall under trafilatura's size floor, and some portals lay the whole
        # text out in a table: ask again with tables, then read the content block directly.
        again = trafilatura.extract(
            html, url=url, include_comments=False, include_tables=True, favor_recall=True
        )
        if again and len(again) > len(text or ""):
            text = again
    block = _content_block(doc)
    if block is not None and (not text or (len(text) < 200 and len(block) > len(text))):
        text = block
    # trafilatura gives one line per paragraph; clean_text wants blank lines between them.
    return (text or "").replace("\n", "\n\n")


def _content_block(doc: HtmlElement) -> str | None:
    candidates = [
        element
        for element in doc.iter("div", "article", "section", "td")
        if _CONTENT_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}")
    ]
    if not candidates:
        return None
    texts = [clean_text(outer_html(element)) for element in candidates]
    best = max(texts, key=len)
    return best.replace("\n\n", "\n") or None


def _title(doc: HtmlElement) -> str:
    """The headline: og:title, else the first real <h1>, else <title> without the site name."""
    for meta in doc.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:title":
            title = clean_line(meta.get("content") or "")
            if title:
                return title
    for heading in doc.iter("h1"):
        title = clean_line(heading.text_content())
        if len(title) >= 8:
            return title
    for element in doc.iter("title"):
        title = clean_line(element.text_content())
        # "Headline - Site name": the site name is not part of the headline.
        return re.split(r"\s+[-|–]\s+", title)[0] if title else ""
    return ""


def _published(doc: HtmlElement, tz: str) -> datetime | None:
    """When the page says the article was published: metadata, a date block, then the text."""
    zone = ZoneInfo(tz)
    for element in doc.iter("meta", "time"):
        key = (
            element.get("property") or element.get("name") or element.get("itemprop") or ""
        ).lower()
        value = element.get("content") or element.get("datetime")
        if value and (key in _META_DATES or element.tag == "time"):
            # The page's own offset is kept: it says where the article was written.
            found = parse_date(value, zone, keep_offset=True)
            if found:
                return found
    for element in doc.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "a"):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if _DATE_CLASS.search(marker) and not in_furniture(element):
            found = date_in_text(element.text_content(), zone, allow_date_only=True)
            if found:
                return found
    body = doc.find("body")
    text = (body if body is not None else doc).text_content()
    # Elsewhere on the page a bare date is more likely a cited document's than the article's.
    return date_in_text(text, zone, allow_date_only=False)


def _attachment_links(doc: HtmlElement, url: str) -> tuple[list[str], set[str]]:
    """Links to attached documents, and the labels shown for them."""
    found: list[str] = []
    labels: set[str] = set()
    for element in doc.iter("a", "iframe", "embed", "object"):
        attribute = "href" if element.tag == "a" else ("data" if element.tag == "object" else "src")
        raw = (element.get(attribute) or "").strip()
        if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        link = fetchable_url(urljoin(url, raw))
        label = anchor_text(element) if element.tag == "a" else ""
        if not (_is_document_link(link) or _ATTACHMENT_TEXT.search(label)):
            continue
        if in_furniture(element):
            continue
        labels.add(label)
        if link not in found:
            found.append(link)
    return found, labels


def fetchable_url(url: str) -> str:
    """`url` with its path and query percent-encoded once (Vietnamese file names included)."""
    parts = urlsplit(url)
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="=&%/?:@!$'()*+,;-._~")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _is_document_link(url: str) -> bool:
    parts = urlsplit(url)
    names = [unquote(parts.path).lower()]
    # Download handlers name the file in the query: "download.aspx?file=ke-hoach.pdf".
    names += [unquote(v).lower() for _, v in parse_qsl(parts.query)]
    return any(re.search(r"\.(pdf|docx?|xlsx?|odt|rtf)$", name) for name in names)


def _title_from_filename(url: str) -> str:
    name = display_name(url)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return unicodedata.normalize("NFC", " ".join(re.split(r"[-_\s]+", stem))).strip()


# -- pages, shared with the listing reader ----------------------------------------------


def get(ctx: FetchContext, url: str) -> Response:
    """GET `url` with the source's own CA bundle, timeout and remaining time."""
    return ctx.get(url)


def page_text(ctx: FetchContext, reply: Response) -> str:
    """The page's HTML as text; a doubtful decoding becomes a warning of the fetch, and bytes
    that decode to no readable text a SourceError."""
    declared = reply.charset or _meta_charset(reply.body)
    decoded = decode_bytes(reply.body, declared, name=reply.url)
    if decoded.warning:
        ctx.warnings.append(decoded.warning)
    return decoded.text


def _meta_charset(body: bytes) -> str | None:
    found = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", body[:4096], re.I)
    return found.group(1).decode("ascii") if found else None


def _is_document(reply: Response) -> bool:
    kind = (reply.content_type or "").lower()
    if "html" in kind:
        return False
    return document_kind(reply.body, reply.url) is not None


def parse_html(html: str) -> HtmlElement:
    """The document tree of a page, even an empty one."""
    import lxml.etree
    import lxml.html

    # Bytes, because lxml refuses str input that still carries an XML encoding declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.fromstring(html.encode("utf-8") or b"<html></html>", parser=parser)
    except lxml.etree.ParserError:
        # Only whitespace or comments ("Document is empty"): a page with nothing on it.
        return lxml.html.fromstring(b"<html></html>", parser=parser)


def outer_html(element: HtmlElement) -> str:
    """The element's HTML, itself included."""
    import lxml.html

    return lxml.html.tostring(element, encoding="unicode")


def anchor_text(anchor: HtmlElement) -> str:
    """A link's visible text, or its title when it shows only a picture."""
    text = clean_line(anchor.text_content())
    return text or clean_line(anchor.get("title") or "")


def in_furniture(element: HtmlElement) -> bool:
    """Inside a menu, header, footer, sidebar or share bar: the site's, not the article's."""
    node: HtmlElement | None = element
    while node is not None:
        if node.tag in _FURNITURE_TAGS:
            return True
        marker = f"{node.get('class', '')} {node.get('id', '')}"
        if marker.strip() and _FURNITURE_CLASS.search(marker):
            return True
        node = node.getparent()
    return False
