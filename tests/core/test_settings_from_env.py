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
