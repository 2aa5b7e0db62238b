"""core.sessions: the session read as a prepared statement gives what Django's database store
gives — the data of a live session, nothing (and a forgotten key) for an expired or unknown one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from chinhquyen.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_project_uses_the_prepared_store() -> None:
    assert settings.SESSION_ENGINE == "chinhquyen.core.sessions"


def test_a_live_session_loads_like_djangos() -> None:
    store = SessionStore()
    store["nguoi_dung"] = "Nguyễn Văn An"
    store.create()
    key = store.session_key

    mine, django = SessionStore(session_key=key), DjangoStore(session_key=key)

    assert mine.load() == django.load() == {"nguoi_dung": "Nguyễn Văn An"}
    assert mine.session_key == key


@pytest.mark.parametrize("expired", [True, False])
def test_an_expired_or_unknown_session_is_empty_and_forgets_its_key(expired: bool) -> None:
    store = SessionStore()
    store["x"] = 1
    store.create()
    key = store.session_key if expired else "khongtontai12345678"
    if expired:
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
    mine, django = SessionStore(session_key=key), DjangoStore(session_key=key)

    assert mine.load() == django.load() == {}
    assert mine.session_key is None and django.session_key is None
