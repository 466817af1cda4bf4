"""A script check for editors (`bulletin check ID`): what a reader should look at before a
bulletin goes on air, sentence by sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bulletin.domain import Sentence
from bulletin.services.station import Station

if TYPE_CHECKING:
    from bulletin.speech.ear import Ear

KINDS = (
    "acronym", "foreign", "symbol", "lowercase", "fragment", "long", "over_share", "too_old",
    "fallback", "misheard",
)  # fmt: skip
LONG_WORDS = 50
"""Spoken words past which a sentence is hard to follow by ear (about 20 seconds)."""
FRAGMENT_WORDS = 3
"""An item sentence this short is a heading or a scrap of one, not a statement."""
_SYMBOL = re.compile(r"[\d%/&@#<>=+*_|~^$€°§\\]")
# Vietnamese writes no f, j, w or z: a word with one is foreign, read by the rules of another
# language unless the lexicon gives it a Vietnamese reading.
_FOREIGN = re.compile(r"\b\w*[fjwzFJWZ]\w*\b")
_OPENERS = "\"'“‘«([-–—•+* "


@dataclass(frozen=True)
class Finding:
    """One thing for a reader to look at."""

    sentence: int | None
    """The sentence's index in the script; None for a finding about a whole item."""
    kind: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class ScriptCheck:
    bulletin: int
    findings: list[Finding]

    def as_json(self) -> dict[str, Any]:
        return {"bulletin": self.bulletin, "findings": [f.as_json() for f in self.findings]}


def check(station: Station, value: str | int, *, ear: Ear | None = None) -> ScriptCheck:
    """The findings of a built bulletin's script, in script order; with `ear` (the machine
    ear, `bulletin[ear]`), also each sentence whose audio it hears without a figure or a
    name the sentence holds."""
    from bulletin.selection import max_age_days
    from bulletin.services.bulletins import resolve_id
    from bulletin.speech.profiles import syllables_per_minute

    workspace = station.workspace
    with station.store(readonly=True) as store:
        number = resolve_id(store, value)
        bulletin = store.bulletin(number)
        items = store.bulletin_items(number)
        rows = store.sentences(number)
        announcements = {i.position: store.announcement(i.announcement_id) for i in items}
    try:
        _, programme = workspace.programme(bulletin.programme)
        _, voice = workspace.voice(bulletin.voice)
    except Exception:  # a programme or voice removed since: the sentence checks still hold
        programme, voice = None, None
    findings = [f for row in rows for f in sentence_findings(station, row)]
    if ear is not None:
        findings += heard_findings(station, rows, ear)
        # In script order again: each sentence's findings together, whole items last.
        findings.sort(key=lambda f: (f.sentence is None, f.sentence or 0))
    if programme is not None and voice is not None:
        per_minute = syllables_per_minute(voice)
        limit = programme.max_minutes * 60.0
        for item in items:
            spoken = sum(len(r.spoken.split()) for r in rows if r.item_position == item.position)
            seconds = spoken * 60.0 / per_minute
            # More than half the programme, when other items share it.
            if len(items) > 1 and seconds > limit / 2:
                findings.append(
                    Finding(None, "over_share", f"{item.position}: {seconds:.0f}/{limit:.0f} s")
                )
            announcement = announcements[item.position]
            days = max_age_days(programme, announcement)
            if days and announcement.published:
                made = datetime.fromisoformat(bulletin.created_at)
                published = datetime.fromisoformat(announcement.published)
                if made.tzinfo is None or published.tzinfo is None:
                    continue
                age = (made - published).total_seconds() / 86400
                if age > days:
                    detail = (
                        f"{item.position}: {announcement.published[:10]} ({age:.0f} > {days:g})"
                    )
                    findings.append(Finding(None, "too_old", detail))
    return ScriptCheck(number, findings)


def heard_findings(station: Station, rows: Sequence[Sentence], ear: Ear) -> list[Finding]:
    """Sentences whose audio (from the sentence cache) the ear hears without one of their
    figures or names."""
    from bulletin.messages import t
    from bulletin.speech.cache import SentenceCache
    from bulletin.speech.ear import missed

    cache = SentenceCache(station.workspace.cache_dir / "sentences")
    found: list[Finding] = []
    for row in rows:
        if not row.audio_key:
            continue
        path = cache.directory / row.audio_key[:2] / row.audio_key[2:4] / f"{row.audio_key}.wav"
        if not path.is_file():
            found.append(
                Finding(row.index, "misheard", t("script_check.no_audio", index=row.index))
            )
            continue
        lost = missed(row.text, row.spoken, ear.transcribe_wav(path))
        if lost:
            found.append(Finding(row.index, "misheard", ", ".join(lost)))
    return found


def sentence_findings(station: Station, row: Sentence) -> list[Finding]:
    from bulletin.speech.normalize import explain

    found: list[Finding] = []
    lexicon = station.workspace.lexicon()
    for hit in explain(row.text, lexicon=lexicon):
        if hit.rule == "acronym":
            found.append(Finding(row.index, "acronym", f"{hit.source} → {hit.spoken}"))
    for word in dict.fromkeys(_FOREIGN.findall(row.spoken)):
        found.append(Finding(row.index, "foreign", word))
    symbols = sorted(set(_SYMBOL.findall(row.spoken)))
    if symbols:
        found.append(Finding(row.index, "symbol", " ".join(symbols)))
    if row.part == "item":
        first = row.text.lstrip(_OPENERS)[:1]
        if first.islower():
            found.append(Finding(row.index, "lowercase", row.text[:60]))
        words = len(row.text.split())
        if words < FRAGMENT_WORDS and not row.text.rstrip().endswith(":"):
            found.append(Finding(row.index, "fragment", row.text))
    if row.fallback_voice:
        found.append(Finding(row.index, "fallback", row.fallback_voice))
    spoken_words = len(row.spoken.split())
    if spoken_words > LONG_WORDS:
        found.append(Finding(row.index, "long", str(spoken_words)))
    return found


def kinds_of(findings: Sequence[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    return counts
