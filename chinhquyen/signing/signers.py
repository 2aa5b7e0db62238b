"""pyHanko signers for a `SigningCertificate`, wherever its key lives.

- software: the key is decrypted (`keys.decrypt_private_key`) once, held as a loaded
  `cryptography` key inside `LoadedKeySigner`, and the signer is cached per certificate
  fingerprint in a small in-process LRU (never pickled, never written anywhere). pyHanko's
  `SimpleSigner` re-parses and re-validates the key on every signature, which costs ~100 ms for
  RSA-2048; this is why it manages only ~9 signatures/s.
- pkcs11: a USB token or HSM through `SIGNING_PKCS11_LIB`; the PIN is passed in by the caller
  for this one signature and never stored.
- remote: the remote-signing service (`chinhquyen.integrations.remote_signing`)."""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from chinhquyen.core.errors import DomainError
from chinhquyen.integrations.remote_signing.client import RemoteSigningClient
from chinhquyen.integrations.remote_signing.signer import RemoteSigner
from chinhquyen.signing import keys
from chinhquyen.signing.models import SigningCertificate

SIGNER_CACHE_SIZE = 64


class LoadedKeySigner(Signer):
    """Signs with an already-loaded `cryptography` private key (RSA or EC)."""

    def __init__(
        self,
        *,
        private_key: PrivateKeyTypes,
        signing_cert: asn1_x509.Certificate,
        cert_registry: SimpleCertificateStore,
    ) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise DomainError("Chỉ hỗ trợ khóa RSA hoặc ECDSA.", code="unsupported_key")
        super().__init__(signing_cert=signing_cert, cert_registry=cert_registry)
        self._key = keys.PrivateKeyHandle(private_key)

    def __repr__(self) -> str:
        return f"<LoadedKeySigner {self.subject_name}>"

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        name = mechanism.signature_algo
        key = self._key.key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        assert isinstance(key, rsa.RSAPrivateKey)
        if name == "rsassa_pss":
            pss, hash_algo = process_pss_params(mechanism["parameters"])
            return key.sign(data, pss, hash_algo)
        return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def certificate_store(certificate: SigningCertificate) -> SimpleCertificateStore:
    """The issuing chain stored with the certificate, embedded in every signature."""
    store = SimpleCertificateStore()
    for encoded in certificate.chain_der or []:
        store.register(asn1_x509.Certificate.load(base64.b64decode(encoded)))
    return store


def asn1_certificate(certificate: SigningCertificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(bytes(certificate.certificate_der))


class _SignerCache:
    """A bounded LRU of software signers keyed by certificate fingerprint. In-process only."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, LoadedKeySigner] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, certificate: SigningCertificate) -> LoadedKeySigner:
        fingerprint = certificate.fingerprint_sha256
        with self._lock:
            if fingerprint in self._items:
                self._items.move_to_end(fingerprint)
                return self._items[fingerprint]
        signer = LoadedKeySigner(
            private_key=keys.decrypt_private_key(bytes(certificate.encrypted_private_key or b"")),
            signing_cert=asn1_certificate(certificate),
            cert_registry=certificate_store(certificate),
        )
        with self._lock:
            self._items[fingerprint] = signer
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return signer

    def discard(self, fingerprint: str) -> None:
        with self._lock:
            self._items.pop(fingerprint, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


signer_cache = _SignerCache(SIGNER_CACHE_SIZE)


def software_signer(certificate: SigningCertificate) -> LoadedKeySigner:
    if not certificate.encrypted_private_key:
        raise DomainError("Chứng thư này không có khóa lưu trên hệ thống.", code="no_key")
    return signer_cache.get(certificate)


@contextmanager
def pkcs11_signer(certificate: SigningCertificate, pin: str) -> Iterator[Signer]:
    """Open a session on the token, sign within the block, close the session afterwards."""
    from pkcs11.exceptions import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if not pin:
        raise DomainError("Cần nhập mã PIN của USB token.", code="pin_required")
    try:
        session = open_pkcs11_session(
            settings.SIGNING_PKCS11_LIB,
            token_criteria=TokenCriteria(label=certificate.pkcs11_token_label),
            user_pin=pin,
        )
    except (PKCS11Error, OSError, RuntimeError) as error:
        raise DomainError(
            f"Không mở được USB token “{certificate.pkcs11_token_label}” "
            f"(sai mã PIN hoặc chưa cắm token: {type(error).__name__}).",
            code="pkcs11_unavailable",
        ) from None
    try:
        yield PKCS11Signer(
            session,
            key_label=certificate.pkcs11_key_label,
            signing_cert=asn1_certificate(certificate),
            ca_chain=list(certificate_store(certificate)),
        )
    finally:
        session.close()


def remote_signer(certificate: SigningCertificate, *, document_name: str = "") -> RemoteSigner:
    if not settings.SIGNING_REMOTE_URL:
        raise DomainError(
            "Chưa cấu hình dịch vụ ký số từ xa (SIGNING_REMOTE_URL).", code="remote_not_configured"
        )
    return RemoteSigner(
        client=RemoteSigningClient(settings.SIGNING_REMOTE_URL),
        credential_id=certificate.remote_credential_id,
        signing_cert=asn1_certificate(certificate),
        cert_registry=certificate_store(certificate),
        document_name=document_name,
    )


@contextmanager
def open_signer(
    certificate: SigningCertificate, *, pin: str | None = None, document_name: str = ""
) -> Iterator[Signer]:
    """The signer for `certificate`, usable inside the `with` block only."""
    if certificate.key_store == SigningCertificate.KeyStore.PKCS11:
        with pkcs11_signer(certificate, pin or "") as signer:
            yield signer
    elif certificate.key_store == SigningCertificate.KeyStore.REMOTE:
        yield remote_signer(certificate, document_name=document_name)
    else:
        yield software_signer(certificate)
