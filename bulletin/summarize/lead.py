"""Lead summarizer: the first sentences of an announcement, up to a sentence or time budget."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from pydantic import BaseModel, ConfigDict

from bulletin.summarize.base import Budget, Summary
from bulletin.summarize.content import Passage, passages


def speech_seconds(text: str, words_per_minute: int) -> float:
    """Seconds `text` takes spoken: numbers, dates and units are counted as read out
    ("212,6mm" is nine syllables), one syllable per word at the voice's rate."""
    return len(spoken_words(text)) * 60.0 / max(words_per_minute, 1)


def spoken_words(text: str) -> list[str]:
    """The words of `text` as the normalizer reads them; the written words if it cannot
    (an estimate of time must not stop a summary)."""
    try:
        from bulletin.speech.normalize import normalize

        return normalize(text).split()
    except Exception:  # an estimate of time must not stop a summary
        return text.split()


def passage_seconds(passage: Passage, budget: Budget) -> float:
    """A passage's speech and the pause after each of its sentences."""
    pauses = budget.sentence_pause_s * len(passage.sentences)
    return speech_seconds(passage.text, budget.words_per_minute) + pauses


def fit_budget(found: Sequence[Passage | str], budget: Budget) -> list[str]:
    """Keep passages in order while they fit; a list goes whole with its lead-in or not at
    all, and a sentence budget counts a list as one. The first passage is kept even when it
    is alone over the time budget: an item says something."""
    chosen: list[str] = []
    spent = 0.0
    taken = 0
    for each in found:
        passage = Passage((each,)) if isinstance(each, str) else each
        if budget.sentences is not None and taken >= budget.sentences:
            break
        cost = passage_seconds(passage, budget) if budget.seconds is not None else 0.0
        if budget.seconds is not None and spent + cost > budget.seconds:
            if chosen:
                break
            if passage.listing:
                continue  # a list too long alone is not cut: try the next passage
        chosen.extend(passage.sentences)
        spent += cost
        taken += 1
    return chosen


class LeadSummarizer:
    """The lead-N baseline: no model, nothing to load."""

    name = "lead"

    class Options(BaseModel):
        """No settings: `summary.lead` stays empty."""

        model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def from_options(cls, options: Options) -> Self:
        return cls()

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return Summary(tuple(fit_budget(passages(text, title), budget)), self.name)

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        return [self.summarize(text, budget, title=title) for text, title in texts]
