"""The gateway client as configured by the settings, read at each call (so a change of settings
— or a test's — takes effect without a restart)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from chinhquyen.core.errors import DomainError
from chinhquyen.integrations.paygate.client import PaygateClient

GATEWAY_NAME = "vnpay"


def gateway_client() -> PaygateClient:
    url, secret = settings.PAYMENT_GATEWAY_URL, settings.PAYMENT_HASH_SECRET
    if not (url and secret and settings.PAYMENT_TMN_CODE):
        raise DomainError(
            "Thanh toán trực tuyến chưa được cấu hình; vui lòng nộp phí tại bộ phận một cửa.",
            code="payments_unavailable",
        )
    return PaygateClient(
        pay_url=url,
        query_url=settings.PAYMENT_QUERY_URL or "",
        tmn_code=settings.PAYMENT_TMN_CODE,
        hash_secret=secret,
    )


def gateway_return_url() -> str:
    """Where the gateway sends the browser back (an absolute URL on the public site)."""
    return settings.PAYMENT_PUBLIC_BASE_URL.rstrip("/") + reverse("payments:return")
