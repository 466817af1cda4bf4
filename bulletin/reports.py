"""Documents about a bulletin: the JSON of `show`/`build` and its human rendering."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bulletin.messages import t
from bulletin.store import Store


def bulletin_document(store: Store, bulletin_id: int) -> dict[str, Any]:
    row = store.bulletin(bulletin_id)
    return {
        "id": row["id"],
        "state": row["state"],
        "programme": row["programme"],
        "priority": row["priority"],
        "voice": row["voice"],
        "audio": row["audio_path"],
        "audio_bytes": row["audio_bytes"],
        "audio_sha256": row["audio_sha256"],
        "duration_s": row["duration_s"],
        "loudness_lufs": row["loudness_lufs"],
        "true_peak_dbtp": row["true_peak_dbtp"],
        "created_at": row["created_at"],
        "items": [
            {
                "position": i["position"],
                "announcement": i["announcement_id"],
                "title": i["title"],
                "summary": i["summary"],
                "engine": i["engine"],
                "fallback_reason": i["fallback_reason"],
                "merged": json.loads(i["merged"] or "[]"),
            }
            for i in store.bulletin_items(bulletin_id)
        ],
        "sentences": [
            {
                "index": s["idx"],
                "part": s["part"],
                "item": s["item_position"],
                "text": s["text"],
                "spoken": s["spoken"],
                "audio": s["audio_key"],
            }
            for s in store.sentences(bulletin_id)
        ],
        "audit": [
            {
                "at": a["at"],
                "actor": a["actor"],
                "action": a["action"],
                "from": a["from_state"],
                "to": a["to_state"],
                "reason": a["reason"],
                "audio_sha256": a["audio_sha256"],
            }
            for a in store.audit_log(bulletin_id)
        ],
    }


def print_bulletin(document: dict[str, Any], *, script: bool) -> None:
    from bulletin.output import table

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    table(
        f"{t('col.bulletin')} {document['id']}",
        [t("col.what"), t("col.value")],
        [
            (t("show.state"), document["state"]),
            (t("show.programme"), document["programme"]),
            (t("show.priority"), document["priority"]),
            (t("show.audio"), document["audio"] or ""),
            (t("show.duration"), number(document["duration_s"])),
            (t("show.loudness"), number(document["loudness_lufs"])),
            (t("show.true_peak"), number(document["true_peak_dbtp"])),
        ],
    )
    table(
        t("show.items"),
        ["#", t("col.title"), t("col.engine")],
        [(i["position"], i["title"], _engine_note(i)) for i in document["items"]],
    )
    if script:
        table(
            None,
            ["#", t("col.text"), t("col.spoken")],
            [(s["index"], s["text"], s["spoken"]) for s in document["sentences"]],
        )
    table(
        t("show.audit"),
        [t("col.at"), t("col.actor"), t("col.action"), t("col.state")],
        [
            (a["at"], a["actor"], a["action"], f"{a['from'] or ''} → {a['to'] or ''}")
            for a in document["audit"]
        ],
    )


def _engine_note(item: dict[str, Any]) -> str:
    """Which summarizer wrote the item and, when its output was replaced, why."""
    note = item["engine"] or ""
    if item["fallback_reason"]:
        note += "\n" + t("summarize.fallback", reason=item["fallback_reason"])
    return note


def play_audio(path: Path) -> bool:
    """Play with the first player found; False when this machine has none."""
    for player, args in (
        ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "error"]),
        ("mpv", ["--no-video"]),
        ("mpg123", ["-q"]),
        ("cvlc", ["--play-and-exit"]),
    ):
        exe = shutil.which(player)
        if exe:
            subprocess.run([exe, *args, str(path)], check=False)
            return True
    return False
