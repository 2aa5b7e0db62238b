"""HTTP client for a generic SMS gateway (JSON over HTTPS):

- ``POST {base}/v1/messages`` with ``Authorization: Bearer <token>`` and the body
  ``{"to": "+84912345678", "text": "...", "client_ref": "..."}`` answers ``{"id", "status"}``.
- 2xx: accepted; ``id`` is the gateway's message id. 4xx: the gateway refuses this message for
  good (bad number, bad token, text too long) — `SmsPermanentError`, never retried. 5xx,
  timeouts, dropped connections and malformed answers: `SmsTemporaryError`, retried later.

``client_ref`` is the outbox message's reference, so a gateway that deduplicates on it never
delivers one outbox message twice even when an answer was lost and the message is retried."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from chinhquyen.core.errors import DomainError

# Vietnamese mobile numbers: 0 + a mobile prefix (3, 5, 7, 8, 9) + 8 digits, or the same
# after +84 / 84 without the leading 0.
_MOBILE = re.compile(r"(?:\+?84|0)([35789]\d{8})")
_SEPARATORS = re.compile(r"[\s.\-()]")


def normalise_phone(number: str) -> str:
    """`0912 345 678`, `84912345678`, `+84 91-234-5678` → `+84912345678`; anything else is
    refused with a message naming the number."""
    compact = _SEPARATORS.sub("", number or "")
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise DomainError(
            f"Số điện thoại di động không hợp lệ: “{number}”.", code="invalid_phone", field="to"
        )
    return "+84" + match.group(1)


class SmsError(Exception):
    """A message the gateway did not accept; `str()` is a Vietnamese explanation."""


class SmsPermanentError(SmsError):
    """Sending this message again will not help (4xx, gateway not configured)."""


class SmsTemporaryError(SmsError):
    """The gateway could not be reached or failed (5xx, timeout): try again later."""


@dataclass(frozen=True)
class SmsReceipt:
    id: str
    status: str


@dataclass(frozen=True)
class SmsGatewayClient:
    base_url: str
    token: str
    timeout: float = 10.0

    def send(self, *, to: str, text: str, client_ref: str) -> SmsReceipt:
        body = {"to": normalise_phone(to), "text": text, "client_ref": client_ref}
        request = urllib.request.Request(  # noqa: S310 - base URL comes from settings (http/https)
            self.base_url.rstrip("/") + "/v1/messages",
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise _http_error(error) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            # OSError covers refused connections, timeouts and resets mid-read.
            raise SmsTemporaryError(
                f"Không kết nối được cổng SMS ({type(error).__name__})."
            ) from None
        return _receipt(raw)


def _http_error(error: urllib.error.HTTPError) -> SmsError:
    detail = error.read(500).decode("utf-8", "replace").strip()
    message = f"Cổng SMS trả lời HTTP {error.code}" + (f": {detail}" if detail else "") + "."
    if 400 <= error.code < 500:
        return SmsPermanentError(message)
    return SmsTemporaryError(message)


def _receipt(raw: bytes) -> SmsReceipt:
    try:
        answer = json.loads(raw)
    except ValueError:
        raise SmsTemporaryError("Cổng SMS trả lời không phải JSON.") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), str | int):
        raise SmsTemporaryError("Cổng SMS trả lời thiếu mã tin nhắn (id).")
    return SmsReceipt(id=str(answer["id"]), status=str(answer.get("status", "")))
