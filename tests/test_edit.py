"""Editing a built bulletin: only changed sentences are spoken again; approval starts over."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import wave
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bulletin.cli import cli
from bulletin.domain import AuditEntry, Bulletin, BulletinItem, Sentence
from bulletin.errors import InputError, PolicyError
from bulletin.services.editing import edit_items, edit_script
from bulletin.services.review import approve, reject
from bulletin.services.station import Station
from bulletin.services.users import add_user
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


# In-process, through the services the CLI and the review desk call ---------------------------


@pytest.fixture
def desk(built_copy: Path) -> tuple[Station, int]:
    """The built sample bulletin (5 items, 27 sentences) and an approver named 'ct'."""
    station = Station.open(built_copy)
    add_user(station, "ct", ["approver"])
    with station.store() as store:
        number = store.latest_bulletin_id()
    assert number is not None
    return station, number


def _cached(station: Station) -> set[Path]:
    return set((station.workspace.cache_dir / "sentences").rglob("*.wav"))


def _read(station: Station, number: int) -> tuple[Bulletin, list[BulletinItem], list[Sentence]]:
    with station.store() as store:
        return store.bulletin(number), store.bulletin_items(number), store.sentences(number)


def _audit(station: Station, number: int) -> list[AuditEntry]:
    with station.store() as store:
        return store.audit_log(number)


def _last_audit(station: Station, number: int) -> AuditEntry:
    return _audit(station, number)[-1]


def test_editing_a_spoken_form_speaks_that_sentence_alone_and_the_form_stays(
    desk: tuple[Station, int],
) -> None:
    station, number = desk
    approve(station, number, user="ct")
    before, _, rows = _read(station, number)
    assert len(rows) >= 20 and before.approved_sha256
    target = next(r for r in rows if r.part == "item" and "/" in r.text)
    said = "Từ giữa tháng mười hai đến hết tháng hai năm sau,  Công an huyện   kiểm tra."
    cached = _cached(station)
    result = edit_script(station, number, spoken={target.index: said}, actor="chi")
    assert result.changed == [target.index] and result.synthesized == 1
    assert len(_cached(station) - cached) == 1
    after, _, edited = _read(station, number)
    assert after.state == "built" and after.approved_sha256 is None
    assert after.audio_sha256 != before.audio_sha256
    assert not station.audio_file(before.audio_path).exists()
    assert edited[target.index].text == target.text
    assert edited[target.index].spoken == " ".join(said.split())
    assert _last_audit(station, number).reason_key == "edit.audit"

    # The text a sentence already has (without its full stop) changes nothing.
    same = edit_script(station, number, {0: "Đây là Đài Truyền thanh xã Minh Hòa"}, actor="chi")
    assert same.changed == [] and same.synthesized == 0
    # Other sentences' written text changes: the spoken form a person wrote stays; where both
    # forms of one sentence are given, the spoken form given wins over the normalized one.
    other = edit_script(
        station,
        number,
        {0: "Đây là Đài phát thanh xã.", 1: "Kính thưa bà con 3 thôn!"},
        spoken={1: "Kính thưa bà con ba thôn!"},
        actor="chi",
    )
    assert other.changed == [0, 1] and other.synthesized == 2
    lines = _read(station, number)[2]
    assert lines[target.index].spoken == " ".join(said.split())
    assert (lines[1].text, lines[1].spoken) == (
        "Kính thưa bà con 3 thôn!",
        "Kính thưa bà con ba thôn!",
    )

    with pytest.raises(InputError) as empty:
        edit_script(station, number, spoken={2: "  \n "}, actor="chi")
    assert empty.value.key == "edit.spoken_empty"
    with pytest.raises(InputError) as unknown:
        edit_script(station, number, spoken={99: "Câu."}, actor="chi")
    assert unknown.value.key == "edit.no_sentence"


def test_removing_an_item_renumbers_the_rest_and_rewrites_the_count(
    desk: tuple[Station, int],
) -> None:
    station, number = desk
    before, items, rows = _read(station, number)
    assert [i.position for i in items] == [1, 2, 3, 4, 5]
    result = edit_items(station, number, [1, 2, 4, 5], actor="chi", reason="tin đã cũ")
    assert result.removed == [3] and not result.reordered
    after, kept, lines = _read(station, number)
    assert [(i.position, i.title) for i in kept] == [
        (n, i.title) for n, i in enumerate([items[0], items[1], items[3], items[4]], start=1)
    ]
    third = [r for r in rows if r.item_position == 3]
    assert len(lines) == len(rows) - len(third)
    assert [line.index for line in lines] == list(range(len(lines)))
    # The opening says there are four items now; the items after the removed one moved up.
    assert [line.text for line in lines if line.text.startswith("Bản tin gồm")] == [
        "Bản tin gồm bốn tin."
    ]
    intros = [line for line in lines if line.text.startswith("Tin thứ")]
    assert [(line.item_position, line.text) for line in intros] == [
        (1, f"Tin thứ nhất: {items[0].title}."),
        (2, f"Tin thứ hai: {items[1].title}."),
        (3, f"Tin thứ ba: {items[3].title}."),
        (4, f"Tin thứ tư: {items[4].title}."),
    ]
    assert result.synthesized == 3 and len(result.changed) == 3
    assert {lines[i].text for i in result.changed} == {
        "Bản tin gồm bốn tin.",
        intros[2].text,
        intros[3].text,
    }
    # Every other sentence keeps its spoken form and its audio.
    intros_moved = {next(r.index for r in rows if r.item_position == p) for p in (4, 5)}
    untouched = [
        r
        for r in rows
        if r.item_position != 3 and r.index not in {3, *intros_moved}  # 3: the count
    ]
    assert [(r.text, r.spoken, r.audio_key) for r in untouched] == [
        (line.text, line.spoken, line.audio_key)
        for i, line in enumerate(lines)
        if i not in result.changed
    ]
    assert after.state == "built" and after.audio_sha256 != before.audio_sha256
    assert not station.audio_file(before.audio_path).exists()
    entry = _last_audit(station, number)
    assert (entry.action, entry.reason_key) == ("edit", "edit.audit_removed_note")
    assert entry.reason_text(lang="vi") == "Bỏ tin số 3. Ghi chú: tin đã cũ"


def test_reordering_items_and_refusals(desk: tuple[Station, int]) -> None:
    station, number = desk
    _, items, rows = _read(station, number)
    moved = edit_items(station, number, [2, 1, 3, 4, 5], actor="chi")
    assert moved.reordered and moved.removed == [] and moved.synthesized == 2
    _, now, lines = _read(station, number)
    assert [i.title for i in now] == [items[1].title, items[0].title, *(i.title for i in items[2:])]
    assert lines[3].text == rows[3].text  # the count did not change
    first = [line for line in lines if line.item_position == 1]
    assert first[0].text == f"Tin thứ nhất: {items[1].title}."
    assert [line.text for line in first[1:]] == [r.text for r in rows if r.item_position == 2][1:]
    assert _last_audit(station, number).reason_key == "edit.audit_reordered"

    # Back as built: every sentence is in the cache, nothing is spoken again.
    back = edit_items(station, number, [2, 1, 3, 4, 5], actor="chi")
    assert back.synthesized == 0
    restored = _read(station, number)[2]
    assert [(r.part, r.item_position, r.text, r.spoken) for r in restored] == [
        (r.part, r.item_position, r.text, r.spoken) for r in rows
    ]

    audit = len(_audit(station, number))
    same = edit_items(station, number, [1, 2, 3, 4, 5], actor="chi")
    assert not same.edited and same.synthesized == 0
    for order, key in (
        ([1, 2, 3, 4, 9], "edit.no_item"),
        ([1, 2, 2, 4, 5], "edit.item_twice"),
        ([], "edit.items_empty"),
    ):
        with pytest.raises(InputError) as refused:
            edit_items(station, number, order, actor="chi")
        assert refused.value.key == key
    reject(station, number, user="ct", reason="sai")
    with pytest.raises(PolicyError):
        edit_items(station, number, [2, 1, 3, 4, 5], actor="chi")
    assert len(_audit(station, number)) == audit + 1  # the rejection only
    assert [r.text for r in _read(station, number)[2]] == [r.text for r in rows]


def test_edit_command_moves_an_item_and_sets_a_spoken_form(built_copy: Path) -> None:
    runner = CliRunner()
    ws = str(built_copy)
    env = {"BULLETIN_LANG": "vi"}
    before = runner.invoke(cli, ["-w", ws, "preview", "latest", "--json"], env=env)
    assert before.exit_code == 0, before.output
    fifth = next(i for i in json.loads(before.stdout)["items"] if i["position"] == 5)
    moved = runner.invoke(
        cli, ["-w", ws, "edit", "latest", "--move-item", "5", "--to", "1", "--json"], env=env
    )
    assert moved.exit_code == 0, moved.output
    document = json.loads(moved.stdout)
    assert document["reordered"] is True and document["state"] == "built"
    assert [i["position"] for i in document["items"]] == [1, 2, 3, 4, 5]
    assert document["items"][0]["title"] == fifth["title"]
    assert document["sentences"][4]["text"] == f"Tin thứ nhất: {fifth['title']}."
    spoken = runner.invoke(
        cli,
        ["-w", ws, "edit", "latest", "--sentence", "3", "--spoken", "Hôm nay có năm tin."],
        env=env,
    )
    assert spoken.exit_code == 0, spoken.output
    assert "Đã sửa 1 câu" in spoken.stdout and "đọc lại 1 câu" in spoken.stdout
    lonely = runner.invoke(cli, ["-w", ws, "edit", "latest", "--move-item", "2"], env=env)
    assert lonely.exit_code == 2 and "--move-item SỐ và --to VỊ_TRÍ" in lonely.output


def test_preview_play_without_a_player_writes_a_wav(
    built_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    runner = CliRunner()
    played = runner.invoke(
        cli, ["-w", str(built_copy), "preview", "latest", "--play"], env={"BULLETIN_LANG": "vi"}
    )
    assert played.exit_code == 0, played.output
    found = re.search(r"đã ghi bản nghe thử dạng WAV: (\S+\.wav)", played.stdout.replace("\n", ""))
    assert found, played.stdout
    assert Path(found.group(1)).is_relative_to(tmp_path)
    with wave.open(found.group(1)) as wav:
        assert wav.getnframes() > wav.getframerate() * 10
    station = Station.open(built_copy)
    with station.store() as store:
        draft = store.create_draft(
            programme="ban-tin-sang",
            priority="normal",
            voice="giong-mien-bac",
            items=[],
            sentences=[("opening", None, "Xin chào.", "Xin chào.")],
            actor="test",
        )
    silent = runner.invoke(
        cli, ["-w", str(built_copy), "preview", str(draft), "--play"], env={"BULLETIN_LANG": "vi"}
    )
    assert silent.exit_code == 0, silent.output
    assert f"Bản tin {draft} chưa có âm thanh" in silent.stdout


def test_a_station_reading_replaces_an_earlier_one_and_keeps_the_comments(
    tmp_path: Path,
) -> None:
    from bulletin.config_edit import set_reading

    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text("# Từ điển của đài\nHTX: hợp tác xã  # viết tắt\n'Minh Hòa': min hoa\n")
    set_reading(lexicon, "Minh Hòa", "Minh Hòa")
    set_reading(lexicon, "KH", "kế hoạch")
    set_reading(lexicon, "a: b", "x")  # a key YAML must quote
    text = lexicon.read_text("utf-8")
    assert text.startswith("# Từ điển của đài\nHTX: hợp tác xã  # viết tắt\n")
    assert "min hoa" not in text
    assert yaml.safe_load(text) == {
        "HTX": "hợp tác xã",
        "Minh Hòa": "Minh Hòa",
        "KH": "kế hoạch",
        "a: b": "x",
    }
