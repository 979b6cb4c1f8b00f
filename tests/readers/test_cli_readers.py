"""``tidings user api-password`` and ``tidings sources publish`` end to end."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner
from tests.readers.conftest import add_source

from tidings.cli import main
from tidings.operations import accounts
from tidings.store import open_store


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    env = {"TIDINGS_HOME": str(home), "TIDINGS_DATABASE_URL": ""}
    with CliRunner().isolation(env=env) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return code, out.getvalue().decode(), err.getvalue().decode()


def test_api_password_and_publish(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _run(home, "user", "create", "alice", "--password", "sign-in-pw")[1] == \
        "created user alice\n"
    code, out, _ = _run(home, "user", "api-password", "alice", "--password", "app-pass-1")
    assert (code, out) == (0, "API password set for alice\n")
    code, _, err = _run(home, "user", "api-password", "nobody", "--password", "app-pass-1")
    assert code != 0 and "no user named 'nobody'" in err and "Traceback" not in err
    code, _, err = _run(home, "user", "api-password", "alice", "--password", "short")
    assert code != 0 and "at least 8 characters" in err
    store = open_store(f"sqlite:///{home / 'tidings.db'}")
    try:
        user = accounts.check_api_password(store, "alice", "app-pass-1")
        assert user is not None
        key = hashlib.md5(b"alice:app-pass-1").hexdigest()
        assert accounts.user_for_fever_key(store, key) == user
        private = add_source(store, "Mine", public=False)
        assert store.subscriptions.source_ids(user.id) == []
    finally:
        store.close()
    code, out, _ = _run(home, "sources", "publish", str(private))
    assert (code, out) == (0, f"source {private} (Mine) is public\n")
    code, out, _ = _run(home, "sources", "list", "--json")
    [listed] = json.loads(out)["sources"]
    assert listed["public"] is True
    store = open_store(f"sqlite:///{home / 'tidings.db'}")
    try:
        assert store.subscriptions.source_ids(user.id) == [private]  # followed once public
    finally:
        store.close()
