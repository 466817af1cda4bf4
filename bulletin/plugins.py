"""One registry of engines by name: source kinds, summarizers, TTS engines and transports,
built in or added by other packages through entry points; each is imported when first used."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bulletin.errors import InputError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

Kind = Literal["sources", "summarizers", "tts", "transports"]

# The built-in engines, "name": "module:attribute". Nothing here is imported until asked for,
# so `bulletin --help` and commands that never summarize or speak stay fast.
BUILTIN: dict[Kind, dict[str, str]] = {
    "sources": {
        "rss": "bulletin.sources.rss:fetch_rss",
        "page": "bulletin.sources.listing:fetch_page",
        "folder": "bulletin.sources.files:fetch_folder",
    },
    "summarizers": {
        "lead": "bulletin.summarize.lead:LeadSummarizer",
        "extractive": "bulletin.summarize.extractive:ExtractiveSummarizer",
        "seq2seq": "bulletin.summarize.seq2seq:Seq2SeqSummarizer",
        "llm": "bulletin.summarize.llm:LlmSummarizer",
    },
    "tts": {
        "espeak": "bulletin.speech.tts.espeak:EspeakEngine",
        "piper": "bulletin.speech.tts.piper:PiperEngine",
        "coqui": "bulletin.speech.tts.coqui:CoquiEngine",
        "openai-speech": "bulletin.speech.tts.cloud.openai:OpenAISpeechEngine",
        "viettel": "bulletin.speech.tts.cloud.viettel:ViettelEngine",
        "vbee": "bulletin.speech.tts.cloud.vbee:VbeeEngine",
        "fpt": "bulletin.speech.tts.cloud.fpt:FptEngine",
    },
    "transports": {
        "folder": "bulletin.delivery.folder:FolderTransport",
        "vendor-json": "bulletin.delivery.vendorjson:VendorJsonTransport",
        "icecast": "bulletin.delivery.icecast:IcecastTransport",
        "mqtt": "bulletin.delivery.mqtt:MqttTransport",
        "http-upload": "bulletin.delivery.http_upload:HttpUploadTransport",
        "ftp": "bulletin.delivery.ftp:FtpTransport",
        "ftps": "bulletin.delivery.ftp:FtpsTransport",
        "sftp": "bulletin.delivery.sftp:SftpTransport",
    },
}

# What a built-in engine needs beyond the core install (pyproject's optional dependencies),
# named in the error when its module cannot be imported.
BUILTIN_EXTRAS: dict[tuple[Kind, str], str] = {
    ("summarizers", "seq2seq"): "seq2seq",
    ("tts", "piper"): "piper",
}

# What each kind's engine must offer beyond being importable; checked once, at load, so a
# plugin that misses one is a clear error instead of an AttributeError deep in a build.
REQUIRED_ATTRIBUTES: dict[Kind, tuple[str, ...]] = {
    "sources": ("__call__",),
    "summarizers": ("Options", "from_options"),
    "tts": ("Options", "from_options"),
    "transports": ("deliver", "close"),
}


@dataclass(frozen=True)
class _Target:
    """Where an engine lives and what to install when it cannot be imported."""

    module: str
    attribute: str
    requirement: str
    """A pip requirement, e.g. "bulletin[seq2seq]" or a plugin's distribution name."""

    @property
    def spec(self) -> str:
        return f"{self.module}:{self.attribute}"


# kind -> name -> entry point; filled once per kind, on the first lookup that needs it.
_discovered: dict[Kind, dict[str, EntryPoint]] = {}


def group(kind: Kind) -> str:
    """The entry-point group third-party packages declare engines of `kind` in."""
    return f"bulletin.{kind}"


def _entry_points(kind: Kind) -> dict[str, EntryPoint]:
    found = _discovered.get(kind)
    if found is None:
        # Scanning installed distributions costs tens of milliseconds: only when a name is
        # not built in, or when someone asks for the full list.
        from importlib.metadata import entry_points

        found = {}
        for point in entry_points(group=group(kind)):
            found.setdefault(point.name, point)  # the first installed wins, as pip resolves
        _discovered[kind] = found
    return found


def available(kind: Kind) -> list[str]:
    """Names of every engine of `kind`: built in, then added by installed packages."""
    builtin = BUILTIN[kind]
    return [*builtin, *sorted(name for name in _entry_points(kind) if name not in builtin)]


def is_registered(kind: Kind, name: str) -> bool:
    """Whether `name` is an engine of `kind`, without importing it."""
    return name in BUILTIN[kind] or name in _entry_points(kind)


def require(kind: Kind, name: str) -> str:
    """`name`, when it is an engine of `kind`; otherwise an error that lists the known ones."""
    if not is_registered(kind, name):
        raise InputError(f"plugin.unknown.{kind}", name=name, known=", ".join(available(kind)))
    return name


def _target(kind: Kind, name: str) -> _Target:
    spec = BUILTIN[kind].get(name)
    if spec is not None:
        extra = BUILTIN_EXTRAS.get((kind, name))
        module, _, attribute = spec.partition(":")
        return _Target(module, attribute, f"bulletin[{extra}]" if extra else "bulletin")
    point = _entry_points(kind).get(require(kind, name))
    assert point is not None  # require() found it
    distribution = point.dist.name if point.dist else point.module.partition(".")[0]
    extras = f"[{','.join(point.extras)}]" if point.extras else ""
    return _Target(point.module, point.attr, distribution + extras)


def load(kind: Kind, name: str) -> Any:
    """The engine of `kind` registered as `name` (a class or a function), imported now."""
    target = _target(kind, name)
    try:
        engine: Any = importlib.import_module(target.module)
    except ImportError as error:
        raise InputError(
            "plugin.import",
            name=name,
            target=target.spec,
            detail=str(error),
            requirement=target.requirement,
        ) from error
    for part in target.attribute.split("."):
        engine = getattr(engine, part, None)
        if engine is None:
            raise InputError("plugin.contract", name=name, target=target.spec, missing=part)
    missing = [
        attribute for attribute in REQUIRED_ATTRIBUTES[kind] if not hasattr(engine, attribute)
    ]
    if missing:
        raise InputError(
            "plugin.contract", name=name, target=target.spec, missing=", ".join(missing)
        )
    return engine
