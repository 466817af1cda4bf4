"""Editing a built bulletin: only changed sentences are spoken again; approval starts over."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.conftest import add_approvers, run_bulletin


def test_editing_one_sentence_speaks_exactly_one_and_needs_new_approval(
    built_copy: Path,
) -> None:
    ws = str(built_copy)
    built = run_bulletin("-w", ws, "show", "latest", "--json").json()
    number = str(built["id"])
    add_approvers(built_copy, "ct")
    assert run_bulletin("-w", ws, "approve", number, "--as", "ct").code == 0
    target = next(s for s in built["sentences"] if s["part"] == "item")
    edited = run_bulletin(
        "-w",
        ws,
        "edit",
        number,
        "--sentence",
        str(target["index"]),
        "--text",
        "Hạn nộp hồ sơ là ngày 31/12/2026.",
        "--note",
        "sửa hạn",
        "--json",
    )
    assert edited.code == 0, edited.err
    document = edited.json()
    assert document["changed"] == [target["index"]] and document["synthesized"] == 1
    assert document["state"] == "built"
    new = document["sentences"][target["index"]]
    assert (
        new["spoken"]
        == "Hạn nộp hồ sơ là ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi sáu."
    )
    assert document["audio_sha256"] != built["audio_sha256"]
    assert document["audit"][-1]["action"] == "edit"
    assert document["audit"][-1]["reason"] == "sửa hạn"
    assert run_bulletin("-w", ws, "push", number).code == 3
    same = run_bulletin(
        "-w",
        ws,
        "edit",
        number,
        "--sentence",
        str(target["index"]),
        "--text",
        new["text"],
        "--json",
    ).json()
    assert same["changed"] == [] and same["synthesized"] == 0


def test_edit_in_the_editor_and_refusals(built_copy: Path, tmp_path: Path) -> None:
    ws = str(built_copy)
    built = run_bulletin("-w", ws, "show", "latest", "--json").json()
    number = str(built["id"])
    editor = tmp_path / "editor.sh"
    # A scripted "editor" that rewrites sentence 0, as a person would in $EDITOR.
    editor.write_text("#!/bin/sh\nsed -i 's/^0: .*/0: Đây là đài truyền thanh xã./' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    result = run_bulletin(
        "-w", ws, "edit", number, "--json", env={"EDITOR": str(editor), "VISUAL": str(editor)}
    )
    assert result.code == 0, result.err
    assert result.json()["changed"] == [0]
    assert result.json()["sentences"][0]["text"] == "Đây là đài truyền thanh xã."
    bad = run_bulletin("-w", ws, "edit", number, "--sentence", "9999", "--text", "x")
    assert bad.code == 2 and "9999" in bad.err
    add_approvers(built_copy, "ct")
    assert run_bulletin("-w", ws, "approve", number, "--as", "ct").code == 0
    assert run_bulletin("-w", ws, "push", number).code == 0
    aired = run_bulletin("-w", ws, "show", number, "--json").json()
    late = run_bulletin("-w", ws, "edit", number, "--sentence", "0", "--text", "Muộn rồi.")
    assert late.code == 3 and "không thể sửa" in late.err
    after = run_bulletin("-w", ws, "show", number, "--json").json()
    assert after["audio_sha256"] == aired["audio_sha256"] and os.path.exists(after["audio"])
