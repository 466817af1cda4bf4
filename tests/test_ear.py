"""The machine ear: syllable error rates, viet-asr transcribing the embedded eSpeak voice, and
`voices test --score` (with and without the `ear` extra)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bulletin.errors import EXIT_FAILED
from bulletin.speech.ear import (
    Ear,
    edit_distance,
    key_phrases,
    missed,
    resample,
    score,
    scoring_sentences,
    syllable_error_rate,
    syllables,
)
from tests.conftest import run_bulletin

SENTENCE = "Sáng mai xã tổ chức họp dân lúc tám giờ tại nhà văn hóa."
OTHER = "Bão số ba đang vào vùng biển phía bắc, gió mạnh cấp mười."
VIETNAMESE_LETTERS = set("ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ")


def test_syllables_ignore_case_punctuation_and_tone_mark_placement() -> None:
    assert syllables("Xin chào, BÀ CON!") == syllables("xin chào bà con")
    assert syllables("hoà bình") == syllables("hòa bình")  # old and new spelling
    assert syllables("hòa") != syllables("hoa")  # a lost tone is an error
    # Decomposed input (NFD) reads the same as composed.
    assert syllables(unicodedata.normalize("NFD", "Thủy lợi")) == syllables("thủy lợi")


def test_syllable_error_rate_counts_edits_over_reference_syllables() -> None:
    reference = "bảy giờ ba mươi phút sáng"  # 6 syllables
    assert syllable_error_rate(reference, reference) == 0.0
    assert syllable_error_rate(reference, "bảy giờ ba mươi phút sáng.") == 0.0
    assert syllable_error_rate(reference, "bảy giờ bốn mươi phút sáng") == pytest.approx(1 / 6)
    assert syllable_error_rate(reference, "bảy giờ phút sáng") == pytest.approx(2 / 6)
    assert syllable_error_rate(reference, "bảy giờ ba mươi phút sáng mai") == pytest.approx(1 / 6)
    assert syllable_error_rate(reference, "") == 1.0
    assert score(reference, "tám giờ").errors == 5
    assert edit_distance(["a", "b", "c"], ["c", "b", "a"]) == 2
    assert syllable_error_rate("", "") == 0.0 and syllable_error_rate("", "thừa") == 1.0


def test_scoring_sentences_hold_numbers_dates_and_times() -> None:
    sentences = scoring_sentences()
    assert 8 <= len(sentences) <= 15
    text = " ".join(sentences)
    assert any(c.isdigit() for c in text) and "/" in text and "h" in text


@pytest.fixture(scope="module")
def ear() -> Ear:
    pytest.importorskip("vietasr", reason="the ear extra: pip install 'bulletin[ear]'")
    return Ear.load()


@pytest.mark.long(15)
def test_the_ear_transcribes_the_embedded_voice_into_vietnamese_syllables(ear: Ear) -> None:
    import numpy as np

    from bulletin.speech.profiles import engine_for
    from bulletin.workspace import VoiceProfile

    chunk = engine_for(VoiceProfile()).synthesize(SENTENCE)
    heard = ear.transcribe(chunk.samples, chunk.sample_rate)
    words = heard.split()
    # eSpeak is hard to understand, so only this: the ear ran and heard Vietnamese.
    assert len(words) >= 4, heard
    assert all(w.isalpha() for w in words), heard
    assert VIETNAMESE_LETTERS & set(heard.lower()), heard
    assert syllable_error_rate(heard, heard) == 0.0
    assert syllable_error_rate(OTHER, heard) > 0.6
    # The same audio handed over at the model's own rate reads the same way.
    at_16k = resample(chunk.samples, chunk.sample_rate, 16000)
    assert abs(len(at_16k) - len(chunk.samples) * 16000 / chunk.sample_rate) <= 1
    assert at_16k.dtype == np.int16
    assert ear.transcribe(at_16k, 16000) == heard


@pytest.mark.long(25)
def test_voices_test_score_json(ear: Ear, sample_ws: Path, tmp_path: Path) -> None:
    sentences = tmp_path / "cau.txt"
    sentences.write_text(f"{SENTENCE}\n\nHọp lúc 7h30 ngày 2/9.\n", encoding="utf-8")
    done = run_bulletin(
        "-w", str(sample_ws), "voices", "test", "giong-mien-bac", "--score",
        "--sentences", str(sentences), "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    document = done.json()
    assert document["voice"] == "giong-mien-bac" and document["engine"] == "espeak"
    assert set(document) >= {"ser", "syllables", "errors", "seconds", "sentences"}
    first, second = document["sentences"]
    assert set(first) == {"index", "text", "spoken", "heard", "syllables", "errors", "ser"}
    assert second["spoken"].startswith("Họp lúc bảy giờ ba mươi phút ngày")  # normalized
    assert second["syllables"] == len(syllables(second["spoken"]))
    assert document["syllables"] == first["syllables"] + second["syllables"]
    assert document["ser"] == pytest.approx(document["errors"] / document["syllables"], abs=1e-4)
    assert first["ser"] >= 0.0 and first["heard"]


def test_voices_test_score_without_the_extra_says_what_to_install(
    sample_ws: Path, tmp_path: Path
) -> None:
    # A Python where `import vietasr` fails, as on a machine without the extra.
    blocker = tmp_path / "no-ear"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class _NoEar:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'vietasr' or name.startswith('vietasr.'):\n"
        "            raise ImportError('blocked for a test: ' + name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _NoEar())\n",
        encoding="utf-8",
    )
    done = run_bulletin(
        "-w", str(sample_ws), "voices", "test", "giong-mien-bac", "--score", "--json",
        env={"PYTHONPATH": str(blocker)},
    )  # fmt: skip
    assert done.code == EXIT_FAILED
    assert "bulletin[ear]" in done.err and done.out == ""
    assert "Traceback" not in done.err


def test_key_phrases_are_the_figures_and_names_a_listener_must_catch() -> None:
    written = "Xã Minh Hòa cấp 25 suất quà cho hộ nghèo tại thôn Đông Sơn ngày 3/12."
    spoken = (
        "Xã Minh Hòa cấp hai mươi lăm suất quà cho hộ nghèo tại thôn Đông Sơn "
        "ngày ba tháng mười hai."
    )
    assert key_phrases(written, spoken) == [
        "hai mươi lăm",
        "ba",
        "mười hai",
        "minh hòa",
        "đông sơn",
    ]
    heard = "xã minh hoà cấp hai mươi lăm suất quà cho hộ nghèo tại thôn đông sơn ngày ba tháng"
    assert missed(written, spoken, heard) == ["mười hai"]
    # A name the normalizer expanded ("UBND") is not a phrase to listen for as written.
    assert key_phrases("Theo UBND xã Tân Lập.", "Theo ủy ban nhân dân xã Tân Lập.") == ["tân lập"]


@pytest.mark.long(30)
def test_check_with_the_ear_flags_sentences_heard_without_their_figures_or_names(
    ear: Ear, built_copy: Path
) -> None:
    from bulletin import workspace
    from bulletin.services import Station
    from bulletin.services.building import build
    from bulletin.services.checking import check, heard_findings
    from bulletin.speech.cache import SentenceCache

    station = Station(workspace.load(built_copy))
    with station.store() as store:
        first_item = store.bulletin_items(store.latest_bulletin_id() or 0)[0]
    # A bulletin of one item, so the ear has a few sentences to listen to, not thirty.
    small = build(station, item_ids=[first_item.announcement_id], actor="test")
    plain = check(station, small)
    assert not [f for f in plain.findings if f.kind == "misheard"]
    with station.store() as store:
        rows = store.sentences(small)
    # The embedded voice is hard to understand: the ear misses figures or names somewhere.
    heard = check(station, small, ear=ear)
    misheard = [f for f in heard.findings if f.kind == "misheard"]
    assert misheard
    by_index = {row.index: row for row in rows}
    for finding in misheard:
        row = by_index[finding.sentence or 0]
        spoken = " " + " ".join(syllables(row.spoken)) + " "
        for phrase in finding.detail.split(", "):
            assert phrase in key_phrases(row.text, row.spoken), (phrase, row)
            assert f" {' '.join(syllables(phrase))} " in spoken, (phrase, row)
    # Findings stay in script order, whole-item findings last.
    order = [(f.sentence is None, f.sentence or 0) for f in heard.findings]
    assert order == sorted(order)
    # A sentence whose audio left the cache is named, not skipped silently.
    first = next(r for r in rows if r.audio_key)
    cache = SentenceCache(station.workspace.cache_dir / "sentences")
    key = first.audio_key or ""
    (cache.directory / key[:2] / key[2:4] / f"{key}.wav").unlink()
    (gone,) = heard_findings(station, [first], ear)
    assert (gone.sentence, gone.kind) == (first.index, "misheard")
    assert str(first.index) in gone.detail


def test_check_ear_without_the_extra_says_how_to_get_it(built_ws: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nsys.modules['vietasr'] = None\n", encoding="utf-8"
    )
    done = run_bulletin(
        "-w", str(built_ws), "check", "latest", "--ear", env={"PYTHONPATH": str(blocker)}
    )
    assert done.code == EXIT_FAILED
    assert "bulletin[ear]" in done.err
