"""Text of attached documents (PDF, DOCX), with clear errors for what cannot be read:
old Word .doc files, scanned PDFs without a text layer, encrypted or corrupt files."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from bulletin.errors import SourceError
from bulletin.text.clean import clean_line

if TYPE_CHECKING:
    from docx.table import Table

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 200
MIN_CHARS_PER_PAGE = 25
"""Fewer letters and digits per page than this means a scan: the text is in images."""

PDF_MAGIC = b"%PDF"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Old Word (.doc), Excel (.xls) and PowerPoint files share this container."""


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SENTENCE_END = re.compile(r"[.!?:;…”\")]$")
_LIST_START = re.compile(
    r"^([-+•*–—]\s|\d+[.)/]\s?|[a-zđ][)]\s|[IVXLC]+[.)]\s|(Điều|Chương|Mục|Phần)\s+\w+[.:]?)"
)
_PAGE_NUMBER = re.compile(r"^[-–\s]*(trang\s*)?\d{1,3}(\s*/\s*\d{1,3})?[-–\s]*$", re.I)


@dataclass(frozen=True)
class Document:
    """The readable content of one attached or dropped-in document."""

    text: str
    """Paragraphs separated by a blank line, NFC."""
    title: str | None = None
    """The title stored in the document's properties, when it has a useful one."""


def extract_document(data: bytes, filename: str) -> str:
    """The text of a PDF or DOCX file; `filename` (or URL) names it in errors."""
    return read_document(data, filename).text


def read_document(data: bytes, filename: str) -> Document:
    name = display_name(filename)
    if len(data) > MAX_BYTES:
        raise SourceError("attachment.too_big", name=name, limit_mb=MAX_BYTES // 2**20)
    kind = document_kind(data, filename)
    if kind == "pdf":
        return Document(_pdf_text(data, name))
    if kind == "docx":
        return _docx(data, name)
    if kind == "doc":
        raise SourceError("attachment.doc", name=name)
    raise SourceError("attachment.unsupported", name=name)


def document_kind(data: bytes, filename: str) -> str | None:
    """'pdf', 'docx' or 'doc' from the bytes first: portals serve PDFs named .doc and worse."""
    head = data[:1024]
    if PDF_MAGIC in head:
        return "pdf"
    if data.startswith(OLE2_MAGIC):
        return "doc"
    if data.startswith(ZIP_MAGIC):
        return "docx" if b"word/" in data[:65536] or _suffix(filename) == ".docx" else None
    suffix = _suffix(filename)
    return {".pdf": "pdf", ".docx": "docx", ".doc": "doc"}.get(suffix)


def display_name(filename: str) -> str:
    """The file name a person recognises: last path segment, percent-decoded, NFC."""
    path = urlsplit(filename).path if "://" in filename else filename
    last = path.rstrip("/").rsplit("/", 1)[-1] or filename
    return unicodedata.normalize("NFC", unquote(last))


def _suffix(filename: str) -> str:
    name = display_name(filename).lower()
    dot = name.rfind(".")
    return name[dot:] if dot >= 0 else ""


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many official PDFs carry an owner password only (no printing, no copying) and
            # open with an empty user password; a real user password cannot be guessed.
            try:
                opened = reader.decrypt("")
            except (NotImplementedError, PdfReadError) as exc:
                raise SourceError("attachment.broken", name=name, detail=str(exc)) from None
            if not opened:
                raise SourceError("attachment.broken", name=name, detail="encrypted")
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise SourceError("attachment.too_long", name=name, pages=count, limit=MAX_PAGES)
        pages = [page.extract_text() or "" for page in reader.pages]
    except SourceError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files
        detail = str(exc) or type(exc).__name__
        raise SourceError("attachment.broken", name=name, detail=detail) from None
    meaningful = sum(ch.isalnum() for page in pages for ch in page)
    if meaningful < MIN_CHARS_PER_PAGE * max(count, 1):
        raise SourceError("attachment.scanned", name=name)
    return paragraphs_from_lines("\n".join(pages).split("\n"))


def paragraphs_from_lines(lines: list[str]) -> str:
    """Rejoin text wrapped into lines (as PDF extraction gives it) into paragraphs."""
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = " ".join(unicodedata.normalize("NFC", raw).split())
        if not line or _PAGE_NUMBER.match(line):
            if not line and current:
                paragraphs.append(current)
                current = ""
            continue
        if not current:
            current = line
        elif current.endswith("-") and current[-2:-1].isalpha() and line[0].islower():
            # A word broken at the margin ("thông-\ntin" is rare in Vietnamese, foreign words
            # are not); a hyphen before a capital or digit belongs there ("Bà Rịa-Vũng Tàu").
            current = current[:-1] + line
        elif current.endswith("-") and current[-2:-1].isalnum():
            current += line
        elif _starts_paragraph(current, line):
            paragraphs.append(current)
            current = line
        else:
            current += " " + line
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def _starts_paragraph(previous: str, line: str) -> bool:
    if _is_heading(previous) or _is_heading(line) or _LIST_START.match(line):
        return True
    # A sentence that ended, followed by a capital, is a new paragraph more often than not
    # in notices; a lowercase start continues the sentence across the line break.
    return bool(_SENTENCE_END.search(previous)) and not line[0].islower()


def _is_heading(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _docx(data: bytes, name: str) -> Document:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError("attachment.broken", name=name, detail=str(exc)) from None
    except Exception as exc:  # lxml and python-docx raise their own kinds on damaged parts
        raise SourceError("attachment.broken", name=name, detail=type(exc).__name__) from None
    blocks: list[str] = []
    # Paragraphs and tables in reading order: notices put their header (issuing body,
    # national motto, number and date) and often the signatures in tables.
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            blocks.append(Paragraph(child, document).text)
        elif child.tag == f"{_W}tbl":
            blocks.extend(_table_lines(Table(child, document)))
    text = "\n\n".join(" ".join(b.split()) for b in blocks if b.strip())
    title = clean_line(document.core_properties.title or "") or None
    return Document(unicodedata.normalize("NFC", text), title)


def _table_lines(table: Table) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # Merged cells come back once per grid column they span.
            if text and text not in cells:
                cells.append(text)
        if cells:
            lines.append(" – ".join(cells))
    return lines
