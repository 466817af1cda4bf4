"""The summarizer protocol, its result type and the registry of engines by name."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bulletin.errors import BulletinError, InputError


class SummarizerError(BulletinError):
    """An engine cannot run: a missing model, an unreachable endpoint, a bad option."""


@dataclass(frozen=True)
class Budget:
    """How long a summary may be: sentences, seconds of speech, or both (the tighter wins)."""

    sentences: int | None = 3
    seconds: float | None = None
    words_per_minute: int = 150
    """The voice's speaking rate; Vietnamese writes one syllable per word."""


@dataclass(frozen=True)
class Summary:
    """A summary as sentences, the engine that wrote it, and why a fallback was used."""

    sentences: tuple[str, ...]
    engine: str
    fallback_reason: str | None = None
    """Set when the requested engine's output was replaced (guard violation, engine error)."""
    violations: tuple[str, ...] = field(default_factory=tuple)
    """Facts in the rejected summary that the source does not support, for the reviewer."""

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


class Summarizer(Protocol):
    """One engine. Load models in the constructor, so batches pay for them once."""

    name: str

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary: ...

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        """(text, title) pairs; engines that batch do it here."""
        ...


# name -> "module:factory"; imported only when the engine is asked for.
_REGISTRY: dict[str, str] = {
    "lead": "bulletin.summarize.lead:LeadSummarizer",
    "extractive": "bulletin.summarize.extractive:ExtractiveSummarizer",
    "seq2seq": "bulletin.summarize.seq2seq:Seq2SeqSummarizer",
    "llm": "bulletin.summarize.llm:LlmSummarizer",
}


def register_summarizer(name: str, target: str) -> None:
    """Add an engine: `target` is "package.module:Factory"."""
    _REGISTRY[name] = target


def available_summarizers() -> list[str]:
    return sorted(_REGISTRY)


def load_summarizer(name: str, **options: Any) -> Summarizer:
    """The engine called `name`, built with `options` (unknown options are a clear error)."""
    target = _REGISTRY.get(name)
    if target is None:
        raise InputError("summarize.unknown", name=name, known=", ".join(available_summarizers()))
    module_name, _, factory_name = target.partition(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    accepted = set(inspect.signature(factory).parameters)
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise InputError(
            "summarize.option",
            name=name,
            options=", ".join(unknown),
            accepted=", ".join(sorted(accepted)) or "-",
        )
    summarizer: Summarizer = factory(**options)
    return summarizer
