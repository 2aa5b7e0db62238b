"""Verification codes do not linger: the sweep blanks the code in delivered (or finally failed)
messages once it is used or expired, and deletes verification rows a day later; a code still
valid is not touched. Run as an action, as the Celery task, from beat's schedule and by hand."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chinhquyen.celery import app
from chinhquyen.notifications.actions import do_deliver
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org import tasks
from chinhquyen.org.citizens import CodeSweepReport, do_sign_up, do_sweep_spent_codes
from chinhquyen.org.models import ContactVerification, User

pytestmark = pytest.mark.django_db

MASK = "••••••"
DAY = timedelta(hours=24)


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    load_default_templates()


def _signed_up(contact: str, full_name: str = "Nguyễn Văn An") -> tuple[User, OutboxMessage]:
    user = do_sign_up(full_name=full_name, contact=contact, password="Mat-khau-cong-dan-2026").user
    assert user is not None
    message = OutboxMessage.objects.get(
        template_code="account.verification", dedupe_key__endswith=f":{_row(user).pk}"
    )
    return user, message


def _row(user: User) -> ContactVerification:
    return ContactVerification.objects.get(user=user)


def _code(message: OutboxMessage) -> str:
    # The last 6-digit number: the templates put the name (which may hold one) before the code.
    found = re.findall(r"(?<!\d)\d{6}(?!\d)", message.body)
    assert found, message.body
    return str(found[-1])


def _spend(user: User, *, used: bool, ago: timedelta) -> None:
    """The code was used, or expired unused, `ago` before now."""
    at = timezone.now() - ago
    rows = ContactVerification.objects.filter(user=user)
    rows.update(used_at=at) if used else rows.update(expires_at=at)


def test_a_code_still_valid_is_not_touched() -> None:
    user, message = _signed_up("con.han@example.vn")
    do_deliver(message.pk)
    sent = OutboxMessage.objects.get(pk=message.pk)
    assert sent.status == OutboxMessage.Status.SENT
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=0, deleted=0)
    assert OutboxMessage.objects.get(pk=message.pk).body == sent.body
    assert ContactVerification.objects.filter(user=user).exists()


def test_a_used_code_is_blanked_at_once_and_its_row_deleted_after_a_day() -> None:
    user, message = _signed_up("da.dung@example.vn", full_name="Nguyễn Văn 123456")
    do_deliver(message.pk)
    code = _code(OutboxMessage.objects.get(pk=message.pk))
    _spend(user, used=True, ago=timedelta(minutes=5))
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=1, deleted=0)
    blanked = OutboxMessage.objects.get(pk=message.pk)
    assert code not in blanked.body and MASK in blanked.body
    assert "Nguyễn Văn 123456" in blanked.body  # only the code, matched by its hash
    assert blanked.status == OutboxMessage.Status.SENT and blanked.delivery_attempts.count() == 1

    _spend(user, used=True, ago=DAY + timedelta(minutes=1))
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=0, deleted=1)
    assert not ContactVerification.objects.filter(user=user).exists()
    assert OutboxMessage.objects.get(pk=message.pk).body == blanked.body  # history kept
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=0, deleted=0)  # twice: harmless


def test_an_expired_code_in_a_failed_sms_is_blanked_and_its_row_deleted() -> None:
    user, message = _signed_up("0912 000 111")
    do_deliver(message.pk)  # no SMS gateway configured: a permanent failure
    failed = OutboxMessage.objects.get(pk=message.pk)
    assert failed.status == OutboxMessage.Status.FAILED
    code = _code(failed)
    _spend(user, used=False, ago=DAY + timedelta(minutes=1))
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=1, deleted=1)
    body = OutboxMessage.objects.get(pk=message.pk).body
    assert code not in body and MASK in body


def test_a_code_whose_message_is_still_pending_keeps_its_row_until_delivered() -> None:
    user, message = _signed_up("cho.gui@example.vn")
    _spend(user, used=False, ago=DAY + timedelta(minutes=1))
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=0, deleted=0)
    assert _code(OutboxMessage.objects.get(pk=message.pk))  # still to be sent as written
    do_deliver(message.pk)
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=1, deleted=1)


def test_a_recently_expired_code_keeps_its_row() -> None:
    user, message = _signed_up("vua.het.han@example.vn")
    do_deliver(message.pk)
    _spend(user, used=False, ago=timedelta(hours=23))
    assert do_sweep_spent_codes() == CodeSweepReport(blanked=1, deleted=0)
    assert ContactVerification.objects.filter(user=user).exists()


def test_the_task_runs_without_a_worker() -> None:
    user, message = _signed_up("tac.vu@example.vn")
    do_deliver(message.pk)
    _spend(user, used=True, ago=DAY + timedelta(minutes=1))
    assert tasks.sweep_spent_codes.apply().get() == {"blanked": 1, "deleted": 1}
    assert tasks.sweep_spent_codes.apply().get() == {"blanked": 0, "deleted": 0}


def test_beat_runs_the_sweep_hourly() -> None:
    entry = app.conf.beat_schedule["citizens-sweep-spent-codes"]
    assert entry == {"task": "chinhquyen.org.tasks.sweep_spent_codes", "schedule": 3600.0}
    assert entry["task"] in app.tasks


def test_management_command() -> None:
    user, message = _signed_up("lenh.quan.tri@example.vn")
    do_deliver(message.pk)
    _spend(user, used=True, ago=DAY + timedelta(minutes=1))
    out = StringIO()
    call_command("citizens", "sweep-codes", stdout=out)
    assert "Đã che mã trong 1 thông báo và xóa 1 mã xác thực cũ." in out.getvalue()
