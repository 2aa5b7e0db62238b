"""HTTP client for a postal operator (wire format in protocol.py):

- `create_shipment(order)`: the order, with our reference as the idempotency key; answers the
  operator's waybill number. Asking again with the same reference answers the same waybill.
- `read_callback(...)`: a status callback, signature and timestamp checked, fields validated.

Unreachable operators, 5xx answers and malformed answers raise `PostalTemporaryError` (send the
same order again later); refusals (4xx) raise `PostalPermanentError`. Nothing here touches the
database; every message is Vietnamese."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from chinhquyen.integrations.postal import protocol
from chinhquyen.integrations.postal.protocol import EventStatus


class PostalError(Exception):
    """The operator did not take the order; `str()` is a Vietnamese explanation."""


class PostalPermanentError(PostalError):
    """Sending the same order again will not help (refused, wrong key, conflicting reference)."""


class PostalTemporaryError(PostalError):
    """The operator could not be reached or failed: send the same order again later."""


class CallbackRefused(Exception):
    """A callback that is not recorded: bad signature, stale timestamp or malformed body."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


@dataclass(frozen=True)
class Party:
    name: str
    address: str
    phone: str = ""
    code: str = ""


@dataclass(frozen=True)
class ShipmentOrder:
    reference: str
    sender: Party
    receiver: Party
    contents: str
    callback_url: str
    cod_amount: int = 0  # whole VND collected on delivery

    def body(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "sender": {"name": self.sender.name, "code": self.sender.code,
                       "address": self.sender.address},
            "receiver": {"name": self.receiver.name, "phone": self.receiver.phone,
                         "address": self.receiver.address},
            "contents": self.contents,
            "cod_amount": self.cod_amount,
            "postage_paid_by": protocol.POSTAGE_PAID_BY_RECEIVER,
            "callback_url": self.callback_url,
        }  # fmt: skip


@dataclass(frozen=True)
class Booking:
    reference: str
    waybill: str
    replayed: bool  # the operator had this reference already (HTTP 200, not 201)


@dataclass(frozen=True)
class CallbackEvent:
    event_id: str
    reference: str
    waybill: str
    status: EventStatus
    occurred_at: datetime
    note: str = ""

    def as_data(self) -> dict[str, str]:
        data = asdict(self)
        return {**data, "status": str(self.status), "occurred_at": self.occurred_at.isoformat()}


@dataclass(frozen=True)
class PostalClient:
    base_url: str
    api_key: str = field(repr=False)
    timeout: float = 10.0

    def create_shipment(self, order: ShipmentOrder) -> Booking:
        request = urllib.request.Request(  # noqa: S310 - base URL comes from settings (http/https)
            self.base_url.rstrip("/") + protocol.SHIPMENTS_PATH,
            data=json.dumps(order.body(), ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": order.reference,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            raise _http_error(error) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            # OSError covers refused connections, timeouts and resets mid-read.
            raise PostalTemporaryError(
                f"Không kết nối được đơn vị bưu chính ({type(error).__name__})."
            ) from None
        return _booking(raw, order.reference, replayed=status == 200)


def _http_error(error: urllib.error.HTTPError) -> PostalError:
    detail = ""
    try:
        answer = json.loads(error.read(2000))
        detail = str(answer.get("message") or "") if isinstance(answer, dict) else ""
    except (ValueError, OSError):
        pass
    message = f"Đơn vị bưu chính trả lời HTTP {error.code}" + (f": {detail}" if detail else "")
    if 400 <= error.code < 500 and error.code not in (408, 429):
        return PostalPermanentError(message + ".")
    return PostalTemporaryError(message + ".")


def _booking(raw: bytes, reference: str, *, replayed: bool) -> Booking:
    try:
        answer = json.loads(raw)
    except ValueError:
        raise PostalTemporaryError("Đơn vị bưu chính trả lời không phải JSON.") from None
    if not isinstance(answer, dict) or answer.get("reference") != reference:
        raise PostalTemporaryError("Đơn vị bưu chính trả lời không đúng mã đơn đã gửi.")
    waybill = str(answer.get("waybill") or "")
    if not protocol.is_waybill(waybill):
        raise PostalTemporaryError(f"Mã vận đơn không hợp lệ: “{waybill[:40]}”.")
    return Booking(reference=reference, waybill=waybill, replayed=replayed)


# --- Callbacks ----------------------------------------------------------------------------------


def read_callback(
    body: bytes, *, timestamp: str, signature: str, secret: str, now: datetime
) -> CallbackEvent:
    """Check the signature first (nothing unsigned is even parsed), then the timestamp, then the
    fields."""
    if not secret:
        raise CallbackRefused(
            "Chưa cấu hình khóa xác thực của đơn vị bưu chính.", code="postal_off", status=401
        )
    if not protocol.signature_matches(secret, timestamp, body, signature):
        raise CallbackRefused("Sai chữ ký của đơn vị bưu chính.", code="bad_signature", status=401)
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError):
        raise CallbackRefused("Thời điểm gửi không hợp lệ.", code="bad_timestamp") from None
    if abs(now - sent) > protocol.CALLBACK_TOLERANCE:
        raise CallbackRefused("Thông báo đã quá hạn (gửi lại?).", code="stale_callback")
    return _event(body)


def _event(body: bytes) -> CallbackEvent:
    try:
        data = json.loads(body)
    except ValueError:
        raise CallbackRefused("Nội dung không phải JSON.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise CallbackRefused("Nội dung phải là một đối tượng JSON.", code="invalid_body")
    texts = {key: data.get(key) for key in ("event_id", "reference", "waybill", "status")}
    for key, value in texts.items():
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise CallbackRefused(f"Thiếu hoặc sai trường “{key}”.", code="invalid_body")
    if not protocol.is_waybill(str(texts["waybill"]).strip()):
        # The same check as a booking's answer: the value lands on the shipment (40 characters,
        # unique) and in the citizen's message.
        raise CallbackRefused("Mã vận đơn không hợp lệ.", code="invalid_waybill")
    if texts["status"] not in EventStatus.__members__.values():
        raise CallbackRefused("Trạng thái bưu gửi không hợp lệ.", code="invalid_status")
    occurred = _instant(data.get("occurred_at"))
    note = data.get("note") if isinstance(data.get("note"), str) else ""
    return CallbackEvent(
        event_id=str(texts["event_id"]).strip(),
        reference=str(texts["reference"]).strip(),
        waybill=str(texts["waybill"]).strip(),
        status=EventStatus(str(texts["status"])),
        occurred_at=occurred,
        note=str(note)[:500],
    )


def _instant(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CallbackRefused("Thiếu thời điểm xảy ra (ISO 8601, có múi giờ).", code="invalid_body")
    return moment
