"""Edit a built bulletin's script: changed sentences are spoken again, the rest come from the
cache, and the bulletin goes back to 'built' for a fresh approval of what will be heard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bulletin.building import ScriptLine, render
from bulletin.errors import InputError, PolicyError
from bulletin.locks import exclusive
from bulletin.store import Store
from bulletin.text.sentences import ensure_period
from bulletin.workspace import Workspace

EDITABLE = ("built", "approved", "rejected")


@dataclass(frozen=True)
class EditResult:
    changed: list[int]
    synthesized: int


def edit_script(
    workspace: Workspace,
    store: Store,
    bulletin_id: int,
    changes: Mapping[int, str],
    *,
    actor: str,
    reason: str | None = None,
) -> EditResult:
    """Replace the written text of sentences by index and rebuild the audio."""
    from bulletin.speech.normalize import normalize

    row = store.bulletin(bulletin_id)
    if row["state"] not in EDITABLE:
        raise PolicyError("bulletin.wrong_state", id=bulletin_id, state=row["state"], action="edit")
    rows = store.sentences(bulletin_id)
    unknown = sorted(set(changes) - {r["idx"] for r in rows})
    if unknown:
        raise InputError("edit.no_sentence", id=bulletin_id, index=unknown[0], last=len(rows) - 1)
    _, voice = workspace.voice(row["voice"])
    lexicon = workspace.lexicon()
    script: list[ScriptLine] = []
    changed: list[int] = []
    for r in rows:
        text = r["text"]
        if r["idx"] in changes and " ".join(changes[r["idx"]].split()) != text:
            text = ensure_period(" ".join(changes[r["idx"]].split()))
            if text == ".":
                raise InputError("input.empty")
            changed.append(r["idx"])
        spoken = (
            normalize(text, region=voice.region, lexicon=lexicon)
            if r["idx"] in changed
            else r["spoken"]
        )
        script.append(ScriptLine(r["part"], r["item_position"], text, spoken))
    if not changed:
        return EditResult([], 0)
    with exclusive(workspace.data_dir / "build.lock", "build"):
        rendered = render(workspace, voice, script, bulletin_id)
        store.finish_edit(
            bulletin_id,
            sentences=[(i, line.text, line.spoken) for i, line in enumerate(script)],
            audio_keys=rendered.keys,
            audio=rendered.audio,
            actor=actor,
            reason=reason or f"{len(changed)}",
        )
    return EditResult(changed, rendered.synthesized)
