"""`bulletin check ID`: what a reader should look at in a bulletin's script."""

from __future__ import annotations

import click

from bulletin.cli.common import JSON, Context, cli, pass_context
from bulletin.messages import t


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@JSON
@pass_context
def check(context: Context, bulletin_ref: str, as_json: bool) -> None:
    """Flag what a reader should look at: spelled-out acronyms, foreign words, leftover
    symbols, sentences starting in lower case or too short or too long, items over their
    time share or older than the programme allows."""
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.checking import check as check_script

    found = check_script(context.station, bulletin_ref)
    if as_json:
        emit_json(found.as_json())
        return
    if not found.findings:
        say(t("script_check.clean", id=found.bulletin))
        return
    rows = [
        ("" if f.sentence is None else f.sentence, t(f"script_check.kind.{f.kind}"), f.detail)
        for f in found.findings
    ]
    table(
        t("script_check.title", id=found.bulletin, count=len(rows)),
        [t("script_check.col.sentence"), t("script_check.col.kind"), t("script_check.col.detail")],
        rows,
    )
