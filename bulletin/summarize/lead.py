"""Lead summarizer: the first sentences of an announcement, up to a sentence or time budget."""

from __future__ import annotations

from bulletin.text.sentences import split_sentences


# Vietnamese is one syllable per written word; eSpeak's rate is in words per minute.
def speech_seconds(text: str, words_per_minute: int) -> float:
    return len(text.split()) * 60.0 / max(words_per_minute, 1)


def summarize_lead(
    body: str,
    *,
    sentences: int,
    max_seconds: float | None = None,
    words_per_minute: int = 150,
) -> list[str]:
    """The first `sentences` sentences, fewer if `max_seconds` of speech would be exceeded.

    The first sentence is always kept: an announcement cut to nothing says nothing.
    """
    chosen: list[str] = []
    spent = 0.0
    for sentence in split_sentences(body)[:sentences]:
        cost = speech_seconds(sentence, words_per_minute)
        if chosen and max_seconds is not None and spent + cost > max_seconds:
            break
        chosen.append(sentence)
        spent += cost
    return chosen
