"""Score the speech normalizer against a TSV of reference readings (CONVENTIONS.md scoring)."""

from __future__ import annotations

import argparse
import csv
import itertools
import re
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bulletin.speech.ear import fold_tone
from bulletin.speech.normalize import normalize

_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/normalization"
# Scored apart: the general register and the register of warnings and notices.
DEFAULT_TSVS = (_DATA / "dev.tsv", _DATA / "dev-weather.tsv")

_PUNCT = re.compile(r"[^\w\s]|_")
_FOLDS = (
    (re.compile(r"\bngàn\b"), "nghìn"),
    (re.compile(r"\blẻ\b"), "linh"),
    (re.compile(r"\bmươi tư\b"), "mươi bốn"),
    (re.compile(r"\btỉ\b"), "tỷ"),
    (re.compile(r"\b(?:kí|ký) lô\b"), "ki lô"),
    (re.compile(r"\b(?:mồng|mùng)\s+"), ""),
)


def canonical(text: str) -> str:
    """NFC, lower case, punctuation as spaces, regional variants and tone placement folded."""
    text = unicodedata.normalize("NFC", text).lower()
    text = " ".join(_PUNCT.sub(" ", text).split())
    for pattern, replacement in _FOLDS:
        text = pattern.sub(replacement, text)
    return " ".join(fold_tone(w) for w in text.split())


def _split_top(body: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(body):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def expand(pattern: str) -> list[str]:
    """All strings an accept-pattern allows: "{a|b|}" = a, b or nothing; groups nest."""
    pieces: list[list[str]] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "{":
            depth, j = 0, i
            while True:
                depth += {"{": 1, "}": -1}.get(pattern[j], 0)
                if depth == 0:
                    break
                j += 1
            options = _split_top(pattern[i + 1 : j], "|")
            pieces.append([s for option in options for s in expand(option)])
            i = j + 1
        else:
            j = pattern.find("{", i)
            j = len(pattern) if j < 0 else j
            pieces.append([pattern[i:j]])
            i = j
    return ["".join(combo) for combo in itertools.product(*pieces)]


def accepted(expected: str, also: str) -> set[str]:
    forms = {canonical(expected)}
    if also.strip():
        for pattern in also.split(" || "):
            forms.update(canonical(s) for s in expand(pattern))
    return forms


def score(path: Path, repeat: int) -> tuple[dict[str, list[int]], float]:
    """Print the misses of one file; return its hits per share and its speed in lines/s.

    Speed is measured on CPU time, so other work on a shared machine does not skew it."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

    inputs = [row["input"] for row in rows]
    start = time.process_time()
    for _ in range(repeat):
        for text in inputs:
            normalize(text)
    rate = repeat * len(inputs) / (time.process_time() - start)

    hits = {"all": [0, 0], "unambiguous": [0, 0]}
    misses = []
    for row in rows:
        got = normalize(row["input"])
        ok = canonical(got) in accepted(row["expected"], row.get("also_accepted") or "")
        keys = ["all"] if row.get("ambiguous") else ["all", "unambiguous"]
        for key in keys:
            hits[key][0] += ok
            hits[key][1] += 1
        if not ok:
            misses.append((row, got))

    print(f"== {path.name}")
    for row, got in misses:
        flag = " (ambiguous)" if row.get("ambiguous") else ""
        print(f"MISS [{row.get('category', '')}]{flag}")
        print(f"  input:    {row['input']}")
        print(f"  expected: {row['expected']}")
        print(f"  got:      {got}")
    return hits, rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--tsv", type=Path, action="append", help="score this file only (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timing passes over each file")
    args = parser.parse_args()

    results = [(path, *score(path, args.repeat)) for path in args.tsv or DEFAULT_TSVS]
    print()
    print(f"{'file':<18} {'all':>16} {'unambiguous':>16} {'lines/s CPU':>12}")
    for path, hits, rate in results:
        shares = []
        for good, total in hits.values():
            share = 100 * good / total if total else 0.0
            shares.append(f"{good}/{total} = {share:.1f}%")
        print(f"{path.name:<18} {shares[0]:>16} {shares[1]:>16} {rate:>12,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
