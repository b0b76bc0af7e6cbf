"""Password hashing and signed bearer tokens."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import time
from typing import Any, Callable

from flask import g, request

from shop.common.validation import AuthenticationError
from shop.config import get_setting

HASH_ALGORITHM = "pbkdf2_sha256"


def hash_password(password: str, *, iterations: int | None = None, salt: str | None = None) -> str:
    iterations = iterations or get_setting("PASSWORD_HASH_ITERATIONS", 120_000)
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"{HASH_ALGORITHM}${iterations}${salt}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algorithm, iterations, salt, _ = stored.split("$", 3)
    except ValueError:
        return False
    if algorithm != HASH_ALGORITHM:
        return False
    candidate = hash_password(password, iterations=int(iterations), salt=salt)
    return hmac.compare_digest(candidate, stored)


def _sign(payload: str) -> str:
    key = str(get_setting("SECRET_KEY")).encode()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def issue_token(customer_id: int, *, ttl: int | None = None, now: float | None = None) -> str:
    expires = int((now or time.time()) + (ttl or get_setting("TOKEN_TTL_SECONDS", 86400)))
    payload = f"{customer_id}:{expires}"
    raw = f"{payload}:{_sign(payload)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, *, now: float | None = None) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        customer_id, expires, signature = base64.urlsafe_b64decode(padded).decode().split(":")
    except (ValueError, UnicodeDecodeError):
        raise AuthenticationError("malformed token") from None
    if not hmac.compare_digest(signature, _sign(f"{customer_id}:{expires}")):
        raise AuthenticationError("bad token signature")
    if int(expires) < (now or time.time()):
        raise AuthenticationError("token expired")
    return int(customer_id)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        if token is None:
            raise AuthenticationError("login required")
        g.customer_id = decode_token(token)
        return view(*args, **kwargs)

    return wrapper


def current_customer_id() -> int:
    customer_id = getattr(g, "customer_id", None)
    if customer_id is None:
        raise AuthenticationError("login required")
    return customer_id
