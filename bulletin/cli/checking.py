"""`bulletin check ID`: what a reader should look at in a bulletin's script."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bulletin.cli.common import JSON, Context, cli, pass_context
from bulletin.messages import t

if TYPE_CHECKING:
    from bulletin.services.checking import ScriptCheck


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option(
    "--ear",
    "listen",
    is_flag=True,
    help="Also listen to each sentence with the machine ear (bulletin[ear]) and flag those "
    "it hears without one of their figures or names.",
)
@JSON
@pass_context
def check(context: Context, bulletin_ref: str, listen: bool, as_json: bool) -> None:
    """Flag what a reader should look at: spelled-out acronyms, foreign words, leftover
    symbols, sentences starting in lower case or too short or too long, items over their
    time share or older than the programme allows."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.checking import check as check_script

    ear = None
    if listen:
        from bulletin.speech.ear import Ear

        ear = Ear.load()
    found = check_script(context.station, bulletin_ref, ear=ear)
    if as_json:
        emit_json(found.as_json())
        return
    if not found.findings:
        say(t("script_check.clean", id=found.bulletin))
        return
    print_findings(found)


def print_findings(found: ScriptCheck) -> None:
    """The findings as a table (nothing when there are none)."""
    from bulletin.cli.output import table

    if not found.findings:
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
