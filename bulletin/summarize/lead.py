"""Lead summarizer: the first sentences of an announcement, up to a sentence or time budget."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from pydantic import BaseModel, ConfigDict

from bulletin.summarize.base import Budget, Summary
from bulletin.text.sentences import split_sentences


def speech_seconds(text: str, words_per_minute: int) -> float:
    """Vietnamese is one syllable per written word; voice rates are in words per minute."""
    return len(text.split()) * 60.0 / max(words_per_minute, 1)


def fit_budget(sentences: Sequence[str], budget: Budget) -> list[str]:
    """Keep sentences in order while they fit; the first is always kept."""
    chosen: list[str] = []
    spent = 0.0
    for sentence in sentences:
        if budget.sentences is not None and len(chosen) >= budget.sentences:
            break
        cost = speech_seconds(sentence, budget.words_per_minute)
        if chosen and budget.seconds is not None and spent + cost > budget.seconds:
            break
        chosen.append(sentence)
        spent += cost
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
        return Summary(tuple(fit_budget(split_sentences(text), budget)), self.name)

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        return [self.summarize(text, budget, title=title) for text, title in texts]
