"""Voice profiles: the shipped examples load, espeak profiles play, others say what is missing;
voices install from the catalog, by download (resumed, verified) or from a folder."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bulletin.speech.voices import (
    CATALOG_ENV,
    VoiceCatalog,
    VoiceInputError,
    VoiceInstallError,
    install_voice,
    install_voice_from,
    load_catalog,
)
from bulletin.workspace import VoiceProfile
from tests.conftest import ROOT, run_bulletin
from tests.httpserver import HttpServer, Reply, Request, http_server, redirect  # noqa: F401


def test_every_shipped_voice_profile_is_valid() -> None:
    for folder in (
        ROOT / "voices",
        ROOT / "samples" / "voices",
        ROOT / "bulletin" / "templates" / "starter" / "voices",
    ):
        for path in folder.glob("*.yaml"):
            VoiceProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_voices_list_shows_what_can_speak_here(sample_ws: Path) -> None:
    for name in ("piper-vais1000.yaml", "coqui-vixtts.yaml"):
        shutil.copy(ROOT / "voices" / name, sample_ws / "voices" / name)
    result = run_bulletin("-w", str(sample_ws), "voices", "list", "--json")
    assert result.code == 0, result.err
    voices = {v["name"]: v for v in result.json()}
    assert voices["giong-mien-bac"]["playable"] and voices["giong-mien-nam"]["playable"]
    assert not voices["piper-vais1000"]["playable"]
    assert "vi_VN-vais1000-medium.onnx" in voices["piper-vais1000"]["problem"]


@pytest.mark.long(20)
def test_voices_test_speaks_each_espeak_region(sample_ws: Path, tmp_path: Path) -> None:
    spoken: dict[str, str] = {}
    for name in ("giong-mien-bac", "giong-mien-trung", "giong-mien-nam"):
        out = tmp_path / f"{name}.mp3"
        result = run_bulletin(
            "-w", str(sample_ws), "voices", "test", name, "-o", str(out), "--json"
        )
        assert result.code == 0, result.err
        assert result.json()["duration_s"] > 5 and out.stat().st_size > 10_000
        spoken[name] = " ".join(result.json()["spoken"])
    assert "ngàn" in spoken["giong-mien-nam"]  # the southern reading of "nghìn"
    missing = run_bulletin("-w", str(sample_ws), "voices", "test", "khong-co")
    assert missing.code == 2


# Installing voices from the catalog -----------------------------------------------------

TINY = "vi_VN-tiny-x_low"
TINY_DIR = "vi/vi_VN/tiny/x_low"
STORE = "/storage/tiny-model"


@dataclass
class TinyVoice:
    """The tiny piper voice, a catalog holding its real hashes, and its files' bytes."""

    folder: Path
    catalog: Path
    config: bytes
    model: bytes


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TinyVoice:
    from tests.tiny_piper import build_tiny_voice

    folder = tmp_path_factory.mktemp("tiny-voice")
    model_path = build_tiny_voice(folder, name=TINY)
    config = Path(f"{model_path}.json").read_bytes()
    model = model_path.read_bytes()
    files = [(f"{TINY}.onnx.json", config), (f"{TINY}.onnx", model)]
    catalog = {
        "format": 1,
        "base_url": "http://127.0.0.1:9/not-used",
        "voices": {
            TINY: {
                "engine": "piper",
                "language": "vi_VN",
                "licence": "test voice, random weights",
                "files": [
                    {
                        "path": f"{TINY_DIR}/{name}",
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                    for name, data in files
                ],
            }
        },
    }
    catalog_path = folder / "catalog.json"
    catalog_path.write_text(json.dumps(catalog), encoding="utf-8")
    return TinyVoice(folder, catalog_path, config, model)


@pytest.fixture
def test_catalog(tiny: TinyVoice, monkeypatch: pytest.MonkeyPatch) -> VoiceCatalog:
    monkeypatch.setenv(CATALOG_ENV, str(tiny.catalog))
    return load_catalog()


def serve_file(
    data: bytes, *, ranges: bool = True, cut_first: int | None = None, cut_always: int | None = None
) -> Callable[[Request], Reply]:
    """A file server like the hub's storage: honours Range with 206 unless `ranges` is off;
    drops the connection after `cut_first` bytes on the first request (or on every one)."""
    asked = {"count": 0}

    def cut_after(piece: bytes) -> Iterator[bytes]:
        yield piece
        raise ConnectionAbortedError("server went away")  # the handler drops the connection

    def answer(request: Request) -> Reply:
        asked["count"] += 1
        start = 0
        if ranges and request.headers.get("range", "").startswith("bytes="):
            start = int(request.headers["range"][6:].split("-")[0])
        cut = cut_always if cut_always is not None else cut_first if asked["count"] == 1 else None
        status, headers = 200, {"Content-Type": "application/octet-stream"}
        if start:
            status, headers["Content-Range"] = 206, f"bytes {start}-{len(data) - 1}/{len(data)}"
        if cut is not None:
            return Reply(status, cut_after(data[start : start + cut]), headers)
        return Reply(status, data[start:], headers)

    return answer


def serve_voice(server: HttpServer, tiny: TinyVoice, **model_behaviour: Any) -> None:
    """The voice under the repository's layout; the model redirects to a file store, as the
    hub's downloads do."""
    server.route(f"/{TINY_DIR}/{TINY}.onnx.json", serve_file(tiny.config))
    server.route(f"/{TINY_DIR}/{TINY}.onnx", redirect(STORE))
    server.route(STORE, serve_file(tiny.model, **model_behaviour))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def model_requests(server: HttpServer) -> list[Request]:
    return [r for r in server.requests if r.path == STORE]


def test_shipped_catalog_pins_the_vietnamese_piper_voices() -> None:
    catalog = load_catalog()
    assert set(catalog.voices) >= {
        "vi_VN-vais1000-medium",
        "vi_VN-25hours_single-low",
        "vi_VN-vivos-x_low",
    }
    assert "rhasspy/piper-voices/resolve/" in catalog.base_url
    vais = catalog.voice("vi_VN-vais1000-medium")
    assert vais.model.name == "vi_VN-vais1000-medium.onnx" and vais.model.size == 63201294
    assert vais.model.sha256.startswith("ec7c89e2c85f4d1e")
    for voice in catalog.voices.values():
        assert [f.name.rsplit(".", 1)[-1] for f in voice.files] == ["json", "onnx"]
        assert voice.licence
        assert all(len(f.sha256) == 64 for f in voice.files)


def test_a_catalog_without_a_real_hash_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    entry = {"files": [{"path": "a/x.onnx", "size": 3, "sha256": None}]}
    path.write_text(json.dumps({"base_url": "http://x", "voices": {"x": entry}}))
    with pytest.raises(VoiceInputError) as caught:
        load_catalog(path)
    assert caught.value.key == "voices.catalog.unreadable" and "sha256" in str(caught.value)


def test_install_downloads_verifies_and_keeps_an_installed_voice(
    http_server: HttpServer,  # noqa: F811
    tiny: TinyVoice,
    test_catalog: VoiceCatalog,
    tmp_path: Path,
) -> None:
    serve_voice(http_server, tiny)
    dest = tmp_path / "voices"
    model = install_voice(TINY, dest, base_url=http_server.url)
    assert model == dest / f"{TINY}.onnx"
    assert leftovers(dest) == [f"{TINY}.onnx", f"{TINY}.onnx.json"]
    assert model.read_bytes() == tiny.model
    asked = len(http_server.requests)
    assert install_voice(TINY, dest, base_url=http_server.url) == model
    assert len(http_server.requests) == asked
    install_voice(TINY, dest, base_url=http_server.url, force=True)
    assert len(http_server.requests) == asked + 3  # config, model, its redirect


def test_install_resumes_a_download_cut_off_mid_file(
    http_server: HttpServer,  # noqa: F811
    tiny: TinyVoice,
    test_catalog: VoiceCatalog,
    tmp_path: Path,
) -> None:
    serve_voice(http_server, tiny, cut_first=300_000)
    dest = tmp_path / "voices"
    model = install_voice(TINY, dest, base_url=http_server.url)
    assert model.read_bytes() == tiny.model
    first, second = model_requests(http_server)
    assert "range" not in first.headers
    resumed_at = int(second.headers["range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= 300_000
    assert leftovers(dest) == [f"{TINY}.onnx", f"{TINY}.onnx.json"]


def test_an_interrupted_install_keeps_its_part_and_the_next_run_resumes(
    http_server: HttpServer,  # noqa: F811
    tiny: TinyVoice,
    test_catalog: VoiceCatalog,
    tmp_path: Path,
) -> None:
    serve_voice(http_server, tiny, cut_always=200_000)
    dest = tmp_path / "voices"
    with pytest.raises(VoiceInstallError) as caught:
        install_voice(TINY, dest, base_url=http_server.url, attempts=2)
    assert caught.value.key == "voices.fetch.interrupted" and caught.value.exit_code == 1
    part = dest / f".{TINY}.onnx.part"
    kept = part.stat().st_size
    assert 200_000 <= kept < len(tiny.model)
    assert not (dest / f"{TINY}.onnx").exists() and not (dest / f"{TINY}.onnx.json").exists()
    # The link is back: the next run asks only for the rest.
    serve_voice(http_server, tiny)
    http_server.requests.clear()
    install_voice(TINY, dest, base_url=http_server.url)
    [request] = model_requests(http_server)
    assert request.headers["range"] == f"bytes={kept}-"
    assert (dest / f"{TINY}.onnx").read_bytes() == tiny.model
    assert leftovers(dest) == [f"{TINY}.onnx", f"{TINY}.onnx.json"]


def test_a_server_ignoring_range_restarts_the_file_cleanly(
    http_server: HttpServer,  # noqa: F811
    tiny: TinyVoice,
    test_catalog: VoiceCatalog,
    tmp_path: Path,
) -> None:
    serve_voice(http_server, tiny, ranges=False)
    dest = tmp_path / "voices"
    dest.mkdir()
    # A part from an earlier run: appending the whole file to it would break the hash.
    (dest / f".{TINY}.onnx.part").write_bytes(tiny.model[:100_000])
    install_voice(TINY, dest, base_url=http_server.url)
    [request] = model_requests(http_server)
    assert request.headers["range"] == "bytes=100000-"
    assert (dest / f"{TINY}.onnx").read_bytes() == tiny.model


def test_a_stale_part_that_is_not_a_prefix_is_downloaded_again_from_zero(
    http_server: HttpServer,  # noqa: F811
    tiny: TinyVoice,
    test_catalog: VoiceCatalog,
    tmp_path: Path,
) -> None:
    serve_voice(http_server, tiny)
    dest = tmp_path / "voices"
    dest.mkdir()
    (dest / f".{TINY}.onnx.part").write_bytes(b"\0" * 100_000)  # another file's beginning
    install_voice(TINY, dest, base_url=http_server.url)
    resumed, fresh = model_requests(http_server)
    assert resumed.headers["range"] == "bytes=100000-" and "range" not in fresh.headers
    assert (dest / f"{TINY}.onnx").read_bytes() == tiny.model
    assert leftovers(dest) == [f"{TINY}.onnx", f"{TINY}.onnx.json"]


def test_a_corrupt_download_is_refused_and_removed(
    http_server: HttpServer,  # noqa: F811
    tiny: TinyVoice,
    test_catalog: VoiceCatalog,
    tmp_path: Path,
) -> None:
    corrupt = bytearray(tiny.model)
    corrupt[len(corrupt) // 2] ^= 0xFF
    http_server.route(f"/{TINY_DIR}/{TINY}.onnx.json", serve_file(tiny.config))
    http_server.route(f"/{TINY_DIR}/{TINY}.onnx", serve_file(bytes(corrupt)))
    dest = tmp_path / "voices"
    with pytest.raises(VoiceInstallError) as caught:
        install_voice(TINY, dest, base_url=http_server.url)
    message = str(caught.value)
    expected = test_catalog.voice(TINY).model.sha256
    got = hashlib.sha256(corrupt).hexdigest()
    assert caught.value.key == "voices.file.mismatch"
    assert f"{TINY}.onnx" in message and expected[:16] in message and got[:16] in message
    assert leftovers(dest) == []  # neither the bad part nor the good config


def test_voices_install_cli_downloads_from_a_mirror_with_contract_exit_codes(
    http_server: HttpServer,  # noqa: F811
    tiny: TinyVoice,
    sample_ws: Path,
) -> None:
    env = {CATALOG_ENV: str(tiny.catalog)}
    serve_voice(http_server, tiny)
    ok = run_bulletin(
        "-w",
        str(sample_ws),
        "voices",
        "install",
        TINY,
        "--base-url",
        http_server.url,
        "--json",
        env=env,
    )
    assert ok.code == 0, ok.err
    assert ok.json()["model"] == str(sample_ws / "voices" / f"{TINY}.onnx")
    assert (sample_ws / "voices" / f"{TINY}.onnx").read_bytes() == tiny.model
    unknown = run_bulletin("-w", str(sample_ws), "voices", "install", "vi_VN-khong-low", env=env)
    assert unknown.code == 2 and "vi_VN-khong-low" in unknown.err and TINY in unknown.err
    # The station's mirror setting (bulletin.yaml voices_url, here from the environment).
    shutil.rmtree(sample_ws / "voices")
    by_setting = run_bulletin(
        "-w",
        str(sample_ws),
        "voices",
        "install",
        TINY,
        env={**env, "BULLETIN_VOICES_URL": http_server.url},
    )
    assert by_setting.code == 0, by_setting.err
    assert (sample_ws / "voices" / f"{TINY}.onnx").is_file()


def test_voices_install_cli_without_network_says_how_to_use_a_usb_stick(
    tiny: TinyVoice, sample_ws: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    done = run_bulletin(
        "-w",
        str(sample_ws),
        "voices",
        "install",
        TINY,
        "--base-url",
        closed,
        env={CATALOG_ENV: str(tiny.catalog)},
    )
    assert done.code == 1
    assert f"voices install {TINY} --from" in done.err and closed in done.err


def test_voices_install_from_a_folder(tiny: TinyVoice, sample_ws: Path, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    (stick / f"{TINY}.onnx").write_bytes(tiny.model)
    (stick / f"{TINY}.onnx.json").write_bytes(tiny.config)
    done = run_bulletin(
        "-w",
        str(sample_ws),
        "voices",
        "install",
        TINY,
        "--from",
        str(stick),
        env={CATALOG_ENV: str(tiny.catalog)},
    )
    assert done.code == 0, done.err
    voices = sample_ws / "voices"
    assert (voices / f"{TINY}.onnx").read_bytes() == tiny.model
    assert (voices / f"{TINY}.onnx.json").read_bytes() == tiny.config
    assert not list(voices.glob(".*.part"))


def test_voices_install_from_refuses_truncated_and_corrupt_files(
    tiny: TinyVoice, test_catalog: VoiceCatalog, sample_ws: Path, tmp_path: Path
) -> None:
    env = {CATALOG_ENV: str(tiny.catalog)}
    voices = sample_ws / "voices"
    before = leftovers(voices)
    # A copy of the repository's layout, its model cut short (a USB stick pulled too early).
    stick = tmp_path / "usb"
    folder = stick / TINY_DIR
    folder.mkdir(parents=True)
    (folder / f"{TINY}.onnx.json").write_bytes(tiny.config)
    (folder / f"{TINY}.onnx").write_bytes(tiny.model[: len(tiny.model) // 2])
    args = ("-w", str(sample_ws), "voices", "install", TINY, "--from", str(stick))
    truncated = run_bulletin(*args, env=env)
    assert truncated.code == 2
    assert str(folder / f"{TINY}.onnx") in truncated.err
    assert str(len(tiny.model)) in truncated.err and str(len(tiny.model) // 2) in truncated.err
    assert leftovers(voices) == before
    # Same size, one byte changed: only the hash can tell.
    corrupt = bytearray(tiny.model)
    corrupt[1000] ^= 0x01
    (folder / f"{TINY}.onnx").write_bytes(bytes(corrupt))
    bad = run_bulletin(*args, env=env)
    assert bad.code == 2
    expected = test_catalog.voice(TINY).model.sha256
    assert str(folder / f"{TINY}.onnx") in bad.err
    assert expected[:16] in bad.err and hashlib.sha256(corrupt).hexdigest()[:16] in bad.err
    assert leftovers(voices) == before
    # The library refuses the same way, with the same exit code.
    with pytest.raises(VoiceInputError):
        install_voice_from(TINY, stick, tmp_path / "elsewhere")
    assert leftovers(tmp_path / "elsewhere") == []
    missing = run_bulletin(
        "-w",
        str(sample_ws),
        "voices",
        "install",
        TINY,
        "--from",
        str(tmp_path / "nowhere"),
        env=env,
    )
    assert missing.code == 2 and "nowhere" in missing.err
