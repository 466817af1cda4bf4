"""Users in the store: names already normalized by `bulletin.users`, hashes never read out."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from bulletin.domain import User
from bulletin.errors import InputError, NotFoundError
from bulletin.store.base import QueryBase, now_iso


def _user(row: sqlite3.Row) -> User:
    return User(
        name=row["name"],
        display_name=row["display_name"],
        roles=tuple(json.loads(row["roles"])),
        active=bool(row["active"]),
        created_at=row["created_at"],
        lang=row["lang"],
    )


class UserQueries(QueryBase):
    def add_user(
        self, name: str, *, display_name: str, roles: Sequence[str], password_hash: str | None
    ) -> User:
        with self.tx() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise InputError("users.exists", name=name)
            db.execute(
                """INSERT INTO users (name, display_name, roles, password_hash, active,
                       created_at) VALUES (?, ?, ?, ?, 1, ?)""",
                (name, display_name, json.dumps(list(roles)), password_hash, now_iso()),
            )
        return self.user(name)

    def user(self, name: str) -> User:
        row = self.db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError("users.missing", name=name)
        return _user(row)

    def find_user(self, name: str) -> User | None:
        row = self.db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else _user(row)

    def users(self) -> list[User]:
        return [_user(r) for r in self.db.execute("SELECT * FROM users ORDER BY name")]

    def password_hash(self, name: str) -> str | None:
        row = self.db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def update_user(
        self,
        name: str,
        *,
        password_hash: str | None = None,
        active: bool | None = None,
        lang: str | None = None,
    ) -> User:
        with self.tx() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
                raise NotFoundError("users.missing", name=name)
            if password_hash is not None:
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name)
                )
            if active is not None:
                db.execute("UPDATE users SET active = ? WHERE name = ?", (int(active), name))
                if not active:  # a disabled person is signed out everywhere at once
                    db.execute("DELETE FROM web_sessions WHERE user = ?", (name,))
            if password_hash is not None:  # a new password ends every other sign-in
                db.execute("DELETE FROM web_sessions WHERE user = ?", (name,))
            if lang is not None:
                db.execute("UPDATE users SET lang = ? WHERE name = ?", (lang, name))
        return self.user(name)
