"""A text field stored encrypted (Fernet) with a key from the environment, read back in clear.

For small secrets the platform must read again, e.g. TOTP secrets: a copy of the database alone
does not give them away. The key is DATA_ENCRYPTION_KEY (default: derived from the secret key)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(configured: str, secret_key: str) -> Fernet:
    if configured:
        return Fernet(configured.encode())
    digest = hashlib.sha256(b"chinhquyen-data-encryption:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _current() -> Fernet:
    return _fernet(settings.DATA_ENCRYPTION_KEY or "", settings.SECRET_KEY)


def encrypt_text(value: str) -> str:
    return PREFIX + _current().encrypt(value.encode()).decode()


def decrypt_text(value: str) -> str:
    if not value.startswith(PREFIX):
        return value  # written before encryption was introduced
    try:
        return _current().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt the field: DATA_ENCRYPTION_KEY changed?") from None


class EncryptedCharField(models.CharField):
    """Clear text in Python, `enc1:<Fernet token>` in the database; empty stays empty."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt_text(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or str(value).startswith(PREFIX):
            return value
        return encrypt_text(str(value))
