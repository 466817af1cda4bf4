"""New workspaces: the commented starter set (`init`) and the end-to-end demo (`demo`)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bulletin.errors import ConfigError, InputError
from bulletin.workspace import CONFIG_FILE

STARTER = Path(__file__).parent / "templates" / "starter"
# samples/ sits beside the package in a checkout, which is how the demo is run.
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DEMO_USER = "demo"


def _copy_into(template: Path, directory: Path) -> Path:
    if (directory / CONFIG_FILE).exists():
        raise ConfigError("workspace.exists", path=str(directory))
    try:
        shutil.copytree(template, directory, dirs_exist_ok=True)
        for sub in ("data", "data/audio", "data/cache"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("input.file", path=str(directory), detail=str(exc)) from None
    return directory.resolve()


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def init_workspace(directory: Path) -> Path:
    return _copy_into(STARTER, directory)


def run_demo(
    directory: Path | None,
    *,
    on_step: Callable[[str], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Copy samples/ to a fresh workspace, fetch, build, approve as 'demo', push to a folder."""
    from bulletin import workspace as workspaces
    from bulletin.building import build
    from bulletin.delivery import push
    from bulletin.fetching import fetch_sources
    from bulletin.reports import bulletin_document
    from bulletin.review.workflow import approve
    from bulletin.store import open_store

    def step(key: str) -> None:
        if on_step is not None:
            on_step(key)

    if not SAMPLES.is_dir():
        raise ConfigError("config.missing", path=str(SAMPLES))
    target = directory or Path(tempfile.mkdtemp(prefix="bulletin-demo-"))
    root = _copy_into(SAMPLES, target)
    ws = workspaces.load(root)
    with open_store(ws.db_path) as store:
        step("demo.step.fetch")
        reports = fetch_sources(ws, store)
        failed = [r for r in reports if r.status == "error"]
        if failed:
            raise InputError("input.file", path=failed[0].source, detail=failed[0].error)
        step("demo.step.build")
        bulletin_id = build(ws, store, actor=DEMO_USER, progress=progress or _quiet)
        step("demo.step.approve")
        approve(ws, store, bulletin_id, user=DEMO_USER, note="bulletin demo")
        if store.bulletin(bulletin_id)["state"] != "approved":
            # An emergency sample needs a second, different approver.
            approve(ws, store, bulletin_id, user=f"{DEMO_USER}-2", note="bulletin demo")
        step("demo.step.push")
        outcomes = push(ws, store, bulletin_id, None, DEMO_USER)
        delivered = [
            row["remote_id"] for row in store.deliveries(bulletin_id) if row["state"] == "delivered"
        ]
        document = bulletin_document(store, bulletin_id)
    return {
        "workspace": str(root),
        "bulletin": document,
        "delivered": delivered,
        "deliveries": [o.__dict__ for o in outcomes],
    }
