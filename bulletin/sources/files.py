"""A folder of notices: plain-text and Markdown files, title on the first line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bulletin.errors import SourceError
from bulletin.sources import FetchContext, FetchResult
from bulletin.store import NewAnnouncement
from bulletin.text.clean import clean_line, clean_text

SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 5 * 1024 * 1024


def fetch_folder(ctx: FetchContext) -> FetchResult:
    workspace, name, spec = ctx.workspace, ctx.name, ctx.spec
    folder = workspace.resolve(spec.path or spec.url or "")
    if not folder.is_dir():
        raise SourceError("folder.missing", name=name, path=str(folder))
    zone = ZoneInfo(workspace.config.timezone)
    items = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        # A README explains the folder to staff; it is not a notice.
        if path.stem.upper() in ("README", "DOC-TOI", "HUONG-DAN") or path.name.startswith("."):
            continue
        title, body = read_notice(path)
        if not body:
            continue
        modified = datetime.fromtimestamp(path.stat().st_mtime, zone)
        items.append(
            NewAnnouncement(
                uid=path.name,
                title=title,
                body=body,
                link=path.resolve().as_uri(),
                published=modified.isoformat(timespec="seconds"),
            )
        )
    return FetchResult(items)


def read_notice(path: Path) -> tuple[str, str]:
    """Title (first non-empty line, without Markdown '#') and the cleaned body."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SourceError("file.too_big", path=str(path), limit_mb=MAX_FILE_BYTES // 2**20)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1258")
        except UnicodeDecodeError:
            raise SourceError("file.encoding", path=str(path)) from None
    text = clean_text(text)
    head, _, rest = text.partition("\n")
    return clean_line(head.lstrip("#")), rest.strip()
