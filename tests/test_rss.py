"""Feeds as real Vietnamese portals publish them: every quirk recovered, hostile XML refused,
conditional GET and article pages over a real server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bulletin import workspace as workspaces
from bulletin.errors import SourceError
from bulletin.services import Station
from bulletin.services.fetching import fetch_sources
from bulletin.sources.dates import parse_date
from bulletin.sources.rss import canonical_link, read_feed
from bulletin.store import NewAnnouncement, Store
from tests.httpserver import HttpServer, Reply, http_server, sequence, static, status

__all__ = ["http_server"]

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# Written for these tests, modelled on the breakages seen in provincial and ministry feeds.
QUIRKY = """Trang này không có thông tin định dạng. Cây tài liệu được hiển thị bên dưới.
<rss version="2.0"><channel>
<title>Cổng thông tin điện tử huyện Minh Hòa</title>
<link>https://minhhoa.example.gov.vn/</link>
<item>
<title>
   Thông báo lịch cắt điện   &amp; nước
   tuần 38 </title>
<link><![CDATA[ https://minhhoa.example.gov.vn/tin-tuc/lich-cat-dien-tuan-38.html ]]></link>
<description><![CDATA[<a href="/tin-tuc/lich-cat-dien.html"><img src="/anh/dien.jpg"></a></br>
<p>Điện lực Minh Hòa thông báo tạm ngừng cung cấp điện để bảo dưỡng lưới điện.</p>]]></description>
<pubDate>9/14/2026 6:44:00 PM</pubDate>
</item>
<item>
<title>Hội nghị Sở Tài nguyên & Môi trường về phòng chống thiên tai</title>
<link>
https:/baochinhphu.example.vn/hoi-nghi-phong-chong-thien-tai-102260914.htm
</link>
<description>UBND xã đề nghị bà con chủ động phương án, &amp;amp; theo dõi bản tin.</description>
<pubDate>14/09/2026 18:44</pubDate>
</item>
<item>
<title>Kế ho&amp;#7841;ch tiêm chủng mở rộng&nbsp;đợt 3</title>
<link>http:www.example.gov.vn/tiem-chung-dot-3.html</link>
<description>Trạm y tế xã tổ chức tiêm chủng cho trẻ dưới 5 tuổi…</description>
<pubDate>Mon, 14 Sep 2026 18:44:00</pubDate>
</item>
<item>
<title>Thông báo tuyển quân năm 2027</title>
<link>/tin-tuc/tuyen-quan-2027.html?utm_source=rss&amp;utm_medium=feed#dau-trang</link>
<description>Ban chỉ huy quân sự xã thông báo lịch khám tuyển.</description>
<pubDate>Mon, 14 Sep 2026 11:44:00 GMT</pubDate>
</item>
</channel></rss>
"""

RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://so.example.gov.vn/rss"><title>Sở Y tế</title>
<link>https://so.example.gov.vn/</link><description>Tin</description></channel>
<item rdf:about="https://so.example.gov.vn/tin/9.html"><title>Phòng chống sốt xuất huyết</title>
<link>https://so.example.gov.vn/tin/9.html</link><description>Diệt lăng quăng, bọ gậy.</description>
<dc:date>2026-09-14T18:44:00+07:00</dc:date></item>
</rdf:RDF>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Bộ Nông nghiệp</title>
<link href="https://bo.example.gov.vn/"/><id>urn:bo:feed</id><updated>2026-09-14T11:44:00Z</updated>
<entry><title type="html">Cảnh báo &lt;b&gt;rét đậm&lt;/b&gt;</title><id>urn:bo:tin:77</id>
<link href="/tin/77.html"/><updated>2026-09-14T11:44:00Z</updated>
<content type="html">&lt;p&gt;Bảo vệ đàn gia súc khi trời rét.&lt;/p&gt;</content></entry>
</feed>
"""

RSS091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://127.0.0.1:9/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old portal</title><link>http://old.example.vn/</link>
<description>d</description><language>vi</language>
<item><title>Caf\u00e9 m\u00e9t\u00e9o</title><link>http://old.example.vn/a</link>
<description>Pr\u00e9vision</description></item></channel></rss>
"""

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>\n'
)


def _read(text: str | bytes, **kwargs: str) -> list[NewAnnouncement]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return read_feed(raw, name="huyen", zone=ZONE, **kwargs)


def test_quirky_government_feed_is_recovered() -> None:
    items = _read(QUIRKY, base_url="https://feeds.example.gov.vn/rss/thong-bao.rss")
    assert [i.title for i in items] == [
        "Thông báo lịch cắt điện & nước tuần 38",
        "Hội nghị Sở Tài nguyên & Môi trường về phòng chống thiên tai",
        "Kế hoạch tiêm chủng mở rộng đợt 3",
        "Thông báo tuyển quân năm 2027",
    ]
    assert [i.link for i in items] == [
        "https://minhhoa.example.gov.vn/tin-tuc/lich-cat-dien-tuan-38.html",
        "https://baochinhphu.example.vn/hoi-nghi-phong-chong-thien-tai-102260914.htm",
        "http://www.example.gov.vn/tiem-chung-dot-3.html",
        "https://feeds.example.gov.vn/tin-tuc/tuyen-quan-2027.html"
        "?utm_source=rss&utm_medium=feed#dau-trang",
    ]
    # Every date reads as 18:44 in Vietnam, whatever the format and whether it has a zone.
    assert {i.published for i in items} == {"2026-09-14T18:44:00+07:00"}
    assert items[0].body == (
        "Điện lực Minh Hòa thông báo tạm ngừng cung cấp điện để bảo dưỡng lưới điện."
    )
    assert "&" in items[1].body and "amp;" not in items[1].body
    assert all("<" not in i.body and "&nbsp;" not in i.title for i in items)


def test_relative_links_use_the_channel_link_without_a_feed_url() -> None:
    items = _read(QUIRKY)
    assert items[3].link is not None
    assert items[3].link.startswith("https://minhhoa.example.gov.vn/tin-tuc/tuyen-quan-2027.html")


def test_identity_is_guid_then_canonical_link_then_content() -> None:
    feed = """<rss version="2.0"><channel><title>t</title>
    <item><title>A</title><guid isPermaLink="false"> tin-42 </guid><link>https://x.vn/a</link></item>
    <item><title>B</title><link>HTTPS://X.VN:443/b?id=7&amp;utm_campaign=z#top</link></item>
    <item><title>C</title><description>Không có đường dẫn</description></item>
    </channel></rss>"""
    first, second, third = _read(feed)
    assert first.uid == "tin-42"
    assert second.uid == "https://x.vn/b?id=7"
    assert third.uid.startswith("sha256:")
    assert _read(feed)[2].uid == third.uid


def test_canonical_link_drops_tracking_and_fragments() -> None:
    assert canonical_link("HTTP://Example.GOV.vn:80/a?b=1&utm_source=x&fbclid=q#c") == (
        "http://example.gov.vn/a?b=1"
    )


@pytest.mark.parametrize(
    "text",
    [
        "9/14/2026 6:44:00 PM",
        "14/09/2026 18:44",
        "14-09-2026 18:44:00",
        "Thứ Hai, 14/09/2026 - 18:44",
        "Mon, 14 Sep 2026 18:44:00",
        "Mon, 14 Sep 2026 18:44:00 +0700",
        "Mon, 14 Sep 2026 11:44:00 GMT",
        "Mon, 14 Sep 2026 06:44:00 -0500",
        "14 Sep 2026 18:44 GMT+7",
        "Mon, 14 Sep 2026 18:44:00 ICT",
        "2026-09-14T18:44:00",
        "2026-09-14 18:44:00",
        "2026-09-14T11:44:00Z",
    ],
)
def test_dates_without_a_zone_are_station_time(text: str) -> None:
    moment = parse_date(text, ZONE)
    assert moment is not None
    assert moment.isoformat() == "2026-09-14T18:44:00+07:00"


def test_day_first_unless_the_date_says_otherwise() -> None:
    assert str(parse_date("03/04/2026", ZONE)) == "2026-04-03 00:00:00+07:00"
    assert str(parse_date("04/13/2026 9:00 AM", ZONE)) == "2026-04-13 09:00:00+07:00"
    assert parse_date("không rõ ngày", ZONE) is None


def test_rss_1_0_rdf() -> None:
    (item,) = _read(RDF)
    assert item.title == "Phòng chống sốt xuất huyết"
    assert item.link == "https://so.example.gov.vn/tin/9.html"
    assert item.published == "2026-09-14T18:44:00+07:00"


def test_atom() -> None:
    (item,) = _read(ATOM)
    assert item.uid == "urn:bo:tin:77"
    assert item.title == "Cảnh báo rét đậm"
    assert item.link == "https://bo.example.gov.vn/tin/77.html"
    assert item.body == "Bảo vệ đàn gia súc khi trời rét."
    assert item.published == "2026-09-14T18:44:00+07:00"


def test_rss_0_91_with_a_netscape_doctype_and_latin_1() -> None:
    (item,) = _read(RSS091.encode("iso-8859-1"))
    assert item.title == "Café météo" and item.body == "Prévision"


def test_utf8_body_under_a_wrong_declaration_and_header() -> None:
    text = QUIRKY.replace("<rss", '<?xml version="1.0" encoding="windows-1252"?>\n<rss', 1)
    items = _read(text.encode("utf-8"), charset="windows-1252")
    assert items[0].title == "Thông báo lịch cắt điện & nước tuần 38"


def test_utf16_feed() -> None:
    text = RDF.replace('encoding="utf-8"', 'encoding="utf-16"')
    (item,) = _read(text.encode("utf-16"))
    assert item.title == "Phòng chống sốt xuất huyết"


def test_not_a_feed_is_invalid() -> None:
    with pytest.raises(SourceError) as caught:
        _read("<html><body><h1>403 Forbidden</h1></body></html>")
    assert caught.value.key == "feed.invalid"


def test_empty_feed_is_not_an_error() -> None:
    assert _read('<rss version="2.0"><channel><title>t</title></channel></rss>') == []


@pytest.mark.parametrize(
    "doc",
    [
        BILLION_LAUGHS,
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><item><title>&x;</title></item></channel></rss>',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><rss/>',
        '<?xml version="1.0"?><!-- <rss> --><!DOCTYPE r [<!ENTITY a "b">]><rss><channel>'
        "<item><title>&a;</title></item></channel></rss>",
    ],
    ids=["billion-laughs", "external-entity", "parameter-entity", "comment-trick"],
)
def test_entity_declarations_are_refused(doc: str) -> None:
    with pytest.raises(SourceError) as caught:
        _read(doc)
    assert caught.value.key == "feed.unsafe"


def test_external_entities_are_never_fetched(http_server: HttpServer) -> None:
    url = http_server.route("/secret.dtd", Reply(200, b'<!ENTITY s "leak">'))
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{url}">'
        '<rss version="2.0"><channel><item><title>A</title></item></channel></rss>'
    )
    assert [i.title for i in _read(doc)] == ["A"]
    with pytest.raises(SourceError) as caught:
        _read(doc.replace('SYSTEM "', '[<!ENTITY % d SYSTEM "').replace('">', '"> %d;]>', 1))
    assert caught.value.key == "feed.unsafe"
    assert http_server.requests == []


def test_defused_parser_backs_up_the_prolog_scan() -> None:
    from bulletin.sources.rss import _parse

    with pytest.raises(SourceError) as caught:
        _parse(BILLION_LAUGHS.encode(), "huyen")
    assert caught.value.key == "feed.unsafe"


def test_billion_laughs_is_refused_with_bounded_memory() -> None:
    script = textwrap.dedent(
        """
        # VmHWM, not ru_maxrss: the latter carries the forking parent's peak across exec.
        import sys
        from zoneinfo import ZoneInfo
        from tests.memory import peak_mb
        from bulletin.errors import SourceError
        from bulletin.sources.rss import _parse, read_feed
        doc = sys.stdin.buffer.read()
        keys = []
        for attempt in (lambda: read_feed(doc, name="x", zone=ZoneInfo("UTC")),
                        lambda: _parse(doc, "x")):
            try:
                attempt()
                keys.append("parsed")
            except SourceError as exc:
                keys.append(exc.key)
        print(",".join(keys), peak_mb())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=BILLION_LAUGHS.encode(),
        capture_output=True,
        timeout=120,
        check=True,
    )
    keys, peak_mb = done.stdout.decode().split()
    assert keys == "feed.unsafe,feed.unsafe"
    assert int(peak_mb) < 200, f"peak RSS {peak_mb} MB"


# Through fetch_sources, with a workspace and a real server ---------------------------------


def _workspace(tmp_path: Path, sources: str) -> tuple[workspaces.Workspace, Store]:
    (tmp_path / "bulletin.yaml").write_text(
        "station: {name: Đài xã, commune: xã Minh Hòa}\n", encoding="utf-8"
    )
    (tmp_path / "sources.yaml").write_text(sources, encoding="utf-8")
    ws = workspaces.load(tmp_path)
    return ws, Store(ws.db_path)


def test_second_fetch_is_not_modified_and_stores_nothing(
    tmp_path: Path, http_server: HttpServer
) -> None:
    url = http_server.route(
        "/rss", static(QUIRKY.encode(), etag='"q1"', content_type="text/xml; charset=windows-1252")
    )
    ws, store = _workspace(
        tmp_path, f"sources:\n  huyen:\n    kind: rss\n    url: {url}\n    follow_links: never\n"
    )
    (first,) = fetch_sources(Station(ws))
    (second,) = fetch_sources(Station(ws))
    assert (first.status, first.new) == ("ok", 4)
    assert (second.status, second.found, second.new) == ("not_modified", 0, 0)
    assert http_server.requests[-1].headers["if-none-match"] == '"q1"'
    assert len(store.known_uids("huyen")) == 4


def test_failing_feed_is_reported_not_raised(tmp_path: Path, http_server: HttpServer) -> None:
    url = http_server.route("/rss", sequence(status(503, retry_after=0), status(404)))
    ws, _store = _workspace(tmp_path, f"sources:\n  huyen:\n    kind: rss\n    url: {url}\n")
    (report,) = fetch_sources(Station(ws))
    assert report.status == "error" and "404" in (report.error or "")


ARTICLE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title}</title></head><body><nav><a href="/">Trang chủ</a></nav>
<article><h1>{title}</h1><p class="date">14/09/2026 18:44</p>
{paragraphs}</article><footer>Bản quyền Cổng thông tin</footer></body></html>"""


def _article(title: str) -> bytes:
    sentence = (
        "Ủy ban nhân dân xã đề nghị các thôn, xóm thông báo rộng rãi tới bà con nhân dân "
        "và chuẩn bị đầy đủ phương án ứng phó trước khi mùa mưa bão đến. "
    )
    paragraphs = "".join(f"<p>{sentence * 3}</p>\n" for _ in range(6))
    return ARTICLE.format(title=title, paragraphs=paragraphs).encode("utf-8")


def _lead_feed(base: str, count: int) -> bytes:
    items = "".join(
        f"<item><title>Tin số {n}</title><link>{base}/tin/{n}.html</link><guid>tin-{n}</guid>"
        f"<description>Ủy ban nhân dân xã đề nghị các thôn…</description></item>"
        for n in range(1, count + 1)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_leads_are_replaced_by_their_article(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.route("/rss", static(_lead_feed(http_server.url, 3), etag='"a"'))
    for n in (1, 2):
        http_server.route(
            f"/tin/{n}.html", static(_article(f"Tin số {n}"), content_type="text/html")
        )
    http_server.route("/tin/3.html", status(404))
    ws, store = _workspace(
        tmp_path,
        f"sources:\n  huyen:\n    kind: rss\n    url: {http_server.url}/rss\n    max_articles: 2\n",
    )
    (report,) = fetch_sources(Station(ws))
    assert report.status == "ok" and report.new == 3
    stored = {row.title: row for row in _stored(store)}
    assert "mùa mưa bão" in stored["Tin số 1"].body and len(stored["Tin số 1"].body) > 400
    # The cap: the third item keeps its lead and its page is never asked for.
    assert stored["Tin số 3"].body.endswith("…")
    assert "/tin/3.html" not in http_server.paths()

    # Next run, a changed feed: stored items are never fetched again, the new one is.
    http_server.route("/rss", static(_lead_feed(http_server.url, 3), etag='"b"'))
    fetch_sources(Station(ws))
    assert http_server.paths().count("/tin/1.html") == 1
    assert http_server.paths().count("/tin/3.html") == 0


def test_a_failed_article_keeps_the_lead_with_a_warning(
    tmp_path: Path, http_server: HttpServer
) -> None:
    http_server.route("/rss", static(_lead_feed(http_server.url, 1)))
    http_server.route("/tin/1.html", status(404))
    ws, store = _workspace(
        tmp_path, f"sources:\n  huyen:\n    kind: rss\n    url: {http_server.url}/rss\n"
    )
    (report,) = fetch_sources(Station(ws))
    assert report.status == "ok" and report.new == 1
    assert report.warnings and any("/tin/1.html" in w for w in report.warnings)
    (item,) = _stored(store)
    assert item.body == "Ủy ban nhân dân xã đề nghị các thôn…"


def _stored(store: Store) -> list[NewAnnouncement]:
    rows = store.db.execute("SELECT uid, title, body, link, published FROM announcements")
    return [NewAnnouncement(*row) for row in rows]


def test_placeholder_items_without_title_are_dropped() -> None:
    feed = """<rss version="2.0"><channel><title>t</title>
    <item><title/><description><![CDATA[ No Description ]]></description></item>
    <item><title>Thông báo</title><link>https://x.vn/tb</link></item>
    </channel></rss>"""
    assert [i.title for i in _read(feed)] == ["Thông báo"]


def _five_items() -> bytes:
    items = "".join(
        f"<item><title>Tin số {n}</title><link>https://huyen.example.vn/tin/{n}.html</link>"
        f"<description>Nội dung tin số {n}.</description></item>"
        for n in range(1, 6)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_a_truncated_feed_warns_naming_the_source(tmp_path: Path, http_server: HttpServer) -> None:
    whole = _five_items()
    url = http_server.route("/rss", static(whole[: len(whole) // 2]))
    ws, _store = _workspace(
        tmp_path,
        f"sources:\n  cong-huyen:\n    kind: rss\n    url: {url}\n    follow_links: never\n",
    )
    (report,) = fetch_sources(Station(ws))
    assert report.status == "ok" and 1 <= report.new < 5
    (warning,) = report.warnings
    assert "cong-huyen" in warning and f"{report.new}" in warning


def test_a_broken_feed_that_gives_nothing_is_an_error_naming_the_source(
    tmp_path: Path, http_server: HttpServer
) -> None:
    # What was left before the cut is a CMS placeholder, not an announcement.
    broken = b'<rss version="2.0"><channel><title>t</title><item><title/>'
    url = http_server.route("/rss", static(broken + b"<description>No Description</desc"))
    ws, _store = _workspace(tmp_path, f"sources:\n  cong-huyen:\n    kind: rss\n    url: {url}\n")
    (report,) = fetch_sources(Station(ws))
    assert report.status == "error" and "cong-huyen" in (report.error or "")


def test_a_well_formed_feed_gives_no_warning() -> None:
    warnings: list[str] = []
    assert len(read_feed(_five_items(), name="huyen", zone=ZONE, warnings=warnings)) == 5
    assert warnings == []


def test_a_date_beyond_the_calendar_is_no_date_not_a_crash() -> None:
    feed = """<rss version="2.0"><channel><title>t</title><item><title>Thông báo</title>
    <link>https://x.vn/tb</link><pubDate>9999-12-31T23:59:59Z</pubDate></item></channel></rss>"""
    (item,) = _read(feed)
    assert item.title == "Thông báo" and item.published is None
