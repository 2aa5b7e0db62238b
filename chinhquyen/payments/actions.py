"""Payment actions: start a payment, record what the gateway says (return, IPN, status query),
reconcile payments still pending. Rules and their reasons: docs/adr/0010-online-payment.md.

The domain side learns that a reference was paid through a handler registered for the
reference's prefix ("draft" for "draft:<uuid>"); it runs inside the transaction that marks the
payment paid, so the payment and the domain's paid flag commit together or not at all."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.integrations.paygate.client import PaygateError, PaymentOrder
from chinhquyen.integrations.paygate.protocol import Decision, GatewayResult
from chinhquyen.org.models import User
from chinhquyen.payments.gateway import GATEWAY_NAME, gateway_client, gateway_return_url
from chinhquyen.payments.models import Payment, PaymentEvent

logger = logging.getLogger(__name__)
Status = Payment.Status
Outcome = PaymentEvent.Outcome
Source = PaymentEvent.Source
PaymentHandler = Callable[[Payment], None]

MAX_AMOUNT = Decimal(10**12)  # no fee comes near; a larger figure is a mistake upstream
# The IPN answer the gateway expects ({"RspCode", "Message"}); the gateway retries until it gets
# "00" or "02".
IPN_MESSAGES = {
    "00": "Confirm Success",
    "01": "Order not found",
    "02": "Order already confirmed",
    "04": "Invalid amount",
    "97": "Invalid signature",
    "99": "Unknown error",
}
# What the citizen reads on the return page.
BAD_SIGNATURE_TEXT = "Thông tin trả về từ cổng thanh toán không hợp lệ (sai chữ ký)."
NOT_FOUND_TEXT = "Không tìm thấy giao dịch thanh toán này."
AMOUNT_TEXT = (
    "Số tiền cổng thanh toán báo không khớp với số tiền phải nộp nên chưa được ghi nhận; "
    "vui lòng liên hệ bộ phận một cửa."
)
UNDECIDED_TEXT = "Cổng thanh toán chưa xác nhận kết quả; hệ thống sẽ tự kiểm tra lại và cập nhật."
REFUND_TEXT = (
    "Khoản này đã được thanh toán bằng một giao dịch khác; số tiền của giao dịch này sẽ được "
    "hoàn trả vào tài khoản của bạn."
)
ERROR_TEXT = "Chưa ghi nhận được kết quả thanh toán; hệ thống sẽ tự kiểm tra lại và cập nhật."
PAID_TEXT = "Thanh toán thành công."
# Reconciliation stops asking about a payment this long after it was started.
RECONCILE_WINDOW = timedelta(days=7)
# The querydr request names the calling server; the gateway only logs it.
SERVER_IP = "127.0.0.1"

_HANDLERS: dict[str, PaymentHandler] = {}


class NothingOwed(Exception):
    """Raised by a handler when the money arrived for something that is no longer owed (e.g. the
    office recorded a counter payment meanwhile): the payment is kept as `refund_needed`, the
    same as a reference paid twice, and the gateway is told the result was recorded."""


def register_payment_handler(prefix: str, handler: PaymentHandler) -> None:
    """Call from the owning app's `AppConfig.ready()`: `handler(payment)` runs inside the
    transaction that marks a payment of a "<prefix>:…" reference paid, exactly once per paid
    payment. If it raises, nothing it wrote is committed: `NothingOwed` turns the payment into
    `refund_needed`; any other error leaves it pending (the gateway and the reconciliation ask
    again), so raise those only for faults, not to refuse money."""
    if not prefix or ":" in prefix:
        raise ValueError(f"payment reference prefix {prefix!r}: non-empty, without ':'")
    existing = _HANDLERS.get(prefix)
    if existing is not None and existing is not handler:
        raise ValueError(f"a payment handler for {prefix!r} is already registered")
    _HANDLERS[prefix] = handler


def reference_prefix(reference: str) -> str:
    return reference.partition(":")[0]


# --- Starting a payment -------------------------------------------------------------------------


def check_amount(amount: Decimal | int | str) -> Decimal:
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError("Số tiền không hợp lệ.", code="invalid_amount", field="amount") from None
    if not value.is_finite() or value <= 0:
        raise DomainError(
            "Số tiền thanh toán phải lớn hơn 0 đồng.", code="invalid_amount", field="amount"
        )
    if value != value.to_integral_value() or value >= MAX_AMOUNT:
        # VND has no subunit in use; the gateway takes whole đồng (vnp_Amount = đồng × 100).
        raise DomainError(
            "Số tiền phải là một số đồng nguyên hợp lệ.", code="invalid_amount", field="amount"
        )
    return value.quantize(Decimal(1))


def check_reference(reference: str) -> None:
    prefix, _, rest = reference.partition(":")
    if not rest or len(reference) > 120 or prefix not in _HANDLERS:
        raise DomainError(
            f"Không xác định được khoản cần thanh toán ({reference}).",
            code="unknown_reference",
            field="reference",
        )


def check_next_url(url: str) -> str:
    """Only a page of this site: the return redirect must not become an open redirect."""
    if url and not (
        url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    ):
        raise DomainError(
            "Trang quay lại phải là một trang của cổng.", code="invalid_next", field="return_url"
        )
    return url[:500]


def _new_txn_ref(now: datetime) -> str:
    # Date prefix for humans reading gateway statements; random tail so order ids are not
    # guessable or sequential (the unique constraint catches the astronomically rare repeat).
    return f"{timezone.localtime(now):%y%m%d}{secrets.token_hex(5).upper()}"


def do_start_payment(
    *,
    payer: User,
    reference: str,
    amount: Decimal | int,
    description: str,
    return_url: str,
    client_ip: str,
    now: datetime | None = None,
) -> tuple[Payment, str]:
    """Create a pending payment and return it with the signed gateway URL to send the browser
    to. `return_url` is the page of this site the citizen comes back to after paying (e.g. the
    draft's check page); refused when the reference is already paid."""
    value = check_amount(amount)
    check_reference(reference)
    next_url = check_next_url(return_url)
    description = " ".join(description.split())[:255]
    if not description:
        raise DomainError("Thiếu nội dung thanh toán.", code="invalid", field="description")
    client = gateway_client()
    now = (now or timezone.now()).replace(microsecond=0)  # the gateway's times have seconds
    with transaction.atomic():
        if Payment.objects.filter(reference=reference, status=Status.PAID).exists():
            raise Conflict(
                "Khoản này đã được thanh toán, không cần thanh toán lại.", code="already_paid"
            )
        payment = Payment.objects.create(
            reference=reference, payer=payer, amount=value, description=description,
            gateway=GATEWAY_NAME, txn_ref=_new_txn_ref(now), next_url=next_url,
            client_ip=client_ip[:64], created_at=now,
            expires_at=now + timedelta(minutes=settings.PAYMENT_EXPIRE_MINUTES),
        )  # fmt: skip
        record_audit(
            "payment.started", actor=payer, obj=payment, source_address=client_ip[:64],
            after={"reference": reference, "amount": value, "txn_ref": payment.txn_ref},
        )  # fmt: skip
    order = PaymentOrder(
        txn_ref=payment.txn_ref, amount=int(value), order_info=description,
        return_url=gateway_return_url(), client_ip=client_ip, created_at=payment.created_at,
        expires_at=payment.expires_at,
    )  # fmt: skip
    return payment, client.payment_url(order)


# --- Recording what the gateway says ------------------------------------------------------------


@dataclass(frozen=True)
class GatewayOutcome:
    """How a gateway message was handled: `rsp_code` answers the IPN, `citizen_message` is
    shown on the return page."""

    rsp_code: str
    outcome: str
    citizen_message: str
    payment: Payment | None = None

    def ipn_body(self) -> dict[str, str]:
        return {"RspCode": self.rsp_code, "Message": IPN_MESSAGES[self.rsp_code]}

    @property
    def is_paid(self) -> bool:
        return self.payment is not None and self.payment.status == Status.PAID


def _raw(params: Mapping[str, str]) -> dict[str, str]:
    """What is kept of a message: its `vnp_*` fields, bounded (the IPN URL is public)."""
    keys = sorted(key for key in params if str(key).startswith("vnp_"))[:40]
    return {str(key)[:40]: str(params[key])[:500] for key in keys}


@dataclass
class _Message:
    result: GatewayResult
    source: str
    raw: dict[str, str]
    source_address: str

    def log(self, payment: Payment | None, outcome: str, rsp_code: str) -> None:
        PaymentEvent.objects.create(
            payment=payment, source=self.source, txn_ref=self.result.txn_ref, raw_params=self.raw,
            signature_valid=self.result.signature_valid, outcome=outcome, rsp_code=rsp_code,
        )  # fmt: skip

    def audit(self, action: str, payment: Payment | None, **changes: object) -> None:
        record_audit(
            action, obj=payment, object_type="payments.payment",
            object_id="" if payment else self.result.txn_ref[:80],
            object_repr="" if payment else f"txn_ref {self.result.txn_ref}"[:300],
            after={"source": self.source, "response_code": self.result.response_code, **changes},
            source_address=self.source_address,
        )  # fmt: skip


def do_record_gateway_result(
    params: Mapping[str, str], *, source: str, source_address: str = ""
) -> GatewayOutcome:
    """Record one message from the gateway: a browser return or an IPN (`source` "return" or
    "ipn", query-string signature) or a `querydr` answer ("query", pipe signature). Safe to
    receive any number of times, in any order, concurrently: the payment row is locked and a
    payment changes only once (VNPAY IPN rules: 97 bad signature, 01 unknown order, 04 wrong
    amount, 02 already confirmed, 00 recorded)."""
    client = gateway_client()
    result = client.read_query_answer(params) if source == Source.QUERY else (
        client.read_callback(params)
    )  # fmt: skip
    message = _Message(result, source, _raw(params), source_address)
    with transaction.atomic():
        if not result.signature_valid:
            message.log(None, Outcome.BAD_SIGNATURE, "97")
            message.audit("payment.bad_signature", None)
            return GatewayOutcome("97", Outcome.BAD_SIGNATURE, BAD_SIGNATURE_TEXT, None)
        payment = Payment.objects.select_for_update().filter(txn_ref=result.txn_ref).first()
        if payment is None:
            message.log(None, Outcome.NOT_FOUND, "01")
            message.audit("payment.unknown_order", None)
            return GatewayOutcome("01", Outcome.NOT_FOUND, NOT_FOUND_TEXT, None)
        return _record_for(payment, message)


def _record_for(payment: Payment, message: _Message) -> GatewayOutcome:
    result = message.result
    amount_known = result.amount_minor is not None
    if (amount_known or result.decision is not Decision.UNDECIDED) and (
        result.amount_minor != int(payment.amount) * 100
    ):
        # Never paid on a different amount, whatever the response code says.
        message.log(payment, Outcome.AMOUNT_MISMATCH, "04")
        message.audit("payment.amount_mismatch", payment, amount_minor=result.amount_minor)
        return GatewayOutcome("04", Outcome.AMOUNT_MISMATCH, AMOUNT_TEXT, payment)
    final = payment.status in (Status.PAID, Status.REFUND_NEEDED)
    # A failure is final too, except against a signed success: money taken is never ignored.
    if final or (payment.status != Status.PENDING and result.decision is not Decision.PAID):
        message.log(payment, Outcome.ALREADY_CONFIRMED, "02")
        return GatewayOutcome("02", Outcome.ALREADY_CONFIRMED, _status_text(payment), payment)
    if result.decision is Decision.UNDECIDED:
        message.log(payment, Outcome.UNDECIDED, "00")
        return GatewayOutcome("00", Outcome.UNDECIDED, UNDECIDED_TEXT, payment)
    if result.decision is Decision.PAID:
        return _record_paid(payment, message)
    status = Status.CANCELLED if result.decision is Decision.CANCELLED else Status.FAILED
    _set_result(payment, status, result)
    message.log(payment, Outcome.CONFIRMED, "00")
    message.audit(f"payment.{status}", payment, status=status)
    return GatewayOutcome("00", Outcome.CONFIRMED, result.message, payment)


def _status_text(payment: Payment) -> str:
    if payment.status == Status.PAID:
        return PAID_TEXT
    if payment.status == Status.REFUND_NEEDED:
        return REFUND_TEXT
    return f"Giao dịch đã được ghi nhận trước đó: {payment.get_status_display()}."


def _set_result(payment: Payment, status: str, result: GatewayResult) -> None:
    payment.status = status
    payment.response_code = result.response_code
    if result.transaction_no.strip("0"):  # "0" when the gateway made no transaction
        payment.gateway_transaction_no = result.transaction_no
    payment.bank_code = result.bank_code or payment.bank_code
    if status in (Status.PAID, Status.REFUND_NEEDED):
        payment.paid_at = result.paid_at or timezone.now()
    payment.save(
        update_fields=["status", "response_code", "gateway_transaction_no", "bank_code", "paid_at"]
    )


def _another_paid(payment: Payment) -> bool:
    others = Payment.objects.filter(reference=payment.reference, status=Status.PAID)
    return others.exclude(pk=payment.pk).exists()


def _record_paid(payment: Payment, message: _Message) -> GatewayOutcome:
    result = message.result
    try:
        with transaction.atomic():  # savepoint: the constraint or the handler may refuse
            _set_result(payment, Status.PAID, result)
            _HANDLERS[reference_prefix(payment.reference)](payment)
    except Exception as error:
        payment.refresh_from_db()
        # The reference is already paid by another payment (the partial unique constraint,
        # which also decides between two confirmations at the same moment), or the domain says
        # nothing is owed any more: money to give back.
        if isinstance(error, NothingOwed) or (
            isinstance(error, IntegrityError) and _another_paid(payment)
        ):
            reason = str(error) if isinstance(error, NothingOwed) else "paid by another payment"
            return _record_refund_needed(payment, message, reason)
        return _handler_failed(payment, message, error)
    message.log(payment, Outcome.CONFIRMED, "00")
    message.audit("payment.paid", payment, status=Status.PAID, amount=payment.amount)
    return GatewayOutcome("00", Outcome.CONFIRMED, PAID_TEXT, payment)


def _record_refund_needed(payment: Payment, message: _Message, reason: str) -> GatewayOutcome:
    _set_result(payment, Status.REFUND_NEEDED, message.result)
    message.log(payment, Outcome.REFUND_NEEDED, "00")
    message.audit(
        "payment.refund_needed", payment, status=Status.REFUND_NEEDED, reason=reason[:300]
    )
    logger.warning("payment %s paid what was no longer owed: refund needed", payment.txn_ref)
    return GatewayOutcome("00", Outcome.REFUND_NEEDED, REFUND_TEXT, payment)


def _handler_failed(payment: Payment, message: _Message, error: Exception) -> GatewayOutcome:
    logger.exception("payment handler for %s failed", payment.reference, exc_info=error)
    message.log(payment, Outcome.ERROR, "99")
    message.audit("payment.handler_failed", payment, error=type(error).__name__)
    return GatewayOutcome("99", Outcome.ERROR, ERROR_TEXT, payment)


# --- Reconciliation -----------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    checked: list[str] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)  # now paid, failed or refund needed
    expired: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # answer not accepted: see its event


def do_reconcile_pending_payments(
    *, now: datetime | None = None, limit: int = 200
) -> ReconcileReport:
    """Ask the gateway (`querydr`) about payments still pending N minutes after they started
    (their IPN was lost or is late). Safe to run twice, or beside an arriving IPN: each answer
    goes through `do_record_gateway_result`, which changes a payment at most once."""
    now = now or timezone.now()
    grace = timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    due = list(
        Payment.objects.filter(
            status=Status.PENDING,
            created_at__lte=now - grace,
            created_at__gte=now - RECONCILE_WINDOW,
        ).order_by("created_at")[:limit]
    )
    report = ReconcileReport()
    if not due:
        return report  # nothing to ask (and no gateway needed, e.g. payments not configured)
    client = gateway_client()
    for payment in due:
        report.checked.append(payment.txn_ref)
        try:
            answer = client.query(
                txn_ref=payment.txn_ref, transaction_date=payment.created_at,
                client_ip=SERVER_IP, now=now,
            )  # fmt: skip
        except PaygateError as error:
            logger.warning("querydr for %s failed: %s", payment.txn_ref, error)
            report.unreachable.append(payment.txn_ref)
            continue
        outcome = do_record_gateway_result(answer, source=Source.QUERY)
        if outcome.outcome in (Outcome.CONFIRMED, Outcome.REFUND_NEEDED):
            report.decided.append(payment.txn_ref)
        elif outcome.outcome != Outcome.UNDECIDED:
            report.refused.append(payment.txn_ref)
        elif (
            _never_paid(answer)
            and payment.expires_at + grace <= now
            and do_expire_payment(payment.pk, answer=answer)
        ):
            report.expired.append(payment.txn_ref)
    return report


def _never_paid(answer: Mapping[str, str]) -> bool:
    """Unknown to the gateway ("91") or left unfinished ("01"): not money under review ("07")."""
    return answer.get("vnp_ResponseCode") == "91" or answer.get("vnp_TransactionStatus") == "01"


def do_expire_payment(payment_id: uuid.UUID, *, answer: Mapping[str, str]) -> bool:
    """Close a pending payment the gateway never completed, past its expiry. A success that
    arrives later still counts (`_record_for` accepts a signed success over a closed payment)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Status.PENDING:
            return False
        payment.status = Status.CANCELLED
        payment.save(update_fields=["status"])
        PaymentEvent.objects.create(
            payment=payment, source=Source.QUERY, txn_ref=payment.txn_ref, raw_params=_raw(answer),
            signature_valid=True, outcome=Outcome.EXPIRED, rsp_code="00",
        )  # fmt: skip
        record_audit("payment.expired", obj=payment, after={"status": Status.CANCELLED})
    return True
