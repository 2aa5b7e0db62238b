"""Tiny typed readers for settings taken from the environment.

Every variable the project reads is listed in `.env.example`. A malformed value stops start-up
with a message that names the variable (ISSUE 2 §1), instead of surfacing later as a strange bug.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit


class ImproperlyConfiguredEnv(Exception):
    """A variable of the environment is malformed."""


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(
        f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off"
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={number}: must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfiguredEnv(f"{name}={number}: must be at most {maximum}")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(
    name: str, *, schemes: set[str], environ: Mapping[str, str] | None = None
) -> str | None:
    """A URL whose scheme must be one of `schemes`; None when unset."""
    value = _raw(name, environ)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfiguredEnv(f"{name}: scheme {parts.scheme!r} is not one of {allowed}")
    if parts.scheme not in {"file", "rpc"} and not parts.hostname:
        raise ImproperlyConfiguredEnv(f"{name}: the URL has no host")
    return value


def env_fernet_key(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """A Fernet key: 32 bytes in url-safe base64 (e.g. from `Fernet.generate_key()`)."""
    value = _raw(name, environ)
    if value is None:
        return None
    import base64
    import binascii

    try:
        decoded = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != 32:
        raise ImproperlyConfiguredEnv(f"{name}: expected 32 bytes in url-safe base64")
    return value


def database_from_url(url: str, *, prepared_statements: bool = True) -> dict[str, object]:
    """Turn `postgres://user:pass@host:port/name` into a Django DATABASES entry.

    `prepared_statements`: let `core.sql.fetch_prepared` plan its statements once per connection
    (ADR 0017). Django's own queries are never prepared (client-side binding). Turn it off
    behind a pooler in transaction mode that does not track prepared statements."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfiguredEnv("DATABASE_URL: the URL names no database")
    return {
        "ENGINE": "chinhquyen.core.postgresql",  # Django's, with a cheaper health check
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        # psycopg prepares a statement asked with prepare=True at once; None disables them.
        "OPTIONS": {"prepare_threshold": 5 if prepared_statements else None},
    }
