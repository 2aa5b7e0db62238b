"""Private keys at rest: encrypted with SIGNING_KEY_ENCRYPTION_KEY (Fernet: AES-128-CBC and
HMAC-SHA256). A key is decrypted only inside this app, only when signing, and is never logged:
`PrivateKeyHandle.__repr__` hides it."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

from chinhquyen.core.errors import DomainError


def _fernet_key() -> bytes:
    configured = settings.SIGNING_KEY_ENCRYPTION_KEY
    if configured:
        return configured.encode()
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "SIGNING_KEY_ENCRYPTION_KEY must be set to store private keys when DEBUG is off"
        )
    digest = hashlib.sha256(b"chinhquyen-signing-dev:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(key: bytes) -> Fernet:
    return Fernet(key)


@sensitive_variables("key", "der")
def encrypt_private_key(key: PrivateKeyTypes) -> bytes:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _fernet(_fernet_key()).encrypt(der)


@sensitive_variables("der")
def decrypt_private_key(blob: bytes) -> PrivateKeyTypes:
    try:
        der = _fernet(_fernet_key()).decrypt(bytes(blob))
    except InvalidToken:
        raise DomainError(
            "Không giải mã được khóa bí mật: khóa mã hóa (SIGNING_KEY_ENCRYPTION_KEY) đã thay đổi?",
            code="key_decrypt_failed",
        ) from None
    return serialization.load_der_private_key(der, password=None)


class PrivateKeyHandle:
    """Wraps a private key so that printing or logging it shows nothing of the key."""

    __slots__ = ("_key",)

    def __init__(self, key: PrivateKeyTypes) -> None:
        self._key = key

    @property
    def key(self) -> PrivateKeyTypes:
        return self._key

    def __repr__(self) -> str:
        return "<PrivateKeyHandle ***>"

    __str__ = __repr__
