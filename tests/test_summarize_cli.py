"""`bulletin summarize` and summaries inside a build: engines, batches, the guard's fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_bulletin
from tests.test_llm import ChatServer, chat_server  # noqa: F401  (fixture)

ARTICLE = (
    "Ủy ban nhân dân xã Minh Hòa thông báo lịch cắt điện để sửa chữa đường dây 35 kV. "
    "Thời gian cắt điện từ 7h30 đến 16h00 ngày 05/12/2026 tại thôn Đông và thôn Đoài. "
    "Khoảng 420 hộ dân bị ảnh hưởng trong thời gian trên. "
    "Điện lực huyện đề nghị bà con chủ động sắp xếp sinh hoạt và sản xuất. "
    "Mọi thắc mắc xin liên hệ số điện thoại 0237 3812 345 trong giờ hành chính."
)


def _set_summary(ws: Path, summary: dict[str, object]) -> None:
    config = yaml.safe_load((ws / "bulletin.yaml").read_text(encoding="utf-8"))
    config["summary"] = summary
    (ws / "bulletin.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


def test_summarize_file_copies_source_sentences(tmp_path: Path) -> None:
    article = tmp_path / "bai.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = run_bulletin("summarize", str(article), "--sentences", "2", "--json")
    assert result.code == 0, result.err
    document = result.json()
    assert document["engine"] == "extractive" and len(document["sentences"]) == 2
    assert all(sentence in ARTICLE for sentence in document["sentences"])
    assert document["fallback_reason"] is None


def test_summarize_batch_keeps_ids_and_order(tmp_path: Path) -> None:
    batch = tmp_path / "lo.jsonl"
    batch.write_text(
        "\n".join(json.dumps({"id": i, "text": ARTICLE, "title": "Cắt điện"}) for i in "abc"),
        encoding="utf-8",
    )
    result = run_bulletin(
        "summarize", "--jsonl", str(batch), "--engine", "lead", "--sentences", "1"
    )
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert all(line["summary"] == ARTICLE.split(". ")[0] + "." for line in lines)


def test_missing_seq2seq_model_is_bad_input_naming_it(sample_ws: Path, tmp_path: Path) -> None:
    missing = tmp_path / "vit5-base-vietnews-summarization"
    _set_summary(sample_ws, {"engine": "seq2seq", "seq2seq": {"model": str(missing)}})
    article = tmp_path / "bai.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = run_bulletin("-w", str(sample_ws), "summarize", str(article))
    assert result.code == 2
    assert str(missing) in result.err and "hf download" in result.err
    assert "Traceback" not in result.err
    unconfigured = run_bulletin("summarize", str(article), "--engine", "seq2seq")
    assert unconfigured.code == 2 and "summary.seq2seq.model" in unconfigured.err


@pytest.mark.long(19)
def test_invented_number_falls_back_and_the_reason_reaches_review(
    sample_ws: Path,
    chat_server: ChatServer,  # noqa: F811
) -> None:
    _set_summary(
        sample_ws,
        {
            "engine": "llm",
            "llm": {"url": chat_server.url("invent"), "model": "thu-nghiem", "timeout_s": 5},
        },
    )
    ws = str(sample_ws)
    assert run_bulletin("-w", ws, "fetch").code == 0
    items = run_bulletin("-w", ws, "items", "--json").json()
    with_number = next(
        i
        for i in items
        if "7h30" in i["body"].split(".")[0] or any(ch.isdigit() for ch in i["body"].split(".")[0])
    )
    built = run_bulletin("-w", ws, "build", "--item", str(with_number["id"]), "--json")
    assert built.code == 0, built.err
    [item] = built.json()["items"]
    assert item["engine"] == "extractive"
    assert item["fallback_reason"] and "llm" in item["fallback_reason"]
    assert item["summary"] and all(
        sentence in with_number["body"] for sentence in item["summary"].split(". ")[:1]
    )
    shown = run_bulletin("-w", ws, "show", str(built.json()["id"]), env={"COLUMNS": "200"})
    assert "Dùng bản tóm tắt trích câu vì" in shown.out


@pytest.mark.long(20)
def test_faithful_llm_summary_is_kept(sample_ws: Path, chat_server: ChatServer) -> None:  # noqa: F811
    _set_summary(
        sample_ws,
        {
            "engine": "llm",
            "llm": {"url": chat_server.url("ok"), "model": "thu-nghiem", "timeout_s": 5},
        },
    )
    ws = str(sample_ws)
    assert run_bulletin("-w", ws, "fetch").code == 0
    first = run_bulletin("-w", ws, "items", "--json").json()[0]
    built = run_bulletin("-w", ws, "build", "--item", str(first["id"]), "--json")
    assert built.code == 0, built.err
    assert built.json()["items"][0]["engine"] == "llm"
    assert built.json()["items"][0]["fallback_reason"] is None
