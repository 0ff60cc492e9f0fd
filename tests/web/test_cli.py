"""`litwatch users ...` and `litwatch serve` in-process on a real store file, checked through the library."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx

from litwatch.accounts import authenticate, get_user, list_users
from litwatch.store import open_store


def test_users_add_list_role_password_remove(cli, db_file):
    r = cli("users", "add", "ana", "--role", "reviewer", "--password-stdin", "--db", db_file,
            input="correct horse battery\n")
    assert r.exit_code == 0 and "Added ana (reviewer)" in r.output
    with open_store(db_file) as s:
        assert authenticate(s, "ana", "correct horse battery") is not None
        assert s.conn.execute("SELECT password_hash FROM users").fetchone()[0].startswith("$argon2id$")
    listed = cli("users", "list", "--json", "--db", db_file)
    assert json.loads(listed.output) == [{"id": 1, "name": "ana", "role": "reviewer",
                                          "created_at": json.loads(listed.output)[0]["created_at"]}]
    assert cli("users", "role", "ana", "admin", "--db", db_file).exit_code == 0
    r = cli("users", "password", "ana", "--password-stdin", "--db", db_file, input="another long one\n")
    assert r.exit_code == 0
    with open_store(db_file) as s:
        assert get_user(s, "ana").role == "admin"
        assert authenticate(s, "ana", "another long one") is not None
    assert cli("users", "remove", "ana", "--db", db_file).exit_code == 0
    with open_store(db_file) as s:
        assert list_users(s) == []


def test_users_bad_input_is_one_line_and_exit_2(cli, db_file):
    cli("users", "add", "ana", "--password-stdin", "--db", db_file, input="long enough pass\n")
    for args, text, message in [
        (("users", "add", "ana", "--password-stdin"), "long enough pass\n", "exists already"),
        (("users", "add", "bo", "--role", "boss", "--password-stdin"), "long enough pass\n", "is not one of"),
        (("users", "add", "bo", "--password-stdin"), "short\n", "at least 8"),
        (("users", "add", "rule", "--password-stdin"), "long enough pass\n", "reserved"),
        (("users", "remove", "nobody"), None, "no user"),
    ]:
        r = cli(*args, "--db", db_file, input=text)
        assert r.exit_code == 2, r.output
        assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_serve_answers_on_loopback_with_two_workers(db_file, tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "litwatch.cli", "serve", "--db", str(db_file), "--port", str(port),
                             "--public-read", "--work-dir", str(tmp_path / "work"), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/reports.json", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode() if proc.poll() is not None else "no answer")
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["published"] == []
        assert httpx.get(f"http://127.0.0.1:{port}/runs.json").status_code == 401  # public read is not everything
    finally:
        proc.terminate()
        proc.wait(10)
    assert "No users yet" in proc.stderr.read().decode()
