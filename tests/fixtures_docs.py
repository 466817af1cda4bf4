"""Documents the tests write themselves: a DOCX, a text PDF, a scanned PDF, an old .doc."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

# fonts-dejavu-core (Debian) ships a TTF with every Vietnamese glyph.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)

PDF_PARAGRAPHS = [
    "UỶ BAN NHÂN DÂN XÃ TÂN HƯNG",
    "Kế hoạch phòng, chống lụt bão năm 2026 được triển khai tới tất cả các thôn trên địa "
    "bàn xã. Các hộ gia đình ở vùng trũng cần chuẩn bị lương thực, nước uống và đèn pin "
    "cho ít nhất ba ngày.",
    "Ban chỉ huy phòng chống thiên tai xã trực ban hai mươi bốn giờ mỗi ngày trong mùa "
    "mưa bão, số điện thoại trực ban được niêm yết tại nhà văn hoá các thôn.",
]
DOCX_PARAGRAPHS = [
    "Thông báo lịch khám sức khoẻ cho người cao tuổi",
    "Trạm y tế xã tổ chức khám sức khoẻ miễn phí cho người từ sáu mươi tuổi trở lên.",
    "Người dân mang theo thẻ bảo hiểm y tế và sổ khám bệnh khi đến trạm.",
]
DOCX_TABLE = [("Thôn", "Ngày khám"), ("Thôn Đông", "Thứ Hai"), ("Thôn Đoài", "Thứ Ba")]


def vietnamese_font() -> Path:
    for path in FONT_CANDIDATES:
        if path.exists():
            return path
    pytest.skip("no Vietnamese TTF font (install the Debian package fonts-dejavu-core)")


def make_pdf(paragraphs: list[str] = PDF_PARAGRAPHS, *, pages: int = 1) -> bytes:
    """A PDF with a real text layer; long paragraphs wrap over several lines."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(vietnamese_font()))
    pdf.set_font("DejaVu", size=12)
    for _ in range(pages):
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 7, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(5)
    return bytes(pdf.output())


def make_scanned_pdf() -> bytes:
    """A PDF whose page is only a picture, as a scanner makes it: no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(_grey_png()), x=10, y=10, w=180)
    return bytes(pdf.output())


def make_docx(
    paragraphs: list[str] = DOCX_PARAGRAPHS,
    table: list[tuple[str, str]] = DOCX_TABLE,
    *,
    title: str | None = None,
) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    grid = document.add_table(rows=len(table), cols=2)
    for row, (left, right) in zip(grid.rows, table, strict=True):
        row.cells[0].text = left
        row.cells[1].text = right
    if title:
        document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_doc() -> bytes:
    """An old Word file as far as anyone can tell: the OLE2 compound-file signature."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _grey_png() -> bytes:
    import struct
    import zlib

    width, height = 40, 20
    raw = b"".join(b"\x00" + bytes([(x * 6) % 256 for x in range(width)]) for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
