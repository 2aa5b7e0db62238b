"""Message templates (versioned by effective date), the outbox and its delivery attempts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class MessageTemplate(models.Model):
    """One version of the text sent for an event on a channel. The version in force for
    (code, channel) is the one with the latest `effective_from` not after today; a version in
    force is never edited — a change is a new version."""

    code = models.CharField(_("mã mẫu"), max_length=100)  # e.g. dossier.submitted
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    version = models.PositiveIntegerField(_("phiên bản"))
    effective_from = models.DateField(_("hiệu lực từ"))
    name = models.CharField(_("tên mẫu"), max_length=200)
    subject = models.CharField(_("tiêu đề (thư điện tử)"), max_length=300, blank=True)
    body = models.TextField(_("nội dung"))
    placeholders = models.JSONField(_("các biến được dùng"), default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["code", "channel", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "version"], name="message_template_version_once"
            ),
            models.UniqueConstraint(
                fields=["code", "channel", "effective_from"],
                name="message_template_one_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.channel}] v{self.version}"


class OutboxMessage(models.Model):
    """A notification written in the same transaction as the business change, then delivered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Không gửi được (lỗi vĩnh viễn)")
        DEAD = "dead", _("Hết số lần thử")

    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    body = models.TextField(_("nội dung"))
    template_code = models.CharField(_("mã mẫu"), max_length=100)
    template_version = models.PositiveIntegerField(_("phiên bản mẫu"))
    dedupe_key = models.CharField(_("khóa chống trùng"), max_length=200, unique=True)
    # E-mail only: a QR code of this link is attached when the message is sent (the dossier's
    # tracking page, as on the receipt); the image is made from the link, not stored.
    qr_link = models.URLField(_("liên kết mã QR đính kèm"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("bắt đầu gửi lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("thông báo chờ gửi")
        verbose_name_plural = _("hộp thư đi (outbox)")
        ordering = ["-created_at"]
        indexes = [
            # The sweep's two questions, each backed by a partial index (healthchecks' Flip).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending_since"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_code} → {self.recipient} ({self.get_status_display()})"


class DeliveryAttempt(models.Model):
    """One try at handing a message to the SMTP server or SMS gateway (history as rows)."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Đã gửi")
        RETRY = "retry", _("Lỗi tạm thời, sẽ thử lại")
        FAILED = "failed", _("Lỗi vĩnh viễn")
        DEAD = "dead", _("Lỗi tạm thời, hết số lần thử")
        ABANDONED = "abandoned", _("Tiến trình gửi dừng giữa chừng")

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveIntegerField(_("lần thử"))
    at = models.DateTimeField(_("thời điểm"))
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("lỗi"), blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)

    class Meta:
        verbose_name = _("lần gửi")
        verbose_name_plural = _("các lần gửi")
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"#{self.message_id} lần {self.number}: {self.outcome}"
