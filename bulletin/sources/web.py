"""The `page` source kind: a portal's listing page, its articles, and their attached
documents, for portals that publish no feed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bulletin.errors import SourceError
from bulletin.messages import t
from bulletin.sources import FetchContext, FetchResult
from bulletin.sources.attachments import display_name, document_kind, read_document
from bulletin.store import NewAnnouncement
from bulletin.text.clean import attachment_note, clean_line, clean_text
from bulletin.text.encoding import decode_bytes

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from bulletin.sources.http import Response

MAX_ATTACHMENTS = 5
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
_NEXT_TEXTS = frozenset(
    {"trang sau", "sau", "tiếp", "trang tiếp", "tiếp theo", "xem tiếp", "next", "next page",
     "»", "›", ">", "→", "trang sau »", "sau »", "tiếp »", "next »", "next ›"}
)  # fmt: skip

_D, _M, _Y = r"(?P<d>\d{1,2})", r"(?P<m>\d{1,2})", r"(?P<y>\d{4})"
_HM = r"(?P<H>\d{1,2})\s*[:hg]\s*(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>AM|PM|SA|CH)?"
# "27/07/2021 | 04:30 PM", "Thứ hai, 27/07/2021 16:30", "27-07-2021 - 16h30"
_DATE_TIME = re.compile(rf"\b{_D}[/.-]{_M}[/.-]{_Y}\s*(?:[|,-]|lúc)?\s*{_HM}", re.I)
# "16:30 27/07/2021", "10:38, Thứ Ba, 27/7/2021"
_TIME_DATE = re.compile(
    rf"\b{_HM}\s*(?:[|,-]|ngày)?\s*(?:(?:thứ\s+\w+|chủ nhật)\s*,?\s*)?(?:ngày\s*)?"
    rf"{_D}[/.-]{_M}[/.-]{_Y}",
    re.I,
)
_DATE_ONLY = re.compile(rf"\b{_D}[/.-]{_M}[/.-]{_Y}\b")
_DATE_WORDS = re.compile(rf"ngày\s+{_D}\s+tháng\s+{_M}\s+năm\s+{_Y}", re.I)
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
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|_ga)$", re.I)


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
            reply = _get(ctx, page_url)
        except SourceError as exc:
            # The first listing page is the source itself; a later one only adds older items.
            if index == 0:
                raise
            ctx.warnings.append(t("page.listing_failed", url=page_url, detail=str(exc)))
            break
        html = _decode(ctx, reply)
        found = find_article_links(html, reply.url, spec.link_pattern)
        items.update(listing_items(html, reply.url, found, tz))
        links.extend(link for link in found if link not in links)
        page_url = next_page(html, reply.url)
    if not links:
        ctx.warnings.append(t("page.no_links", url=spec.url))
    announcements: list[NewAnnouncement] = []
    fetched = 0
    for link in links:
        uid = canonical_url(link)
        if uid in ctx.known_uids:
            continue
        if fetched >= spec.max_articles:
            break
        fetched += 1
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


def article_from_url(ctx: FetchContext, url: str) -> Article | None:
    """Fetch and read one article (and its attachments); None, with a warning, on failure."""
    tz = ctx.workspace.config.timezone
    try:
        reply = _get(ctx, url)
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
    article = extract_article(_decode(ctx, reply), reply.url, tz)
    if not (article.text or article.attachments or article.attachment_note):
        ctx.warnings.append(t("page.no_text", url=url))
        return None
    if not ctx.spec.attachments or not article.attachments:
        if article.attachment_note and not article.text:
            ctx.warnings.append(t("page.attachment_missing", url=url))
        return article
    texts = []
    for link in article.attachments[:MAX_ATTACHMENTS]:
        text = _attachment_text(ctx, link)
        if text:
            texts.append(text)
    if article.attachment_note and not article.text and not texts:
        ctx.warnings.append(t("page.attachment_missing", url=url))
    return replace(article, attachments_text="\n\n".join(texts))


def _attachment_text(ctx: FetchContext, link: str) -> str:
    name = display_name(link)
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "doc":
        # Old Word files cannot be read here; say so without downloading them.
        ctx.warnings.append(t("attachment.doc", name=name))
        return ""
    if suffix in ("xls", "xlsx", "odt", "rtf"):
        return ""
    try:
        reply = _get(ctx, link)
        return read_document(reply.body, link).text
    except SourceError as exc:
        ctx.warnings.append(str(exc))
        return ""


def extract_article(html: str, url: str, tz: str) -> Article:
    """Title, text, date and attachment links of one article page."""
    doc = _parse(html)
    raw = _main_text(html, doc, url)
    title = _title(doc)
    attachments, labels = _attachment_links(doc, url)
    # The heading, the date line and the list of files are already fields of the article.
    skip = {title, *labels}
    lines = [
        line
        for line in clean_text(raw).split("\n")
        if line not in skip and not _is_date_line(line) and not _ATTACHMENT_LABEL.match(line)
    ]
    return Article(
        title=title,
        text=re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(),
        published=_published(doc, tz),
        url=url,
        attachments=attachments,
        attachment_note=attachment_note(raw),
    )


def find_article_links(listing_html: str, base_url: str, pattern: str | None = None) -> list[str]:
    """Article links of a listing page, in page order, without duplicates.

    With `pattern` (a regex searched in the absolute URL) exactly the matching links; without,
    links that look like headlines to article pages of the same site, outside menus and footers.
    """
    doc = _parse(listing_html)
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
        if _in_furniture(anchor):
            continue
        if href not in headline:
            ordered.append(href)
            headline[href] = False
        # Listings pair a picture link with a headline link to the same article.
        headline[href] = headline[href] or _is_headline(_anchor_text(anchor))
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
    doc = _parse(listing_html)
    wanted = set(links)
    anchors: dict[str, list[HtmlElement]] = {}
    for anchor in doc.iter("a"):
        href = _href(anchor, base_url)
        if href in wanted:
            anchors.setdefault(href, []).append(anchor)
    items = {}
    for link, found in anchors.items():
        best = max(found, key=lambda a: len(_anchor_text(a)))
        title = _anchor_text(best)
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
        lines = [line for line in clean_text(_outer_html(container)).split("\n") if line]
        published = _date_in_text("\n".join(lines), tz, allow_date_only=True)
        summary = [line for line in lines if line != title and not _is_date_line(line)]
        items[link] = ListingItem(link, title, "\n\n".join(summary), published)
    return items


def _is_date_line(line: str) -> bool:
    """ "Ngày đăng 10/04/2020 | 10:38 AM | View count: 1390", not a summary citing a date."""
    rest = _DATE_TIME.sub(" ", line)
    rest = _DATE_ONLY.sub(" ", rest)
    rest = re.sub(r"ngày đăng|view count|lượt xem|cập nhật|\d+|[|:,-]", " ", rest, flags=re.I)
    return len(rest.split()) <= 2 and rest != line


def next_page(listing_html: str, base_url: str) -> str | None:
    """The next page of a listing: rel=next, a "Trang sau"/"»" link, or page N+1."""
    doc = _parse(listing_html)
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
        labels = {_anchor_text(anchor).lower(), (anchor.get("title") or "").strip().lower()}
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


# -- pages ------------------------------------------------------------------------------


def _get(ctx: FetchContext, url: str) -> Response:
    return ctx.http.get(url, ca_bundle=ctx.spec.ca_bundle, timeout_s=ctx.spec.timeout_s)


def _decode(ctx: FetchContext, reply: Response) -> str:
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


def _parse(html: str) -> HtmlElement:
    import lxml.html

    # Bytes, because lxml refuses str input that still carries an XML encoding declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    root = lxml.html.fromstring(html.encode("utf-8") or b"<html></html>", parser=parser)
    return root


def _outer_html(element: HtmlElement) -> str:
    import lxml.html

    return lxml.html.tostring(element, encoding="unicode")


def _main_text(html: str, doc: HtmlElement, url: str) -> str:
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
    texts = [clean_text(_outer_html(element)) for element in candidates]
    best = max(texts, key=len)
    return best.replace("\n\n", "\n") or None


def _title(doc: HtmlElement) -> str:
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


def _published(doc: HtmlElement, tz: str) -> str | None:
    for element in doc.iter("meta", "time"):
        key = (
            element.get("property") or element.get("name") or element.get("itemprop") or ""
        ).lower()
        value = element.get("content") or element.get("datetime")
        if value and (key in _META_DATES or element.tag == "time"):
            found = _parse_date(value, tz)
            if found:
                return found
    for element in doc.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "a"):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if _DATE_CLASS.search(marker) and not _in_furniture(element):
            found = _date_in_text(element.text_content(), tz, allow_date_only=True)
            if found:
                return found
    body = doc.find("body")
    text = (body if body is not None else doc).text_content()
    # Elsewhere on the page a bare date is more likely a cited document's than the article's.
    return _date_in_text(text, tz, allow_date_only=False)


def _parse_date(value: str, tz: str) -> str | None:
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _date_in_text(value, tz, allow_date_only=True)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.isoformat(timespec="seconds")


def _date_in_text(text: str, tz: str, *, allow_date_only: bool) -> str | None:
    text = " ".join(text.split())
    patterns = [_DATE_TIME, _TIME_DATE]
    if allow_date_only:
        patterns += [_DATE_ONLY, _DATE_WORDS]
    for pattern in patterns:
        for match in pattern.finditer(text):
            found = _moment(match.groupdict(), tz)
            if found:
                return found
    return None


def _moment(parts: dict[str, str | None], tz: str) -> str | None:
    hour, minute = int(parts.get("H") or 0), int(parts.get("M") or 0)
    second = int(parts.get("S") or 0)
    ampm = (parts.get("ampm") or "").upper()
    if ampm in ("PM", "CH") and hour < 12:
        hour += 12
    elif ampm in ("AM", "SA") and hour == 12:
        hour = 0
    try:
        moment = datetime(
            int(parts["y"] or 0),
            int(parts["m"] or 0),
            int(parts["d"] or 0),
            hour,
            minute,
            second,
            tzinfo=ZoneInfo(tz),
        )
    except ValueError:
        return None
    if not 1990 <= moment.year <= 2100:
        return None
    return moment.isoformat(timespec="seconds")


# -- links ------------------------------------------------------------------------------


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
        label = _anchor_text(element) if element.tag == "a" else ""
        if not (_is_document_link(link) or _ATTACHMENT_TEXT.search(label)):
            continue
        if _in_furniture(element):
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


def _href(element: HtmlElement, base_url: str) -> str | None:
    raw = (element.get("href") or "").strip()
    if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    absolute = urljoin(base_url, raw)
    if not absolute.startswith(("http://", "https://")):
        return None
    return urlunsplit(urlsplit(absolute)._replace(fragment=""))


def _anchor_text(anchor: HtmlElement) -> str:
    text = clean_line(anchor.text_content())
    return text or clean_line(anchor.get("title") or "")


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


def _in_furniture(element: HtmlElement) -> bool:
    node: HtmlElement | None = element
    while node is not None:
        if node.tag in _FURNITURE_TAGS:
            return True
        marker = f"{node.get('class', '')} {node.get('id', '')}"
        if marker.strip() and _FURNITURE_CLASS.search(marker):
            return True
        node = node.getparent()
    return False


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _title_from_filename(url: str) -> str:
    name = display_name(url)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return unicodedata.normalize("NFC", " ".join(re.split(r"[-_\s]+", stem))).strip()
