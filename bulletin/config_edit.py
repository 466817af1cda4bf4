"""Add or remove a named entry in a workspace YAML file without losing its comments."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bulletin.errors import ConfigError, InputError


def _atomic_write(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def _section(text: str, section: str) -> Any:
    data = yaml.safe_load(text) or {}
    return data.get(section) if isinstance(data, dict) else None


def add_entry(path: Path, section: str, name: str, entry: dict[str, Any]) -> None:
    """Append `name: entry` under the top-level `section:` mapping of `path`."""
    if not re.fullmatch(r"[\w][\w.-]*", name):
        raise InputError("config.name", name=name)
    text = path.read_text(encoding="utf-8") if path.exists() else f"{section}:\n"
    current = _section(text, section) or {}
    if name in current:
        raise InputError("config.exists", name=name, path=str(path))
    block = yaml.safe_dump({name: entry}, allow_unicode=True, sort_keys=False)
    indented = "".join(f"  {line}\n" for line in block.splitlines())
    # Appending keeps every comment; it is right when the section is the file's last mapping.
    candidate = text.rstrip("\n") + "\n" + indented
    if not re.search(rf"^{section}:", text, re.M):
        candidate = text.rstrip("\n") + f"\n{section}:\n" + indented
    try:
        appended = _section(candidate, section) or {}
    except yaml.YAMLError:
        appended = {}
    if appended.get(name) != entry or set(appended) != {*current, name}:
        data = yaml.safe_load(text) or {}
        data[section] = {**current, name: entry}
        candidate = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    _atomic_write(path, candidate)


def remove_entry(path: Path, section: str, name: str) -> None:
    """Delete `name` (and its indented block) from the `section:` mapping of `path`."""
    if not path.exists():
        raise ConfigError("config.missing", path=str(path))
    text = path.read_text(encoding="utf-8")
    current = _section(text, section) or {}
    if name not in current:
        raise InputError("config.no_entry", name=name, path=str(path))
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    skipping = False
    for line in lines:
        if re.match(rf"^  {re.escape(name)}\s*:", line):
            skipping = True
            continue
        if skipping and (line.startswith("   ") or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    candidate = "".join(kept)
    expected = {k: v for k, v in current.items() if k != name}
    try:
        ok = (_section(candidate, section) or {}) == expected
    except yaml.YAMLError:
        ok = False
    if not ok:
        data = yaml.safe_load(text) or {}
        data[section] = expected
        candidate = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    _atomic_write(path, candidate)


def set_reading(path: Path, written: str, spoken: str) -> None:
    """Set `written: spoken` in the flat mapping of `path` (the station lexicon), keeping its
    comments: an earlier line for the same word is dropped and the new one appended."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    current = yaml.safe_load(text) or {}
    if not isinstance(current, dict):
        raise ConfigError("config.field", path=str(path), field="(root)", detail="WRITTEN: spoken")
    kept = [line for line in text.splitlines() if _line_key(line) != written]
    line = yaml.safe_dump({written: spoken}, allow_unicode=True, width=10_000).strip()
    candidate = "\n".join([*kept, line]).lstrip("\n") + "\n"
    expected = {str(k): v for k, v in current.items() if str(k) != written} | {written: spoken}
    try:
        reread = yaml.safe_load(candidate) or {}
    except yaml.YAMLError:
        reread = {}
    if {str(k): v for k, v in reread.items()} != expected:
        candidate = yaml.safe_dump(expected, allow_unicode=True, sort_keys=False)
    _atomic_write(path, candidate)


def _line_key(line: str) -> str | None:
    """The key a top-level `KEY: value` line sets, or None (comments, blanks, other lines)."""
    if not line.strip() or line.startswith((" ", "\t", "#")):
        return None
    try:
        parsed = yaml.safe_load(line)
    except yaml.YAMLError:
        return None
    if isinstance(parsed, dict) and len(parsed) == 1:
        return str(next(iter(parsed)))
    return None
