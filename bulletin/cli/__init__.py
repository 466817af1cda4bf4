"""The `bulletin` command: thin commands grouped by area, each parsing, calling a service in
`bulletin.services` and printing what it returns."""

from __future__ import annotations

import errno
import os
import sys

import click

from bulletin.cli import (
    bulletins,
    checking,
    delivery,
    emergency,
    review,
    schedule,
    sources,
    speech,
    status,
)
from bulletin.cli.common import cli
from bulletin.errors import EXIT_FAILED, BulletinError
from bulletin.messages import t

__all__ = [
    "bulletins",
    "checking",
    "cli",
    "delivery",
    "emergency",
    "main",
    "review",
    "schedule",
    "sources",
    "speech",
    "status",
]


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
    from bulletin.cli.output import warn
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
