"""Passwords are hashed with Argon2id at 19 MiB (ADR 0016); hashes made with Django's default
100 MiB parameters still verify and are upgraded at the next sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

from chinhquyen.core.hashers import Argon2idHasher


@pytest.fixture(autouse=True)
def _real_hashers(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["chinhquyen.core.hashers.Argon2idHasher"]


def test_new_hashes_use_19_mib_two_passes_one_lane() -> None:
    encoded = make_password("ChinhQuyen@2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("ChinhQuyen@2026", encoded)
    assert not check_password("sai-mat-khau", encoded)


def test_old_default_hashes_verify_and_are_upgraded() -> None:
    old = Argon2PasswordHasher().encode("ChinhQuyen@2026", "muoimotkytu")
    assert "m=102400" in old
    upgraded: list[str] = []
    assert check_password("ChinhQuyen@2026", old, setter=upgraded.append)
    assert len(upgraded) == 1 and Argon2idHasher().must_update(old)
