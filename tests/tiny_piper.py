"""A tiny random-weight piper voice built with piper's own VITS code, and a benchmark of
our PiperEngine against piper's own API on it."""

from __future__ import annotations

import json
import statistics
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Real vi_VN voices are 22050 Hz with 256-sample hops; the tiny voice keeps both so the
# runtime sees the same shapes, only with far fewer channels.
SAMPLE_RATE = 22050
HOP_LENGTH = 256
NUM_SYMBOLS = 256  # piper's training default; the id map uses the first ~166
VOICE_NAME = "vi_VN-tiny-x_low"

# ~400 syllables of commune-announcement Vietnamese, for benchmarks.
BENCH_SENTENCES: tuple[str, ...] = (
    "Kính thưa bà con nhân dân trong xã.",
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi.",
    "Thời gian tiêm từ bảy giờ ba mươi phút sáng thứ bảy tại trạm y tế xã.",
    "Đề nghị các hộ gia đình đưa trẻ đến đúng giờ và mang theo sổ tiêm chủng.",
    "Bão số ba đang di chuyển vào vùng biển phía bắc, gió mạnh cấp mười, giật cấp mười hai.",
    "Người dân không ra khơi, gia cố nhà cửa, chằng chống mái tôn trước năm giờ chiều nay.",
    "Hội nông dân xã tổ chức tập huấn kỹ thuật trồng lúa vào sáng thứ bảy tại nhà văn hóa.",
    "Điện lực huyện thông báo tạm ngừng cấp điện từ sáu giờ đến mười một giờ ngày hai mươi.",
    "Khu vực ảnh hưởng gồm thôn Đông, thôn Tây và xóm Chợ.",
    "Công an xã đề nghị nhân dân cảnh giác với các cuộc gọi lừa đảo qua điện thoại.",
    "Không cung cấp mã xác thực, số tài khoản ngân hàng cho người lạ.",
    "Xã sẽ nạo vét kênh mương nội đồng trong tháng này, mỗi hộ cử một lao động tham gia.",
    "Trung tâm y tế khuyến cáo người dân phòng chống sốt xuất huyết trong mùa mưa.",
    "Hãy đậy kín dụng cụ chứa nước, thả cá diệt lăng quăng và ngủ màn.",
    "Nhà văn hóa thôn Bắc tổ chức hội nghị lấy ý kiến về quy hoạch sử dụng đất.",
    "Bà con mang theo giấy chứng nhận quyền sử dụng đất và căn cước công dân.",
    "Đoàn thanh niên phát động ra quân vệ sinh môi trường vào chủ nhật tuần này.",
    "Chi hội phụ nữ vận động hội viên tham gia khám sức khỏe miễn phí.",
    "Trường tiểu học xã thông báo tuyển sinh lớp một năm học mới.",
    "Hồ sơ gồm giấy khai sinh bản sao, nộp trước ngày ba mươi tháng sáu.",
    "Ban chỉ huy quân sự xã thông báo lịch khám tuyển nghĩa vụ quân sự.",
    "Mực nước sông Hồng đang lên nhanh, có khả năng vượt báo động hai.",
    "Các hộ ven sông chủ động di chuyển tài sản, gia súc lên nơi cao.",
    "Ủy ban nhân dân xã đề nghị bà con thực hiện tốt các nội dung trên.",
    "Xin trân trọng cảm ơn bà con đã lắng nghe.",
)
BENCH_TEXT = " ".join(BENCH_SENTENCES)


def build_tiny_voice(
    folder: Path, *, num_speakers: int = 1, seed: int = 1234, name: str = VOICE_NAME
) -> Path:
    """Export a random-weight piper VITS voice to `folder/<name>.onnx` (+ `.onnx.json`).

    The network is piper's own `SynthesizerTrn` and the export mirrors
    `piper.train.export_onnx` (same wrapper, input/output names, opset), so the runtime
    sees exactly what it sees in a downloaded voice, only with tiny layers. Needs torch.
    """
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    folder.mkdir(parents=True, exist_ok=True)
    model_path = folder / f"{name}.onnx"
    # piper's model code and the TorchScript exporter warn about deprecations and about
    # data-dependent shapes (expected for VITS); none of it is ours to act on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _export_model(model_path, num_speakers, seed)

    config = {
        "dataset": "tiny",
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "x_low"},
        "espeak": {"voice": "vi"},
        "language": {"code": "vi_VN", "family": "vi", "region": "VN"},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_map": {},
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": NUM_SYMBOLS,
        "num_speakers": num_speakers,
        "speaker_id_map": (
            {f"speaker_{i}": i for i in range(num_speakers)} if num_speakers > 1 else {}
        ),
        "hop_length": HOP_LENGTH,
        "piper_version": "1.0.0",
    }
    config_path = folder / f"{name}.onnx.json"
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    return model_path


def _export_model(model_path: Path, num_speakers: int, seed: int) -> None:
    import torch
    from piper.train.vits.models import SynthesizerTrn

    torch.manual_seed(seed)
    model_g: Any = SynthesizerTrn(
        n_vocab=NUM_SYMBOLS,
        spec_channels=1024 // 2 + 1,
        segment_size=8192 // HOP_LENGTH,
        inter_channels=16,
        hidden_channels=16,
        filter_channels=32,
        n_heads=2,
        n_layers=1,
        kernel_size=3,
        p_dropout=0.0,
        resblock="2",
        resblock_kernel_sizes=(3,),
        resblock_dilation_sizes=((1, 3),),
        # Their product must equal the hop length, as piper's training checks.
        upsample_rates=(8, 8, 4),
        upsample_initial_channel=32,
        upsample_kernel_sizes=(16, 16, 8),
        n_speakers=num_speakers,
        gin_channels=16 if num_speakers > 1 else 0,
        use_sdp=True,
    )
    model_g.eval()
    with torch.no_grad():
        model_g.dec.remove_weight_norm()

    # piper.train.export_onnx's wrapper: the runtime passes the three scales as one tensor.
    def infer_forward(text: Any, text_lengths: Any, scales: Any, sid: Any = None) -> Any:
        return model_g.infer(
            text,
            text_lengths,
            noise_scale=scales[0],
            length_scale=scales[1],
            noise_scale_w=scales[2],
            sid=sid,
        )[0].unsqueeze(1)

    model_g.forward = infer_forward

    sequences = torch.randint(low=0, high=NUM_SYMBOLS, size=(1, 50), dtype=torch.long)
    sequence_lengths = torch.LongTensor([sequences.size(1)])
    sid = torch.LongTensor([0]) if num_speakers > 1 else None
    scales = torch.FloatTensor([0.667, 1.0, 0.8])
    # The TorchScript exporter is the one piper's published voices were made with;
    # torch's newer default (dynamo) would need onnxscript and traces differently.
    torch.onnx.export(
        model=model_g,
        args=(sequences, sequence_lengths, scales, sid),
        f=str(model_path),
        verbose=False,
        opset_version=15,
        input_names=["input", "input_lengths", "scales", "sid"],
        output_names=["output"],
        dynamic_axes={
            "input": {0: "batch_size", 1: "phonemes"},
            "input_lengths": {0: "batch_size"},
            "output": {0: "batch_size", 2: "time"},
        },
        dynamo=False,
    )


def bench_piper(
    model_path: str | Path, *, sentences: Sequence[str] = BENCH_SENTENCES, runs: int = 5
) -> dict[str, Any]:
    """Real-time factors (seconds of compute per second of audio, median of `runs`) of
    piper's own `PiperVoice.synthesize` on the whole text, against our `PiperEngine`
    on the same text in one call and sentence by sentence (the way bulletins use it).

    Runs alternate between the contenders so drift in machine load hits both alike;
    loading the voice is timed separately and left out of the factors.
    """
    import numpy as np
    from piper import PiperVoice, SynthesisConfig

    from bulletin.speech.tts.piper import PiperEngine

    text = " ".join(sentences)
    started = time.perf_counter()
    voice: Any = PiperVoice.load(str(model_path))
    piper_load_s = time.perf_counter() - started
    engine = PiperEngine(str(model_path))
    started = time.perf_counter()
    engine.synthesize("Xin chào.")  # loads the voice
    engine_load_s = time.perf_counter() - started

    def piper_direct() -> int:
        chunks = voice.synthesize(text, SynthesisConfig())
        return sum(len(chunk.audio_int16_array) for chunk in chunks)

    def engine_whole() -> int:
        return len(engine.synthesize(text).samples)

    def engine_stream() -> int:
        return sum(len(chunk.samples) for chunk in engine.stream(sentences))

    contenders = {"piper": piper_direct, "engine": engine_whole, "engine_stream": engine_stream}
    rtfs: dict[str, list[float]] = {label: [] for label in contenders}
    audio_s: dict[str, list[float]] = {label: [] for label in contenders}
    for run in contenders.values():
        run()  # warm-up: first-call allocations in onnxruntime and espeak
    for _ in range(runs):
        for label, run in contenders.items():
            started = time.perf_counter()
            samples = run()
            elapsed = time.perf_counter() - started
            seconds = samples / voice.config.sample_rate
            rtfs[label].append(elapsed / seconds)
            audio_s[label].append(seconds)
    piper_rtf = statistics.median(rtfs["piper"])
    engine_rtf = statistics.median(rtfs["engine"])
    stream_rtf = statistics.median(rtfs["engine_stream"])
    return {
        "model": str(model_path),
        "words": len(text.split()),
        "sentences": len(sentences),
        "runs": runs,
        "audio_s": round(float(np.median(audio_s["piper"])), 2),
        "piper_load_s": round(piper_load_s, 3),
        "engine_load_s": round(engine_load_s, 3),
        "piper_rtf": piper_rtf,
        "engine_rtf": engine_rtf,
        "engine_stream_rtf": stream_rtf,
        "ratio": engine_rtf / piper_rtf,
        "stream_ratio": stream_rtf / piper_rtf,
        # Best-of-runs ratios: other processes on the machine only ever add time, so the
        # fastest runs show the wrapper's own cost when the medians are noisy.
        "ratio_best": min(rtfs["engine"]) / min(rtfs["piper"]),
        "stream_ratio_best": min(rtfs["engine_stream"]) / min(rtfs["piper"]),
    }


if __name__ == "__main__":
    import sys
    import tempfile

    if len(sys.argv) > 1:
        print(json.dumps(bench_piper(sys.argv[1]), indent=2))
    else:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(bench_piper(build_tiny_voice(Path(folder))), indent=2))
