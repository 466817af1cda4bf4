"""What builds compute once and keep: announcement vectors from the fetch, summaries, and
produced programmes reused byte for byte when nothing in them changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from bulletin import selection, workspace
from bulletin.services import Station, building
from bulletin.services.building import build
from bulletin.store import NewAnnouncement, Store
from bulletin.store.schema import MIGRATIONS, apply


def _station(root: Path) -> Station:
    return Station(workspace.load(root))


def _no_embedding(texts: Sequence[str]) -> object:
    raise AssertionError(f"embedded again: {list(texts)[:1]}")


def _no_summarizer(*args: object) -> object:
    raise AssertionError("the summarizer was loaded")


def test_fetch_embeds_every_new_announcement_once_and_builds_reuse_the_vectors(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = _station(built_copy)
    with station.store() as store:
        ids = [a.id for a in store.announcements()]
        kept = store.announcement_vectors(ids, selection.embedding_model())
    assert ids and sorted(kept) == sorted(ids)
    assert {len(blob) for blob in kept.values()} == {384 * 4}  # float32, e5-small

    # A fresh selection of the programme works with no embedding at all.
    monkeypatch.setattr(selection, "passage_vectors", _no_embedding)
    bulletin_id = build(station, actor="test")
    with station.store() as store:
        assert store.bulletin(bulletin_id).state == "built"
        assert store.announcement_vectors(ids, selection.embedding_model()) == kept


def test_announcement_stored_before_vectors_is_embedded_on_first_use_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.save_fetch(
        "xa",
        "rss",
        "u",
        [NewAnnouncement("1", "Cắt điện thôn Đông", "Cắt điện từ 8h00 ngày 5/12/2026.")],
        priority="normal",
        tags=[],
    )
    (announcement,) = store.announcements()
    model = selection.embedding_model()
    assert store.announcement_vectors([announcement.id], model) == {}
    first = selection.announcement_vectors(store, [announcement])
    assert store.announcement_vectors([announcement.id], model)[announcement.id] == (
        first[0].tobytes()
    )
    monkeypatch.setattr(selection, "passage_vectors", _no_embedding)
    assert (selection.announcement_vectors(store, [announcement]) == first).all()


def test_warm_rebuild_summarizes_nothing_and_reuses_the_programme_in_its_own_file(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = _station(built_copy)
    with station.store() as store:
        first = store.bulletin(store.latest_bulletin_id() or 0)
        items = store.bulletin_items(first.id)
        cached = store.summary_cache_size()
    # Warnings are read whole (no summarizer, nothing to keep); every other item's summary is
    # kept.
    summarized = [i for i in items if i.engine != "whole"]
    assert summarized and cached >= len(summarized)

    monkeypatch.setattr(building, "summarizer", _no_summarizer)
    second_id = build(station, item_ids=[i.announcement_id for i in items], actor="test")
    with station.store() as store:
        second = store.bulletin(second_id)
        assert [i.summary for i in store.bulletin_items(second_id)] == [i.summary for i in items]
        assert store.summary_cache_size() == cached

    # The same bytes, in a file of the new bulletin's own.
    assert second.audio_sha256 == first.audio_sha256
    assert second.audio_path != first.audio_path
    old, new = station.audio_file(first.audio_path), station.audio_file(second.audio_path)
    assert old.read_bytes() == new.read_bytes()
    assert not old.samefile(new)


def test_v3_store_migrates_to_v4_keeping_announcements_and_caching_from_then_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bulletin.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for number, migration in enumerate(MIGRATIONS[:3], start=1):
        apply(db, migration)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute(
        """INSERT INTO announcements (source, uid, title, body, content_hash, fetched_at)
           VALUES ('xa', '1', 'Họp dân thôn Bắc', 'Họp dân lúc 19h00 tối nay.', 'h', 't')"""
    )
    db.close()

    store = Store(path)
    assert store.schema_version == len(MIGRATIONS) >= 4
    (announcement,) = store.announcements()
    assert announcement.title == "Họp dân thôn Bắc"
    assert store.summary_cache_size() == 0
    assert store.announcement_vectors([announcement.id], selection.embedding_model()) == {}
    selection.announcement_vectors(store, [announcement])
    assert store.announcement_vectors([announcement.id], selection.embedding_model())
