"""Choosing a programme's items: priority, recency, filters, near-duplicates, minutes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from bulletin.selection import (
    BATCH,
    MAX_CANDIDATES,
    MAX_MISSES,
    TWIN_LOOKAHEAD,
    NearDuplicates,
    Selected,
    candidates,
    embedding_twins,
    passage_vectors,
    select,
)
from bulletin.store import NewAnnouncement, Store
from bulletin.summarize.base import Budget, Summary
from bulletin.summarize.lead import LeadSummarizer
from bulletin.workspace import Programme
from tests.conftest import HANG_S

BODY = (
    "Ủy ban nhân dân xã thông báo tới toàn thể nhân dân về kế hoạch của xã trong tháng tới. "
    "Các thôn tổ chức họp dân để phổ biến nội dung và lấy ý kiến của bà con. "
    "Mọi ý kiến đóng góp gửi về bộ phận một cửa của xã trước ngày cuối tháng."
)


def _programme(**fields: object) -> Programme:
    """A programme without age limits: these tests are about order, filters and minutes."""
    return Programme.model_validate({"max_age_days": None, "warning_max_age_days": None, **fields})


def _store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db.sqlite3")


def _add(
    store: Store,
    source: str,
    uid: str,
    title: str,
    body: str = BODY,
    *,
    priority: str = "normal",
    published: str = "2026-11-20T07:00:00+07:00",
    tags: tuple[str, ...] = (),
) -> None:
    store.save_fetch(
        source,
        "rss",
        "u",
        [NewAnnouncement(uid, title, body, None, published)],
        priority=priority,
        tags=list(tags),
    )


def _titles(chosen: list[Selected]) -> list[str]:
    return [c.announcement.title for c in chosen]


def no_merge(items: Sequence[object]) -> list[int | None]:
    """No two notices are near-duplicates."""
    return [None] * len(items)


def test_emergency_then_priority_then_newest(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add(store, "a", "1", "Tin cũ", published="2026-11-01T07:00:00+07:00")
    _add(store, "a", "2", "Tin mới", published="2026-11-25T07:00:00+07:00")
    _add(store, "b", "3", "Tin ưu tiên", priority="priority", body=BODY.replace("xã", "huyện"))
    _add(store, "c", "4", "Tin khẩn", priority="emergency", body="Bão số 13 đổ bộ chiều nay.")
    chosen = select(
        store,
        _programme(max_minutes=10),
        LeadSummarizer(),
        Budget(2),
        similarity=no_merge,
    )
    assert _titles(chosen) == ["Tin khẩn", "Tin ưu tiên", "Tin mới", "Tin cũ"]
    assert all(len(c.summary.sentences) <= 2 for c in chosen)


def test_programme_minutes_and_filters_are_respected(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for i in range(30):
        _add(
            store,
            "huyen" if i % 2 else "xa",
            str(i),
            f"Thông báo {i}",
            BODY.replace("tháng tới", f"đợt {i}"),
            tags=("nong-nghiep",) if i < 4 else (),
        )
    short = select(
        store, _programme(max_minutes=1.5), LeadSummarizer(), Budget(3), similarity=no_merge
    )
    assert 1 <= len(short) < 30
    only_xa = select(
        store, _programme(sources=["xa"]), LeadSummarizer(), Budget(1), similarity=no_merge
    )
    assert {c.announcement.source for c in only_xa} == {"xa"}
    tagged = select(
        store, _programme(tags=["nong-nghiep"]), LeadSummarizer(), Budget(1), similarity=no_merge
    )
    assert len(tagged) == 4


def test_near_duplicates_from_two_sources_become_one_item(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add(
        store,
        "huyen",
        "1",
        "Lịch tiêm vắc xin sởi cho trẻ em",
        "Trạm y tế xã tổ chức tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi vào ngày 3/12/2026, "
        "từ 7h30 đến 11h00 tại hội trường xã.",
        published="2026-11-25T07:00:00+07:00",
    )
    _add(
        store,
        "xa",
        "2",
        "Lịch tiêm vắc-xin sởi cho trẻ em",
        "Trạm y tế xã tổ chức tiêm vắc-xin sởi cho trẻ em từ 1 đến 5 tuổi ngày 3/12/2026, "
        "từ 7h30 tới 11h00 tại hội trường xã.",
        published="2026-11-24T07:00:00+07:00",
    )
    _add(
        store,
        "xa",
        "3",
        "Cắt điện thôn Đông",
        "Điện lực huyện cắt điện thôn Đông từ 8h00 đến 16h00 ngày 5/12/2026 để sửa đường dây.",
    )
    chosen = select(store, _programme(max_minutes=10), LeadSummarizer(), Budget(2))
    assert _titles(chosen) == ["Lịch tiêm vắc xin sởi cho trẻ em", "Cắt điện thôn Đông"]
    assert len(chosen[0].merged) == 1


def test_embedding_twins_keep_different_notices_apart() -> None:
    twins = embedding_twins(
        [
            "Cắt điện thôn Đông từ 8h00 ngày 5/12.",
            "Thu tiền bảo hiểm y tế hộ gia đình năm 2027.",
            "Cắt điện thôn Đông từ 8h00 ngày 5/12/2026.",
        ]
    )
    assert twins == [None, None, 0]


def _backlog(store: Store, count: int) -> None:
    """`count` distinct announcements, one a minute, saved the way a fetch saves them."""
    topics = ["cắt điện", "tiêm phòng", "thu thuế", "họp dân", "phòng cháy", "vệ sinh"]
    items = [
        NewAnnouncement(
            str(i),
            f"Thông báo {topics[i % len(topics)]} số {i}",
            BODY.replace("tháng tới", f"{topics[i % len(topics)]} đợt {i}"),
            None,
            f"2026-11-{1 + i // 1440:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00+07:00",
        )
        for i in range(count)
    ]
    store.save_fetch("huyen", "rss", "u", items, priority="normal", tags=[])


def test_backlog_build_considers_only_the_best_candidates(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _backlog(store, 3_000)
    started = time.perf_counter()
    best = candidates(store, _programme())
    assert time.perf_counter() - started < HANG_S
    assert len(best) == MAX_CANDIDATES
    assert best[0].title.endswith("số 2999") and best[-1].title.endswith(f"số {3000 - 300}")


def test_backlog_build_embeds_only_what_the_programme_reaches(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _backlog(store, 3_000)
    embedded: list[object] = []

    def counted(items: Sequence[object]) -> list[int | None]:
        embedded.extend(items)
        return [None] * len(items)

    chosen = select(
        store, _programme(max_minutes=3), LeadSummarizer(), Budget(2), similarity=counted
    )
    assert chosen
    assert len(embedded) <= len(chosen) + MAX_MISSES + BATCH + TWIN_LOOKAHEAD < MAX_CANDIDATES


def test_near_duplicates_are_found_across_blocks() -> None:
    finder = NearDuplicates()
    assert finder.twins(
        passage_vectors(
            [
                "Cắt điện thôn Đông từ 8h00 ngày 5/12.",
                "Thu tiền bảo hiểm y tế hộ gia đình năm 2027.",
            ]
        )
    ) == [None, None]
    assert finder.twins(passage_vectors(["Cắt điện thôn Đông từ 8h00 ngày 5/12/2026."])) == [0]


def test_full_programme_stops_summarizing_the_backlog(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _backlog(store, 3_000)
    lead = LeadSummarizer()
    summarized: list[str] = []

    class CountingLead:
        name = "lead"

        def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
            return self.summarize_many([(text, title)], budget)[0]

        def summarize_many(
            self, texts: Sequence[tuple[str, str | None]], budget: Budget
        ) -> list[Summary]:
            summarized.extend(title or "" for _, title in texts)
            return lead.summarize_many(texts, budget)

    chosen = select(
        store,
        _programme(max_minutes=2),
        CountingLead(),
        Budget(3),
        similarity=no_merge,
        max_candidates=3_000,
    )
    assert 1 <= len(chosen) < 10
    # Every item the programme can hold, then a bounded look for a shorter one.
    assert len(summarized) <= len(chosen) + MAX_MISSES + BATCH
