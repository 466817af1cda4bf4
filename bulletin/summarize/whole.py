"""Whole reading for warnings and notices, where every place and figure matters: all of the
text after cleaning, or, when that is over the time given, its lists and figures first."""

from __future__ import annotations

from collections.abc import Sequence

from bulletin.summarize.base import Budget, Summary
from bulletin.summarize.content import (
    Boilerplate,
    Passage,
    has_figures,
    is_commentary,
    passages,
)
from bulletin.summarize.lead import passage_seconds


class WholeReader:
    """Reads an announcement whole; only `budget.seconds` limits it (not its sentences)."""

    name = "whole"

    def __init__(self, boilerplate: Boilerplate | None = None) -> None:
        self.boilerplate = boilerplate

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        found = passages(text, title, self.boilerplate)
        return Summary(tuple(s for p in fit_whole(found, budget) for s in p.sentences), self.name)

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        return [self.summarize(text, budget, title=title) for text, title in texts]


def _rank(passage: Passage) -> int:
    """Lists and figures first, plain statements next, quoted opinion last."""
    if passage.listing or has_figures(passage.text):
        return 0
    return 2 if is_commentary(passage.text) else 1


def fit_whole(found: Sequence[Passage], budget: Budget) -> list[Passage]:
    """Every passage if all fit in `budget.seconds`; else the most needed that fit, in order."""
    if budget.seconds is None:
        return list(found)
    costs = [passage_seconds(p, budget) for p in found]
    if sum(costs) <= budget.seconds:
        return list(found)
    order = sorted(range(len(found)), key=lambda i: (_rank(found[i]), i))
    kept: set[int] = set()
    spent = 0.0
    for i in order:
        if spent + costs[i] <= budget.seconds:
            kept.add(i)
            spent += costs[i]
    return [found[i] for i in sorted(kept)]
