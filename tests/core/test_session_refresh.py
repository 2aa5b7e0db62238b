"""Idle expiry of sessions without a write per request (SessionIdleRefreshMiddleware)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from chinhquyen.core import middleware
from tests.conftest import Personas, client_for

pytestmark = pytest.mark.django_db


def _expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.cookies["cq_session"].value).expire_date


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_a_used_session_is_extended_at_most_once_per_interval(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(2_000_000_000.0)
    monkeypatch.setattr(middleware.time, "time", clock)
    client = client_for(personas.citizen)
    page = reverse("tracking:my_dossiers")

    assert client.get(page).status_code == 200  # first use: the refresh mark is written
    first = _expiry(client)
    clock.now += 10
    assert client.get(page).status_code == 200
    assert _expiry(client) == first  # within the interval: no write

    clock.now += middleware.SessionIdleRefreshMiddleware.refresh_interval()
    assert client.get(page).status_code == 200
    assert _expiry(client) > first  # past it: the age restarts


def test_an_anonymous_request_writes_no_session(client: Client) -> None:
    assert client.get(reverse("tracking:lookup")).status_code == 200
    assert not Session.objects.exists()
    assert "cq_session" not in client.cookies


def test_the_interval_is_a_tenth_of_the_age_and_at_most_five_minutes(settings: object) -> None:
    settings.SESSION_COOKIE_AGE = 600  # type: ignore[attr-defined]
    assert middleware.SessionIdleRefreshMiddleware.refresh_interval() == 60
    settings.SESSION_COOKIE_AGE = 8 * 3600  # type: ignore[attr-defined]
    assert middleware.SessionIdleRefreshMiddleware.refresh_interval() == 300
