"""Check that the environment `make demo` builds (the base install, no extras) can fetch a
page source and follow a short feed item to its article, against pages served on 127.0.0.1.

Run with the demo environment's Python: `.venv-demo/bin/python .ci/demo_env_check.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTICLE_TEXT = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng tháng 12 cho trẻ em dưới năm tuổi "
    "tại trạm y tế xã, từ 7 giờ 30 đến 11 giờ các ngày thứ ba và thứ năm. Phụ huynh mang theo "
    "sổ tiêm chủng và thẻ bảo hiểm y tế của trẻ. Trẻ đang sốt hoặc mắc bệnh cấp tính sẽ được "
    "hẹn tiêm vào đợt sau. Mọi thắc mắc xin liên hệ cán bộ y tế thôn."
)


def _article(title: str) -> str:
    paragraphs = "".join(f"<p>{ARTICLE_TEXT}</p>" for _ in range(3))
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        '<meta property="article:published_time" content="2026-11-20T08:00:00+07:00">'
        f'</head><body><nav><a href="/">Trang chủ</a></nav><article><h1>{title}</h1>'
        f"{paragraphs}</article><footer>Cổng thông tin điện tử xã</footer></body></html>"
    )


def _site(root: Path) -> None:
    titles = [
        "Thông báo lịch tiêm chủng mở rộng tháng 12 cho trẻ em",
        "Kế hoạch phòng chống lụt bão năm 2026 của xã",
        "Thông báo tạm ngừng cấp nước sạch thôn Đông",
    ]
    (root / "thong-bao").mkdir()
    links = []
    for number, title in enumerate(titles, start=1):
        path = f"/thong-bao/5012{number:03d}-tin-so-{number}.html"
        (root / path.lstrip("/")).write_text(_article(title), encoding="utf-8")
        links.append(f'<li><h3><a href="{path}">{title}</a></h3><span>20/11/2026</span></li>')
    (root / "thong-bao" / "index.html").write_text(
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thông báo</title>'
        f"</head><body><ul>{''.join(links)}</ul></body></html>",
        encoding="utf-8",
    )
    (root / "rss.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Xã</title><link>http://127.0.0.1/</link><description>Tin</description>"
        f"<item><title>{titles[0]}</title><link>LINK</link>"
        "<description>Lịch tiêm chủng tháng 12.</description>"
        "<pubDate>Fri, 20 Nov 2026 08:00:00 +0700</pubDate></item></channel></rss>",
        encoding="utf-8",
    )


def _check(bulletin: str, workspace: Path, name: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [bulletin, "-w", str(workspace), "sources", "check", name, "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise SystemExit(f"FAIL {name}: exit {done.returncode}: {done.stderr.strip()}")
    document = json.loads(done.stdout)
    for warning in document["warnings"]:
        print(f"  warning: {warning}")
    items: list[dict[str, object]] = document["items"]
    return items


def main() -> None:
    bulletin = str(Path(sys.executable).with_name("bulletin"))
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp) / "site"
        site.mkdir()
        _site(site)
        handler = partial(SimpleHTTPRequestHandler, directory=str(site))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        feed = site / "rss.xml"
        feed.write_text(
            feed.read_text(encoding="utf-8").replace(
                "LINK", f"{base}/thong-bao/5012001-tin-so-1.html"
            ),
            encoding="utf-8",
        )
        workspace = Path(temp) / "ws"
        subprocess.run([bulletin, "init", str(workspace)], check=True, capture_output=True)
        (workspace / "sources.yaml").write_text(
            "sources:\n"
            f"  cong-xa:\n    kind: page\n    url: {base}/thong-bao/index.html\n"
            f"  tin-xa:\n    kind: rss\n    url: {base}/rss.xml\n",
            encoding="utf-8",
        )
        try:
            pages = _check(bulletin, workspace, "cong-xa")
            followed = _check(bulletin, workspace, "tin-xa")
        finally:
            server.shutdown()
    marker = "trạm y tế xã"
    page_ok = len(pages) == 3 and all(marker in str(i["body"]) for i in pages[:1])
    feed_ok = len(followed) == 1 and marker in str(followed[0]["body"])
    print(f"page source: {len(pages)} items, article text {'found' if page_ok else 'MISSING'}")
    print(f"feed item followed to its article: {'yes' if feed_ok else 'NO'}")
    if not (page_ok and feed_ok):
        raise SystemExit("FAIL: the demo environment cannot fetch pages or follow feed items")
    # Every built-in transport and `bulletin serve` must work from the base install too.
    loaded = subprocess.run(
        [
            str(Path(bulletin).with_name("python")),
            "-c",
            "from bulletin.plugins import BUILTIN, load\n"
            "for name in BUILTIN['transports']: load('transports', name)\n"
            "import uvicorn, bulletin.web.app, bulletin.web.pictures\n"
            "print(len(BUILTIN['transports']))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if loaded.returncode != 0:
        raise SystemExit(f"FAIL: a transport or serve cannot load: {loaded.stderr[-500:]}")
    print(f"transports and serve load: {loaded.stdout.strip()} transports")
    # The review desk signs a person in and shows the bulletin list from the base install
    # (templates, form parsing and argon2 all come from base dependencies).
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "ws"
        subprocess.run([bulletin, "init", str(workspace)], check=True, capture_output=True)
        desk = subprocess.run(
            [str(Path(bulletin).with_name("python")), "-c", _DESK_CHECK, str(workspace)],
            capture_output=True,
            text=True,
            check=False,
        )
    if desk.returncode != 0:
        raise SystemExit(f"FAIL: the review desk does not work: {desk.stderr[-800:]}")
    print(f"review desk: {desk.stdout.strip()}")
    print("demo environment: ok")


_DESK_CHECK = """
import re, sys
from starlette.testclient import TestClient
from bulletin.services.station import Station
from bulletin.services.users import add_user
from bulletin.web.app import create_app
station = Station.open(__import__("pathlib").Path(sys.argv[1]))
add_user(station, "kiem-tra", ["approver"], password="mat-khau-kiem-tra")
with TestClient(create_app(station), follow_redirects=False) as client:
    form = client.get("/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post("/sign-in", data={"csrf": csrf, "name": "kiem-tra",
                                           "password": "mat-khau-kiem-tra"})
    assert answer.status_code == 303, answer.text[:300]
    listing = client.get("/bulletins")
    assert listing.status_code == 200 and "kiem-tra" in listing.text
print("sign-in and bulletin list ok")
"""


if __name__ == "__main__":
    main()
