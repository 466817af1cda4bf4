"""The faithfulness guard: altered facts are caught, reformatted ones are not, and a guarded
engine falls back to another with the reason."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bulletin.summarize.base import Budget, SummarizerError, Summary
from bulletin.summarize.guard import Fact, GuardedSummarizer, find_unsupported
from bulletin.summarize.lead import LeadSummarizer
from bulletin.text.sentences import split_sentences

SOURCE = (
    "Thực hiện Kế hoạch số 80/KH-UBND ngày 31/12/2026 của Ủy ban nhân dân tỉnh Quảng Trị "
    "và Nghị định 15/2021/NĐ-CP, Ủy ban nhân dân xã Hải Thượng tổ chức tiêm vắc xin "
    "từ 7h30 đến 11 giờ ngày 5/1/2027 tại Trạm Y tế xã. "
    "Ông Nguyễn Văn An, Chủ tịch xã, cho biết tỷ lệ tiêm đã đạt 15%, "
    "kinh phí hỗ trợ mỗi người là 1.250.000 đồng, tổng cộng 2,5 tỷ đồng cho 2.000 người. "
    "Người dân mang theo căn cước công dân."
)


@pytest.mark.parametrize(
    ("summary", "kind", "text"),
    [
        ("Xã tiêm vắc xin cho 3.000 người.", "number", "3.000"),
        ("Xã tiêm vắc xin ngày 6/1/2027.", "date", "6/1/2027"),
        ("Kế hoạch ban hành ngày 31 tháng 12 năm 2025.", "date", "ngày 31 tháng 12 năm 2025"),
        ("Xã tiêm vắc xin từ 8h30.", "time", "8h30"),
        ("Xã thực hiện Kế hoạch số 81/KH-UBND.", "code", "81/KH-UBND"),
        ("Xã thực hiện Nghị định 15/2022/NĐ-CP.", "code", "15/2022/NĐ-CP"),
        ("Mỗi người được hỗ trợ 1.500.000 đồng.", "money", "1.500.000 đồng"),
        ("Tổng kinh phí là 3 tỷ đồng.", "money", "3 tỷ đồng"),
        ("Tỷ lệ tiêm đã đạt 25%.", "percent", "25%"),
        ("Tỷ lệ tiêm đạt 15,5 phần trăm.", "percent", "15,5 phần trăm"),
        ("Theo ông Nguyễn Văn Ân, xã đã sẵn sàng.", "name", "Nguyễn Văn Ân"),
        ("Việc tiêm do ông Trần Văn An chỉ đạo.", "name", "Trần Văn An"),
        ("Kế hoạch của tỉnh Quảng Bình được triển khai.", "name", "Quảng Bình"),
        ("Kế hoạch của Ủy ban nhân dân huyện được thực hiện.", "name", "Ủy ban nhân dân huyện"),
    ],
)
def test_altered_facts_are_unsupported(summary: str, kind: str, text: str) -> None:
    assert Fact(kind, text) in find_unsupported(summary, SOURCE)


@pytest.mark.parametrize(
    "summary",
    [
        "Ngày 5 tháng 1 năm 2027, xã tiêm vắc xin từ 7 giờ 30 phút tại Trạm Y tế xã.",
        "Xã tiêm vắc xin từ 7:30 ngày 05-01-2027.",
        "Kế hoạch 80/KH-UBND ban hành ngày 31-12-2026 theo Nghị định 15/2021/NĐ-CP.",
        "Kế hoạch ban hành ngày 31.12.2026.",
        "Mỗi người được hỗ trợ 1250000 đồng, tức 1,25 triệu đồng.",
        "Tổng kinh phí 2.500.000.000 đồng cho hai nghìn người, tức 2 nghìn người.",
        "Tỷ lệ tiêm đạt 15 phần trăm, theo ông NGUYỄN VĂN AN.",
        "UBND tỉnh Quảng  Trị chỉ đạo; Uỷ ban nhân dân xã Hải Thượng thực hiện.",
        "Người dân mang căn cước công dân khi đi tiêm trong năm 2027.",
    ],
)
def test_faithful_paraphrases_pass(summary: str) -> None:
    assert find_unsupported(summary, SOURCE) == []


def test_tone_placement_and_decomposed_text_compare_equal() -> None:
    source = "Bão số 4 đổ bộ vào Thanh Hoá lúc 10h."
    decomposed = "Bão đổ bộ Thanh Hóa lúc 10 giờ.".replace("ó", "o\u0301")
    assert find_unsupported(decomposed, source) == []


def test_every_source_sentence_passes_the_guard() -> None:
    for sentence in split_sentences(SOURCE):
        assert find_unsupported(sentence, SOURCE) == []


DEV300 = Path(__file__).resolve().parents[2] / "shared/data/vietnews/dev300.jsonl"


@pytest.mark.skipif(not DEV300.exists(), reason="VietNews dev300 is not beside the checkout")
@pytest.mark.long(14)
def test_copied_sentences_of_real_news_pass_the_guard() -> None:
    # Any extractive summary is a choice of source sentences, so checking each sentence
    # of each article checks every summary the extractive engine could write.
    with DEV300.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            source = " ".join(row["article_sentences"])
            for sentence in split_sentences(source):
                assert find_unsupported(sentence, source) == [], sentence


class _Inventing:
    name = "inventing"

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return Summary(("Xã tiêm vắc xin cho 3.000 người từ ngày 6/1/2027.",), self.name)

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        return [self.summarize(text, budget, title=title) for text, title in texts]


class _Faithful(_Inventing):
    name = "faithful"

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return Summary(("Xã tiêm vắc xin cho 2 nghìn người từ 7 giờ 30.",), self.name)


class _Broken(_Inventing):
    name = "broken"

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        raise SummarizerError("summarize.model", name=self.name, detail="no model")


def test_guarded_engine_with_invented_facts_falls_back_with_reason() -> None:
    guarded = GuardedSummarizer(_Inventing(), LeadSummarizer())
    summary = guarded.summarize(SOURCE, Budget(sentences=1))
    assert summary.engine == "lead"
    assert summary.sentences == (split_sentences(SOURCE)[0],)
    assert summary.violations == ("number: 3.000", "date: 6/1/2027")
    assert summary.fallback_reason is not None
    assert "3.000" in summary.fallback_reason and "6/1/2027" in summary.fallback_reason


def test_guarded_engine_keeps_a_faithful_summary() -> None:
    guarded = GuardedSummarizer(_Faithful(), LeadSummarizer())
    summary = guarded.summarize(SOURCE, Budget(sentences=1))
    assert summary.engine == "faithful"
    assert summary.fallback_reason is None
    assert summary.violations == ()


def test_guarded_engine_that_fails_falls_back_for_the_whole_batch() -> None:
    guarded = GuardedSummarizer(_Broken(), LeadSummarizer())
    summaries = guarded.summarize_many([(SOURCE, None), ("Mưa lớn. Ngập úng.", "Mưa")], Budget(1))
    assert [s.engine for s in summaries] == ["lead", "lead"]
    assert all(s.fallback_reason and "broken" in s.fallback_reason for s in summaries)
    assert summaries[1].sentences == ("Mưa lớn.",)


def test_facts_in_the_title_count_as_stated() -> None:
    guarded = GuardedSummarizer(_Inventing(), LeadSummarizer())
    title = "Tiêm vắc xin cho 3.000 người từ 6/1/2027"
    assert guarded.summarize(SOURCE, Budget(1), title=title).engine == "inventing"
