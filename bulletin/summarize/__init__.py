"""Summarizers: cut an announcement to what a listener needs, inventing nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bulletin.summarize.base import Summarizer
    from bulletin.workspace import SummaryConfig

# Engines that copy source sentences cannot invent a fact; the others are guarded.
EXTRACTIVE_ENGINES = ("lead", "extractive")


def engine_options(name: str, config: SummaryConfig) -> dict[str, Any]:
    """Constructor options of engine `name` from the workspace's summary settings."""
    if name == "seq2seq":
        if not config.seq2seq.model:
            from bulletin.errors import InputError

            raise InputError("summarize.no_model")
        return config.seq2seq.model_dump()
    if name == "llm":
        return config.llm.model_dump()
    return {}


def summarizer_for(name: str, config: SummaryConfig) -> Summarizer:
    """The engine `name`, wrapped in the faithfulness guard with the extractive fallback."""
    from bulletin.summarize.base import load_summarizer
    from bulletin.summarize.guard import GuardedSummarizer

    engine = load_summarizer(name, **engine_options(name, config))
    fallback = engine if name == "extractive" else load_summarizer("extractive")
    return GuardedSummarizer(engine, fallback)
