"""A workspace with programmes a few seconds apart and a real `schedule run` process, killed
and restarted at random points; and the check that every air firing was delivered once.

Used by tests/test_scheduling.py (a few kills) and bench/daemon_kills.py (twenty or more).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def workspace(
    root: Path,
    *,
    programmes: dict[str, dict[str, Any]],
    controllers: dict[str, dict[str, Any]],
    port: int,
    notices: int = 0,
) -> Path:
    """A copy of the sample workspace with these programmes and controllers, `notices` typed-in
    notices to build from, and a fast scheduler heartbeat."""
    from bulletin import workspace as ws
    from bulletin.services.fetching import fetch_sources
    from bulletin.services.station import Station

    shutil.copytree(SAMPLES, root)
    for old in (root / "schedules").glob("*.yaml"):
        old.unlink()
    for name, programme in programmes.items():
        write_programme(root, name, programme)
    (root / "controllers.yaml").write_text(
        yaml.safe_dump({"controllers": controllers}, allow_unicode=True), encoding="utf-8"
    )
    config = yaml.safe_load((root / "bulletin.yaml").read_text(encoding="utf-8"))
    config["public_url"] = f"http://127.0.0.1:{port}"
    config["scheduler"] = {"poll_s": 0.5, "heartbeat_s": 1.0}
    config["delivery"] = {"retry_base_s": 0.2, "retry_cap_s": 1.0, "timeout_s": 15}
    (root / "bulletin.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    for n, (title, body) in enumerate(NOTICES[:notices]):
        (root / "notices" / f"them-{n:02d}.txt").write_text(f"{title}\n\n{body}\n", "utf-8")
    station = Station(ws.load(root))
    fetch_sources(station)
    return root


def write_programme(root: Path, name: str, programme: dict[str, Any]) -> None:
    """Write (or rewrite) one programme's schedule file in the workspace at `root`."""
    (root / "schedules" / f"{name}.yaml").write_text(
        yaml.safe_dump(programme, allow_unicode=True), encoding="utf-8"
    )


# Short notices on different matters, so no two are merged as near-duplicates.
NOTICES = [
    (
        "Lịch tiêm vắc xin cho trẻ em thôn Đông",
        "Trạm y tế xã tiêm vắc xin cho trẻ dưới năm "
        "tuổi vào sáng thứ hai tới. Phụ huynh mang theo sổ tiêm chủng.",
    ),
    (
        "Thu gom rác thải cồng kềnh",
        "Tổ vệ sinh môi trường thu gom tủ, giường, nệm cũ dọc đường liên thôn vào chiều thứ bảy.",
    ),
    (
        "Diễn tập phòng cháy chữa cháy ở chợ xã",
        "Công an xã tổ chức diễn tập chữa cháy tại chợ "
        "lúc tám giờ sáng chủ nhật; các hộ kinh doanh chuẩn bị bình chữa cháy.",
    ),
    (
        "Nạo vét kênh mương nội đồng",
        "Hợp tác xã nông nghiệp huy động mỗi hộ một ngày công để nạo vét kênh tưới trước vụ xuân.",
    ),
    (
        "Tuyển sinh lớp học nghề may",
        "Trung tâm giáo dục nghề nghiệp huyện mở lớp may công "
        "nghiệp miễn phí cho lao động nữ; đăng ký tại văn phòng ủy ban.",
    ),
    (
        "Kiểm tra an toàn thực phẩm dịp cuối năm",
        "Đoàn liên ngành kiểm tra các cơ sở giết mổ "
        "gia súc và quán ăn trên địa bàn trong tuần này.",
    ),
    (
        "Sửa chữa cầu treo bản Nà",
        "Cầu treo bản Nà tạm đóng để thay cáp; người dân đi đường vòng qua ngầm suối phía hạ lưu.",
    ),
    (
        "Chi trả trợ cấp cho người cao tuổi",
        "Bưu điện văn hóa xã chi trả trợ cấp tháng này "
        "cho người từ đủ tám mươi tuổi vào ngày mười lăm.",
    ),
    (
        "Phát động trồng cây xanh ở trường học",
        "Đoàn thanh niên cùng nhà trường trồng cây "
        "bóng mát quanh sân trường tiểu học vào sáng thứ năm.",
    ),
    (
        "Hướng dẫn phòng bệnh lở mồm long móng",
        "Cán bộ thú y khuyến cáo bà con tiêu độc "
        "chuồng trại và báo ngay khi gia súc có dấu hiệu bỏ ăn.",
    ),
    (
        "Giải bóng đá thiếu niên mùa đông",
        "Xã tổ chức giải bóng đá cho thiếu niên các thôn; "
        "các đội nộp danh sách cầu thủ trước ngày hai mươi.",
    ),
    (
        "Cấp đổi thẻ căn cước tại nhà văn hóa",
        "Công an huyện về nhà văn hóa thôn Tây làm thủ "
        "tục cấp đổi thẻ căn cước cho người già và người khuyết tật.",
    ),
]


def cron_at(moment: datetime) -> str:
    """A 6-field cron expression firing once a day at `moment` (station time = UTC+7)."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    return f"{local.second} {local.minute} {local.hour} * * *"


@dataclass
class DaemonProcess:
    root: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    kills: list[float] = field(default_factory=list)

    def start(self) -> DaemonProcess:
        handle = open(self.log, "ab")  # noqa: SIM115 - the child writes to it
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bulletin.cli",
                "-w",
                str(self.root),
                "schedule",
                "run",
                "--serve",
                "--port",
                str(self.port),
                "--log-json",
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "BULLETIN_LANG": "vi"},
        )
        handle.close()
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills.append(time.time())

    def stop(self) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)


def kill_storm(daemon: DaemonProcess, kills: int, low: float, high: float, seed: int) -> None:
    """SIGKILL the daemon `kills` times at random moments, restarting it at once each time."""
    chance = random.Random(seed)
    for _ in range(kills):
        time.sleep(chance.uniform(low, high))
        daemon.kill()
        daemon.start()


@dataclass
class Verdict:
    airs: int
    delivered_once: int
    problems: list[str]


def verify(
    root: Path,
    programme: str,
    plays: dict[str, int],
    since: datetime,
    until: datetime | None = None,
) -> Verdict:
    """Every air firing of `programme` due from `since` to `until` (the daemon's stop; default
    now) is done with one bulletin, and its device played that bulletin exactly once (`plays`:
    file name -> count)."""
    from bulletin import workspace as ws
    from bulletin.schedules import triggers
    from bulletin.services.station import Station

    station = Station(ws.load(root))
    _, found = station.workspace.programme(programme)
    zone = station.workspace.config.timezone
    now = until or datetime.now(UTC)
    problems: list[str] = []
    airs = 0
    once = 0
    with station.store() as store:
        for what, _, trigger in triggers(found, zone):
            if what != "air":
                continue
            fire = trigger.get_next_fire_time(None, since)
            while fire is not None and fire < now:
                airs += 1
                due = fire.astimezone(UTC).isoformat(timespec="seconds")
                run = store.run(programme, "air", due)
                if run is None or run.state != "done" or run.bulletin_id is None:
                    problems.append(f"air {due}: {run.state if run else 'never ran'}")
                else:
                    name = f"{programme}-{run.bulletin_id}.mp3"
                    if plays.get(name, 0) != 1:
                        problems.append(
                            f"air {due}: bulletin {run.bulletin_id} played "
                            f"{plays.get(name, 0)} times"
                        )
                    else:
                        once += 1
                fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        built = store.db.execute(
            "SELECT run_key, COUNT(*) FROM bulletins WHERE run_key IS NOT NULL "
            "AND state != 'rejected' GROUP BY run_key HAVING COUNT(*) > 1"
        ).fetchall()
    problems += [f"{row[0]}: {row[1]} bulletins" for row in built]
    return Verdict(airs, once, problems)


@dataclass
class KillRun:
    verdict: Verdict
    kills: int
    storm_seconds: float
    downloaded_twice: int
    log: Path


def kill_run(
    folder: Path, *, kills: int, low: float, high: float, seed: int, every: int, settle: float
) -> KillRun:
    """A programme that builds every `every` seconds and airs half-way to the next build,
    auto-approved, on a stand-in vendor-json device through `schedule run --serve`; `kills`
    SIGKILLs at random pauses of `low`..`high` s, then `settle` s of quiet; then the check."""
    from tests.servers import free_port
    from tests.servers.vendor_device import VendorDeviceServer

    device = VendorDeviceServer().start()
    device.add_device("LOA-1")
    port = free_port()
    airs = ",".join(str(s) for s in range(every // 2, 60, every))
    root = workspace(
        folder / "ws",
        programmes={
            "thu": {
                "title": "Bản tin thử",
                "build_cron": f"*/{every} * * * * *",
                "air_cron": f"{airs} * * * * *",
                "max_minutes": 0.3,
                "approval": "auto",
                "trusted_sources": ["nhap-tay", "thong-bao-xa", "tin-huyen"],
                "controllers": ["loa"],
                "misfire_grace_minutes": 1.5,
            }
        },
        controllers={"loa": {"transport": "vendor-json", "address": device.address("LOA-1")}},
        port=port,
        notices=12,
    )
    daemon = DaemonProcess(root, port, folder / "daemon.log").start()
    started = datetime.now(UTC)
    clock = time.monotonic()
    try:
        kill_storm(daemon, kills, low, high, seed)
        storm = time.monotonic() - clock
        time.sleep(settle)  # the daemon catches up and airs what is due
    finally:
        stopped = datetime.now(UTC)
        daemon.stop()
        device.settle()
        device.stop()
    plays: dict[str, int] = {}
    for name in device.device("LOA-1").plays:
        plays[name] = plays.get(name, 0) + 1
    downloads = device.device("LOA-1").download_commands
    return KillRun(
        verify(root, "thu", plays, started + timedelta(seconds=2), stopped),
        len(daemon.kills),
        storm,
        len(downloads) - len({tuple(d) for d in downloads}),
        daemon.log,
    )
