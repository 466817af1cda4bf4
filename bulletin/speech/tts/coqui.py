"""Coqui TTS models (viXTTS and other XTTS-v2 fine-tunes, MMS Vietnamese VITS) on local files.

coqui-tts needs a torch that cannot live beside the main env's, so the model runs in a worker
process in its own env (`make coqui-env`); this engine speaks to it over a pipe.
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import os
import queue
import subprocess
import threading
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from bulletin.speech.tts.base import AudioChunk, PathResolver, TTSError

logger = logging.getLogger(__name__)

PYTHON_ENV_VAR = "BULLETIN_COQUI_PYTHON"
WORKER = Path(__file__).with_name("coqui_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_PYTHON = REPO_ROOT / ".venv-coqui" / "bin" / "python"
_STDERR_LINES = 30
_STOP_GRACE_S = 5.0


def _missing_env_message(python: Path, origin: str) -> str:
    return (
        f"Coqui TTS runs in its own Python environment, and {origin} {python} does not exist. "
        f"Create it with `make coqui-env` (installs requirements/coqui.txt into .venv-coqui, "
        f"about 7.6 GB), or set {PYTHON_ENV_VAR} to a Python that has coqui-tts installed"
    )


def find_python(python: str | None = None) -> Path:
    """The coqui env's interpreter: `python`, else $BULLETIN_COQUI_PYTHON, else .venv-coqui."""
    if python:
        path, origin = Path(python).expanduser(), "the configured Python"
    elif os.environ.get(PYTHON_ENV_VAR):
        path, origin = Path(os.environ[PYTHON_ENV_VAR]).expanduser(), f"${PYTHON_ENV_VAR}"
    else:
        path, origin = DEFAULT_PYTHON, "the default"
    # Not resolved: a venv's python is a symlink, and following it would leave the venv.
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise TTSError(_missing_env_message(path, origin))
    return path


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:16]


def _stat_identity(path: Path) -> str:
    # Size and mtime, not a hash: hashing a 2 GB XTTS checkpoint per cache lookup costs more
    # than the lookups save, and replacing a model file changes its mtime anyway.
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _model_identity(model: Path) -> str:
    """XTTS models are folders (model.pth, vocab.json, …), VITS ones a single .pth file."""
    if model.is_dir():
        parts = sorted(f"{p.name}={_stat_identity(p)}" for p in model.iterdir() if p.is_file())
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return _stat_identity(model)


class CoquiEngine:
    """A local Coqui model spoken by a worker in the coqui env.

    `model` is a checkpoint file (VITS, MMS) or an XTTS model folder; `config` its config.json
    (default: config.json in the folder, or beside the file). `speaker` names a built-in
    speaker; `speaker_wav` is a reference recording of the announcer for voice cloning
    (XTTS). `language` is passed only to multilingual models. `python` is the coqui env's
    interpreter; `timeout` bounds model loading and each sentence, in seconds.
    The worker starts on the first synthesis and lives until `close()` (or exit).
    """

    name = "coqui"

    class Options(BaseModel):
        """The keys of a coqui voice profile; paths are relative to the workspace."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        model: str = ""
        """The checkpoint file or XTTS folder (left empty, the engine says what to set)."""
        config: str | None = None
        speaker: str | None = None
        reference_audio: str | None = None
        """XTTS: 6–20 s of the station's announcer, to clone the voice."""
        language: str = "vi"
        python: str | None = None
        """The coqui env's interpreter (default: $BULLETIN_COQUI_PYTHON, then .venv-coqui)."""
        timeout: float = Field(300.0, gt=0, le=3600)

    @classmethod
    def from_options(cls, options: Options, resolve: PathResolver) -> Self:
        return cls(
            model=resolve(options.model) if options.model else "",
            config=resolve(options.config) if options.config else None,
            speaker=options.speaker,
            language=options.language,
            speaker_wav=resolve(options.reference_audio) if options.reference_audio else None,
            python=options.python,
            timeout=options.timeout,
        )

    def __init__(
        self,
        model: str,
        config: str | None = None,
        speaker: str | None = None,
        language: str = "vi",
        speaker_wav: str | None = None,
        python: str | None = None,
        timeout: float = 300.0,
    ) -> None:
        if not str(model).strip():
            raise TTSError("Coqui model path is empty; set `model:` in the voice profile")
        if timeout <= 0:
            raise TTSError(f"Coqui timeout must be positive, got {timeout}")
        self.model = Path(model).expanduser()
        if config:
            self.config = Path(config).expanduser()
        else:
            folder = self.model if self.model.is_dir() else self.model.parent
            self.config = folder / "config.json"
            logger.debug("Coqui config not given, guessing %s", self.config)
        self.speaker = speaker
        self.language = language
        self.speaker_wav = Path(speaker_wav).expanduser() if speaker_wav else None
        self.python = python
        self.timeout = timeout
        self._lock = threading.Lock()
        self._worker: _Worker | None = None
        self._sample_rate = 0
        self._version: str | None = None
        self._digests: dict[Path, tuple[str, str]] = {}  # path -> (stat identity, sha256)

    def _check_files(self) -> None:
        if not self.model.exists():
            raise TTSError(
                f"Coqui model not found: {self.model}. Copy the model onto this machine "
                "(an XTTS folder with model.pth, config.json and vocab.json, such as viXTTS; "
                "or a VITS checkpoint .pth with its config.json, such as MMS Vietnamese) "
                "and set `model:` in the voice profile to it; nothing is downloaded at run time"
            )
        if not self.config.is_file():
            raise TTSError(
                f"Coqui model config not found: {self.config}; set `config:` in the voice "
                "profile to the model's config.json"
            )
        if self.speaker_wav is not None and not self.speaker_wav.is_file():
            raise TTSError(f"Coqui reference recording not found: {self.speaker_wav}")

    def _file_digest(self, path: Path) -> str:
        identity = _stat_identity(path)
        cached = self._digests.get(path)
        if cached is None or cached[0] != identity:
            cached = (identity, _digest(path))
            self._digests[path] = cached
        return cached[1]

    def _coqui_version(self) -> str:
        """coqui-tts's version in the coqui env, asked once (about 50 ms, no torch import)."""
        if self._version is None:
            python = find_python(self.python)
            code = "import importlib.metadata as m; print(m.version('coqui-tts'))"
            done = subprocess.run(
                [str(python), "-I", "-c", code], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                raise TTSError(
                    f"coqui-tts is not installed for {python}; run `make coqui-env` "
                    f"({done.stderr.strip().splitlines()[-1:] or 'no output'})"
                )
            self._version = done.stdout.strip()
        return self._version

    def cache_key(self) -> str:
        # Computed from files and package metadata, never from the loaded model, so fully
        # cached runs never start the worker.
        self._check_files()
        wav = self._file_digest(self.speaker_wav) if self.speaker_wav else "none"
        return (
            f"coqui/{self._coqui_version()}|model={self.model.resolve()}@"
            f"{_model_identity(self.model)}|config={self._file_digest(self.config)}"
            f"|speaker={self.speaker}|language={self.language}|speaker_wav={wav}"
        )

    def _ensure_worker(self) -> _Worker:
        """The running worker with the model loaded; caller must hold `_lock`."""
        if self._worker is not None and self._worker.alive():
            return self._worker
        if self._worker is not None:
            self._worker.stop()
        self._check_files()
        worker = _Worker(find_python(self.python), self.timeout)
        try:
            header, _ = worker.request(
                {
                    "op": "load",
                    "model_path": str(self.model),
                    "config_path": str(self.config),
                    "speaker": self.speaker,
                    "language": self.language,
                    "speaker_wav": str(self.speaker_wav) if self.speaker_wav else None,
                },
                what=f"loading {self.model}",
            )
        except TTSError:
            worker.stop()  # a worker without its model is of no use to the next call
            raise
        self._worker = worker
        self._sample_rate = int(header["sample_rate"])
        logger.info(
            "Coqui model %s loaded in %.1f s (%s)", self.model, header["load_s"], header["versions"]
        )
        return worker

    def synthesize(self, text: str) -> AudioChunk:
        with self._lock:
            worker = self._ensure_worker()
            _, payload = worker.request(
                {"op": "speak", "text": text}, what=f"speaking {text[:60]!r}"
            )
            sample_rate = self._sample_rate
        samples = np.frombuffer(payload, dtype="<i2").astype(np.int16, copy=False)
        return AudioChunk(samples, sample_rate, text)

    def stream(self, sentences: Iterable[str]) -> Iterator[AudioChunk]:
        for sentence in sentences:
            yield self.synthesize(sentence)

    def close(self) -> None:
        """Stop the worker (the next synthesis starts a new one)."""
        with self._lock:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None

    def __enter__(self) -> CoquiEngine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"CoquiEngine(model={str(self.model)!r}, speaker={self.speaker!r}, "
            f"language={self.language!r}, speaker_wav={self.speaker_wav!s})"
        )


def _read_replies(
    stream: IO[bytes],
    replies: queue.Queue[tuple[dict[str, Any], bytes] | None],
    stderr: collections.deque[str],
) -> None:
    """Collect (header, payload) replies; None marks the end of the worker's stdout."""
    try:
        while line := stream.readline():
            header = json.loads(line)
            payload = stream.read(int(header.get("bytes", 0))) if header.get("ok") else b""
            replies.put((header, payload))
    except (OSError, ValueError) as exc:
        stderr.append(f"[bulletin] unreadable worker reply: {exc}")
    replies.put(None)


def _read_stderr(stream: IO[bytes], lines: collections.deque[str]) -> None:
    for raw in stream:
        lines.append(raw.decode("utf-8", "replace").rstrip())


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    """Close the worker's stdin (it exits at EOF), then kill it if it lingers."""
    if process.poll() is not None:
        return
    try:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(_STOP_GRACE_S)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()


class _Worker:
    """One worker process: requests go out on stdin, a reader thread collects replies."""

    def __init__(self, python: Path, timeout: float) -> None:
        self.timeout = timeout
        env = {
            **os.environ,
            # Local files only: a model path must never turn into a download.
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
        try:
            # -I: the worker's folder and the user's site-packages stay off sys.path, so the
            # coqui env sees nothing of bulletin or the main env.
            self.process = subprocess.Popen(
                [str(python), "-I", str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            raise TTSError(f"Cannot start the Coqui worker with {python}: {exc}") from exc
        self._replies: queue.Queue[tuple[dict[str, Any], bytes] | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        assert self.process.stdout is not None and self.process.stderr is not None
        # The threads get the queue and deque, not self: a dropped engine lets this object be
        # collected, and the finalizer below then stops the process.
        threading.Thread(
            target=_read_replies,
            args=(self.process.stdout, self._replies, self._stderr),
            daemon=True,
        ).start()
        # Drained continuously: a full stderr pipe would block the worker mid-sentence.
        self._stderr_reader = threading.Thread(
            target=_read_stderr, args=(self.process.stderr, self._stderr), daemon=True
        )
        self._stderr_reader.start()
        # Stops the worker when this object is collected or the interpreter exits.
        self._finalizer = weakref.finalize(self, _stop_process, self.process)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self) -> str:
        if not self.alive():
            # Its last words may still sit in the pipe after stdout already hit EOF.
            self._stderr_reader.join(_STOP_GRACE_S)
        lines = list(self._stderr)
        return "\n".join(lines) if lines else "(no output)"

    def request(self, message: dict[str, Any], what: str) -> tuple[dict[str, Any], bytes]:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
            self.process.stdin.flush()
            reply = self._replies.get(timeout=self.timeout)
        except queue.Empty:
            self.stop(kill=True)  # late means stuck, most likely: no grace period
            raise TTSError(
                f"Coqui worker did not finish {what} within {self.timeout:g} s and was "
                f"stopped; its last output:\n{self.stderr_tail()}"
            ) from None
        except OSError:
            reply = None  # broken pipe: the worker is gone, reported below
        if reply is None:
            try:
                code = self.process.wait(_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                code = None
            self.stop()
            raise TTSError(
                f"Coqui worker died while {what} (exit code {code}); its last output:\n"
                f"{self.stderr_tail()}"
            )
        header, payload = reply
        if not header.get("ok"):
            raise TTSError(f"Coqui TTS failed while {what}: {header.get('error')}")
        if len(payload) != int(header.get("bytes", 0)):
            self.stop()
            raise TTSError(f"Coqui worker sent truncated audio while {what}")
        return header, payload

    def stop(self, kill: bool = False) -> None:
        if kill and self.alive():
            self.process.kill()
        self._finalizer()
