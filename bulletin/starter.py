"""New workspaces: the commented starter set (`init`) and the end-to-end demo (`demo`)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin.errors import ConfigError, InputError
from bulletin.workspace import CONFIG_FILE

if TYPE_CHECKING:
    from bulletin.services.bulletins import BulletinView
    from bulletin.services.delivery import PushResult

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
) -> DemoResult:
    """Copy samples/ to a fresh workspace, fetch, build, approve as 'demo', push to a folder."""
    from bulletin import workspace as workspaces
    from bulletin.services import Station
    from bulletin.services.building import build
    from bulletin.services.bulletins import view
    from bulletin.services.delivery import deliveries, push
    from bulletin.services.fetching import fetch_sources
    from bulletin.services.review import approve
    from bulletin.services.users import ensure_user

    def step(key: str) -> None:
        if on_step is not None:
            on_step(key)

    if not SAMPLES.is_dir():
        raise ConfigError("config.missing", path=str(SAMPLES))
    target = directory or Path(tempfile.mkdtemp(prefix="bulletin-demo-"))
    root = _copy_into(SAMPLES, target)
    station = Station(workspaces.load(root))
    ensure_user(station, DEMO_USER, ["approver"])
    step("demo.step.fetch")
    reports = fetch_sources(station)
    failed = [r for r in reports if r.status == "error"]
    if failed:
        raise InputError("input.file", path=failed[0].source, detail=failed[0].error)
    step("demo.step.build")
    bulletin_id = build(station, actor=DEMO_USER, progress=progress or _quiet)
    step("demo.step.approve")
    review = approve(station, bulletin_id, user=DEMO_USER, note="bulletin demo")
    if review.needed:
        # An emergency sample needs a second, different approver.
        ensure_user(station, f"{DEMO_USER}-2", ["approver"])
        approve(station, bulletin_id, user=f"{DEMO_USER}-2", note="bulletin demo")
    step("demo.step.push")
    pushed = push(station, bulletin_id, None, DEMO_USER)
    delivered = [
        d.remote_id or "" for d in deliveries(station, bulletin_id) if d.state == "delivered"
    ]
    return DemoResult(str(root), view(station, bulletin_id), delivered, pushed)


@dataclass(frozen=True)
class DemoResult:
    """What the demo made: its workspace, the bulletin, where the audio was delivered."""

    workspace: str
    bulletin: BulletinView
    delivered: list[str]
    push: PushResult

    def as_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "bulletin": self.bulletin.as_json(),
            "delivered": self.delivered,
            "deliveries": [o.as_json() for o in self.push.deliveries],
        }
