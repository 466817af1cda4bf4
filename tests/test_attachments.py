"""Attached documents and folder notices: PDF, DOCX, and clear errors for .doc and scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.errors import SourceError
from bulletin.sources import FetchContext
from bulletin.sources.attachments import (
    display_name,
    extract_document,
    paragraphs_from_lines,
    read_document,
)
from bulletin.sources.files import fetch_folder
from bulletin.sources.http import HttpClient
from bulletin.workspace import SourceConfig, StationConfig, Workspace
from tests.fixtures_docs import (
    DOCX_PARAGRAPHS,
    PDF_PARAGRAPHS,
    make_doc,
    make_docx,
    make_pdf,
    make_scanned_pdf,
    nfc,
)


def test_pdf_text_comes_back_as_nfc_paragraphs() -> None:
    text = extract_document(make_pdf(), "ke-hoach.pdf")
    assert text.split("\n\n") == [nfc(p) for p in PDF_PARAGRAPHS]


def test_docx_gives_paragraphs_then_table_rows() -> None:
    document = read_document(make_docx(title="Lịch khám sức khoẻ"), "lich-kham.docx")
    parts = document.text.split("\n\n")
    assert parts[: len(DOCX_PARAGRAPHS)] == DOCX_PARAGRAPHS
    assert "Thôn Đông – Thứ Hai" in parts
    assert document.title == "Lịch khám sức khoẻ"


def test_old_word_file_is_refused_with_its_decoded_name() -> None:
    with pytest.raises(SourceError) as caught:
        extract_document(make_doc(), "https://xa.example.vn/files/Bi%C3%AAn%20b%E1%BA%A3n.doc")
    assert caught.value.key == "attachment.doc"
    assert caught.value.params["name"] == "Biên bản.doc"


def test_scanned_pdf_needs_ocr() -> None:
    with pytest.raises(SourceError) as caught:
        extract_document(make_scanned_pdf(), "scan.pdf")
    assert caught.value.key == "attachment.scanned"


def test_corrupt_and_password_protected_pdfs_are_broken() -> None:
    for data in (make_pdf()[:300], b"%PDF-1.7\n" + b"\x00" * 100):
        with pytest.raises(SourceError) as caught:
            extract_document(data, "hong.pdf")
        assert caught.value.key == "attachment.broken"
    with pytest.raises(SourceError) as caught:
        extract_document(_locked_pdf(user_password="bimat"), "khoa.pdf")
    assert caught.value.key == "attachment.broken"


def test_pdf_with_only_an_owner_password_is_read() -> None:
    assert "lụt bão" in extract_document(_locked_pdf(user_password=""), "han-che.pdf")


def test_pdf_type_is_taken_from_the_bytes_not_the_name() -> None:
    assert "lụt bão" in extract_document(make_pdf(), "tai-ve.aspx")


def test_wrapped_lines_rejoin_and_margin_hyphens_go() -> None:
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Các hộ dân ở vùng trũng cần chủ động di dời tài sản, gia",
        "súc lên nơi cao ráo trước ngày 15/11. Ban chỉ huy kiểm tra",
        "tại các thôn ven sông Hồng, đường Bà Rịa-",
        "Vũng Tàu và khu inter-",
        "national.",
        "- 2 -",
        "1. Thôn Đông: sáng thứ Hai.",
        "2. Thôn Đoài: chiều thứ Hai.",
    ]
    assert paragraphs_from_lines(lines).split("\n\n") == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Các hộ dân ở vùng trũng cần chủ động di dời tài sản, gia súc lên nơi cao ráo trước "
        "ngày 15/11. Ban chỉ huy kiểm tra tại các thôn ven sông Hồng, đường Bà Rịa-Vũng Tàu "
        "và khu international.",
        "1. Thôn Đông: sáng thứ Hai.",
        "2. Thôn Đoài: chiều thứ Hai.",
    ]


def test_display_name_decodes_percent_encoded_vietnamese() -> None:
    url = "https://xa.example.vn/documents/K%E1%BA%BF%20ho%E1%BA%A1ch%2015.pdf?version=1.0"
    assert display_name(url) == "Kế hoạch 15.pdf"


def test_folder_reads_docx_pdf_and_text_and_warns_about_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "notices"
    folder.mkdir()
    (folder / "lich-kham-suc-khoe.docx").write_bytes(make_docx())
    (folder / "ke-hoach-phong-chong-lut-bao.pdf").write_bytes(make_pdf())
    (folder / "Biên bản họp thôn.doc").write_bytes(make_doc())
    (folder / "ban-scan.pdf").write_bytes(make_scanned_pdf())
    tcvn3 = "Th«ng b¸o c¾t ®iÖn\nNgµy mai c¾t ®iÖn tõ 7 giê ®Õn 11 giê ®Ó söa ®­êng d©y."
    (folder / "cat-dien.txt").write_bytes(tcvn3.encode("latin-1"))
    (folder / "README.txt").write_text("Thư mục thông báo của xã.\nBỏ tệp vào đây.")
    ctx = _folder_context(tmp_path)
    result = fetch_folder(ctx)
    by_uid = {a.uid: a for a in result.announcements}
    assert sorted(by_uid) == [
        "cat-dien.txt",
        "ke-hoach-phong-chong-lut-bao.pdf",
        "lich-kham-suc-khoe.docx",
    ]
    docx = by_uid["lich-kham-suc-khoe.docx"]
    assert docx.title == DOCX_PARAGRAPHS[0]
    assert DOCX_PARAGRAPHS[1] in docx.body
    pdf = by_uid["ke-hoach-phong-chong-lut-bao.pdf"]
    assert pdf.title == nfc(PDF_PARAGRAPHS[0]) and nfc(PDF_PARAGRAPHS[2]) in pdf.body
    notice = by_uid["cat-dien.txt"]
    assert notice.title == "Thông báo cắt điện"
    assert notice.body == "Ngày mai cắt điện từ 7 giờ đến 11 giờ để sửa đường dây."
    warnings = "\n".join(ctx.warnings)
    assert "Biên bản họp thôn.doc" in warnings
    assert "ban-scan.pdf" in warnings
    assert "cat-dien.txt" in warnings and "TCVN3" in warnings


def _folder_context(root: Path) -> FetchContext:
    workspace = Workspace(root=root, config=StationConfig())
    spec = SourceConfig(kind="folder", path="notices")
    return FetchContext(workspace=workspace, name="thong-bao", spec=spec, http=HttpClient())


def _locked_pdf(*, user_password: str) -> bytes:
    from fpdf import FPDF

    from tests.fixtures_docs import vietnamese_font

    pdf = FPDF()
    pdf.set_encryption(owner_password="chu-so-huu", user_password=user_password)
    pdf.add_font("DejaVu", fname=str(vietnamese_font()))
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 7, PDF_PARAGRAPHS[1])
    return bytes(pdf.output())
