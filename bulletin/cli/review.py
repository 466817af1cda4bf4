"""Commands for review and people: approve, reject, audit verify, users."""

from __future__ import annotations

import sys

import click

from bulletin.cli.common import JSON, Context, bulletin_id, cli, pass_context
from bulletin.errors import EXIT_FAILED, InputError
from bulletin.messages import t


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option("--as", "user", required=True, help="Who approves: a user with the approver role.")
@click.option("--note", help="A note for the audit log.")
@JSON
@pass_context
def approve(
    context: Context, bulletin_ref: str, user: str, note: str | None, as_json: bool
) -> None:
    """Approve a built bulletin so it may be delivered."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.review import approve as do_approve

    result = do_approve(context.station, bulletin_id(context, bulletin_ref), user=user, note=note)
    if as_json:
        emit_json(result.as_json())
    elif result.state == "approved":
        say(t("approve.done", id=result.bulletin_id, user=result.by))
    else:
        say(t("approve.first", id=result.bulletin_id, user=result.by, needed=result.needed))
    if result.aired is not None:  # an emergency the approval aired at once
        from bulletin.cli.emergency import show_aired

        show_aired(result.aired, quiet=as_json)


@cli.command()
@click.argument("bulletin_ref", metavar="ID")
@click.option("--as", "user", required=True, help="Who rejects: a user with the approver role.")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@JSON
@pass_context
def reject(context: Context, bulletin_ref: str, user: str, reason: str, as_json: bool) -> None:
    """Reject a bulletin; it will never be delivered."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.review import reject as do_reject

    result = do_reject(
        context.station, bulletin_id(context, bulletin_ref), user=user, reason=reason
    )
    if as_json:
        emit_json(result.as_json())
    else:
        say(t("reject.done", id=result.bulletin_id, user=result.by))


@cli.group()
def audit() -> None:
    """The audit log (verify its hash chain)."""


@audit.command("verify")
@JSON
@pass_context
def audit_verify(context: Context, as_json: bool) -> None:
    """Walk the audit log's hash chain and report the first broken link."""
    from bulletin.cli.output import emit_json, say, warn
    from bulletin.services.review import verify_audit

    check = verify_audit(context.station)
    if as_json:
        emit_json(
            {
                "ok": check.ok,
                "entries": check.entries,
                "broken_at": check.broken_at,
                "problem": check.problem,
            }
        )
    elif check.ok:
        say(t("audit.ok", count=check.entries))
    else:
        warn(t(f"audit.broken.{check.problem}", id=check.broken_at))
    if not check.ok:
        sys.exit(EXIT_FAILED)


@cli.group()
def users() -> None:
    """People who edit and approve (add, list, passwd, disable)."""


def _password_from_stdin() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InputError("users.no_password")
    return line


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["editor", "approver", "admin"]),
    help="editor, approver or admin (repeatable).",
)
@click.option("--display-name", help="The name shown on the review desk.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (one line).")
@JSON
@pass_context
def users_add(
    context: Context,
    name: str,
    roles: tuple[str, ...],
    display_name: str | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Add a user; without a password the user cannot sign in to the review desk."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.users import add_user

    password = _password_from_stdin() if password_stdin else None
    user = add_user(
        context.station, name, list(roles), display_name=display_name, password=password
    )
    if as_json:
        emit_json(user.as_json())
    else:
        say(t("users.added", name=user.name, roles=", ".join(user.roles)))


@users.command("list")
@JSON
@pass_context
def users_list(context: Context, as_json: bool) -> None:
    """List users and their roles (never a password or its hash)."""
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.users import list_users

    found = list_users(context.station)
    if as_json:
        emit_json([u.as_json() for u in found])
        return
    if not found:
        say(t("users.none"))
        return
    table(
        None,
        [t("col.user"), t("col.display_name"), t("col.roles"), t("col.status")],
        [
            (
                u.name,
                u.display_name,
                ", ".join(u.roles),
                t("users.active") if u.active else t("users.disabled"),
            )
            for u in found
        ],
    )


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, required=True, help="Read it from stdin.")
@pass_context
def users_passwd(context: Context, name: str, password_stdin: bool) -> None:
    """Set a user's password (read from stdin, never from the command line)."""
    from bulletin.cli.output import say
    from bulletin.services.users import set_password

    user = set_password(context.station, name, _password_from_stdin())
    say(t("users.password_set", name=user.name))


@users.command("disable")
@click.argument("name")
@pass_context
def users_disable(context: Context, name: str) -> None:
    """Disable a user: they can no longer sign in, approve or reject."""
    from bulletin.cli.output import say
    from bulletin.services.users import disable_user

    user = disable_user(context.station, name)
    say(t("users.disabled_done", name=user.name))
