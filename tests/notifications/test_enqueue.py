"""Enqueueing: written in the caller's transaction, dispatched only after it commits, once per
business event (dedupe key); recipients validated and normalised."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from chinhquyen.core.errors import DomainError
from chinhquyen.notifications import tasks
from chinhquyen.notifications.actions import do_enqueue_notification
from chinhquyen.notifications.models import OutboxMessage
from tests.notifications.conftest import NOW


class Dispatched(list[int]):
    pass


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> Dispatched:
    sent = Dispatched()
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", sent.append)
    return sent


def _enqueue(context: dict[str, Any], key: str = "dossier:1:accepted:email", **kw: Any) -> Any:
    return do_enqueue_notification(
        kw.pop("code", "dossier.accepted"),
        kw.pop("channel", "email"),
        kw.pop("recipient", "nhung.nguyen@example.vn"),
        context,
        dedupe_key=key,
        now=NOW,
    )


def test_rolled_back_transaction_leaves_no_message_and_no_task(
    templates: None,
    accepted_context: dict[str, Any],
    dispatched: Dispatched,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue(accepted_context)
        raise RuntimeError("the business change failed")
    assert OutboxMessage.objects.count() == 0
    assert callbacks == [] and dispatched == []


def test_committed_transaction_dispatches_once_per_dedupe_key(
    templates: None,
    accepted_context: dict[str, Any],
    dispatched: Dispatched,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = _enqueue(accepted_context)
        with transaction.atomic():
            again = _enqueue(accepted_context)
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert dispatched == [first.pk]
    assert first.status == OutboxMessage.Status.PENDING
    assert first.subject == "[Sở Tư pháp] Hồ sơ 000.00.01.H99-251103-0001 đã được tiếp nhận"
    assert "Ngày hẹn trả kết quả: 07/11/2025." in first.body
    assert (first.template_code, first.template_version) == ("dossier.accepted", 1)


def test_enqueue_outside_a_transaction_is_refused(
    transactional_db: None, accepted_context: dict[str, Any]
) -> None:
    with pytest.raises(transaction.TransactionManagementError):
        _enqueue(accepted_context)


def test_missing_placeholder_fails_the_business_transaction(
    templates: None, accepted_context: dict[str, Any]
) -> None:
    del accepted_context["ngay_hen_tra"]
    with pytest.raises(DomainError, match="ngay_hen_tra"), transaction.atomic():
        _enqueue(accepted_context)
    assert OutboxMessage.objects.count() == 0


def test_phone_numbers_are_normalised_and_bad_recipients_refused(
    templates: None, accepted_context: dict[str, Any]
) -> None:
    with transaction.atomic():
        message = _enqueue(accepted_context, "k-sms", channel="sms", recipient="0912 345 678")
    assert message.recipient == "+84912345678"
    with pytest.raises(DomainError, match="điện thoại"), transaction.atomic():
        _enqueue(accepted_context, "k-sms-2", channel="sms", recipient="0212345")
    with pytest.raises(DomainError, match="thư điện tử"), transaction.atomic():
        _enqueue(accepted_context, "k-mail-2", recipient="không phải địa chỉ")
