"""Abstractive summaries from a local seq2seq checkpoint (ViT5 and kin).

Runs through transformers (PyTorch) or a CTranslate2 int8 conversion; never downloads weights.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from bulletin.errors import InputError
from bulletin.summarize.base import Budget, SummarizerError, Summary
from bulletin.summarize.lead import fit_budget
from bulletin.text.sentences import ensure_period, split_sentences

Backend = Literal["transformers", "ctranslate2"]
BACKENDS: tuple[str, ...] = ("transformers", "ctranslate2")

DEFAULT_MODEL = "VietAI/vit5-base-vietnews-summarization"
"""The checkpoint the install hint suggests: ViT5-base fine-tuned on Vietnamese news."""

TOKENS_PER_SYLLABLE = 1.5
"""ViT5's SentencePiece splits a Vietnamese syllable into about 1.5 pieces."""
SYLLABLES_PER_SENTENCE = 30
"""A long announcement sentence, for budgets that count sentences only."""
MIN_NEW_TOKENS = 16
LENGTH_SLACK_TOKENS = 8
"""Room for the final punctuation and end-of-sequence, so the last sentence is not cut."""

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_SENTENCE_END = (".", "!", "?", "…", '"', "”", ")")


def max_new_tokens_for(budget: Budget, cap: int) -> int:
    """Tokens worth generating for `budget`: its speech time in syllables, at most `cap`."""
    limits: list[float] = []
    if budget.seconds is not None:
        limits.append(budget.seconds * budget.words_per_minute / 60.0)
    if budget.sentences is not None:
        limits.append(budget.sentences * SYLLABLES_PER_SENTENCE)
    if not limits:
        return cap
    wanted = math.ceil(min(limits) * TOKENS_PER_SYLLABLE) + LENGTH_SLACK_TOKENS
    return max(min(MIN_NEW_TOKENS, cap), min(cap, wanted))


class Seq2SeqSummarizer:
    """A local encoder-decoder checkpoint; the model loads once, in the constructor."""

    name = "seq2seq"

    class Options(BaseModel):
        """`summary.seq2seq` in bulletin.yaml."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        model: str | None = None
        """A local folder, or a model id already in the local Hugging Face cache."""
        backend: Backend = "transformers"
        max_input_tokens: int = Field(1024, ge=16, le=16384)
        max_new_tokens: int = Field(256, ge=8, le=4096)
        num_beams: int = Field(4, ge=1, le=16)
        device: str = "cpu"
        batch_size: int = Field(8, ge=1, le=256)
        prefix: str | None = None
        """Text put before each input, e.g. "vietnews: " for vit5-large."""

    @classmethod
    def from_options(cls, options: Options) -> Self:
        # An empty model is the constructor's to report: it says which setting to fill.
        return cls(model=options.model or "", **options.model_dump(exclude={"model"}))

    def __init__(
        self,
        model: str,
        backend: Backend = "transformers",
        max_input_tokens: int = 1024,
        max_new_tokens: int = 256,
        num_beams: int = 4,
        device: str = "cpu",
        batch_size: int = 8,
        prefix: str | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise InputError("summarize.backend", backend=backend, known=", ".join(BACKENDS))
        if not model:  # summary.seq2seq.model left empty in bulletin.yaml
            raise InputError("summarize.no_model")
        self.model = model
        self.backend = backend
        self.max_input_tokens = max_input_tokens
        self.max_new_tokens = max_new_tokens
        self.num_beams = num_beams
        self.device = device
        self.batch_size = max(batch_size, 1)
        _require_extra(backend)
        self.model_dir = _resolve_model(model, backend)
        self._tokenizer = _load_tokenizer(model, self.model_dir, backend)
        self._model: Any = None
        self._translator: Any = None
        config: dict[str, Any] = {}
        if backend == "transformers":
            self._model = _load_transformers_model(model, self.model_dir, device)
            config = self._model.config.to_dict()
        else:
            self._translator = _load_translator(model, self.model_dir, device)
        # T5 checkpoints may name their task prefix ("summarize: ") in their own config.
        if prefix is None:
            task = (config.get("task_specific_params") or {}).get("summarization") or {}
            prefix = str(task.get("prefix") or "")
        self.prefix = prefix

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return self.summarize_many([(text, title)], budget)[0]

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        """Batches of similar length, so padding wastes little; results keep the input order."""
        sources = [self._source(text, title) for text, title in texts]
        max_new = max_new_tokens_for(budget, self.max_new_tokens)
        order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
        outputs: list[str] = [""] * len(sources)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            generated = self._generate([sources[i] for i in chunk], max_new)
            for index, output in zip(chunk, generated, strict=True):
                outputs[index] = output
        return [self._summary(output, budget) for output in outputs]

    def _source(self, text: str, title: str | None) -> str:
        body = " ".join(text.split())
        # Announcements often put the date or the subject only in their title.
        if title and title.strip() and not body.startswith(title.strip()):
            body = f"{ensure_period(' '.join(title.split()))} {body}"
        return f"{self.prefix}{body}"

    def _summary(self, output: str, budget: Budget) -> Summary:
        sentences = split_sentences(output)
        # A summary that ran into the token limit ends mid-sentence: drop the fragment.
        if len(sentences) > 1 and not sentences[-1].endswith(_SENTENCE_END):
            sentences.pop()
        if not sentences:
            raise SummarizerError("summarize.empty_output", engine=self.name, model=self.model)
        return Summary(tuple(fit_budget(sentences, budget)), self.name)

    def _generate(self, sources: list[str], max_new: int) -> list[str]:
        min_new = min(4, max_new)  # an empty summary is never right
        if self._translator is not None:
            return self._generate_ctranslate2(sources, max_new, min_new)
        import torch

        encoded = self._tokenizer(
            sources,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self.max_input_tokens,
        ).to(self.device)
        options: dict[str, Any] = {"num_beams": self.num_beams}
        if self.num_beams > 1:
            options["early_stopping"] = True
        try:
            with torch.inference_mode():
                generated = self._model.generate(
                    **encoded, max_new_tokens=max_new, min_new_tokens=min_new, **options
                )
        except (RuntimeError, ValueError) as error:  # a bad checkpoint config, out of memory
            raise SummarizerError(
                "summarize.seq2seq_failed", model=self.model, detail=error
            ) from error
        decoded: list[str] = self._tokenizer.batch_decode(generated, skip_special_tokens=True)
        return [" ".join(text.split()) for text in decoded]

    def _generate_ctranslate2(self, sources: list[str], max_new: int, min_new: int) -> list[str]:
        encoded = self._tokenizer(sources, truncation=True, max_length=self.max_input_tokens)
        tokens = [self._tokenizer.convert_ids_to_tokens(ids) for ids in encoded["input_ids"]]
        try:
            results = self._translator.translate_batch(
                tokens,
                beam_size=self.num_beams,
                max_decoding_length=max_new,
                min_decoding_length=min_new,
                max_batch_size=self.batch_size,
            )
        except (RuntimeError, ValueError) as error:
            raise SummarizerError(
                "summarize.seq2seq_failed", model=self.model, detail=error
            ) from error
        ids = [self._tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in results]
        decoded: list[str] = self._tokenizer.batch_decode(ids, skip_special_tokens=True)
        return [" ".join(text.split()) for text in decoded]


def _module_available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _require_extra(backend: str) -> None:
    # transformers brings huggingface_hub; the CTranslate2 backend uses only its tokenizers.
    needed = (
        ("torch", "transformers") if backend == "transformers" else ("ctranslate2", "transformers")
    )
    if not all(_module_available(name) for name in needed):
        extra = "seq2seq" if backend == "transformers" else "ctranslate2"
        raise InputError("summarize.extra_missing", extra=extra)


def _looks_like_repo_id(model: str) -> bool:
    return bool(_REPO_ID.match(model)) and not model.startswith((".", "~"))


def _install_hint(model: str, backend: str) -> tuple[str, str]:
    """The commands to run on a machine with internet, and the folder to copy back."""
    is_id = _looks_like_repo_id(model) and not Path(model).expanduser().exists()
    repo = model if is_id else DEFAULT_MODEL
    name = repo.rsplit("/", 1)[-1]
    if backend == "transformers":
        folder = f"models/{name}" if is_id else model
        return f"pip install huggingface_hub && hf download {repo} --local-dir {folder}", folder
    source = f"models/{name}"
    folder = f"models/{name}-ct2" if is_id else model
    return (
        f"pip install 'bulletin[seq2seq,ctranslate2]' && hf download {repo} --local-dir {source}"
        f" && ct2-transformers-converter --model {source} --output_dir {folder}"
        " --quantization int8 --copy_files spiece.model"
    ), folder


def _missing(model: str, backend: str) -> InputError:
    hint, folder = _install_hint(model, backend)
    return InputError("summarize.model_missing", model=model, hint=hint, folder=folder)


def _resolve_model(model: str, backend: str) -> Path:
    """The local folder holding `model`: a path as given, or a model id's snapshot in the cache."""
    path = Path(model).expanduser()
    if not path.is_dir():
        if path.exists() or not _looks_like_repo_id(model):
            raise _missing(model, backend)
        from huggingface_hub import snapshot_download

        try:
            path = Path(snapshot_download(model, local_files_only=True))
        except Exception as error:  # the hub raises several types for "not in the cache"
            raise _missing(model, backend) from error
    expected = "config.json" if backend == "transformers" else "model.bin"
    if not (path / expected).is_file():
        hint, folder = _install_hint(model, backend)
        raise InputError(
            "summarize.model_incomplete",
            model=model,
            expected=expected,
            backend=backend,
            hint=hint,
            folder=folder,
        )
    return path


def _load_tokenizer(model: str, folder: Path, backend: str) -> Any:
    has_fast = (folder / "tokenizer.json").is_file()
    has_config = (folder / "tokenizer_config.json").is_file()
    has_spiece = (folder / "spiece.model").is_file()
    if not (has_fast or has_spiece or (backend == "transformers" and has_config)):
        raise InputError("summarize.tokenizer_missing", model=model)
    # Without tokenizer.json, transformers converts spiece.model, which needs both packages; when
    # either is missing it reports an unrelated "tiktoken" error, so say what is wrong here.
    if (
        not has_fast
        and has_spiece
        and not (_module_available("sentencepiece") and _module_available("google.protobuf"))
    ):
        raise InputError("summarize.tokenizer_needs_sentencepiece", model=model)
    try:
        if has_fast or has_config or backend == "transformers":
            from transformers import AutoTokenizer

            return AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        # A CTranslate2 folder converted with `--copy_files spiece.model` has no tokenizer
        # config, and its config.json is CTranslate2's, so AutoTokenizer cannot tell it is T5.
        from transformers import T5Tokenizer

        return T5Tokenizer.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError, ImportError) as error:
        raise InputError("summarize.model_unreadable", model=model, detail=error) from error


def _load_transformers_model(model: str, folder: Path, device: str) -> Any:
    from transformers import AutoModelForSeq2SeqLM
    from transformers.utils import logging as transformers_logging

    # Its per-weight progress bar would interleave with the CLI's own output.
    transformers_logging.disable_progress_bar()
    try:
        loaded = AutoModelForSeq2SeqLM.from_pretrained(str(folder), local_files_only=True)
        return loaded.to(device).eval()
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise InputError("summarize.model_unreadable", model=model, detail=error) from error


def _load_translator(model: str, folder: Path, device: str) -> Any:
    import ctranslate2

    compute_type = "int8" if device == "cpu" else "default"
    try:
        return ctranslate2.Translator(str(folder), device=device, compute_type=compute_type)
    except (OSError, ValueError, RuntimeError) as error:
        raise InputError("summarize.model_unreadable", model=model, detail=error) from error
