"""The `emergency` command: an emergency notice built at once, waiting for its approvals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bulletin.cli.common import JSON, Context, cli, pass_context, read_text, whoami
from bulletin.errors import EXIT_FAILED
from bulletin.messages import t

if TYPE_CHECKING:
    from bulletin.services.delivery import PushResult


@cli.command()
@click.argument("text", required=False)
@click.option(
    "-f",
    "--file",
    "text_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the text from a file ('-' for stdin).",
)
@click.option(
    "--to", "airs_on", required=True, help="The controller, group or commune to air it on."
)
@click.option("--title", help="The notice's title (default: 'Thông báo khẩn cấp').")
@click.option("--repeat-every", metavar="DURATION", help="Air it again every 15m, 1h, 90s...")
@click.option("--until", metavar="TIME", help="Repeat until this time (18:00 or ISO).")
@JSON
@pass_context
def emergency(
    context: Context,
    text: str | None,
    text_file: Path | None,
    airs_on: str,
    title: str | None,
    repeat_every: str | None,
    until: str | None,
    as_json: bool,
) -> None:
    """Build an emergency bulletin at once; it airs on approval (two approvers by default)."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.emergency import declare

    if (text is None) == (text_file is None):
        raise click.UsageError("TEXT | -f FILE")
    declared = declare(
        context.station,
        read_text(text, text_file),
        airs_on,
        title=title,
        repeat_every=repeat_every,
        until=until,
        actor=whoami(),
    )
    if as_json:
        emit_json(declared.as_json())
        return
    say(
        t(
            "emergency.built",
            id=declared.bulletin_id,
            target=declared.target,
            controllers=", ".join(declared.controllers),
            needed=declared.approvals_needed,
        )
    )
    if declared.repeat_every_s and declared.until:
        say(t("emergency.repeats", every=f"{declared.repeat_every_s:g}", until=declared.until))


def show_aired(result: PushResult, *, quiet: bool) -> None:
    """What an airing did (for `approve`); exit 1 when a controller did not receive it."""
    from bulletin.cli.output import say, warn

    if not quiet:
        delivered = [o for o in result.deliveries if o.state in ("delivered", "skipped")]
        say(
            t(
                "emergency.aired",
                id=result.bulletin_id,
                delivered=len(delivered),
                total=len(result.deliveries),
            )
        )
        for failed in result.failed:
            warn(t("emergency.aired_failed", controller=failed.controller, error=failed.error))
    if result.failed:
        sys.exit(EXIT_FAILED)
