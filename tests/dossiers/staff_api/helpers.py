"""Calling the officers' API as a signed-in browser does (session cookie, CSRF token)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import Dossier
from chinhquyen.org.models import User
from tests.api.clients import api_client, send_json

API = "/api/v1/back-office"


def dossier_url(dossier: Dossier) -> str:
    return f"{API}/dossiers/{dossier.code}"


def act(user: User | Client, dossier: Dossier, action: str, **body: Any) -> Any:
    """POST one action with the seq the officer last saw (unless the body gives one)."""
    client = user if isinstance(user, Client) else api_client(user)
    payload = {"expected_seq": last_seq(dossier), **body}
    return send_json(client, "POST", f"{dossier_url(dossier)}/actions/{action}", payload)


def refused(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"], body
    if field is not None:
        assert body["field"] == field, body
    return body
