"""A malformed setting stops start-up with a message naming the variable."""

import os
import subprocess
import sys

import pytest

from chinhquyen.env import ImproperlyConfiguredEnv, env_bool, env_int, env_url


def _start(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DJANGO_SECRET_KEY": "x", "DJANGO_DEBUG": "0"})
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("SIGNIN_MAX_FAILURES", "five"),
        ("SESSION_AGE_MINUTES", "1"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("CELERY_BROKER_URL", "kafka://localhost"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_malformed_variable_stops_start_up(name: str, value: str) -> None:
    result = _start(**{name: value})
    assert result.returncode == 2
    assert name in result.stderr


def test_missing_secret_key_in_production_stops_start_up() -> None:
    result = _start(DJANGO_SECRET_KEY="")
    assert result.returncode == 2
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_typed_helpers() -> None:
    assert env_bool("X", False, environ={"X": "yes"}) is True
    assert env_int("X", 3, environ={}) == 3
    with pytest.raises(ImproperlyConfiguredEnv, match="X"):
        env_int("X", 3, minimum=5, environ={"X": "4"})
    assert env_url("U", schemes={"redis"}, environ={"U": "redis://h:6379/0"}) == "redis://h:6379/0"
    with pytest.raises(ImproperlyConfiguredEnv, match="no host"):
        env_url("U", schemes={"redis"}, environ={"U": "redis:///0"})


def test_database_url_reaches_a_unix_socket() -> None:
    """A database on the same machine through its socket directory, written percent-encoded in
    the host part as libpq's URIs do."""
    from chinhquyen.env import database_from_url

    local = database_from_url("postgres://cq@%2Fvar%2Frun%2Fpostgresql/province")
    assert local["HOST"] == "/var/run/postgresql" and local["NAME"] == "province"
    remote = database_from_url("postgres://cq:s%40cret@db.example.vn:6432/province")
    assert (remote["HOST"], remote["PORT"], remote["PASSWORD"]) == (
        "db.example.vn",
        "6432",
        "s@cret",
    )
