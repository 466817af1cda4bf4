"""Printing for the CLI: JSON documents on stdout, rich tables and lines for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")


def emit_jsonl(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich.table import Table

    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    console().print(grid)


def say(message: str, *, style: str | None = None) -> None:
    # soft_wrap: a path or URL in a message must survive copy and paste unbroken.
    console().print(message, style=style, markup=False, soft_wrap=True)


def warn(message: str) -> None:
    console(stderr=True).print(message, style="bold red", markup=False, soft_wrap=True)
