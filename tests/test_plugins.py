"""One registry of engines: built-ins load lazily, installed packages add engines through entry
points, and every engine checks its own settings, naming the file and field of a bad one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from bulletin import plugins
from bulletin.errors import ConfigError, InputError
from bulletin.speech.profiles import engine_for
from bulletin.workspace import VoiceProfile
from bulletin.workspace import load as load_workspace
from tests.conftest import ROOT, run_bulletin

ARTICLE = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng cho trẻ em. "
    "Phụ huynh đưa trẻ đến trạm y tế xã vào buổi sáng. "
    "Mang theo sổ tiêm chủng của trẻ. "
    "Trạm y tế sẽ khám sàng lọc trước khi tiêm."
)

PLUGIN_PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "bulletin-tiny-plugin"
version = "0.1.0"

[project.optional-dependencies]
gpu = []

[project.entry-points."bulletin.summarizers"]
tiny = "tinyplugin:TinySummarizer"
broken = "tinyplugin_broken:BrokenSummarizer [gpu]"

[project.entry-points."bulletin.sources"]
notes = "tinyplugin:fetch_notes"

[tool.setuptools]
py-modules = ["tinyplugin", "tinyplugin_broken"]
"""

PLUGIN_MODULE = '''
"""A third-party summarizer and source kind, as another package would write them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bulletin.sources import FetchContext, FetchResult, NewAnnouncement
from bulletin.summarize.base import Summary
from bulletin.text.sentences import split_sentences


class TinySummarizer:
    """Reads the last sentences: no built-in engine does, so a test can tell it ran."""

    name = "tiny"

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        last: int = Field(1, ge=1, le=5)

    @classmethod
    def from_options(cls, options: Options) -> TinySummarizer:
        return cls(options.last)

    def __init__(self, last: int) -> None:
        self.last = last

    def summarize(self, text, budget, *, title=None):
        return Summary(tuple(split_sentences(text)[-self.last :]), self.name)

    def summarize_many(self, texts, budget):
        return [self.summarize(text, budget, title=title) for text, title in texts]


class NoteSource:
    """Notes made up from the source's own settings."""

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        greeting: str
        count: int = Field(1, ge=1, le=10)

    def __call__(self, context: FetchContext) -> FetchResult:
        options = context.options
        notes = [
            NewAnnouncement(
                uid=f"note-{i}",
                title=f"{options.greeting} {i}",
                body=f"{options.greeting}, đây là ghi chú số {i} của {context.name}.",
            )
            for i in range(1, options.count + 1)
        ]
        return FetchResult(announcements=notes)


fetch_notes = NoteSource()
'''


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny distribution declaring bulletin entry points, installed with pip into a folder."""
    project = tmp_path_factory.mktemp("tiny-plugin")
    (project / "pyproject.toml").write_text(PLUGIN_PYPROJECT, encoding="utf-8")
    (project / "tinyplugin.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    (project / "tinyplugin_broken.py").write_text(
        "import bulletin_tiny_missing_dependency  # noqa: F401\n", encoding="utf-8"
    )
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"),
            *("--no-build-isolation", "--target", str(target), str(project)),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def _with_plugins(plugin_dir: Path) -> dict[str, str]:
    paths = [str(plugin_dir), os.environ.get("PYTHONPATH", "")]
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def _python(code: str, env: dict[str, str] | None = None) -> Any:
    """Run `code` in a fresh interpreter (clean sys.modules) and read the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, "BULLETIN_LANG": "en", **(env or {})},
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _workspace(root: Path, files: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    files = {"bulletin.yaml": {"station": {"name": "Đài xã"}}, **files}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return root


def test_third_party_summarizer_from_entry_point_is_used_from_yaml(
    plugin_dir: Path, tmp_path: Path
) -> None:
    article = tmp_path / "thong-bao.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    settings = {"summary": {"engine": "tiny", "tiny": {"last": 2}}}
    ws = _workspace(tmp_path / "ws", {"bulletin.yaml": settings})
    env = _with_plugins(plugin_dir)

    done = run_bulletin("-w", str(ws), "summarize", str(article), "--json", env=env)

    assert done.code == 0, done.err
    result = done.json()
    assert result["engine"] == "tiny"
    assert result["sentences"] == [
        "Mang theo sổ tiêm chủng của trẻ.",
        "Trạm y tế sẽ khám sàng lọc trước khi tiêm.",
    ]

    settings["summary"]["tiny"] = {"last": "hai"}
    _workspace(ws, {"bulletin.yaml": settings})
    wrong = run_bulletin("-w", str(ws), "summarize", str(article), "--json", env=env)
    assert wrong.code == 2
    assert str(ws / "bulletin.yaml") in wrong.err and "summary.tiny.last" in wrong.err
    assert "Traceback" not in wrong.err and wrong.out == ""


def test_third_party_source_kind_reads_its_own_section(plugin_dir: Path, tmp_path: Path) -> None:
    source = {"kind": "notes", "notes": {"greeting": "Xin chào", "count": 2}}
    ws = _workspace(tmp_path / "ws", {"sources.yaml": {"sources": {"ghi-chu": source}}})
    env = _with_plugins(plugin_dir)

    done = run_bulletin("-w", str(ws), "sources", "check", "ghi-chu", "--json", env=env)

    assert done.code == 0, done.err
    assert [item["title"] for item in done.json()["items"]] == ["Xin chào 1", "Xin chào 2"]

    source["notes"] = {"greeting": "Xin chào", "count": 0}
    _workspace(ws, {"sources.yaml": {"sources": {"ghi-chu": source}}})
    wrong = run_bulletin("-w", str(ws), "sources", "check", "ghi-chu", "--json", env=env)
    assert wrong.code == 2
    assert "sources.yaml" in wrong.err and "sources.ghi-chu.notes.count" in wrong.err


def test_available_lists_entry_point_engines_after_the_built_in_ones(plugin_dir: Path) -> None:
    names = _python(
        """
        import json
        from bulletin import plugins
        print(json.dumps(plugins.available("summarizers")))
        """,
        _with_plugins(plugin_dir),
    )
    assert names == ["lead", "extractive", "seq2seq", "llm", "broken", "tiny"]


def test_engine_whose_module_cannot_be_imported_names_what_to_install(plugin_dir: Path) -> None:
    caught = _python(
        """
        import json
        from bulletin import plugins
        from bulletin.errors import InputError
        try:
            plugins.load("summarizers", "broken")
        except InputError as error:
            print(json.dumps([error.key, str(error)]))
        """,
        _with_plugins(plugin_dir),
    )
    key, message = caught
    assert key == "plugin.import"
    assert "bulletin_tiny_missing_dependency" in message
    assert "pip install 'bulletin-tiny-plugin[gpu]'" in message


def test_unknown_engine_is_an_input_error_listing_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        plugins.load("summarizers", "khong-co")
    assert caught.value.key == "plugin.unknown.summarizers"
    assert "khong-co" in str(caught.value)
    assert "lead, extractive, seq2seq, llm" in str(caught.value)


def test_unknown_summarizer_in_bulletin_yaml_names_file_field_and_known_ones(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path / "ws", {"bulletin.yaml": {"summary": {"engine": "khong-co"}}})
    article = tmp_path / "bai.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    done = run_bulletin("-w", str(ws), "summarize", str(article))
    assert done.code == 2
    assert "bulletin.yaml" in done.err and "summary.engine" in done.err
    assert "khong-co" in done.err and "extractive" in done.err


def test_builtin_engines_are_imported_only_when_loaded() -> None:
    seen = _python(
        """
        import json, sys
        from bulletin import plugins
        heavy = ("numpy", "pydantic", "bulletin.summarize.lead", "bulletin.summarize.extractive")
        before = [name for name in heavy if name in sys.modules]
        lead = plugins.load("summarizers", "lead")
        after = [name for name in heavy if name in sys.modules]
        print(json.dumps([before, after, lead.__name__]))
        """
    )
    before, after, loaded = seen
    assert before == []
    assert "bulletin.summarize.lead" in after and "bulletin.summarize.extractive" not in after
    assert "numpy" not in after
    assert loaded == "LeadSummarizer"


@pytest.mark.parametrize(
    ("kind", "name"),
    [(kind, name) for kind, names in plugins.BUILTIN.items() for name in names],
)
def test_every_builtin_engine_loads_with_what_its_kind_needs(kind: plugins.Kind, name: str) -> None:
    engine = plugins.load(kind, name)
    assert callable(engine)
    if kind in ("summarizers", "tts"):
        assert engine.name == name
        engine.Options()  # an engine left without settings gets valid defaults


@pytest.mark.parametrize(
    "profile_path",
    [
        path
        for folder in ("voices", "samples/voices", "bulletin/templates/starter/voices")
        for path in sorted((ROOT / folder).glob("*.yaml"))
    ],
    ids=lambda path: f"{path.parent.parent.name}/{path.name}",
)
def test_every_shipped_voice_profile_builds_its_engine(profile_path: Path) -> None:
    profile = VoiceProfile.model_validate(yaml.safe_load(profile_path.read_text(encoding="utf-8")))
    engine = engine_for(profile, None)
    assert engine.name == profile.engine


def test_voice_profile_key_the_engine_does_not_accept_names_file_and_field(
    tmp_path: Path,
) -> None:
    ws = _workspace(
        tmp_path / "ws",
        {
            "voices/cao.yaml": {"engine": "espeak", "voice": "vi", "pitch": "cao"},
            "voices/go-nham.yaml": {"engine": "espeak", "toc_do": 150},
        },
    )
    workspace = load_workspace(ws)
    for name, field in (("cao", "pitch"), ("go-nham", "toc_do")):
        with pytest.raises(ConfigError) as caught:
            engine_for(workspace.voice(name)[1], workspace)
        assert str(ws / "voices" / f"{name}.yaml") in str(caught.value)
        assert f"'{field}'" in str(caught.value)


def test_piper_profile_paths_are_found_in_the_workspace(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", {"voices/piper.yaml": {"engine": "piper", "model": "m.onnx"}})
    workspace = load_workspace(ws)
    engine = engine_for(workspace.voice("piper")[1], workspace)
    assert engine.model == ws.resolve() / "m.onnx"  # type: ignore[attr-defined]


def test_unknown_transport_and_source_kind_name_field_and_known_ones(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path / "ws",
        {
            "controllers.yaml": {"controllers": {"loa": {"transport": "smb", "address": "x"}}},
            "sources.yaml": {"sources": {"zalo": {"kind": "zalo", "url": "https://x"}}},
        },
    )
    workspace = load_workspace(ws)
    with pytest.raises(ConfigError) as transport:
        workspace.controllers()
    assert "controllers.loa.transport" in str(transport.value)
    assert "smb" in str(transport.value) and "folder, vendor-json" in str(transport.value)
    with pytest.raises(ConfigError) as kind:
        workspace.sources()
    assert "sources.zalo.kind" in str(kind.value) and "rss, page, folder" in str(kind.value)


def test_settings_of_an_engine_go_under_its_name(tmp_path: Path) -> None:
    stray = {"kind": "rss", "url": "https://x", "prority": "emergency"}
    ws = _workspace(tmp_path / "ws", {"sources.yaml": {"sources": {"tinh": stray}}})
    with pytest.raises(ConfigError) as caught:
        load_workspace(ws).sources()
    assert "sources.tinh" in str(caught.value) and "prority" in str(caught.value)
