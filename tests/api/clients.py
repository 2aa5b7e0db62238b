"""API clients as a browser is one: the session cookie, and for unsafe methods the CSRF cookie
with its token in the `X-CSRFToken` header (django-ninja's session auth enforces CSRF)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from chinhquyen.org.models import User


def api_client(user: User | None = None, *, csrf: bool = True) -> Client:
    """A client that enforces CSRF like production; with `csrf`, it carries a valid token."""
    token = _get_new_csrf_string()
    headers = {"X-CSRFToken": token} if csrf else {}
    client = Client(enforce_csrf_checks=True, headers=headers)
    if user is not None:
        client.force_login(user)
    if csrf:
        client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client


def send_json(client: Client, method: str, path: str, body: Any = None) -> Any:
    """`client.generic` with a JSON body (PUT, POST, DELETE alike)."""

    data = "" if body is None else json.dumps(body)
    return client.generic(method, path, data=data, content_type="application/json")
