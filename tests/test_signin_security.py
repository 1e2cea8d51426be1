"""Sign-in under attack: rate limits, constant-time failures, login CSRF and Origin checks."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from scidex.registry import accounts
from scidex.registry.accounts import create_account
from scidex.store import Store
from scidex.store.schema import account

PASSWORD = "correct horse battery"
EVIL = "https://evil.example"


def login_token(client) -> str:  # type: ignore[no-untyped-def]
    """The pre-session CSRF token of the sign-in form (its cookie lands in the client's jar)."""
    page = client.get("/login").text.split('class="login"', 1)[1]  # not the sign-out form's
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return found.group(1) if found else ""


def attempt(client, name: str, password: str, **headers: str):  # type: ignore[no-untyped-def]
    token = login_token(client)
    return client.post(
        "/login",
        data={"username": name, "password": password, "next": "/", "csrf": token},
        headers=headers,
        follow_redirects=False,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_brute_force_series_is_locked_out_then_let_in_after_the_interval(
    client, atlas_store: Store
) -> None:
    clock = Clock()
    client.app.state.clock = clock
    create_account(atlas_store, username="bob", password=PASSWORD, role="editor")
    statuses = [attempt(client, "bob", f"guess-{i:06d}").status_code for i in range(8)]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3
    locked = attempt(client, "bob", PASSWORD)
    assert locked.status_code == 429
    wait = int(locked.headers["retry-after"])
    assert wait >= 1
    assert not client.cookies.get("scidex_session")
    clock.now += wait
    ok = attempt(client, "bob", PASSWORD)
    assert ok.status_code == 303, ok.text
    assert client.cookies.get("scidex_session")


def test_the_lockout_answer_is_the_common_error_shape(client, atlas_store: Store) -> None:
    client.app.state.clock = Clock()
    for i in range(5):
        attempt(client, "nobody-at-all", f"guess-{i:06d}")
    refused = attempt(client, "nobody-at-all", "another-guess", accept="application/json")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "try again" in refused.text.lower()


def test_a_success_resets_the_accounts_counter(client, atlas_store: Store) -> None:
    client.app.state.clock = Clock()
    create_account(atlas_store, username="cy", password=PASSWORD, role="editor")
    for _ in range(2):
        for i in range(4):
            assert attempt(client, "cy", f"guess-{i:06d}").status_code == 401
        assert attempt(client, "cy", PASSWORD).status_code == 303


def test_an_unknown_user_costs_the_same_password_hash(client, atlas_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    create_account(atlas_store, username="dee", password=PASSWORD, role="editor")
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("n", 0))
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    assert attempt(client, "dee", "wrong-password-1").status_code == 401
    known = list(calls)
    calls.clear()
    assert attempt(client, "no-such-user", "wrong-password-1").status_code == 401
    assert len(known) == 1
    assert calls == known  # one scrypt, with the same cost parameters


def _signed_in_as(client, store: Store, name: str, role: str) -> str:  # type: ignore[no-untyped-def]
    create_account(store, username=name, password=PASSWORD, role=role)
    assert attempt(client, name, PASSWORD).status_code == 303
    return client.cookies.get("scidex_session") or ""


def test_a_cross_site_login_is_refused_and_keeps_the_session(client, atlas_store: Store) -> None:
    before = _signed_in_as(client, atlas_store, "cura", "curator")
    create_account(atlas_store, username="mallory", password=PASSWORD, role="editor")
    # A page elsewhere cannot read the form's token; even with it, its Origin gives it away.
    token = login_token(client)
    for data in (
        {"username": "mallory", "password": PASSWORD, "next": "/"},
        {"username": "mallory", "password": PASSWORD, "next": "/", "csrf": token},
    ):
        forged = client.post("/login", data=data, headers={"Origin": EVIL}, follow_redirects=False)
        assert forged.status_code == 403
        assert client.cookies.get("scidex_session") == before
    forged = client.post(
        "/login",
        data={"username": "mallory", "password": PASSWORD, "next": "/", "csrf": token},
        headers={"Referer": EVIL + "/trap.html"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert client.cookies.get("scidex_session") == before
    assert "cura" in client.get("/login").text


def test_a_login_without_the_forms_token_is_refused(client, atlas_store: Store) -> None:
    create_account(atlas_store, username="eli", password=PASSWORD, role="editor")
    login_token(client)
    for token in ("", "forged-token"):
        answer = client.post(
            "/login",
            data={"username": "eli", "password": PASSWORD, "csrf": token},
            follow_redirects=False,
        )
        assert answer.status_code == 403
        assert not client.cookies.get("scidex_session")


def test_a_same_origin_login_works(client, atlas_store: Store) -> None:
    create_account(atlas_store, username="fay", password=PASSWORD, role="editor")
    ok = attempt(client, "fay", PASSWORD, origin="http://testserver")
    assert ok.status_code == 303


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    form = client.get("/artifact/wiki-genes-bach1/edit").text
    return re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]


def test_logout_edit_preview_and_revert_from_another_site_are_refused(
    client, atlas_store: Store
) -> None:
    session = _signed_in_as(client, atlas_store, "gus", "curator")
    csrf = _csrf(client)
    before = client.get("/api/artifacts/wiki-genes-bach1").json()["current_version"]
    for headers in ({"Origin": EVIL}, {"Referer": EVIL + "/x"}, {"Origin": "null"}):
        out = client.post("/logout", data={"csrf": csrf}, headers=headers, follow_redirects=False)
        assert out.status_code == 403
        assert client.cookies.get("scidex_session") == session
        edit = client.post(
            "/artifact/wiki-genes-bach1/edit",
            data={"csrf": csrf, "markdown": "# Forged\n", "base_version": str(before)},
            headers=headers,
            follow_redirects=False,
        )
        assert edit.status_code == 403
        preview = client.post(
            "/artifact/wiki-genes-bach1/preview",
            data={"csrf": csrf, "markdown": "# Forged\n", "base_version": str(before)},
            headers=headers,
        )
        assert preview.status_code == 403
        revert = client.post(
            "/artifact/wiki-genes-bach1/revert",
            data={"csrf": csrf, "to_version": "1", "base_version": str(before)},
            headers=headers,
            follow_redirects=False,
        )
        assert revert.status_code == 403
    assert client.get("/api/artifacts/wiki-genes-bach1").json()["current_version"] == before
    # From the site itself, the same sign-out works.
    out = client.post(
        "/logout",
        data={"csrf": csrf},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert out.status_code == 303


def test_a_failure_checks_one_password_hash_whether_or_not_the_account_exists(
    client, atlas_store: Store, monkeypatch
) -> None:
    """A failed sign-in checks the password once: against the account's hash, or for an
    unknown name against a dummy hash with the scheme, cost parameters and sizes of real ones,
    so the work (one scrypt of the same cost, see the test above) does not tell whether the
    account exists. The clock moves past the throttle's memory between tries, so every one
    checks a password."""
    checked: list[str] = []
    check = accounts.check_password

    def counted(password: str, stored: str) -> bool:
        checked.append(stored)
        return check(password, stored)

    create_account(atlas_store, username="tim", password=PASSWORD, role="editor")
    with atlas_store.read() as conn:
        real = conn.execute(
            select(account.c.password_hash).where(account.c.username == "tim")
        ).scalar_one()
    monkeypatch.setattr(accounts, "check_password", counted)
    clock = client.app.state.clock = Clock()
    hashes: dict[str, list[str]] = {"tim": [], "nobody-here": []}
    for i in range(4):
        name = ("tim", "nobody-here")[i % 2]
        clock.now += 3600
        token = login_token(client)
        checked.clear()
        form = {"username": name, "password": "wrong-password-1", "next": "/", "csrf": token}
        answer = client.post("/login", data=form, follow_redirects=False)
        assert answer.status_code == 401
        assert len(checked) == 1, (name, checked)
        hashes[name] += checked
    assert hashes["tim"] == [real, real]
    dummy = hashes["nobody-here"][0]
    assert dummy != real and hashes["nobody-here"] == [dummy, dummy]
    # scrypt$n$r$p$salt$digest: the same scheme and costs, the same salt and digest sizes.
    assert dummy.split("$")[:4] == real.split("$")[:4]
    assert [len(part) for part in dummy.split("$")] == [len(part) for part in real.split("$")]
