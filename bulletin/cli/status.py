"""`bulletin status`: the station's health for people (rich tables) or programs (--json)."""

from __future__ import annotations

from typing import Any

import click

from bulletin.cli.common import JSON, Context, cli, pass_context
from bulletin.messages import CATALOG, t


@cli.command("status")
@JSON
@pass_context
def status(context: Context, as_json: bool) -> None:
    """Station health: the scheduler, next firings, last deliveries, failures, alerts."""
    from bulletin.cli.output import emit_json
    from bulletin.services.status import status as gather

    report = gather(context.station)
    if as_json:
        emit_json(report.as_json())
        return
    _show(report.as_json(), report.silent_minutes)


def _show(document: dict[str, Any], silent_minutes: float) -> None:
    from bulletin.cli.output import say, table

    rows: list[tuple[Any, ...]]
    _show_daemon(document["daemon"])
    nexts = document["next"]
    if nexts:
        rows = [(f["programme"], _what(f["what"]), _when(f["at"])) for f in nexts]
        table(
            t("watching.next.title"),
            [t("watching.col.programme"), t("watching.col.what"), t("col.at")],
            rows,
        )
    else:
        say(t("watching.next.none"))
    deliveries = document["last_deliveries"]
    if deliveries:
        cols = [t("col.bulletin"), t("col.controller"), t("col.state"), t("col.at")]
        cols += [t("col.bytes"), t("col.error")]
        rows = [
            (
                d["bulletin"],
                d["controller"],
                d["state"],
                _when(d["finished_at"] or d["at"]),
                d["bytes"],
                d["error"],
            )
            for d in deliveries
        ]
        table(t("watching.deliveries.title"), cols, rows)
    else:
        say(t("watching.deliveries.none"))
    failures = document["failures"]
    if failures:
        cols = [t("col.at"), t("watching.col.kind"), t("watching.col.programme")]
        cols += [t("col.bulletin"), t("col.controller"), t("col.state"), t("col.error")]
        rows = [
            (
                _when(f["at"]),
                _kind(f["kind"]) + (f" ({_what(f['what'])})" if f["what"] else ""),
                f["programme"],
                f["bulletin"],
                f["controller"],
                f["state"],
                f["detail"],
            )
            for f in failures
        ]
        table(t("watching.failures.title"), cols, rows)
    else:
        say(t("watching.failures.none"), style="green")
    silent = document["controllers_silent"]
    minutes = f"{silent_minutes:g}"
    if silent:
        rows = [
            (
                s["controller"],
                _when(s["last_seen"]) if s["last_seen"] else t("watching.silent.never"),
                s["minutes"],
            )
            for s in silent
        ]
        cols = [t("col.controller"), t("watching.col.last_seen"), t("watching.col.minutes")]
        table(t("watching.silent.title", minutes=minutes), cols, rows)
    else:
        say(t("watching.silent.none"), style="green")
    alerts = document["alerts"]
    if alerts:
        rows = [
            (_when(a["at"]), a["kind"], a["message"], ", ".join(a["sent"]), a["error"])
            for a in alerts
        ]
        cols = [t("col.at"), t("watching.col.kind"), t("watching.col.message")]
        cols += [t("watching.col.sent"), t("col.error")]
        table(t("watching.alerts.title"), cols, rows)
    else:
        say(t("watching.alerts.none"))


def _show_daemon(daemon: dict[str, Any]) -> None:
    from bulletin.cli.output import say

    say(t("watching.daemon.title"), style="bold")
    age = daemon["heartbeat_age_s"]
    shown_age = "?" if age is None else f"{age:g}"
    if daemon["running"] and daemon["stale"]:
        say(
            t("watching.daemon.stale", age=shown_age, limit=f"{daemon['stale_after_s']:g}"),
            style="bold red",
        )
    elif daemon["running"]:
        say(
            t("watching.daemon.running", pid=daemon["pid"], host=daemon["host"], age=shown_age),
            style="green",
        )
    elif daemon["pid"] is None:
        say(t("watching.daemon.never"), style="bold red")
    elif daemon["stopped_at"]:
        say(
            t(
                "watching.daemon.stopped",
                pid=daemon["pid"],
                host=daemon["host"],
                stopped=_when(daemon["stopped_at"]),
            ),
            style="yellow",
        )
    else:
        say(
            t(
                "watching.daemon.died",
                pid=daemon["pid"],
                host=daemon["host"],
                heartbeat=_when(daemon["heartbeat_at"]),
            ),
            style="bold red",
        )


def _what(value: str | None) -> str:
    key = f"watching.what.{value}"
    return t(key) if key in CATALOG else str(value or "")


def _kind(value: str) -> str:
    key = f"watching.kind.{value}"
    return t(key) if key in CATALOG else value


def _when(value: str | None) -> str:
    """An ISO time shown in the station's local time, to the second."""
    from datetime import datetime

    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(_zone())
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    ctx = click.get_current_context(silent=True)
    context = ctx.find_object(Context) if ctx else None
    try:
        zone = context.station.workspace.config.timezone if context else "Asia/Ho_Chi_Minh"
        return ZoneInfo(zone)
    except Exception:
        return None
