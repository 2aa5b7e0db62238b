"""POST /api/v1/dossiers/{code}/obligation-payment: the amount status 6 asks, paid at the test
gateway; the dossier shows the obligation while it is open. 409 when nothing is asked or it was
paid, 404 for another citizen's dossier, and the endpoint is documented in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.payments.models import Payment
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.api.clients import api_client, send_json
from tests.conftest import Personas, Province
from tests.dossiers.api_helpers import API
from tests.payments.conftest import Paygate, browser_back
from tests.payments.conftest import paygate as paygate  # the test gateway fixture


@pytest.fixture
def dossier(province: Province, personas: Personas) -> Dossier:
    load_default_templates()
    version: ProcedureVersion = h.publish_procedure(province.agency_a)
    return h.submitted_dossier(personas.citizen, version)


@pytest.fixture
def client(personas: Personas) -> Client:
    return api_client(personas.citizen)


def _pay(client: Client, code: str, body: dict[str, Any] | None = None) -> Any:
    return send_json(client, "POST", f"{API}/dossiers/{code}/obligation-payment", body or {})


def test_pay_what_status_6_asks(dossier: Dossier, client: Client, paygate: Paygate) -> None:
    assert client.get(f"{API}/dossiers/{dossier.code}").json()["obligation"] is None
    nothing = _pay(client, dossier.code)
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_pay"

    waiting = h.request_payment(dossier, money=80_000, content="Phí thẩm định")
    shown = client.get(f"{API}/dossiers/{waiting.code}").json()
    assert shown["status"] == 6 and shown["obligation"]["amount"] == 80_000
    assert shown["obligation"]["content"] == "Phí thẩm định" and shown["obligation"]["requested_at"]

    started = _pay(client, waiting.code)
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["amount"] == 80_000 and body["redirect_url"].startswith(paygate.base_url)
    payment = Payment.objects.get(pk=body["payment_id"])
    assert payment.next_url == f"/tai-khoan/ho-so-cua-toi/{waiting.code}/"

    browser_back(client, paygate.pay(body["redirect_url"]))
    after = client.get(f"{API}/dossiers/{waiting.code}").json()
    assert after["status"] == Status.PROCESSING and after["obligation"] is None
    assert after["paid_amount"] == 80_000
    again = _pay(client, waiting.code)
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_pay"


def test_a_page_of_this_site_to_come_back_to(
    dossier: Dossier, client: Client, paygate: Paygate
) -> None:
    waiting = h.request_payment(dossier, money=10_000)
    assert _pay(client, waiting.code, {"return_url": "/tai-khoan/"}).status_code == 201
    elsewhere = _pay(client, waiting.code, {"return_url": "https://example.com/"})
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "return_url"


def test_another_citizens_dossier_is_404(
    dossier: Dossier, personas: Personas, paygate: Paygate
) -> None:
    waiting = h.request_payment(dossier, money=10_000)
    other = api_client(personas.citizen_b)
    assert _pay(other, waiting.code).status_code == 404
    assert _pay(other, "000.00.01.H99-000000-9999").status_code == 404
    assert not Payment.objects.exists()


def test_documented_in_openapi(client: Client) -> None:
    schema = client.get("/api/openapi.json", follow=True).json()
    operation = schema["paths"]["/api/v1/dossiers/{code}/obligation-payment"]["post"]
    assert set(operation["responses"]) == {"201", "400", "404", "409"}
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert created.endswith("/PaymentStartOut")
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/ObligationPaymentIn")
    dossier_out = schema["components"]["schemas"]["DossierOut"]
    assert "obligation" in dossier_out["properties"] and "obligation" in dossier_out["required"]
    obligation = schema["components"]["schemas"]["ObligationOut"]["properties"]
    assert set(obligation) == {"amount", "content", "requested_at"}
