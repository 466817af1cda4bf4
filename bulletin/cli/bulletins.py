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
@click.option("--play", is_flag=True, help="Play the audio with a player found on this machine.")
@pass_context
def preview(context: Context, bulletin_ref: str, play: bool) -> None:
    """Read the script (written and spoken form) and, with --play, listen to the audio."""
    from bulletin.cli.output import say
    from bulletin.services.bulletins import view

    document = view(context.station, bulletin_ref)
    print_bulletin(document, script=True)
    if play and document.audio and not play_audio(Path(document.audio)):
        say(t("preview.no_player", path=document.audio))


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option("--sentence", "index", type=int, help="Index of the sentence to change.")
@click.option("--text", "new_text", help="The new sentence.")
@click.option("--note", help="Why (recorded in the audit log).")
@JSON
@pass_context
def edit(
    context: Context,
    bulletin_ref: str,
    index: int | None,
    new_text: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Edit the script (--sentence N --text T, or in $EDITOR); only changed sentences are
    spoken again and the bulletin needs approval again."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.bulletins import view
    from bulletin.services.editing import edit_script

    if (index is None) != (new_text is None):
        raise click.UsageError("--sentence N --text TEXT")
    number = bulletin_id(context, bulletin_ref)
    if index is not None and new_text is not None:
        changes = {index: new_text}
    else:
        changes = _edit_in_editor(view(context.station, number).sentences)
    result = edit_script(context.station, number, changes, actor=whoami(), reason=note)
    if as_json:
        emit_json(
            {
                **view(context.station, number).as_json(),
                "changed": result.changed,
                "synthesized": result.synthesized,
            }
        )
    elif not result.changed:
        say(t("edit.nothing"))
    else:
        say(t("edit.done", id=number, changed=len(result.changed), synthesized=result.synthesized))


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
    if script:
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


def _engine_note(item: dict[str, Any]) -> str:
    """Which summarizer wrote the item and, when its output was replaced, why."""
    note = item["engine"] or ""
    if item["fallback_reason"]:
        note += "\n" + t("summarize.fallback", reason=item["fallback_reason"])
    return note


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
