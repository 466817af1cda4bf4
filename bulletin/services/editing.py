"""Edit a built bulletin: sentences' written or spoken form, or which items it airs and in what
order. What changed is spoken again, the rest comes from the cache, and the bulletin goes back
to 'built' for a fresh approval of what will be heard."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from bulletin import states
from bulletin.domain import Bulletin, Sentence
from bulletin.errors import InputError, PolicyError
from bulletin.script import ScriptLine, ordinal, spoken_count
from bulletin.services.building import Rendered, render
from bulletin.services.station import Station
from bulletin.store import Store
from bulletin.text.sentences import ensure_period
from bulletin.workspace import LEXICON_FILE, VoiceProfile


@dataclass(frozen=True)
class EditResult:
    """What an edit changed, and how many sentences the engine spoke again."""

    bulletin_id: int
    changed: list[int]
    """Sentences (indexes after the edit) whose written or spoken form is new."""
    synthesized: int
    """Sentences the engine had to speak (the others came from the sentence cache)."""
    removed: list[int] = field(default_factory=list)
    """Item positions, as they were before the edit, that the bulletin no longer airs."""
    reordered: bool = False
    """The items kept are aired in another order."""

    @property
    def edited(self) -> bool:
        """False when the edit asked for what the bulletin already was: nothing was stored."""
        return bool(self.changed or self.removed or self.reordered)


def edit_script(
    station: Station,
    bulletin_id: int,
    changes: Mapping[int, str] | None = None,
    *,
    spoken: Mapping[int, str] | None = None,
    actor: str,
    reason: str | None = None,
) -> EditResult:
    """Replace sentences by index: `changes` their written text (spoken form normalized from
    it), `spoken` their spoken form as given. Where both name one sentence, its given spoken
    form wins. A spoken form a person wrote stays until its own sentence changes again.

    Holds the bulletin's lock, so a push of the same bulletin waits for none of it; the state
    is checked again inside the transaction that stores the new audio.
    """
    from bulletin.speech.normalize import normalize

    changes = changes or {}
    spoken = spoken or {}
    with _editable(station, bulletin_id) as (store, bulletin):
        rows = store.sentences(bulletin_id)
        unknown = sorted((set(changes) | set(spoken)) - {r.index for r in rows})
        if unknown:
            raise InputError(
                "edit.no_sentence", id=bulletin_id, index=unknown[0], last=len(rows) - 1
            )
        voice = _voice(station, bulletin)
        lexicon = station.workspace.lexicon()
        script: list[ScriptLine] = []
        changed: list[int] = []
        for r in rows:
            text, said = r.text, r.spoken
            if r.index in changes:
                text = ensure_period(" ".join(changes[r.index].split()))
                if text == ".":
                    raise InputError("input.empty")
                if text != r.text:
                    said = normalize(text, region=voice.region, lexicon=lexicon)
            if r.index in spoken:
                said = " ".join(spoken[r.index].split())
                if not said:
                    raise InputError("edit.spoken_empty", id=bulletin_id, index=r.index)
            if (text, said) != (r.text, r.spoken):
                changed.append(r.index)
            script.append(ScriptLine(r.part, r.item_position, text, said))
        if not changed:
            return EditResult(bulletin_id, [], 0)

        def finish(rendered: Rendered) -> None:
            store.finish_edit(
                bulletin_id,
                sentences=[(i, line.text, line.spoken) for i, line in enumerate(script)],
                audio_keys=rendered.keys,
                audio=rendered.audio,
                actor=actor,
                reason=reason,
                reason_params={"count": len(changed)},
                fallback_voices=rendered.fallback_voices,
            )

        synthesized = _replace_audio(station, store, bulletin, voice, script, finish)
    return EditResult(bulletin_id, changed, synthesized)


def edit_items(
    station: Station,
    bulletin_id: int,
    order: Sequence[int],
    *,
    actor: str,
    reason: str | None = None,
) -> EditResult:
    """Air the bulletin's items in `order`, a sequence of their current positions (from 1);
    positions left out are removed. The kept items are numbered 1..n again.

    The opening (or closing) sentence that says how many items there are, and each item's
    intro that says its number ("Tin thứ hai"), are written again from the station's script
    templates and spoken again; every other sentence keeps its audio. A sentence a person
    rewrote so that it no longer reads as the template wrote it is left as it is.
    """
    with _editable(station, bulletin_id) as (store, bulletin):
        positions = [item.position for item in store.bulletin_items(bulletin_id)]
        _check_order(bulletin_id, positions, order)
        kept = [p for p in positions if p in order]
        removed = [p for p in positions if p not in order]
        reordered = list(order) != kept
        if not removed and not reordered:
            return EditResult(bulletin_id, [], 0)
        voice = _voice(station, bulletin)
        rows = store.sentences(bulletin_id)
        script, changed = _items_script(station, voice, rows, positions, order)
        params: dict[str, object] = {
            "removed": ", ".join(map(str, removed)),
            "order": ", ".join(map(str, order)),
        }
        kind = "items" if removed and reordered else "removed" if removed else "reordered"
        key = f"edit.audit_{kind}"
        if reason:
            key, params = f"{key}_note", {**params, "note": reason}

        def finish(rendered: Rendered) -> None:
            store.finish_item_edit(
                bulletin_id,
                order=order,
                sentences=[(s.part, s.item_position, s.text, s.spoken) for s in script],
                audio_keys=rendered.keys,
                audio=rendered.audio,
                actor=actor,
                reason_key=key,
                reason_params=params,
                fallback_voices=rendered.fallback_voices,
            )

        synthesized = _replace_audio(station, store, bulletin, voice, script, finish)
    return EditResult(bulletin_id, changed, synthesized, removed, reordered)


@contextmanager
def _editable(station: Station, bulletin_id: int) -> Iterator[tuple[Store, Bulletin]]:
    """The bulletin, under its lock, if its state allows an edit."""
    with station.bulletin_lock(bulletin_id), station.store() as store:
        bulletin = store.bulletin(bulletin_id)
        if not states.allowed("edit", bulletin.state):
            raise PolicyError(
                "bulletin.wrong_state", id=bulletin_id, state=bulletin.state, action="edit"
            )
        yield store, bulletin


def _voice(station: Station, bulletin: Bulletin) -> VoiceProfile:
    _, voice = station.workspace.voice(bulletin.voice)
    return voice


def _replace_audio(
    station: Station,
    store: Store,
    bulletin: Bulletin,
    voice: VoiceProfile,
    script: Sequence[ScriptLine],
    finish: Callable[[Rendered], None],
) -> int:
    """Speak and produce the edited script, store it with `finish`, and delete the audio it
    supersedes; returns how many sentences the engine spoke."""
    with station.lock("build"):
        rendered = render(station, voice, script, bulletin.id, voice_name=bulletin.voice)
        try:
            finish(rendered)
        except BaseException:
            station.audio_file(rendered.audio.path).unlink(missing_ok=True)
            raise
    # The superseded audio is no longer anyone's: nothing can send it any more.
    if bulletin.audio_path and bulletin.audio_path not in store.audio_paths():
        station.audio_file(bulletin.audio_path).unlink(missing_ok=True)
    return rendered.synthesized


def _check_order(bulletin_id: int, positions: Sequence[int], order: Sequence[int]) -> None:
    known = ", ".join(map(str, positions))
    if not order:
        raise InputError("edit.items_empty", id=bulletin_id)
    seen: set[int] = set()
    for position in order:
        if position not in positions:
            raise InputError("edit.no_item", id=bulletin_id, position=position, known=known)
        if position in seen:
            raise InputError("edit.item_twice", id=bulletin_id, position=position)
        seen.add(position)


def _items_script(
    station: Station,
    voice: VoiceProfile,
    rows: Sequence[Sentence],
    positions: Sequence[int],
    order: Sequence[int],
) -> tuple[list[ScriptLine], list[int]]:
    """The script with the items in `order` and renumbered, and the indexes of the sentences
    written again because they name the number of items or an item's number."""
    from bulletin.speech.normalize import normalize

    templates = station.workspace.config.script
    lexicon = station.workspace.lexicon()
    count = (spoken_count(len(positions)), spoken_count(len(order)))
    opening = [r for r in rows if r.part == "opening"]
    closing = [r for r in rows if r.part == "closing"]
    lines: list[tuple[Sentence, int | None, str]] = [
        (r, None, text) for r, text in _frame(opening, templates.opening, count)
    ]
    for new, old in enumerate(order, start=1):
        item = [r for r in rows if r.part == "item" and r.item_position == old]
        texts = _rewritten(item, templates.item_intro, "index", ordinal(old), ordinal(new))
        lines.extend((r, new, text) for r, text in zip(item, texts, strict=True))
    lines.extend((r, None, text) for r, text in _frame(closing, templates.closing, count))
    script: list[ScriptLine] = []
    changed: list[int] = []
    for index, (row, position, text) in enumerate(lines):
        said = row.spoken
        if text != row.text:
            said = normalize(text, region=voice.region, lexicon=lexicon)
            changed.append(index)
        script.append(ScriptLine(row.part, position, text, said))
    return script, changed


def _frame(
    rows: list[Sentence], template: str, count: tuple[str, str]
) -> list[tuple[Sentence, str]]:
    return list(zip(rows, _rewritten(rows, template, "count", *count), strict=True))


_SENTENCE_END = re.compile(r"[.!?…]")


def _rewritten(rows: Sequence[Sentence], template: str, name: str, old: str, new: str) -> list[str]:
    """The rows' texts with the words the template filled in for `{name}` changed from `old`
    to `new`, in the first sentence that still reads as the template wrote it around them."""
    texts = [r.text for r in rows]
    if old == new:
        return texts
    for before, after in _around(template, name):
        if not (before + after).strip():
            continue  # the bare words could be anything in the sentence
        for i, text in enumerate(texts):
            if before + old + after in text:
                texts[i] = text.replace(before + old + after, before + new + after, 1)
                break
    return texts


def _around(template: str, name: str) -> list[tuple[str, str]]:
    """The template's own text right before and after each `{name}`, within its sentence."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return []
    found: list[tuple[str, str]] = []
    for i, (_, field_name, _, _) in enumerate(parsed):
        if field_name != name:
            continue
        before = _SENTENCE_END.split(parsed[i][0])[-1].lstrip()
        following = parsed[i + 1][0] if i + 1 < len(parsed) else ""
        end = _SENTENCE_END.search(following)
        found.append((before, following[: end.end()] if end else following))
    return found


@dataclass(frozen=True)
class ReadingFix:
    """A word's reading fixed in one bulletin (and perhaps remembered by the station)."""

    edit: EditResult
    sentences: list[int]
    """The sentences holding the word, whose spoken form was made again."""
    remembered: bool
    """The reading was written to the station's lexicon.yaml for every later bulletin."""


MAX_READING = 120


def fix_reading(
    station: Station,
    bulletin_id: int,
    written: str,
    spoken: str,
    *,
    actor: str,
    remember: bool = False,
) -> ReadingFix:
    """Read `written` as `spoken` in every sentence of the bulletin that holds it: their
    spoken forms are made again with that reading (a hand-edited spoken form of such a
    sentence is replaced), only they are spoken again, and the bulletin needs approval again.
    With `remember`, the reading goes into the station's lexicon.yaml for later bulletins."""
    from bulletin.config_edit import set_reading
    from bulletin.speech.normalize import normalize

    written = unicodedata.normalize("NFC", " ".join(written.split()))
    spoken = unicodedata.normalize("NFC", " ".join(spoken.split()))
    if not written or not spoken:
        raise InputError("edit.reading_empty")
    if len(written) > MAX_READING or len(spoken) > MAX_READING:
        raise InputError("edit.reading_long", limit=MAX_READING)
    with station.store(readonly=True) as store:
        bulletin = store.bulletin(bulletin_id)
        rows = store.sentences(bulletin_id)
    word = re.compile(rf"(?<!\w){re.escape(written)}(?!\w)")
    holding = [r for r in rows if word.search(unicodedata.normalize("NFC", r.text))]
    if not holding:
        raise InputError("edit.reading_absent", word=written, id=bulletin_id)
    voice = _voice(station, bulletin)
    lexicon = {**station.workspace.lexicon(), written: spoken}
    changes = {r.index: normalize(r.text, region=voice.region, lexicon=lexicon) for r in holding}
    result = edit_script(station, bulletin_id, spoken=changes, actor=actor)
    if remember:
        set_reading(station.root / LEXICON_FILE, written, spoken)
    return ReadingFix(result, [r.index for r in holding], remember)
