"""TTS engine protocol, audio chunk type, and what an engine offers to be built from a voice
profile (engines are found by name in bulletin.plugins)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    # Only for annotations: importing numpy or pydantic here would slow down `bulletin --help`.
    import numpy
    from pydantic import BaseModel


class TTSError(Exception):
    """A synthesis problem, worded so a person can act on it."""


class WordedTTSError(TTSError):
    """A synthesis problem whose message is a catalog key and its parameters, shown in the
    user's language."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def __str__(self) -> str:
        from bulletin.messages import t

        return t(self.key, **self.params)


@dataclass(frozen=True)
class AudioChunk:
    """Synthesized audio for one piece of text: int16 mono samples."""

    samples: numpy.ndarray
    sample_rate: int
    text: str

    def __post_init__(self) -> None:
        # Fail at the engine boundary rather than deep inside mixing/encoding code.
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {self.sample_rate}")
        if self.samples.ndim != 1 or self.samples.dtype != "int16":
            raise ValueError(
                f"samples must be 1-D int16 (mono), got {self.samples.ndim}-D {self.samples.dtype}"
            )

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


@runtime_checkable
class TTSEngine(Protocol):
    name: str

    def cache_key(self) -> str:
        """Stable string identifying engine, model and voice parameters (for audio caching)."""
        ...

    def synthesize(self, text: str) -> AudioChunk:
        """Speak one sentence."""
        ...

    def stream(self, sentences: Iterable[str]) -> Iterator[AudioChunk]:
        """Speak sentences one by one, yielding one chunk per sentence."""
        ...


PathResolver = Callable[[str], str]
"""Turns a path written in a voice profile into one to open (relative to the workspace)."""


class TTSEngineFactory(Protocol):
    """What an engine class offers, built in or from the `bulletin.tts` entry points: its
    settings model (a pydantic model validating the engine's keys of a voice profile; the
    built-in ones forbid unknown keys, so a typo is an error) and a constructor from it."""

    Options: type[BaseModel]

    def from_options(self, options: Any, resolve: PathResolver) -> TTSEngine:
        """The engine; `resolve` finds the files the profile names."""
        ...
