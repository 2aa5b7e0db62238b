"""“Đổi mật khẩu” (/tai-khoan/doi-mat-khau/): the current password (a wrong one counted like a
sign-in failure), a new one; this session stays signed in, every other one ends (ADR 0013)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chinhquyen.audit.models import AuditEvent
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.models import User
from tests.conftest import Personas, client_for
from tests.factories import DEMO_PASSWORD
from tests.portal.test_accounts import PROFILE, SIGNIN, _sign_in, _signed_in
from tests.portal.test_password_reset import oidc_only_citizen

pytestmark = pytest.mark.django_db

CHANGE = "/tai-khoan/doi-mat-khau/"
NEW_PASSWORD = "Mat-khau-moi-cua-toi-2027"


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    load_default_templates()


def _change(client: Client, current: str, new: str = NEW_PASSWORD, again: str = "") -> Any:
    data = {"current_password": current, "password": new, "password_again": again or new}
    return client.post(CHANGE, data)


def _unchanged(user: User) -> None:
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
    assert not AuditEvent.objects.filter(action="citizen.password_changed").exists()
    assert not OutboxMessage.objects.filter(template_code="account.password_changed").exists()


def test_the_profile_links_the_page(personas: Personas) -> None:
    assert CHANGE in client_for(personas.citizen).get(PROFILE).content.decode()


def test_success_keeps_this_session_and_ends_the_others(personas: Personas) -> None:
    user = personas.citizen
    client, other = client_for(user), client_for(user)
    response = _change(client, DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert "Đã đổi mật khẩu" in client.get(PROFILE).content.decode()
    assert _signed_in(client) and client.get(CHANGE).status_code == 200
    assert other.get(PROFILE).status_code == 302 and not _signed_in(other)
    assert _sign_in(Client(), user.email, DEMO_PASSWORD).status_code == 200  # refused
    signed = Client()
    assert _sign_in(signed, user.email, NEW_PASSWORD).status_code == 302 and _signed_in(signed)
    event = AuditEvent.objects.get(action="citizen.password_changed")
    assert event.actor == user and NEW_PASSWORD not in str(event.after) + str(event.before)
    notices = OutboxMessage.objects.filter(template_code="account.password_changed")
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "sms"]  # both proven


def test_wrong_current_password_is_refused_and_counted(personas: Personas, settings: Any) -> None:
    user = personas.citizen
    client = client_for(user)
    response = _change(client, "khong-phai-mat-khau")
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in response.content.decode()
    assert 'class="error-summary"' in response.content.decode()
    _unchanged(user)
    assert user.failed_signins == 1
    assert AuditEvent.objects.filter(action="signin.failure", object_id=str(user.pk)).count() == 1


def test_guessing_the_current_password_stops_at_the_lock(personas: Personas, settings: Any) -> None:
    settings.SIGNIN_MAX_FAILURES = 3
    user = personas.citizen
    client = client_for(user)
    for _ in range(3):
        _change(client, "khong-phai-mat-khau")
    response = _change(client, DEMO_PASSWORD)  # the right one, but no longer checked
    assert "quá nhiều lần" in response.content.decode()
    _unchanged(user)
    assert user.is_locked()


def test_weak_new_password_is_refused(personas: Personas) -> None:
    user = personas.citizen
    response = _change(client_for(user), DEMO_PASSWORD, "12345678901")
    assert response.status_code == 200 and 'class="error-summary"' in response.content.decode()
    _unchanged(user)


def test_a_password_like_the_accounts_address_is_refused(personas: Personas) -> None:
    """The validators see the account's own e-mail and phone, as at sign-up."""
    user = personas.citizen
    response = _change(client_for(user), DEMO_PASSWORD, user.email.upper() + "!")
    assert "Mật khẩu quá giống với" in response.content.decode()
    _unchanged(user)


def test_the_same_password_is_refused(personas: Personas) -> None:
    user = personas.citizen
    response = _change(client_for(user), DEMO_PASSWORD, DEMO_PASSWORD)
    assert "Mật khẩu mới phải khác mật khẩu hiện tại." in response.content.decode()
    _unchanged(user)


def test_two_different_new_passwords_are_refused(personas: Personas) -> None:
    user = personas.citizen
    response = _change(client_for(user), DEMO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "Hai lần nhập mật khẩu không giống nhau." in response.content.decode()
    _unchanged(user)


def test_anonymous_and_staff_get_what_other_citizen_pages_give(personas: Personas) -> None:
    response = Client().get(CHANGE)
    assert response.status_code == 302 and response["Location"].startswith(SIGNIN)
    assert client_for(personas.officer_a).get(CHANGE).status_code == 403
    assert client_for(personas.officer_a).post(CHANGE, {}).status_code == 403


def test_an_account_without_a_password_is_sent_to_the_reset() -> None:
    user = oidc_only_citizen()
    client = client_for(user)
    page = client.get(CHANGE).content.decode()
    assert "Quên mật khẩu" in page and "current_password" not in page
    _change(client, "", NEW_PASSWORD)
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert not AuditEvent.objects.filter(action="citizen.password_changed").exists()
