"""A pyHanko `Signer` whose key lives in the remote-signing service: `async_sign_raw` hashes the
signed attributes, sends only the hash, and waits for the signer's approval."""

from __future__ import annotations

import asyncio
import hashlib

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.sig_validate import (
    DEFAULT_SIGNATURE_VALIDATOR,
    SignatureValidationContext,
)

from chinhquyen.core.errors import DomainError
from chinhquyen.integrations.remote_signing.client import RemoteSigningClient


class RemoteSigner(Signer):
    def __init__(
        self,
        *,
        client: RemoteSigningClient,
        credential_id: str,
        signing_cert: asn1_x509.Certificate,
        cert_registry: SimpleCertificateStore,
        document_name: str = "",
    ) -> None:
        super().__init__(signing_cert=signing_cert, cert_registry=cert_registry)
        self.client = client
        self.credential_id = credential_id
        self.document_name = document_name

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            # Only the size matters: a signature is as long as the key's modulus (RSA) or less.
            return bytes(self._signature_size())
        digest = hashlib.new(digest_algorithm, data).digest()
        request_id = await asyncio.to_thread(
            self.client.request_signature,
            credential_id=self.credential_id,
            digest_algorithm=digest_algorithm,
            digest=digest,
            document_name=self.document_name,
        )
        signature = await asyncio.to_thread(self.client.signature_when_ready, request_id)
        self._check(signature, data, digest_algorithm)
        return signature

    def _check(self, signature: bytes, data: bytes, digest_algorithm: str) -> None:
        """The service's answer must verify under the certificate's public key with the
        mechanism the CMS will declare (RSA PKCS#1 v1.5 or PSS, ECDSA, ...), before pyHanko
        embeds it: otherwise the platform would hand out a signed PDF that no one can verify."""
        assert self.signing_cert is not None
        try:
            DEFAULT_SIGNATURE_VALIDATOR.validate_signature(
                signature,
                data,
                self.signing_cert.public_key,
                self.get_signature_mechanism_for_digest(digest_algorithm),
                SignatureValidationContext(contextual_md_algorithm=digest_algorithm),
            )
        except Exception as error:  # InvalidSignature or any failure: not usable
            raise DomainError(
                "Chữ ký do dịch vụ ký số từ xa trả về không khớp với chứng thư số đã đăng ký "
                f"({type(error).__name__}); văn bản chưa được ký.",
                code="remote_signing_bad_signature",
            ) from None

    def _signature_size(self) -> int:
        assert self.signing_cert is not None
        public_key = self.signing_cert.public_key
        if public_key.algorithm == "rsa":
            return int(public_key.bit_size + 7) // 8
        return 2 * (int(public_key.bit_size + 7) // 8) + 9  # DER ECDSA (r, s)
