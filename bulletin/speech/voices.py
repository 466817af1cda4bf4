"""Install voices listed in the catalog shipped with bulletin, from a download or a folder.

Only this explicit step downloads anything; engines read local files. Every file is checked
against the catalog's size and SHA-256 before it takes its place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin import __version__
from bulletin.errors import BulletinError, InputError

if TYPE_CHECKING:
    import httpx

CATALOG_ENV = "BULLETIN_VOICE_CATALOG"
"""Names another catalog file (a station's own list, or a test's)."""
_CHUNK = 1 << 20
_PART_SUFFIX = ".part"

Progress = Callable[[str, int, int], None]
"""Called with (file name, bytes so far, bytes expected) while a file arrives."""


class VoiceInstallError(BulletinError):
    """A voice could not be installed here and now (network, server, disk): exit 1."""


class VoiceInputError(InputError):
    """The voice asked for, or the files given, are not what the catalog lists: exit 2."""


@dataclass(frozen=True)
class CatalogFile:
    """One file of a voice, as the catalog pins it."""

    path: str
    """Where it lives under the catalog's base URL, e.g. vi/vi_VN/vivos/x_low/x.onnx."""
    size: int
    """Exact size in bytes."""
    sha256: str
    """Lower-case hex SHA-256 of the whole file."""

    @property
    def name(self) -> str:
        """The file's name once installed (and on a USB stick)."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogVoice:
    """An installable voice: its files and where its rights come from."""

    name: str
    engine: str
    language: str
    licence: str
    files: tuple[CatalogFile, ...]

    @property
    def model(self) -> CatalogFile:
        """The file a voice profile's `model:` names (the .onnx for piper)."""
        for file in self.files:
            if file.name.endswith(".onnx"):
                return file
        return self.files[-1]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class VoiceCatalog:
    """The voices a station may install, and the default place to download them from."""

    base_url: str
    voices: dict[str, CatalogVoice]
    location: str
    """The catalog file it was read from, for messages."""

    def voice(self, name: str) -> CatalogVoice:
        voice = self.voices.get(name.strip())
        if voice is None:
            raise VoiceInputError(
                "voices.catalog.unknown",
                name=name,
                path=self.location,
                known=", ".join(sorted(self.voices)) or "-",
            )
        return voice


def load_catalog(path: Path | None = None) -> VoiceCatalog:
    """The catalog at `path`, else at $BULLETIN_VOICE_CATALOG, else the one shipped here."""
    if path is None and os.environ.get(CATALOG_ENV):
        path = Path(os.environ[CATALOG_ENV])
    try:
        if path is None:
            source = resources.files("bulletin.speech").joinpath("voices_catalog.json")
            location = "bulletin/speech/voices_catalog.json"
            document: Any = json.loads(source.read_text(encoding="utf-8"))
        else:
            location = str(path)
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        return _parse_catalog(document, location)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VoiceInputError("voices.catalog.unreadable", path=location, detail=str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"{type(exc).__name__}: {exc}"
        raise VoiceInputError("voices.catalog.unreadable", path=location, detail=detail) from exc


def _parse_catalog(document: Any, location: str) -> VoiceCatalog:
    voices: dict[str, CatalogVoice] = {}
    for name, entry in document["voices"].items():
        files = tuple(
            CatalogFile(str(f["path"]), int(f["size"]), _hex_sha256(f["sha256"], name))
            for f in entry["files"]
        )
        if not files:
            raise ValueError(f"voice {name} lists no files")
        voices[name] = CatalogVoice(
            name=name,
            engine=str(entry.get("engine", "piper")),
            language=str(entry.get("language", "")),
            licence=str(entry.get("licence", "unknown")),
            files=files,
        )
    return VoiceCatalog(str(document["base_url"]).rstrip("/"), voices, location)


def _hex_sha256(value: Any, voice: str) -> str:
    # A catalog entry without a real hash would let anything in: refuse the catalog instead.
    text = str(value or "").strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(f"voice {voice}: sha256 must be 64 hex digits, got {value!r}")
    return text


def install_voice(
    name: str,
    dest_dir: Path,
    *,
    base_url: str | None = None,
    force: bool = False,
    catalog: VoiceCatalog | None = None,
    timeout_s: float = 60.0,
    attempts: int = 3,
    progress: Progress | None = None,
) -> Path:
    """Download voice `name` into `dest_dir` and return the path of its model file.

    Each file arrives in `<dest_dir>/.<file>.part`, kept between attempts and between runs so
    an interrupted download resumes (HTTP Range); it is renamed into place only when every file
    of the voice matches the catalog's size and SHA-256. An installed voice is kept unless
    `force`.
    """
    import httpx  # here, not at the top: only installing needs it

    catalog = catalog or load_catalog()
    voice = catalog.voice(name)
    dest_dir = Path(dest_dir)
    if not force and _installed(voice, dest_dir):
        return dest_dir / voice.model.name
    _make_folder(dest_dir, voice)
    base = (base_url or catalog.base_url).rstrip("/")
    parts: list[tuple[Path, CatalogFile]] = []
    try:
        with httpx.Client(
            follow_redirects=True,  # the hub answers with a redirect to its file store
            timeout=httpx.Timeout(timeout_s, connect=15.0),
            headers={"User-Agent": f"bulletin/{__version__} (+voice install)"},
        ) as client:
            # The small config first: a wrong name or a dead mirror fails before 60 MB.
            for file in voice.files:
                part = _part_path(dest_dir, file)
                url = f"{base}/{file.path}"
                reused = _download(client, url, part, file, attempts, progress)
                try:
                    try:
                        _verify(part, file, source=url, retry_hint=True)
                    except VoiceInstallError:
                        if not reused:
                            raise
                        # The bytes kept from an earlier run were not a prefix of this file
                        # (the mirror changed, the part was damaged): once more from zero.
                        _download(client, url, part, file, attempts, progress)
                        _verify(part, file, source=url, retry_hint=True)
                except VoiceInstallError:
                    # A refused file takes the voice's other parts with it: nothing of a
                    # voice that failed its check stays behind. (An interruption keeps them.)
                    for earlier, _ in parts:
                        earlier.unlink(missing_ok=True)
                    raise
                parts.append((part, file))
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        key = "voices.fetch.not_found" if status == 404 else "voices.fetch.http"
        raise VoiceInstallError(key, url=str(exc.request.url), status=status) from exc
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
        raise VoiceInstallError(
            "voices.fetch.no_access",
            name=voice.name,
            base=base,
            detail=f"{type(exc).__name__}: {exc}",
            files=", ".join(f.name for f in voice.files),
            where=f"{base}/{voice.model.path.rsplit('/', 1)[0]}/",
        ) from exc
    except OSError as exc:
        raise VoiceInstallError("voices.write", name=voice.name, path=dest_dir, detail=exc) from exc
    return _put_in_place(voice, dest_dir, parts)


def install_voice_from(
    name: str,
    source_dir: Path,
    dest_dir: Path,
    *,
    force: bool = False,
    catalog: VoiceCatalog | None = None,
) -> Path:
    """Install voice `name` from files in `source_dir` (a USB stick, a shared folder).

    A file is found by its name in `source_dir`, or at its repository path under it (a copy of
    the voices repository). Each is copied to a .part file, hashed on the way, and checked like
    a download; a truncated or corrupt file is refused and nothing is installed.
    """
    catalog = catalog or load_catalog()
    voice = catalog.voice(name)
    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    if not source_dir.is_dir():
        raise VoiceInputError("voices.from.not_folder", path=source_dir)
    found = [(_find_in(source_dir, file), file) for file in voice.files]
    # Sizes first: a truncated copy is refused before anything is written.
    for path, file in found:
        size = path.stat().st_size
        if size != file.size:
            raise VoiceInputError(
                "voices.file.size", file=path, expected=file.size, got=size, hint=""
            )
    if not force and _installed(voice, dest_dir):
        return dest_dir / voice.model.name
    _make_folder(dest_dir, voice)
    parts: list[tuple[Path, CatalogFile]] = []
    try:
        for path, file in found:
            part = _part_path(dest_dir, file)
            if path.resolve() != part.resolve():
                shutil.copyfile(path, part)
            parts.append((part, file))
            _verify(part, file, source=str(path), retry_hint=False)
    except VoiceInstallError as exc:
        for part, _ in parts:
            part.unlink(missing_ok=True)
        # The folder's file is bad, not the network: bad input, exit 2.
        raise VoiceInputError(exc.key, **exc.params) from None
    except OSError as exc:
        for part, _ in parts:
            part.unlink(missing_ok=True)
        raise VoiceInstallError("voices.write", name=voice.name, path=dest_dir, detail=exc) from exc
    return _put_in_place(voice, dest_dir, parts)


def _find_in(source_dir: Path, file: CatalogFile) -> Path:
    tried = [source_dir / file.name, source_dir / file.path]
    for path in tried:
        if path.is_file():
            return path
    raise VoiceInputError(
        "voices.from.missing", file=file.name, path=source_dir, tried=", ".join(map(str, tried))
    )


def _installed(voice: CatalogVoice, dest_dir: Path) -> bool:
    # Size only: hashing 60 MB on every call to say "already there" is not worth it.
    for file in voice.files:
        path = dest_dir / file.name
        if not path.is_file() or path.stat().st_size != file.size:
            return False
    return True


def _make_folder(dest_dir: Path, voice: CatalogVoice) -> None:
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VoiceInstallError("voices.write", name=voice.name, path=dest_dir, detail=exc) from exc


def _part_path(dest_dir: Path, file: CatalogFile) -> Path:
    # A fixed name (not a random temporary) so the next run finds it and resumes.
    return dest_dir / f".{file.name}{_PART_SUFFIX}"


def _put_in_place(
    voice: CatalogVoice, dest_dir: Path, parts: list[tuple[Path, CatalogFile]]
) -> Path:
    """Rename every verified part into place, the model last: an interruption in between
    leaves "model not found" (whose message says to install again), never a model without
    its config."""
    model = voice.model
    ordered = sorted(parts, key=lambda item: item[1] == model)
    try:
        for part, file in ordered:
            os.replace(part, dest_dir / file.name)
    except OSError as exc:
        raise VoiceInstallError("voices.write", name=voice.name, path=dest_dir, detail=exc) from exc
    return dest_dir / model.name


def _download(
    client: httpx.Client,
    url: str,
    part: Path,
    file: CatalogFile,
    attempts: int,
    progress: Progress | None,
) -> int:
    """Bring `url` into `part`, continuing from what `part` already holds, and return how
    many bytes of an earlier run were kept. A connection lost mid-file is tried again (from
    where it stopped) up to `attempts` times; after that the part stays for the next run and
    the error says so."""
    import httpx

    last: Exception | None = None
    kept = part.stat().st_size if part.exists() else 0
    if kept > file.size:
        kept = 0
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(min(0.2 * 2**attempt, 5.0))
        have = part.stat().st_size if part.exists() else 0
        if have > file.size:
            part.unlink()  # longer than the real file: not a prefix of it
            have = 0
        if have == file.size:
            return kept  # complete; the hash decides whether it is right
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416:
                    part.unlink(missing_ok=True)  # the server disowns our prefix: start over
                    kept = 0
                    continue
                response.raise_for_status()
                resumed = have > 0 and _continues_at(response, have)
                if not resumed:
                    kept = 0
                # A 200 to a Range request is the whole file again: restart cleanly.
                with part.open("ab" if resumed else "wb") as out:
                    done = out.tell()
                    for block in response.iter_bytes():  # as it arrives: a cut keeps it all
                        out.write(block)
                        done += len(block)
                        if progress is not None:
                            progress(file.name, done, file.size)
                        if done > file.size:
                            break  # the hash check names the problem
            return kept
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout) as exc:
            last = exc  # connected, then lost: what arrived is kept in the part
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code < 500:
                raise
            last = exc
    done = part.stat().st_size if part.exists() else 0
    raise VoiceInstallError(
        "voices.fetch.interrupted",
        file=file.name,
        attempts=max(1, attempts),
        detail=f"{type(last).__name__}: {last}",
        done=done,
        size=file.size,
        part=part,
    )


def _continues_at(response: httpx.Response, offset: int) -> bool:
    if response.status_code != 206:
        return False
    # "bytes 1000-1999/2000": the answer must start where our part ends.
    unit, _, span = response.headers.get("content-range", "").partition(" ")
    return unit.strip().lower() == "bytes" and span.split("-", 1)[0].strip() == str(offset)


def _verify(part: Path, file: CatalogFile, *, source: str, retry_hint: bool) -> None:
    """Size, then SHA-256, against the catalog; a mismatching part is deleted."""
    size = part.stat().st_size
    hint = "voices.hint.retry" if retry_hint else "voices.hint.copy"
    if size != file.size:
        part.unlink(missing_ok=True)
        raise VoiceInstallError(
            "voices.file.size", file=source, expected=file.size, got=size, hint=_hint(hint)
        )
    digest = hashlib.sha256()
    with part.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    got = digest.hexdigest()
    if got != file.sha256:
        part.unlink(missing_ok=True)
        raise VoiceInstallError(
            "voices.file.mismatch",
            file=source,
            expected=file.sha256[:16],
            got=got[:16],
            hint=_hint(hint),
        )


def _hint(key: str) -> str:
    from bulletin.messages import t

    return t(key)
