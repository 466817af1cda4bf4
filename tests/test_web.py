"""The `page` source over real HTTP on 127.0.0.1: a portal listing modelled on commune and
department sites, its articles, and the PDF/DOCX files some articles only point to."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bulletin.errors import SourceError
from bulletin.sources import FetchContext
from bulletin.sources.article import article_from_url, extract_article
from bulletin.sources.http import HttpClient
from bulletin.sources.listing import fetch_page, find_article_links, next_page
from bulletin.workspace import SourceConfig, StationConfig, Workspace
from tests.fixtures_docs import (
    DOCX_PARAGRAPHS,
    PDF_PARAGRAPHS,
    make_docx,
    make_pdf,
    make_scanned_pdf,
    nfc,
)
from tests.httpserver import HttpServer, http_server, static, status

__all__ = ["http_server"]

TZ = "Asia/Ho_Chi_Minh"
HTML = "text/html; charset=utf-8"
META = 'property="article:published_time"'

A1 = "/thong-bao/-/view_content/5012345-lich-tiem-chung-mo-rong-thang-12-cho-tre-em.html"
A2 = "/thong-bao/-/view_content/5012346-ke-hoach-phong-chong-lut-bao-nam-2026.html"
A3 = "/thong-bao/-/view_content/5012347-thong-bao-tam-ngung-cap-nuoc-sach-thon-dong.html"
A4 = "/thong-bao/-/view_content/5012201-hoi-nghi-tap-huan-phong-chay-chua-chay-o-khu-dan-cu.html"
PDF_PATH = (
    "/documents/10180/K%E1%BA%BF%20ho%E1%BA%A1ch%20ph%C3%B2ng%20ch%E1%BB%91ng%20l%E1%BB%A5t.pdf"
)
DOCX_PATH = "/documents/10180/Th%C3%B4ng%20b%C3%A1o%20kh%C3%A1m%20s%E1%BB%A9c%20kho%E1%BA%BB.docx"
DOC_PATH = "/documents/10180/Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.doc"
SCAN_PATH = "/documents/10180/ban-chup.pdf"


def _item(path: str, title: str, when: str, summary: str, picture: bool = True) -> str:
    image = f'<div class="asset-image"><a href="{path}"><img src="/anh/1.jpg" alt=""/></a></div>'
    return f"""
  <div class="asset-abstract"><div class="asset-content">
    {image if picture else ""}
    <h3 class="asset-title"><a href="{path}">{title}</a></h3>
    <div class="assetPublishDate block_timer">
        Ngày đăng {when} &nbsp;|&nbsp;View count: 215
    </div>
    <div class="asset-summary">{summary}</div>
  </div></div>"""


def _listing(items: str, pager: str) -> bytes:
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Thông báo - Cổng thông tin điện tử xã Tân Hưng</title></head><body>
<div id="banner"><a href="/trang-chu.html">Trang chủ</a></div>
<nav id="navigation"><ul>
  <li><a href="/gioi-thieu.html">Giới thiệu</a></li>
  <li><a href="/tin-tuc-su-kien.html">Tin tức sự kiện về xã và các thôn</a></li>
  <li><a href="/van-ban-chi-dao-dieu-hanh-cua-uy-ban.html">
    Văn bản chỉ đạo điều hành của Uỷ ban</a></li>
</ul></nav>
<div class="portlet-body">
  <div class="dd_chuyenmuc"><a href="/trang-chu.html">Trang chủ</a> <p>Thông báo</p></div>
  {items}
  {pager}
</div>
<div class="share-box"><a href="https://www.facebook.com/sharer/sharer.php?u=x">
  Chia sẻ lên Facebook cho bạn bè</a></div>
<div id="footer"><a href="/dang-nhap.html">Đăng nhập hệ thống quản trị</a>
<a href="/so-do-cong-thong-tin-dien-tu-xa.html">Sơ đồ cổng thông tin điện tử xã</a></div>
</body></html>""".encode()


LISTING = _listing(
    _item(
        A1,
        "Lịch tiêm chủng mở rộng tháng 12 cho trẻ em",
        "27/07/2021 | 04:30 PM",
        "Trạm y tế xã tổ chức tiêm chủng mở rộng cho trẻ dưới một tuổi vào ngày...",
    )
    + _item(
        A2,
        "Kế hoạch phòng, chống lụt bão và tìm kiếm cứu nạn năm 2026",
        "26/07/2021 | 09:15 AM",
        "Toàn văn Kế hoạch số 15/KH-UBND xem tại file đính kèm./.",
        picture=False,
    )
    + _item(
        A3,
        "Thông báo tạm ngừng cấp nước sạch ở thôn Đông",
        "25/07/2021 | 02:00 PM",
        "Để sửa chữa đường ống, nhà máy nước tạm ngừng cấp nước từ 8 giờ đến 17 giờ ngày...",
    ),
    '<ul class="pager"><li class="disabled"><a href="javascript:;">Trước</a></li>'
    '<li><a href="/thong-bao/trang-2.html">Trang sau</a></li></ul>',
)
LISTING_PAGE_2 = _listing(
    _item(
        A4,
        "Hội nghị tập huấn phòng cháy, chữa cháy ở khu dân cư",
        "20/07/2021 | 08:00 AM",
        "Sáng 20/7, Công an xã phối hợp với Đoàn thanh niên tổ chức tập huấn...",
    ),
    '<ul class="pager"><li><a href="/thong-bao.html">Trang trước</a></li></ul>',
)

# Decomposed diacritics on purpose, as some editors save them.
ARTICLE_1_TEXT = unicodedata.normalize(
    "NFD",
    "Trạm y tế xã tổ chức tiêm chủng mở rộng cho trẻ dưới một tuổi vào sáng thứ Bảy, "
    "ngày 5 tháng 12. Phụ huynh mang theo sổ tiêm chủng và đưa trẻ đến đúng giờ.",
)
ARTICLE_1 = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title"
  content="L&#7883;ch ti&#234;m ch&#7911;ng m&#7903; r&#7897;ng th&aacute;ng 12 cho tr&#7867; em">
<title>Lịch tiêm chủng - Cổng thông tin điện tử xã Tân Hưng</title></head><body>
<nav class="menu"><a href="/gioi-thieu.html">Giới thiệu</a></nav>
<div class="journal-content-article">
  <h1>Lịch tiêm chủng mở rộng tháng 12 cho trẻ em</h1>
  <div class="news-date">Thứ hai, 27/07/2021 16:30</div>
  <p>{ARTICLE_1_TEXT}</p>
  <p>Trẻ bị sốt hoặc đang ốm cần báo cho cán bộ y tế trước khi tiêm để được khám sàng lọc kỹ.</p>
  <p>XEM VIDEO</p>
  <p>Chia sẻ</p>
  <p>PV</p>
</div>
<div id="footer">Cổng thông tin điện tử xã Tân Hưng</div>
</body></html>""".encode()

ARTICLE_2 = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Kế hoạch phòng, chống lụt bão năm 2026</title></head><body>
<div class="journal-content-article">
  <h1>Kế hoạch phòng, chống lụt bão và tìm kiếm cứu nạn năm 2026</h1>
  <div class="news-date">26/07/2021 | 09:15 AM</div>
  <p>Toàn văn Kế hoạch số 15/KH-UBND xem tại file đính kèm./.</p>
  <p>File đính kèm:</p>
  <ul>
    <li><a href="{PDF_PATH}?version=1.0">Kế hoạch phòng chống lụt.pdf</a></li>
    <li><a href="{DOCX_PATH}">Tải về</a></li>
    <li><a href="{DOC_PATH}">Biên bản họp.doc</a></li>
    <li><a href="{SCAN_PATH}">Bản chụp</a></li>
  </ul>
</div>
<aside class="sidebar"><a href="/documents/10180/van-ban-cu.pdf">Văn bản cũ.pdf</a></aside>
</body></html>""".encode()

ARTICLE_4 = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Hội nghị tập huấn phòng cháy, chữa cháy</title></head><body>
<article><h1>Hội nghị tập huấn phòng cháy, chữa cháy ở khu dân cư</h1>
<p>Sáng 20/7, Công an xã phối hợp với Đoàn thanh niên tổ chức tập huấn kỹ năng phòng cháy,
chữa cháy cho hơn một trăm hộ kinh doanh và người dân các thôn.</p>
<p>Tại hội nghị, cán bộ hướng dẫn cách sử dụng bình chữa cháy, cách thoát nạn khi có cháy
trong nhà ống và những điều cần làm khi phát hiện cháy.</p></article>
</body></html>""".encode()


def _site(server: HttpServer) -> str:
    server.route("/thong-bao.html", static(LISTING, content_type=HTML))
    server.route("/thong-bao/trang-2.html", static(LISTING_PAGE_2, content_type=HTML))
    # A portal that declares Windows-1252 and sends UTF-8.
    server.route(A1, static(ARTICLE_1, content_type="text/html; charset=windows-1252"))
    server.route(A2, static(ARTICLE_2, content_type=HTML))
    server.route(A3, status(500))
    server.route(A4, static(ARTICLE_4, content_type=HTML))
    server.route(PDF_PATH, static(make_pdf(), content_type="application/pdf"))
    server.route(DOCX_PATH, static(make_docx(), content_type="application/octet-stream"))
    server.route(DOC_PATH, static(b"never fetched", content_type="application/msword"))
    server.route(SCAN_PATH, static(make_scanned_pdf(), content_type="application/pdf"))
    return server.url + "/thong-bao.html"


def _context(
    tmp_path: Path, url: str, known: frozenset[str] = frozenset(), **options: object
) -> FetchContext:
    workspace = Workspace(root=tmp_path, config=StationConfig())
    spec = SourceConfig.model_validate({"kind": "page", "url": url, **options})
    http = HttpClient(min_interval_s=0, backoff_s=0.01, retries=0)
    return FetchContext(workspace, "cong-xa", spec, http, known_uids=known)


def test_listing_gives_its_articles_with_dates_and_clean_text(
    http_server: HttpServer, tmp_path: Path
) -> None:
    url = _site(http_server)
    ctx = _context(tmp_path, url, max_pages=2)
    result = fetch_page(ctx)
    by_link = {a.link: a for a in result.announcements}
    assert list(by_link) == [http_server.url + p for p in (A1, A2, A3, A4)]
    first = by_link[http_server.url + A1]
    assert first.uid == http_server.url + A1
    assert first.title == "Lịch tiêm chủng mở rộng tháng 12 cho trẻ em"
    assert first.published == "2021-07-27T16:30:00+07:00"
    assert first.body == unicodedata.normalize("NFC", first.body)
    assert first.body.startswith(nfc(ARTICLE_1_TEXT))  # no heading, no date line
    assert "XEM VIDEO" not in first.body and "Chia sẻ" not in first.body
    assert not first.body.endswith("PV")
    # The second listing page's article, found through "Trang sau".
    last = by_link[http_server.url + A4]
    assert last.title == "Hội nghị tập huấn phòng cháy, chữa cháy ở khu dân cư"
    assert "bình chữa cháy" in last.body


def test_article_that_points_to_attachments_reads_the_files(
    http_server: HttpServer, tmp_path: Path
) -> None:
    url = _site(http_server)
    ctx = _context(tmp_path, url)
    result = fetch_page(ctx)
    plan = next(a for a in result.announcements if a.link == http_server.url + A2)
    assert plan.published == "2021-07-26T09:15:00+07:00"
    assert "xem tại file đính kèm" not in plan.body
    # Nothing of the page itself but the pointer: the body is the files' text.
    assert plan.body.startswith(nfc(PDF_PARAGRAPHS[0]))
    assert nfc(PDF_PARAGRAPHS[1]) in plan.body and DOCX_PARAGRAPHS[1] in plan.body
    assert plan.body.index(nfc(PDF_PARAGRAPHS[1])) < plan.body.index(DOCX_PARAGRAPHS[1])
    warnings = "\n".join(ctx.warnings)
    assert "Biên bản họp.doc" in warnings  # refused without downloading it
    assert "ban-chup.pdf" in warnings  # a scan, needs OCR
    paths = http_server.paths()
    assert DOC_PATH not in paths and not any("van-ban-cu" in p for p in paths)


def test_failing_article_falls_back_to_the_listing_summary(
    http_server: HttpServer, tmp_path: Path
) -> None:
    url = _site(http_server)
    ctx = _context(tmp_path, url)
    result = fetch_page(ctx)
    water = next(a for a in result.announcements if a.link == http_server.url + A3)
    assert water.title == "Thông báo tạm ngừng cấp nước sạch ở thôn Đông"
    assert water.body.startswith("Để sửa chữa đường ống")
    assert water.published == "2021-07-25T14:00:00+07:00"
    assert any(A3 in w for w in ctx.warnings)


def test_second_fetch_with_everything_known_fetches_no_article(
    http_server: HttpServer, tmp_path: Path
) -> None:
    url = _site(http_server)
    first = fetch_page(_context(tmp_path, url))
    known = frozenset(a.uid for a in first.announcements)
    before = len(http_server.requests)
    second = fetch_page(_context(tmp_path, url, known))
    assert second.announcements == []
    assert http_server.paths()[before:] == ["/thong-bao.html"]


def test_max_articles_limits_the_article_fetches(http_server: HttpServer, tmp_path: Path) -> None:
    url = _site(http_server)
    result = fetch_page(_context(tmp_path, url, max_articles=1))
    assert [a.link for a in result.announcements] == [http_server.url + A1]
    assert not any("view_content" in p for p in http_server.paths()[2:])


def test_failing_listing_fails_the_source(http_server: HttpServer, tmp_path: Path) -> None:
    url = http_server.route("/thong-bao.html", status(404))
    with pytest.raises(SourceError):
        fetch_page(_context(tmp_path, url))


def test_link_pattern_selects_exactly_the_matching_links() -> None:
    links = find_article_links(
        LISTING.decode(), "https://xa.example.vn/thong-bao.html", r"501234[57]"
    )
    assert links == ["https://xa.example.vn" + A1, "https://xa.example.vn" + A3]


def test_article_links_are_detected_without_a_pattern() -> None:
    base = "https://xa.example.vn/thong-bao.html"
    links = find_article_links(LISTING.decode(), base, None)
    assert links == ["https://xa.example.vn" + p for p in (A1, A2, A3)]


def test_slug_articles_without_ids_are_detected_and_menus_skipped() -> None:
    html = """<html><body>
    <div class="menu-top"><a href="/tin-tuc/thoi-su-trong-nuoc-va-quoc-te">
      Thời sự trong nước và quốc tế</a></div>
    <ul class="list-news">
      <li><a href="/tin-tuc/xa-to-chuc-ra-quan-don-ve-sinh-moi-truong-cuoi-nam">
        Xã tổ chức ra quân dọn vệ sinh môi trường cuối năm</a></li>
      <li><a href="https://other.example.vn/bai-viet/thong-tin-tu-noi-khac-rat-dai-12345.html">
        Thông tin từ một trang khác rất dài</a></li>
      <li><a href="/tin-tuc/xa-to-chuc-ra-quan-don-ve-sinh-moi-truong-cuoi-nam#comments">
        Bình luận</a></li>
      <li><a href="/tin-tuc/hop-dan-thon-bac-ve-lam-duong-giao-thong-nong-thon.aspx">
        Họp dân thôn Bắc về làm đường giao thông nông thôn</a></li>
      <li><a href="/tin-tuc?page=2">Các tin đã đưa ở trang hai</a></li>
    </ul></body></html>"""
    links = find_article_links(html, "https://xa.example.vn/tin-tuc", None)
    assert links == [
        "https://xa.example.vn/tin-tuc/xa-to-chuc-ra-quan-don-ve-sinh-moi-truong-cuoi-nam",
        "https://xa.example.vn/tin-tuc/hop-dan-thon-bac-ve-lam-duong-giao-thong-nong-thon.aspx",
    ]


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        ('<link rel="next" href="/tin?page=3">', "https://xa.example.vn/tin?page=3"),
        ('<a href="/tin?page=1">1</a><a href="/tin?page=3">Trang sau</a>', "https://xa.example.vn/tin?page=3"),
        ('<a href="/tin/p3">»</a>', "https://xa.example.vn/tin/p3"),
        ('<a href="/tin?page=1">1</a><a href="/tin?page=3">3</a><a href="/tin?page=9">9</a>', "https://xa.example.vn/tin?page=3"),
        ('<a href="/tin?page=1">1</a>', None),
    ],
)  # fmt: skip
def test_next_page_of_a_listing(listing: str, expected: str | None) -> None:
    assert (
        next_page(f"<html><body>{listing}</body></html>", "https://xa.example.vn/tin?page=2")
        == expected
    )


@pytest.mark.parametrize(
    ("fragment", "published"),
    [
        ('<div class="date">27/07/2021 | 04:30 PM</div>', "2021-07-27T16:30:00+07:00"),
        ('<span class="time">Thứ hai, 27/07/2021 16:30</span>', "2021-07-27T16:30:00+07:00"),
        ('<p class="post-date">27-07-2021</p>', "2021-07-27T00:00:00+07:00"),
        ('<p class="publish">10:38, 27/7/2021</p>', "2021-07-27T10:38:00+07:00"),
        (f'<meta {META} content="2021-07-27T09:00:00">', "2021-07-27T09:00:00+07:00"),
        (f'<meta {META} content="2021-07-27T02:00:00Z">', "2021-07-27T02:00:00+00:00"),
        ("<p>Theo Quyết định ngày 12/03/2020 của UBND huyện.</p>", None),
    ],
)  # fmt: skip
def test_publication_dates_in_the_forms_portals_use(fragment: str, published: str | None) -> None:
    html = f"<html><head>{fragment}</head><body><h1>Thông báo của xã</h1>{fragment}</body></html>"
    assert extract_article(html, "https://xa.example.vn/a.html", TZ).published == published


def test_attachment_links_keep_encoded_urls() -> None:
    article = extract_article(ARTICLE_2.decode(), "https://xa.example.vn" + A2, TZ)
    assert article.attachments == [
        f"https://xa.example.vn{PDF_PATH}?version=1.0",
        f"https://xa.example.vn{DOCX_PATH}",
        f"https://xa.example.vn{DOC_PATH}",
        f"https://xa.example.vn{SCAN_PATH}",
    ]
    assert article.text == "" and article.attachment_note is not None
    raw = '<a href="/files/Thông báo số 3.pdf">Thông báo số 3</a>'
    linked = extract_article(f"<html><body>{raw}</body></html>", "https://xa.example.vn/", TZ)
    assert linked.attachments == [
        "https://xa.example.vn/files/Th%C3%B4ng%20b%C3%A1o%20s%E1%BB%91%203.pdf"
    ]


def test_article_link_straight_to_a_pdf(http_server: HttpServer, tmp_path: Path) -> None:
    url = http_server.route(
        "/files/ke-hoach-15.pdf", static(make_pdf(), content_type="application/pdf")
    )
    article = article_from_url(_context(tmp_path, url), url)
    assert article is not None
    assert article.title == "ke hoach 15" and nfc(PDF_PARAGRAPHS[1]) in article.attachments_text


def test_unreachable_article_gives_none_and_a_warning(tmp_path: Path) -> None:
    ctx = _context(tmp_path, "http://127.0.0.1:9/thong-bao.html")
    assert article_from_url(ctx, "http://127.0.0.1:9/bai.html") is None
    assert ctx.warnings and "127.0.0.1:9/bai.html" in ctx.warnings[0]
