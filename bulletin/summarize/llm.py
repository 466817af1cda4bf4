"""Summaries from a chat model behind an OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field

from bulletin.errors import InputError
from bulletin.summarize.base import Budget, SummarizerError, Summary
from bulletin.summarize.lead import fit_budget
from bulletin.text.redact import redact
from bulletin.text.sentences import ensure_period, split_sentences

if TYPE_CHECKING:
    import httpx

SYSTEM_PROMPT = (
    "Bạn là biên tập viên của đài truyền thanh xã. Hãy tóm tắt thông báo chính thức dưới đây "
    "để cán bộ đọc trên loa truyền thanh cho bà con nghe.\n"
    "Yêu cầu:\n"
    "- Viết bằng tiếng Việt, {length}.\n"
    "- Giữ nguyên chính xác mọi con số, ngày tháng, giờ, tên người, địa danh, tên cơ quan và "
    "số hiệu văn bản đúng như trong bản gốc.\n"
    "- Không thêm bất cứ thông tin nào không có trong bản gốc; không bình luận.\n"
    "- Không dùng markdown, không gạch đầu dòng, không đề mục, không in đậm: chỉ viết các câu "
    "văn hoàn chỉnh, mỗi câu kết thúc bằng dấu chấm.\n"
    "- Chỉ trả lời bằng nội dung bản tóm tắt."
)

DETAIL_CHARS = 200
"""How much of a failed answer an error keeps; enough to recognise the server's message."""

# Markdown a chat model adds despite the prompt; none of it can be read aloud.
_REASONING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+•]\s+|\d{1,2}[.)]\s+)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_RULE = re.compile(r"^\s*([-*_=])\1{2,}\s*$")


def length_instruction(budget: Budget) -> str:
    """The length the system prompt asks for, from the sentence and speech-time budget."""
    parts: list[str] = []
    if budget.sentences is not None:
        parts.append(f"tối đa {budget.sentences} câu")
    if budget.seconds is not None:
        words = max(round(budget.seconds * budget.words_per_minute / 60), 1)
        parts.append(f"đọc hết khoảng {round(budget.seconds)} giây (khoảng {words} chữ)")
    return ", ".join(parts) if parts else "ngắn gọn"


def plain_text(answer: str) -> str:
    """The answer as one sentence or more per line, without markdown or reasoning blocks."""
    lines: list[str] = []
    for raw in _REASONING.sub("", answer).splitlines():
        if _RULE.match(raw) or raw.lstrip().startswith("#"):
            continue  # headings repeat the title, which the programme reads anyway
        line = _EMPHASIS.sub("", _LINE_MARKUP.sub("", raw)).strip()
        if not line or _is_label(line):
            continue
        # Each line was a bullet or a paragraph: it needs its full stop to be read as one.
        lines.append(ensure_period(line))
    return "\n".join(lines)


def _is_label(line: str) -> bool:
    """A lead-in such as "Tóm tắt:" that introduces the summary instead of saying anything."""
    return line.endswith(":") and len(line.split()) <= 5


class LlmSummarizer:
    """One chat completion per announcement; the caller's guard checks and falls back."""

    name = "llm"

    class Options(BaseModel):
        """`summary.llm` in bulletin.yaml."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        url: str = "http://127.0.0.1:11434/v1"
        """An OpenAI-compatible base URL."""
        model: str = "qwen2.5:7b-instruct"
        api_key_env: str | None = None
        """The environment variable holding the API key, if the server wants one."""
        timeout_s: float = Field(60.0, gt=0, le=600)
        temperature: float = Field(0.2, ge=0, le=2)

    @classmethod
    def from_options(cls, options: Options) -> Self:
        return cls(**options.model_dump())

    def __init__(
        self,
        url: str,
        model: str,
        api_key_env: str | None = None,
        timeout_s: float = 60.0,
        temperature: float = 0.2,
    ) -> None:
        self.url = url.rstrip("/")
        self.endpoint = f"{self.url}/chat/completions"
        self.model = model
        self.timeout_s = timeout_s
        self.temperature = temperature
        self._headers = {"Accept": "application/json"}
        self._secrets: frozenset[str] = frozenset()
        if api_key_env:
            key = os.environ.get(api_key_env, "").strip()
            if not key:
                raise InputError("summarize.llm_key_missing", env=api_key_env)
            self._headers["Authorization"] = f"Bearer {key}"
            self._secrets = frozenset({key})

    def summarize(self, text: str, budget: Budget, *, title: str | None = None) -> Summary:
        return self.summarize_many([(text, title)], budget)[0]

    def summarize_many(
        self, texts: Sequence[tuple[str, str | None]], budget: Budget
    ) -> list[Summary]:
        import httpx

        # One client, so the connection to a local server is kept alive across the batch.
        with httpx.Client(timeout=self.timeout_s, headers=self._headers) as client:
            return [self._summarize(client, text, title, budget) for text, title in texts]

    def request_body(self, text: str, title: str | None, budget: Budget) -> dict[str, Any]:
        article = (
            f"Tiêu đề: {title.strip()}\n\nNội dung:\n{text.strip()}" if title else text.strip()
        )
        return {
            "model": self.model,
            "messages": [
                {
                    "role": "system",
                    "content": SYSTEM_PROMPT.format(length=length_instruction(budget)),
                },
                {"role": "user", "content": article},
            ],
            "temperature": self.temperature,
            "stream": False,
        }

    def _summarize(
        self, client: httpx.Client, text: str, title: str | None, budget: Budget
    ) -> Summary:
        import httpx

        try:
            response = client.post(self.endpoint, json=self.request_body(text, title, budget))
        except httpx.TimeoutException as error:
            raise self._failed(f"no answer within {self.timeout_s:g} s") from error
        except httpx.HTTPError as error:
            raise self._failed(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise self._failed(f"HTTP {response.status_code}: {response.text}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise self._failed(f"not an OpenAI chat completion: {response.text}") from error
        if not isinstance(content, str):
            raise self._failed("the answer has no text content")
        sentences = split_sentences(plain_text(content))
        if not sentences:
            raise self._failed("empty answer")
        return Summary(tuple(fit_budget(sentences, budget)), self.name)

    def _failed(self, detail: str) -> SummarizerError:
        """The failure, with the key and anything credential-shaped masked: the detail is kept
        as a fallback reason and printed, and a server may echo our request back."""
        shown = redact(" ".join(detail.split()), self._secrets)
        if len(shown) > DETAIL_CHARS:
            shown = shown[:DETAIL_CHARS] + "…"
        return SummarizerError(
            "summarize.llm_failed", url=redact(self.endpoint, self._secrets), detail=shown
        )
