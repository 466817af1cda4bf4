"""Clean announcement text: NFC, entities, tags, boilerplate, whitespace."""

from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|div|br|li|h[1-6]|tr|table|ul|ol|section|article)\b[^>]*>", re.I)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u200b]+")
_BLANKS = re.compile(r"\n\s*\n+")
# Lines that are page furniture, not part of an announcement.
_BOILERPLATE = re.compile(
    r"^\s*(xem video|xem thêm|chia sẻ|share|tweet|in bài|bình luận|tin liên quan|"
    r"ảnh\s*:.*|video\s*:.*)\s*$",
    re.I,
)


def clean_text(raw: str) -> str:
    """Plain NFC text with paragraphs separated by one blank line."""
    text = _SCRIPT.sub(" ", raw)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub(" ", text)
    # Feeds often escape entities twice ("&amp;amp;"); unescape until stable.
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = unicodedata.normalize("NFC", text)
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if _BOILERPLATE.match(line):
            continue
        lines.append(line)
    text = "\n".join(lines)
    return _BLANKS.sub("\n\n", text).strip()


def clean_line(raw: str) -> str:
    """A title or other one-line field."""
    return " ".join(clean_text(raw).split())
