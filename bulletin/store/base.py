"""What every area of the store shares: the connection, transactions, time stamps, hashes."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(title: str, body: str) -> str:
    """Hash of the normalized text, so the same notice syndicated twice is recognized."""
    words = " ".join(f"{title}\n{body}".lower().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks: what the store records of audio."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class QueryBase:
    """The connection and transaction the area mixins of `Store` work through."""

    db: sqlite3.Connection

    def tx(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError
