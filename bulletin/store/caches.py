"""What builds compute once and keep in the store: announcement vectors and summaries."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from bulletin.store.base import QueryBase, now_iso
from bulletin.summarize.base import Summary

SUMMARY_CACHE_ROWS = 5_000
"""Cached summaries kept at most; the oldest go first (a rebuild needs only the latest)."""


class CacheQueries(QueryBase):
    def announcement_vectors(self, ids: Iterable[int], model: str) -> dict[int, bytes]:
        """The stored float32 vectors of these announcements made by `model`, by id; an
        announcement missing here has none yet (stored before v4, or another model's)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[int, bytes] = {}
        # SQLite caps bound parameters; a backlog build asks for a few hundred at most.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(
                f"""SELECT announcement_id, vector FROM announcement_vectors
                    WHERE model = ? AND announcement_id IN ({marks})""",
                (model, *chunk),
            )
            found.update((int(r[0]), bytes(r[1])) for r in rows)
        return found

    def save_announcement_vectors(self, vectors: Mapping[int, bytes], model: str) -> None:
        with self.tx() as db:
            db.executemany(
                """INSERT INTO announcement_vectors (announcement_id, model, vector)
                   VALUES (?, ?, ?)
                   ON CONFLICT(announcement_id) DO UPDATE SET
                       model = excluded.model, vector = excluded.vector""",
                [(i, model, blob) for i, blob in vectors.items()],
            )

    def cached_summaries(
        self, text_hashes: Sequence[str], engine: str, settings: str
    ) -> dict[str, Summary]:
        """The summaries stored for these texts under this engine and these settings."""
        found: dict[str, Summary] = {}
        for digest in dict.fromkeys(text_hashes):
            row = self.db.execute(
                """SELECT * FROM summary_cache
                   WHERE text_sha256 = ? AND engine = ? AND settings_sha256 = ?""",
                (digest, engine, settings),
            ).fetchone()
            if row is not None:
                found[digest] = Summary(
                    sentences=tuple(json.loads(row["sentences"])),
                    engine=row["written_by"],
                    fallback_key=row["fallback_key"],
                    violations=tuple(json.loads(row["violations"])),
                    fallback_params=dict(json.loads(row["fallback_params"])),
                )
        return found

    def save_summaries(self, summaries: Mapping[str, Summary], engine: str, settings: str) -> None:
        stamp = now_iso()
        with self.tx() as db:
            db.executemany(
                """INSERT OR REPLACE INTO summary_cache (text_sha256, engine, settings_sha256,
                       sentences, written_by, fallback_key, fallback_params, violations,
                       created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        digest,
                        engine,
                        settings,
                        json.dumps(list(s.sentences), ensure_ascii=False),
                        s.engine,
                        s.fallback_key,
                        json.dumps(s.fallback_params, ensure_ascii=False),
                        json.dumps(list(s.violations), ensure_ascii=False),
                        stamp,
                    )
                    for digest, s in summaries.items()
                ],
            )
            db.execute(
                """DELETE FROM summary_cache WHERE rowid NOT IN
                   (SELECT rowid FROM summary_cache ORDER BY created_at DESC, rowid DESC
                    LIMIT ?)""",
                (SUMMARY_CACHE_ROWS,),
            )

    def summary_cache_size(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM summary_cache").fetchone()[0])
