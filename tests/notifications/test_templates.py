"""Template versions: the version in force is chosen by effective date; a change is a new
version; the shipped defaults load idempotently."""

from __future__ import annotations

from datetime import date

import pytest

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.notifications.actions import do_create_template_version
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import MessageTemplate
from chinhquyen.notifications.queries import active_template


def _version(effective_from: date, body: str) -> MessageTemplate:
    return do_create_template_version(
        "dossier.accepted",
        "sms",
        name="Tiếp nhận",
        subject="",
        body=body,
        placeholders=["ma_ho_so"],
        effective_from=effective_from,
        acting_user=None,
    )


@pytest.mark.django_db
def test_version_in_force_is_chosen_by_date() -> None:
    first = _version(date(2025, 1, 1), "v1 {{ ma_ho_so }}")
    second = _version(date(2025, 7, 1), "v2 {{ ma_ho_so }}")
    assert (first.version, second.version) == (1, 2)
    assert active_template("dossier.accepted", "sms", on=date(2025, 6, 30)) == first
    assert active_template("dossier.accepted", "sms", on=date(2025, 7, 1)) == second
    with pytest.raises(DomainError, match="31/12/2024"):
        active_template("dossier.accepted", "sms", on=date(2024, 12, 31))
    assert AuditEvent.objects.filter(action="notifications.template_version_created").count() == 2


@pytest.mark.django_db
def test_new_version_refuses_undeclared_placeholder_and_same_date() -> None:
    _version(date(2025, 1, 1), "{{ ma_ho_so }}")
    with pytest.raises(DomainError, match="ho_ten"):
        _version(date(2025, 2, 1), "{{ ho_ten }}")
    with pytest.raises(DomainError, match="cùng ngày"):
        _version(date(2025, 1, 1), "{{ ma_ho_so }}")


@pytest.mark.django_db
def test_default_templates_load_once() -> None:
    first = load_default_templates()
    again = load_default_templates()
    # dossier.sent_by_post (e-mail, SMS): postal return; dossier.resolution_refused: Art. 19(8);
    # dossier.payment_requested: status 6; account.existing_contact (e-mail, SMS): ADR 0013;
    # dossier.payment_received (e-mail, SMS): status 6 paid online, ADR 0010;
    # account.existing_contact v2, account.password_reset, account.password_changed (e-mail,
    # SMS each): password reset, ADR 0013; dossier.payment_requested v2 (the online payment
    # link), dossier.payment_requested_at_counter, dossier.payment_received v2 (online or at the
    # counter) (e-mail, SMS each): status 6, ADR 0010
    assert len(first.created) == 45
    assert (again.created, len(again.unchanged), again.differing) == ([], 45, [])
    MessageTemplate.objects.filter(code="dossier.accepted", channel="sms").update(body="sửa tay")
    assert load_default_templates().differing == ["dossier.accepted [sms] v1"]
