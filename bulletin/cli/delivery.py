"""Commands for delivery: push, deliveries, controllers list/add/remove."""

from __future__ import annotations

import sys
from typing import Any

import click

from bulletin.cli.common import JSON, Context, bulletin_id, cli, pass_context, whoami
from bulletin.errors import EXIT_FAILED
from bulletin.messages import t


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option("--to", "target", help="A controller or group (default: all controllers).")
@JSON
@pass_context
def push(context: Context, bulletin_ref: str, target: str | None, as_json: bool) -> None:
    """Deliver an approved bulletin to its controllers, once each, with receipts."""
    from bulletin.cli.output import emit_json, table, warn
    from bulletin.services.delivery import push as do_push

    number = bulletin_id(context, bulletin_ref)
    result = do_push(context.station, number, target, whoami())
    if as_json:
        emit_json(result.as_json())
    else:
        rows = [
            (
                o.controller,
                t("state.skipped") if o.state == "skipped" else o.state,
                o.bytes,
                (o.sha256 or "")[:16],
                o.error,
            )
            for o in result.deliveries
        ]
        cols = [t("col.controller"), t("col.state"), t("col.bytes"), "SHA-256", t("col.error")]
        table(t("push.title", id=number), cols, rows)
        if result.failed:
            warn(t("push.failed_some"))
    if result.failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("bulletin_ref", metavar="[ID]", required=False)
@JSON
@pass_context
def deliveries(context: Context, bulletin_ref: str | None, as_json: bool) -> None:
    """List deliveries and their receipts."""
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.delivery import deliveries as stored

    number = bulletin_id(context, bulletin_ref) if bulletin_ref else None
    document = [d.as_json() for d in stored(context.station, number)]
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


@cli.group()
def controllers() -> None:
    """Loudspeaker controllers in controllers.yaml (list, add, remove)."""


@controllers.command("list")
@JSON
@pass_context
def controllers_list(context: Context, as_json: bool) -> None:
    """List the configured controllers."""
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.controllers import list_controllers

    document = [c.as_json() for c in list_controllers(context.station)]
    if as_json:
        emit_json(document)
        return
    if not document:
        say(t("controller.none"))
        return
    table(
        None,
        [t("col.controller"), "transport", t("col.location"), t("col.group")],
        [(d["name"], d["transport"], d["address"], d["group"] or "") for d in document],
    )


@controllers.command("add")
@click.argument("name")
@click.option("--transport", required=True, help="folder (or a plugin's transport).")
@click.option("--address", required=True, help="Where the controller is (a URL or a folder).")
@click.option("--group", help="A group (a commune, a cluster).")
@click.option("--format", "fmt", help="Audio format as BITRATEk-RATE-CHANNELS, e.g. 64k-22050-1.")
@click.option("--credentials-env", help="Environment variable holding user:password or a token.")
@pass_context
def controllers_add(
    context: Context,
    name: str,
    transport: str,
    address: str,
    group: str | None,
    fmt: str | None,
    credentials_env: str | None,
) -> None:
    """Add a controller to controllers.yaml (comments are kept)."""
    from bulletin.cli.output import say
    from bulletin.services.controllers import add_controller

    entry: dict[str, Any] = {"transport": transport, "address": address}
    if group:
        entry["group"] = group
    if fmt:
        entry["format"] = _format(fmt)
    if credentials_env:
        entry["credentials_env"] = credentials_env
    target = add_controller(context.station, name, entry)
    say(t("controllers.added", name=name, path=target))


def _format(value: str) -> dict[str, int]:
    from bulletin.errors import InputError

    try:
        bitrate, rate, channels = value.lower().removesuffix("ch").split("-")
        return {
            "bitrate_kbps": int(bitrate.removesuffix("k")),
            "sample_rate": int(rate.removesuffix("hz")),
            "channels": int(channels),
        }
    except ValueError:
        raise InputError("config.field", path="--format", field="format", detail=value) from None


@controllers.command("remove")
@click.argument("name")
@pass_context
def controllers_remove(context: Context, name: str) -> None:
    """Remove a controller from controllers.yaml; its receipts stay in the store."""
    from bulletin.cli.output import say
    from bulletin.services.controllers import remove_controller

    target = remove_controller(context.station, name)
    say(t("controllers.removed", name=name, path=target))
