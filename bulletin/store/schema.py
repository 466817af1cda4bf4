"""The store's schema: versioned migrations, applied in order, each exactly once."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

GENESIS = "0" * 64
Migration = str | Callable[[sqlite3.Connection], None]

# Each entry moves the schema one version forward; never edit a released entry, append.
_V1_V2: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_fetch_at TEXT,
        last_status TEXT,
        last_error TEXT
    );
    CREATE TABLE announcements (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        uid TEXT NOT NULL,
        title TEXT NOT NULL,
        link TEXT,
        published TEXT,
        priority TEXT NOT NULL DEFAULT 'normal',
        tags TEXT NOT NULL DEFAULT '[]',
        body TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        duplicate_of INTEGER REFERENCES announcements(id),
        fetched_at TEXT NOT NULL,
        UNIQUE (source, uid)
    );
    CREATE INDEX announcements_hash ON announcements(content_hash);
    CREATE TABLE bulletins (
        id INTEGER PRIMARY KEY,
        programme TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('draft','built','approved','rejected','delivering','delivered','failed')),
        priority TEXT NOT NULL DEFAULT 'normal',
        voice TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        audio_path TEXT,
        audio_bytes INTEGER,
        audio_sha256 TEXT,
        duration_s REAL,
        loudness_lufs REAL,
        true_peak_dbtp REAL
    );
    CREATE TABLE bulletin_items (
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        position INTEGER NOT NULL,
        announcement_id INTEGER NOT NULL REFERENCES announcements(id),
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (bulletin_id, position)
    );
    CREATE TABLE script_sentences (
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        idx INTEGER NOT NULL,
        part TEXT NOT NULL,
        item_position INTEGER,
        text TEXT NOT NULL,
        spoken TEXT NOT NULL,
        audio_key TEXT,
        PRIMARY KEY (bulletin_id, idx)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        reason TEXT,
        audio_sha256 TEXT
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
        controller TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('delivering','delivered','failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER,
        sha256 TEXT,
        remote_id TEXT,
        at TEXT NOT NULL,
        error TEXT,
        UNIQUE (bulletin_id, controller)
    );
    """,
    """
    ALTER TABLE bulletin_items ADD COLUMN engine TEXT;
    ALTER TABLE bulletin_items ADD COLUMN fallback_reason TEXT;
    ALTER TABLE bulletin_items ADD COLUMN merged TEXT NOT NULL DEFAULT '[]';
    """,
)


# v3: users; 'scheduled' and the approved hash on bulletins; per-controller delivery states;
# a hash-chained audit log with system reasons as message keys; renditions per format.
_V3_SQL = """
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE bulletins_v3 (
    id INTEGER PRIMARY KEY,
    programme TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft','built','approved','scheduled','rejected',
        'delivering','delivered','failed')),
    priority TEXT NOT NULL DEFAULT 'normal',
    voice TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    audio_path TEXT,
    audio_bytes INTEGER,
    audio_sha256 TEXT,
    duration_s REAL,
    loudness_lufs REAL,
    true_peak_dbtp REAL,
    approved_sha256 TEXT,
    air_at TEXT
);
INSERT INTO bulletins_v3 (id, programme, state, priority, voice, created_at, updated_at,
    audio_path, audio_bytes, audio_sha256, duration_s, loudness_lufs, true_peak_dbtp,
    approved_sha256)
    SELECT id, programme, state, priority, voice, created_at, updated_at, audio_path,
        audio_bytes, audio_sha256, duration_s, loudness_lufs, true_peak_dbtp,
        CASE WHEN state IN ('approved','delivering','delivered','failed')
            THEN audio_sha256 END
    FROM bulletins;
DROP TABLE bulletins;
ALTER TABLE bulletins_v3 RENAME TO bulletins;
CREATE TABLE deliveries_v3 (
    id INTEGER PRIMARY KEY,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    controller TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('pending','delivering','delivered','failed','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER,
    sha256 TEXT,
    remote_id TEXT,
    at TEXT NOT NULL,
    error TEXT,
    retryable INTEGER,
    UNIQUE (bulletin_id, controller)
);
INSERT INTO deliveries_v3 (id, bulletin_id, controller, state, attempts, bytes, sha256,
    remote_id, at, error)
    SELECT id, bulletin_id, controller, state, attempts, bytes, sha256, remote_id, at, error
    FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v3 RENAME TO deliveries;
CREATE TABLE renditions (
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    format TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    PRIMARY KEY (bulletin_id, format, source_sha256)
);
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
ALTER TABLE audit ADD COLUMN subject TEXT;
ALTER TABLE audit ADD COLUMN reason_key TEXT;
ALTER TABLE audit ADD COLUMN reason_params TEXT NOT NULL DEFAULT '{}';
ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE bulletin_items ADD COLUMN fallback_key TEXT;
ALTER TABLE bulletin_items ADD COLUMN fallback_params TEXT NOT NULL DEFAULT '{}';
"""

AUDIT_TRIGGERS = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
    WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""

AUDIT_FIELDS = (
    "id",
    "bulletin_id",
    "at",
    "actor",
    "action",
    "subject",
    "from_state",
    "to_state",
    "reason",
    "reason_key",
    "reason_params",
    "audio_sha256",
    "prev_hash",
)


def entry_hash(row: dict[str, Any]) -> str:
    """The hash of one audit entry: its fields (the previous entry's hash among them)."""
    canonical = json.dumps([row[f] for f in AUDIT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _v3(db: sqlite3.Connection) -> None:
    for statement in split_sql(_V3_SQL):
        db.execute(statement)
    # Chain the entries written before the log was chained, oldest first.
    previous = GENESIS
    rows = db.execute(f"SELECT {', '.join(AUDIT_FIELDS[:-1])} FROM audit ORDER BY id").fetchall()
    for values in rows:
        row = dict(zip(AUDIT_FIELDS[:-1], values, strict=True))
        row["prev_hash"] = previous
        previous = entry_hash(row)
        db.execute(
            "UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?",
            (row["prev_hash"], previous, row["id"]),
        )
    for statement in split_sql(AUDIT_TRIGGERS):
        db.execute(statement)
    # Audio paths become relative to the workspace: a restored copy must use its own files.
    for bulletin_id, path in db.execute(
        "SELECT id, audio_path FROM bulletins WHERE audio_path LIKE '/%'"
    ).fetchall():
        name = PurePosixPath(path).name
        db.execute(
            "UPDATE bulletins SET audio_path = ? WHERE id = ?", (f"data/audio/{name}", bulletin_id)
        )


# v4: what builds compute once and keep: each announcement's e5 passage vector (float32 BLOB,
# with the model that made it, so a new model re-embeds) and summaries by what decides them.
_V4_SQL = """
CREATE TABLE announcement_vectors (
    announcement_id INTEGER PRIMARY KEY REFERENCES announcements(id),
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE summary_cache (
    text_sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    settings_sha256 TEXT NOT NULL,
    sentences TEXT NOT NULL,
    written_by TEXT NOT NULL,
    fallback_key TEXT,
    fallback_params TEXT NOT NULL DEFAULT '{}',
    violations TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    PRIMARY KEY (text_sha256, engine, settings_sha256)
);
"""

# v5: delivery receipts (key, air time, timings, remote acknowledgement, what was sent), the
# media endpoint's URL tokens and what devices fetched, and device status history.
_V5_SQL = """
ALTER TABLE deliveries ADD COLUMN key TEXT;
ALTER TABLE deliveries ADD COLUMN air_at TEXT;
ALTER TABLE deliveries ADD COLUMN started_at TEXT;
ALTER TABLE deliveries ADD COLUMN finished_at TEXT;
ALTER TABLE deliveries ADD COLUMN seconds REAL;
ALTER TABLE deliveries ADD COLUMN ack TEXT;
ALTER TABLE deliveries ADD COLUMN format TEXT;
CREATE TABLE media_tokens (
    token TEXT PRIMARY KEY,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    controller TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    bytes_served INTEGER NOT NULL DEFAULT 0,
    prefix INTEGER NOT NULL DEFAULT 0,
    completed_at TEXT,
    completed_bytes INTEGER,
    client TEXT
);
CREATE INDEX media_tokens_delivery ON media_tokens (bulletin_id, controller);
CREATE TABLE controller_status (
    id INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    status TEXT NOT NULL,
    seen_at TEXT,
    checked_at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE delivery_sent (
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    controller TEXT NOT NULL,
    sent TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (bulletin_id, controller)
);
CREATE INDEX controller_status_by_controller ON controller_status (controller, id);
"""

# v6: the scheduler: one row per programme firing (run exactly once), the daemon's heartbeat,
# emergencies and where they air, and alerts raised.
_V6_SQL = """
CREATE TABLE schedule_runs (
    programme TEXT NOT NULL,
    what TEXT NOT NULL CHECK (what IN ('build', 'air', 'repeat')),
    due_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done', 'skipped', 'failed', 'missed')),
    bulletin_id INTEGER REFERENCES bulletins(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    for_air TEXT,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (programme, what, due_at)
);
CREATE TABLE deliveries_v6 (
    id INTEGER PRIMARY KEY,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    controller TEXT NOT NULL,
    airing TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN
        ('pending','delivering','delivered','failed','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER,
    sha256 TEXT,
    remote_id TEXT,
    at TEXT NOT NULL,
    error TEXT,
    retryable INTEGER,
    key TEXT,
    air_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    seconds REAL,
    ack TEXT,
    format TEXT,
    UNIQUE (bulletin_id, controller, airing)
);
INSERT INTO deliveries_v6 (id, bulletin_id, controller, state, attempts, bytes, sha256,
    remote_id, at, error, retryable, key, air_at, started_at, finished_at, seconds, ack, format)
    SELECT id, bulletin_id, controller, state, attempts, bytes, sha256, remote_id, at, error,
    retryable, key, air_at, started_at, finished_at, seconds, ack, format FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v6 RENAME TO deliveries;
DROP TABLE delivery_sent;
CREATE TABLE delivery_sent (
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    controller TEXT NOT NULL,
    airing TEXT NOT NULL DEFAULT '',
    sent TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (bulletin_id, controller, airing)
);
ALTER TABLE bulletins ADD COLUMN run_key TEXT;
CREATE UNIQUE INDEX bulletins_run_key ON bulletins (run_key)
    WHERE run_key IS NOT NULL AND state != 'rejected';
CREATE TABLE daemon (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    stopped_at TEXT
);
CREATE TABLE emergencies (
    bulletin_id INTEGER PRIMARY KEY REFERENCES bulletins(id),
    target TEXT NOT NULL,
    repeat_every_s REAL,
    until TEXT,
    created_at TEXT NOT NULL,
    last_aired_at TEXT
);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    message TEXT NOT NULL,
    programme TEXT,
    controller TEXT,
    bulletin_id INTEGER,
    sent TEXT NOT NULL DEFAULT '',
    error TEXT
);
"""

# v7: emergency airings. The first airing is an ordinary push; each repeat is a push with its
# own airing (deliveries.airing = 'emergency-N'). `airings` counts completed airings;
# `last_tried_at` is when the latest attempt began (later than `last_aired_at` while an airing
# is incomplete: a retryable failure, or a killed process).
_V7_SQL = """
ALTER TABLE emergencies ADD COLUMN airings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE emergencies ADD COLUMN last_tried_at TEXT;
"""

# v8: when this workspace's first scheduler started: firings before it were never owed.
_V8_SQL = """
ALTER TABLE daemon ADD COLUMN first_started_at TEXT;
UPDATE daemon SET first_started_at = started_at;
"""

# v9: the review desk. A person's language; signed-in sessions, kept by the hash of their
# cookie (a stolen database holds no usable cookie); sign-in attempts, for rate limits that
# hold across restarts and across processes.
_V9_SQL = """
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'vi';
CREATE TABLE web_sessions (
    token_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name),
    csrf TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at REAL NOT NULL,
    seen_at REAL NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user);
CREATE TABLE sign_in_attempts (
    id INTEGER PRIMARY KEY,
    user TEXT NOT NULL,
    address TEXT NOT NULL,
    at REAL NOT NULL,
    ok INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_user ON sign_in_attempts(user, at);
CREATE INDEX sign_in_attempts_address ON sign_in_attempts(address, at);
"""

# v10: which sentences the station's fallback voice read because the chosen voice failed (its
# profile name; null: the bulletin's own voice).
_V10_SQL = """
ALTER TABLE script_sentences ADD COLUMN fallback_voice TEXT;
"""

MIGRATIONS: tuple[Migration, ...] = (
    *_V1_V2,
    _v3,
    _V4_SQL,
    _V5_SQL,
    _V6_SQL,
    _V7_SQL,
    _V8_SQL,
    _V9_SQL,
    _V10_SQL,
)


def split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def apply(db: sqlite3.Connection, migration: Migration) -> None:
    if callable(migration):
        migration(db)
        return
    for statement in split_sql(migration):
        db.execute(statement)
