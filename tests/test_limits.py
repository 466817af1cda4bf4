"""Bounded work on hostile input: normalizing and cleaning long runs, and `say`'s size cap."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.errors import InputError
from bulletin.services.speech import MAX_SAY_CHARS, say
from bulletin.speech.normalize import normalize
from bulletin.text.clean import attachment_note, clean_line, clean_text
from bulletin.text.sentences import split_sentences
from tests.conftest import HANG_S

# Several were quadratic before (100,000 hyphens took minutes): a run costs one scan now, not
# one from each of its positions. Runs that make every few characters a number to read out
# are shorter, as reading 25,000 numbers is real work, linear but not free.
HOSTILE_FOR_NORMALIZE = {
    "hyphens": "-" * 100_000,
    "dots": "." * 100_000,
    "slashes": "/" * 100_000,
    "at signs": "@" * 100_000,
    "spaces": " " * 100_000,
    "digits with hyphens": "1-" * 25_000,
    "digits with dots": "1." * 25_000,
    "digits with slashes": "1/" * 25_000,
    "digits with commas": "1," * 25_000,
    "digits with spaces": "0 " * 25_000,
    "one long number": "9" * 100_000,
    "words with hyphens": "ab-" * 33_000,
    "words with dots": "ab." * 33_000,
    "one long word": "a" * 100_000,
    "one long acronym": "X" * 100_000,
    "schemes": "https://" * 12_500,
    "abbreviations": "UBND " * 10_000,
    "times after a cue": "lúc 16g " * 6_000,
    "fractions": "số nhà 1/2 " * 4_500,
}

HOSTILE_FOR_CLEAN = {
    "unclosed tags": "<" * 100_000,
    "unclosed blocks": "<p " * 33_000,
    "a block closing a run of openings": "<" * 100_000 + "<p>",
    "unclosed comments": "<!--" * 25_000,
    "unclosed scripts": "<script>" * 12_500,
    "scripts closed by another element": "<script>" * 12_000 + "</style>",
    "attachment anchors in one sentence": "file đính kèm " * 7_000,
    "attachment notes": "Xem file đính kèm. " * 5_000,
    "separator spaces": "lượt xem" + "\x1f" * 100_000 + "x",
    "line separators before a caption": "a" + "\u2028" * 100_000 + "x",
    "a byline of spaces": "Nội dung.\ntheo" + "\x1c" * 100_000 + ",",
}

HOSTILE_FOR_SENTENCES = {
    "abbreviations": "Tại TP. Vinh " * 10_000,
    "initials": "Anh A. (SN 1990) " * 7_000,
}


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


@pytest.mark.parametrize("text", HOSTILE_FOR_NORMALIZE.values(), ids=HOSTILE_FOR_NORMALIZE)
def test_normalize_reads_a_hostile_run_without_hanging(text: str) -> None:
    assert _seconds(lambda: normalize(text)) < HANG_S


def test_normalize_still_reads_urls_and_sentence_openings() -> None:
    assert normalize("Xem tại congbao.chinhphu.vn.") == (
        "Xem tại công báo chấm chính phủ chấm vê en."
    )
    assert normalize("Họp. CSGT trực.\nCSGT trực") == (
        "Họp. Cảnh sát giao thông trực.\nCảnh sát giao thông trực"
    )
    assert normalize("Số nhà   12/4, từ    16g.") == ("Số nhà mười hai trên bốn, từ mười sáu giờ.")


@pytest.mark.parametrize("raw", HOSTILE_FOR_CLEAN.values(), ids=HOSTILE_FOR_CLEAN)
def test_cleaning_hostile_markup_does_not_hang(raw: str) -> None:
    assert _seconds(lambda: (clean_text(raw), clean_line(raw), attachment_note(raw))) < HANG_S


def test_cleaning_still_drops_scripts_comments_tags_and_attachment_notes() -> None:
    raw = (
        "<p>Thông báo <b>cắt điện</b>.</p><!-- quảng cáo --><SCRIPT>if (a<b) x()</script >"
        "<style>p{}</style><p>Toàn văn kế hoạch xem tại file đính kèm./.</p><p>Hết.</p>"
    )
    assert clean_text(raw) == "Thông báo cắt điện .\n\nHết."
    assert attachment_note(raw) == "Toàn văn kế hoạch xem tại file đính kèm"
    assert clean_text("a <script> b") == "a b"


@pytest.mark.parametrize("text", HOSTILE_FOR_SENTENCES.values(), ids=HOSTILE_FOR_SENTENCES)
def test_splitting_hostile_sentences_does_not_hang(text: str) -> None:
    assert _seconds(lambda: split_sentences(text)) < HANG_S


def test_sentences_still_join_after_abbreviations_and_initials() -> None:
    assert split_sentences("Tại TP. Vinh hôm nay. Anh Nguyễn Văn D. (SN 1993) bị bắt. Hết.") == [
        "Tại TP. Vinh hôm nay.",
        "Anh Nguyễn Văn D. (SN 1993) bị bắt.",
        "Hết.",
    ]


def test_say_refuses_text_over_the_limit_naming_limit_and_size(tmp_path: Path) -> None:
    out = tmp_path / "x.mp3"
    started = time.perf_counter()
    with pytest.raises(InputError) as refused:
        say(None, "Bà con chú ý. " * 75_000, out, None)
    assert time.perf_counter() - started < HANG_S
    assert refused.value.exit_code == 2
    assert refused.value.params == {"size": 1_050_000, "limit": MAX_SAY_CHARS}
    assert "1050000" in str(refused.value) and str(MAX_SAY_CHARS) in str(refused.value)
    assert not list(tmp_path.iterdir())


def test_say_refuses_text_that_grows_past_the_limit_when_read(tmp_path: Path) -> None:
    text = "0 " * (MAX_SAY_CHARS // 2 - 1)  # under the limit as written
    with pytest.raises(InputError) as refused:
        say(None, text, tmp_path / "x.wav", None)
    assert refused.value.key == "say.too_long_spoken"
    assert refused.value.params["size"] > MAX_SAY_CHARS


@pytest.mark.parametrize("text", ["🎉🎉🎉", "!!! ??? ...", "— * — • —", "😀. 👍! 🙏?"])
def test_say_refuses_text_with_nothing_to_read(text: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as refused:
        say(None, text, tmp_path / "x.mp3", None)
    assert refused.value.key == "say.unspeakable"
    assert refused.value.exit_code == 2
    assert not list(tmp_path.iterdir())


def test_say_leaves_out_sentences_with_nothing_to_read(tmp_path: Path) -> None:
    out = tmp_path / "x.wav"
    spoken = say(None, "Kính thưa bà con.\n🎉🎉🎉\nXin cảm ơn.", out, None)
    assert spoken.spoken == ["Kính thưa bà con.", "Xin cảm ơn."]
    with wave.open(str(out)) as written:
        assert written.getnframes() / written.getframerate() == pytest.approx(spoken.duration_s)
    assert spoken.duration_s > 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["x.wav"]
