"""Clean announcement text: NFC, entities, tags, page furniture and bylines, whitespace."""

from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(
    r"</?(p|div|br|li|h[1-6]|tr|td|th|table|ul|ol|section|article|blockquote|figure|"
    r"figcaption|header|footer|dd|dt)\b[^>]*>",
    re.I,
)
_SCRIPT = re.compile(r"<(script|style|noscript|template)\b", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Every space but the line break (no-break, thin, ideographic, separators) reads as one plain
# space; a line then never holds a long run of spaces for the patterns below to rescan.
_SPACES = re.compile(r"[^\S\n]+")
# Zero-width characters and soft hyphens hide inside words copied from web pages.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_BLANKS = re.compile(r"\n\s*\n+")

# Whole lines that are page furniture, not part of an announcement.
_FURNITURE = re.compile(
    r"^[\s|>»•·-]*("
    r"xem video|xem thêm|xem tiếp|đọc thêm|chia sẻ( bài viết| bài| lên facebook| qua email)?|"
    r"share|tweet|like|facebook|zalo|twitter|email|gửi email|gửi bài|in bài( viết)?|bản in|"
    r"lưu bài|bình luận|ý kiến bạn đọc|tin liên quan|bài liên quan|bài viết liên quan|"
    r"tin cùng chuyên mục|tin khác|các tin khác|các tin đã đưa|tin mới|tin đọc nhiều|"
    r"quay lại|trở về|về đầu trang|lên đầu trang|cỡ chữ|font size|a[ -]?a[ -]?a|"
    r"video đang được xử lý.*|đang tải video.*|(?:số )?lượt xem\s*(?::\s*)?\d*|"
    r"từ khóa\s*:.*|từ khoá\s*:.*|tags?\s*:.*|"
    r"\(?(ảnh|nguồn ảnh|ảnh minh họa|ảnh minh hoạ|video)\s*:.*\)?|"
    r"\(?ảnh minh (họa|hoạ)\)?|\(?ảnh\s*(?::\s*)?(internet|minh họa|minh hoạ|tư liệu)\)?"
    r")[\s|.]*$",
    re.I,
)
# A photo credit inside a paragraph: "(Ảnh: Minh Anh)". It starts where a run of spaces
# starts, so a long run is not rescanned from each of its positions.
_CAPTION = re.compile(r"(?<!\s)\s*+\((ảnh|nguồn ảnh|ảnh minh (họa|hoạ))(\s*:[^()]{0,80})?\)", re.I)
# Bylines and credits closing an article: "PV", "Minh Anh (TTXVN)", "Nguồn: Báo Chính phủ".
_AGENCY = r"(pv|p\.v|ctv|btv|bbt|ttxvn|vna|tg|pv\s*-\s*ctv|nhóm pv)"
_BYLINE = re.compile(
    rf"^\(?\s*({_AGENCY}\.?|.{{1,40}}\({_AGENCY}\)|nguồn\s*:.{{1,100}}|"
    r"(theo|nguồn)\s+[^,;:]{1,60})\s*\)?\.?$",
    re.I,
)
# No byline is longer; a longer line is not tried, as the pattern's nested spaces would cost
# time growing with the square of the line.
_BYLINE_CHARS = 200
# "Toàn văn Kế hoạch ... xem tại file đính kèm./.": the text follows in an attachment.
# "Toàn văn … xem tại file đính kèm": found by its anchor phrase, then widened to its
# sentence, so the cost stays linear however long a hostile sentence is.
_ATTACHMENT_ANCHOR = re.compile(
    r"\b(?:(?:file|tệp|tập tin)\s*(?:đính kèm|kèm theo)|văn bản đính kèm)", re.I
)
_ATTACHMENT_VERB = re.compile(r"\b(?:xem|tải|download)\b", re.I)
_SENTENCE_END = re.compile(r"[\n.!?]")


def _attachment_notes(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences that send the reader to an attached file."""
    spans: list[tuple[int, int]] = []
    start = searched = 0
    for anchor in _ATTACHMENT_ANCHOR.finditer(text):
        if spans and anchor.start() < spans[-1][1]:
            continue
        # The sentence start is searched back only to where the last search stopped, so
        # many anchors in one long sentence do not each rescan it.
        found = max(text.rfind(ch, searched, anchor.start()) for ch in "\n.!?")
        if found >= 0:
            start = found + 1
        searched = anchor.start()
        # The verb comes shortly before the anchor: "xem tại file đính kèm", "tải tệp kèm theo".
        window = text[max(start, anchor.start() - 60) : anchor.start()]
        if not _ATTACHMENT_VERB.search(window):
            continue
        after = _SENTENCE_END.search(text, anchor.end())
        end = after.end() if after else len(text)
        while end < len(text) and text[end] in ".!?/":
            end += 1
        if after is not None and after.group() == "\n":
            end -= 1  # keep the line break: it separates paragraphs
        spans.append((start, end))
    return spans


def clean_text(raw: str) -> str:
    """Plain NFC text with paragraphs separated by one blank line.

    Page furniture, photo credits, closing bylines and "see the attached file" notes are
    dropped: none of them should be read aloud (see `attachment_note` for the last).
    """
    text = _markup_to_text(raw)
    kept, cursor = [], 0
    for start, end in _attachment_notes(text):
        kept.append(text[cursor:start])
        cursor = end
    text = "".join(kept) + text[cursor:]
    lines = []
    for line in text.split("\n"):
        line = _CAPTION.sub("", _SPACES.sub(" ", line)).strip()
        if _FURNITURE.match(line):
            continue
        lines.append(line)
    while lines and (not lines[-1] or _is_byline(lines[-1])):
        lines.pop()
    text = "\n".join(lines)
    return _BLANKS.sub("\n\n", text).strip()


def clean_line(raw: str) -> str:
    """A title or other one-line field."""
    text = _markup_to_text(raw)
    return " ".join(_SPACES.sub(" ", text).split())


def attachment_note(raw: str) -> str | None:
    """The sentence saying the full text is in an attached file, if the text has one."""
    text = _markup_to_text(raw)
    spans = _attachment_notes(text)
    if not spans:
        return None
    start, end = spans[0]
    return " ".join(text[start:end].split()).rstrip("./ ") or None


def _is_byline(line: str) -> bool:
    # "Theo dự báo, mưa lớn..." closes many real notices: a credit is short and has no clause.
    if len(line) > _BYLINE_CHARS or len(line.split()) > 8:
        return False
    return bool(_BYLINE.match(line))


def _sub_closed(pattern: re.Pattern[str], replacement: str, text: str, close: str) -> str:
    """`pattern.sub` on `text` up to its last `close`, the string every match ends with.

    After it no match can end, and each unclosed opening there would rescan the text to its
    end: a page of 100,000 "<" would take quadratic time.
    """
    end = text.rfind(close)
    end = 0 if end < 0 else end + len(close)
    return pattern.sub(replacement, text[:end]) + text[end:]


def _without_scripts(text: str) -> str:
    """`text` without script, style, noscript and template elements and their content."""
    pieces: list[str] = []
    kept = 0
    unclosed: set[str] = set()
    opening = _SCRIPT.search(text)
    while opening is not None:
        name = opening.group(1).lower()
        close = None
        if name not in unclosed:
            close = re.compile(rf"</{name}\s*>", re.I).search(text, opening.end())
        if close is None:
            # No closing tag after this one means none after any later one either.
            unclosed.add(name)
            opening = _SCRIPT.search(text, opening.start() + 1)
            continue
        pieces += [text[kept : opening.start()], " "]
        kept = close.end()
        opening = _SCRIPT.search(text, kept)
    pieces.append(text[kept:])
    return "".join(pieces)


def _without_tags(text: str) -> str:
    return _sub_closed(_TAG, " ", _sub_closed(_BLOCK, "\n", text, ">"), ">")


def _markup_to_text(raw: str) -> str:
    text = _without_scripts(_sub_closed(_COMMENT, " ", raw, "-->"))
    text = _without_tags(text)
    # Feeds often escape entities twice ("&amp;amp;", "&amp;#225;"); unescape until stable,
    # removing tags that only appear once unescaped ("&lt;p&gt;").
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = _without_tags(unescaped)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")
