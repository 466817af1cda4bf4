"""Commands that make and read bulletins: init, demo, build, show, preview, edit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bulletin.cli.common import (
    JSON,
    Context,
    build_progress,
    bulletin_id,
    cli,
    pass_context,
    step_printer,
    whoami,
)
from bulletin.errors import InputError
from bulletin.messages import t

if TYPE_CHECKING:
    from bulletin.domain import Sentence
    from bulletin.services.bulletins import BulletinView


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a commented starter workspace in DIRECTORY."""
    from bulletin.cli.output import say
    from bulletin.starter import init_workspace

    say(t("init.done", path=str(init_workspace(directory))))


@cli.command()
@click.option(
    "--workspace",
    "-w",
    "demo_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to create the demo workspace (default: a new temporary folder).",
)
@JSON
@pass_context
def demo(context: Context, demo_dir: Path | None, as_json: bool) -> None:
    """Run the whole pipeline on the bundled samples and deliver to a folder controller."""
    from bulletin.cli.output import emit_json, table
    from bulletin.starter import run_demo

    target = demo_dir or context.workspace_path
    step = None if as_json else step_printer()
    with build_progress(not as_json) as progress:
        result = run_demo(target, on_step=step, progress=progress)
    if as_json:
        emit_json(result.as_json())
        return
    show = result.bulletin.bulletin
    rows = [
        (t("demo.workspace"), result.workspace),
        *((t("demo.mp3"), path) for path in result.delivered),
        (t("show.duration"), f"{show.duration_s or 0:.1f}"),
        (t("show.loudness"), f"{show.loudness_lufs or 0:.1f}"),
        (t("show.true_peak"), f"{show.true_peak_dbtp or 0:.1f}"),
        (t("show.state"), show.state),
    ]
    table(t("demo.title"), [t("col.what"), t("col.value")], rows)


@cli.command()
@click.option("--programme", help="Programme (a file in schedules/, without .yaml).")
@click.option("--item", "item_ids", multiple=True, type=int, help="Announcement id to include.")
@click.option("--voice", help="Voice profile (a file in voices/, without .yaml).")
@JSON
@pass_context
def build(
    context: Context,
    programme: str | None,
    item_ids: tuple[int, ...],
    voice: str | None,
    as_json: bool,
) -> None:
    """Build a bulletin: select, summarize, speak and produce the MP3."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.building import build as run_build
    from bulletin.services.bulletins import view

    with build_progress(not as_json) as progress:
        number = run_build(
            context.station,
            programme_name=programme,
            item_ids=item_ids,
            voice_name=voice,
            actor=whoami(),
            progress=progress,
        )
    document = view(context.station, number)
    _warn_fallback(document)
    if as_json:
        emit_json(document.as_json())
        return
    made = document.bulletin
    say(
        t(
            "build.done",
            id=number,
            duration=f"{made.duration_s or 0:.1f}",
            lufs=f"{made.loudness_lufs or 0:.1f}",
        )
    )


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@JSON
@pass_context
def show(context: Context, bulletin_ref: str, as_json: bool) -> None:
    """Show a bulletin: state, audio, items, script and audit log."""
    from bulletin.cli.output import emit_json
    from bulletin.services.bulletins import view

    document = view(context.station, bulletin_ref)
    if as_json:
        emit_json(document.as_json())
    else:
        print_bulletin(document, script=False)


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option(
    "--play",
    is_flag=True,
    help="Play the audio with a player found on this machine; without one, write a WAV copy "
    "and print where.",
)
@JSON
@pass_context
def preview(context: Context, bulletin_ref: str, play: bool, as_json: bool) -> None:
    """Read the script (written and spoken form) and, with --play, listen to the audio."""
    from bulletin.cli.checking import print_findings
    from bulletin.cli.output import emit_json, say
    from bulletin.services.bulletins import view
    from bulletin.services.checking import check

    document = view(context.station, bulletin_ref)
    # What `bulletin check` finds, so a reader sees it with the script.
    found = check(context.station, document.bulletin.id)
    if as_json:
        emit_json({**document.as_json(), "findings": found.as_json()["findings"]})
        return
    print_bulletin(document, script=True)
    print_findings(found)
    if not play:
        return
    audio = Path(document.audio) if document.audio else None
    if audio is None or not audio.is_file():
        say(t("preview.no_audio", id=document.bulletin.id))
    elif not play_audio(audio):
        say(_wav_copy(audio))


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option("--sentence", type=int, help="Index of the sentence to change.")
@click.option("--text", "new_text", help="The new sentence (its spoken form follows from it).")
@click.option(
    "--spoken", "new_spoken", help="The sentence's new spoken form, used exactly as given."
)
@click.option(
    "--remove-item",
    "remove_items",
    type=int,
    multiple=True,
    help="Remove the item at this position (repeatable; positions as 'bulletin show' lists).",
)
@click.option("--move-item", "move_item", type=int, help="Move the item at this position...")
@click.option("--to", "move_to", type=int, help="...to this position (1 is the first item).")
@click.option("--note", help="Why (recorded in the audit log).")
@JSON
@pass_context
def edit(
    context: Context,
    bulletin_ref: str,
    sentence: int | None,
    new_text: str | None,
    new_spoken: str | None,
    remove_items: tuple[int, ...],
    move_item: int | None,
    move_to: int | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Edit a bulletin; what changed is spoken again and the bulletin needs approval again.

    \b
    A sentence:  --sentence N --text TEXT and/or --spoken TEXT
    Items:       --remove-item P [--remove-item P2 ...]
                 --move-item P --to Q
    Without options the script opens in $EDITOR, one 'N: sentence' per line.
    """
    from bulletin.cli.output import emit_json, say
    from bulletin.services.bulletins import view
    from bulletin.services.editing import edit_items, edit_script

    if (move_item is None) != (move_to is None):
        raise click.UsageError(t("edit.usage_move"))
    asked = [sentence is not None or new_text is not None or new_spoken is not None]
    asked += [bool(remove_items), move_item is not None]
    if sum(asked) > 1:
        raise click.UsageError(t("edit.usage_one"))
    if (sentence is None) != (new_text is None and new_spoken is None):
        raise click.UsageError(t("edit.usage_sentence"))
    number = bulletin_id(context, bulletin_ref)
    if remove_items or move_item is not None:
        positions = [item.position for item in view(context.station, number).items]
        order = _item_order(number, positions, remove_items, move_item, move_to)
        result = edit_items(context.station, number, order, actor=whoami(), reason=note)
    else:
        if sentence is not None:
            changes = {} if new_text is None else {sentence: new_text}
            spoken = {} if new_spoken is None else {sentence: new_spoken}
        else:
            changes, spoken = _edit_in_editor(view(context.station, number).sentences), {}
        result = edit_script(
            context.station, number, changes, spoken=spoken, actor=whoami(), reason=note
        )
    if as_json:
        emit_json(
            {
                **view(context.station, number).as_json(),
                "changed": result.changed,
                "synthesized": result.synthesized,
                "removed": result.removed,
                "reordered": result.reordered,
            }
        )
    elif remove_items or move_item is not None:
        if not result.edited:
            say(t("edit.items_nothing"))
        else:
            count = len(view(context.station, number).items)
            say(t("edit.items_done", id=number, count=count, synthesized=result.synthesized))
    elif not result.changed:
        say(t("edit.nothing"))
    else:
        say(t("edit.done", id=number, changed=len(result.changed), synthesized=result.synthesized))


def _item_order(
    number: int,
    positions: list[int],
    removed: tuple[int, ...],
    move_item: int | None,
    move_to: int | None,
) -> list[int]:
    """The new order of item positions that --remove-item or --move-item --to ask for."""
    known = ", ".join(map(str, positions))
    for position in (*removed, *([] if move_item is None else [move_item])):
        if position not in positions:
            raise InputError("edit.no_item", id=number, position=position, known=known)
    if move_item is None or move_to is None:
        return [p for p in positions if p not in removed]
    if not 1 <= move_to <= len(positions):
        raise InputError("edit.no_item_target", id=number, to=move_to, count=len(positions))
    order = [p for p in positions if p != move_item]
    order.insert(move_to - 1, move_item)
    return order


def _edit_in_editor(sentences: list[Sentence]) -> dict[int, str]:
    """One 'N: sentence' line per sentence in $EDITOR; returns the lines that changed."""
    original = {s.index: s.text for s in sentences}
    edited = click.edit("\n".join(f"{i}: {text}" for i, text in original.items()) + "\n")
    if edited is None:
        return {}
    changes: dict[int, str] = {}
    for line_number, line in enumerate(edited.splitlines(), start=1):
        if not line.strip():
            continue
        head, sep, text = line.partition(":")
        if not sep or not head.strip().isdigit():
            raise InputError("edit.format", line=line_number)
        index = int(head)
        if original.get(index) != text.strip():
            changes[index] = text.strip()
    return changes


def print_bulletin(document: BulletinView, *, script: bool) -> None:
    from bulletin.cli.output import table

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    b = document.bulletin
    table(
        f"{t('col.bulletin')} {b.id}",
        [t("col.what"), t("col.value")],
        [
            (t("show.state"), b.state),
            (t("show.programme"), b.programme),
            (t("show.priority"), b.priority),
            (t("show.audio"), document.audio or ""),
            (t("show.duration"), number(b.duration_s)),
            (t("show.loudness"), number(b.loudness_lufs)),
            (t("show.true_peak"), number(b.true_peak_dbtp)),
        ],
    )
    table(
        t("show.items"),
        ["#", t("col.title"), t("col.engine")],
        [(i.position, i.title, _engine_note(i.as_json())) for i in document.items],
    )
    if script and any(s.fallback_voice for s in document.sentences):
        # Which sentences the station's fallback voice read because the chosen voice failed.
        table(
            None,
            ["#", t("col.text"), t("col.spoken"), t("col.voice_used")],
            [
                (
                    s.index,
                    s.text,
                    s.spoken,
                    t("voice.fallback_mark_named", voice=s.fallback_voice)
                    if s.fallback_voice
                    else b.voice,
                )
                for s in document.sentences
            ],
        )
    elif script:
        table(
            None,
            ["#", t("col.text"), t("col.spoken")],
            [(s.index, s.text, s.spoken) for s in document.sentences],
        )
    table(
        t("show.audit"),
        [t("col.at"), t("col.actor"), t("col.action"), t("col.state")],
        [
            (
                a.at,
                a.actor + (f" → {a.subject}" if a.subject else ""),
                a.action,
                f"{a.from_state or ''} → {a.to_state or ''}"
                + (f"\n{a.reason_text()}" if a.reason_text() else ""),
            )
            for a in document.audit
        ],
    )


def _warn_fallback(document: BulletinView) -> None:
    """On stderr: which sentences the station's fallback voice read, and for which voice."""
    from bulletin.cli.output import warn

    fell = [s for s in document.sentences if s.fallback_voice]
    if fell:
        warn(
            t(
                "voice.fallback_build",
                voice=document.bulletin.voice,
                fallback=fell[0].fallback_voice,
                sentences=", ".join(str(s.index) for s in fell),
                id=document.bulletin.id,
            )
        )


def _engine_note(item: dict[str, Any]) -> str:
    """Which summarizer wrote the item and, when its output was replaced, why."""
    note = item["engine"] or ""
    if item["fallback_reason"]:
        note += "\n" + t("summarize.fallback", reason=item["fallback_reason"])
    return note


def _wav_copy(audio: Path) -> str:
    """A WAV of the bulletin's audio in a private temporary folder, for a person to open with
    whatever plays sound; the line that says where it is (or why there is none)."""
    import subprocess
    import tempfile

    from bulletin.production.ffmpeg import ffmpeg_exe

    out = Path(tempfile.mkdtemp(prefix="bulletin-preview-")) / f"{audio.stem}.wav"
    command = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(audio), str(out)]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        return t("preview.wav_failed", path=str(audio), detail=detail.strip()[-200:])
    return t("preview.wav", path=str(out))


def play_audio(path: Path) -> bool:
    """Play with the first player found; False when this machine has none."""
    import shutil
    import subprocess

    for player, args in (
        ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "error"]),
        ("mpv", ["--no-video"]),
        ("mpg123", ["-q"]),
        ("cvlc", ["--play-and-exit"]),
    ):
        exe = shutil.which(player)
        if exe:
            subprocess.run([exe, *args, str(path)], check=False)
            return True
    return False
