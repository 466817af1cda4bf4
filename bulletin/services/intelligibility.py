"""`voices test --score`: speak fixed commune sentences with a voice, let the machine ear
transcribe them, and measure how many syllables it misses."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bulletin.services.station import Station
from bulletin.speech.ear import Ear, score, scoring_sentences


@dataclass(frozen=True)
class SentenceScore:
    """One sentence: what was written, what the voice was given, what the ear heard."""

    index: int
    text: str
    spoken: str
    heard: str
    syllables: int
    errors: int

    @property
    def ser(self) -> float:
        return self.errors / self.syllables if self.syllables else float(self.errors > 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "spoken": self.spoken,
            "heard": self.heard,
            "syllables": self.syllables,
            "errors": self.errors,
            "ser": round(self.ser, 4),
        }


@dataclass(frozen=True)
class VoiceScore:
    """A voice's syllable error rate over the scoring sentences (errors / syllables, pooled)."""

    voice: str
    engine: str
    sentences: list[SentenceScore]
    seconds: float
    """Wall time of synthesis and transcription, without loading the ear."""

    @property
    def ser(self) -> float:
        total = sum(s.syllables for s in self.sentences)
        return sum(s.errors for s in self.sentences) / total if total else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "voice": self.voice,
            "engine": self.engine,
            "ser": round(self.ser, 4),
            "syllables": sum(s.syllables for s in self.sentences),
            "errors": sum(s.errors for s in self.sentences),
            "seconds": round(self.seconds, 2),
            "sentences": [s.as_json() for s in self.sentences],
        }


def score_voice(
    station: Station,
    voice_name: str,
    *,
    ear: Ear | None = None,
    sentences: Sequence[str] | None = None,
) -> VoiceScore:
    """Speak `sentences` (default: the shipped scoring set) with the voice profile, transcribe
    each, and score the transcript against the normalizer's spoken form of the sentence."""
    from bulletin.services.building import tts_engine
    from bulletin.speech.normalize import normalize

    ear = ear or Ear.load()  # first: a missing extra fails before any synthesis
    workspace = station.workspace
    name, voice = workspace.voice(voice_name)
    lexicon = workspace.lexicon()
    engine = tts_engine(station, voice)
    texts = list(sentences) if sentences is not None else scoring_sentences()
    started = time.perf_counter()
    scored = []
    for index, text in enumerate(texts):
        spoken = normalize(text, region=voice.region, lexicon=lexicon)
        chunk = engine.synthesize(spoken)
        heard = ear.transcribe(chunk.samples, chunk.sample_rate)
        result = score(spoken, heard)
        scored.append(SentenceScore(index, text, spoken, heard, result.syllables, result.errors))
    return VoiceScore(name, voice.engine, scored, time.perf_counter() - started)
