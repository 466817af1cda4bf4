"""Install piper voices (.onnx + .onnx.json) from the public piper voices repository.

Only this explicit step downloads anything; engines read local files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin import __version__
from bulletin.speech.tts.base import TTSError

if TYPE_CHECKING:
    import httpx

PIPER_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
# Piper's own naming: <family>_<REGION>-<dataset>-<quality>; datasets may hold "_".
_VOICE_NAME = re.compile(
    r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Z]{2})-(?P<dataset>[A-Za-z0-9_]+)"
    r"-(?P<quality>x_low|low|medium|high)$"
)
_CHUNK = 1 << 20


class VoiceInstallError(TTSError):
    """A voice could not be installed; the message says how to do it by hand."""

    message_key = "voices.install_failed"


def voice_path(name: str) -> str:
    """Folder of `name` inside the voices repository, e.g. "vi/vi_VN/vivos/x_low"."""
    match = _VOICE_NAME.match(name.strip())
    if match is None:
        raise VoiceInstallError(
            f"{name!r} is not a piper voice name; names look like vi_VN-vais1000-medium "
            "(language_REGION-dataset-quality, quality one of x_low, low, medium, high)"
        )
    family, region, dataset, quality = match.group("family", "region", "dataset", "quality")
    return f"{family}/{family}_{region}/{dataset}/{quality}"


def install_voice(
    name: str,
    dest_dir: Path,
    *,
    base_url: str = PIPER_VOICES_URL,
    force: bool = False,
    timeout_s: float = 60.0,
) -> Path:
    """Download voice `name` into `dest_dir` and return the path of its .onnx model.

    Both files appear together or not at all: each is written to a temporary file in
    `dest_dir` and renamed only after both arrived and the config parsed. An installed
    voice is kept unless `force`.
    """
    import httpx  # here, not at the top: only installing needs it

    name = name.strip()
    folder = voice_path(name)
    dest_dir = Path(dest_dir)
    model_path = dest_dir / f"{name}.onnx"
    config_path = dest_dir / f"{name}.onnx.json"
    if not force and model_path.is_file() and config_path.is_file():
        return model_path
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VoiceInstallError(f"Cannot create voice folder {dest_dir}: {exc}") from exc

    base = base_url.rstrip("/")
    config_url = f"{base}/{folder}/{name}.onnx.json"
    model_url = f"{base}/{folder}/{name}.onnx"
    temporary: list[Path] = []
    try:
        with httpx.Client(
            follow_redirects=True,  # the hub answers with a redirect to its file store
            timeout=httpx.Timeout(timeout_s, connect=15.0),
            headers={"User-Agent": f"bulletin/{__version__} (+piper voice install)"},
        ) as client:
            # The small config first: a wrong name or a dead mirror fails before 60 MB.
            config_tmp = _download(client, config_url, dest_dir, name, temporary)
            _check_config(config_tmp, config_url)
            model_tmp = _download(client, model_url, dest_dir, name, temporary)
        # Config before model: an interruption between the two leaves "model not found",
        # whose message says to install again, never a model without its config.
        os.replace(config_tmp, config_path)
        os.replace(model_tmp, model_path)
        temporary.clear()
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        if status == 404:
            raise VoiceInstallError(
                f"No piper voice {name!r} at {exc.request.url} (HTTP 404); check the name, "
                "e.g. vi_VN-vais1000-medium, vi_VN-25hours_single-low, vi_VN-vivos-x_low"
            ) from exc
        raise VoiceInstallError(
            f"Downloading piper voice {name} failed: HTTP {status} from {exc.request.url}. "
            + _by_hand(name, base, folder, dest_dir)
        ) from exc
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
        raise VoiceInstallError(
            f"Cannot download piper voice {name} from {base}: {type(exc).__name__}: {exc}. "
            "This machine seems to have no access to it. " + _by_hand(name, base, folder, dest_dir)
        ) from exc
    except httpx.HTTPError as exc:
        # Connected, then lost: a flaky link rather than none, so trying again may do.
        raise VoiceInstallError(
            f"Downloading piper voice {name} from {base} was interrupted "
            f"({type(exc).__name__}: {exc}); try again. " + _by_hand(name, base, folder, dest_dir)
        ) from exc
    except OSError as exc:
        raise VoiceInstallError(f"Cannot write piper voice {name} into {dest_dir}: {exc}") from exc
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)
    return model_path


def _by_hand(name: str, base: str, folder: str, dest_dir: Path) -> str:
    return (
        f"On a machine with internet access download {name}.onnx and {name}.onnx.json "
        f"from {base}/{folder}/, copy both into {dest_dir} and set "
        f"`model: {dest_dir / (name + '.onnx')}` in the voice profile"
    )


def _download(
    client: httpx.Client, url: str, dest_dir: Path, name: str, temporary: list[Path]
) -> Path:
    """Stream `url` to a new temporary file in `dest_dir` (same filesystem, so the final
    rename is atomic); the file is registered in `temporary` before the first byte."""
    handle, raw_path = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest_dir)
    path = Path(raw_path)
    temporary.append(path)
    with os.fdopen(handle, "wb") as out, client.stream("GET", url) as response:
        response.raise_for_status()
        for block in response.iter_bytes(_CHUNK):
            out.write(block)
        # httpx raises on a body cut short of its Content-Length; an empty 200 it does not.
        if out.tell() == 0:
            raise VoiceInstallError(f"Downloading {url} gave an empty file; try again")
    return path


def _check_config(path: Path, url: str) -> None:
    try:
        config: Any = json.loads(path.read_text(encoding="utf-8"))
        sample_rate = config["audio"]["sample_rate"]
        if not isinstance(config["phoneme_id_map"], dict):
            raise TypeError("phoneme_id_map is not an object")
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise VoiceInstallError(
            f"{url} is not a piper voice config ({type(exc).__name__}: {exc}); "
            "a proxy or captive portal may have answered instead of the voices repository"
        ) from exc
    if not isinstance(sample_rate, int) or sample_rate <= 0:
        raise VoiceInstallError(f"{url} has an invalid audio.sample_rate: {sample_rate!r}")
