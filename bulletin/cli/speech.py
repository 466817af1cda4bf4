"""Commands for speech and text: say, voices list/install/test, normalize, summarize."""

from __future__ import annotations

from pathlib import Path

import click

from bulletin.cli.common import JSON, Context, cli, jsonl_records, pass_context, read_text
from bulletin.errors import InputError
from bulletin.messages import t

OUTPUT = click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (.mp3 or .wav).",
)


@cli.command()
@click.argument("text", required=False)
@click.option(
    "-f",
    "--file",
    "text_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the text from a file ('-' for stdin).",
)
@click.option("--voice", help="Voice profile (a file in voices/, without .yaml).")
@OUTPUT
@JSON
@pass_context
def say(
    context: Context,
    text: str | None,
    text_file: Path | None,
    voice: str | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Speak TEXT (normalized for Vietnamese radio) into an audio file."""
    from bulletin.cli.output import emit_json, warn
    from bulletin.cli.output import say as tell
    from bulletin.services.speech import say as speak

    target = out or Path("bulletin-say.mp3")
    result = speak(
        context.optional_station(), read_text(text, text_file), target, voice, fallback=True
    )
    if result.fallback_voice is not None:
        # On stderr, so --json keeps stdout to its one document.
        warn(
            t(
                "voice.fallback_used",
                voice=result.voice,
                detail=result.voice_failure,
                count=len(result.fallback_sentences),
                fallback=result.fallback_voice,
            )
        )
    if as_json:
        emit_json(result.as_json())
    else:
        tell(t("say.done", path=result.path, duration=f"{result.duration_s:.1f}"))


@cli.group()
def voices() -> None:
    """Voice profiles in voices/ (list, test)."""


@voices.command("list")
@JSON
@pass_context
def voices_list(context: Context, as_json: bool) -> None:
    """List the workspace's voice profiles and whether each can speak here."""
    from bulletin.cli.output import emit_json, table
    from bulletin.services.speech import list_voices

    document = [v.as_json() for v in list_voices(context.station)]
    if as_json:
        emit_json(document)
        return
    table(
        None,
        [t("col.voice"), "engine", t("col.model"), t("col.region"), t("col.status")],
        [
            (
                d["name"],
                d["engine"],
                d["voice"],
                d["region"],
                t("status.ok") if d["playable"] else f"{t('status.error')}: {d['problem']}",
            )
            for d in document
        ],
    )


@voices.command("install")
@click.argument("name")
@click.option(
    "--from",
    "from_path",
    type=click.Path(path_type=Path),
    help="Install from a folder or USB stick holding the voice's files (no internet).",
)
@click.option("--base-url", help="Download from this mirror instead of the catalog's address.")
@click.option("--force", is_flag=True, help="Install again even when installed.")
@JSON
@pass_context
def voices_install(
    context: Context,
    name: str,
    from_path: Path | None,
    base_url: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Install a voice of the catalog (e.g. vi_VN-vais1000-medium) into the workspace's voices/,
    checking every file's SHA-256."""
    from bulletin.cli.output import emit_json, say
    from bulletin.services.speech import install_voice
    from bulletin.speech.voices import load_catalog

    if from_path is not None and base_url is not None:
        raise click.UsageError("--from PATH | --base-url URL")
    voice = load_catalog().voice(name)
    target = install_voice(
        context.station, name, force=force, from_path=from_path, base_url=base_url
    )
    if as_json:
        emit_json(
            {
                "voice": voice.name,
                "model": str(target),
                "files": [
                    {"name": f.name, "size": f.size, "sha256": f.sha256} for f in voice.files
                ],
                "licence": voice.licence,
            }
        )
        return
    say(t("voices.installed", name=name, path=str(target)))
    say(t("voices.installed_licence", licence=voice.licence))


@voices.command("test")
@click.argument("name")
@click.option("--score", is_flag=True, help="Score intelligibility with the machine ear.")
@click.option(
    "--sentences",
    "sentences_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --score: your own sentences, one a line, instead of the built-in set.",
)
@OUTPUT
@JSON
@pass_context
def voices_test(
    context: Context,
    name: str,
    score: bool,
    sentences_file: Path | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Speak a test announcement with voice NAME into an MP3, or score how well a machine
    understands it (--score)."""
    from bulletin.cli.output import emit_json, say

    if score:
        _score_voice(context, name, sentences_file, as_json)
        return
    if sentences_file is not None:
        raise click.UsageError("--sentences FILE --score")
    from bulletin.services.speech import say as speak

    target = out or Path(f"voice-test-{name}.mp3")
    result = speak(context.station, t("voices.sample"), target, name)
    if as_json:
        emit_json(result.as_json())
    else:
        say(t("say.done", path=result.path, duration=f"{result.duration_s:.1f}"))


def _score_voice(context: Context, name: str, sentences_file: Path | None, as_json: bool) -> None:
    from bulletin.cli.output import emit_json, say, table
    from bulletin.services.intelligibility import score_voice

    sentences = None
    if sentences_file is not None:
        lines = read_text(None, sentences_file).splitlines()
        sentences = [line.strip() for line in lines if line.strip()]
        if not sentences:
            raise InputError("input.empty")
    result = score_voice(context.station, name, sentences=sentences)
    if as_json:
        emit_json(result.as_json())
        return
    table(
        None,
        ["#", t("col.spoken"), t("col.heard"), t("col.ser")],
        [(s.index + 1, s.spoken, s.heard, f"{s.ser:.0%}") for s in result.sentences],
    )
    say(
        t(
            "ear.overall",
            voice=result.voice,
            ser=f"{result.ser:.1%}",
            count=len(result.sentences),
            seconds=f"{result.seconds:.1f}",
        )
    )


@cli.command()
@click.argument("text", required=False)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Batch: one {"id", "text"} object per line ("-" for stdin).',
)
@click.option("--explain", is_flag=True, help="Show which rule produced each spoken form.")
@click.option("--region", type=click.Choice(["north", "south"]), default="north", show_default=True)
@JSON
@pass_context
def normalize(
    context: Context,
    text: str | None,
    jsonl: Path | None,
    explain: bool,
    region: str,
    as_json: bool,
) -> None:
    """Show how TEXT will be read aloud (numbers, dates, codes, abbreviations)."""
    from bulletin.cli.output import emit_json, emit_jsonl, say, table
    from bulletin.services.text import normalize as read_aloud

    station = context.optional_station()
    if jsonl is not None:
        for number, record in jsonl_records(jsonl):
            if "text" not in record:
                raise InputError("input.jsonl", path=str(jsonl), line=number, detail="'text'?")
            [reading] = read_aloud(station, [str(record["text"])], region=region)
            emit_jsonl({"id": record.get("id"), "spoken": reading.spoken})
        return
    [reading] = read_aloud(station, [read_text(text, None)], region=region, explain=explain)
    if as_json:
        emit_json(reading.as_json())
        return
    say(reading.spoken)
    if reading.rules:
        table(None, ["rule", t("col.text"), t("col.spoken")], reading.rules)


@cli.command()
@click.argument(
    "text_file", metavar="FILE", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Batch: one {"id", "text", "title"?} object per line ("-" for stdin).',
)
@click.option("--engine", help="lead, extractive, seq2seq or llm (default: bulletin.yaml).")
@click.option("--seconds", type=click.FloatRange(min=1), help="At most this much speech.")
@click.option("--sentences", type=click.IntRange(min=1), help="At most this many sentences.")
@JSON
@pass_context
def summarize(
    context: Context,
    text_file: Path | None,
    jsonl: Path | None,
    engine: str | None,
    seconds: float | None,
    sentences: int | None,
    as_json: bool,
) -> None:
    """Summarize FILE (or a batch with --jsonl) the way a bulletin item is summarized."""
    from bulletin.cli.output import emit_json, emit_jsonl, say
    from bulletin.services.text import summarize as shorten
    from bulletin.services.text import summary_json

    if (text_file is None) == (jsonl is None):
        raise click.UsageError("FILE | --jsonl FILE")
    station = context.optional_station()
    if jsonl is not None:
        batch: list[tuple[object, str, str | None]] = []
        for number, record in jsonl_records(jsonl):
            if "text" not in record:
                raise InputError("input.jsonl", path=str(jsonl), line=number, detail="'text'?")
            batch.append((record.get("id"), str(record["text"]), record.get("title")))
        results = shorten(
            station,
            [(text, title) for _, text, title in batch],
            engine=engine,
            seconds=seconds,
            sentences=sentences,
        )
        for (record_id, _, _), result in zip(batch, results, strict=True):
            emit_jsonl({"id": record_id, **summary_json(result)})
        return
    assert text_file is not None
    [result] = shorten(
        station,
        [(read_text(None, text_file), None)],
        engine=engine,
        seconds=seconds,
        sentences=sentences,
    )
    if as_json:
        emit_json(summary_json(result))
        return
    say(result.text)
    if result.fallback_reason:
        say(t("summarize.fallback", reason=result.fallback_reason), style="yellow")
