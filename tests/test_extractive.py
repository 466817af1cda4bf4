"""The extractive summarizer: the announcement's own sentences, within the budget, in order."""

from __future__ import annotations

import pytest

from bulletin.summarize import build_summarizer
from bulletin.summarize.base import Budget
from bulletin.summarize.extractive import ExtractiveSummarizer
from bulletin.summarize.guard import find_unsupported
from bulletin.summarize.lead import speech_seconds
from bulletin.text.sentences import split_sentences
from bulletin.workspace import SummaryConfig

NOTICE = (
    "Ủy ban nhân dân xã Hải Thượng thông báo lịch cắt nước sinh hoạt và lịch tiêm vắc xin "
    "trong tuần tới. "
    "Do sửa chữa đường ống chính, nhà máy nước sẽ ngừng cấp nước cho thôn Đông và thôn Tây "
    "từ 7h30 đến 17 giờ ngày 12/3/2027. "
    "Các hộ gia đình cần chủ động trữ nước sinh hoạt trước thời gian cắt nước. "
    "Trạm Y tế xã tổ chức tiêm vắc xin sởi cho trẻ từ 9 tháng đến 5 tuổi vào sáng ngày 14/3/2027. "
    "Phụ huynh mang theo sổ tiêm chủng và đưa trẻ đến đúng giờ. "
    "Mọi thắc mắc xin liên hệ văn phòng Ủy ban nhân dân xã trong giờ hành chính."
)
FLOOD = (
    "Trung tâm Khí tượng Thủy văn tỉnh cho biết mưa lớn kéo dài trong ba ngày tới. "
    "Mực nước sông Thạch Hãn có thể vượt báo động 2 vào chiều thứ Năm. "
    "Người dân vùng trũng thấp cần gia cố nhà cửa và di chuyển tài sản lên cao. "
    "Không đánh bắt cá và vớt củi trên sông khi nước lũ đang lên."
)


@pytest.fixture(scope="module")
def engine() -> ExtractiveSummarizer:
    return ExtractiveSummarizer()


def test_default_settings_build_the_extractive_engine() -> None:
    assert build_summarizer("extractive", SummaryConfig()).name == "extractive"


def test_sentence_budget_is_respected(engine: ExtractiveSummarizer) -> None:
    for n in (1, 2, 3):
        assert len(engine.summarize(NOTICE, Budget(sentences=n)).sentences) == n


def test_seconds_budget_is_respected(engine: ExtractiveSummarizer) -> None:
    budget = Budget(sentences=None, seconds=12, words_per_minute=150)
    summary = engine.summarize(NOTICE, budget)
    spoken = sum(speech_seconds(s, budget.words_per_minute) for s in summary.sentences)
    assert summary.sentences and spoken <= 12


def test_something_is_said_even_when_no_sentence_fits(engine: ExtractiveSummarizer) -> None:
    summary = engine.summarize(NOTICE, Budget(sentences=None, seconds=1))
    assert len(summary.sentences) == 1


def test_sentences_are_copied_and_read_in_their_order(engine: ExtractiveSummarizer) -> None:
    source = split_sentences(NOTICE)
    summary = engine.summarize(NOTICE, Budget(sentences=3))
    positions = [source.index(s) for s in summary.sentences]
    assert positions == sorted(positions)
    assert find_unsupported(summary.text, NOTICE) == []


def test_title_steers_the_choice(engine: ExtractiveSummarizer) -> None:
    # Without the opening sentence that names both topics, the title must pick one.
    two_topics = " ".join(split_sentences(NOTICE)[1:5])
    budget = Budget(sentences=1)
    water = engine.summarize(two_topics, budget, title="Lịch cắt nước ở thôn Đông")
    vaccine = engine.summarize(two_topics, budget, title="Tiêm vắc xin sởi cho trẻ")
    assert "nước" in water.text and "vắc xin" not in water.text
    assert "vắc xin" in vaccine.text


def test_batch_gives_the_same_summaries_as_single_calls(engine: ExtractiveSummarizer) -> None:
    texts = [(NOTICE, "Tiêm vắc xin sởi cho trẻ"), (FLOOD, None), ("", None), (NOTICE, None)]
    budget = Budget(sentences=2)
    singles = [engine.summarize(text, budget, title=title) for text, title in texts]
    assert engine.summarize_many(texts, budget) == singles


def test_same_input_same_summary(engine: ExtractiveSummarizer) -> None:
    budget = Budget(sentences=2, seconds=30)
    assert engine.summarize(FLOOD, budget) == engine.summarize(FLOOD, budget)


def test_empty_and_one_sentence_texts(engine: ExtractiveSummarizer) -> None:
    assert engine.summarize("", Budget(sentences=2)).sentences == ()
    one = "Ngày mai xã tổ chức tổng vệ sinh môi trường."
    assert engine.summarize(one, Budget(sentences=2)).sentences == (one,)
