"""Fees and online payment at submission: a toàn trình procedure with a fee due is paid first;
the paid amount must equal the fee; a payment confirmed after submission marks the dossier paid
(DuocThanhToanTrucTuyen = 2). Payments go through the test gateway over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers import actions, drafts
from chinhquyen.dossiers.models import Dossier, OnlinePayment
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.payments import conftest as pay
from tests.payments.conftest import Paygate, browser_back, start

LATE = timezone.localdate() - timedelta(days=90)


@pytest.fixture
def gateway(settings: Any) -> Iterator[Paygate]:
    """The test gateway over HTTP (tests deliver its answer through the browser return)."""
    yield from pay._paygate(settings, ipn_url="", site="http://testserver")


@pytest.fixture
def late_draft(province: Province, personas: Personas) -> drafts.Draft:
    load_default_templates()
    version = h.publish_procedure(province.agency_a)
    return h.filled_draft(personas.citizen, version, answers=h.birth_answers(born=LATE))


def _pay(gateway: Paygate, client: Client, draft: drafts.Draft, amount: int) -> None:
    _, pay_url = start(
        draft.owner,
        reference=actions.draft_payment_reference(draft),
        amount=amount,
        return_url="/ho-so-nhap/",
    )
    browser_back(client, gateway.pay(pay_url))


def test_full_online_procedure_with_a_fee_needs_payment_first(
    late_draft: drafts.Draft, personas: Personas, gateway: Paygate
) -> None:
    with pytest.raises(DomainError) as refused:
        actions.do_submit_draft(late_draft, acting_user=personas.citizen)
    assert refused.value.code == "payment_required"
    assert Dossier.objects.count() == 0

    _pay(gateway, client_for(personas.citizen), late_draft, 8000)
    dossier = actions.do_submit_draft(late_draft, acting_user=personas.citizen)
    assert dossier.fee_total == Decimal(8000) == dossier.paid_amount
    assert dossier.paid_online == OnlinePayment.LOCAL_GATEWAY


def test_answers_changed_after_paying_are_refused(
    late_draft: drafts.Draft, personas: Personas, gateway: Paygate
) -> None:
    _pay(gateway, client_for(personas.citizen), late_draft, 8000)
    drafts.do_save_group(
        late_draft, "tre", h.birth_answers()["tre"], acting_user=personas.citizen
    )  # born 10 days ago: no fee any more
    with pytest.raises(DomainError) as refused:
        actions.do_submit_draft(late_draft, acting_user=personas.citizen)
    assert refused.value.code == "payment_mismatch" and "8.000" in refused.value.message
    assert Dossier.objects.count() == 0


def test_payment_confirmed_after_submission_marks_the_dossier_paid(
    province: Province, personas: Personas, gateway: Paygate
) -> None:
    load_default_templates()
    version = h.publish_procedure(province.agency_a, online_level="partial")
    assert version.online_level == ProcedureVersion.objects.get(pk=version.pk).online_level
    draft = h.filled_draft(personas.citizen, version, answers=h.birth_answers(born=LATE))
    _, pay_url = start(
        personas.citizen,
        reference=actions.draft_payment_reference(draft),
        amount=8000,
        return_url="/ho-so-nhap/",
    )
    dossier = actions.do_submit_draft(draft, acting_user=personas.citizen)  # một phần: unpaid
    assert dossier.paid_online is None and dossier.paid_amount == 0
    browser_back(client_for(personas.citizen), gateway.pay(pay_url))
    dossier.refresh_from_db()
    assert dossier.paid_online == OnlinePayment.LOCAL_GATEWAY and dossier.paid_amount == 8000
