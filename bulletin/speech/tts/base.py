"""TTS engine protocol, audio chunk type and the by-name engine registry."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    # Only for annotations: importing numpy here would slow down `bulletin --help`.
    import numpy


class TTSError(Exception):
    """A synthesis problem, worded so a person can act on it."""


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


# Values are "module:attribute" so an engine's heavy imports happen only when it is chosen.
_ENGINES: dict[str, str] = {
    "espeak": "bulletin.speech.tts.espeak:EspeakEngine",
    "piper": "bulletin.speech.tts.piper:PiperEngine",
    "coqui": "bulletin.speech.tts.coqui:CoquiEngine",
}


def register_engine(name: str, target: str) -> None:
    """Make an engine loadable by name; `target` is "package.module:Factory"."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"engine target must look like 'package.module:Factory', got {target!r}")
    _ENGINES[name.strip().lower()] = target


def available_engines() -> list[str]:
    return sorted(_ENGINES)


def load_engine(engine: str, **params: Any) -> TTSEngine:
    """Create the engine registered as `engine` with its keyword parameters."""
    key = engine.strip().lower()
    target = _ENGINES.get(key)
    if target is None:
        raise TTSError(
            f"Unknown TTS engine {engine!r}; known engines: {', '.join(available_engines())}"
        )
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TTSError(
            f"TTS engine {key!r} is registered but its module {module_name!r} cannot be "
            f"imported ({exc}); install its dependencies or pick another engine"
        ) from exc
    factory = getattr(module, attr, None)
    if factory is None:
        raise TTSError(f"TTS engine {key!r}: {module_name!r} has no attribute {attr!r}")
    # Check parameters up front so a typo in a config file is reported as such, instead
    # of catching TypeError from the constructor (which could hide real bugs).
    try:
        inspect.signature(factory).bind(**params)
    except TypeError as exc:
        accepted = ", ".join(
            p.name
            for p in inspect.signature(factory).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )
        raise TTSError(
            f"Invalid parameters for TTS engine {key!r}: {exc}; accepted: {accepted or 'none'}"
        ) from exc
    instance: TTSEngine = factory(**params)
    return instance
