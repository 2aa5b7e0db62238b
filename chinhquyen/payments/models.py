from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    """One attempt to pay an amount for a reference at the gateway (one `txn_ref` each)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")
        CANCELLED = "cancelled", _("Đã hủy")
        # Paid at the gateway while another payment had already paid the same reference: the
        # money must go back to the payer (ADR 0010).
        REFUND_NEEDED = "refund_needed", _("Cần hoàn tiền")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("đối tượng thanh toán"), max_length=120, db_index=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp tiền"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.DecimalField(_("số tiền (đồng)"), max_digits=14, decimal_places=0)
    description = models.CharField(_("nội dung"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    gateway = models.CharField(_("cổng thanh toán"), max_length=30, default="vnpay")
    txn_ref = models.CharField(_("mã đơn gửi cổng"), max_length=40, unique=True)
    next_url = models.CharField(_("trang quay lại"), max_length=500, blank=True)
    client_ip = models.CharField(_("địa chỉ IP người nộp"), max_length=64, blank=True)
    gateway_transaction_no = models.CharField(_("mã giao dịch tại cổng"), max_length=40, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=20, blank=True)
    response_code = models.CharField(_("mã kết quả của cổng"), max_length=4, blank=True)
    paid_at = models.DateTimeField(_("thời điểm thanh toán"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("hết hạn thanh toán lúc"))

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at"]
        constraints = [
            # A dossier or draft is never paid twice, even from two payment tabs (ADR 0010).
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(status="paid"),
                name="payments_one_paid_per_reference",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
        ]
        indexes = [
            # The reconciliation sweep reads only pending payments, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="payments_pending_created_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.txn_ref} ({self.reference})"


class PaymentEvent(models.Model):
    """What the gateway said, as received: append-only, written even when the message is
    refused (bad signature, unknown order, wrong amount), so disputes can be settled."""

    class Source(models.TextChoices):
        RETURN = "return", _("Trình duyệt quay lại")
        IPN = "ipn", _("Thông báo từ cổng (IPN)")
        QUERY = "query", _("Tra cứu đối soát")

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Đã ghi nhận kết quả")
        ALREADY_CONFIRMED = "already_confirmed", _("Đã ghi nhận trước đó")
        REFUND_NEEDED = "refund_needed", _("Trả tiền lần hai: cần hoàn tiền")
        UNDECIDED = "undecided", _("Chưa có kết quả")
        EXPIRED = "expired", _("Hết hạn, không thanh toán")
        NOT_FOUND = "not_found", _("Không có giao dịch này")
        AMOUNT_MISMATCH = "amount_mismatch", _("Số tiền không khớp")
        BAD_SIGNATURE = "bad_signature", _("Chữ ký không hợp lệ")
        ERROR = "error", _("Lỗi khi ghi nhận")

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    txn_ref = models.CharField(_("mã đơn trong thông báo"), max_length=100, blank=True)
    raw_params = models.JSONField(_("tham số nhận được"), default=dict)
    signature_valid = models.BooleanField(_("chữ ký hợp lệ"))
    outcome = models.CharField(_("kết quả xử lý"), max_length=20, choices=Outcome.choices)
    rsp_code = models.CharField(_("mã trả lời cổng"), max_length=2)
    at = models.DateTimeField(_("lúc"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("thông báo từ cổng thanh toán")
        verbose_name_plural = _("thông báo từ cổng thanh toán")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.txn_ref}: {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("payment events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("payment events are append-only")
