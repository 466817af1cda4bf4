"""Find and load a workspace: one station's configuration files and its data folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bulletin.errors import ConfigError, NotFoundError

Priority = Literal["normal", "priority", "emergency"]
PRIORITY_RANK: dict[str, int] = {"emergency": 0, "priority": 1, "normal": 2}

CONFIG_FILE = "bulletin.yaml"
LEXICON_FILE = "lexicon.yaml"
M = TypeVar("M", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Station(_Model):
    name: str = "Đài Truyền thanh xã"
    commune: str = "xã"


class Defaults(_Model):
    voice: str = "giong-mien-bac"
    programme: str = "ban-tin-sang"
    summary_sentences: int = Field(3, ge=1, le=50)


class Seq2SeqConfig(_Model):
    model: str | None = None  # a local folder, or a model id already in the local HF cache
    backend: Literal["transformers", "ctranslate2"] = "transformers"
    max_input_tokens: int = Field(1024, ge=16, le=16384)
    max_new_tokens: int = Field(256, ge=8, le=4096)
    num_beams: int = Field(4, ge=1, le=16)
    prefix: str | None = None  # text put before each input, e.g. "vietnews: " for vit5-large


class LlmConfig(_Model):
    url: str = "http://127.0.0.1:11434/v1"  # an OpenAI-compatible base URL
    model: str = "qwen2.5:7b-instruct"
    api_key_env: str | None = None  # environment variable holding the API key, if any
    timeout_s: float = Field(60.0, gt=0, le=600)
    temperature: float = Field(0.2, ge=0, le=2)


class SummaryConfig(_Model):
    engine: str = "extractive"  # lead | extractive | seq2seq | llm
    sentences: int | None = Field(None, ge=1, le=50)  # per announcement; else defaults
    seconds: float | None = Field(None, gt=0, le=600)  # per announcement, in speech time
    seq2seq: Seq2SeqConfig = Seq2SeqConfig()
    llm: LlmConfig = LlmConfig()


class AudioConfig(_Model):
    target_lufs: float = Field(-16.0, ge=-40, le=-5)
    true_peak_dbtp: float = Field(-1.0, ge=-12, le=0)
    pause_sentence_ms: int = Field(350, ge=0, le=5000)
    pause_item_ms: int = Field(900, ge=0, le=10000)
    jingle_open: str | None = "builtin"
    jingle_close: str | None = "builtin"


class ScriptConfig(_Model):
    opening: str = (
        "Đây là {station}. Mời bà con nghe {programme} hôm nay, {date}. Bản tin có {count} tin."
    )
    item_intro: str = "Tin thứ {index}: {title}."
    closing: str = "{programme} của {station} đến đây là hết. Cảm ơn bà con đã chú ý lắng nghe."


class ReviewConfig(_Model):
    emergency_two_approvers: bool = True


class StationConfig(_Model):
    station: Station = Station()
    timezone: str = "Asia/Ho_Chi_Minh"
    language: str = "vi"
    public_url: str = "http://127.0.0.1:8750"
    defaults: Defaults = Defaults()
    summary: SummaryConfig = SummaryConfig()
    audio: AudioConfig = AudioConfig()
    script: ScriptConfig = ScriptConfig()
    review: ReviewConfig = ReviewConfig()


class SourceConfig(_Model):
    kind: Literal["rss", "page", "folder"]
    url: str | None = None
    path: str | None = None
    priority: Priority = "normal"
    tags: list[str] = []
    link_pattern: str | None = None  # page: regex an article link must match (else detected)
    max_pages: int = Field(1, ge=1, le=50)  # page: listing pages to follow (pagination)
    max_articles: int = Field(30, ge=1, le=500)  # page/rss: new articles fetched per run
    follow_links: Literal["auto", "always", "never"] = "auto"  # rss: fetch the article page
    attachments: bool = True  # fetch PDF/DOCX attachments linked from articles
    ca_bundle: str | None = None  # a CA file for portals whose TLS chain is broken
    timeout_s: float = Field(30.0, gt=0, le=300)


class AudioFormatConfig(_Model):
    bitrate_kbps: int = Field(128, ge=8, le=320)
    sample_rate: int = Field(44100, ge=8000, le=48000)
    channels: int = Field(1, ge=1, le=2)


class ControllerConfig(_Model):
    transport: Literal["folder"]
    address: str
    group: str | None = None
    format: AudioFormatConfig = AudioFormatConfig()
    credentials_env: str | None = None


class VoiceProfile(_Model):
    engine: str = "espeak"  # espeak | piper | coqui (or a registered third-party engine)
    voice: str = "vi"  # espeak: vi | vi-vn-x-central | vi-vn-x-south
    model: str | None = None  # piper: the .onnx file; coqui: the model file or folder
    config: str | None = None  # the model's config (default: beside the model)
    speaker: str | None = None  # multi-speaker models
    reference_audio: str | None = None  # coqui XTTS: a recording of the station's announcer
    language: str = "vi"
    rate: float | None = Field(None, gt=0, le=450)  # espeak: words/minute; others: speed x
    pitch: int = Field(50, ge=0, le=99)
    volume: int = Field(100, ge=0, le=200)
    region: Literal["north", "south"] = "north"


class Programme(_Model):
    title: str = "Bản tin"
    build_at: str | None = None
    air_at: str | None = None
    days: list[str] = []
    sources: list[str] = []
    voice: str | None = None
    max_minutes: float = Field(5, gt=0, le=120)
    approval: Literal["manual", "auto"] = "manual"
    controllers: list[str] = []
    summarizer: str | None = None  # overrides summary.engine for this programme
    tags: list[str] = []  # only announcements carrying one of these tags (empty: all)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config.missing", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError("config.encoding", path=str(path), detail=str(exc)) from None
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError("config.yaml", path=str(path), line=line, detail=problem) from None


def _validate(model: type[M], data: Any, path: Path, where: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in (where, *err["loc"]) if p != "")
        raise ConfigError(
            "config.field", path=str(path), field=field or "(root)", detail=err["msg"]
        ) from None


def _env_overrides(data: dict[str, Any]) -> dict[str, Any]:
    """Apply BULLETIN_<KEY> (and BULLETIN_<SECTION>__<KEY>) environment overrides."""
    skip = {"BULLETIN_WORKSPACE", "BULLETIN_LANG"}
    for name, value in os.environ.items():
        if not name.startswith("BULLETIN_") or name in skip:
            continue
        keys = name[len("BULLETIN_") :].lower().split("__")
        if keys[0] not in StationConfig.model_fields:
            continue  # another tool's variable, or one bulletin reads elsewhere
        target = data
        for key in keys[:-1]:
            nested = target.get(key)
            if not isinstance(nested, dict):
                nested = {}
                target[key] = nested
            target = nested
        target[keys[-1]] = yaml.safe_load(value) if value else value
    return data


@dataclass(frozen=True)
class Workspace:
    """A loaded workspace: its root folder and parsed configuration."""

    root: Path
    config: StationConfig

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "bulletin.sqlite3"

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    def resolve(self, location: str) -> Path:
        """A path from a config file, relative to the workspace unless absolute."""
        if location.startswith("file://"):
            location = location[len("file://") :]
        path = Path(location).expanduser()
        return path if path.is_absolute() else self.root / path

    def sources(self) -> dict[str, SourceConfig]:
        path = self.root / "sources.yaml"
        raw = _read_yaml(path) if path.exists() else {}
        items = (raw or {}).get("sources") or {}
        if not isinstance(items, dict):
            raise ConfigError("config.field", path=str(path), field="sources", detail="mapping")
        return {
            str(name): _validate(SourceConfig, spec, path, f"sources.{name}")
            for name, spec in items.items()
        }

    def controllers(self) -> dict[str, ControllerConfig]:
        path = self.root / "controllers.yaml"
        raw = _read_yaml(path) if path.exists() else {}
        items = (raw or {}).get("controllers") or {}
        if not isinstance(items, dict):
            raise ConfigError("config.field", path=str(path), field="controllers", detail="mapping")
        return {
            str(name): _validate(ControllerConfig, spec, path, f"controllers.{name}")
            for name, spec in items.items()
        }

    def voice(self, name: str | None = None) -> tuple[str, VoiceProfile]:
        name = name or self.config.defaults.voice
        path = self.root / "voices" / f"{name}.yaml"
        if not path.exists():
            if name == Defaults().voice:
                return name, VoiceProfile()
            raise NotFoundError("voice.missing", name=name, path=str(path))
        return name, _validate(VoiceProfile, _read_yaml(path), path)

    def lexicon(self) -> dict[str, str]:
        """The station's own readings (lexicon.yaml: WRITTEN: spoken), added to the built-in."""
        path = self.root / LEXICON_FILE
        if not path.exists():
            return {}
        raw = _read_yaml(path)
        if not isinstance(raw, dict) or not all(
            isinstance(k, str | int) and isinstance(v, str) for k, v in raw.items()
        ):
            raise ConfigError(
                "config.field", path=str(path), field="(root)", detail="WRITTEN: spoken"
            )
        return {str(k): v for k, v in raw.items()}

    def programme(self, name: str | None = None) -> tuple[str, Programme]:
        name = name or self.config.defaults.programme
        path = self.root / "schedules" / f"{name}.yaml"
        if not path.exists():
            if name == Defaults().programme:
                return name, Programme()
            raise NotFoundError("programme.missing", name=name, path=str(path))
        return name, _validate(Programme, _read_yaml(path), path)


def load(root: Path) -> Workspace:
    path = root / CONFIG_FILE
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError("config.field", path=str(path), field="(root)", detail="mapping")
    config = _validate(StationConfig, _env_overrides(raw), path)
    return Workspace(root=root.resolve(), config=config)


def find(explicit: Path | None = None) -> Workspace:
    """--workspace DIR, else $BULLETIN_WORKSPACE, else the current folder upward."""
    if explicit is not None:
        return load(explicit)
    env = os.environ.get("BULLETIN_WORKSPACE")
    if env:
        return load(Path(env))
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).exists():
            return load(folder)
    raise ConfigError("workspace.none", cwd=str(here))
