"""Commands for sources and announcements: fetch, items, add, sources list/add/remove/check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bulletin.cli.common import JSON, Context, cli, pass_context, read_text, whoami
from bulletin.errors import EXIT_FAILED, InputError
from bulletin.messages import t

PRIORITY = click.option(
    "--priority",
    type=click.Choice(["normal", "priority", "emergency"]),
    default="normal",
    show_default=True,
)
TAGS = click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")


@cli.command()
@click.option("--source", "only", help="Fetch only this source.")
@JSON
@pass_context
def fetch(context: Context, only: str | None, as_json: bool) -> None:
    """Fetch announcements from the sources in sources.yaml."""
    from bulletin.cli.output import console, emit_json, table, warn
    from bulletin.services.fetching import fetch_sources

    if as_json:
        reports = fetch_sources(context.station, only)
    else:
        with console(stderr=True).status("") as status:
            reports = fetch_sources(
                context.station,
                only,
                on_source=lambda name: status.update(f"{t('col.source')}: {name}"),
            )
    failed = [r for r in reports if r.status == "error"]
    if as_json:
        emit_json([r.as_json() for r in reports])
    else:
        rows = [
            (
                r.source,
                r.kind,
                r.found,
                r.new,
                t(f"status.{r.status}") + (f": {r.error}" if r.error else ""),
            )
            for r in reports
        ]
        cols = [t("col.source"), t("col.kind"), t("col.found"), t("col.new"), t("col.status")]
        table(t("fetch.title"), cols, rows)
        if failed:
            warn(t("fetch.failed_some", count=len(failed)))
    if failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--since", help="Only announcements published on or after this date (YYYY-MM-DD).")
@JSON
@pass_context
def items(context: Context, since: str | None, as_json: bool) -> None:
    """List stored announcements, newest first."""
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.fetching import items as stored_items

    found = stored_items(context.station, since)
    if as_json:
        emit_json([a.as_json() for a in found])
        return
    if not found:
        say(t("items.none"))
        return
    rows = [
        (
            a.id,
            a.source,
            (a.published or "")[:16],
            a.priority,
            a.title + (f"  (= #{a.duplicate_of})" if a.duplicate_of else ""),
        )
        for a in found
    ]
    cols = [t("col.id"), t("col.source"), t("col.published"), t("col.priority"), t("col.title")]
    table(None, cols, rows)


@cli.group()
def sources() -> None:
    """Manage the sources in sources.yaml (list, add, remove, check)."""


@sources.command("list")
@JSON
@pass_context
def sources_list(context: Context, as_json: bool) -> None:
    """List configured sources with their last fetch."""
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.fetching import list_sources

    document = [s.as_json() for s in list_sources(context.station)]
    if as_json:
        emit_json(document)
        return
    if not document:
        say(t("sources.none"))
        return
    cols = [
        t("col.source"),
        t("col.kind"),
        t("col.location"),
        t("col.priority"),
        t("col.tags"),
        t("col.stored"),
        t("col.last_fetch"),
        t("col.status"),
    ]
    table(
        None,
        cols,
        [
            (
                d["name"],
                d["kind"],
                d["location"],
                d["priority"],
                ", ".join(d["tags"]),
                d["stored"],
                d["last_fetch_at"] or "",
                (d["last_status"] or "") + (f": {d['last_error']}" if d["last_error"] else ""),
            )
            for d in document
        ],
    )


@sources.command("add")
@click.argument("name")
@click.option("--kind", required=True, help="rss, page, folder (or a plugin's kind).")
@click.option("--url", help="Feed or listing page URL.")
@click.option("--path", help="Folder of notices (folder sources).")
@PRIORITY
@TAGS
@pass_context
def sources_add(
    context: Context,
    name: str,
    kind: str,
    url: str | None,
    path: str | None,
    priority: str,
    tags: tuple[str, ...],
) -> None:
    """Add a source to sources.yaml (comments are kept)."""
    from bulletin.cli.output import say
    from bulletin.services.fetching import add_source

    if bool(url) == bool(path) or (kind == "folder") != bool(path):
        raise InputError("sources.need_location")
    entry: dict[str, Any] = {"kind": kind}
    entry.update({"url": url} if url else {"path": path})
    entry["priority"] = priority
    if tags:
        entry["tags"] = list(tags)
    target = add_source(context.station, name, entry)
    say(t("sources.added", name=name, path=target))


@sources.command("remove")
@click.argument("name")
@pass_context
def sources_remove(context: Context, name: str) -> None:
    """Remove a source from sources.yaml; what it fetched stays in the store."""
    from bulletin.cli.output import say
    from bulletin.services.fetching import remove_source

    target = remove_source(context.station, name)
    say(t("sources.removed", name=name, path=target))


@sources.command("check")
@click.argument("name")
@JSON
@pass_context
def sources_check(context: Context, name: str, as_json: bool) -> None:
    """Fetch and parse one source without storing anything; show what it found."""
    from bulletin.cli.output import emit_json, say, table, warn
    from bulletin.services.fetching import check_source

    found = check_source(context.station, name)
    if as_json:
        emit_json(found.as_json())
        return
    cols = [t("col.title"), t("col.published"), t("col.length")]
    table(
        t("check.title", name=name, count=len(found.items)),
        cols,
        [(a.title, (a.published or "")[:16], len(a.body)) for a in found.items],
    )
    for line in found.warnings:
        warn(line)
    if not found.items:
        say(t("items.none"))


@cli.command("add")
@click.option("--title", required=True, help="The notice's title.")
@click.option("--text", help="The notice's text.")
@click.option(
    "-f",
    "--file",
    "text_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the text from a file ('-' for stdin).",
)
@PRIORITY
@TAGS
@JSON
@pass_context
def add_notice(
    context: Context,
    title: str,
    text: str | None,
    text_file: Path | None,
    priority: str,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Type in a notice (source 'nhap-tay'); it is stored like any fetched announcement."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.fetching import add_typed_notice

    if (text is None) == (text_file is None):
        raise click.UsageError("--text TEXT | -f FILE")
    announcement = add_typed_notice(
        context.station,
        title,
        read_text(text, text_file),
        priority=priority,
        tags=list(tags),
        actor=whoami(),
    )
    if as_json:
        emit_json(announcement.as_json())
    else:
        say(t("add.done", id=announcement.id, title=announcement.title))
