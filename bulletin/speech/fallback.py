"""Speaking a script with a voice that may fail (a cloud service down, a token expired): the
sentence it fails on and every sentence after it in the same script are read by the station's
fallback voice, each sentence's audio cached under the voice that really spoke it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from bulletin.speech.cache import SentenceCache
from bulletin.speech.tts.base import AudioChunk, TTSEngine, TTSError, WordedTTSError

log = logging.getLogger(__name__)


class VoiceFailure(WordedTTSError):
    """A voice failed and no fallback could take over; worded in the user's language."""


@dataclass(frozen=True)
class Voice:
    """A voice profile by name, and how to get its engine (only called when needed)."""

    name: str
    load: Callable[[], TTSEngine]


@dataclass(frozen=True)
class SpokenSentence:
    """One sentence's audio, the cache key it is kept under, and who spoke it."""

    chunk: AudioChunk
    key: str
    cached: bool
    """Taken from the sentence cache, not spoken now."""
    fallback: bool
    """Spoken by the fallback voice."""


class Speaker:
    """Speaks the sentences of one script (one build, one `say`). The primary voice is tried
    first; once it fails, the rest of the script goes to the fallback without asking the
    primary again (a dead service would otherwise cost its timeout on every sentence),
    though audio the primary made before is still taken from the cache. A new Speaker (the
    next build) tries the primary again. Without a fallback, or when the fallback is the same
    voice, the primary's failure is raised, naming the voice."""

    def __init__(self, primary: Voice, fallback: Voice | None, cache: SentenceCache | None) -> None:
        self.primary = primary
        self.fallback = fallback
        self.cache = cache
        self.failure: TTSError | None = None
        """Why the primary voice stopped speaking, once it did."""
        self.fallback_sentences: list[int] = []
        """Positions (from 0) of the sentences the fallback spoke."""
        self._engine: TTSEngine | None = None
        self._key: str | None = None
        self._fallback_engine: TTSEngine | None = None
        self._fallback_key: str | None = None

    @property
    def fallback_name(self) -> str | None:
        return self.fallback.name if self.fallback is not None else None

    def planned_keys(self, sentences: Sequence[str]) -> list[str]:
        """The cache key each sentence's audio will have if nothing fails from here on: the
        primary's, or the fallback's when the primary cannot even be loaded."""
        if self._ready():
            assert self._key is not None
            return [SentenceCache.digest((self._key, s)) for s in sentences]
        fallback_key = self._fallback()[1]
        return [SentenceCache.digest((fallback_key, s)) for s in sentences]

    def speak(self, sentences: Iterable[str]) -> Iterator[SpokenSentence]:
        """One SpokenSentence per sentence, in order, as each is ready."""
        for position, text in enumerate(sentences):
            spoken = self._by_primary(text)
            if spoken is None:
                spoken = self._by_fallback(text)
                self.fallback_sentences.append(position)
            yield spoken

    def _ready(self) -> bool:
        """Whether the primary voice is loaded and has a cache key (loading it at most once)."""
        if self._key is not None:
            return True
        if self.failure is not None:
            return False
        try:
            engine = self.primary.load()
            key = engine.cache_key()
        except TTSError as exc:
            self._fail(exc)
            return False
        self._engine, self._key = engine, key
        return True

    def _by_primary(self, text: str) -> SpokenSentence | None:
        if not self._ready():
            return None
        assert self._engine is not None and self._key is not None
        key = SentenceCache.digest((self._key, text))
        chunk = self.cache.get((self._key, text)) if self.cache is not None else None
        if chunk is not None:
            return SpokenSentence(chunk, key, True, False)
        if self.failure is not None:
            return None
        try:
            chunk = self._engine.synthesize(text)
        except TTSError as exc:
            self._fail(exc)
            return None
        self._keep((self._key, text), chunk)
        return SpokenSentence(chunk, key, False, False)

    def _by_fallback(self, text: str) -> SpokenSentence:
        engine, fallback_key = self._fallback()
        key = SentenceCache.digest((fallback_key, text))
        chunk = self.cache.get((fallback_key, text)) if self.cache is not None else None
        if chunk is not None:
            return SpokenSentence(chunk, key, True, True)
        try:
            chunk = engine.synthesize(text)
        except TTSError as exc:
            raise self._broken(str(exc)) from exc
        self._keep((fallback_key, text), chunk)
        return SpokenSentence(chunk, key, False, True)

    def _fallback(self) -> tuple[TTSEngine, str]:
        """The fallback's engine and cache key, loaded once; a failure's error if there is none
        (or it is the primary voice itself)."""
        if self._fallback_engine is not None and self._fallback_key is not None:
            return self._fallback_engine, self._fallback_key
        from bulletin.errors import BulletinError

        assert self.failure is not None
        if self.fallback is None or self.fallback.name == self.primary.name:
            raise self._failed()
        try:
            engine = self.fallback.load()
            key = engine.cache_key()
        except (TTSError, BulletinError) as exc:
            raise self._broken(str(exc)) from exc
        if key == self._key:
            raise self._failed()
        self._fallback_engine, self._fallback_key = engine, key
        return engine, key

    def _fail(self, exc: TTSError) -> None:
        self.failure = exc
        if self.fallback is not None and self.fallback.name != self.primary.name:
            # Info, not warning: the caller tells people, in their language, and records it.
            log.info(
                "voice %s failed (%s); the fallback voice %s speaks the rest",
                self.primary.name,
                exc,
                self.fallback.name,
            )

    def _failed(self) -> VoiceFailure:
        return VoiceFailure("voice.failed", voice=self.primary.name, detail=str(self.failure))

    def _broken(self, problem: str) -> VoiceFailure:
        assert self.fallback is not None
        return VoiceFailure(
            "voice.fallback_broken",
            voice=self.primary.name,
            detail=str(self.failure),
            fallback=self.fallback.name,
            problem=problem,
        )

    def _keep(self, key_parts: tuple[str, str], chunk: AudioChunk) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put(key_parts, chunk)
        except OSError as exc:
            # A full or read-only cache disk must not stop a broadcast; it only costs speed.
            log.warning("Could not write sentence cache in %s: %s", self.cache.directory, exc)
