"""Build bulletins from the shared feeds, portal pages and articles and count, per bulletin,
what a listener should never hear: sentences starting mid-sentence, headings or boilerplate,
lists cut from their lead-in, titles read again as summaries, items past the age limit,
merges across different dates, seconds over the limit, and digits, Latin acronyms or
symbols left in the spoken text. Also speaks `summarize --seconds 50` for each article.

Run: .venv/bin/python bench/listen.py [--data ../shared/data] [--show]
Only 127.0.0.1 is contacted (the feeds' and pages' article links are not followed). Each
bulletin is built for the day of its newest item; one more for the present must be empty.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serve_shared import DEFAULT_DATA, serve, workspace  # noqa: E402

from bulletin.domain import Announcement  # noqa: E402

_LIST_MARK = re.compile(r"^(?:[-+*–—•●▪◦]\s?|\d{1,3}[.)]\s|[a-zđ][.)]\s)")
_OPENERS = "\"'“‘«(["
_LATIN_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
_SYMBOL = re.compile(r"[%/&@#<>=+*_|~^$€°§\\]")
COLUMNS = (
    ("mid", "sentences starting mid-sentence"),
    ("furniture", "headings or boilerplate read"),
    ("cut_lists", "lists cut from their lead-in"),
    ("title_again", "titles repeated as summaries"),
    ("too_old", "items past the age limit"),
    ("date_merges", "merges across different dates"),
    ("over_s", "seconds over the limit"),
    ("leftovers", "digits, Latin acronyms or symbols spoken"),
)


@dataclass
class Count:
    name: str
    items: int = 0
    seconds: float = 0.0
    limit: float = 0.0
    found: dict[str, float] = field(default_factory=lambda: {k: 0 for k, _ in COLUMNS})
    examples: list[str] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    script: list[str] = field(default_factory=list)

    def add(self, kind: str, example: str, amount: float = 1) -> None:
        self.found[kind] += amount
        if len(self.examples) < 12:
            self.examples.append(f"{kind}: {example[:400]}")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def _repeats_title(sentence: str, title: str) -> bool:
    mine, theirs = set(_words(sentence)), set(_words(title))
    if not mine or not theirs:
        return False
    return len(mine & theirs) / len(mine | theirs) >= 0.8


def check_item(count: Count, announcement: Announcement, sentences: Sequence[str]) -> None:
    """Count the faults of one item's summary against its own text."""
    from bulletin.summarize.content import Boilerplate
    from bulletin.text.sentences import split_units

    units = split_units(announcement.body)
    headings = {u.text for u in units if u.heading}
    order = [u.text for u in units if not u.heading]
    boilerplate = Boilerplate.built_in()
    for index, sentence in enumerate(sentences):
        first = sentence.lstrip(_OPENERS)[:1]
        if first.islower() and not _LIST_MARK.match(sentence):
            count.add("mid", sentence)
        if sentence in headings or boilerplate.matches(sentence):
            count.add("furniture", sentence)
        if _repeats_title(sentence, announcement.title):
            count.add("title_again", sentence)
        if sentence.rstrip().rstrip("\"'”’»)]").endswith(":"):
            # Its list must follow: the next unit of the text is the next sentence read.
            position = order.index(sentence) if sentence in order else -1
            following = order[position + 1] if 0 <= position < len(order) - 1 else None
            said = sentences[index + 1] if index + 1 < len(sentences) else None
            if following is None or said != following:
                count.add("cut_lists", sentence)
        elif _LIST_MARK.match(sentence) and sentence in order:
            # An item read without what introduces it.
            position = order.index(sentence)
            back = position - 1
            while back >= 0 and _LIST_MARK.match(order[back]):
                back -= 1
            lead = order[back] if back >= 0 else ""
            if lead.endswith(":") and lead not in sentences:
                count.add("cut_lists", sentence)


def check_spoken(count: Count, spoken: Sequence[str]) -> None:
    for line in spoken:
        for pattern in (re.compile(r"\d+"), _LATIN_ACRONYM, _SYMBOL):
            for match in pattern.finditer(line):
                count.add("leftovers", f"{match.group(0)!r} in {line}")


def _dates(title: str) -> set[tuple[object, ...]]:
    from bulletin.summarize.facts import extract_facts

    return {f.key for f in extract_facts(title) if f.key[0] == "date"}


def build_bulletin(
    station: object, name: str, sources: Sequence[str], now: datetime, engine: object
) -> Count:
    """Select, summarize, script and speak one programme of `sources` as at `now`."""
    from bulletin.script import AirTime, write_script
    from bulletin.selection import _HAZARD_UPDATE, LeftOut, max_age_days, select
    from bulletin.services.building import StoredSummaries, summarizer
    from bulletin.speech.profiles import syllables_per_minute
    from bulletin.summarize.base import Budget
    from bulletin.summarize.content import Boilerplate
    from bulletin.workspace import Programme

    ws = station.workspace  # type: ignore[attr-defined]
    programme = Programme(sources=list(sources), max_minutes=3)
    _, voice = ws.voice()
    config = ws.config.summary
    budget = Budget(
        sentences=config.sentences or ws.config.defaults.summary_sentences,
        seconds=config.seconds,
        words_per_minute=syllables_per_minute(voice),
        sentence_pause_s=ws.config.audio.pause_sentence_ms / 1000,
    )
    count = Count(name, limit=programme.max_minutes * 60)
    left_out: list[LeftOut] = []
    with station.store() as store:  # type: ignore[attr-defined]
        engine_name = config.engine
        cached = StoredSummaries(
            store,
            engine_name,
            config,
            lambda: summarizer(station, engine_name, config),  # type: ignore[arg-type]
        )
        air_time = AirTime(ws, voice)
        frame = air_time.frame(write_script(ws, programme, voice, [], now))
        chosen = select(
            store,
            programme,
            cached,
            budget,
            cost_of=air_time,
            frame_seconds=frame,
            now=now,
            boilerplate=Boilerplate.for_workspace(ws.root),
            left_out=left_out,
        )
        count.items = len(chosen)
        for skipped in left_out:
            count.left_out[skipped.key] = count.left_out.get(skipped.key, 0) + 1
        for item in chosen:
            a = item.announcement
            check_item(count, a, item.summary.sentences)
            days = max_age_days(programme, a)
            if (
                days
                and a.published
                and datetime.fromisoformat(a.published) < now - timedelta(days=days)
            ):
                count.add("too_old", f"{a.published} {a.title}")
            for other_id in item.merged:
                other = store.announcement(other_id)
                hazard = _HAZARD_UPDATE.search(a.title) and _HAZARD_UPDATE.search(other.title)
                if not hazard and _dates(a.title) != _dates(other.title):
                    count.add("date_merges", f"{a.title} / {other.title}")
    if not chosen:
        return count
    script = write_script(
        ws, programme, voice, [(c.announcement, list(c.summary.sentences)) for c in chosen], now
    )
    check_spoken(count, [line.spoken for line in script])
    count.script = [f"{line.part[:1]}{line.item_position or ''} {line.text}" for line in script]
    count.seconds = spoken_seconds(engine, ws, [line.spoken for line in script], len(chosen))
    count.found["over_s"] = max(0.0, count.seconds - count.limit)
    return count


def spoken_seconds(engine: object, ws: object, lines: Sequence[str], items: int) -> float:
    """The script as the voice speaks it, with the pauses and chimes production adds."""
    from bulletin.script import JINGLE_SECONDS

    audio = ws.config.audio  # type: ignore[attr-defined]
    speech = sum(engine.synthesize(line).duration_s for line in lines)  # type: ignore[attr-defined]
    pauses = len(lines) * audio.pause_sentence_ms / 1000 + items * audio.pause_item_ms / 1000
    jingles = sum(JINGLE_SECONDS for j in (audio.jingle_open, audio.jingle_close) if j)
    return speech + pauses + jingles


def print_table(counts: Sequence[Count]) -> None:
    header = f"{'bulletin':34} {'items':>5} {'sec':>6} {'limit':>5} " + " ".join(
        f"{key:>11}" for key, _ in COLUMNS
    )
    print(header)
    for c in counts:
        cells = " ".join(f"{c.found[key]:>11.4g}" for key, _ in COLUMNS)
        print(f"{c.name[:34]:34} {c.items:>5} {c.seconds:>6.1f} {c.limit:>5.0f} {cells}")
    total = {key: sum(c.found[key] for c in counts) for key, _ in COLUMNS}
    print(
        f"{'TOTAL':34} {'':>5} {'':>6} {'':>5} "
        + " ".join(f"{total[k]:>11.4g}" for k, _ in COLUMNS)
    )
    for key, meaning in COLUMNS:
        print(f"  {key}: {meaning}")


def newest(store: object, sources: Sequence[str]) -> datetime | None:
    dates = [
        datetime.fromisoformat(a.published)
        for a in store.each_announcement(include_duplicates=False)  # type: ignore[attr-defined]
        if a.source in sources and a.published
    ]
    return max(dates) if dates else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", action="store_true", help="print examples of each fault")
    parser.add_argument("--seconds", type=float, default=50, help="summarize --seconds check")
    args = parser.parse_args()
    from bulletin import workspace as workspaces
    from bulletin.services import Station
    from bulletin.services.building import tts_engine
    from bulletin.services.fetching import fetch_sources
    from bulletin.services.text import summarize

    server, base = serve(args.data)
    groups: dict[str, list[str]] = {}
    sources: dict[str, dict[str, object]] = {}
    for path in sorted((args.data / "feeds").glob("*.xml")):
        sources[path.stem] = {
            "kind": "rss",
            "url": f"{base}/feeds/{path.name}",
            "follow_links": "never",
        }
        groups[path.stem] = [path.stem]
    for path in sorted((args.data / "pages").glob("*.html")):
        sources[path.stem] = {
            "kind": "page",
            "url": f"{base}/pages/{path.name}",
            "max_articles": 40,
            "timeout_s": 5,
        }
        groups[path.stem] = [path.stem]
    # The articles are read where they are, as a folder of notices (never copied).
    sources["articles"] = {"kind": "folder", "path": str((args.data / "articles").resolve())}
    groups["articles"] = ["articles"]
    counts: list[Count] = []
    with tempfile.TemporaryDirectory() as temp:
        ws = workspaces.load(workspace(Path(temp) / "ws", sources))
        station = Station(ws)
        for report in fetch_sources(station):
            print(f"fetched {report}"[:160], file=sys.stderr)
        engine = tts_engine(station, ws.voice()[1])
        with station.store() as store:
            moments = {name: newest(store, members) for name, members in groups.items()}
        for name, members in groups.items():
            moment = moments[name]
            # The morning after the newest item: a bulletin for the day it was news (items
            # without a date: today).
            now = moment + timedelta(hours=12) if moment else datetime.now().astimezone()
            counts.append(build_bulletin(station, f"{name} @{now:%Y-%m-%d}", members, now, engine))
        present = datetime.now().astimezone()
        counts.append(build_bulletin(station, "all sources @today", list(sources), present, engine))
        # `summarize --seconds N` on each article: the spoken summary must fit.
        over = Count(f"summarize --seconds {args.seconds:g}", limit=args.seconds)
        articles = sorted((args.data / "articles").glob("*.txt"))
        texts = []
        for path in articles:
            title, _, body = unicodedata.normalize("NFC", path.read_text("utf-8")).partition("\n")
            texts.append((body, title.strip()))
        summaries = summarize(station, texts, seconds=args.seconds)
        from bulletin.speech.normalize import normalize

        worst = 0.0
        for (body, title), summary in zip(texts, summaries, strict=True):
            announcement = Announcement(
                0, "articles", "", title, None, None, "normal", (), body, None
            )
            check_item(over, announcement, summary.sentences)
            # Read as the product reads it: the voice's region and the station's lexicon.
            voice = ws.voice()[1]
            lexicon = ws.lexicon()
            spoken = [normalize(s, region=voice.region, lexicon=lexicon) for s in summary.sentences]
            check_spoken(over, spoken)
            seconds = spoken_seconds(engine, ws, spoken, 0) - spoken_seconds(engine, ws, [], 0)
            worst = max(worst, seconds)
            if seconds > args.seconds:
                over.add("over_s", f"{seconds:.1f} s: {title}", seconds - args.seconds)
        over.items, over.seconds = len(texts), worst
        counts.append(over)
    server.shutdown()
    print_table(counts)
    for c in counts:
        if c.left_out:
            reasons = ", ".join(f"{key.split('.')[-1]} {n}" for key, n in c.left_out.items())
            print(f"left out of {c.name}: {reasons}")
    if args.show:
        for c in counts:
            for example in c.examples:
                print(f"[{c.name}] {example}")
            for line in c.script:
                print(f"   {c.name[:12]} | {line[:150]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
