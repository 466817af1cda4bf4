"""Review-desk sessions and sign-in attempts: kept by the hash of the cookie, never the cookie."""

from __future__ import annotations

from dataclasses import dataclass

from bulletin.store.base import QueryBase


@dataclass(frozen=True)
class WebSession:
    """One signed-in browser."""

    user: str
    csrf: str
    """The token every form of this session must carry back."""
    address: str
    created_at: float
    seen_at: float
    """Unix time of the last request: the idle expiry counts from here."""


class SessionQueries(QueryBase):
    def add_session(self, token_sha256: str, user: str, csrf: str, address: str, at: float) -> None:
        with self.tx() as db:
            db.execute(
                """INSERT INTO web_sessions (token_sha256, user, csrf, address, created_at,
                       seen_at) VALUES (?, ?, ?, ?, ?, ?)""",
                (token_sha256, user, csrf, address, at, at),
            )

    def web_session(self, token_sha256: str) -> WebSession | None:
        row = self.db.execute(
            "SELECT * FROM web_sessions WHERE token_sha256 = ?", (token_sha256,)
        ).fetchone()
        if row is None:
            return None
        return WebSession(
            row["user"], row["csrf"], row["address"], row["created_at"], row["seen_at"]
        )

    def touch_session(self, token_sha256: str, at: float) -> None:
        with self.tx() as db:
            db.execute(
                "UPDATE web_sessions SET seen_at = ? WHERE token_sha256 = ?", (at, token_sha256)
            )

    def end_session(self, token_sha256: str) -> None:
        with self.tx() as db:
            db.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", (token_sha256,))

    def end_idle_sessions(self, seen_before: float, created_before: float) -> None:
        with self.tx() as db:
            db.execute(
                "DELETE FROM web_sessions WHERE seen_at < ? OR created_at < ?",
                (seen_before, created_before),
            )

    def record_sign_in(self, user: str, address: str, at: float, *, ok: bool) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO sign_in_attempts (user, address, at, ok) VALUES (?, ?, ?, ?)",
                (user, address, at, int(ok)),
            )
            # Attempts older than a day decide nothing any more.
            db.execute("DELETE FROM sign_in_attempts WHERE at < ?", (at - 86400,))

    def failed_sign_ins(
        self, since: float, *, user: str | None = None, address: str | None = None
    ) -> int:
        """Failed attempts since `since` for a user (counted from their last success) or from
        an address (a success there does not reset it: one valid account must not reopen an
        address for guessing the others)."""
        if user is not None:
            row = self.db.execute(
                """SELECT COUNT(*) FROM sign_in_attempts WHERE user = ? AND ok = 0 AND at >= ?
                   AND at > COALESCE((SELECT MAX(at) FROM sign_in_attempts
                                      WHERE user = ? AND ok = 1), 0)""",
                (user, since, user),
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT COUNT(*) FROM sign_in_attempts WHERE address = ? AND ok = 0 AND at >= ?",
                (address, since),
            ).fetchone()
        return int(row[0])
