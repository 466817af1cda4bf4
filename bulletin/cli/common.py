"""What every command shares: the group, the --workspace context, --json, reading input."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bulletin.errors import InputError
from bulletin.messages import t

if TYPE_CHECKING:
    from bulletin.services.station import Station


class Context:
    """The --workspace option; the station is loaded on first use."""

    def __init__(self, workspace: Path | None) -> None:
        self.workspace_path = workspace
        self._station: Station | None = None

    @property
    def station(self) -> Station:
        if self._station is None:
            from bulletin.services.station import Station

            self._station = Station.open(self.workspace_path)
        return self._station

    def optional_station(self) -> Station | None:
        """The station, or None when there is no workspace (say and normalize work without)."""
        from bulletin.errors import ConfigError

        try:
            return self.station
        except ConfigError as exc:
            if exc.key == "workspace.none":
                return None
            raise


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


def bulletin_id(context: Context, value: str) -> int:
    from bulletin.services.bulletins import find_id

    return find_id(context.station, value)


def whoami() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "bulletin"


def read_text(text: str | None, text_file: Path | None) -> str:
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


def jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
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


def step_printer() -> Any:
    from bulletin.cli.output import say

    def step(key: str) -> None:
        say(f"• {t(key)}", style="bold")

    return step


def no_bar(stage: str, done: int, total: int) -> None:
    return None


@contextmanager
def build_progress(enabled: bool) -> Iterator[Any]:
    """A progress callback drawing one rich bar per build stage on stderr."""
    if not enabled:
        yield no_bar
        return
    from rich.progress import Progress

    from bulletin.cli.output import console

    bars: dict[str, Any] = {}
    with Progress(transient=True, console=console(stderr=True)) as progress:

        def update(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = progress.add_task(t(f"build.stage.{stage}"), total=total)
            progress.update(bars[stage], completed=done, total=total)

        yield update
