"""API tokens: printed once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from scidex.registry.revisions import Actor, audit
from scidex.store import Store
from scidex.store.schema import api_token

ROLES = ("reader", "editor", "curator", "admin")
CLI = Actor("system", "cli", "scidex command line", "admin")


class TokenError(ValueError):
    """A token request names an unknown role or token."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    label: str
    role: str
    created_at: str
    revoked_at: str | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, *, role: str, label: str) -> tuple[TokenInfo, str]:
    """Create a token; returns its record and the secret, which is never stored."""
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not label.strip():
        raise TokenError("a token needs a non-empty --label saying who or what uses it")
    secret = "sdx_" + secrets.token_urlsafe(32)
    info = TokenInfo(
        id=secrets.token_hex(6),
        label=label.strip(),
        role=role,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        revoked_at=None,
    )
    with store.atomic() as conn:
        audit(conn, CLI, "token-create", f"token:{info.id}", {"role": role, "label": info.label})
        conn.execute(
            api_token.insert().values(
                id=info.id,
                token_hash=hash_token(secret),
                label=info.label,
                role=info.role,
                created_at=info.created_at,
            )
        )
    return info, secret


def list_tokens(store: Store) -> list[TokenInfo]:
    with store.read() as conn:
        rows = conn.execute(select(api_token).order_by(api_token.c.created_at)).all()
    return [TokenInfo(r.id, r.label, r.role, r.created_at, r.revoked_at) for r in rows]


def revoke_token(store: Store, token_id: str) -> None:
    with store.atomic() as conn:
        result = conn.execute(
            update(api_token)
            .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC).isoformat(timespec="seconds"))
        )
        if result.rowcount == 0:
            raise TokenError(f"no active token with id {token_id!r}")
        audit(conn, CLI, "token-revoke", f"token:{token_id}", {})


def authenticate(store: Store, secret: str) -> TokenInfo | None:
    """The active token whose secret this is, or None."""
    with store.read() as conn:
        r = conn.execute(
            select(api_token).where(
                api_token.c.token_hash == hash_token(secret), api_token.c.revoked_at.is_(None)
            )
        ).first()
    return TokenInfo(r.id, r.label, r.role, r.created_at, r.revoked_at) if r else None
