"""Cloud voices (openai-speech, viettel, vbee, fpt) against stand-in services on 127.0.0.1 that
follow the vendors' documented requests and answers, and the station's fallback voice when a
service dies in the middle of a bulletin."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pyloudnorm
import pytest

from bulletin import plugins
from bulletin.production.ffmpeg import decode
from bulletin.speech.cache import SentenceCache
from bulletin.speech.fallback import Speaker, Voice, VoiceFailure
from bulletin.speech.tts.base import AudioChunk, TTSError
from bulletin.speech.tts.cloud.core import CloudSpeechError
from tests.conftest import run_bulletin
from tests.servers import free_port, terminate
from tests.servers.cloud_tts import VBEE_APP_ID, CloudTTSServer

VENDORS = ("openai-speech", "viettel", "vbee", "fpt")
TONE_HZ = 440.0
TONE_S = 0.8
TONE_RATE = 24000
TOKEN = "sk-test-7d41c0ffee9b"
FAST = {
    "credentials_env": "CLOUD_TTS_TOKEN",
    "tries": 3,
    "backoff_s": 0.01,
    "backoff_max_s": 0.02,
    "connect_timeout_s": 1.0,
    "read_timeout_s": 1.0,
}
ASYNC = {"poll_interval_s": 0.02, "poll_timeout_s": 2.0}


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with tone.wav and tone.mp3: 0.8 s of 440 Hz, real files ffmpeg made."""
    folder = tmp_path_factory.mktemp("tone")
    t = np.arange(int(TONE_S * TONE_RATE)) / TONE_RATE
    samples = (0.5 * np.sin(2 * np.pi * TONE_HZ * t) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(TONE_RATE)
        out.writeframes(samples.tobytes())
    (folder / "tone.wav").write_bytes(buffer.getvalue())
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-nostdin", "-loglevel", "error", "-i", str(folder / "tone.wav")),
            *("-codec:a", "libmp3lame", "-b:a", "64k", str(folder / "tone.mp3")),
        ],
        check=True,
    )
    return folder


def _audio(tone: Path) -> dict[str, bytes]:
    return {fmt: (tone / f"tone.{fmt}").read_bytes() for fmt in ("mp3", "wav")}


@pytest.fixture(params=VENDORS)
def service(request: pytest.FixtureRequest, tone: Path) -> Iterator[CloudTTSServer]:
    server = CloudTTSServer(request.param, TOKEN, _audio(tone)).start()
    yield server
    server.stop()


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLOUD_TTS_TOKEN", TOKEN)
    return TOKEN


def engine(server: CloudTTSServer, **settings: Any) -> Any:
    factory = plugins.load("tts", server.vendor)
    keys: dict[str, Any] = {"endpoint": server.endpoint, **FAST}
    if server.vendor in ("vbee", "fpt"):
        keys |= ASYNC
    if server.vendor == "vbee":
        keys["app_id"] = VBEE_APP_ID
    keys |= settings
    return factory.from_options(factory.Options(**keys), str)


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


# --- each vendor's documented flow ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_each_service_speaks_through_its_documented_request(
    service: CloudTTSServer, token: str, fmt: str
) -> None:
    chunk = engine(service, format=fmt).synthesize("Xin chào bà con.")
    assert isinstance(chunk, AudioChunk) and chunk.text == "Xin chào bà con."
    assert chunk.samples.dtype == np.int16
    assert abs(chunk.duration_s - TONE_S) < 0.08  # mp3 adds a frame of padding at most
    assert abs(dominant_hz(chunk.samples, chunk.sample_rate) - TONE_HZ) < 5
    assert service.problems == []
    posts = service.of("POST")
    assert len(posts) == 1
    if service.vendor == "fpt":
        assert posts[0].body.decode() == "Xin chào bà con."
        assert posts[0].headers["format"] == fmt
    else:
        body = posts[0].json()
        said = body.get("input") or body.get("text") or body.get("input_text")
        assert said == "Xin chào bà con."
    if service.vendor in ("vbee", "fpt"):
        # The audio link is storage, not the service: it never gets the key.
        download = service.of("GET")[-1]
        assert download.path.startswith("/files/")
        assert TOKEN not in str(download.headers)


def test_vbee_polls_until_the_job_succeeds(tone: Path, token: str) -> None:
    server = CloudTTSServer("vbee", TOKEN, _audio(tone), pending_polls=3).start()
    try:
        engine(server).synthesize("Thông báo lịch tiêm chủng.")
    finally:
        server.stop()
    polls = [r for r in server.of("GET") if r.path.startswith("/api/v1/tts/")]
    assert len(polls) == 4  # three IN_PROGRESS, then SUCCESS
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in polls)
    body = server.of("POST")[0].json()
    assert body["response_type"] == "indirect" and body["app_id"] == VBEE_APP_ID


@pytest.mark.parametrize("pending", [404, 403])
def test_fpt_waits_while_the_async_link_is_missing(tone: Path, token: str, pending: int) -> None:
    server = CloudTTSServer("fpt", TOKEN, _audio(tone), pending_polls=4, pending_status=pending)
    server.start()
    try:
        chunk = engine(server).synthesize("Lịch cắt điện ngày mai.")
    finally:
        server.stop()
    gets = server.of("GET")
    assert len(gets) == 5 and all(r.path == gets[0].path for r in gets)
    assert abs(chunk.duration_s - TONE_S) < 0.08


# --- what goes wrong -----------------------------------------------------------------------


def test_expired_token_is_reported_once_without_the_token(
    service: CloudTTSServer, token: str
) -> None:
    service.mode = "expired"
    with pytest.raises(CloudSpeechError) as caught:
        engine(service).synthesize("Câu thử.")
    message = str(caught.value)
    assert caught.value.key == "cloud.unauthorized"
    assert f"127.0.0.1:{service.port}" in message and "CLOUD_TTS_TOKEN" in message
    assert "hết hạn" in message and TOKEN not in message
    assert len(service.of("POST")) == 1  # a refused key is not asked again


def test_quota_exceeded_after_bounded_retries(service: CloudTTSServer, token: str) -> None:
    service.mode = "quota"
    with pytest.raises(CloudSpeechError) as caught:
        engine(service).synthesize("Câu thử.")
    assert caught.value.key == "cloud.quota"
    assert "hạn mức" in str(caught.value)
    # OpenAI says the credit is spent (insufficient_quota): asking again cannot help.
    expected = 1 if service.vendor == "openai-speech" else FAST["tries"]
    assert len(service.of("POST")) == expected


def test_a_server_error_then_success_is_retried(service: CloudTTSServer, token: str) -> None:
    service.fail = ["500", "429"]
    chunk = engine(service).synthesize("Câu thử.")
    assert abs(chunk.duration_s - TONE_S) < 0.08
    assert len(service.of("POST")) == 3


def test_server_errors_that_persist_end_after_the_tries(tone: Path, token: str) -> None:
    server = CloudTTSServer("viettel", TOKEN, _audio(tone), fail=["500"] * 9).start()
    try:
        with pytest.raises(CloudSpeechError) as caught:
            engine(server).synthesize("Câu thử.")
    finally:
        server.stop()
    assert caught.value.key == "cloud.server" and "500" in str(caught.value)
    assert len(server.of("POST")) == FAST["tries"]


def test_a_slow_answer_times_out_without_retrying(service: CloudTTSServer, token: str) -> None:
    service.mode = "slow"
    service.slow_s = 2.0
    started = time.monotonic()
    with pytest.raises(CloudSpeechError) as caught:
        engine(service, read_timeout_s=0.3).synthesize("Câu thử.")
    assert caught.value.key == "cloud.timeout" and "0.3" in str(caught.value)
    assert time.monotonic() - started < 1.5
    assert len(service.of("POST")) == 1


@pytest.mark.parametrize("vendor", ["vbee", "fpt"])
def test_a_job_that_never_finishes_ends_at_the_poll_timeout(
    vendor: str, tone: Path, token: str
) -> None:
    server = CloudTTSServer(vendor, TOKEN, _audio(tone), mode="never").start()
    started = time.monotonic()
    try:
        with pytest.raises(CloudSpeechError) as caught:
            engine(server, poll_timeout_s=0.3).synthesize("Câu thử.")
    finally:
        server.stop()
    assert caught.value.key == "cloud.poll_timeout"
    assert 0.25 < time.monotonic() - started < 2.0
    assert len(server.of("GET")) >= 3


def test_a_service_that_is_down_is_unreachable_after_the_tries(token: str) -> None:
    factory = plugins.load("tts", "openai-speech")
    port = free_port()
    options = factory.Options(endpoint=f"http://127.0.0.1:{port}/v1/audio/speech", **FAST)
    with pytest.raises(CloudSpeechError) as caught:
        factory.from_options(options, str).synthesize("Câu thử.")
    assert caught.value.key == "cloud.unreachable" and f"127.0.0.1:{port}" in str(caught.value)


def test_a_missing_credentials_variable_is_named_before_any_request(
    service: CloudTTSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUD_TTS_TOKEN", raising=False)
    with pytest.raises(CloudSpeechError) as caught:
        engine(service).synthesize("Câu thử.")
    assert caught.value.key == "cloud.credentials_missing"
    assert "CLOUD_TTS_TOKEN" in str(caught.value)
    assert service.requests == []


def test_a_vendor_message_echoing_the_key_is_redacted(service: CloudTTSServer, token: str) -> None:
    service.fail = ["echo"]
    with pytest.raises(CloudSpeechError) as caught:
        engine(service).synthesize("Câu thử.")
    assert caught.value.key == "cloud.rejected"
    assert "không dùng được giọng này" in str(caught.value) and TOKEN not in str(caught.value)


def test_cache_key_covers_what_decides_the_audio_never_the_key(
    service: CloudTTSServer, token: str
) -> None:
    base = engine(service).cache_key()
    assert TOKEN not in base and "CLOUD_TTS_TOKEN" not in base
    speed = {"fpt": 1, "viettel": 1.2, "vbee": 1.5, "openai-speech": 1.5}[service.vendor]
    changed = [
        engine(service, voice="other").cache_key(),
        engine(service, speed=speed).cache_key(),
        engine(service, endpoint=service.endpoint + "/x").cache_key(),
        engine(service, format="wav").cache_key(),
    ]
    if service.vendor == "openai-speech":
        changed.append(engine(service, model="tts-1-hd").cache_key())
    assert base not in changed and len(set(changed)) == len(changed)
    # Timeouts, retries and which variable holds the key do not change the audio.
    assert engine(service, tries=1, read_timeout_s=9, credentials_env="OTHER").cache_key() == base


def test_a_profile_key_the_engine_does_not_know_is_refused() -> None:
    factory = plugins.load("tts", "viettel")
    with pytest.raises(ValueError):
        factory.Options(endpoint="http://127.0.0.1:9/syn", tokn="x")
    with pytest.raises(ValueError):
        factory.Options(endpoint="ftp://example.org/syn")


# --- the fallback voice -------------------------------------------------------------------


def test_fallback_speaks_the_rest_once_the_voice_fails_and_caches_apart(
    tone: Path, token: str, tmp_path: Path
) -> None:
    server = CloudTTSServer("openai-speech", TOKEN, _audio(tone)).start()
    cloud = engine(server)
    espeak = plugins.load("tts", "espeak")()
    cache = SentenceCache(tmp_path / "cache")
    sentences = ["Câu một.", "Câu hai.", "Câu ba.", "Câu bốn."]
    first = Speaker(Voice("may-chu", lambda: cloud), Voice("giong-mien-bac", lambda: espeak), cache)
    spoken = []
    for sentence in first.speak(sentences):
        spoken.append(sentence)
        if len(spoken) == 2:
            server.stop()  # the service dies after two sentences
    assert [s.fallback for s in spoken] == [False, False, True, True]
    assert first.fallback_sentences == [2, 3]
    assert isinstance(first.failure, CloudSpeechError)
    # Fallback audio is kept under the fallback's key, never under the cloud voice's.
    assert cache.get((cloud.cache_key(), "Câu ba.")) is None
    assert cache.get((espeak.cache_key(), "Câu ba.")) is not None
    assert spoken[2].key == SentenceCache.digest((espeak.cache_key(), "Câu ba."))
    # The next script asks the cloud voice again (it is back), and its cached audio is used.
    revived = CloudTTSServer("openai-speech", TOKEN, _audio(tone)).start(server.port)
    try:
        second = Speaker(
            Voice("may-chu", lambda: cloud), Voice("giong-mien-bac", lambda: espeak), cache
        )
        again = list(second.speak(sentences))
    finally:
        revived.stop()
    assert [s.fallback for s in again] == [False] * 4
    assert [s.cached for s in again] == [True, True, False, False]


def test_without_a_fallback_the_failure_names_the_voice(tone: Path, token: str) -> None:
    server = CloudTTSServer("openai-speech", TOKEN, _audio(tone), mode="expired").start()
    try:
        voices = Speaker(Voice("may-chu", lambda: engine(server)), None, None)
        with pytest.raises(VoiceFailure) as caught:
            list(voices.speak(["Câu một."]))
    finally:
        server.stop()
    assert "may-chu" in str(caught.value) and isinstance(caught.value, TTSError)


# --- acceptance through the real CLI ------------------------------------------------------


@pytest.fixture
def standin(tone: Path) -> Iterator[Any]:
    """Start the openai-speech stand-in as its own process; `start(die_after=N)`."""
    started: list[subprocess.Popen[bytes]] = []

    def start(die_after: int | None = None) -> str:
        port = free_port()
        command = [
            sys.executable,
            *("-m", "tests.servers.cloud_tts", "openai-speech", "--port", str(port)),
            *("--token", TOKEN, "--audio", str(tone)),
        ]
        if die_after is not None:
            command += ["--die-after", str(die_after)]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent
        )
        started.append(process)
        assert process.stdout is not None
        assert process.stdout.readline().decode().strip() == f"http://127.0.0.1:{port}"
        return f"http://127.0.0.1:{port}/v1/audio/speech"

    yield start
    for process in started:
        if process.poll() is None:
            terminate(process)


def cloud_profile(workspace: Path, endpoint: str) -> None:
    (workspace / "voices" / "may-chu.yaml").write_text(
        "# Máy chủ giọng đọc của đài (chuẩn OpenAI)\n"
        "engine: openai-speech\n"
        f"endpoint: {endpoint}\n"
        "voice: ngoc-huyen\n"
        "speed: 1.0\n"
        "credentials_env: CLOUD_TTS_TOKEN\n"
        "tries: 2\n"
        "backoff_s: 0.05\n"
        "read_timeout_s: 5\n",
        encoding="utf-8",
    )


def test_say_with_an_openai_speech_profile_airs_the_served_audio_at_station_loudness(
    tmp_path: Path, standin: Any
) -> None:
    workspace = tmp_path / "ws"
    assert run_bulletin("init", str(workspace)).code == 0
    cloud_profile(workspace, standin())
    out = tmp_path / "say.mp3"
    env = {"CLOUD_TTS_TOKEN": TOKEN}
    done = run_bulletin(
        *("-w", str(workspace), "say", "Kính mời bà con đi tiêm phòng."),
        *("--voice", "may-chu", "-o", str(out), "--json"),
        env=env,
    )
    assert done.code == 0, done.err
    report = done.json()
    assert "fallback_voice" not in report and TOKEN not in done.out + done.err
    samples, rate = decode(out)
    mono = samples.mean(axis=1)
    # The served tone, not eSpeak: its pitch, and its length plus the produced margins.
    assert abs(dominant_hz(mono, rate) - TONE_HZ) < 3
    assert TONE_S <= report["duration_s"] < TONE_S + 1.5
    target = -16.0  # the starter workspace's audio.target_lufs
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(mono) - target) <= 0.5
    assert abs(report["loudness_lufs"] - target) <= 0.5


@pytest.mark.long(20)
def test_a_service_killed_mid_bulletin_falls_back_and_marks_the_sentences(
    sample_ws: Path, standin: Any
) -> None:
    endpoint = standin(die_after=3)
    cloud_profile(sample_ws, endpoint)
    env = {"CLOUD_TTS_TOKEN": TOKEN}
    assert run_bulletin("-w", str(sample_ws), "fetch", "--source", "thong-bao-xa").code == 0
    item = str(run_bulletin("-w", str(sample_ws), "items", "--json").json()[0]["id"])
    built = run_bulletin(
        *("-w", str(sample_ws), "build", "--item", item, "--voice", "may-chu", "--json"), env=env
    )
    assert built.code == 0, built.err
    number = str(built.json()["id"])
    assert "giọng dự phòng 'giong-mien-bac'" in built.err and "may-chu" in built.err
    preview = run_bulletin("-w", str(sample_ws), "preview", number, "--json", env=env)
    assert preview.code == 0, preview.err
    sentences = preview.json()["sentences"]
    assert len(sentences) > 4
    marks = [s["fallback_voice"] for s in sentences]
    # Three sentences came from the service before it died; the fallback read every other.
    assert marks[:3] == [None, None, None]
    assert marks[3:] == ["giong-mien-bac"] * (len(sentences) - 3)
    text = run_bulletin("-w", str(sample_ws), "preview", number, env={**env, "COLUMNS": "250"})
    assert text.code == 0 and "giọng dự phòng" in text.out
    assert TOKEN not in built.out + built.err + text.out


def test_say_warns_and_names_the_fallback_when_the_service_is_down(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert run_bulletin("init", str(workspace)).code == 0
    cloud_profile(workspace, f"http://127.0.0.1:{free_port()}/v1/audio/speech")
    out = tmp_path / "say.wav"
    done = run_bulletin(
        *("-w", str(workspace), "say", "Kính mời bà con đi tiêm phòng. Xin cảm ơn."),
        *("--voice", "may-chu", "-o", str(out), "--json"),
        env={"CLOUD_TTS_TOKEN": TOKEN},
    )
    assert done.code == 0, done.err
    report = done.json()
    assert report["fallback_voice"] == "giong-mien-bac"
    assert report["fallback_sentences"] == [0, 1] and report["voice"] == "may-chu"
    assert "giọng dự phòng 'giong-mien-bac'" in done.err and "may-chu" in done.err
    assert "127.0.0.1" in done.err and TOKEN not in done.err + done.out
    with wave.open(str(out)) as audio:
        assert audio.getnframes() > 0


def test_the_review_desk_marks_the_sentences_the_fallback_voice_read(
    sample_ws: Path, tone_mp3: bytes
) -> None:
    import hashlib
    import re

    from starlette.testclient import TestClient

    from bulletin.services.station import Station
    from bulletin.services.users import add_user
    from bulletin.store.bulletins import StoredAudio
    from bulletin.web.app import create_app

    station = Station.open(sample_ws)
    password = "mat-khau-du-dai"
    add_user(station, "lan", ["editor"], password=password)
    station.workspace.audio_dir.mkdir(parents=True, exist_ok=True)
    path = station.workspace.audio_dir / "b-fallback.mp3"
    path.write_bytes(tone_mp3)
    digest = hashlib.sha256(tone_mp3).hexdigest()
    with station.store() as store:
        number = store.create_draft(
            programme="ban-tin-sang",
            priority="normal",
            voice="may-chu",
            items=[],
            sentences=[
                ("opening", None, "Câu máy chủ đọc.", "Câu máy chủ đọc."),
                ("opening", None, "Câu giọng dự phòng đọc.", "Câu giọng dự phòng đọc."),
            ],
            actor="test",
        )
        audio = StoredAudio(station.relative(path), len(tone_mp3), digest, 2.0, -16.0, -1.5)
        store.finish_build(
            number,
            audio,
            ["a" * 64, "b" * 64],
            actor="test",
            fallback_voices=[None, "giong-mien-bac"],
        )
    with TestClient(create_app(station), follow_redirects=False) as client:
        form = client.get("/sign-in").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf is not None
        signed = client.post(
            "/sign-in",
            data={"csrf": csrf.group(1), "name": "lan", "password": password, "next": "/"},
        )
        assert signed.status_code == 303
        page = client.get(f"/bulletins/{number}").text
    first, second = page.split('id="s1"', 1)
    assert "giọng dự phòng (giong-mien-bac)" not in first.split('id="s0"', 1)[1]
    assert "giọng dự phòng (giong-mien-bac)" in second


def test_testing_a_voice_reports_its_failure_instead_of_falling_back(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert run_bulletin("init", str(workspace)).code == 0
    cloud_profile(workspace, f"http://127.0.0.1:{free_port()}/v1/audio/speech")
    done = run_bulletin(
        *("-w", str(workspace), "voices", "test", "may-chu", "-o", str(tmp_path / "t.mp3")),
        env={"CLOUD_TTS_TOKEN": TOKEN},
    )
    assert done.code == 1
    assert "may-chu" in done.err and "127.0.0.1" in done.err and "dự phòng" not in done.err


def test_a_build_made_by_the_fallback_is_not_reused_when_the_voice_is_back(
    sample_ws: Path, tone: Path, token: str
) -> None:
    from bulletin.script import ScriptLine
    from bulletin.services.building import render
    from bulletin.services.station import Station

    port = free_port()
    cloud_profile(sample_ws, f"http://127.0.0.1:{port}/v1/audio/speech")
    station = Station.open(sample_ws)
    _, voice = station.workspace.voice("may-chu")
    script = [
        ScriptLine("opening", None, "Kính thưa bà con.", "Kính thưa bà con."),
        ScriptLine("item", 1, "Mời bà con đi tiêm phòng.", "Mời bà con đi tiêm phòng."),
        ScriptLine("closing", None, "Xin chào.", "Xin chào."),
    ]
    down = render(station, voice, script, 1, voice_name="may-chu")  # nothing listens yet
    assert down.fallback_voices == ("giong-mien-bac",) * 3
    server = CloudTTSServer("openai-speech", TOKEN, _audio(tone)).start(port)
    try:
        back = render(station, voice, script, 2, voice_name="may-chu")
    finally:
        server.stop()
    # Neither the fallback's sentences nor its produced programme stood in for the voice.
    assert back.fallback_voices == () and back.synthesized == 3
    assert len(server.of("POST")) == 3
    assert set(back.keys).isdisjoint(down.keys)
    assert back.audio.sha256 != down.audio.sha256
