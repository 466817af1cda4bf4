"""Find and load a workspace: one station's configuration files and its data folder."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bulletin.errors import ConfigError, InputError, NotFoundError

if TYPE_CHECKING:
    from bulletin.plugins import Kind

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
    fallback_voice: str | None = "giong-mien-bac"
    """Speaks what the chosen voice cannot (a cloud service down); null: a failure stops."""
    programme: str = "ban-tin-sang"
    summary_sentences: int = Field(3, ge=1, le=50)


@dataclass(frozen=True)
class Origin:
    """Where a section was read, so a check made later (by an engine) names the file and field."""

    path: Path
    field: str = ""


def _registered(kind: Kind, name: str) -> str:
    """`name` if an engine of `kind` has it, else a validation error listing the known ones."""
    from bulletin import plugins

    try:
        return plugins.require(kind, name)
    except InputError as error:
        raise PydanticCustomError("unknown_engine", "{detail}", {"detail": str(error)}) from None


class _Pluggable(_Model):
    """A section that picks an engine by name and leaves room for the engine's own settings,
    which only the engine's Options model can check, once the engine is loaded."""

    model_config = ConfigDict(extra="allow", frozen=True)
    _section: ClassVar[str] = ""
    """The model's own key inside the validated file, when it is nested (summary)."""
    _origin: Origin | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _remember_origin(self, info: ValidationInfo) -> Self:
        context = info.context or {}
        if "path" in context:
            where = ".".join(p for p in (context.get("where", ""), self._section) if p)
            self._origin = Origin(Path(context["path"]), where)
        return self

    def _only_section(self, engine: str) -> None:
        """Extra keys are allowed only as the section named after the chosen engine."""
        from bulletin.messages import t

        for extra in self.model_extra or {}:
            if extra != engine:
                detail = t("plugin.section", entry=extra, engine=engine)
                raise PydanticCustomError("engine_section", "{detail}", {"detail": detail})

    def _settings(self, key: str, data: Any, model: type[M]) -> M:
        # Built from defaults rather than read from a file: the default file and place.
        origin = self._origin or Origin(Path(CONFIG_FILE), self._section)
        field = ".".join(p for p in (origin.field, key) if p)
        return _validate(model, {} if data is None else data, origin.path, field)


class SummaryConfig(_Pluggable):
    """`summary:` in bulletin.yaml. `summary.<engine>` holds that engine's own settings (e.g.
    `seq2seq: {model: …}`), checked by the engine's Options model when it is used."""

    _section: ClassVar[str] = "summary"
    engine: str = "extractive"  # lead | extractive | seq2seq | llm, or an installed plugin's
    sentences: int | None = Field(None, ge=1, le=50)  # per announcement; else defaults
    seconds: float | None = Field(None, gt=0, le=600)  # per announcement, in speech time

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, name: str) -> str:
        return _registered("summarizers", name)

    @model_validator(mode="after")
    def _sections_name_engines(self) -> Self:
        from bulletin import plugins
        from bulletin.messages import t

        # Several sections may stay side by side (seq2seq and llm) while `engine` picks one.
        for key in self.model_extra or {}:
            if not plugins.is_registered("summarizers", key):
                known = ", ".join(plugins.available("summarizers"))
                detail = t("plugin.sections", entry=key, known=known)
                raise PydanticCustomError("engine_section", "{detail}", {"detail": detail})
        return self

    def options(self, engine: str, model: type[M]) -> M:
        """`summary.<engine>` validated by `model`; a bad value names the file and field."""
        return self._settings(engine, (self.model_extra or {}).get(engine), model)


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
    item_issuer: str = "Theo {issuer}:"  # before an item's summary, when its source has one
    closing: str = "{programme} của {station} đến đây là hết. Cảm ơn bà con đã chú ý lắng nghe."


class ReviewConfig(_Model):
    emergency_two_approvers: bool = True
    # The review desk (`bulletin serve`): a session ends after this long without a request,
    # and in any case this long after sign-in.
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    session_max_hours: int = Field(12, ge=1, le=24 * 30)
    # Failed sign-ins allowed per user, and per address, within the window.
    sign_in_failures_per_user: int = Field(5, ge=1, le=1000)
    sign_in_failures_per_address: int = Field(20, ge=1, le=10_000)
    sign_in_window_minutes: int = Field(15, ge=1, le=24 * 60)


class LimitsConfig(_Model):
    """Bounds on work a hostile or runaway input could make unbounded."""

    say_max_chars: int = Field(8000, ge=1, le=200_000)  # `say`: longer text is refused
    build_candidates: int = Field(300, ge=1, le=100_000)  # newest items a build considers
    source_budget_factor: int = Field(4, ge=1, le=20)  # a source's fetch: this × timeout_s


class DeliveryConfig(_Model):
    """How a push fans out: in bulletin.yaml under `delivery:`."""

    concurrency: int = Field(16, ge=1, le=1000)  # controllers served at once
    timeout_s: float = Field(60.0, gt=0, le=3600)  # one attempt, unless a controller sets its own
    retry_attempts: int = Field(5, ge=1, le=100)  # at most, per controller and push
    retry_base_s: float = Field(1.0, gt=0, le=600)  # first backoff; doubles, with jitter
    retry_cap_s: float = Field(30.0, gt=0, le=3600)
    retry_window_s: float = Field(120.0, ge=0, le=86400)  # retries stop then, or at the air time
    token_ttl_hours: float = Field(48.0, gt=0, le=24 * 30)  # how long a media URL works


class AlertsConfig(_Model):
    """Where staff hear that something went wrong: a command (the Vietnamese text on its
    stdin and in $BULLETIN_ALERT) and/or a webhook (a JSON POST)."""

    command: str | None = None
    webhook: str | None = None
    timeout_s: float = Field(10.0, gt=0, le=120)
    controller_silent_minutes: float = Field(60.0, gt=0, le=7 * 24 * 60)  # "not seen lately"


class SchedulerConfig(_Model):
    """`schedule run`: how often it looks for approved emergencies and writes its heartbeat."""

    poll_s: float = Field(1.0, gt=0, le=60)
    heartbeat_s: float = Field(5.0, gt=0, le=300)


class StationConfig(_Model):
    station: Station = Station()
    timezone: str = "Asia/Ho_Chi_Minh"
    language: str = "vi"
    public_url: str = "http://127.0.0.1:8750"
    voices_url: str | None = None
    """A mirror `bulletin voices install` downloads from instead of the catalog's address."""
    defaults: Defaults = Defaults()
    summary: SummaryConfig = SummaryConfig()
    audio: AudioConfig = AudioConfig()
    script: ScriptConfig = ScriptConfig()
    review: ReviewConfig = ReviewConfig()
    limits: LimitsConfig = LimitsConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    alerts: AlertsConfig = AlertsConfig()
    scheduler: SchedulerConfig = SchedulerConfig()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (e.g. Asia/Ho_Chi_Minh)") from None
        return value


class SourceConfig(_Pluggable):
    """One source in sources.yaml. Settings only a plugin kind reads go under a key named
    after the kind (`kind: zalo`, `zalo: {…}`), checked by that kind's Options model."""

    kind: str  # rss | page | folder, or an installed plugin's
    name: str | None = None  # what people call it (the review desk shows it): "UBND xã"
    url: str | None = None
    path: str | None = None
    priority: Priority = "normal"
    tags: list[str] = []
    # Who issues what this source publishes, read before each of its items ("Theo {issuer}:"):
    # "Đài Khí tượng Thủy văn tỉnh Quảng Trị". Without it, no issuer is read.
    issuer: str | None = None
    link_pattern: str | None = None  # page: regex an article link must match (else detected)
    max_pages: int = Field(1, ge=1, le=50)  # page: listing pages to follow (pagination)
    max_articles: int = Field(30, ge=1, le=500)  # page/rss: new articles fetched per run
    follow_links: Literal["auto", "always", "never"] = "auto"  # rss: fetch the article page
    attachments: bool = True  # fetch PDF/DOCX attachments linked from articles
    ca_bundle: str | None = None  # a CA file for portals whose TLS chain is broken
    timeout_s: float = Field(30.0, gt=0, le=300)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, name: str) -> str:
        return _registered("sources", name)

    @model_validator(mode="after")
    def _only_the_kind_section(self) -> Self:
        self._only_section(self.kind)
        return self

    def options(self, model: type[M]) -> M:
        """`sources.NAME.<kind>` validated by `model`; a bad value names the file and field."""
        return self._settings(self.kind, (self.model_extra or {}).get(self.kind), model)


class AudioFormatConfig(_Model):
    """The audio a controller asks for. MP3 is what production makes; another codec or other
    settings get a rendition, encoded once per bulletin from the approved audio."""

    codec: Literal["mp3", "wav", "opus"] = "mp3"
    bitrate_kbps: int = Field(128, ge=8, le=320)  # mp3 and opus; wav is 16-bit PCM
    sample_rate: int = Field(44100, ge=8000, le=48000)
    channels: int = Field(1, ge=1, le=2)

    @property
    def key(self) -> str:
        """A short name that tells renditions apart (store key, file name part). WAV has no
        bitrate, so two settings that differ only there share one rendition."""
        if self.codec == "wav":
            return f"wav-{self.sample_rate}hz-{self.channels}ch"
        return f"{self.codec}-{self.bitrate_kbps}k-{self.sample_rate}hz-{self.channels}ch"

    @property
    def suffix(self) -> str:
        return {"mp3": ".mp3", "wav": ".wav", "opus": ".opus"}[self.codec]

    @model_validator(mode="after")
    def _opus_rates(self) -> Self:
        if self.codec == "opus" and self.sample_rate not in (8000, 12000, 16000, 24000, 48000):
            raise ValueError("opus needs sample_rate 8000, 12000, 16000, 24000 or 48000")
        return self


class ControllerConfig(_Pluggable):
    """One controller in controllers.yaml, keyed by its id. Settings only its transport reads
    go under a key named after the transport, checked by that transport's Options model."""

    transport: str  # folder, or an installed plugin's
    address: str
    name: str | None = None  # what people call it ("Loa thôn 3")
    commune: str | None = None  # also a group: `push --to COMMUNE`
    group: str | None = None  # one group (older files); `groups` takes a list
    groups: list[str] = []
    enabled: bool = True
    format: AudioFormatConfig = AudioFormatConfig()
    credentials_env: str | None = None  # `user:password` or a token
    credentials_file: str | None = None  # the same in a file only its owner can read (0600)
    ca_bundle: str | None = None  # a CA file to verify this controller's TLS certificate
    tls_verify: bool = True
    timeout_s: float | None = Field(None, gt=0, le=3600)  # else delivery.timeout_s

    @field_validator("address")
    @classmethod
    def _no_secret_in_address(cls, value: str) -> str:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value.strip())
        except ValueError as exc:
            raise ValueError(f"not a URL: {exc}") from None
        if parts.password:
            raise ValueError(
                "a password in the address; put it in credentials_env or credentials_file"
            )
        return value.strip()

    @model_validator(mode="after")
    def _one_credential_source(self) -> Self:
        if self.credentials_env and self.credentials_file:
            raise ValueError("credentials_env and credentials_file: give one of them")
        return self

    def all_groups(self) -> list[str]:
        """Every group this controller is in: `groups`, `group` and its commune."""
        found = [*self.groups, *([self.group] if self.group else [])]
        if self.commune:
            found.append(self.commune)
        return list(dict.fromkeys(found))

    @field_validator("transport")
    @classmethod
    def _known_transport(cls, name: str) -> str:
        return _registered("transports", name)

    @model_validator(mode="after")
    def _only_the_transport_section(self) -> Self:
        self._only_section(self.transport)
        return self

    def options(self, model: type[M]) -> M:
        """`controllers.NAME.<transport>` validated by `model`, naming the file and field."""
        return self._settings(self.transport, (self.model_extra or {}).get(self.transport), model)


class VoiceProfile(_Pluggable):
    """voices/NAME.yaml, one flat mapping. `engine` and `region` are bulletin's own keys; every
    other key belongs to the engine and is checked by its Options model when the voice is used."""

    engine: str = "espeak"  # espeak | piper | coqui, or an installed plugin's
    region: Literal["north", "south"] = "north"  # how numbers and dates are read
    # Shared keys: bulletin reads them too (voice listings, speaking rate), and an engine gets
    # them when its Options has them; coqui ignores `rate`, which still sets the fitting pace.
    voice: str = "vi"  # espeak: vi | vi-vn-x-central | vi-vn-x-south
    model: str | None = None  # piper: the .onnx file; coqui: the model file or folder
    rate: float | None = Field(None, gt=0, le=450)  # espeak: words/minute; others: speed x

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, name: str) -> str:
        return _registered("tts", name)

    def options(self, model: type[M]) -> M:
        """The keys the file sets, other than `engine` and `region`, validated by the engine's
        `model`: shared keys when it has them, every other key always (so a typo is caught)."""
        shared = self.model_dump(include=self.model_fields_set & {"voice", "model", "rate"})
        own = {key: value for key, value in shared.items() if key in model.model_fields}
        return self._settings("", {**own, **(self.model_extra or {})}, model)


Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def _times(value: Any) -> Any:
    """One time or a list of them, as a list."""
    return [value] if isinstance(value, str) else value


class Programme(_Model):
    """schedules/NAME.yaml: what a programme airs, where, when, and who approves it."""

    title: str = "Bản tin"
    # When: times of day ("06:00", or a list) on `days`, or a cron expression (5 fields, or
    # 6 with seconds first), in the station's time zone.
    build_at: list[str] = []
    air_at: list[str] = []
    build_cron: str | None = None
    air_cron: str | None = None
    days: list[Day] = []  # empty: every day
    build_lead_minutes: float = Field(30, ge=0, le=24 * 60)  # build this long before air
    repeats: list[str] = []  # air the same bulletin again at these times of the same day
    misfire_grace_minutes: float = Field(10, ge=0, le=24 * 60)  # late by more: missed
    # What.
    sources: list[str] = []
    tags: list[str] = []  # only announcements carrying one of these tags (empty: all)
    max_age_days: float | None = Field(7, gt=0, le=3650)  # older items are not aired (null: any)
    # Warnings (storms, floods, power cuts, …) go stale sooner: older ones are not aired.
    warning_max_age_days: float | None = Field(2, gt=0, le=3650)
    voice: str | None = None
    max_minutes: float = Field(5, gt=0, le=120)
    summarizer: str | None = None  # overrides summary.engine for this programme
    # Where.
    controllers: list[str] = []  # controller ids, groups or communes; empty: all enabled
    # Who approves: manual, or auto when every item comes from a trusted source.
    approval: Literal["manual", "auto"] = "manual"
    trusted_sources: list[str] = []
    approval_alert_minutes: float | None = Field(30, ge=0, le=24 * 60)  # unapproved this
    # close to air time: alert
    unapproved: Literal["skip", "fallback"] = "skip"  # at air time with nothing approved
    fallback_audio: str | None = None  # a recorded file aired instead (with `fallback`)

    @field_validator("build_at", "air_at", "repeats", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return _times(value)

    @field_validator("build_at", "air_at", "repeats")
    @classmethod
    def _clock(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _CLOCK_TIME.match(value.strip()):
                raise ValueError(f"'{value}' is not a time of day (HH:MM)")
        return [v.strip() for v in values]

    @field_validator("build_cron", "air_cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from bulletin.schedules import cron_fields

        cron_fields(value)  # raises ValueError naming what is wrong
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.air_at and self.air_cron:
            raise ValueError("air_at and air_cron: give one of them")
        if self.build_at and self.build_cron:
            raise ValueError("build_at and build_cron: give one of them")
        if self.approval == "auto" and not self.trusted_sources:
            raise ValueError("approval: auto needs trusted_sources (the sources it may trust)")
        if self.unapproved == "fallback" and not self.fallback_audio:
            raise ValueError("unapproved: fallback needs fallback_audio (a recorded file)")
        if self.repeats and not (self.air_at or self.air_cron):
            raise ValueError("repeats need air_at or air_cron")
        return self

    @property
    def scheduled(self) -> bool:
        return bool(self.air_at or self.air_cron)


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
        # Sections an engine checks later remember their place through the context.
        return model.model_validate(data, context={"path": path, "where": where})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in (where, *err["loc"]) if p != "")
        line = yaml_line(path, [*(where.split(".") if where else []), *err["loc"]])
        raise ConfigError(
            "config.field_line" if line else "config.field",
            path=str(path),
            line=line,
            field=field or "(root)",
            detail=err["msg"],
        ) from None


def yaml_line(path: Path, loc: Sequence[Any]) -> int | None:
    """The line (from 1) of the value at `loc` in a YAML file, or of the nearest enclosing
    key that exists (a missing field is reported where its mapping is)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if found is None:
                break
            key = next(k for k, v in node.value if v is found)
            line = key.start_mark.line + 1
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


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
        try:
            target[keys[-1]] = yaml.safe_load(value) if value else value
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError("config.env", name=name, detail=problem) from None
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
        name = check_name(name or self.config.defaults.voice, "voice")
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
        name = check_name(name or self.config.defaults.programme, "programme")
        path = self.root / "schedules" / f"{name}.yaml"
        if not path.exists():
            if name == Defaults().programme:
                return name, Programme()
            raise NotFoundError("programme.missing", name=name, path=str(path))
        return name, _validate(Programme, _read_yaml(path), path)


# A profile, programme, source or controller name: it becomes a file name, never a path.
_NAME = re.compile(r"^[^\W_][\w.-]{0,79}$")


def check_name(name: str, what: str) -> str:
    """`name` when it is a plain name; a path, an empty name or a hidden dot-file is refused."""
    if not _NAME.match(name) or ".." in name:
        raise InputError("name.invalid", what=what, name=name[:80])
    return name


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
