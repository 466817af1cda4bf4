"""What a listener hears of an announcement: no headings or boilerplate, lists with their
lead-in, no title read twice, nothing stale, no different notices merged, warnings whole,
and programmes that keep to their time."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bulletin.errors import ConfigError
from bulletin.selection import LeftOut, NearDuplicates, fill_programme, select
from bulletin.services.station import Station
from bulletin.store import Announcement, NewAnnouncement, Store
from bulletin.summarize.base import Budget
from bulletin.summarize.content import (
    Boilerplate,
    is_warning,
    passages,
    repeats_title,
    trim_to_seconds,
)
from bulletin.summarize.extractive import ExtractiveSummarizer
from bulletin.summarize.lead import LeadSummarizer, speech_seconds
from bulletin.summarize.whole import WholeReader
from bulletin.text.sentences import split_units
from bulletin.workspace import Programme
from tests.conftest import SAMPLES

# A flood warning as provincial portals set it: a heading, a section number, a lead-in and
# its list of communes, figures, a quoted official, and the page's furniture at the end.
WARNING = """CẢNH BÁO LŨ TRÊN SÔNG THU BỒN

1. Tình hình mưa lũ

Từ 19h ngày 14/10 đến 7h ngày 15/10, tỉnh Quảng Nam có mưa to, lượng mưa phổ biến 120 - 180mm.
Mực nước sông Thu Bồn tại Câu Lâu lúc 7h là 3,65m, trên báo động 2 là 0,65m.

2. Dự báo

Trong 12 giờ tới, lũ trên sông Thu Bồn tiếp tục lên; nguy cơ ngập lụt tại các xã:
- Xã Điện Phương, thị xã Điện Bàn;
- Xã Duy Phước, huyện Duy Xuyên;
- Xã Đại Cường, huyện Đại Lộc.
Ông Trần Văn An, Phó Giám đốc Đài, cho biết: "Bà con cần hết sức chủ động, không chủ quan."
Tin phát lúc 8h00 ngày 15/10/2026.
Bản tin tiếp theo được phát lúc 14h00 ngày 15/10/2026.
Nguồn: Đài Khí tượng Thủy văn tỉnh Quảng Nam
Chi tiết xem tại file đính kèm.
Xem thêm tại đây
Mọi chi tiết xin liên hệ: Phòng Dự báo, điện thoại (0235) 3852 123.
"""
WARNING_TITLE = "Cảnh báo lũ trên sông Thu Bồn"

BOILERPLATE = [
    "Tin phát lúc 8h00 ngày 15/10/2026.",
    "Bản tin tiếp theo được phát lúc 14h00 ngày 15/10/2026.",
    "Nguồn: Đài Khí tượng Thủy văn tỉnh Quảng Nam",
    "Chi tiết xem tại file đính kèm./.",
    "Xem thêm tại đây",
    "Mọi chi tiết xin liên hệ: Phòng Dự báo, điện thoại (0235) 3852 123.",
    "Trang chủ | Giới thiệu | Tin tức - Sự kiện | Liên hệ",
    "Điện thoại: 0235.3852123",
    "(Còn nữa)",
]
NOT_BOILERPLATE = [
    "Theo Đài Khí tượng Thủy văn tỉnh, mưa lớn còn kéo dài đến hết ngày 16/10.",
    "Lượng mưa phổ biến >70mm, có nơi >150mm.",
    "Người dân liên hệ trưởng thôn để được hỗ trợ di dời.",
    "Tin bão số 4 cho biết gió mạnh cấp 8.",
]


@pytest.fixture(scope="module")
def extractive() -> ExtractiveSummarizer:
    return ExtractiveSummarizer()


# Headings, boilerplate, lists ----------------------------------------------------------


def test_built_in_boilerplate_is_recognised_and_news_is_not() -> None:
    patterns = Boilerplate.built_in()
    assert [line for line in BOILERPLATE if not patterns.matches(line)] == []
    assert [line for line in NOT_BOILERPLATE if patterns.matches(line)] == []


def test_a_station_extends_the_boilerplate_with_its_own_file(tmp_path: Path) -> None:
    footer = "Đài Truyền thanh xã Minh Hòa trân trọng thông báo."
    assert not Boilerplate.for_workspace(tmp_path).matches(footer)
    (tmp_path / "boilerplate.txt").write_text(
        "# lời chào cuối của đài\nđài truyền thanh xã .* trân trọng thông báo\n", "utf-8"
    )
    station = Boilerplate.for_workspace(tmp_path)
    assert station.matches(footer)
    assert station.matches("Tin phát lúc 8h00.")  # the built-in patterns still hold
    text = f"Xã tổ chức tiêm chủng ngày 5/12. {footer}\n\nMời bà con đưa trẻ đến đúng giờ."
    assert station.strip(text) == (
        "Xã tổ chức tiêm chủng ngày 5/12.\n\nMời bà con đưa trẻ đến đúng giờ."
    )


def test_a_bad_station_pattern_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "boilerplate.txt").write_text("# ok\nnguồn:.*\n(xem thêm\n", "utf-8")
    with pytest.raises(ConfigError) as raised:
        Boilerplate.for_workspace(tmp_path)
    assert "boilerplate.txt" in str(raised.value) and "line 3" in str(raised.value)


def test_passages_leave_out_headings_boilerplate_and_keep_the_list_with_its_lead_in() -> None:
    found = passages(WARNING, WARNING_TITLE)
    texts = [p.text for p in found]
    headings = [u.text for u in split_units(WARNING) if u.heading]
    assert "CẢNH BÁO LŨ TRÊN SÔNG THU BỒN" in headings and "2. Dự báo" in headings
    assert not any(h in t for h in headings for t in texts)
    assert not any(Boilerplate.built_in().matches(s) for p in found for s in p.sentences)
    [listing] = [p for p in found if p.listing]
    assert listing.sentences[0].endswith("tại các xã:")
    assert listing.sentences[1:] == (
        "- Xã Điện Phương, thị xã Điện Bàn;",
        "- Xã Duy Phước, huyện Duy Xuyên;",
        "- Xã Đại Cường, huyện Đại Lộc.",
    )


def test_a_lead_in_whose_list_is_missing_is_left_out() -> None:
    # The table after the colon was an image: the next line is the next section's heading.
    text = (
        "Bão số 4 đang di chuyển theo hướng Tây với tốc độ 20km/h.\n"
        "Dự báo diễn biến bão trong 24 giờ tới:\n"
        "Tuyệt đối không xem nhẹ bão cấp 8\n"
        "Người dân cần chằng chống nhà cửa trước 17h chiều nay."
    )
    texts = [p.text for p in passages(text)]
    assert texts == [
        "Bão số 4 đang di chuyển theo hướng Tây với tốc độ 20km/h.",
        "Người dân cần chằng chống nhà cửa trước 17h chiều nay.",
    ]


def test_numbered_list_items_alone_on_a_line_stay_with_their_lead_in() -> None:
    text = "Các xã có nguy cơ sạt lở đất như sau:\n1. Xã Trà Leng\n2. Xã Trà Dơn\n3. Xã Trà Vân"
    [listing] = passages(text)
    assert listing.listing and len(listing.sentences) == 4


@pytest.mark.parametrize("engine", ["lead", "extractive"])
def test_summaries_never_read_headings_boilerplate_or_a_lead_in_alone(
    engine: str, extractive: ExtractiveSummarizer
) -> None:
    summarizer = LeadSummarizer() if engine == "lead" else extractive
    boilerplate = Boilerplate.built_in()
    for sentences in (1, 2, 3, 5, 8):
        summary = summarizer.summarize(WARNING, Budget(sentences), title=WARNING_TITLE)
        assert summary.sentences
        for index, sentence in enumerate(summary.sentences):
            assert not sentence.isupper() and not sentence.startswith(("1.", "2."))
            assert not boilerplate.matches(sentence)
            if sentence.endswith(":"):
                assert summary.sentences[index + 1].startswith("- Xã")


def test_a_list_too_long_for_the_time_is_not_cut() -> None:
    found = passages(WARNING, WARNING_TITLE)
    listing = next(p for p in found if p.listing)
    budget = Budget(None, seconds=speech_seconds(listing.text, 150) - 1, words_per_minute=150)
    summary = LeadSummarizer().summarize(WARNING, budget, title=WARNING_TITLE)
    assert summary.sentences and not any(s.startswith("- Xã") for s in summary.sentences)
    assert not any(s.endswith(":") for s in summary.sentences)


# The title -----------------------------------------------------------------------------


def test_a_summary_never_just_repeats_the_title(extractive: ExtractiveSummarizer) -> None:
    title = "UBND xã thông báo lịch tiêm vắc xin sởi cho trẻ em"
    text = (
        "UBND xã thông báo lịch tiêm vắc xin sởi cho trẻ em.\n"
        "Trạm y tế xã tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi vào ngày 3/12/2026.\n"
        "Phụ huynh mang theo sổ tiêm chủng của trẻ."
    )
    assert repeats_title("UBND xã thông báo lịch tiêm vắc xin sởi cho trẻ em.", title)
    assert not repeats_title("Mưa lớn.", "Mưa")
    for summarizer in (LeadSummarizer(), extractive):
        summary = summarizer.summarize(text, Budget(1), title=title)
        assert summary.sentences[0].startswith("Trạm y tế xã tiêm")


# Programmes ----------------------------------------------------------------------------

NOW = datetime(2026, 10, 20, 5, 0, tzinfo=UTC)


def _store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db.sqlite3")


def _add(
    store: Store,
    uid: str,
    title: str,
    body: str,
    published: str,
    *,
    source: str = "xa",
    priority: str = "normal",
) -> None:
    store.save_fetch(
        source,
        "rss",
        "u",
        [NewAnnouncement(uid, title, body, None, published)],
        priority=priority,
        tags=[],
    )


def no_merge(items: Sequence[object]) -> list[int | None]:
    return [None] * len(items)


NOTICE = (
    "Ủy ban nhân dân xã thông báo tới toàn thể nhân dân về kế hoạch của xã trong tháng tới. "
    "Các thôn tổ chức họp dân để phổ biến nội dung và lấy ý kiến của bà con."
)


def test_items_past_the_programme_age_are_left_out_with_a_reason(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add(store, "1", "Họp dân thôn Đông", NOTICE, "2026-10-18T07:00:00+07:00")
    _add(store, "2", "Kế hoạch năm 2017", NOTICE, "2017-04-19T07:00:00+07:00")
    _add(store, "3", "Họp dân tuần trước", NOTICE, "2026-10-10T07:00:00+07:00")
    # Warnings go stale after two days by default.
    _add(store, "4", "Cảnh báo mưa lớn", "Mưa lớn 100mm tại các xã.", "2026-10-17T07:00:00+07:00")
    _add(
        store,
        "5",
        "Cảnh báo lũ quét",
        "Lũ quét tại thôn Tây, xã Trà Leng.",
        "2026-10-19T20:00+07:00",
    )
    left_out: list[LeftOut] = []
    chosen = select(
        store,
        Programme(max_minutes=10),
        LeadSummarizer(),
        Budget(2),
        similarity=no_merge,
        now=NOW,
        left_out=left_out,
    )
    assert [c.announcement.title for c in chosen] == ["Cảnh báo lũ quét", "Họp dân thôn Đông"]
    assert {o.announcement.title for o in left_out} == {
        "Kế hoạch năm 2017",
        "Họp dân tuần trước",
        "Cảnh báo mưa lớn",
    }
    assert all(o.key == "content.too_old" for o in left_out)
    old = next(o for o in left_out if o.announcement.title == "Kế hoạch năm 2017")
    assert "2017-04-19" in old.reason("vi") and "7" in old.reason("vi")
    shorter = select(
        store,
        Programme(max_minutes=10, max_age_days=30, warning_max_age_days=5),
        LeadSummarizer(),
        Budget(2),
        similarity=no_merge,
        now=NOW,
    )
    assert len(shorter) == 4


def _announcement(
    index: int, title: str, body: str, published: str = "2026-10-19T07:00:00+07:00"
) -> Announcement:
    return Announcement(index, "xa", str(index), title, None, published, "normal", (), body, None)


def test_a_cut_snippet_is_left_out_with_a_reason() -> None:
    pool = [
        _announcement(1, "Kế hoạch tiêm chủng", "Sáng 27/7, UBND thành phố ban hành Kế hoạch…"),
        _announcement(2, "Họp dân thôn Đông", NOTICE),
    ]
    left_out: list[LeftOut] = []
    chosen = fill_programme(
        pool, LeadSummarizer(), Budget(2), 300, similarity=no_merge, left_out=left_out
    )
    assert [c.announcement.id for c in chosen] == [2]
    assert [(o.announcement.id, o.key) for o in left_out] == [(1, "content.snippet")]


def test_notices_for_different_dates_years_or_codes_are_never_merged() -> None:
    pairs = [
        (
            _announcement(1, "Lịch thi học kỳ I ngày 12/12/2026", "Học sinh khối 9 thi môn Toán."),
            _announcement(2, "Lịch thi học kỳ I ngày 15/12/2026", "Học sinh khối 9 thi môn Toán."),
        ),
        (
            _announcement(3, "Kế hoạch phát triển kinh tế năm 2025", NOTICE),
            _announcement(4, "Kế hoạch phát triển kinh tế năm 2026", NOTICE),
        ),
        (
            _announcement(5, "Công khai dự toán ngân sách quý I", "Theo Quyết định 12/QĐ-UBND."),
            _announcement(6, "Công khai dự toán ngân sách quý I", "Theo Quyết định 31/QĐ-UBND."),
        ),
    ]
    for first, second in pairs:
        assert NearDuplicates()([first, second]) == [None, None], first.title
    # The same notice from two sources still becomes one item.
    same = _announcement(7, "Lịch thi học kỳ I ngày 12/12/2026", "Học sinh khối 9 thi môn Toán.")
    assert NearDuplicates()([pairs[0][0], same]) == [None, 0]


def test_successive_updates_of_a_warning_merge_and_the_newest_is_read(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add(
        store,
        "1",
        "Tin bão số 4 - tin phát lúc 4h00 ngày 19/10",
        "Hồi 1h ngày 19/10, vị trí tâm bão số 4 ở khoảng 17,2 độ Vĩ Bắc; 109,5 độ Kinh Đông. "
        "Sức gió mạnh nhất vùng gần tâm bão mạnh cấp 8, giật cấp 10.",
        "2026-10-19T04:00:00+07:00",
    )
    _add(
        store,
        "2",
        "Tin bão số 4 - tin phát lúc 10h00 ngày 19/10",
        "Hồi 7h ngày 19/10, vị trí tâm bão số 4 ở khoảng 17,5 độ Vĩ Bắc; 108,7 độ Kinh Đông. "
        "Sức gió mạnh nhất vùng gần tâm bão mạnh cấp 8, giật cấp 10.",
        "2026-10-19T10:00:00+07:00",
    )
    chosen = select(store, Programme(max_minutes=10), LeadSummarizer(), Budget(2), now=NOW)
    assert [c.announcement.uid for c in chosen] == ["2"]
    assert len(chosen[0].merged) == 1


# Warnings read whole, and time limits ---------------------------------------------------


def test_warnings_are_recognised_by_priority_tags_or_title() -> None:
    assert is_warning("Thông báo", priority="emergency")
    assert is_warning("Thông báo", tags=["canh-bao"])
    for title in (
        "Tin bão số 4",
        "Cảnh báo lũ trên sông Thu Bồn",
        "Lịch cắt điện tuần từ 5/12",
        "Lịch tiêm vắc xin sởi",
        "Lịch thi học kỳ I",
        "Phòng chống dịch sốt xuất huyết",
    ):
        assert is_warning(title), title
    assert not is_warning("Hội nghị tổng kết phong trào văn nghệ")


def test_a_warning_is_read_whole_in_a_programme() -> None:
    pool = [_announcement(1, WARNING_TITLE, WARNING)]
    [item] = fill_programme(pool, LeadSummarizer(), Budget(2), 600, similarity=no_merge)
    assert item.summary.engine == "whole"
    assert item.summary.sentences == tuple(
        s for p in passages(WARNING, WARNING_TITLE) for s in p.sentences
    )
    assert any("Câu Lâu" in s for s in item.summary.sentences)
    assert any("Đại Cường" in s for s in item.summary.sentences)


def test_a_warning_over_the_time_keeps_lists_and_figures_before_commentary() -> None:
    found = passages(WARNING, WARNING_TITLE)
    whole = sum(speech_seconds(p.text, 150) for p in found)
    budget = Budget(None, seconds=whole - 3, words_per_minute=150)
    summary = WholeReader().summarize(WARNING, budget, title=WARNING_TITLE)
    assert not any("cho biết" in s for s in summary.sentences)
    assert any("Đại Cường" in s for s in summary.sentences)
    assert any("3,65m" in s for s in summary.sentences)


def test_time_budgets_count_numbers_as_they_are_read() -> None:
    # "212,6mm" is one written word and nine spoken ones: a budget counts the spoken.
    text = "Lượng mưa đo được tại trạm Trà My là 212,6mm."
    assert speech_seconds(text, 150) > len(text.split()) * 60 / 150 + 2


def test_a_programme_never_runs_over_its_minutes_even_with_emergencies() -> None:
    body = " ".join(
        f"Thôn số {i} sơ tán dân trước 17h ngày 19/10 về nhà văn hóa xã." for i in range(9)
    )
    pool = [
        Announcement(
            i,
            "xa",
            str(i),
            f"Lệnh sơ tán khẩn cấp đợt {i}",
            None,
            None,
            "emergency",
            (),
            body,
            None,
        )
        for i in range(1, 6)
    ]
    budget = Budget(3, words_per_minute=150)
    chosen = fill_programme(
        pool, LeadSummarizer(), budget, 90, similarity=no_merge, frame_seconds=20
    )
    spent = 20 + sum(
        2 + speech_seconds(f"{c.announcement.title} {c.summary.text}", 150) for c in chosen
    )
    assert chosen and spent <= 90


def test_a_time_limit_cuts_between_passages_never_inside_a_list() -> None:
    found = passages(WARNING, WARNING_TITLE)
    sentences = [s for p in found for s in p.sentences]
    lead_in = next(i for i, s in enumerate(sentences) if s.endswith(":"))
    # Room for everything up to the second item of the list: the list goes, and its lead-in.
    limit = sum(len(s.split()) for s in sentences[: lead_in + 2]) + 0.5
    kept = trim_to_seconds(sentences, lambda s: len(s.split()), limit)
    assert kept == tuple(sentences[:lead_in])
    assert trim_to_seconds(sentences, lambda s: 1.0, 100) == tuple(sentences)
    assert trim_to_seconds(sentences, lambda s: 1.0, 0.5) == ()


# Who issued it, and limits measured on the voice's audio ----------------------------------


@pytest.fixture
def station(tmp_path: Path) -> Station:
    target = tmp_path / "ws"
    shutil.copytree(SAMPLES, target)
    sources = (target / "sources.yaml").read_text("utf-8")
    (target / "sources.yaml").write_text(
        sources.replace(
            "    name: UBND xã Minh Hòa ",
            "    issuer: Ủy ban nhân dân xã Minh Hòa\n    name: UBND xã Minh Hòa ",
        ),
        "utf-8",
    )
    return Station.open(target)


def test_each_item_says_who_issued_it(station: Station) -> None:
    from bulletin.script import write_script

    ws = station.workspace
    _, programme = ws.programme()
    _, voice = ws.voice()
    notice = Announcement(
        1, "thong-bao-xa", "1", "Lịch tiêm chủng", None, None, "normal", (), NOTICE, None
    )
    feed = Announcement(2, "tin-huyen", "2", "Tin huyện", None, None, "normal", (), NOTICE, None)
    script = write_script(
        ws, programme, voice, [(notice, [NOTICE]), (feed, [NOTICE])], datetime(2026, 10, 20)
    )
    first = [line.text for line in script if line.item_position == 1]
    second = [line.text for line in script if line.item_position == 2]
    assert first[1] == "Theo Ủy ban nhân dân xã Minh Hòa:"
    assert not any(line.startswith("Theo ") for line in second)  # no issuer set for the feed


def test_summarize_seconds_holds_on_the_spoken_audio(station: Station) -> None:
    from bulletin.services.building import spoken_seconds
    from bulletin.services.text import summarize

    text = WARNING.replace("\n", " ") + " " + NOTICE
    limit = 12.0
    [summary] = summarize(station, [(text, WARNING_TITLE)], seconds=limit)
    measure = spoken_seconds(station, station.workspace.voice()[1])
    assert summary.sentences
    assert sum(measure(s) for s in summary.sentences) <= limit


@pytest.mark.long(40)
def test_a_built_bulletin_over_its_minutes_drops_its_last_items(station: Station) -> None:
    from bulletin.services.building import build, keep_to_time
    from bulletin.services.fetching import fetch_sources

    fetch_sources(station)
    bulletin_id = build(station)
    with station.store(readonly=True) as store:
        before = store.bulletin(bulletin_id).duration_s
        items = store.bulletin_items(bulletin_id)
    assert before is not None and len(items) >= 2
    limit = before - 2.0
    keep_to_time(station, bulletin_id, limit, actor="bulletin")
    with station.store(readonly=True) as store:
        after = store.bulletin(bulletin_id)
        kept = store.bulletin_items(bulletin_id)
    assert after.duration_s is not None and after.duration_s <= limit
    assert [i.announcement_id for i in kept] == [i.announcement_id for i in items[: len(kept)]]
    assert len(kept) < len(items) and after.state == "built"
    from bulletin.services.checking import check

    found = check(station, bulletin_id).as_json()
    assert found["bulletin"] == bulletin_id
    assert all({"sentence", "kind", "detail"} <= set(f) for f in found["findings"])


def test_the_script_check_flags_what_a_reader_should_look_at(station: Station) -> None:
    from bulletin.domain import Sentence
    from bulletin.services.checking import sentence_findings

    def kinds(text: str, spoken: str, part: str = "item") -> set[str]:
        row = Sentence(0, part, 1 if part == "item" else None, text, spoken, None)
        return {f.kind for f in sentence_findings(station, row)}

    assert kinds("Công ty XYZ tặng quà.", "Công ty ích i dét tặng quà.") == {"acronym"}
    assert kinds("Xem trên Facebook.", "Xem trên Facebook.") == {"foreign"}
    assert kinds("Lượng mưa đo được 212.6mm.", "Lượng mưa đo được 212.6 mi li mét.") == {"symbol"}
    assert kinds("và các xã lân cận.", "và các xã lân cận.") == {"lowercase"}
    assert kinds("Tình hình", "Tình hình") == {"fragment"}
    long = "Mưa " + " ".join(["to"] * 60) + "."
    assert kinds(long, long) == {"long"}
    fine = "Xã tổ chức tiêm chủng cho trẻ em vào sáng thứ bảy."
    assert kinds(fine, fine) == set()


@pytest.mark.long(30)
def test_check_command_prints_the_findings_as_json(built_copy: Path) -> None:
    from tests.conftest import run_bulletin

    listed = run_bulletin("-w", str(built_copy), "show", "1", "--json")
    assert listed.code == 0, listed.err
    result = run_bulletin("-w", str(built_copy), "check", "1", "--json")
    assert result.code == 0, result.err
    document = result.json()
    assert document["bulletin"] == 1 and isinstance(document["findings"], list)
    human = run_bulletin("-w", str(built_copy), "check", "1")
    assert human.code == 0 and "Bản tin 1" in human.out
    missing = run_bulletin("-w", str(built_copy), "check", "999")
    assert missing.code != 0 and "Traceback" not in missing.err


def test_a_notice_not_in_vietnamese_is_left_out() -> None:
    english = (
        "Once just another downtown street, Nguyen Hue is now a top tourist attraction and a "
        "family-friendly venue for people of all ages."
    )
    pool = [
        _announcement(1, "A look back at two years of Saigon's walking street", english),
        _announcement(2, "Họp dân thôn Đông", NOTICE),
    ]
    left_out: list[LeftOut] = []
    chosen = fill_programme(
        pool, LeadSummarizer(), Budget(2), 300, similarity=no_merge, left_out=left_out
    )
    assert [c.announcement.id for c in chosen] == [2]
    assert [(o.announcement.id, o.key) for o in left_out] == [(1, "content.not_vietnamese")]


def test_a_nested_list_stays_whole_under_its_lead_in() -> None:
    text = (
        "Dự báo ngập lụt như sau:\n"
        "Tại huyện Đại Lộc:\n"
        "- Xã Đại Cường;\n"
        "- Xã Đại Hòa.\n"
        "Bà con chủ động sơ tán trước 17h."
    )
    found = passages(text)
    assert [len(p.sentences) for p in found] == [4, 1]
    assert found[0].listing and found[0].sentences[-1] == "- Xã Đại Hòa."
