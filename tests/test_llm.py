"""The LLM engine against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bulletin.errors import InputError
from bulletin.summarize import build_summarizer, summarizer_for
from bulletin.summarize.base import Budget, SummarizerError
from bulletin.summarize.llm import LlmSummarizer, plain_text
from bulletin.text.sentences import split_sentences
from bulletin.workspace import SummaryConfig

ARTICLE = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới 5 tuổi. "
    "Thời gian tiêm từ 7 giờ 30 ngày 15/3/2025 tại trạm y tế xã. "
    "Đề nghị các hộ gia đình đưa trẻ đến đúng giờ và mang theo sổ tiêm chủng."
)
TITLE = "Thông báo số 12/TB-UBND về tiêm chủng"


@dataclass
class ChatServer:
    """Records every request; the first path segment picks how it answers."""

    base: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, mode: str) -> str:
        return f"{self.base}/{mode}/v1"


def _answer_for(mode: str, request: dict[str, Any]) -> tuple[int, bytes]:
    article = request["messages"][-1]["content"]
    body = article.split("Nội dung:\n", 1)[-1]
    first, second, *_ = [*split_sentences(body), "", ""]
    if mode == "ok":
        content = f"{first} {second}"
    elif mode == "invent":
        # A model that gets one number wrong: the guard must catch it.
        wrong = re.sub(r"\d+", lambda m: str(int(m.group()) + 3), first, count=1)
        content = f"{wrong} {second}"
    elif mode == "markdown":
        content = f"<think>bỏ qua</think>## Tóm tắt\n**Tóm tắt:**\n- **{first}**\n* {second}\n---"
    elif mode == "empty":
        content = "  \n"
    elif mode == "badjson":
        return 200, b"{not json"
    elif mode == "noshape":
        return 200, json.dumps({"error": "model not loaded"}).encode()
    else:
        return 500, b"internal error"
    completion = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": request["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
    }
    return 200, json.dumps(completion, ensure_ascii=False).encode()


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    server_state: ChatServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            mode, _, rest = self.path.strip("/").partition("/")
            server_state.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": request}
            )
            if rest != "v1/chat/completions":
                status, payload = 404, b"not found"
            elif mode == "echo":
                # A misconfigured proxy that answers with the request it was sent.
                status, payload = 401, json.dumps(dict(self.headers), indent=1).encode()
            elif mode == "slow":
                time.sleep(1.5)
                status, payload = _answer_for("ok", request)
            else:
                status, payload = _answer_for(mode, request)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (the timeout test)
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True  # a sleeping handler must not hold up shutdown
    server_state = ChatServer(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_summary_comes_from_the_chat_completion(chat_server: ChatServer) -> None:
    engine = LlmSummarizer(url=chat_server.url("ok"), model="qwen2.5:7b-instruct")
    summary = engine.summarize(ARTICLE, Budget(sentences=3), title=TITLE)
    assert summary.engine == "llm"
    assert summary.sentences == tuple(split_sentences(ARTICLE)[:2])


def test_request_is_an_openai_chat_completion_with_a_vietnamese_prompt(
    chat_server: ChatServer,
) -> None:
    engine = LlmSummarizer(url=chat_server.url("ok") + "/", model="qwen2.5:7b-instruct")
    engine.summarize(ARTICLE, Budget(sentences=2, seconds=30), title=TITLE)
    sent = chat_server.requests[-1]
    assert sent["path"] == "/ok/v1/chat/completions"
    assert "authorization" not in {name.lower() for name in sent["headers"]}
    body = sent["json"]
    assert body["model"] == "qwen2.5:7b-instruct"
    assert body["temperature"] == pytest.approx(0.2)
    system, user = body["messages"]
    assert system["role"] == "system"
    assert "tiếng Việt" in system["content"]
    assert "tối đa 2 câu" in system["content"]
    assert "30 giây" in system["content"]
    assert "số hiệu văn bản" in system["content"]
    assert user["role"] == "user"
    assert TITLE in user["content"]
    assert ARTICLE in user["content"]


def test_api_key_is_sent_as_a_bearer_token(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULLETIN_TEST_LLM_KEY", "sk-local-123")
    engine = LlmSummarizer(
        url=chat_server.url("ok"), model="m", api_key_env="BULLETIN_TEST_LLM_KEY"
    )
    engine.summarize(ARTICLE, Budget())
    assert chat_server.requests[-1]["headers"]["Authorization"] == "Bearer sk-local-123"


def test_unset_api_key_variable_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BULLETIN_TEST_LLM_KEY", raising=False)
    with pytest.raises(InputError) as caught:
        LlmSummarizer(url="http://127.0.0.1:9/v1", model="m", api_key_env="BULLETIN_TEST_LLM_KEY")
    assert caught.value.key == "summarize.llm_key_missing"
    assert "BULLETIN_TEST_LLM_KEY" in str(caught.value)


def test_markdown_and_reasoning_are_stripped(chat_server: ChatServer) -> None:
    engine = LlmSummarizer(url=chat_server.url("markdown"), model="m")
    summary = engine.summarize(ARTICLE, Budget(sentences=5))
    assert summary.sentences == tuple(split_sentences(ARTICLE)[:2])


def test_batch_answers_each_announcement_in_order(chat_server: ChatServer) -> None:
    settings = {"llm": {"url": chat_server.url("ok"), "model": "m", "timeout_s": 5}}
    engine = build_summarizer("llm", SummaryConfig.model_validate(settings))
    other = "Bão số 3 gây gió mạnh cấp 10. Người dân không ra khơi."
    summaries = engine.summarize_many([(ARTICLE, TITLE), (other, None)], Budget(sentences=1))
    assert [s.sentences for s in summaries] == [
        (split_sentences(ARTICLE)[0],),
        ("Bão số 3 gây gió mạnh cấp 10.",),
    ]


@pytest.mark.parametrize("mode", ["error500", "badjson", "noshape", "empty"])
def test_bad_answers_are_llm_failures(chat_server: ChatServer, mode: str) -> None:
    engine = LlmSummarizer(url=chat_server.url(mode), model="m", timeout_s=5)
    with pytest.raises(SummarizerError) as caught:
        engine.summarize(ARTICLE, Budget())
    assert caught.value.key == "summarize.llm_failed"
    assert caught.value.params["url"] == f"{chat_server.url(mode)}/chat/completions"


def test_slow_server_times_out_as_an_llm_failure(chat_server: ChatServer) -> None:
    engine = LlmSummarizer(url=chat_server.url("slow"), model="m", timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(SummarizerError) as caught:
        engine.summarize(ARTICLE, Budget())
    assert time.monotonic() - started < 1.4
    assert caught.value.key == "summarize.llm_failed"
    assert "0.3" in caught.value.params["detail"]


def test_unreachable_server_is_an_llm_failure(closed_port: int) -> None:
    engine = LlmSummarizer(url=f"http://127.0.0.1:{closed_port}/v1", model="m", timeout_s=2)
    with pytest.raises(SummarizerError) as caught:
        engine.summarize(ARTICLE, Budget())
    assert caught.value.key == "summarize.llm_failed"
    assert str(closed_port) in str(caught.value)


def test_plain_text_keeps_numbers_and_codes() -> None:
    answer = "1. Theo Quyết định số 125/QĐ-UBND, xã nạo vét kênh từ ngày 2/4.\n2) Mỗi hộ cử 1 người"
    assert split_sentences(plain_text(answer)) == [
        "Theo Quyết định số 125/QĐ-UBND, xã nạo vét kênh từ ngày 2/4.",
        "Mỗi hộ cử 1 người.",
    ]


def test_a_server_echoing_the_request_never_puts_the_key_in_the_error(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-live-5e2b9c0d71a4"
    monkeypatch.setenv("BULLETIN_TEST_LLM_KEY", key)
    engine = LlmSummarizer(
        url=chat_server.url("echo"), model="m", api_key_env="BULLETIN_TEST_LLM_KEY"
    )
    with pytest.raises(SummarizerError) as caught:
        engine.summarize(ARTICLE, Budget())
    assert chat_server.requests[-1]["headers"]["Authorization"] == f"Bearer {key}"
    message = str(caught.value)
    assert "401" in message and "Authorization" in message and "***" in message
    assert key not in message and "\n" not in message


def test_the_fallback_reason_kept_with_a_summary_holds_no_secret(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-live-5e2b9c0d71a4"
    monkeypatch.setenv("BULLETIN_TEST_LLM_KEY", key)
    host = chat_server.base.removeprefix("http://")
    url = f"http://bien-tap:mat-khau-9@{host}/echo/v1"
    settings = {"llm": {"url": url, "model": "m", "api_key_env": "BULLETIN_TEST_LLM_KEY"}}
    engine = summarizer_for("llm", SummaryConfig.model_validate(settings))
    summary = engine.summarize(ARTICLE, Budget(sentences=1))
    reason = summary.fallback_text() or ""
    assert summary.engine == "extractive" and "401" in reason
    for secret in (key, "mat-khau-9", "Ymllbi10YXA6bWF0LWtoYXUtOQ"):  # the last: Basic auth
        assert secret not in reason and all(
            secret not in v for v in summary.fallback_params.values()
        )
