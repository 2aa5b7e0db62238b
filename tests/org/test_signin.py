"""Staff sign-in: password then TOTP, lockout after repeated failures, everything audited."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.audit.models import AuditEvent
from chinhquyen.org.models import User
from tests.conftest import Personas
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _password_step(client: Client, user: User, password: str = DEMO_PASSWORD):
    return client.post("/dang-nhap/", {"username": user.username, "password": password})


def _code(user: User, offset_steps: int = 0) -> str:
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * offset_steps)


def test_password_then_second_factor_reaches_staff_home(personas: Personas) -> None:
    client = Client()
    user = personas.officer_a
    response = _password_step(client, user)
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/xac-thuc/"
    # Only the password so far: no staff page yet.
    assert client.get("/can-bo/").status_code == 302
    response = client.post("/dang-nhap/xac-thuc/", {"code": _code(user)})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    home = client.get("/can-bo/")
    assert home.status_code == 200
    assert "Sở Tư pháp" in home.content.decode()
    assert AuditEvent.objects.filter(action="signin.success", actor=user).count() == 1


def test_wrong_code_is_refused_and_counted(personas: Personas) -> None:
    client = Client()
    user = personas.officer_a
    _password_step(client, user)
    wrong = "000000" if _code(user) != "000000" else "111111"
    response = client.post("/dang-nhap/xac-thuc/", {"code": wrong})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert client.get("/can-bo/").status_code == 302
    user.refresh_from_db()
    assert user.failed_signins == 1


def test_a_code_cannot_be_replayed(personas: Personas) -> None:
    user = personas.officer_a
    code = _code(user)
    first = Client()
    _password_step(first, user)
    assert first.post("/dang-nhap/xac-thuc/", {"code": code}).status_code == 302
    second = Client()
    _password_step(second, user)
    response = second.post("/dang-nhap/xac-thuc/", {"code": code})
    assert response.status_code == 200 and "đã dùng" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_and_the_lock_is_audited(
    personas: Personas, settings
) -> None:
    settings.SIGNIN_MAX_FAILURES = 5
    client = Client()
    user = personas.officer_a
    for _ in range(4):
        response = _password_step(client, user, "sai-mat-khau")
        assert "không đúng" in response.content.decode()
        user.refresh_from_db()
        assert not user.is_locked()
    response = _password_step(client, user, "sai-mat-khau")
    assert "tạm khóa" in response.content.decode()
    user.refresh_from_db()
    assert user.is_locked()
    assert AuditEvent.objects.filter(action="signin.failure", actor=user).count() == 5
    assert AuditEvent.objects.filter(action="signin.locked", actor=user).count() == 1
    # Even the right password is refused while locked.
    response = _password_step(client, user)
    assert response.status_code == 200 and "tạm khóa" in response.content.decode()
    assert client.get("/can-bo/").status_code == 302


def test_lock_expires(personas: Personas) -> None:
    user = personas.officer_a
    user.locked_until = timezone.now() - timedelta(seconds=1)
    user.save()
    assert _password_step(Client(), user).status_code == 302


def test_unknown_user_gets_the_same_message_and_is_audited(db: None) -> None:
    response = Client().post("/dang-nhap/", {"username": "khongco", "password": "x" * 12})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    event = AuditEvent.objects.get(action="signin.failure")
    # What was typed is never stored (it may be a password typed into the wrong box).
    assert "khongco" not in event.object_repr and event.after == {
        "reason": "unknown_user",
        "typed_length": 7,
    }


def test_a_locked_account_looks_like_any_other_failure(personas: Personas, settings) -> None:
    """The password form does not tell a locked account from a wrong password or unknown name."""
    user = personas.officer_a
    user.locked_until = timezone.now() + timedelta(minutes=10)
    user.save()
    locked = Client().post("/dang-nhap/", {"username": user.username, "password": DEMO_PASSWORD})
    unknown = Client().post("/dang-nhap/", {"username": "khongco", "password": DEMO_PASSWORD})
    assert locked.status_code == unknown.status_code == 200
    assert locked.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_a_lock_that_starts_during_the_password_check_is_honoured(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parallel guesses: the lock set by another request while argon2 ran still applies."""
    from chinhquyen.core.errors import DomainError
    from chinhquyen.org.signin import check_password_step

    user = personas.officer_a
    original = User.check_password

    def check_then_lock(self: User, raw: str) -> bool:
        User.objects.filter(pk=self.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", check_then_lock)
    with pytest.raises(DomainError) as caught:
        check_password_step(user.username, DEMO_PASSWORD, source_address="")
    assert caught.value.code == "locked"


def test_one_code_cannot_serve_two_concurrent_sign_ins(personas: Personas) -> None:
    """Both requests loaded the account before either recorded the code: only one wins."""
    from chinhquyen.core.errors import DomainError
    from chinhquyen.org.signin import do_verify_second_factor

    first = User.objects.get(pk=personas.officer_a.pk)
    second = User.objects.get(pk=personas.officer_a.pk)
    code = _code(first)
    do_verify_second_factor(first, code, source_address="")
    with pytest.raises(DomainError):
        do_verify_second_factor(second, code, source_address="")


def test_enrolment_never_replaces_a_confirmed_secret(personas: Personas) -> None:
    from chinhquyen.core.errors import DomainError
    from chinhquyen.org.signin import do_verify_second_factor

    user = personas.officer_a
    original_secret = user.totp_secret
    attacker_secret = pyotp.random_base32(32)
    with pytest.raises(DomainError, match="đã có mã xác thực"):
        do_verify_second_factor(
            user,
            pyotp.TOTP(attacker_secret).now(),
            source_address="",
            enrolment_secret=attacker_secret,
        )
    user.refresh_from_db()
    assert user.totp_secret == original_secret


def test_citizen_accounts_cannot_use_the_staff_sign_in(personas: Personas) -> None:
    response = _password_step(Client(), personas.citizen)
    assert response.status_code == 200


def test_first_sign_in_enrols_the_second_factor(personas: Personas) -> None:
    user = personas.officer_a
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None)
    client = Client()
    _password_step(client, user)
    page = client.get("/dang-nhap/xac-thuc/")
    secret = page.context["enrol_secret"]
    assert secret and "Thiết lập ứng dụng xác thực" in page.content.decode()
    response = client.post("/dang-nhap/xac-thuc/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_secret == secret and user.totp_confirmed_at is not None


def test_open_redirect_is_ignored(personas: Personas) -> None:
    client = Client()
    user = personas.officer_a
    client.post(
        "/dang-nhap/?next=https://evil.example/",
        {"username": user.username, "password": DEMO_PASSWORD},
    )
    response = client.post("/dang-nhap/xac-thuc/", {"code": _code(user)})
    assert response["Location"] == "/can-bo/"


def test_passwords_are_hashed_with_argon2(personas: Personas, settings) -> None:
    from chinhquyen import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = personas.officer_a
    user.set_password("Mot-mat-khau-moi-2026")
    user.save()
    assert user.password.startswith("argon2")


def test_signout_needs_post_and_ends_the_session(personas: Personas) -> None:
    from tests.conftest import client_for

    client = client_for(personas.officer_a)
    assert client.get("/dang-xuat/").status_code == 405
    client.post("/dang-xuat/")
    assert client.get("/can-bo/").status_code == 302


def test_cookie_settings_fit_a_public_site(settings) -> None:
    from chinhquyen import settings as project_settings

    assert project_settings.SESSION_COOKIE_HTTPONLY
    assert project_settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert "django.middleware.csrf.CsrfViewMiddleware" in project_settings.MIDDLEWARE


def test_confirming_the_second_factor_again(personas: Personas) -> None:
    from chinhquyen.core.errors import DomainError
    from chinhquyen.org.signin import do_confirm_second_factor

    user = personas.leader_a
    code = _code(user)
    do_confirm_second_factor(user, code, purpose="sign")
    assert AuditEvent.objects.filter(action="second_factor.confirm", actor=user).count() == 1
    with pytest.raises(DomainError, match="đã dùng"):
        do_confirm_second_factor(user, code, purpose="sign")  # no replay
    with pytest.raises(DomainError):
        do_confirm_second_factor(user, "", purpose="sign")
    user.refresh_from_db()
    assert user.failed_signins == 2


def test_many_failures_from_one_address_are_throttled_across_accounts(
    personas: Personas, settings
) -> None:
    """Password spraying: each account stays under its own limit, the address does not."""
    settings.SIGNIN_MAX_FAILURES_PER_ADDRESS = 6
    client = Client(REMOTE_ADDR="203.0.113.9")
    for user in (personas.officer_a, personas.clerk_a, personas.leader_a):
        for _ in range(2):
            _password_step(client, user, "sai-mat-khau")
    # The right password of a fourth account is refused now, from that address only.
    assert _password_step(client, personas.officer_b).status_code == 200
    assert AuditEvent.objects.filter(action="signin.throttled").count() == 1
    assert _password_step(Client(REMOTE_ADDR="198.51.100.7"), personas.officer_b).status_code == 302
