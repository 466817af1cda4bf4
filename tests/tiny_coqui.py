"""Build a tiny random-weight Coqui VITS model that reads Vietnamese letters, for tests.

Runs with the coqui env's Python (it imports TTS): `.venv-coqui/bin/python tests/tiny_coqui.py DIR`
writes DIR/model.pth and DIR/config.json, loadable with `TTS(model_path=…, config_path=…)`.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

_VOWELS = "aăâeêioôơuưy"
_CONSONANTS = "bcdđghklmnpqrstvx" + "fjwz"
# Grave, hook above, tilde, acute, dot below: the five marked tones.
_TONE_MARKS = "\u0300\u0309\u0303\u0301\u0323"


def vietnamese_letters() -> str:
    """Every lowercase Vietnamese letter in NFC, toned vowels included (what bulletin emits)."""
    letters = set(_VOWELS + _CONSONANTS)
    for vowel in _VOWELS:
        for mark in _TONE_MARKS:
            letters.add(unicodedata.normalize("NFC", vowel + mark))
    return "".join(sorted(letters))


def build(out_dir: Path, seed: int = 0) -> tuple[Path, Path]:
    import torch
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    torch.manual_seed(seed)
    config = VitsConfig(
        model_args=VitsArgs(
            hidden_channels=16,
            hidden_channels_ffn_text_encoder=32,
            num_layers_text_encoder=1,
            num_layers_posterior_encoder=1,
            num_layers_flow=1,
            resblock_kernel_sizes_decoder=[3],
            resblock_dilation_sizes_decoder=[[1, 3, 5]],
            # The product of the upsample rates must equal the hop length (256).
            upsample_rates_decoder=[8, 8, 4],
            upsample_initial_channel_decoder=32,
            upsample_kernel_sizes_decoder=[16, 16, 8],
            # Training-only, and at default sizes it would make the file ~190 MB.
            init_discriminator=False,
        ),
        use_phonemes=False,
        text_cleaner="multilingual_cleaners",
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters",
            characters=vietnamese_letters(),
            punctuations=" !,.:;?-",
            pad="_",
            phonemes=None,
            is_unique=True,
            is_sorted=True,
        ),
        test_sentences=[],
    )
    model = Vits(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / "model.pth"
    config_path = out_dir / "config.json"
    torch.save({"model": model.state_dict()}, model_path)
    # The model filled in num_chars and the characters' final form.
    model.config.save_json(str(config_path))
    return model_path, config_path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUT_DIR")
    model, config = build(Path(sys.argv[1]))
    print(model)
    print(config)
