"""`bulletin sources …` and `bulletin add`: editing sources.yaml, checking, typed notices."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import run_bulletin


def test_sources_add_keeps_comments_and_remove_takes_it_back(tmp_path: Path) -> None:
    ws = tmp_path / "dai"
    assert run_bulletin("init", str(ws)).code == 0
    before = (ws / "sources.yaml").read_text(encoding="utf-8")
    added = run_bulletin(
        "-w",
        str(ws),
        "sources",
        "add",
        "tin-tinh",
        "--kind",
        "rss",
        "--url",
        "https://tinh.example.gov.vn/rss",
        "--priority",
        "priority",
        "--tag",
        "tinh",
    )
    assert added.code == 0, added.err
    after = (ws / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # every comment is still there
    entry = yaml.safe_load(after)["sources"]["tin-tinh"]
    assert entry == {
        "kind": "rss",
        "url": "https://tinh.example.gov.vn/rss",
        "priority": "priority",
        "tags": ["tinh"],
    }
    listed = run_bulletin("-w", str(ws), "sources", "list", "--json").json()
    assert "tin-tinh" in [s["name"] for s in listed]
    again = run_bulletin(
        "-w",
        str(ws),
        "sources",
        "add",
        "tin-tinh",
        "--kind",
        "rss",
        "--url",
        "https://x.example/rss",
    )
    assert again.code == 2 and "tin-tinh" in again.err
    removed = run_bulletin("-w", str(ws), "sources", "remove", "tin-tinh")
    assert removed.code == 0
    assert (ws / "sources.yaml").read_text(encoding="utf-8").rstrip() == before.rstrip()


def test_sources_add_refuses_bad_input(sample_ws: Path) -> None:
    ws = str(sample_ws)
    no_url = run_bulletin("-w", ws, "sources", "add", "x", "--kind", "rss")
    assert no_url.code == 2
    bad_name = run_bulletin("-w", ws, "sources", "add", "a b", "--kind", "folder", "--path", "n")
    assert bad_name.code == 2
    missing = run_bulletin("-w", ws, "sources", "remove", "khong-co")
    assert missing.code == 2 and "khong-co" in missing.err


def test_sources_check_parses_without_storing(sample_ws: Path) -> None:
    result = run_bulletin("-w", str(sample_ws), "sources", "check", "tin-huyen", "--json")
    assert result.code == 0, result.err
    found = result.json()["items"]
    assert len(found) == 6 and all(i["title"] and i["chars"] > 100 for i in found)
    assert run_bulletin("-w", str(sample_ws), "items", "--json").json() == []
    unknown = run_bulletin("-w", str(sample_ws), "sources", "check", "khong-co")
    assert unknown.code == 2


def test_typed_notice_is_stored_and_built(sample_ws: Path, tmp_path: Path) -> None:
    ws = str(sample_ws)
    body = tmp_path / "tb.txt"
    body.write_text(
        "Từ 7h00 ngày 30/11/2026, thôn Đông tổ chức tổng vệ sinh đường làng. "
        "Mỗi hộ cử một người tham gia.",
        encoding="utf-8",
    )
    added = run_bulletin(
        "-w",
        ws,
        "add",
        "--title",
        "Tổng vệ sinh",
        "-f",
        str(body),
        "--priority",
        "priority",
        "--json",
    )
    assert added.code == 0, added.err
    notice = added.json()
    assert notice["source"] == "nhap-tay" and notice["priority"] == "priority"
    assert notice["published"].endswith("+07:00")
    both = run_bulletin("-w", ws, "add", "--title", "x", "--text", "y", "-f", str(body))
    assert both.code == 2
    built = run_bulletin("-w", ws, "build", "--item", str(notice["id"]), "--json")
    assert built.code == 0, built.err
    assert built.json()["items"][0]["title"] == "Tổng vệ sinh"
