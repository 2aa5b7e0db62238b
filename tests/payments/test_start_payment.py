"""`do_start_payment`: what is refused before the citizen is sent to the gateway, and the signed
URL the gateway accepts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.payments.actions import do_start_payment, register_payment_handler
from chinhquyen.payments.models import Payment
from tests.conftest import Personas
from tests.payments.conftest import Handled, Paygate, query_of, start


def _start(personas: Personas, **overrides: Any) -> tuple[Payment, str]:
    arguments: dict[str, Any] = {
        "payer": personas.citizen, "reference": "kiemthu:1", "amount": Decimal(50_000),
        "description": "Lệ phí", "return_url": "/ho-so/", "client_ip": "203.0.113.7",
    }  # fmt: skip
    return do_start_payment(**{**arguments, **overrides})


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount": Decimal(0)}, "invalid_amount"),
        ({"amount": Decimal(-5000)}, "invalid_amount"),
        ({"amount": Decimal("1000.5")}, "invalid_amount"),  # no fractions of a đồng
        ({"amount": Decimal("NaN")}, "invalid_amount"),
        ({"amount": Decimal(10**12)}, "invalid_amount"),
        ({"reference": "khong-tien-to"}, "unknown_reference"),
        ({"reference": "chua-dang-ky:1"}, "unknown_reference"),  # no handler for the prefix
        ({"return_url": "https://lua-dao.example/"}, "invalid_next"),  # no open redirect
        ({"return_url": "//lua-dao.example/"}, "invalid_next"),
        ({"description": "   "}, "invalid"),
    ],
)
def test_refused_before_anything_is_written(
    personas: Personas, paygate: Paygate, handled: Handled, overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        _start(personas, **overrides)
    assert caught.value.code == code
    assert caught.value.message  # a Vietnamese sentence for the citizen
    assert not Payment.objects.exists()


def test_without_a_configured_gateway_payment_is_unavailable(
    personas: Personas, handled: Handled, settings: Any
) -> None:
    settings.PAYMENT_GATEWAY_URL = None
    with pytest.raises(DomainError, match="chưa được cấu hình") as caught:
        _start(personas)
    assert caught.value.code == "payments_unavailable"


def test_a_paid_reference_is_not_paid_again(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, _ = _start(personas)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.PAID)
    with pytest.raises(DomainError, match="đã được thanh toán") as caught:
        _start(personas)
    assert caught.value.code == "already_paid" and caught.value.status == 409
    # A failed attempt does not block a new one.
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
    assert _start(personas)[0].status == Payment.Status.PENDING


def test_the_gateway_accepts_the_url_and_shows_the_amount(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen, amount=1_250_000)
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == Decimal(1_250_000) and payment.next_url == "/ho-so/kiem-tra/"
    params = query_of(url)
    assert params["vnp_TxnRef"] == payment.txn_ref and params["vnp_Amount"] == "125000000"
    assert params["vnp_ReturnUrl"] == "http://testserver/thanh-toan/ket-qua/"
    assert params["vnp_IpAddr"] == "203.0.113.7"
    status, html = paygate.page(url)
    assert status == 200
    assert "1.250.000 đồng" in html and "Thanh toán" in html and "Hủy giao dịch" in html
    assert "Le phi dang ky khai sinh" in html
    assert AuditEvent.objects.filter(action="payment.started", object_id=str(payment.pk)).exists()


def test_the_gateway_refuses_a_tampered_url(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    _, url = start(personas.citizen, amount=50_000)
    status, html = paygate.page(url.replace("vnp_Amount=5000000", "vnp_Amount=500000"))
    assert status == 400 and "Sai chữ ký" in html


def test_two_attempts_have_distinct_order_ids(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    first, _ = start(personas.citizen)
    second, _ = start(personas.citizen)
    assert first.txn_ref != second.txn_ref and first.reference == second.reference


def test_a_prefix_has_one_handler(handled: Handled) -> None:
    register_payment_handler("kiemthu", handled)  # the same handler again (ready() twice): fine
    with pytest.raises(ValueError, match="already registered"):
        register_payment_handler("kiemthu", lambda payment: None)
    with pytest.raises(ValueError, match="without ':'"):
        register_payment_handler("a:b", handled)
