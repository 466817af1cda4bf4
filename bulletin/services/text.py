"""Text use cases outside a bulletin: how a text will be read aloud, and how it is summarized."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bulletin.services.station import Station


@dataclass(frozen=True)
class Reading:
    """A text, its spoken form, and (when asked) which rule read which part."""

    text: str
    spoken: str
    rules: list[tuple[str, str, str]] | None = None
    """(rule, source, spoken) for each rewrite, when an explanation was asked for."""

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"text": self.text, "spoken": self.spoken}
        if self.rules is not None:
            document["rules"] = [
                {"rule": rule, "source": source, "spoken": spoken}
                for rule, source, spoken in self.rules
            ]
        return document


def normalize(
    station: Station | None, texts: Sequence[str], *, region: str = "north", explain: bool = False
) -> list[Reading]:
    """Each text in the form a radio reader speaks it, with the station's own lexicon."""
    from bulletin.speech.normalize import explain as explain_rules
    from bulletin.speech.normalize import normalize as to_spoken

    lexicon = station.workspace.lexicon() if station is not None else {}
    readings = []
    for text in texts:
        spoken = to_spoken(text, region=region, lexicon=lexicon)  # type: ignore[arg-type]
        rules = None
        if explain:
            hits = explain_rules(text, region=region, lexicon=lexicon)  # type: ignore[arg-type]
            rules = [(h.rule, h.source, h.spoken) for h in hits]
        readings.append(Reading(text, spoken, rules))
    return readings


def summary_json(result: Any) -> dict[str, Any]:
    return {
        "summary": result.text,
        "sentences": list(result.sentences),
        "engine": result.engine,
        "fallback_reason": result.fallback_reason,
        "violations": list(result.violations),
    }


def summarize(
    station: Station | None,
    texts: Sequence[tuple[str, str | None]],
    *,
    engine: str | None = None,
    seconds: float | None = None,
    sentences: int | None = None,
) -> list[Any]:
    """Summaries of (text, title) pairs the way a bulletin item is summarized, model loaded once."""
    from bulletin.services.building import summarizer
    from bulletin.speech.profiles import syllables_per_minute
    from bulletin.summarize import summarizer_for
    from bulletin.summarize.base import Budget
    from bulletin.workspace import StationConfig, VoiceProfile

    config = station.workspace.config if station is not None else StationConfig()
    rate = syllables_per_minute(station.workspace.voice()[1] if station else VoiceProfile())
    if sentences is None and seconds is None:
        sentences = config.summary.sentences or config.defaults.summary_sentences
        seconds = config.summary.seconds
    pause = config.audio.pause_sentence_ms / 1000
    budget = Budget(
        sentences=sentences, seconds=seconds, words_per_minute=rate, sentence_pause_s=pause
    )
    if station is not None:
        from bulletin.summarize.content import Boilerplate

        # The station's own boilerplate patterns, as a build takes them out.
        extra = Boilerplate.for_workspace(station.workspace.root)
        texts = [(extra.strip(text), title) for text, title in texts]
    name = engine or config.summary.engine
    chosen = (
        summarizer(station, name, config.summary)
        if station is not None
        else summarizer_for(name, config.summary)
    )
    if len(texts) == 1:
        text, title = texts[0]
        made = [chosen.summarize(text, budget, title=title)]
    else:
        made = list(chosen.summarize_many(list(texts), budget))
    if seconds is not None and station is not None:
        # The limit is on the speech the station's voice makes, measured, not estimated.
        made = [_spoken_within(station, summary, seconds) for summary in made]
    return made


SPOKEN_MARGIN = 0.01


def _spoken_within(station: Station, summary: Any, seconds: float) -> Any:
    """`summary` cut to the passages its voice speaks within `seconds`, pauses included."""
    import dataclasses

    from bulletin.services.building import spoken_seconds
    from bulletin.summarize.content import trim_to_seconds

    measure = spoken_seconds(station, station.workspace.voice()[1])
    # A voice does not read a sentence to the same millisecond twice (eSpeak NG differs by a
    # few ms from one call to the next): keep 1 % in hand so the reading never runs over.
    kept = trim_to_seconds(summary.sentences, measure, seconds * (1 - SPOKEN_MARGIN))
    return summary if kept == summary.sentences else dataclasses.replace(summary, sentences=kept)
