"""Accounts for people who edit in the browser: scrypt password hashes, sessions with CSRF tokens.

A session is a random token in an HttpOnly cookie; only its SHA-256 is
stored. Each session has its own CSRF token, which every form that writes
must echo back, so a page on another site cannot post in the user's name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from scidex.registry import throttle
from scidex.registry.revisions import ROLE_RANK, Actor
from scidex.store import Store
from scidex.store.schema import account, login_session

SESSION_DAYS = 14
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024}
MIN_PASSWORD = 10
# Checked against when the username is unknown, so that a failure costs the same
# scrypt whether or not the account exists (its salt and digest match nothing).
_DUMMY_HASH = f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${'00' * 16}${'00' * 64}"


class AccountError(ValueError):
    """A bad username, password or role."""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: str
    username: str
    role: str
    created_at: str


def _now() -> datetime:
    return datetime.now(UTC)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(),
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        maxmem=_SCRYPT["maxmem"],
    )
    return hmac.compare_digest(candidate.hex(), digest)


def create_account(store: Store, *, username: str, password: str, role: str) -> AccountInfo:
    username = username.strip()
    if role not in ROLE_RANK:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLE_RANK)}")
    if (
        not username
        or len(username) > 100
        or not username.replace("-", "").replace("_", "").replace(".", "").isalnum()
    ):
        raise AccountError("a username is 1-100 letters, digits, '-', '_' or '.'")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    info = AccountInfo(secrets.token_hex(8), username, role, _now().isoformat(timespec="seconds"))
    with store.atomic() as conn:
        if conn.execute(select(account.c.id).where(account.c.username == username)).first():
            raise AccountError(f"the username {username!r} is taken")
        conn.execute(
            account.insert().values(
                id=info.id,
                username=username,
                password_hash=hash_password(password),
                role=role,
                created_at=info.created_at,
            )
        )
    return info


def list_accounts(store: Store) -> list[AccountInfo]:
    with store.read() as conn:
        rows = conn.execute(select(account).order_by(account.c.username)).all()
    return [AccountInfo(r.id, r.username, r.role, r.created_at) for r in rows]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(
    store: Store,
    username: str,
    password: str,
    *,
    address: str | None = None,
    now: float | None = None,
) -> tuple[str, str] | None:
    """A new session for valid credentials: (session token, CSRF token), else None.

    Raises :class:`throttle.Throttled` while the account name or the client
    ``address`` has had too many failures; the password is then not checked.
    An unknown username costs the same scrypt as a wrong password.
    """
    at = time.time() if now is None else now
    counted = throttle.keys(username, address)
    throttle.check(store, counted, at)
    with store.read() as conn:
        row = conn.execute(
            select(account).where(
                account.c.username == username.strip(), account.c.disabled_at.is_(None)
            )
        ).first()
    valid = check_password(password, row.password_hash if row else _DUMMY_HASH)
    if row is None or not valid:
        throttle.record_failure(store, counted, at)
        return None
    throttle.clear(store, counted[0][0])
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    started = _now()
    with store.atomic() as conn:
        conn.execute(
            login_session.insert().values(
                token_hash=_token_hash(token),
                account_id=row.id,
                csrf=csrf,
                created_at=started.isoformat(timespec="seconds"),
                expires_at=(started + timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds"),
            )
        )
    return token, csrf


@dataclass(frozen=True, slots=True)
class SessionInfo:
    actor: Actor
    csrf: str


def session(store: Store, token: str | None, ip: str | None = None) -> SessionInfo | None:
    """The signed-in account behind a session cookie, if the session is live."""
    if not token:
        return None
    with store.read() as conn:
        row = conn.execute(
            select(
                login_session.c.csrf,
                login_session.c.expires_at,
                account.c.id,
                account.c.username,
                account.c.role,
            )
            .join(account, account.c.id == login_session.c.account_id)
            .where(
                login_session.c.token_hash == _token_hash(token), account.c.disabled_at.is_(None)
            )
        ).first()
    if row is None or row.expires_at < _now().isoformat(timespec="seconds"):
        return None
    return SessionInfo(Actor("account", row.id, row.username, row.role, ip), row.csrf)


def log_out(store: Store, token: str) -> None:
    with store.atomic() as conn:
        conn.execute(delete(login_session).where(login_session.c.token_hash == _token_hash(token)))
