"""POST /api/v1/drafts/{draft_id}/payment: the fees on the completed form, paid at the test
gateway, then the submission records the payment. Nothing due, an incomplete form, no gateway
configured, or paying twice are refused with their codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chinhquyen.dossiers.models import Dossier
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.payments.models import Payment
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.api.clients import api_client, send_json
from tests.conftest import Personas, Province
from tests.dossiers.api_helpers import API, create_draft, submit
from tests.payments.conftest import Paygate, browser_back
from tests.payments.conftest import paygate as paygate  # the test gateway fixture


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


@pytest.fixture
def client(personas: Personas) -> Client:
    return api_client(personas.citizen)


def _late_draft(citizen: Any, version: ProcedureVersion) -> str:
    late = h.birth_answers(born=timezone.localdate() - timedelta(days=90))
    return str(h.filled_draft(citizen, version, answers=late).pk)


def _pay(client: Client, draft_id: str, body: dict[str, Any] | None = None) -> Any:
    return send_json(client, "POST", f"{API}/drafts/{draft_id}/payment", body or {})


def test_pay_at_the_gateway_then_submit(
    version: ProcedureVersion, personas: Personas, client: Client, paygate: Paygate
) -> None:
    draft_id = _late_draft(personas.citizen, version)
    assert client.get(f"{API}/drafts/{draft_id}").json()["fees"]["total"] == 8000
    refused = submit(client, draft_id)
    assert refused.status_code == 400 and refused.json()["code"] == "payment_required"

    started = _pay(client, draft_id)
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["amount"] == 8000 and body["redirect_url"].startswith(paygate.base_url)
    payment = Payment.objects.get(pk=body["payment_id"])
    assert (payment.reference, payment.payer) == (f"draft:{draft_id}", personas.citizen)
    assert payment.next_url == reverse("submission:check", args=[draft_id])

    browser_back(client, paygate.pay(body["redirect_url"]))
    assert client.get(f"/api/v1/payments/{payment.pk}").json()["status"] == "paid"
    again = _pay(client, draft_id)
    assert again.status_code == 409 and again.json()["code"] == "already_paid"

    submitted = submit(client, draft_id)
    assert submitted.status_code == 201, submitted.content
    assert submitted.json()["paid_amount"] == submitted.json()["fee_total"] == 8000
    assert Dossier.objects.get().paid_amount == 8000


def test_a_page_of_this_site_to_come_back_to(
    version: ProcedureVersion, personas: Personas, client: Client, paygate: Paygate
) -> None:
    draft_id = _late_draft(personas.citizen, version)
    assert _pay(client, draft_id, {"return_url": "/tai-khoan/"}).status_code == 201
    assert Payment.objects.get().next_url == "/tai-khoan/"
    elsewhere = _pay(client, draft_id, {"return_url": "https://example.com/"})
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "return_url"


def test_nothing_due_and_incomplete_form_are_refused(
    version: ProcedureVersion, personas: Personas, client: Client, paygate: Paygate
) -> None:
    on_time = h.filled_draft(personas.citizen, version)
    nothing = _pay(client, str(on_time.pk))
    assert nothing.status_code == 400 and nothing.json()["code"] == "nothing_due"
    empty = create_draft(client)["id"]
    incomplete = _pay(client, empty)
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "incomplete"
    assert not Payment.objects.exists()


def test_without_a_gateway_the_citizen_is_told(
    version: ProcedureVersion, personas: Personas, client: Client, settings: Any
) -> None:
    settings.PAYMENT_GATEWAY_URL = ""
    response = _pay(client, _late_draft(personas.citizen, version))
    assert response.status_code == 400 and response.json()["code"] == "payments_unavailable"
