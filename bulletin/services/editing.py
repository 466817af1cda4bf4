"""Edit a built bulletin's script: changed sentences are spoken again, the rest come from the
cache, and the bulletin goes back to 'built' for a fresh approval of what will be heard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bulletin import states
from bulletin.errors import InputError, PolicyError
from bulletin.script import ScriptLine
from bulletin.services.building import render
from bulletin.services.station import Station
from bulletin.text.sentences import ensure_period


@dataclass(frozen=True)
class EditResult:
    """What an edit changed: sentence indexes, and how many the engine spoke again."""

    bulletin_id: int
    changed: list[int]
    synthesized: int


def edit_script(
    station: Station,
    bulletin_id: int,
    changes: Mapping[int, str],
    *,
    actor: str,
    reason: str | None = None,
) -> EditResult:
    """Replace the written text of sentences by index and rebuild the audio.

    Holds the bulletin's lock, so a push of the same bulletin waits for none of it; the state
    is checked again inside the transaction that stores the new audio.
    """
    from bulletin.speech.normalize import normalize

    with station.bulletin_lock(bulletin_id), station.store() as store:
        bulletin = store.bulletin(bulletin_id)
        if not states.allowed("edit", bulletin.state):
            raise PolicyError(
                "bulletin.wrong_state", id=bulletin_id, state=bulletin.state, action="edit"
            )
        rows = store.sentences(bulletin_id)
        unknown = sorted(set(changes) - {r.index for r in rows})
        if unknown:
            raise InputError(
                "edit.no_sentence", id=bulletin_id, index=unknown[0], last=len(rows) - 1
            )
        _, voice = station.workspace.voice(bulletin.voice)
        lexicon = station.workspace.lexicon()
        script: list[ScriptLine] = []
        changed: list[int] = []
        for r in rows:
            text = r.text
            if r.index in changes and " ".join(changes[r.index].split()) != text:
                text = ensure_period(" ".join(changes[r.index].split()))
                if text == ".":
                    raise InputError("input.empty")
                changed.append(r.index)
            spoken = (
                normalize(text, region=voice.region, lexicon=lexicon)
                if r.index in changed
                else r.spoken
            )
            script.append(ScriptLine(r.part, r.item_position, text, spoken))
        if not changed:
            return EditResult(bulletin_id, [], 0)
        with station.lock("build"):
            rendered = render(station, voice, script, bulletin_id)
            try:
                store.finish_edit(
                    bulletin_id,
                    sentences=[(i, line.text, line.spoken) for i, line in enumerate(script)],
                    audio_keys=rendered.keys,
                    audio=rendered.audio,
                    actor=actor,
                    reason=reason,
                    reason_params={"count": len(changed)},
                )
            except BaseException:
                station.audio_file(rendered.audio.path).unlink(missing_ok=True)
                raise
        # The superseded audio is no longer anyone's: nothing can send it any more.
        if bulletin.audio_path and bulletin.audio_path not in store.audio_paths():
            station.audio_file(bulletin.audio_path).unlink(missing_ok=True)
    return EditResult(bulletin_id, changed, rendered.synthesized)
