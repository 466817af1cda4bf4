"""Builders of tiny, randomly initialised models, so engine plumbing is tested without downloads."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

# Sentences in the register of commune announcements; the tokenizer only needs to cover them.
VIETNAMESE_SENTENCES: tuple[str, ...] = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi.",
    "Thời gian tiêm từ 7 giờ 30 ngày 15 tháng 3 năm 2025 tại trạm y tế xã.",
    "Đề nghị các hộ gia đình đưa trẻ đến đúng giờ và mang theo sổ tiêm chủng.",
    "Bão số 3 đang di chuyển vào vùng biển phía bắc, gió mạnh cấp 10, giật cấp 12.",
    "Người dân không ra khơi, gia cố nhà cửa, chằng chống mái tôn trước 17 giờ hôm nay.",
    "Hội nông dân xã tổ chức tập huấn kỹ thuật trồng lúa vào sáng thứ bảy tại nhà văn hóa.",
    "Điện lực huyện thông báo tạm ngừng cấp điện từ 6 giờ đến 11 giờ ngày 20 tháng 4.",
    "Khu vực ảnh hưởng gồm thôn Đông, thôn Tây và xóm Chợ.",
    "Công an xã đề nghị nhân dân cảnh giác với các cuộc gọi lừa đảo qua điện thoại.",
    "Không cung cấp mã OTP, số tài khoản ngân hàng cho người lạ.",
    "Theo Quyết định số 125/QĐ-UBND, xã sẽ nạo vét kênh mương nội đồng trong tháng này.",
    "Mỗi hộ cử một lao động tham gia, mang theo cuốc, xẻng và dụng cụ cá nhân.",
    "Trung tâm y tế khuyến cáo người dân phòng chống sốt xuất huyết mùa mưa.",
    "Hãy đậy kín dụng cụ chứa nước, thả cá diệt lăng quăng và ngủ màn.",
    "Nhà văn hóa thôn Bắc tổ chức hội nghị lấy ý kiến về quy hoạch sử dụng đất.",
    "Bà con mang theo giấy chứng nhận quyền sử dụng đất và căn cước công dân.",
    "Đoàn thanh niên phát động ra quân vệ sinh môi trường vào chủ nhật tuần này.",
    "Chi hội phụ nữ vận động hội viên tham gia khám sức khỏe miễn phí.",
    "Trường tiểu học xã thông báo tuyển sinh lớp một năm học 2025 đến 2026.",
    "Hồ sơ gồm giấy khai sinh bản sao và sổ hộ khẩu, nộp trước ngày 30 tháng 6.",
    "Ban chỉ huy quân sự xã thông báo lịch khám tuyển nghĩa vụ quân sự.",
    "Thanh niên sinh năm 2007 có mặt tại hội trường lúc 7 giờ sáng.",
    "Mực nước sông Hồng đang lên nhanh, có khả năng vượt báo động 2.",
    "Các hộ ven sông chủ động di chuyển tài sản, gia súc lên nơi cao.",
    "Xã tổ chức lễ ra quân trồng cây đầu xuân tại khu đồi phía tây.",
    "Ủy ban nhân dân xã đề nghị bà con thực hiện tốt các nội dung trên.",
)


def train_sentencepiece(folder: Path, sentences: Sequence[str], vocab_size: int = 300) -> Path:
    """A unigram SentencePiece model with T5's special ids: pad 0, eos 1, unk 2, no bos."""
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(list(sentences) * 4),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a few dozen sentences may not support the full vocabulary
        character_coverage=1.0,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "spiece.model"
    path.write_bytes(model.getvalue())
    return path


def build_tiny_t5(folder: Path, *, seed: int = 0) -> Path:
    """A 2-layer T5 with random weights and a SentencePiece tokenizer, saved as a checkpoint."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

    train_sentencepiece(folder, VIETNAMESE_SENTENCES)
    # No sentinel tokens: a random model would often pick them, and they decode to nothing.
    tokenizer = T5Tokenizer.from_pretrained(str(folder), local_files_only=True, extra_ids=0)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=16,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=2,
        relative_attention_num_buckets=8,
        pad_token_id=0,
        eos_token_id=1,
    )
    config.decoder_start_token_id = 0  # T5 starts decoding from <pad>
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config)
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


def convert_to_ctranslate2(
    source: Path,
    target: Path,
    *,
    copy_files: Sequence[str] = ("tokenizer.json", "tokenizer_config.json", "spiece.model"),
) -> Path:
    """The int8 CTranslate2 conversion, with the tokenizer files copied beside the weights."""
    from ctranslate2.converters import TransformersConverter

    converter = TransformersConverter(str(source), copy_files=list(copy_files))
    converter.convert(str(target), quantization="int8", force=True)
    return target
