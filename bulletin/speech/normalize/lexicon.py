"""Built-in spoken forms: abbreviations, document issuers, foreign names (rules/*.tsv)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

# Keys are matched case-sensitively, as written in official documents.
ABBREVIATIONS: dict[str, str] = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "UBMTTQVN": "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "MTTQ": "Mặt trận Tổ quốc",
    "MTTQVN": "Mặt trận Tổ quốc Việt Nam",
    "BCH": "Ban Chấp hành",
    "BCHQS": "Ban Chỉ huy Quân sự",
    "CHQS": "Chỉ huy Quân sự",
    "BTV": "Ban Thường vụ",
    "BCĐ": "Ban Chỉ đạo",
    "BQL": "Ban Quản lý",
    "BTC": "Ban Tổ chức",
    "BGK": "Ban Giám khảo",
    "UBKT": "Ủy ban Kiểm tra",
    "CNTT": "công nghệ thông tin",
    "THPT": "trung học phổ thông",
    "THCS": "trung học cơ sở",
    "GDTX": "giáo dục thường xuyên",
    "GDNN": "giáo dục nghề nghiệp",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "BHTN": "bảo hiểm thất nghiệp",
    "LHPN": "Liên hiệp Phụ nữ",
    "HLHPN": "Hội Liên hiệp Phụ nữ",
    "HND": "Hội Nông dân",
    "HCCB": "Hội Cựu chiến binh",
    "CCB": "cựu chiến binh",
    "ĐTN": "Đoàn Thanh niên",
    "ĐTNCS": "Đoàn Thanh niên Cộng sản",
    "TNCS": "Thanh niên Cộng sản",
    "LĐLĐ": "Liên đoàn Lao động",
    "CĐCS": "công đoàn cơ sở",
    "CSGT": "cảnh sát giao thông",
    "CSCĐ": "cảnh sát cơ động",
    "CAND": "Công an nhân dân",
    "QĐND": "Quân đội nhân dân",
    "BĐBP": "Bộ đội Biên phòng",
    "LLVT": "lực lượng vũ trang",
    "DQTV": "dân quân tự vệ",
    "VKSND": "Viện Kiểm sát nhân dân",
    "TAND": "Tòa án nhân dân",
    "THADS": "thi hành án dân sự",
    "PCCC": "phòng cháy chữa cháy",
    "CNCH": "cứu nạn cứu hộ",
    "PCCC&CNCH": "phòng cháy chữa cháy và cứu nạn cứu hộ",
    "PCTT": "phòng chống thiên tai",
    "TKCN": "tìm kiếm cứu nạn",
    "PCTT&TKCN": "phòng chống thiên tai và tìm kiếm cứu nạn",
    "PCLB": "phòng chống lụt bão",
    "PCLB&TKCN": "phòng chống lụt bão và tìm kiếm cứu nạn",
    "UPSCTT": "ứng phó sự cố thiên tai",
    "ƯPSCTT": "ứng phó sự cố thiên tai",
    "ƯPSC": "ứng phó sự cố",
    "KTTV": "khí tượng thủy văn",
    "KTTVQG": "khí tượng thủy văn quốc gia",
    "TTDBKTTV": "Trung tâm Dự báo khí tượng thủy văn",
    "TTDBKTTVQG": "Trung tâm Dự báo khí tượng thủy văn quốc gia",
    "ATNĐ": "áp thấp nhiệt đới",
    "XTNĐ": "xoáy thuận nhiệt đới",
    "KKL": "không khí lạnh",
    "BĐKH": "biến đổi khí hậu",
    "TTBĐ": "thông tin báo động",
    "TNXP": "thanh niên xung phong",
    "GTNT": "giao thông nông thôn",
    "PTTH": "phát thanh truyền hình",
    "UBQG": "Ủy ban Quốc gia",
    "BCĐQG": "Ban Chỉ đạo quốc gia",
    "BCHQSTP": "Ban Chỉ huy Quân sự thành phố",
    "CAX": "công an xã",
    "CSKV": "cảnh sát khu vực",
    "TTKSBT": "Trung tâm Kiểm soát bệnh tật",
    "CDC": "Trung tâm Kiểm soát bệnh tật",
    "TCMR": "tiêm chủng mở rộng",
    "SXH": "sốt xuất huyết",
    "TCM": "tay chân miệng",
    "LMLM": "lở mồm long móng",
    "DTLCP": "dịch tả lợn châu Phi",
    "CGCN": "chuyển giao công nghệ",
    "VHTT": "văn hóa thông tin",
    "BVTV": "bảo vệ thực vật",
    "KHKT": "khoa học kỹ thuật",
    "TBA": "trạm biến áp",
    "GMĐB": "gió mùa đông bắc",
    "TBNN": "trung bình nhiều năm",
    "MNDBT": "mực nước dâng bình thường",
    "MNC": "mực nước chết",
    "ĐBBB": "Đồng bằng Bắc Bộ",
    "BTB": "Bắc Trung Bộ",
    "TTB": "Trung Trung Bộ",
    "NTB": "Nam Trung Bộ",
    "PCCCR": "phòng cháy chữa cháy rừng",
    "QLBVR": "quản lý bảo vệ rừng",
    "CLB": "câu lạc bộ",
    "NVH": "nhà văn hóa",
    "ĐVTN": "đoàn viên thanh niên",
    "TĐC": "tái định cư",
    "SXKD": "sản xuất kinh doanh",
    "BVMT": "bảo vệ môi trường",
    "VSMT": "vệ sinh môi trường",
    "DVC": "dịch vụ công",
    "BPMC": "bộ phận một cửa",
    "TTPVHCC": "Trung tâm Phục vụ hành chính công",
    "GPLX": "giấy phép lái xe",
    "MST": "mã số thuế",
    "HKTT": "hộ khẩu thường trú",
    "NVQS": "nghĩa vụ quân sự",
    "QNDB": "quân nhân dự bị",
    "VPHC": "vi phạm hành chính",
    "MTQG": "mục tiêu quốc gia",
    "CTMTQG": "chương trình mục tiêu quốc gia",
    "NSNN": "ngân sách nhà nước",
    "KBNN": "Kho bạc Nhà nước",
    "NHCSXH": "Ngân hàng Chính sách xã hội",
    "QTDND": "quỹ tín dụng nhân dân",
    "HGĐ": "hộ gia đình",
    "DTTS": "dân tộc thiểu số",
    "ĐBKK": "đặc biệt khó khăn",
    "CSHS": "cảnh sát hình sự",
    "ATLĐ": "an toàn lao động",
    "BQLDA": "Ban Quản lý dự án",
    "XDCB": "xây dựng cơ bản",
    "PTNT": "phát triển nông thôn",
    "TTCP": "Thanh tra Chính phủ",
    "BKS": "biển kiểm soát",
    "MBA": "máy biến áp",
    "ĐZ": "đường dây",
    "ANTT": "an ninh trật tự",
    "ATGT": "an toàn giao thông",
    "TNGT": "tai nạn giao thông",
    "ATTP": "an toàn thực phẩm",
    "VSATTP": "vệ sinh an toàn thực phẩm",
    "ATVSLĐ": "an toàn vệ sinh lao động",
    "NN&PTNT": "Nông nghiệp và Phát triển nông thôn",
    "NNPTNT": "Nông nghiệp và Phát triển nông thôn",
    "TN&MT": "Tài nguyên và Môi trường",
    "TNMT": "Tài nguyên và Môi trường",
    "GD&ĐT": "Giáo dục và Đào tạo",
    "GDĐT": "Giáo dục và Đào tạo",
    "LĐTB&XH": "Lao động - Thương binh và Xã hội",
    "LĐTBXH": "Lao động - Thương binh và Xã hội",
    "VHTTDL": "Văn hóa, Thể thao và Du lịch",
    "VH,TT&DL": "Văn hóa, Thể thao và Du lịch",
    "KH&CN": "Khoa học và Công nghệ",
    "KHCN": "khoa học công nghệ",
    "TT&TT": "Thông tin và Truyền thông",
    "TTTT": "Thông tin và Truyền thông",
    "GTVT": "Giao thông vận tải",
    "KH&ĐT": "Kế hoạch và Đầu tư",
    "KT-XH": "kinh tế - xã hội",
    "LĐ-TB&XH": "Lao động - Thương binh và Xã hội",
    "NN-PTNT": "Nông nghiệp và Phát triển nông thôn",
    "TN-MT": "Tài nguyên và Môi trường",
    "GD-ĐT": "Giáo dục và Đào tạo",
    "KH-CN": "Khoa học và Công nghệ",
    "KH-ĐT": "Kế hoạch và Đầu tư",
    "TT-TT": "Thông tin và Truyền thông",
    "VH-TT&DL": "Văn hóa, Thể thao và Du lịch",
    "VH-TT": "văn hóa - thông tin",
    "QP-AN": "quốc phòng - an ninh",
    "AN-QP": "an ninh - quốc phòng",
    "ANQP": "an ninh quốc phòng",
    "PCTT-TKCN": "phòng chống thiên tai và tìm kiếm cứu nạn",
    "KTXH": "kinh tế - xã hội",
    "HTX": "hợp tác xã",
    "THT": "tổ hợp tác",
    "DN": "doanh nghiệp",
    "CP": "cổ phần",
    "TNHH": "trách nhiệm hữu hạn",
    "MTV": "một thành viên",
    "TW": "Trung ương",
    "TƯ": "Trung ương",
    "ĐBQH": "đại biểu Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "XHCN": "xã hội chủ nghĩa",
    "CHXHCN": "Cộng hòa xã hội chủ nghĩa",
    "ĐCSVN": "Đảng Cộng sản Việt Nam",
    "VN": "Việt Nam",
    "TP": "thành phố",
    "TP.": "thành phố",
    "Tp.": "thành phố",
    "TP.HCM": "Thành phố Hồ Chí Minh",
    "TPHCM": "Thành phố Hồ Chí Minh",
    "HCM": "Hồ Chí Minh",
    "TX": "thị xã",
    "TT": "thị trấn",
    "KCN": "khu công nghiệp",
    "CCN": "cụm công nghiệp",
    "KDC": "khu dân cư",
    "KP": "khu phố",
    "TDP": "tổ dân phố",
    "QL": "quốc lộ",
    "ĐBSCL": "Đồng bằng sông Cửu Long",
    "CBCC": "cán bộ, công chức",
    "CBCCVC": "cán bộ, công chức, viên chức",
    "CNVC": "công nhân viên chức",
    "CNVCLĐ": "công nhân viên chức lao động",
    "NLĐ": "người lao động",
    "NCT": "người cao tuổi",
    "NKT": "người khuyết tật",
    "HS": "học sinh",
    "HSSV": "học sinh, sinh viên",
    "GV": "giáo viên",
    "SV": "sinh viên",
    "TTYT": "Trung tâm Y tế",
    "TYT": "Trạm Y tế",
    "BVĐK": "Bệnh viện Đa khoa",
    "GPMB": "giải phóng mặt bằng",
    "NTM": "nông thôn mới",
    "XDNTM": "xây dựng nông thôn mới",
    "CMND": "chứng minh nhân dân",
    "CCCD": "căn cước công dân",
    "GCN": "giấy chứng nhận",
    "QSDĐ": "quyền sử dụng đất",
    "ĐKKD": "đăng ký kinh doanh",
    "SN": "sinh năm",
    "Đ/c": "đồng chí",
    "đ/c": "đồng chí",
    "Đ/C": "đồng chí",
}

# Issuing bodies as they appear after the type code of a document number ("80/KH-UBND").
ISSUERS: dict[str, str] = {
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "VPCP": "Văn phòng Chính phủ",
    "BYT": "Bộ Y tế",
    "BTC": "Bộ Tài chính",
    "BCA": "Bộ Công an",
    "BQP": "Bộ Quốc phòng",
    "BNV": "Bộ Nội vụ",
    "BTP": "Bộ Tư pháp",
    "BCT": "Bộ Công Thương",
    "BXD": "Bộ Xây dựng",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BGTVT": "Bộ Giao thông vận tải",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BNG": "Bộ Ngoại giao",
    "NHNN": "Ngân hàng Nhà nước",
    "TW": "Trung ương",
    "TU": "Tỉnh ủy",
    "HU": "Huyện ủy",
    "ĐU": "Đảng ủy",
    "QU": "Quận ủy",
    "TƯ": "Trung ương",
    "BCĐ": "Ban Chỉ đạo",
    "SYT": "Sở Y tế",
    "STC": "Sở Tài chính",
    "SGDĐT": "Sở Giáo dục và Đào tạo",
    "VP": "Văn phòng",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "TANDTC": "Tòa án nhân dân tối cao",
    "VKSNDTC": "Viện Kiểm sát nhân dân tối cao",
}

# A reading that depends on the words that follow the abbreviation.
CONTEXTUAL: dict[str, tuple[re.Pattern[str], str]] = {
    # A command (chỉ huy) for the military, civil defence and fire services; else an executive
    # committee (chấp hành) of the Party, the Youth Union, a trade union.
    "BCH": (
        re.compile(
            r"\s+(?:[Qq]uân sự|QUÂN SỰ|QS|PCTT|PCLB|PCCC|ƯPSC|UPSC|TKCN|[Pp]hòng,? chống|"
            r"PHÒNG,? CHỐNG|[Pp]hòng cháy|[Ứứ]ng phó|[Tt]ìm kiếm cứu nạn|[Bb]iên phòng)"
        ),
        "Ban Chỉ huy",
    ),
    # "TT" is a town (thị trấn) unless a centre's field follows: "TT Y tế", "TT Dự báo".
    "TT": (
        re.compile(
            r"\s+(?:Y tế|Dự báo|Văn hóa|VH|Khuyến nông|Dịch vụ|Bảo trợ|Giáo dục|Phục vụ|Kiểm soát"
            r"|Truyền thông|Điều hành|Hành chính|Chính trị|Quan trắc|Phát triển|Nước sạch|KTTV|DVC)"
        ),
        "Trung tâm",
    ),
}


def read_lexicon_table(path: Path) -> dict[str, str]:
    """A ``written<TAB>spoken`` file (``#`` starts a comment line), NFC."""
    table: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        written, sep, spoken = line.partition("\t")
        if not sep or not written.strip() or not spoken.strip():
            raise ValueError(f"{path}:{number}: expected WRITTEN<TAB>spoken, got {line!r}")
        table[unicodedata.normalize("NFC", written.strip())] = unicodedata.normalize(
            "NFC", spoken.strip()
        )
    return table


def foreign_key(written: str) -> str:
    """How a foreign name is looked up: all capitals as written (WHO), else case-folded."""
    return written if written.isupper() else written.casefold()


# Foreign names and brands in Vietnamese phonology (rules/foreign_names.tsv), by foreign_key.
FOREIGN_NAMES: dict[str, str] = {
    foreign_key(k): v
    for k, v in read_lexicon_table(Path(__file__).parent / "rules" / "foreign_names.tsv").items()
}

# Vietnamese place names in Latin letters, read as written (rules/kept_names.txt).
KEPT_NAMES: frozenset[str] = frozenset(
    line.strip()
    for line in (Path(__file__).parent / "rules" / "kept_names.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
)
