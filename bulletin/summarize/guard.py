"""The faithfulness guard: a summary may only state numbers, dates, codes and names its source
states; a summary that invents one is replaced by a fallback engine's, with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bulletin.summarize.base import Budget, Summarizer, SummarizerError, Summary
from bulletin.summarize.facts import Fact, Found, canonical_words, extract_facts

__all__ = ["Fact", "GuardedSummarizer", "find_unsupported"]


class _Evidence:
    """What a source states, indexed by the canonical keys of its facts."""

    def __init__(self, source: str) -> None:
        facts = extract_facts(source)
        self.keys = {found.key for found in facts}
        self.words = f" {canonical_words(source)} "
        # Any quantity the source mentions, whatever it was part of: a summary may say
        # "năm 2026" of a source's "31/12/2026", or "1 triệu đồng" of "từ 1 đến 2 triệu đồng".
        self.values: set[Decimal] = set()
        self.dates: list[tuple[int | None, int, int | None]] = []
        self.codes: set[str] = set()
        for found in facts:
            kind, *rest = found.key
            if kind == "date":
                day, month, year = rest
                self.dates.append((day, month, year))  # type: ignore[arg-type]
            if kind == "code":
                self.codes.add(str(rest[0]))
            for part in rest:
                if isinstance(part, Decimal):
                    self.values.add(part)
                elif isinstance(part, int):
                    self.values.add(Decimal(part))

    def supports(self, found: Found) -> bool:
        kind, *rest = found.key
        if found.key in self.keys:
            return True
        if kind in ("number", "money"):
            return rest[0] in self.values
        if kind == "date":
            return self._supports_date(*rest)  # type: ignore[arg-type]
        if kind == "code":
            return f" {canonical_words(str(rest[0]))} " in self.words
        if kind == "name":
            return f" {rest[0]} " in self.words
        return False

    def _supports_date(self, day: int | None, month: int, year: int | None) -> bool:
        for source_day, source_month, source_year in self.dates:
            if source_month != month or (day is not None and source_day != day):
                continue
            if year is None or source_year == year:
                return True
            # "ngày 31/12" early in a notice, "năm 2026" in its heading.
            if source_year is None and Decimal(year) in self.values:
                return True
        return False


def find_unsupported(summary: str, source: str) -> list[Fact]:
    """Facts of `summary` that `source` does not state, in the order they were found."""
    evidence = _Evidence(source)
    unsupported: list[Fact] = []
    for found in extract_facts(summary):
        if not evidence.supports(found) and found.fact not in unsupported:
            unsupported.append(found.fact)
    return unsupported


class GuardedSummarizer:
    """Runs `engine`, and answers with `fallback` wherever the engine fails or invents facts."""

    def __init__(self, engine: Summarizer, fallback: Summarizer) -> None:
        self.engine = engine
        self.fallback = fallback
        self.name = engine.name

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return self.summarize_many([(text, title)], budget)[0]

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        try:
            drafts: list[Summary | SummarizerError] = list(
                self.engine.summarize_many(texts, budget)
            )
        except SummarizerError as error:
            drafts = [error] * len(texts)
        results: list[Summary] = []
        for (text, title), draft in zip(texts, drafts, strict=True):
            if isinstance(draft, SummarizerError):
                reason = (
                    "summarize.engine_failed",
                    {
                        "engine": self.engine.name,
                        "detail": str(draft),
                        "fallback": self.fallback.name,
                    },
                )
                results.append(self._fall_back(text, title, budget, reason, ()))
                continue
            # The title is read aloud with the summary, so a fact from it is a stated one.
            source = f"{title}\n{text}" if title else text
            unsupported = find_unsupported(draft.text, source)
            if not unsupported:
                results.append(draft)
                continue
            violations = tuple(f"{fact.kind}: {fact.text}" for fact in unsupported)
            reason = (
                "summarize.unsupported",
                {
                    "engine": self.engine.name,
                    "facts": ", ".join(fact.text for fact in unsupported),
                    "fallback": self.fallback.name,
                },
            )
            results.append(self._fall_back(text, title, budget, reason, violations))
        return results

    def _fall_back(
        self,
        text: str,
        title: str | None,
        budget: Budget,
        reason: tuple[str, dict[str, str]],
        violations: tuple[str, ...],
    ) -> Summary:
        summary = self.fallback.summarize(text, budget, title=title)
        key, params = reason
        return Summary(summary.sentences, summary.engine, key, violations, params)
