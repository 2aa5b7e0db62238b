"""The postal operator's status callbacks (`POST /api/v1/postal/callbacks`; protocol in
`integrations/postal/protocol.py`). No session: the operator proves itself by the HMAC signature
over the timestamp and the raw body under the shared callback secret; nothing unsigned is
parsed. Refusals are structured 4xx (401 bad signature or no secret configured, 400 stale or
malformed, 404 unknown order, 409 waybill mismatch) and record nothing; a repeated event id
answers 200 again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from chinhquyen.core.apiauth import ErrorOut
from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.postal import do_record_postal_event
from chinhquyen.integrations.postal.client import CallbackRefused, read_callback
from chinhquyen.integrations.postal.protocol import SIGNATURE_HEADER, TIMESTAMP_HEADER

router = Router(tags=["postal"])


class CallbackOut(Schema):
    received: bool
    duplicate: bool = Field(description="Sự kiện này đã được ghi nhận trước đó")
    status: str = Field(description="Tình trạng bưu gửi sau sự kiện")


@router.post(
    "/callbacks",
    auth=None,
    url_name="postal_callback",
    response={
        200: CallbackOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Đơn vị bưu chính báo trạng thái bưu gửi (đã ký HMAC-SHA256)",
)
def callback(request: HttpRequest) -> dict[str, Any]:
    try:
        event = read_callback(
            request.body,
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            secret=settings.POSTAL_CALLBACK_SECRET,
            now=timezone.now(),
        )
    except CallbackRefused as refused:
        error = DomainError(refused.message, code=refused.code)
        error.status = refused.status
        raise error from None
    shipment, created = do_record_postal_event(event)
    return {"received": True, "duplicate": not created, "status": shipment.status}
