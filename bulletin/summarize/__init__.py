"""Summarizers: cut an announcement to what a listener needs, inventing nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bulletin.summarize.base import Summarizer, SummarizerFactory
    from bulletin.workspace import SummaryConfig


def build_summarizer(name: str, config: SummaryConfig) -> Summarizer:
    """The engine `name`, built from its own section `summary.<name>` of the settings."""
    from bulletin import plugins

    factory: SummarizerFactory = plugins.load("summarizers", name)
    return factory.from_options(config.options(name, factory.Options))


def summarizer_for(name: str, config: SummaryConfig) -> Summarizer:
    """The engine `name`, wrapped in the faithfulness guard with the extractive fallback."""
    from bulletin.summarize.guard import GuardedSummarizer

    engine = build_summarizer(name, config)
    fallback = engine if name == "extractive" else build_summarizer("extractive", config)
    return GuardedSummarizer(engine, fallback)
