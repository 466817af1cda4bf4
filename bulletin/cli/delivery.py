"""Commands for delivery: push, deliveries, controllers, and `serve` (the media endpoint)."""

from __future__ import annotations

import sys
from typing import Any

import click

from bulletin.cli.common import JSON, Context, bulletin_id, cli, pass_context, whoami
from bulletin.errors import EXIT_FAILED
from bulletin.messages import t


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option("--to", "target", help="A controller, group or commune (default: all enabled).")
@click.option("--at", "at", metavar="TIME", help="Air time: 17:30, 17h30 or an ISO date and time.")
@JSON
@pass_context
def push(
    context: Context, bulletin_ref: str, target: str | None, at: str | None, as_json: bool
) -> None:
    """Deliver an approved bulletin to its controllers, once each, with receipts."""
    from bulletin.cli.output import emit_json, say, table, warn
    from bulletin.clock import parse_air_time
    from bulletin.services.delivery import Progress
    from bulletin.services.delivery import push as do_push

    number = bulletin_id(context, bulletin_ref)
    station = context.station
    air_at = parse_air_time(at, station.workspace.config.timezone) if at else None
    if air_at is not None and not as_json:
        say(t("push.air_at", at=air_at.strftime("%Y-%m-%d %H:%M %Z")))

    def show(step: Progress) -> None:
        # Live progress on stderr, so --json stays one document on stdout.
        if step.event == "start" and step.attempt == 1:
            return
        line = t(
            f"push.progress.{step.event}",
            controller=step.controller,
            attempt=step.attempt,
            detail=step.detail,
        )
        click.echo(line, err=True)

    result = do_push(station, number, target, whoami(), at=air_at, progress=show)
    if as_json:
        emit_json(result.as_json())
    else:
        rows = [
            (
                o.controller,
                t("state.skipped") if o.state == "skipped" else o.state,
                o.attempts,
                o.bytes,
                (o.sha256 or "")[:16],
                o.error,
            )
            for o in result.deliveries
        ]
        cols = [
            t("col.controller"),
            t("col.state"),
            t("col.attempts"),
            t("col.bytes"),
            "SHA-256",
            t("col.error"),
        ]
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
        [t("col.controller"), "transport", t("col.location"), t("col.group"), t("col.format")],
        [
            (
                d["id"] + ("" if d["enabled"] else " (tắt)"),
                d["transport"],
                d["address"],
                ", ".join(d["groups"]),
                d["format_key"],
            )
            for d in document
        ],
    )


@controllers.command("add")
@click.argument("name")
@click.option("--transport", required=True, help="folder, vendor-json, icecast, mqtt, ...")
@click.option("--address", required=True, help="Where the controller is (a URL or a folder).")
@click.option("--group", "groups", multiple=True, help="A group (a commune, a cluster).")
@click.option("--commune", help="The commune the controller is in.")
@click.option("--label", help="What people call it.")
@click.option(
    "--format",
    "fmt",
    help="Audio: [mp3:]BITRATEk-RATE-CHANNELS (64k-22050-1), wav:RATE-CHANNELS, opus:32k-48000-1.",
)
@click.option("--credentials-env", help="Environment variable holding user:password or a token.")
@click.option("--credentials-file", help="A 0600 file holding user:password or a token.")
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@pass_context
def controllers_add(
    context: Context,
    name: str,
    transport: str,
    address: str,
    groups: tuple[str, ...],
    commune: str | None,
    label: str | None,
    fmt: str | None,
    credentials_env: str | None,
    credentials_file: str | None,
    disabled: bool,
) -> None:
    """Add a controller to controllers.yaml (comments are kept)."""
    from bulletin.cli.output import say
    from bulletin.services.controllers import add_controller

    entry: dict[str, Any] = {"transport": transport, "address": address}
    if label:
        entry["name"] = label
    if commune:
        entry["commune"] = commune
    if len(groups) == 1:
        entry["group"] = groups[0]
    elif groups:
        entry["groups"] = list(groups)
    if fmt:
        entry["format"] = _format(fmt)
    if credentials_env:
        entry["credentials_env"] = credentials_env
    if credentials_file:
        entry["credentials_file"] = credentials_file
    if disabled:
        entry["enabled"] = False
    target = add_controller(context.station, name, entry)
    say(t("controllers.added", name=name, path=target))


def _format(value: str) -> dict[str, Any]:
    from bulletin.errors import InputError

    text = value.lower().strip()
    codec, sep, rest = text.partition(":")
    if not sep:
        codec, rest = "mp3", text
    try:
        parts = rest.removesuffix("ch").split("-")
        if codec == "wav":
            rate, channels = parts
            return {
                "codec": "wav",
                "sample_rate": int(rate.removesuffix("hz")),
                "channels": int(channels),
            }
        bitrate, rate, channels = parts
        return {
            "codec": codec,
            "bitrate_kbps": int(bitrate.removesuffix("k")),
            "sample_rate": int(rate.removesuffix("hz")),
            "channels": int(channels),
        }
    except ValueError:
        raise InputError("config.field", path="--format", field="format", detail=value) from None


@controllers.command("check")
@click.argument("name", required=False)
@JSON
@pass_context
def controllers_check(context: Context, name: str | None, as_json: bool) -> None:
    """Probe reachability and authentication without delivering anything."""
    from bulletin.cli.output import emit_json, table, warn
    from bulletin.services.controllers import check_controllers

    found = check_controllers(context.station, name)
    if as_json:
        emit_json([c.as_json() for c in found])
    else:
        table(
            None,
            [t("col.controller"), "transport", t("col.state"), "s", t("col.error")],
            [
                (
                    c.controller,
                    c.transport,
                    t("check.ok") if c.ok else t("check.failed"),
                    f"{c.seconds:.2f}",
                    c.detail,
                )
                for c in found
            ],
        )
        if any(not c.ok for c in found):
            warn(t("check.some_failed"))
    if any(not c.ok for c in found):
        sys.exit(EXIT_FAILED)


@controllers.command("status")
@click.argument("name", required=False)
@JSON
@pass_context
def controllers_status(context: Context, name: str | None, as_json: bool) -> None:
    """Device status where the protocol has one; each reading is kept in the store."""
    from bulletin.cli.output import emit_json, table
    from bulletin.services.controllers import controller_status

    found = controller_status(context.station, name)
    if as_json:
        emit_json([s.as_json() for s in found])
        return
    table(
        None,
        [t("col.controller"), t("col.state"), t("col.seen"), t("col.detail")],
        [(s.controller, s.status, s.seen_at, s.detail) for s in found],
    )


@controllers.command("remove")
@click.argument("name")
@pass_context
def controllers_remove(context: Context, name: str) -> None:
    """Remove a controller from controllers.yaml; its receipts stay in the store."""
    from bulletin.cli.output import say
    from bulletin.services.controllers import remove_controller

    target = remove_controller(context.station, name)
    say(t("controllers.removed", name=name, path=target))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8750, show_default=True, type=click.IntRange(1, 65535))
@pass_context
def serve(context: Context, host: str, port: int) -> None:
    """Serve the review desk to people and bulletin audio to devices (each delivery has its
    own expiring URL token)."""
    from bulletin.services.users import can_sign_in
    from bulletin.web.app import serve as run

    station = context.station
    click.echo(
        t("serve.listening", host=host, port=port, public_url=station.workspace.config.public_url),
        err=True,
    )
    if not can_sign_in(station):
        click.echo(t("desk.nobody_can_sign_in"), err=True)
    run(station, host, port)
