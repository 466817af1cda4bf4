"""The scheduler's records: one row per programme firing, so each runs exactly once, and the
daemon's heartbeat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulletin.store.base import QueryBase, now_iso


@dataclass(frozen=True)
class Run:
    programme: str
    what: str
    due_at: str
    state: str
    bulletin_id: int | None
    started_at: str
    finished_at: str | None
    attempts: int
    for_air: str | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "what": self.what,
            "due_at": self.due_at,
            "state": self.state,
            "bulletin": self.bulletin_id,
            "finished_at": self.finished_at,
            "attempts": self.attempts,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class DaemonRecord:
    pid: int
    host: str
    started_at: str
    heartbeat_at: str
    stopped_at: str | None
    first_started_at: str | None = None


class SchedulingQueries(QueryBase):
    def start_run(
        self, programme: str, what: str, due_at: str, *, for_air: str | None = None
    ) -> Run | None:
        """Claim one firing. None when it already finished (done, skipped, missed): a restart
        or a second trigger never runs it again. A run left 'running' by a killed daemon is
        claimed again (its attempts count up) and resumes."""
        with self.tx() as db:
            row = db.execute(
                "SELECT * FROM schedule_runs WHERE programme = ? AND what = ? AND due_at = ?",
                (programme, what, due_at),
            ).fetchone()
            if row is None:
                db.execute(
                    """INSERT INTO schedule_runs (programme, what, due_at, state, started_at,
                       for_air) VALUES (?, ?, ?, 'running', ?, ?)""",
                    (programme, what, due_at, now_iso(), for_air),
                )
            elif row["state"] in ("running", "failed"):
                db.execute(
                    """UPDATE schedule_runs SET state = 'running', attempts = attempts + 1,
                       started_at = ? WHERE programme = ? AND what = ? AND due_at = ?""",
                    (now_iso(), programme, what, due_at),
                )
            else:
                return None
        return self.run(programme, what, due_at)

    def finish_run(
        self,
        programme: str,
        what: str,
        due_at: str,
        state: str,
        *,
        bulletin_id: int | None = None,
        detail: str = "",
    ) -> None:
        with self.tx() as db:
            db.execute(
                """UPDATE schedule_runs SET state = ?, finished_at = ?, detail = ?,
                   bulletin_id = COALESCE(?, bulletin_id)
                   WHERE programme = ? AND what = ? AND due_at = ?""",
                (state, now_iso(), detail[:500], bulletin_id, programme, what, due_at),
            )

    def link_run(self, programme: str, what: str, due_at: str, bulletin_id: int) -> None:
        with self.tx() as db:
            db.execute(
                """UPDATE schedule_runs SET bulletin_id = ?
                   WHERE programme = ? AND what = ? AND due_at = ?""",
                (bulletin_id, programme, what, due_at),
            )

    def run(self, programme: str, what: str, due_at: str) -> Run | None:
        row = self.db.execute(
            "SELECT * FROM schedule_runs WHERE programme = ? AND what = ? AND due_at = ?",
            (programme, what, due_at),
        ).fetchone()
        return None if row is None else _run(row)

    def build_for_air(self, programme: str, air_due: str) -> Run | None:
        """The build run that made the bulletin for this air time."""
        row = self.db.execute(
            """SELECT * FROM schedule_runs WHERE programme = ? AND what = 'build' AND for_air = ?
               ORDER BY started_at DESC LIMIT 1""",
            (programme, air_due),
        ).fetchone()
        return None if row is None else _run(row)

    def runs(self, limit: int = 50, *, states: tuple[str, ...] = ()) -> list[Run]:
        if states:
            marks = ",".join("?" * len(states))
            cursor = self.db.execute(
                f"SELECT * FROM schedule_runs WHERE state IN ({marks}) "
                "ORDER BY due_at DESC LIMIT ?",
                (*states, limit),
            )
        else:
            cursor = self.db.execute(
                "SELECT * FROM schedule_runs ORDER BY due_at DESC LIMIT ?", (limit,)
            )
        return [_run(r) for r in cursor]

    def bulletin_by_run_key(self, run_key: str) -> int | None:
        row = self.db.execute(
            "SELECT id FROM bulletins WHERE run_key = ? AND state != 'rejected'", (run_key,)
        ).fetchone()
        return None if row is None else int(row[0])

    # The daemon's heartbeat: one row.

    def daemon_started(self, pid: int, host: str) -> None:
        with self.tx() as db:
            now = now_iso()
            db.execute(
                """INSERT INTO daemon (id, pid, host, started_at, heartbeat_at, stopped_at,
                   first_started_at) VALUES (1, ?, ?, ?, ?, NULL, ?)
                   ON CONFLICT (id) DO UPDATE SET
                   pid = excluded.pid, host = excluded.host, started_at = excluded.started_at,
                   heartbeat_at = excluded.heartbeat_at, stopped_at = NULL""",
                (pid, host, now, now, now),
            )

    def daemon_heartbeat(self) -> None:
        with self.tx() as db:
            db.execute("UPDATE daemon SET heartbeat_at = ? WHERE id = 1", (now_iso(),))

    def daemon_stopped(self) -> None:
        with self.tx() as db:
            db.execute("UPDATE daemon SET stopped_at = ? WHERE id = 1", (now_iso(),))

    def daemon(self) -> DaemonRecord | None:
        row = self.db.execute("SELECT * FROM daemon WHERE id = 1").fetchone()
        if row is None:
            return None
        return DaemonRecord(
            row["pid"],
            row["host"],
            row["started_at"],
            row["heartbeat_at"],
            row["stopped_at"],
            row["first_started_at"],
        )


def _run(row: Any) -> Run:
    return Run(
        programme=row["programme"],
        what=row["what"],
        due_at=row["due_at"],
        state=row["state"],
        bulletin_id=row["bulletin_id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        attempts=row["attempts"],
        for_air=row["for_air"],
        detail=row["detail"],
    )
