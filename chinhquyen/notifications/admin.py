"""Admin: templates (a version in force is read-only; a change is a new version), the outbox
(read-only, with "Gửi lại" for dead letters through `do_requeue_message`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyen.core.errors import DomainError
from chinhquyen.notifications.actions import (
    check_template,
    do_create_template_version,
    do_requeue_message,
)
from chinhquyen.notifications.models import DeliveryAttempt, MessageTemplate, OutboxMessage


def _in_force(template: MessageTemplate) -> bool:
    return template.effective_from <= timezone.localdate()


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "channel", "version", "effective_from", "name")
    list_filter = ("channel", "code")
    search_fields = ("code", "name", "body")
    fields = ("code", "channel", "version", "effective_from", "name", "subject", "body",
              "placeholders")  # fmt: skip
    actions = ["new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("version",) if obj is None else ("code", "channel", "version")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _in_force(obj):
            return False  # in force: viewed, never edited
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and not _in_force(obj) and super().has_delete_permission(request)

    def save_model(
        self, request: HttpRequest, obj: MessageTemplate, form: Any, change: bool
    ) -> None:
        try:
            if change:
                check_template(obj)
                super().save_model(request, obj, form, change)
                return
            saved = do_create_template_version(
                obj.code, obj.channel, name=obj.name, subject=obj.subject, body=obj.body,
                placeholders=obj.placeholders, effective_from=obj.effective_from,
                acting_user=request.user,
            )  # fmt: skip
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk, obj.version = saved.pk, saved.version

    @admin.action(description=_("Tạo phiên bản mới (hiệu lực từ ngày mai)"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[MessageTemplate]) -> None:
        tomorrow = timezone.localdate() + timedelta(days=1)
        for template in queryset:
            try:
                created = do_create_template_version(
                    template.code, template.channel, name=template.name,
                    subject=template.subject, body=template.body,
                    placeholders=template.placeholders, effective_from=tomorrow,
                    acting_user=request.user,
                )  # fmt: skip
            except DomainError as exc:
                self.message_user(request, f"{template}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("Đã tạo %(t)s, sửa được đến khi có hiệu lực.")
                                  % {"t": created})  # fmt: skip


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("number", "at", "outcome", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "template_code", "channel", "recipient", "status", "attempts",
                    "next_attempt_at", "sent_at")  # fmt: skip
    list_filter = ("status", "channel", "template_code")
    search_fields = ("recipient", "dedupe_key", "provider_message_id")
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    actions = ["requeue"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Gửi lại"), permissions=["view"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        for message in queryset:
            try:
                do_requeue_message(message, acting_user=request.user)
            except DomainError as exc:
                self.message_user(request, f"#{message.pk}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("Đã đưa #%(id)s vào hàng gửi lại.") % {"id": message.pk}
                )
