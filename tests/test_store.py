"""The SQLite store: migrations, transactions, append-only audit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bulletin.store import ItemRecord, NewAnnouncement, Store, StoreError
from bulletin.store.schema import MIGRATIONS


def test_new_store_is_at_latest_schema(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    assert store.schema_version == len(MIGRATIONS)
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "sources",
        "announcements",
        "bulletins",
        "bulletin_items",
        "script_sentences",
        "audit",
        "deliveries",
        "announcement_vectors",
        "summary_cache",
    } <= tables


def test_store_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert caught.value.key == "store.too_new"


def test_garbage_file_is_a_clear_store_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(path) in str(caught.value)


def test_interrupted_transaction_stores_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    with pytest.raises(KeyboardInterrupt), store.tx() as db:
        db.execute("INSERT INTO sources (name, kind, location) VALUES ('a', 'rss', 'x')")
        raise KeyboardInterrupt
    assert store.db.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 0


def test_audit_log_cannot_be_rewritten(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.save_fetch(
        "s",
        "folder",
        "x",
        [NewAnnouncement(uid="1", title="T", body="B.")],
        priority="normal",
        tags=[],
    )
    bulletin = store.create_draft(
        programme="p",
        priority="normal",
        voice="v",
        items=[ItemRecord(1, "T", "B.")],
        sentences=[("item", 1, "B.", "B.")],
        actor="tester",
    )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM audit")
    assert [a.actor for a in store.audit_log(bulletin)] == ["tester"]


def test_same_announcement_twice_is_stored_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    item = NewAnnouncement(uid="guid-1", title="Thông báo", body="Nội dung.")
    first = store.save_fetch("s", "rss", "u", [item], priority="normal", tags=[])
    second = store.save_fetch("s", "rss", "u", [item], priority="normal", tags=[])
    assert len(first) == 1 and second == []
    assert len(store.announcements()) == 1


def test_syndicated_copy_is_marked_duplicate(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.save_fetch(
        "a",
        "rss",
        "u",
        [NewAnnouncement("1", "Cắt điện", "Ngày 5/12  cắt điện.")],
        priority="normal",
        tags=[],
    )
    store.save_fetch(
        "b",
        "rss",
        "v",
        [NewAnnouncement("x", "cắt điện", "Ngày 5/12 cắt điện.")],
        priority="normal",
        tags=[],
    )
    rows = store.announcements()
    assert len(rows) == 2
    assert len(store.announcements(include_duplicates=False)) == 1
