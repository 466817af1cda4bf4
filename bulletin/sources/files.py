"""A folder of notices: text and Markdown files (title on the first line), DOCX and PDF."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bulletin.errors import SourceError
from bulletin.messages import t
from bulletin.sources import FetchContext, FetchResult
from bulletin.sources.attachments import read_document
from bulletin.store import NewAnnouncement
from bulletin.text.clean import clean_line, clean_text
from bulletin.text.encoding import decode_bytes

TEXT_SUFFIXES = (".txt", ".md")
DOCUMENT_SUFFIXES = (".docx", ".pdf", ".doc")
SUFFIXES = TEXT_SUFFIXES + DOCUMENT_SUFFIXES
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_TITLE_CHARS = 160


def fetch_folder(ctx: FetchContext) -> FetchResult:
    workspace, name, spec = ctx.workspace, ctx.name, ctx.spec
    folder = workspace.resolve(spec.path or spec.url or "")
    if not folder.is_dir():
        raise SourceError("folder.missing", name=name, path=str(folder))
    root = folder.resolve()
    zone = ZoneInfo(workspace.config.timezone)
    items = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SUFFIXES:
            continue
        # A README explains the folder to staff; it is not a notice. "~$x.docx" is Word's lock.
        if path.stem.upper() in ("README", "DOC-TOI", "HUONG-DAN") or path.name.startswith(
            (".", "~$")
        ):
            continue
        # Whoever can drop a file here must not make us read (and air) any file on the
        # machine: a link may point within the folder, never out of it.
        try:
            target = path.resolve()
        except (OSError, RuntimeError) as exc:  # a link loop: RuntimeError before 3.13
            ctx.warnings.append(t("source.unreadable", name=name, path=str(path), detail=str(exc)))
            continue
        if not target.is_relative_to(root):
            ctx.warnings.append(t("folder.outside", path=str(path), target=str(target)))
            continue
        if not target.is_file():
            continue
        try:
            if target.suffix.lower() in TEXT_SUFFIXES:
                title, body = read_notice(target, ctx.warnings)
            else:
                title, body = read_document_notice(target)
        except SourceError as exc:
            # One unreadable file (an old .doc, a scan) must not hide the other notices.
            ctx.warnings.append(str(exc))
            continue
        if not body:
            continue
        modified = datetime.fromtimestamp(target.stat().st_mtime, zone)
        items.append(
            NewAnnouncement(
                uid=path.name,
                title=title,
                body=body,
                link=target.as_uri(),
                published=modified.isoformat(timespec="seconds"),
            )
        )
    return FetchResult(items)


def read_notice(path: Path, warnings: list[str] | None = None) -> tuple[str, str]:
    """Title (first non-empty line, without Markdown '#') and the cleaned body.

    A legacy Vietnamese encoding (TCVN3, VNI) adds a message to `warnings`.
    """
    decoded = decode_bytes(_read_bytes(path, MAX_FILE_BYTES), name=path.name)
    if decoded.warning and warnings is not None:
        warnings.append(decoded.warning)
    if "\ufffd" in decoded.text:
        raise SourceError("file.encoding", path=str(path))
    text = clean_text(decoded.text)
    head, _, rest = text.partition("\n")
    return clean_line(head.lstrip("#")), rest.strip()


def read_document_notice(path: Path) -> tuple[str, str]:
    """Title and text of a .docx or .pdf notice (a .doc raises a clear SourceError)."""
    document = read_document(_read_bytes(path, MAX_DOCUMENT_BYTES), path.name)
    text = clean_text(document.text)
    first, _, rest = text.partition("\n\n")
    # A title set in the document's properties was chosen by a person, unless Word wrote it
    # ("Microsoft Word - x.doc"); else a first line short enough to be a heading.
    if document.title and not document.title.lower().startswith("microsoft word"):
        return document.title, text
    if first and len(first) <= MAX_TITLE_CHARS:
        return clean_line(first), rest.strip() or first
    return _title_from_name(path), text


def _read_bytes(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of `path`, refusing a link swapped in since the folder was read
    (O_NOFOLLOW) and a file that grew past the limit since it was listed."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as exc:
        raise SourceError("input.file", path=str(path), detail=exc.strerror or str(exc)) from None
    if len(raw) > limit:
        raise SourceError("file.too_big", path=str(path), limit_mb=limit // 2**20)
    return raw


def _title_from_name(path: Path) -> str:
    """ "thong-bao_lich-tiem" → "Thong bao lich tiem": the name staff gave the file."""
    words = re.split(r"[-_\s]+", path.stem)
    title = " ".join(w for w in words if w)
    return title[:1].upper() + title[1:] if title else path.name
