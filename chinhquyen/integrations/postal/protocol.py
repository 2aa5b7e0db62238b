"""The postal operator's wire format (JSON over HTTP).

Order (one per result sent by post):

    POST {base}/v1/shipments
    Authorization: Bearer <api key>
    Idempotency-Key: <our reference>
    {"reference", "sender": {"name", "code", "address"}, "receiver": {"name", "phone",
     "address"}, "contents", "cod_amount", "postage_paid_by": "receiver", "callback_url"}

- 201 `{"reference", "waybill", "status": "created"}`: booked; `waybill` is the operator's
  number in the UPU S10 form (`EB123456785VN`: two letters, eight digits, a check digit, VN).
- 200 with the same body: the reference was booked before (a retried order) — the same waybill,
  never a second shipment.
- 409: the reference was booked before with other content; 400/422: the order is refused
  (e.g. no address); 401: wrong key. These are final.
- 5xx, timeouts, dropped connections: try again later with the same reference.

Status callback (operator → us), one event per POST to the order's `callback_url`:

    X-Postal-Timestamp: <unix seconds>
    X-Postal-Signature: <hex HMAC-SHA256 of "<timestamp>.<raw body>" under the callback secret>
    {"event_id", "reference", "waybill", "status": "picked_up" | "delivered" | "returned",
     "occurred_at": ISO 8601 with offset, "note"}

A timestamp further than `CALLBACK_TOLERANCE` from now is refused (a replayed message); the same
`event_id` twice is recorded once."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta
from enum import StrEnum

SHIPMENTS_PATH = "/v1/shipments"
SIGNATURE_HEADER = "X-Postal-Signature"
TIMESTAMP_HEADER = "X-Postal-Timestamp"
CALLBACK_TOLERANCE = timedelta(minutes=15)
POSTAGE_PAID_BY_RECEIVER = "receiver"  # Decision 45/2016/QĐ-TTg: the citizen pays postage

_S10 = re.compile(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


class EventStatus(StrEnum):
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    RETURNED = "returned"  # chuyển hoàn: back to the sender


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an eight-digit serial."""
    total = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: 0, 11: 5}.get(digit, digit)


def is_waybill(value: str) -> bool:
    match = _S10.fullmatch(value or "")
    return bool(match) and s10_check_digit(match.group(2)) == int(match.group(3))  # type: ignore[union-attr]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, given: str) -> bool:
    expected = sign(secret, timestamp, body)
    return bool(given) and hmac.compare_digest(given.strip().lower().encode(), expected.encode())
