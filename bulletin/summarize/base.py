"""The summarizer protocol, its result type, and what an engine offers to be built from
its section of bulletin.yaml (engines are found by name in bulletin.plugins)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bulletin.errors import BulletinError

if TYPE_CHECKING:
    from pydantic import BaseModel


class SummarizerError(BulletinError):
    """An engine cannot run: a missing model, an unreachable endpoint, a bad option."""


@dataclass(frozen=True)
class Budget:
    """How long a summary may be: sentences, seconds of speech, or both (the tighter wins)."""

    sentences: int | None = 3
    seconds: float | None = None
    words_per_minute: int = 150
    """The voice's speaking rate; Vietnamese writes one syllable per word."""
    sentence_pause_s: float = 0.0
    """The pause after each sentence, counted against `seconds`."""


@dataclass(frozen=True)
class Summary:
    """A summary as sentences, the engine that wrote it, and why a fallback was used."""

    sentences: tuple[str, ...]
    engine: str
    fallback_key: str | None = None
    """Set when the requested engine's output was replaced (guard violation, engine error):
    a message key, so the reason is shown in each reader's language."""
    violations: tuple[str, ...] = field(default_factory=tuple)
    """Facts in the rejected summary that the source does not support, for the reviewer."""
    fallback_params: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def fallback_text(self, lang: str | None = None) -> str | None:
        if self.fallback_key is None:
            return None
        from bulletin.messages import t

        return t(self.fallback_key, lang=lang, **self.fallback_params)

    @property
    def fallback_reason(self) -> str | None:
        return self.fallback_text()


class Summarizer(Protocol):
    """One engine. Load models in the constructor, so batches pay for them once."""

    name: str

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary: ...

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        """(text, title) pairs; engines that batch do it here."""
        ...


class SummarizerFactory(Protocol):
    """What an engine class offers, built in or from the `bulletin.summarizers` entry points:
    its settings model (a pydantic model validating `summary.<name>` in bulletin.yaml; the
    built-in ones forbid unknown keys, so a typo is an error) and a constructor from it."""

    Options: type[BaseModel]

    def from_options(self, options: Any) -> Summarizer:
        """The engine, loaded and ready for a batch."""
        ...
