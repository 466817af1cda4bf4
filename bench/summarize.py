"""Score summarizers on article/abstract pairs: syllable ROUGE-1/2/L, length, guard
violations, load time, latency and memory, against the lead-2 and lead-3 baselines."""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import sys
import time
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bulletin.errors import BulletinError
from bulletin.summarize import build_summarizer
from bulletin.summarize.base import Budget, Summarizer
from bulletin.summarize.guard import find_unsupported
from bulletin.summarize.lead import LeadSummarizer
from bulletin.workspace import SummaryConfig

DEFAULT_PAIRS = Path(__file__).resolve().parents[1].parent / "shared/data/vietnews/dev300.jsonl"


def _builder(engine: str, options: dict[str, Any]) -> Callable[[], Summarizer]:
    """Builds the engine unguarded, from settings as `summary.<engine>` would hold them."""
    return lambda: build_summarizer(engine, SummaryConfig.model_validate({engine: options}))


def syllables(text: str) -> list[str]:
    # Vietnamese writes one syllable per space-separated word; rouge-score's default
    # tokenizer drops non-ASCII letters, so score on NFC lower-case \w+ runs instead.
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def _f1(overlap: int, candidate: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """ROUGE-N F1 with clipped n-gram counts."""

    def grams(words: Sequence[str]) -> Counter[tuple[str, ...]]:
        return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))

    mine, theirs = grams(candidate), grams(reference)
    return _f1(sum((mine & theirs).values()), sum(mine.values()), sum(theirs.values()))


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """Summary-level ROUGE-L F1 from the longest common subsequence (one row of the table)."""
    previous = [0] * (len(reference) + 1)
    for word in candidate:
        current = [0]
        for j, other in enumerate(reference):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return _f1(previous[-1], len(candidate), len(reference))


@dataclass(frozen=True)
class Pair:
    text: str
    title: str | None
    abstract: str


@dataclass
class Result:
    name: str
    rouge1: float
    rouge2: float
    rougel: float
    words: float
    sentences: float
    violations: int
    fallbacks: int
    load_s: float
    median_s: float
    p95_s: float
    batch_s: float
    traced_peak_mb: float
    maxrss_mb: float


def read_pairs(path: Path, limit: int | None) -> list[Pair]:
    pairs = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            pairs.append(
                Pair(" ".join(row["article_sentences"]), row.get("title"), row["abstract"])
            )
            if limit is not None and len(pairs) >= limit:
                break
    return pairs


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run(
    name: str, make: Callable[[], Summarizer], pairs: list[Pair], budget: Budget, titles: bool
) -> Result:
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    engine = make()
    load_s = time.perf_counter() - started
    latencies, summaries = [], []
    for pair in pairs:
        started = time.perf_counter()
        summaries.append(engine.summarize(pair.text, budget, title=pair.title if titles else None))
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    batch = engine.summarize_many([(p.text, p.title if titles else None) for p in pairs], budget)
    batch_s = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if [s.sentences for s in batch] != [s.sentences for s in summaries]:
        print(f"warning: {name}: summarize_many differs from summarize", file=sys.stderr)
    scores: list[tuple[float, float, float]] = []
    words, sentence_counts, violations = [], [], 0
    for pair, summary in zip(pairs, summaries, strict=True):
        candidate, reference = syllables(summary.text), syllables(pair.abstract)
        scores.append(
            (
                rouge_n(candidate, reference, 1),
                rouge_n(candidate, reference, 2),
                rouge_l(candidate, reference),
            )
        )
        words.append(len(candidate))
        sentence_counts.append(len(summary.sentences))
        source = f"{pair.title}\n{pair.text}" if titles and pair.title else pair.text
        violations += bool(find_unsupported(summary.text, source))
    latencies.sort()
    return Result(
        name=name,
        rouge1=100 * statistics.fmean(s[0] for s in scores),
        rouge2=100 * statistics.fmean(s[1] for s in scores),
        rougel=100 * statistics.fmean(s[2] for s in scores),
        words=statistics.fmean(words),
        sentences=statistics.fmean(sentence_counts),
        violations=violations,
        fallbacks=sum(s.fallback_reason is not None for s in summaries),
        load_s=load_s,
        median_s=statistics.median(latencies),
        p95_s=latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        batch_s=batch_s,
        traced_peak_mb=traced_peak / 2**20,
        maxrss_mb=_maxrss_mb(),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--engines", default="lead,extractive", help="comma-separated")
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--sentences", type=int, default=2, help="budget for the engines; 0: only --seconds"
    )
    parser.add_argument("--seconds", type=float, help="speech-time budget for every engine")
    parser.add_argument("--wpm", type=int, default=150)
    parser.add_argument("--no-titles", action="store_true", help="do not give engines the title")
    parser.add_argument("--seq2seq-model", help="local path of a seq2seq checkpoint")
    parser.add_argument("--llm-url", help="OpenAI-compatible endpoint")
    parser.add_argument("--llm-model", help="model name at --llm-url")
    parser.add_argument("--json", action="store_true", help="print JSON Lines")
    args = parser.parse_args()

    pairs = read_pairs(args.pairs, args.limit)
    titles = not args.no_titles
    budget = Budget(args.sentences or None, args.seconds, args.wpm)
    runs: list[tuple[str, Callable[[], Summarizer], Budget]] = []
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    # A model or endpoint on the command line means: measure that engine too.
    engines += [
        name
        for name, given in (("seq2seq", args.seq2seq_model), ("llm", args.llm_url))
        if given and name not in engines
    ]
    for engine in engines:
        if engine == "lead":
            # The baselines keep their sentence count; a --seconds budget caps them too.
            for n in (2, 3):
                runs.append((f"lead-{n}", LeadSummarizer, Budget(n, args.seconds, args.wpm)))
            if budget.sentences is None:
                runs.append(("lead", LeadSummarizer, budget))
            continue
        options: dict[str, Any] = {}
        try:
            if engine == "seq2seq":
                if not args.seq2seq_model:
                    print("skip seq2seq: pass --seq2seq-model PATH", file=sys.stderr)
                    continue
                options = {"model": args.seq2seq_model}
            elif engine == "llm":
                if not (args.llm_url and args.llm_model):
                    print("skip llm: pass --llm-url URL --llm-model M", file=sys.stderr)
                    continue
                options = {"url": args.llm_url, "model": args.llm_model}
        except (ImportError, ValueError) as error:
            print(f"skip {engine}: {error}", file=sys.stderr)
            continue
        runs.append((engine, _builder(engine, options), budget))

    results = []
    for name, make, engine_budget in runs:
        try:
            results.append(run(name, make, pairs, engine_budget, titles))
        except BulletinError as error:
            print(f"skip {name}: {error}", file=sys.stderr)
            continue
        result = results[-1]
        if args.json:
            print(json.dumps(result.__dict__, ensure_ascii=False))
    if not args.json:
        print(f"{len(pairs)} pairs from {args.pairs}; budget {budget}; titles {titles}")
        header = (
            f"{'engine':<11} {'R1':>6} {'R2':>6} {'RL':>6} {'syll':>6} {'sent':>5} {'viol':>4} "
            f"{'load s':>7} {'med s':>6} {'p95 s':>6} {'batch s':>7} {'tm MB':>6} {'rss MB':>7}"
        )
        print(header)
        for r in results:
            print(
                f"{r.name:<11} {r.rouge1:6.2f} {r.rouge2:6.2f} {r.rougel:6.2f} {r.words:6.1f} "
                f"{r.sentences:5.2f} {r.violations:4d} {r.load_s:7.2f} {r.median_s:6.3f} "
                f"{r.p95_s:6.3f} {r.batch_s:7.2f} {r.traced_peak_mb:6.1f} {r.maxrss_mb:7.0f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
