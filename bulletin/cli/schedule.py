"""Commands for programmes on schedule: check, list, next, run (the daemon)."""

from __future__ import annotations

import sys
from typing import Any

import click

from bulletin.cli.common import JSON, Context, cli, pass_context
from bulletin.errors import EXIT_BAD_INPUT
from bulletin.messages import t


@cli.group()
def schedule() -> None:
    """Programmes on schedule (check, list, next, run)."""


@schedule.command("check")
@JSON
@pass_context
def schedule_check(context: Context, as_json: bool) -> None:
    """Check every file in schedules/; each problem names its file, line and field."""
    from bulletin.cli.output import emit_json, say, warn
    from bulletin.services.scheduling import check_schedules

    found, problems = check_schedules(context.station)
    if as_json:
        emit_json({"programmes": sorted(found), "problems": [p.as_json() for p in problems]})
    elif problems:
        for problem in problems:
            warn(str(problem))
        warn(t("schedule.problems", count=len(problems)))
    else:
        say(t("schedule.ok", count=len(found)))
    if problems:
        sys.exit(EXIT_BAD_INPUT)


@schedule.command("list")
@JSON
@pass_context
def schedule_list(context: Context, as_json: bool) -> None:
    """List the programmes and when they build and air."""
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.scheduling import programmes

    found = programmes(context.station)
    document: list[dict[str, Any]] = [
        {
            "programme": name,
            "title": p.title,
            "air_at": p.air_at,
            "air_cron": p.air_cron,
            "build_at": p.build_at,
            "build_cron": p.build_cron,
            "days": p.days,
            "repeats": p.repeats,
            "controllers": p.controllers,
            "approval": p.approval,
            "max_minutes": p.max_minutes,
        }
        for name, p in found.items()
    ]
    if as_json:
        emit_json(document)
        return
    if not document:
        say(t("schedule.none"))
        return
    table(
        None,
        ["programme", t("what.air"), t("what.build"), "days", "controllers", "approval"],
        [
            (
                d["programme"],
                ", ".join(d["air_at"]) or d["air_cron"] or "-",
                ", ".join(d["build_at"]) or d["build_cron"] or "-",
                ", ".join(d["days"]) or "*",
                ", ".join(d["controllers"]) or "*",
                d["approval"],
            )
            for d in document
        ],
    )


@schedule.command("next")
@click.argument("count", type=click.IntRange(1, 1000), default=10, required=False)
@JSON
@pass_context
def schedule_next(context: Context, count: int, as_json: bool) -> None:
    """The next COUNT builds and airs of every programme, soonest first."""
    from zoneinfo import ZoneInfo

    from bulletin.cli.output import emit_json, table
    from bulletin.services.scheduling import next_firings

    firings = next_firings(context.station, count)
    if as_json:
        emit_json([f.as_json() for f in firings])
        return
    zone = ZoneInfo(context.station.workspace.config.timezone)
    table(
        None,
        ["programme", "", t("col.at")],
        [
            (f.programme, t(f"what.{f.what}"), f.at.astimezone(zone).strftime("%a %d/%m %H:%M:%S"))
            for f in firings
        ],
    )


@schedule.command("fallback")
@click.argument("programme")
@pass_context
def schedule_fallback(context: Context, programme: str) -> None:
    """Put the programme's fallback recording up for approval (only approved bytes air)."""
    from bulletin.cli.common import whoami
    from bulletin.cli.output import say
    from bulletin.services.scheduling import register_fallback

    number = register_fallback(context.station, programme, whoami())
    say(t("schedule.fallback_made", programme=programme, id=number))


@schedule.command("run")
@click.option("--serve", "with_serve", is_flag=True, help="Also run bulletin serve here.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8750, show_default=True, type=click.IntRange(1, 65535))
@click.option("--log-json", is_flag=True, help="Log JSON lines.")
@pass_context
def schedule_run(context: Context, with_serve: bool, host: str, port: int, log_json: bool) -> None:
    """Run the scheduler until SIGTERM or Ctrl-C: build, approve by policy, air on time."""
    from bulletin.services.scheduling import run_daemon

    run_daemon(context.station, serve=(host, port) if with_serve else None, log_json=log_json)
