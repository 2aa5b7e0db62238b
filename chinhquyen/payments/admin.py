"""Admin: payments and gateway messages, read-only (they change only through the actions; a
refund is made at the gateway, outside this platform, for payments marked "Cần hoàn tiền")."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chinhquyen.payments.models import Payment, PaymentEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    fields = ("at", "source", "outcome", "rsp_code", "signature_valid", "raw_params")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("txn_ref", "reference", "payer", "amount", "status", "paid_at", "created_at")
    list_filter = ("status", "gateway")
    search_fields = ("txn_ref", "reference", "gateway_transaction_no", "payer__username")
    date_hierarchy = "created_at"
    inlines = [PaymentEventInline]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "source", "txn_ref", "outcome", "rsp_code", "signature_valid")
    list_filter = ("source", "outcome", "signature_valid")
    search_fields = ("txn_ref",)
    date_hierarchy = "at"
