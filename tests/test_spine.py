"""The rules every entry point shares, tested in-process through the services: the state
table, approvers, the approved hash, rejected is final, serialization, the audit chain."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin import states, workspace
from bulletin.errors import BulletinError, InputError, PolicyError
from bulletin.services import Station
from bulletin.services.delivery import push
from bulletin.services.editing import edit_script
from bulletin.services.review import approve, reject, review_status, verify_audit
from bulletin.services.users import add_user, authenticate, disable_user
from bulletin.store import Store
from bulletin.store.bulletins import StoredAudio
from bulletin.store.schema import MIGRATIONS, split_sql
from tests.conftest import SAMPLES, built, run_bulletin


@pytest.fixture
def station(tmp_path: Path) -> Station:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLES, root)
    made = Station(workspace.load(root))
    add_user(made, "an", ["approver"])
    add_user(made, "binh", ["approver"])
    add_user(made, "chi", ["editor"])
    return made


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _state(station: Station, number: int) -> str:
    with station.store() as store:
        return store.bulletin(number).state


def _audit_count(station: Station, number: int) -> int:
    with station.store() as store:
        return len(store.audit_log(number))


# The state table ------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(set(states.TRANSITIONS) - {"create"}))
def test_every_action_from_every_state_follows_the_table(tmp_path: Path, action: str) -> None:
    store = Store(tmp_path / "db.sqlite3")
    starts, target = states.TRANSITIONS[action]
    for state in states.BULLETIN_STATES:
        number = store.create_draft(
            programme="p", priority="normal", voice="v", items=[], sentences=[], actor="t"
        )
        store.db.execute("UPDATE bulletins SET state = ? WHERE id = ?", (state, number))
        before = len(store.audit_log(number))
        if state in starts:
            change = store.change(number, action, actor="t")
            assert (change.from_state, change.to_state) == (state, target)
            assert store.bulletin(number).state == target
            last = store.audit_log(number)[-1]
            assert (last.action, last.from_state, last.to_state) == (action, state, target)
        else:
            with pytest.raises(PolicyError):
                store.change(number, action, actor="t")
            assert store.bulletin(number).state == state
            assert len(store.audit_log(number)) == before
    assert store.verify_audit().ok


@pytest.mark.parametrize("action", sorted(states.DELIVERY_TRANSITIONS))
def test_every_delivery_action_from_every_state_follows_the_table(
    tmp_path: Path, action: str
) -> None:
    store = Store(tmp_path / "db.sqlite3")
    number = store.create_draft(
        programme="p", priority="normal", voice="v", items=[], sentences=[], actor="t"
    )
    starts, target = states.DELIVERY_TRANSITIONS[action]
    for state in (None, *states.DELIVERY_STATES):
        controller = f"loa-{state}"
        if state is not None:
            with store.tx() as db:
                states.delivery_transition(db, number, controller, "queue", actor="t")
            store.db.execute(
                "UPDATE deliveries SET state = ? WHERE controller = ?", (state, controller)
            )
        if state in starts:
            with store.tx() as db:
                states.delivery_transition(db, number, controller, action, actor="t")
            found = store.delivery(number, controller)
            assert found is not None and found.state == target
        else:
            with pytest.raises(PolicyError), store.tx() as db:
                states.delivery_transition(db, number, controller, action, actor="t")
            found = store.delivery(number, controller)
            assert (found.state if found else None) == state


def test_no_module_but_the_state_table_writes_a_state() -> None:
    import re

    package = Path(__file__).resolve().parent.parent / "bulletin"
    writes = re.compile(r"UPDATE (bulletins|deliveries) SET|INSERT INTO (bulletins|deliveries)\b")
    writers = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if writes.search(path.read_text(encoding="utf-8"))
    }
    # The schema's migrations copy rows between table versions; nothing else touches them.
    assert writers == {"states.py", "store/schema.py"}


def test_nothing_below_the_cli_imports_click_or_rich() -> None:
    import ast

    package = Path(__file__).resolve().parent.parent / "bulletin"
    offenders = []
    for path in package.rglob("*.py"):
        if path.relative_to(package).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(
                n.split(".")[0] in ("click", "rich") or n.startswith("bulletin.cli") for n in names
            ):
                offenders.append(path.relative_to(package).as_posix())
    assert offenders == []


# Approvers --------------------------------------------------------------------------------


def test_approve_needs_an_active_user_with_the_approver_role(
    station: Station, tone_mp3: bytes
) -> None:
    number = built(station, tone_mp3)
    before = _audit_count(station, number)
    for who, key in (
        ("nobody", "review.unknown_user"),
        ("chi", "review.not_approver"),
    ):
        with pytest.raises(PolicyError) as refused:
            approve(station, number, user=who)
        assert refused.value.key == key
    disable_user(station, "binh")
    with pytest.raises(PolicyError) as refused:
        approve(station, number, user="binh")
    assert refused.value.key == "review.inactive_user"
    with pytest.raises(InputError):
        approve(station, number, user="an\u200b")
    assert _state(station, number) == "built" and _audit_count(station, number) == before
    assert approve(station, number, user="AN").state == "approved"


def test_emergency_counts_distinct_people_not_spellings(station: Station, tone_mp3: bytes) -> None:
    number = built(station, tone_mp3, priority="emergency")
    first = approve(station, number, user="an")
    assert first.state == "built" and first.needed == 1
    waiting = review_status(station, number)
    assert (waiting.approvers, waiting.needed) == (("an",), 1)
    for same in ("AN", " an ", "ａｎ"):  # case, spaces and full-width letters fold to "an"
        with pytest.raises(PolicyError) as refused:
            approve(station, number, user=same)
        assert refused.value.key == "review.same_approver"
    with pytest.raises(PolicyError):
        push(station, number, None, "test")
    second = approve(station, number, user="binh")
    assert second.state == "approved" and second.approvers == ("an", "binh")
    done = review_status(station, number)
    assert (done.state, done.approvers, done.needed) == ("approved", ("an", "binh"), 0)


def test_names_with_control_or_invisible_characters_are_refused(station: Station) -> None:
    for bad in ("a\x1b[31mb", "zero\u200bwidth", "rtl\u202eevil", "two words", ""):
        with pytest.raises(InputError) as refused:
            add_user(station, bad, ["approver"])
        assert "\x1b" not in str(refused.value) and "\u202e" not in str(refused.value)
    with pytest.raises(InputError):
        add_user(station, "An", ["approver"])  # the same person as "an"


def test_passwords_are_argon2id_hashes_checked_on_sign_in(station: Station) -> None:
    add_user(station, "dung", ["editor"], password="mat-khau-dai")
    with station.store() as store:
        stored = store.password_hash("dung")
    assert stored is not None and stored.startswith("$argon2id$") and "mat-khau" not in stored
    assert authenticate(station, "DUNG", "mat-khau-dai").name == "dung"
    with pytest.raises(PolicyError):
        authenticate(station, "dung", "sai-mat-khau")
    with pytest.raises(InputError):
        add_user(station, "em", ["editor"], password="ngan")


# Rejected is final, approved audio is exact --------------------------------------------


def test_rejected_bulletin_cannot_be_edited_approved_or_pushed(
    station: Station, tone_mp3: bytes
) -> None:
    number = built(station, tone_mp3)
    reject(station, number, user="an", reason="sai số liệu")
    before = _audit_count(station, number)
    with pytest.raises(PolicyError):
        edit_script(station, number, {0: "Câu khác."}, actor="chi")
    with pytest.raises(PolicyError):
        approve(station, number, user="binh")
    with pytest.raises(PolicyError):
        push(station, number, None, "test")
    assert _state(station, number) == "rejected" and _audit_count(station, number) == before
    assert not (station.root / "xuat" / "loa").exists()


def test_push_refuses_audio_replaced_after_approval(station: Station, tone_mp3: bytes) -> None:
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    with station.store() as store:
        path = station.audio_file(store.bulletin(number).audio_path)
    path.write_bytes(tone_mp3[:-100] + b"\0" * 100)
    with pytest.raises(PolicyError) as refused:
        push(station, number, None, "test")
    assert refused.value.key == "audio.changed"
    assert not list((station.root / "xuat").rglob("*.mp3"))
    with station.store() as store:
        assert store.bulletin(number).state == "approved"
        assert store.audit_log(number)[-1].action == "push-refused"
        assert store.deliveries(number) == []


def test_approval_refuses_audio_changed_since_the_build(station: Station, tone_mp3: bytes) -> None:
    number = built(station, tone_mp3)
    with station.store() as store:
        station.audio_file(store.bulletin(number).audio_path).write_bytes(b"other audio")
    with pytest.raises(PolicyError):
        approve(station, number, user="an")
    assert _state(station, number) == "built"


def test_rendition_is_made_from_the_approved_audio_and_sent_verified(
    station: Station, tone_mp3: bytes
) -> None:
    (station.root / "controllers.yaml").write_text(
        "controllers:\n  loa-nho:\n    transport: folder\n    address: xuat/nho\n"
        "    format: {bitrate_kbps: 64, sample_rate: 22050, channels: 1}\n",
        encoding="utf-8",
    )
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    [outcome] = push(station, number, None, "test").deliveries
    assert outcome.state == "delivered"
    [sent] = (station.root / "xuat" / "nho").glob("*.mp3")
    assert _sha(sent.read_bytes()) == outcome.sha256 != _sha(tone_mp3)
    with station.store() as store:
        [(path, sha)] = store.db.execute("SELECT path, sha256 FROM renditions").fetchall()
        assert sha == outcome.sha256 and not path.startswith("/")


def test_a_copied_workspace_sends_its_own_audio(station: Station, tone_mp3: bytes) -> None:
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    copy_root = station.root.parent / "copy"
    shutil.copytree(station.root, copy_root)
    shutil.rmtree(station.workspace.audio_dir)  # the original's files are gone
    copy = Station(workspace.load(copy_root))
    [outcome] = push(copy, number, None, "test").deliveries
    assert outcome.state == "delivered"
    assert list((copy_root / "xuat" / "loa").glob("*.mp3"))
    assert not (station.root / "xuat").exists()


def test_edit_is_refused_while_a_push_holds_the_bulletin(station: Station, tone_mp3: bytes) -> None:
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    with station.bulletin_lock(number), pytest.raises(BulletinError) as busy:
        edit_script(station, number, {0: "Xin chào cả xã."}, actor="chi")
    assert busy.value.key == "bulletin.busy" and str(number) in str(busy.value)
    assert _state(station, number) == "approved"


def test_edit_rechecks_the_state_inside_its_transaction(station: Station, tone_mp3: bytes) -> None:
    number = built(station, tone_mp3)
    reject(station, number, user="an", reason="muộn")
    with station.store() as store, pytest.raises(PolicyError):
        store.finish_edit(
            number,
            sentences=[(0, "x.", "x.")],
            audio_keys=["k2"],
            audio=StoredAudio("data/audio/x.mp3", 1, "0" * 64, 1.0, -16.0, -1.0),
            actor="chi",
            reason=None,
            reason_params={"count": 1},
        )
    with station.store() as store:
        assert store.sentences(number)[0].text == "Xin chào bà con."


def test_store_audio_and_cache_are_private(station: Station) -> None:
    data = station.workspace.data_dir
    for folder in (data, station.workspace.audio_dir, station.workspace.cache_dir):
        assert folder.stat().st_mode & 0o077 == 0, folder
    assert (data / "bulletin.sqlite3").stat().st_mode & 0o077 == 0


# The audit chain --------------------------------------------------------------------------


def test_audit_chain_shows_where_history_was_rewritten(station: Station, tone_mp3: bytes) -> None:
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    assert verify_audit(station).ok
    db = sqlite3.connect(station.workspace.db_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute(
            "INSERT OR REPLACE INTO audit (id, bulletin_id, at, actor, action) "
            "VALUES (1, ?, 'x', 'mallory', 'create')",
            (number,),
        )
    db.execute("PRAGMA recursive_triggers = OFF")
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET actor = 'mallory' WHERE action = 'approve'")
    db.commit()
    [approval] = [r[0] for r in db.execute("SELECT id FROM audit WHERE action = 'approve'")]
    check = verify_audit(station)
    assert (check.broken_at, check.problem) == (approval, "content")
    cli = run_bulletin("-w", str(station.root), "audit", "verify", "--json")
    assert cli.code == 1 and cli.json()["broken_at"] == approval


def test_system_reasons_are_rendered_in_the_readers_language(
    station: Station, tone_mp3: bytes
) -> None:
    with station.store() as store:
        store.create_draft(
            programme="p", priority="normal", voice="v", items=[], sentences=[], actor="t"
        )
        [number] = store.abandon_drafts(actor="bulletin")
        entry = store.audit_log(number)[-1]
    assert entry.reason_key == "build.interrupted"
    assert "interrupted" in (entry.reason_text("en") or "")
    assert "dừng giữa chừng" in (entry.reason_text("vi") or "")


def test_a_v2_store_migrates_with_relative_audio_and_a_chained_log(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bulletin.sqlite3"
    path.parent.mkdir()
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:2]:
        assert isinstance(migration, str)
        for statement in split_sql(migration):
            db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO bulletins (id, programme, state, voice, created_at, updated_at, audio_path,"
        " audio_sha256) VALUES (1, 'p', 'approved', 'v', 't', 't', "
        "'/old/place/data/audio/bulletin-1.mp3', 'abc')"
    )
    for action in ("create", "build", "approve"):
        db.execute(
            "INSERT INTO audit (bulletin_id, at, actor, action) VALUES (1, 't', 'x', ?)",
            (action,),
        )
    db.commit()
    db.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    migrated = store.bulletin(1)
    assert migrated.audio_path == "data/audio/bulletin-1.mp3"
    assert migrated.approved_sha256 == "abc"
    assert store.verify_audit().ok and store.verify_audit().entries == 3


def test_users_commands_never_print_a_password_or_hash(station: Station) -> None:
    ws = str(station.root)
    added = subprocess.run(
        [
            *(sys.executable, "-m", "bulletin.cli", "-w", ws, "users", "add", "Giang"),
            *("--role", "approver", "--role", "editor", "--password-stdin", "--json"),
        ],
        input="mot-mat-khau-dai\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    listed = run_bulletin("-w", ws, "users", "list", "--json")
    assert listed.code == 0
    assert {"name": "giang", "display_name": "Giang", "roles": ["approver", "editor"]}.items() <= (
        next(u for u in listed.json() if u["name"] == "giang").items()
    )
    for output in (added.stdout + added.stderr, listed.out + listed.err):
        assert "argon2" not in output and "mot-mat-khau" not in output
