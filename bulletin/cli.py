"""The `bulletin` command: parse arguments, call a service, print the result."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bulletin.errors import EXIT_FAILED, BulletinError, InputError, NotFoundError
from bulletin.messages import t

if TYPE_CHECKING:
    from bulletin.store import Store
    from bulletin.workspace import Workspace


class Context:
    """What every command shares: the --workspace option, loaded on first use."""

    def __init__(self, workspace: Path | None) -> None:
        self.workspace_path = workspace
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            from bulletin import workspace

            self._workspace = workspace.find(self.workspace_path)
        return self._workspace

    @contextmanager
    def store(self) -> Iterator[Store]:
        from bulletin.store import open_store

        with open_store(self.workspace.db_path) as store:
            yield store


pass_context = click.make_pass_decorator(Context)
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (default: $BULLETIN_WORKSPACE, else this folder upward).",
)
@click.version_option(package_name="bulletin")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """bulletin: bản tin truyền thanh xã từ các nguồn tin chính thức.

    Turns official announcements into approved, spoken Vietnamese loudspeaker bulletins.
    """
    ctx.obj = Context(workspace)


def _bulletin_id(store: Store, value: str) -> int:
    if value in ("latest", "last", "moi-nhat"):
        latest = store.latest_bulletin_id()
        if latest is None:
            raise NotFoundError("bulletin.none")
        return latest
    try:
        return int(value)
    except ValueError:
        raise NotFoundError("bulletin.missing", id=value) from None


# init / demo -----------------------------------------------------------------
@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a commented starter workspace in DIRECTORY."""
    from bulletin.starter import init_workspace

    path = init_workspace(directory)
    from bulletin.output import say

    say(t("init.done", path=str(path)))


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
    from bulletin.starter import run_demo

    target = demo_dir or context.workspace_path
    step = None if as_json else _step_printer()
    with _build_progress(not as_json) as progress:
        result = run_demo(target, on_step=step, progress=progress)
    if as_json:
        from bulletin.output import emit_json

        emit_json(result)
        return
    from bulletin.output import table

    show = result["bulletin"]
    rows = [
        (t("demo.workspace"), result["workspace"]),
        *((t("demo.mp3"), path) for path in result["delivered"]),
        (t("show.duration"), f"{show['duration_s']:.1f}"),
        (t("show.loudness"), f"{show['loudness_lufs']:.1f}"),
        (t("show.true_peak"), f"{show['true_peak_dbtp']:.1f}"),
        (t("show.state"), show["state"]),
    ]
    table(t("demo.title"), [t("col.what"), t("col.value")], rows)


def _step_printer() -> Any:
    from bulletin.output import say

    def step(key: str) -> None:
        say(f"• {t(key)}", style="bold")

    return step


@contextmanager
def _build_progress(enabled: bool) -> Iterator[Any]:
    """A progress callback drawing one rich bar per build stage on stderr."""
    if not enabled:
        yield _no_bar
        return
    from rich.progress import Progress

    from bulletin.output import console

    bars: dict[str, Any] = {}
    with Progress(transient=True, console=console(stderr=True)) as progress:

        def update(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = progress.add_task(t(f"build.stage.{stage}"), total=total)
            progress.update(bars[stage], completed=done, total=total)

        yield update


# fetch / items ---------------------------------------------------------------
@cli.command()
@click.option("--source", "only", help="Fetch only this source.")
@JSON
@pass_context
def fetch(context: Context, only: str | None, as_json: bool) -> None:
    """Fetch announcements from the sources in sources.yaml."""
    from bulletin.fetching import fetch_sources
    from bulletin.output import console, emit_json, table, warn

    with context.store() as store:
        if as_json:
            reports = fetch_sources(context.workspace, store, only)
        else:
            with console(stderr=True).status("") as status:
                reports = fetch_sources(
                    context.workspace,
                    store,
                    only,
                    on_source=lambda name: status.update(f"{t('col.source')}: {name}"),
                )
    failed = [r for r in reports if r.status == "error"]
    if as_json:
        emit_json([r.as_json() for r in reports])
    else:
        rows = [
            (
                r.source,
                r.kind,
                r.found,
                r.new,
                t(f"status.{r.status}") + (f": {r.error}" if r.error else ""),
            )
            for r in reports
        ]
        cols = [t("col.source"), t("col.kind"), t("col.found"), t("col.new"), t("col.status")]
        table(t("fetch.title"), cols, rows)
        if failed:
            warn(t("fetch.failed_some", count=len(failed)))
    if failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--since", help="Only announcements published on or after this date (YYYY-MM-DD).")
@JSON
@pass_context
def items(context: Context, since: str | None, as_json: bool) -> None:
    """List stored announcements, newest first."""
    from bulletin.output import emit_json, say, table

    if since is not None:
        _check_date(since)
    with context.store() as store:
        found = store.announcements(since=since)
    if as_json:
        emit_json([a.as_json() for a in found])
        return
    if not found:
        say(t("items.none"))
        return
    rows = [
        (
            a.id,
            a.source,
            (a.published or "")[:16],
            a.priority,
            a.title + (f"  (= #{a.duplicate_of})" if a.duplicate_of else ""),
        )
        for a in found
    ]
    cols = [t("col.id"), t("col.source"), t("col.published"), t("col.priority"), t("col.title")]
    table(None, cols, rows)


def _check_date(value: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise InputError("config.field", path="--since", field="since", detail=value) from None


# sources / add ------------------------------------------------------------------
@cli.group()
def sources() -> None:
    """Manage the sources in sources.yaml (list, add, remove, check)."""


@sources.command("list")
@JSON
@pass_context
def sources_list(context: Context, as_json: bool) -> None:
    """List configured sources with their last fetch."""
    from bulletin.output import emit_json, say, table
    from bulletin.sources import location_of

    configured = context.workspace.sources()
    with context.store() as store:
        counts = store.announcement_counts()
        states = {name: store.source_state(name) for name in configured}
    document: list[dict[str, Any]] = [
        {
            "name": name,
            "kind": spec.kind,
            "location": location_of(spec),
            "priority": spec.priority,
            "tags": spec.tags,
            "stored": counts.get(name, 0),
            "last_fetch_at": (states[name] or {"last_fetch_at": None})["last_fetch_at"],
            "last_status": (states[name] or {"last_status": None})["last_status"],
            "last_error": (states[name] or {"last_error": None})["last_error"],
        }
        for name, spec in configured.items()
    ]
    if as_json:
        emit_json(document)
        return
    if not document:
        say(t("sources.none"))
        return
    cols = [
        t("col.source"),
        t("col.kind"),
        t("col.location"),
        t("col.priority"),
        t("col.tags"),
        t("col.stored"),
        t("col.last_fetch"),
        t("col.status"),
    ]
    table(
        None,
        cols,
        [
            (
                d["name"],
                d["kind"],
                d["location"],
                d["priority"],
                ", ".join(d["tags"]),
                d["stored"],
                d["last_fetch_at"] or "",
                (d["last_status"] or "") + (f": {d['last_error']}" if d["last_error"] else ""),
            )
            for d in document
        ],
    )


@sources.command("add")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(["rss", "page", "folder"]))
@click.option("--url", help="Feed or listing page URL.")
@click.option("--path", help="Folder of notices (folder sources).")
@click.option(
    "--priority",
    type=click.Choice(["normal", "priority", "emergency"]),
    default="normal",
    show_default=True,
)
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@pass_context
def sources_add(
    context: Context,
    name: str,
    kind: str,
    url: str | None,
    path: str | None,
    priority: str,
    tags: tuple[str, ...],
) -> None:
    """Add a source to sources.yaml (comments are kept)."""
    from bulletin.config_edit import add_entry
    from bulletin.output import say
    from bulletin.workspace import SourceConfig

    if (kind == "folder") != bool(path) or (kind != "folder") != bool(url):
        raise InputError("sources.need_location")
    entry: dict[str, Any] = {"kind": kind}
    entry.update({"url": url} if url else {"path": path})
    entry["priority"] = priority
    if tags:
        entry["tags"] = list(tags)
    SourceConfig.model_validate(entry)
    target = context.workspace.root / "sources.yaml"
    add_entry(target, "sources", name, entry)
    context.workspace.sources()  # the file must still load
    say(t("sources.added", name=name, path=str(target)))


@sources.command("remove")
@click.argument("name")
@pass_context
def sources_remove(context: Context, name: str) -> None:
    """Remove a source from sources.yaml; what it fetched stays in the store."""
    from bulletin.config_edit import remove_entry
    from bulletin.output import say

    target = context.workspace.root / "sources.yaml"
    remove_entry(target, "sources", name)
    say(t("sources.removed", name=name, path=str(target)))


@sources.command("check")
@click.argument("name")
@JSON
@pass_context
def sources_check(context: Context, name: str, as_json: bool) -> None:
    """Fetch and parse one source without storing anything; show what it found."""
    from bulletin.fetching import check_source
    from bulletin.output import emit_json, say, table, warn

    found, warnings = check_source(context.workspace, name)
    document = {
        "source": name,
        "items": [
            {
                "uid": a.uid,
                "title": a.title,
                "link": a.link,
                "published": a.published,
                "chars": len(a.body),
                "body": a.body,
            }
            for a in found
        ],
        "warnings": warnings,
    }
    if as_json:
        emit_json(document)
        return
    cols = [t("col.title"), t("col.published"), t("col.length")]
    table(
        t("check.title", name=name, count=len(found)),
        cols,
        [(a.title, (a.published or "")[:16], len(a.body)) for a in found],
    )
    for line in warnings:
        warn(line)
    if not found:
        say(t("items.none"))


@cli.command("add")
@click.option("--title", required=True, help="The notice's title.")
@click.option("--text", help="The notice's text.")
@click.option(
    "-f",
    "--file",
    "text_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the text from a file ('-' for stdin).",
)
@click.option(
    "--priority",
    type=click.Choice(["normal", "priority", "emergency"]),
    default="normal",
    show_default=True,
)
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@JSON
@pass_context
def add_notice(
    context: Context,
    title: str,
    text: str | None,
    text_file: Path | None,
    priority: str,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Type in a notice (source 'nhap-tay'); it is stored like any fetched announcement."""
    from bulletin.fetching import add_typed_notice
    from bulletin.output import emit_json, say

    if (text is None) == (text_file is None):
        raise click.UsageError("--text TEXT | -f FILE")
    content = _read_text(text, text_file)
    announcement = add_typed_notice(
        context.workspace, title, content, priority=priority, tags=list(tags), actor=_whoami()
    )
    if as_json:
        emit_json(announcement.as_json())
    else:
        say(t("add.done", id=announcement.id, title=announcement.title))


# build / show / preview ---------------------------------------------------------
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
    from bulletin.building import build as run_build
    from bulletin.output import emit_json, say
    from bulletin.reports import bulletin_document

    with context.store() as store, _build_progress(not as_json) as progress:
        bulletin_id = run_build(
            context.workspace,
            store,
            programme_name=programme,
            item_ids=item_ids,
            voice_name=voice,
            actor=_whoami(),
            progress=progress,
        )
        document = bulletin_document(store, bulletin_id)
    if as_json:
        emit_json(document)
    else:
        say(
            t(
                "build.done",
                id=bulletin_id,
                duration=f"{document['duration_s']:.1f}",
                lufs=f"{document['loudness_lufs']:.1f}",
            )
        )


def _no_bar(stage: str, done: int, total: int) -> None:
    return None


def _whoami() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "bulletin"


@cli.command()
@click.argument("bulletin_id", metavar="ID")
@JSON
@pass_context
def show(context: Context, bulletin_id: str, as_json: bool) -> None:
    """Show a bulletin: state, audio, items, script and audit log."""
    from bulletin.output import emit_json
    from bulletin.reports import bulletin_document, print_bulletin

    with context.store() as store:
        document = bulletin_document(store, _bulletin_id(store, bulletin_id))
    if as_json:
        emit_json(document)
    else:
        print_bulletin(document, script=False)


@cli.command()
@click.argument("bulletin_id", metavar="ID")
@click.option("--play", is_flag=True, help="Play the audio with a player found on this machine.")
@pass_context
def preview(context: Context, bulletin_id: str, play: bool) -> None:
    """Read the script (written and spoken form) and, with --play, listen to the audio."""
    from bulletin.output import say
    from bulletin.reports import bulletin_document, play_audio, print_bulletin

    with context.store() as store:
        document = bulletin_document(store, _bulletin_id(store, bulletin_id))
    print_bulletin(document, script=True)
    if play and document["audio"] and not play_audio(Path(document["audio"])):
        say(t("preview.no_player", path=document["audio"]))


@cli.command()
@click.argument("bulletin_id", metavar="ID")
@click.option("--sentence", "index", type=int, help="Index of the sentence to change.")
@click.option("--text", "new_text", help="The new sentence.")
@click.option("--note", help="Why (recorded in the audit log).")
@JSON
@pass_context
def edit(
    context: Context,
    bulletin_id: str,
    index: int | None,
    new_text: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Edit the script (--sentence N --text T, or in $EDITOR); only changed sentences are
    spoken again and the bulletin needs approval again."""
    from bulletin.editing import edit_script
    from bulletin.output import emit_json, say
    from bulletin.reports import bulletin_document

    if (index is None) != (new_text is None):
        raise click.UsageError("--sentence N --text TEXT")
    with context.store() as store:
        number = _bulletin_id(store, bulletin_id)
        if index is not None and new_text is not None:
            changes = {index: new_text}
        else:
            changes = _edit_in_editor(store.sentences(number))
        result = edit_script(
            context.workspace, store, number, changes, actor=_whoami(), reason=note
        )
        document = bulletin_document(store, number)
    if as_json:
        emit_json({**document, "changed": result.changed, "synthesized": result.synthesized})
    elif not result.changed:
        say(t("edit.nothing"))
    else:
        say(t("edit.done", id=number, changed=len(result.changed), synthesized=result.synthesized))


def _edit_in_editor(rows: list[Any]) -> dict[int, str]:
    """One 'N: sentence' line per sentence in $EDITOR; returns the lines that changed."""
    original = {r["idx"]: r["text"] for r in rows}
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


# review ---------------------------------------------------------------------------
@cli.command()
@click.argument("bulletin_id", metavar="ID")
@click.option("--as", "user", required=True, help="Who approves (recorded in the audit log).")
@click.option("--note", help="A note for the audit log.")
@JSON
@pass_context
def approve(context: Context, bulletin_id: str, user: str, note: str | None, as_json: bool) -> None:
    """Approve a built bulletin so it may be delivered."""
    from bulletin.output import emit_json, say
    from bulletin.review.workflow import approve as do_approve

    with context.store() as store:
        number = _bulletin_id(store, bulletin_id)
        state = do_approve(context.workspace, store, number, user=user, note=note)
    if as_json:
        emit_json({"bulletin": number, "state": state, "by": user})
    elif state == "approved":
        say(t("approve.done", id=number, user=user))
    else:
        say(t("approve.first", id=number, user=user))


@cli.command()
@click.argument("bulletin_id", metavar="ID")
@click.option("--as", "user", required=True, help="Who rejects (recorded in the audit log).")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@JSON
@pass_context
def reject(context: Context, bulletin_id: str, user: str, reason: str, as_json: bool) -> None:
    """Reject a bulletin; it will never be delivered."""
    from bulletin.output import emit_json, say
    from bulletin.review.workflow import reject as do_reject

    with context.store() as store:
        number = _bulletin_id(store, bulletin_id)
        state = do_reject(store, number, user=user, reason=reason)
    if as_json:
        emit_json({"bulletin": number, "state": state, "by": user})
    else:
        say(t("reject.done", id=number, user=user))


# delivery ---------------------------------------------------------------------------
@cli.command()
@click.argument("bulletin_id", metavar="ID")
@click.option("--to", "target", help="A controller or group (default: all controllers).")
@JSON
@pass_context
def push(context: Context, bulletin_id: str, target: str | None, as_json: bool) -> None:
    """Deliver an approved bulletin to its controllers, once each, with receipts."""
    from bulletin.delivery import push as do_push
    from bulletin.output import emit_json, table, warn

    with context.store() as store:
        number = _bulletin_id(store, bulletin_id)
        outcomes = do_push(context.workspace, store, number, target, _whoami())
    failed = [o for o in outcomes if o.state == "failed"]
    if as_json:
        emit_json(
            {
                "bulletin": number,
                "deliveries": [
                    {
                        "controller": o.controller,
                        "state": o.state,
                        "bytes": o.bytes,
                        "sha256": o.sha256,
                        "error": o.error,
                    }
                    for o in outcomes
                ],
            }
        )
    else:
        rows = [
            (
                o.controller,
                t("state.skipped") if o.state == "skipped" else o.state,
                o.bytes,
                (o.sha256 or "")[:16],
                o.error,
            )
            for o in outcomes
        ]
        cols = [t("col.controller"), t("col.state"), t("col.bytes"), "SHA-256", t("col.error")]
        table(t("push.title", id=number), cols, rows)
        if failed:
            warn(t("push.failed_some"))
    if failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("bulletin_id", metavar="[ID]", required=False)
@JSON
@pass_context
def deliveries(context: Context, bulletin_id: str | None, as_json: bool) -> None:
    """List deliveries and their receipts."""
    from bulletin.output import emit_json, say, table

    with context.store() as store:
        number = _bulletin_id(store, bulletin_id) if bulletin_id else None
        rows = store.deliveries(number)
    document = [
        {
            "bulletin": r["bulletin_id"],
            "controller": r["controller"],
            "state": r["state"],
            "attempts": r["attempts"],
            "bytes": r["bytes"],
            "sha256": r["sha256"],
            "at": r["at"],
            "error": r["error"],
            "remote_id": r["remote_id"],
        }
        for r in rows
    ]
    if as_json:
        emit_json(document)
        return
    if not document:
        say(t("deliveries.none"))
        return
    cols = [
        t("col.bulletin"),
        t("col.controller"),
        t("col.state"),
        t("col.attempts"),
        t("col.bytes"),
        "SHA-256",
        t("col.at"),
        t("col.error"),
    ]
    table(
        None,
        cols,
        [
            (
                d["bulletin"],
                d["controller"],
                d["state"],
                d["attempts"],
                d["bytes"],
                (d["sha256"] or "")[:16],
                d["at"],
                d["error"],
            )
            for d in document
        ],
    )


# speech -------------------------------------------------------------------------------
@cli.command()
@click.argument("text", required=False)
@click.option(
    "-f",
    "--file",
    "text_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the text from a file ('-' for stdin).",
)
@click.option("--voice", help="Voice profile (a file in voices/, without .yaml).")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bulletin-say.mp3"),
    show_default=True,
    help="Output file (.mp3 or .wav).",
)
@JSON
@pass_context
def say(
    context: Context,
    text: str | None,
    text_file: Path | None,
    voice: str | None,
    out: Path,
    as_json: bool,
) -> None:
    """Speak TEXT (normalized for Vietnamese radio) into an audio file."""
    from bulletin.output import emit_json
    from bulletin.output import say as tell
    from bulletin.speaking import speak_to_file

    content = _read_text(text, text_file)
    result = speak_to_file(_optional_workspace(context), content, out, voice)
    if as_json:
        emit_json(result)
    else:
        tell(t("say.done", path=result["path"], duration=f"{result['duration_s']:.1f}"))


@cli.group()
def voices() -> None:
    """Voice profiles in voices/ (list, test)."""


@voices.command("list")
@JSON
@pass_context
def voices_list(context: Context, as_json: bool) -> None:
    """List the workspace's voice profiles and whether each can speak here."""
    from bulletin.output import emit_json, table
    from bulletin.speech.profiles import profile_problem

    workspace = context.workspace
    document = []
    for path in sorted((workspace.root / "voices").glob("*.yaml")):
        name, profile = workspace.voice(path.stem)
        problem = profile_problem(profile, workspace)
        document.append(
            {
                "name": name,
                "engine": profile.engine,
                "voice": profile.model or profile.voice,
                "region": profile.region,
                "playable": problem is None,
                "problem": problem,
            }
        )
    if as_json:
        emit_json(document)
        return
    table(
        None,
        [t("col.voice"), "engine", t("col.model"), t("col.region"), t("col.status")],
        [
            (
                d["name"],
                d["engine"],
                d["voice"],
                d["region"],
                t("status.ok") if d["playable"] else f"{t('status.error')}: {d['problem']}",
            )
            for d in document
        ],
    )


@voices.command("install")
@click.argument("name")
@click.option("--force", is_flag=True, help="Download again even when installed.")
@pass_context
def voices_install(context: Context, name: str, force: bool) -> None:
    """Download a piper voice (e.g. vi_VN-vais1000-medium) into the workspace's voices/."""
    from bulletin.output import say
    from bulletin.speech.voices import install_voice

    target = install_voice(name, context.workspace.root / "voices", force=force)
    say(t("voices.installed", name=name, path=str(target)))


@voices.command("test")
@click.argument("name")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the sample (default: voice-test-NAME.mp3).",
)
@JSON
@pass_context
def voices_test(context: Context, name: str, out: Path | None, as_json: bool) -> None:
    """Speak a test announcement with voice NAME into an MP3."""
    from bulletin.output import emit_json, say
    from bulletin.speaking import speak_to_file

    target = out or Path(f"voice-test-{name}.mp3")
    result = speak_to_file(context.workspace, t("voices.sample"), target, name)
    if as_json:
        emit_json(result)
    else:
        say(t("say.done", path=result["path"], duration=f"{result['duration_s']:.1f}"))


def _optional_workspace(context: Context) -> Workspace | None:
    from bulletin.errors import ConfigError

    try:
        return context.workspace
    except ConfigError as exc:
        if exc.key == "workspace.none":
            return None
        raise


def _read_text(text: str | None, text_file: Path | None) -> str:
    if text_file is not None:
        try:
            content = (
                sys.stdin.read() if str(text_file) == "-" else text_file.read_text("utf-8-sig")
            )
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError("input.file", path=str(text_file), detail=str(exc)) from None
    else:
        content = text or ""
    if not content.strip():
        raise InputError("input.empty")
    return content


@cli.command()
@click.argument("text", required=False)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Batch: one {"id", "text"} object per line ("-" for stdin).',
)
@click.option("--explain", is_flag=True, help="Show which rule produced each spoken form.")
@click.option("--region", type=click.Choice(["north", "south"]), default="north", show_default=True)
@JSON
@pass_context
def normalize(
    context: Context,
    text: str | None,
    jsonl: Path | None,
    explain: bool,
    region: str,
    as_json: bool,
) -> None:
    """Show how TEXT will be read aloud (numbers, dates, codes, abbreviations)."""
    from bulletin.output import emit_json, emit_jsonl, say, table
    from bulletin.speech.normalize import explain as explain_rules
    from bulletin.speech.normalize import normalize as to_spoken

    workspace = _optional_workspace(context)
    lexicon = workspace.lexicon() if workspace else {}
    if jsonl is not None:
        for number, record in _jsonl_records(jsonl):
            if "text" not in record:
                raise InputError("input.jsonl", path=str(jsonl), line=number, detail="'text'?")
            spoken = to_spoken(str(record["text"]), region=region, lexicon=lexicon)  # type: ignore[arg-type]
            emit_jsonl({"id": record.get("id"), "spoken": spoken})
        return
    content = _read_text(text, None)
    spoken = to_spoken(content, region=region, lexicon=lexicon)  # type: ignore[arg-type]
    hits = (
        explain_rules(content, region=region, lexicon=lexicon)  # type: ignore[arg-type]
        if explain
        else []
    )
    if as_json:
        document: dict[str, Any] = {"text": content, "spoken": spoken}
        if explain:
            document["rules"] = [
                {"rule": h.rule, "source": h.source, "spoken": h.spoken} for h in hits
            ]
        emit_json(document)
        return
    say(spoken)
    if explain and hits:
        table(
            None,
            ["rule", t("col.text"), t("col.spoken")],
            [(h.rule, h.source, h.spoken) for h in hits],
        )


@cli.command()
@click.argument(
    "text_file", metavar="FILE", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Batch: one {"id", "text", "title"?} object per line ("-" for stdin).',
)
@click.option("--engine", help="lead, extractive, seq2seq or llm (default: bulletin.yaml).")
@click.option("--seconds", type=click.FloatRange(min=1), help="At most this much speech.")
@click.option("--sentences", type=click.IntRange(min=1), help="At most this many sentences.")
@JSON
@pass_context
def summarize(
    context: Context,
    text_file: Path | None,
    jsonl: Path | None,
    engine: str | None,
    seconds: float | None,
    sentences: int | None,
    as_json: bool,
) -> None:
    """Summarize FILE (or a batch with --jsonl) the way a bulletin item is summarized."""
    from bulletin.output import emit_json, emit_jsonl, say
    from bulletin.speech.profiles import syllables_per_minute
    from bulletin.summarize import summarizer_for
    from bulletin.summarize.base import Budget
    from bulletin.workspace import StationConfig, VoiceProfile

    if (text_file is None) == (jsonl is None):
        raise click.UsageError("FILE | --jsonl FILE")
    workspace = _optional_workspace(context)
    config = workspace.config if workspace else StationConfig()
    rate = syllables_per_minute(workspace.voice()[1] if workspace else VoiceProfile())
    if sentences is None and seconds is None:
        sentences = config.summary.sentences or config.defaults.summary_sentences
        seconds = config.summary.seconds
    budget = Budget(sentences=sentences, seconds=seconds, words_per_minute=rate)
    summarizer = summarizer_for(engine or config.summary.engine, config.summary)
    if jsonl is not None:
        batch: list[tuple[Any, str, str | None]] = []
        for number, record in _jsonl_records(jsonl):
            if "text" not in record:
                raise InputError("input.jsonl", path=str(jsonl), line=number, detail="'text'?")
            batch.append((record.get("id"), str(record["text"]), record.get("title")))
        results = summarizer.summarize_many([(text, title) for _, text, title in batch], budget)
        for (record_id, _, _), result in zip(batch, results, strict=True):
            emit_jsonl({"id": record_id, **_summary_json(result)})
        return
    assert text_file is not None
    result = summarizer.summarize(_read_text(None, text_file), budget)
    if as_json:
        emit_json(_summary_json(result))
        return
    say(result.text)
    if result.fallback_reason:
        say(t("summarize.fallback", reason=result.fallback_reason), style="yellow")


def _summary_json(result: Any) -> dict[str, Any]:
    return {
        "summary": result.text,
        "sentences": list(result.sentences),
        "engine": result.engine,
        "fallback_reason": result.fallback_reason,
        "violations": list(result.violations),
    }


def _jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import json

    try:
        stream = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError("input.file", path=str(path), detail=str(exc)) from None
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    "input.jsonl", path=str(path), line=number, detail=exc.msg
                ) from None
            if not isinstance(record, dict):
                raise InputError("input.jsonl", path=str(path), line=number, detail="object?")
            yield number, record


def _localize(group: click.Group) -> None:
    """Vietnamese --help by default: command and option help come from the catalog."""
    from bulletin.messages import CATALOG, language

    if language() != "vi":
        return
    group.help = t("help.cli")
    for param in group.params:
        if isinstance(param, click.Option) and f"opt.{param.name}" in CATALOG:
            param.help = t(f"opt.{param.name}")
    _localize_commands(group, "help")


def _localize_commands(group: click.Group, prefix: str) -> None:
    from bulletin.messages import CATALOG

    for name, command in group.commands.items():
        key = f"{prefix}.{name}"
        if key in CATALOG:
            command.help = command.short_help = t(key)
        for param in command.params:
            if isinstance(param, click.Option) and f"opt.{param.name}" in CATALOG:
                param.help = t(f"opt.{param.name}")
        if isinstance(command, click.Group):
            _localize_commands(command, key)


def main() -> None:
    """Entry point: turns errors into one clear line and an exit code, never a traceback."""
    from bulletin.output import warn
    from bulletin.speech.tts.base import TTSError

    _localize(cli)
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        warn(t("interrupted"))
        sys.exit(EXIT_FAILED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BulletinError as exc:
        warn(str(exc))
        sys.exit(exc.exit_code)
    except TTSError as exc:
        warn(t(getattr(exc, "message_key", "tts.failed"), detail=str(exc)))
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        warn(t("interrupted"))
        sys.exit(EXIT_FAILED)
    except OSError as exc:
        key = "disk.full" if exc.errno == errno.ENOSPC else "os.error"
        warn(t(key, detail=str(exc)))
        sys.exit(EXIT_FAILED)
    except Exception as exc:
        if os.environ.get("BULLETIN_DEBUG"):
            raise
        warn(t("unexpected", kind=type(exc).__name__, detail=str(exc)[:300]))
        sys.exit(EXIT_FAILED)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
