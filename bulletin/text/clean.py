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
_SCRIPT = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# No-break, thin, figure and ideographic spaces all read as one plain space.
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
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
    r"video đang được xử lý.*|đang tải video.*|lượt xem\s*:?\s*\d*|số lượt xem\s*:?\s*\d*|"
    r"từ khóa\s*:.*|từ khoá\s*:.*|tags?\s*:.*|"
    r"\(?(ảnh|nguồn ảnh|ảnh minh họa|ảnh minh hoạ|video)\s*:.*\)?|"
    r"\(?ảnh minh (họa|hoạ)\)?|\(?ảnh\s*:?\s*(internet|minh họa|minh hoạ|tư liệu)\)?"
    r")[\s|.]*$",
    re.I,
)
# A photo credit inside a paragraph: "(Ảnh: Minh Anh)".
_CAPTION = re.compile(r"\s*\((ảnh|nguồn ảnh|ảnh minh (họa|hoạ))(\s*:[^()]{0,80})?\)", re.I)
# Bylines and credits closing an article: "PV", "Minh Anh (TTXVN)", "Nguồn: Báo Chính phủ".
_AGENCY = r"(pv|p\.v|ctv|btv|bbt|ttxvn|vna|tg|pv\s*-\s*ctv|nhóm pv)"
_BYLINE = re.compile(
    rf"^\(?\s*({_AGENCY}\.?|.{{1,40}}\({_AGENCY}\)|nguồn\s*:.{{1,100}}|"
    r"(theo|nguồn)\s+[^,;:]{1,60})\s*\)?\.?$",
    re.I,
)
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
    for anchor in _ATTACHMENT_ANCHOR.finditer(text):
        if spans and anchor.start() < spans[-1][1]:
            continue
        start = max(text.rfind(ch, 0, anchor.start()) for ch in "\n.!?") + 1
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
    for start, end in reversed(_attachment_notes(text)):
        text = text[:start] + text[end:]
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
    return bool(_BYLINE.match(line)) and len(line.split()) <= 8


def _markup_to_text(raw: str) -> str:
    text = _COMMENT.sub(" ", raw)
    text = _SCRIPT.sub(" ", text)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub(" ", text)
    # Feeds often escape entities twice ("&amp;amp;", "&amp;#225;"); unescape until stable,
    # removing tags that only appear once unescaped ("&lt;p&gt;").
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = _TAG.sub(" ", _BLOCK.sub("\n", unescaped))
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")
