"""Alerts: tell staff, once per problem, that something went wrong, through the command and/or
webhook of bulletin.yaml's `alerts:`. A broken alert channel never stops the caller."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
from datetime import UTC, datetime

from bulletin.services.station import Station
from bulletin.text.redact import env_secrets, redact

log = logging.getLogger("bulletin.alerts")

KINDS = (
    "missed_air",
    "controller_failed",
    "awaiting_approval",
    "build_failed",
    "skipped_unapproved",
)


def alert(
    station: Station,
    kind: str,
    key: str,
    message: str,
    *,
    programme: str | None = None,
    controller: str | None = None,
    bulletin_id: int | None = None,
) -> bool:
    """Raise an alert: recorded once per `key`, then sent to the configured channels.

    `message` is the already-localized text people read. Returns False when this key was
    raised before (or the alert could not even be recorded); never raises."""
    try:
        secrets = _secrets(station)
        text = redact(message, secrets)
        with station.store() as store:
            alert_id = store.raise_alert(
                kind,
                key,
                text,
                programme=programme,
                controller=controller,
                bulletin_id=bulletin_id,
            )
        if alert_id is None:
            return False
        log.warning("alert %s: %s", kind, text)
        sent, errors = _send(station, kind, text, programme, controller, bulletin_id, secrets)
        with station.store() as store:
            store.alert_sent(alert_id, sent, "; ".join(errors) or None)
        return True
    except Exception as exc:  # an alert must never take the daemon down
        log.error("alert %s (%s) failed: %s", kind, key, type(exc).__name__)
        return False


def _secrets(station: Station) -> list[str]:
    """Values no alert may show: every credential the settings name, and its password part."""
    found: set[str] = set()
    try:
        settings: list[object] = [station.workspace.config]
        settings.extend(station.workspace.controllers().values())
        found.update(env_secrets(settings))
    except Exception:  # a broken controllers.yaml must not stop the alert about it
        found.update(env_secrets(station.workspace.config))
    for value in list(found):
        _, sep, password = value.partition(":")
        if sep and password:
            found.add(password)
    return sorted(found)


def _send(
    station: Station,
    kind: str,
    message: str,
    programme: str | None,
    controller: str | None,
    bulletin_id: int | None,
    secrets: list[str],
) -> tuple[list[str], list[str]]:
    settings = station.workspace.config.alerts
    sent: list[str] = []
    errors: list[str] = []
    extra = {"programme": programme, "controller": controller, "bulletin": bulletin_id}
    if settings.command:
        problem = _run_command(station, settings.command, kind, message, extra, settings.timeout_s)
        _note("command", problem, sent, errors, kind, secrets)
    if settings.webhook:
        problem = _post_webhook(settings.webhook, kind, message, extra, settings.timeout_s)
        _note("webhook", problem, sent, errors, kind, secrets)
    return sent, errors


def _note(
    channel: str,
    problem: str | None,
    sent: list[str],
    errors: list[str],
    kind: str,
    secrets: list[str],
) -> None:
    if problem is None:
        sent.append(channel)
        return
    detail = redact(problem, secrets)[:300]
    errors.append(f"{channel}: {detail}")
    log.error("alert %s not sent via %s: %s", kind, channel, detail)


def _run_command(
    station: Station,
    command: str,
    kind: str,
    message: str,
    extra: dict[str, str | int | None],
    timeout: float,
) -> str | None:
    """Run the alert command (no shell) with the message on stdin and in $BULLETIN_ALERT;
    None when it exited 0, else what went wrong."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"bad command ({exc})"
    if not argv:
        return "empty command"
    env = {**os.environ, "BULLETIN_ALERT": message, "BULLETIN_ALERT_KIND": kind}
    for name, value in extra.items():
        if value is not None:
            env[f"BULLETIN_ALERT_{name.upper()}"] = str(value)
    try:
        done = subprocess.run(
            argv,
            input=message.encode("utf-8"),
            env=env,
            cwd=station.root,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:g} s"
    except OSError as exc:
        return f"{argv[0]}: {exc.strerror or type(exc).__name__}"
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return f"exit {done.returncode}" + (f" ({tail[0][:200]})" if tail else "")
    return None


def _post_webhook(
    url: str, kind: str, message: str, extra: dict[str, str | int | None], timeout: float
) -> str | None:
    """POST the alert as JSON; None on a 2xx answer. The URL (which may carry a token) is
    never part of what is returned."""
    import httpx

    payload = {
        "kind": kind,
        "message": message,
        **extra,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        response = httpx.post(url, json=payload, timeout=timeout, follow_redirects=False)
    except httpx.TimeoutException:
        return f"timed out after {timeout:g} s"
    except httpx.HTTPError as exc:
        return type(exc).__name__ + _errno_text(exc)
    except ValueError as exc:  # a malformed URL
        return f"bad address ({type(exc).__name__})"
    if response.status_code >= 300:
        return f"HTTP {response.status_code}"
    return None


def _errno_text(exc: BaseException) -> str:
    """The OS reason under a network error (refused, unreachable), without any address."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return f" ({cause.strerror})"
        cause = cause.__cause__ or cause.__context__
    return ""
