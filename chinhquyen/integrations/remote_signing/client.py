"""HTTP client for the remote-signing protocol (JSON over HTTPS):

- ``POST {base}/v1/signatures`` with ``{credential_id, digest_algorithm, digest_b64,
  document_name}`` answers ``{request_id, status: "pending"}``;
- ``GET {base}/v1/signatures/{request_id}`` answers ``{status: pending|approved|rejected|expired,
  signature_b64?}``; ``signature_b64`` is present once approved.

The signature is the raw signature over the digest (RSA PKCS#1 v1.5 / ECDSA as the credential's
key dictates). Only the digest leaves the platform, never the document. Whatever the service
answers — a dropped connection, a malformed body, bad base64 — becomes a `DomainError` with a
Vietnamese message; `signer.py` also checks the signature against the certificate before
pyHanko embeds it."""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from chinhquyen.core.errors import DomainError

STATUS_MESSAGES = {
    "rejected": "Người ký đã từ chối yêu cầu ký số từ xa.",
    "expired": "Yêu cầu ký số từ xa đã hết hạn mà người ký chưa xác nhận.",
}


def _malformed(what: str) -> DomainError:
    return DomainError(
        f"Dịch vụ ký số từ xa trả lời không đúng định dạng ({what}).",
        code="remote_signing_bad_answer",
    )


@dataclass(frozen=True)
class RemoteSigningClient:
    base_url: str
    request_timeout: float = 10.0
    poll_interval: float = 0.5
    approval_timeout: float = 120.0

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - base URL comes from settings (http/https)
            self.base_url.rstrip("/") + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.request_timeout) as response:  # noqa: S310
                raw = response.read()
        except (OSError, http.client.HTTPException, ValueError) as error:
            # OSError covers URLError/HTTPError, timeouts and connections reset mid-read;
            # HTTPException a malformed or truncated HTTP answer.
            raise DomainError(
                f"Không kết nối được dịch vụ ký số từ xa ({type(error).__name__}).",
                code="remote_signing_unavailable",
            ) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise _malformed("không phải JSON") from None
        if not isinstance(answer, dict):
            raise _malformed("không phải đối tượng JSON")
        return answer

    def request_signature(
        self, *, credential_id: str, digest_algorithm: str, digest: bytes, document_name: str
    ) -> str:
        answer = self._call(
            "POST",
            "/v1/signatures",
            {
                "credential_id": credential_id,
                "digest_algorithm": digest_algorithm,
                "digest_b64": base64.b64encode(digest).decode(),
                "document_name": document_name,
            },
        )
        request_id = answer.get("request_id")
        if (
            not isinstance(request_id, str | int)
            or isinstance(request_id, bool)
            or request_id == ""
        ):
            raise _malformed("thiếu mã yêu cầu ký")
        return str(request_id)

    def status(self, request_id: str) -> dict[str, Any]:
        return self._call("GET", "/v1/signatures/" + urllib.parse.quote(request_id, safe=""))

    def signature_when_ready(self, request_id: str, *, sleep: Any = time.sleep) -> bytes:
        """Poll until approved (→ signature), rejected or expired (→ DomainError), or until
        `approval_timeout` passes (→ DomainError)."""
        deadline = time.monotonic() + self.approval_timeout
        while True:
            answer = self.status(request_id)
            state = answer.get("status")
            if state == "approved" and answer.get("signature_b64"):
                encoded = answer["signature_b64"]
                try:
                    if not isinstance(encoded, str):
                        raise TypeError(type(encoded).__name__)
                    return base64.b64decode(encoded, validate=True)
                except (binascii.Error, ValueError, TypeError):
                    raise _malformed("chữ ký không phải base64") from None
            if state in STATUS_MESSAGES:
                raise DomainError(STATUS_MESSAGES[state], code=f"remote_signing_{state}")
            if time.monotonic() >= deadline:
                raise DomainError(STATUS_MESSAGES["expired"], code="remote_signing_expired")
            sleep(self.poll_interval)
