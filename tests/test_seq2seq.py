"""The seq2seq engine's plumbing, on a tiny random T5 built at test time (quality is not tested)."""

from __future__ import annotations

import os

# Set before transformers/huggingface_hub are imported: they read it once, at import.
os.environ["HF_HUB_OFFLINE"] = "1"

import json
import shutil
import sys
from pathlib import Path

import pytest

from bulletin.errors import InputError
from bulletin.summarize import build_summarizer
from bulletin.summarize.base import Budget, SummarizerError, Summary
from bulletin.summarize.seq2seq import Seq2SeqSummarizer, max_new_tokens_for
from bulletin.workspace import SummaryConfig
from tests.tiny_models import build_tiny_t5, convert_to_ctranslate2

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

ARTICLE = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi. "
    "Thời gian tiêm từ 7 giờ 30 ngày 15 tháng 3 năm 2025 tại trạm y tế xã. "
    "Đề nghị các hộ gia đình đưa trẻ đến đúng giờ và mang theo sổ tiêm chủng."
)
SHORT = "Bão số 3 đang di chuyển vào vùng biển phía bắc, gió mạnh cấp 10."
LONG = " ".join([ARTICLE, SHORT, "Người dân không ra khơi, gia cố nhà cửa."] * 3)


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    # Matrices this small run fastest on one thread; several threads spin against each other.
    torch.set_num_threads(1)
    return build_tiny_t5(tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture(scope="session")
def tiny_t5_summarizer(tiny_t5: Path) -> Seq2SeqSummarizer:
    return Seq2SeqSummarizer(model=str(tiny_t5), num_beams=2, max_new_tokens=48)


@pytest.fixture(scope="session")
def tiny_ct2(tiny_t5: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ctranslate2")
    return convert_to_ctranslate2(tiny_t5, tmp_path_factory.mktemp("tiny-t5-ct2") / "model")


def assert_plain_summary(summary: Summary, budget: Budget) -> None:
    assert summary.engine == "seq2seq"
    assert summary.fallback_reason is None
    assert len(summary.sentences) >= 1
    assert all(isinstance(s, str) and s.strip() for s in summary.sentences)
    assert budget.sentences is None or len(summary.sentences) <= budget.sentences


def test_transformers_backend_returns_sentences_within_budget(
    tiny_t5_summarizer: Seq2SeqSummarizer,
) -> None:
    budget = Budget(sentences=1)
    summary = tiny_t5_summarizer.summarize(ARTICLE, budget, title="Thông báo tiêm chủng")
    assert_plain_summary(summary, budget)


def test_summary_settings_build_the_engine(tiny_t5: Path) -> None:
    settings = {
        "seq2seq": {
            "model": str(tiny_t5),
            "backend": "transformers",
            "num_beams": 1,
            "max_new_tokens": 16,
        }
    }
    engine = build_summarizer("seq2seq", SummaryConfig.model_validate(settings))
    assert engine.name == "seq2seq"
    assert_plain_summary(engine.summarize(SHORT, Budget(sentences=2)), Budget(sentences=2))


def test_batch_keeps_input_order_and_matches_single_calls(
    tiny_t5_summarizer: Seq2SeqSummarizer,
) -> None:
    budget = Budget(sentences=2)
    texts: list[tuple[str, str | None]] = [(LONG, None), (SHORT, "Tin bão"), (ARTICLE, None)]
    batch = tiny_t5_summarizer.summarize_many(texts, budget)
    assert len(batch) == 3
    for summary, (text, title) in zip(batch, texts, strict=True):
        assert_plain_summary(summary, budget)
        assert summary == tiny_t5_summarizer.summarize(text, budget, title=title)


def test_speech_time_budget_caps_generated_tokens(tiny_t5_summarizer: Seq2SeqSummarizer) -> None:
    budget = Budget(sentences=None, seconds=4, words_per_minute=150)
    limit = max_new_tokens_for(budget, tiny_t5_summarizer.max_new_tokens)
    assert limit < tiny_t5_summarizer.max_new_tokens
    summary = tiny_t5_summarizer.summarize(LONG, budget)
    assert_plain_summary(summary, budget)
    # Every written word starts a new SentencePiece token, so words cannot outnumber tokens.
    assert len(summary.text.split()) <= limit


def test_length_hint_grows_with_budget_and_stays_capped() -> None:
    short = max_new_tokens_for(Budget(sentences=None, seconds=10), cap=256)
    long = max_new_tokens_for(Budget(sentences=None, seconds=60), cap=256)
    assert 16 <= short < long <= 256
    assert max_new_tokens_for(Budget(sentences=None, seconds=600), cap=256) == 256
    assert max_new_tokens_for(Budget(sentences=None, seconds=None), cap=100) == 100
    # The tighter of sentences and seconds wins, as in fit_budget.
    assert max_new_tokens_for(Budget(sentences=1, seconds=600), cap=256) < 256


def test_long_input_is_truncated_to_max_input_tokens(tiny_t5: Path) -> None:
    engine = Seq2SeqSummarizer(model=str(tiny_t5), max_input_tokens=16, num_beams=1)
    assert_plain_summary(engine.summarize(LONG * 5, Budget()), Budget())


def test_ctranslate2_backend_runs_the_int8_conversion(tiny_ct2: Path) -> None:
    engine = Seq2SeqSummarizer(model=str(tiny_ct2), backend="ctranslate2", num_beams=2)
    budget = Budget(sentences=2)
    summaries = engine.summarize_many([(ARTICLE, None), (SHORT, "Tin bão")], budget)
    assert len(summaries) == 2
    for summary in summaries:
        assert_plain_summary(summary, budget)


def test_ctranslate2_folder_with_only_spiece_model_loads_a_t5_tokenizer(
    tiny_t5: Path, tmp_path: Path
) -> None:
    pytest.importorskip("ctranslate2")
    # The install hint converts with `--copy_files spiece.model` only.
    folder = convert_to_ctranslate2(tiny_t5, tmp_path / "ct2", copy_files=["spiece.model"])
    engine = Seq2SeqSummarizer(model=str(folder), backend="ctranslate2", num_beams=1)
    assert_plain_summary(engine.summarize(SHORT, Budget()), Budget())


def test_missing_model_folder_names_the_model_and_how_to_install_it(tmp_path: Path) -> None:
    missing = tmp_path / "models" / "vit5"
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model=str(missing))
    assert caught.value.key == "summarize.model_missing"
    assert caught.value.exit_code == 2
    message = str(caught.value)
    assert str(missing) in message
    assert "hf download VietAI/vit5-base-vietnews-summarization" in message


def test_model_id_not_in_the_local_cache_is_missing_not_downloaded() -> None:
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model="bulletin-tests/no-such-model")
    assert caught.value.key == "summarize.model_missing"
    assert "hf download bulletin-tests/no-such-model" in str(caught.value)


def test_missing_ctranslate2_model_explains_the_conversion(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model=str(tmp_path / "vit5-ct2"), backend="ctranslate2")
    assert "ct2-transformers-converter" in str(caught.value)
    assert "--quantization int8" in str(caught.value)


def test_unconverted_checkpoint_given_to_ctranslate2_says_what_is_missing(tiny_t5: Path) -> None:
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model=str(tiny_t5), backend="ctranslate2")
    assert caught.value.key == "summarize.model_incomplete"
    assert "model.bin" in str(caught.value)
    assert "ct2-transformers-converter" in str(caught.value)


def test_spiece_only_checkpoint_without_protobuf_is_a_clear_error(
    tiny_t5: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "spiece-only"
    shutil.copytree(tiny_t5, folder)
    (folder / "tokenizer.json").unlink()
    monkeypatch.setitem(sys.modules, "google.protobuf", None)  # as if protobuf were absent
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model=str(folder))
    assert caught.value.key == "summarize.tokenizer_needs_sentencepiece"
    assert str(folder) in str(caught.value)


def test_unset_model_says_which_setting_to_fill() -> None:
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model="")
    assert caught.value.key == "summarize.no_model"
    assert "summary.seq2seq.model" in str(caught.value)


def test_generation_failure_is_a_summarizer_error_for_the_fallback(
    tiny_t5: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "no-start-token"
    shutil.copytree(tiny_t5, folder)
    for name in ("config.json", "generation_config.json"):
        config = json.loads((folder / name).read_text(encoding="utf-8"))
        config.pop("decoder_start_token_id", None)
        (folder / name).write_text(json.dumps(config), encoding="utf-8")
    engine = Seq2SeqSummarizer(model=str(folder), num_beams=1)
    with pytest.raises(SummarizerError) as caught:
        engine.summarize(SHORT, Budget())
    assert caught.value.key == "summarize.seq2seq_failed"


def test_missing_extra_names_the_pip_install(
    tiny_t5: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model=str(tiny_t5))
    assert caught.value.key == "summarize.extra_missing"
    assert caught.value.params["extra"] == "seq2seq"


def test_unknown_backend_is_bad_input(tiny_t5: Path) -> None:
    with pytest.raises(InputError) as caught:
        Seq2SeqSummarizer(model=str(tiny_t5), backend="onnx")  # type: ignore[arg-type]
    assert caught.value.key == "summarize.backend"
