"""Citizen accounts under /tai-khoan/: sign-up, the code sent through the outbox, sign-in with
e-mail or phone, throttling and locks, the profile and re-verification of a changed contact."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db.models import F
from django.test import Client
from django.utils import timezone

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.notifications.actions import do_deliver
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org import identity
from chinhquyen.org.citizens import (
    SIGNIN_FAILURE,
    Channel,
    do_resend_code,
    do_sign_up,
    do_verify_contact,
)
from chinhquyen.org.citizens import accounts as citizen_accounts
from chinhquyen.org.models import AdministrativeUnit, CitizenProfile, ContactVerification, User
from tests.conftest import Personas, client_for
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-cong-dan-2026"
EMAIL = "an.nguyen@example.vn"
SIGNUP = "/tai-khoan/dang-ky/"
VERIFY = "/tai-khoan/xac-thuc/"
SIGNIN = "/tai-khoan/dang-nhap/"
PROFILE = "/tai-khoan/ho-so/"
VERIFY_CONTACT = "/tai-khoan/ho-so/xac-thuc/"


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    load_default_templates()


def _code_sent_to(recipient: str) -> str:
    message = OutboxMessage.objects.filter(
        template_code="account.verification", recipient=recipient
    ).latest("pk")
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None, message.body
    return found.group(1)


def _other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _sign_up(client: Client, contact: str = EMAIL, **changes: str) -> Any:
    data = {
        "full_name": "Nguyễn Văn An",
        "contact": contact,
        "applicant_kind": "citizen",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **changes,
    }
    return client.post(SIGNUP, data)


def _sign_in(client: Client, identifier: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(SIGNIN, {"identifier": identifier, "password": password, **extra})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _age_codes(user: User, minutes: int = 2) -> None:
    """Move the codes back in time, past the resend interval."""
    ContactVerification.objects.filter(user=user).update(
        created_at=F("created_at") - timedelta(minutes=minutes)
    )


def _new_citizen(contact: str = EMAIL) -> User:
    user = do_sign_up(full_name="Nguyễn Văn An", contact=contact, password=PASSWORD).user
    assert user is not None
    return user


# --- Sign-up, code, sign-in ---------------------------------------------------------------------


def test_sign_up_then_code_from_the_email_then_sign_in() -> None:
    client = Client()
    assert client.get(SIGNUP).status_code == 200
    response = _sign_up(client)
    assert response.status_code == 302 and response["Location"] == VERIFY
    user = User.objects.get(email=EMAIL)
    assert user.kind == User.Kind.CITIZEN and user.full_name == "Nguyễn Văn An"
    assert CitizenProfile.objects.get(user=user).email_verified_at is None

    # The code travels as an e-mail through the outbox; only its keyed hash is stored.
    message = OutboxMessage.objects.get(template_code="account.verification")
    assert (message.channel, message.recipient) == ("email", EMAIL)
    do_deliver(message.pk)
    code = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert code is not None and mail.outbox[-1].to == [EMAIL]
    stored = ContactVerification.objects.get(user=user)
    assert code.group(1) not in (stored.code_hash, stored.salt)
    page = client.get(VERIFY).content.decode()
    assert "an•••@example.vn" in page

    # Not verified yet: the right password does not sign in, it asks for the code.
    other = Client()
    refused = _sign_in(other, EMAIL)
    assert refused.status_code == 302 and refused["Location"] == VERIFY
    assert not _signed_in(other)

    verified = client.post(VERIFY, {"code": code.group(1)})
    assert verified.status_code == 302 and verified["Location"].startswith(SIGNIN)
    assert CitizenProfile.objects.get(user=user).email_verified_at is not None

    signed_in = _sign_in(client, "  AN.NGUYEN@example.VN ")
    assert signed_in.status_code == 302 and signed_in["Location"] == PROFILE
    assert _signed_in(client)
    assert "Nguyễn Văn An" in client.get(PROFILE).content.decode()
    assert AuditEvent.objects.filter(action="signin.success", actor=user).exists()


def test_sign_up_with_a_phone_sends_an_sms_and_signs_in_with_the_phone() -> None:
    client = Client()
    assert _sign_up(client, contact="091 234 5699").status_code == 302
    user = User.objects.get(phone="0912345699")
    message = OutboxMessage.objects.get(template_code="account.verification")
    assert (message.channel, message.recipient) == ("sms", "+84912345699")
    assert client.post(VERIFY, {"code": _code_sent_to("+84912345699")}).status_code == 302
    assert CitizenProfile.objects.get(user=user).phone_verified_at is not None
    response = _sign_in(client, "+84 912 345 699")
    assert response.status_code == 302 and _signed_in(client)


def test_sign_up_refuses_bad_input_in_vietnamese_and_saves_nothing() -> None:
    client = Client()
    cases = [
        ({"contact": "0123456"}, "Nhập địa chỉ thư điện tử hoặc số điện thoại di động"),
        ({"contact": "an@"}, "Địa chỉ thư điện tử không hợp lệ"),
        ({"password_again": "khac-mat-khau-1"}, "Hai lần nhập mật khẩu không giống nhau"),
        ({"password": "12345678901", "password_again": "12345678901"}, "Mật khẩu"),
        ({"full_name": ""}, "Họ và tên"),
    ]
    for changes, expected in cases:
        response = _sign_up(client, **changes)
        page = response.content.decode()
        assert response.status_code == 200, changes
        assert expected in page, (changes, page)
        assert 'class="error-summary"' in page and 'aria-invalid="true"' in page
    assert not User.objects.filter(kind=User.Kind.CITIZEN).exists()
    assert not OutboxMessage.objects.exists()


def test_an_abandoned_unverified_sign_up_does_not_hold_the_address_forever() -> None:
    squatter = _new_citizen()
    User.objects.filter(pk=squatter.pk).update(date_joined=timezone.now() - timedelta(days=2))
    assert _sign_up(Client(), full_name="Chủ thật của địa chỉ").status_code == 302
    owner = User.objects.get(email=EMAIL)
    assert owner.pk != squatter.pk
    squatter.refresh_from_db()
    assert (squatter.email, squatter.is_active) == ("", False)


def test_sign_ups_from_one_address_are_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citizen_accounts, "MAX_SIGNUPS_PER_ADDRESS_PER_HOUR", 2)
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert _sign_up(client, contact="a1@example.vn").status_code == 302
    assert _sign_up(client, contact="a2@example.vn").status_code == 302
    response = _sign_up(client, contact="a3@example.vn")
    assert "quá nhiều tài khoản" in response.content.decode()
    assert not User.objects.filter(email="a3@example.vn").exists()


# --- Codes --------------------------------------------------------------------------------------


def test_wrong_codes_are_counted_and_the_sixth_try_fails_even_with_the_right_code() -> None:
    user = _new_citizen()
    code = _code_sent_to(EMAIL)
    for tries_left in (4, 3, 2, 1):
        with pytest.raises(DomainError, match=f"Còn {tries_left} lần thử"):
            do_verify_contact(user, Channel.EMAIL, _other_code(code))
    with pytest.raises(DomainError, match="yêu cầu gửi mã mới"):
        do_verify_contact(user, Channel.EMAIL, _other_code(code))
    with pytest.raises(DomainError, match="quá số lần"):
        do_verify_contact(user, Channel.EMAIL, code)
    assert CitizenProfile.objects.get(user=user).email_verified_at is None
    assert AuditEvent.objects.filter(action="citizen.code_refused", actor=user).count() == 5

    _age_codes(user)
    do_resend_code(user, Channel.EMAIL)
    do_verify_contact(user, Channel.EMAIL, _code_sent_to(EMAIL))
    assert CitizenProfile.objects.get(user=user).email_verified_at is not None


def test_an_expired_code_is_refused() -> None:
    user = _new_citizen()
    ContactVerification.objects.filter(user=user).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(DomainError, match="hết hạn"):
        do_verify_contact(user, Channel.EMAIL, _code_sent_to(EMAIL))
    assert CitizenProfile.objects.get(user=user).email_verified_at is None


def test_a_code_is_valid_for_fifteen_minutes() -> None:
    user = _new_citizen()
    verification = ContactVerification.objects.get(user=user)
    assert verification.expires_at - verification.created_at == timedelta(minutes=15)


def test_a_used_code_cannot_be_replayed() -> None:
    user = _new_citizen()
    code = _code_sent_to(EMAIL)
    do_verify_contact(user, Channel.EMAIL, code)
    with pytest.raises(DomainError, match="đã dùng"):
        do_verify_contact(user, Channel.EMAIL, code)


def test_a_resent_code_replaces_the_old_one() -> None:
    user = _new_citizen()
    old = _code_sent_to(EMAIL)
    _age_codes(user)
    do_resend_code(user, Channel.EMAIL)
    new = _code_sent_to(EMAIL)
    if old != new:  # one chance in a million that the two codes are equal
        with pytest.raises(DomainError):
            do_verify_contact(user, Channel.EMAIL, old)
    do_verify_contact(user, Channel.EMAIL, new)


def test_resending_is_limited() -> None:
    user = _new_citizen()
    with pytest.raises(DomainError, match="Vui lòng chờ"):
        do_resend_code(user, Channel.EMAIL)
    for _ in range(4):  # the sign-up code and four more make five in one hour
        _age_codes(user)
        do_resend_code(user, Channel.EMAIL)
    _age_codes(user)
    with pytest.raises(DomainError, match="quá số lần cho phép trong một giờ"):
        do_resend_code(user, Channel.EMAIL)
    assert OutboxMessage.objects.filter(template_code="account.verification").count() == 5


def test_resend_button_on_the_verify_page() -> None:
    client = Client()
    _sign_up(client)
    response = client.post(VERIFY, {"action": "resend"}, follow=True)
    assert "Vui lòng chờ" in response.content.decode()
    _age_codes(User.objects.get(email=EMAIL))
    response = client.post(VERIFY, {"action": "resend"}, follow=True)
    assert "Đã gửi mã xác thực mới" in response.content.decode()


def test_wrong_code_on_the_page_is_shown_beside_the_field() -> None:
    client = Client()
    _sign_up(client)
    response = client.post(VERIFY, {"code": _other_code(_code_sent_to(EMAIL))})
    page = response.content.decode()
    assert response.status_code == 200 and "Mã xác thực không đúng" in page
    assert 'id="id_code_error"' in page and 'aria-describedby="id_code_error"' in page


# --- Sign-in ------------------------------------------------------------------------------------


def test_every_sign_in_failure_gives_the_same_message(personas: Personas, settings: Any) -> None:
    settings.SIGNIN_MAX_FAILURES = 2
    staff = personas.officer_a
    User.objects.filter(pk=staff.pk).update(email="motcua.a@example.vn")
    citizen = personas.citizen
    attempts = [
        ("khong.co@example.vn", PASSWORD),  # no such account
        ("khong-phai-email-hay-so", PASSWORD),
        (citizen.email, "sai-mat-khau"),
        ("motcua.a@example.vn", DEMO_PASSWORD),  # a staff account, right password
        (staff.username, DEMO_PASSWORD),
        (citizen.phone, "sai-mat-khau"),  # second failure: the account is now locked
        (citizen.email, DEMO_PASSWORD),  # locked: right password refused the same way
    ]
    for identifier, password in attempts:
        client = Client()
        response = _sign_in(client, identifier, password)
        assert response.status_code == 200, identifier
        assert SIGNIN_FAILURE in response.content.decode(), identifier
        assert not _signed_in(client)
    citizen.refresh_from_db()
    assert citizen.is_locked()
    assert AuditEvent.objects.filter(action="signin.locked", actor=citizen).exists()


def test_a_citizen_signs_in_with_email_or_phone(personas: Personas) -> None:
    for identifier in (personas.citizen.email, "0912 345 678"):
        client = Client()
        response = _sign_in(client, identifier, DEMO_PASSWORD)
        assert response.status_code == 302 and _signed_in(client), identifier


def test_many_failures_from_one_address_throttle_it(personas: Personas, settings: Any) -> None:
    settings.SIGNIN_MAX_FAILURES_PER_ADDRESS = 3
    for number in range(3):
        _sign_in(Client(REMOTE_ADDR="198.51.100.7"), f"nguoi{number}@example.vn")
    client = Client(REMOTE_ADDR="198.51.100.7")
    response = _sign_in(client, personas.citizen.email, DEMO_PASSWORD)
    assert SIGNIN_FAILURE in response.content.decode() and not _signed_in(client)
    assert AuditEvent.objects.filter(action="signin.throttled").exists()
    elsewhere = Client(REMOTE_ADDR="198.51.100.8")
    assert _sign_in(elsewhere, personas.citizen.email, DEMO_PASSWORD).status_code == 302


def test_staff_sign_in_refuses_citizens(personas: Personas) -> None:
    response = Client().post(
        "/dang-nhap/", {"username": personas.citizen.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200 and "không đúng" in response.content.decode()


def test_sign_in_honours_a_safe_next_only(personas: Personas) -> None:
    client = Client()
    response = _sign_in(client, personas.citizen.email, DEMO_PASSWORD, next="/dich-vu-cong/")
    assert response["Location"] == "/dich-vu-cong/"
    client = Client()
    response = _sign_in(client, personas.citizen.email, DEMO_PASSWORD, next="https://evil.example/")
    assert response["Location"] == PROFILE


def test_citizen_pages_send_visitors_to_sign_in_and_refuse_staff(personas: Personas) -> None:
    response = Client().get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{SIGNIN}?next=/tai-khoan/ho-so/"
    assert client_for(personas.officer_a).get(PROFILE).status_code == 403


def test_sign_out(personas: Personas) -> None:
    client = client_for(personas.citizen)
    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302 and not _signed_in(client)


def test_portal_header_offers_sign_in_or_shows_the_account(personas: Personas) -> None:
    anonymous = Client().get("/dich-vu-cong/").content.decode()
    assert f'href="{SIGNIN}"' in anonymous and f'href="{SIGNUP}"' in anonymous
    page = client_for(personas.citizen).get("/dich-vu-cong/").content.decode()
    assert "Nguyễn Thị Hồng Nhung" in page and 'action="/tai-khoan/dang-xuat/"' in page
    assert f'href="{SIGNIN}"' not in page


# --- Profile ------------------------------------------------------------------------------------


def _profile_form(user: User, **changes: str) -> dict[str, str]:
    profile = CitizenProfile.objects.get(user=user)
    data = {
        "full_name": user.full_name,
        "applicant_kind": profile.applicant_kind,
        "personal_id": profile.personal_id,
        "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else "",
        "address": profile.address,
        "commune": str(profile.commune_id or ""),
        "email": user.email,
        "phone": user.phone,
        "enterprise_code": profile.enterprise_code,
        "organisation_name": profile.organisation_name,
    }
    return {**data, **changes}


@pytest.fixture
def communes(db: None) -> list[AdministrativeUnit]:
    province = AdministrativeUnit.objects.create(
        code="99", name="Tỉnh Thử nghiệm", division_type="tỉnh", level="province"
    )
    former = AdministrativeUnit.objects.create(
        code="99901", name="Xã Đã Sáp Nhập", division_type="xã", level="commune",
        parent=province, valid_to=date(2025, 6, 30),
    )  # fmt: skip
    current = [
        AdministrativeUnit.objects.create(
            code=f"9990{n}", name=name, division_type="xã", level="commune", parent=province
        )
        for n, name in ((2, "Phường Hiến Nam"), (3, "Xã Tân Hưng"))
    ]
    return [*current, former]


def test_profile_saves_identity_and_address(personas: Personas, communes: Any) -> None:
    user = personas.citizen
    client = client_for(user)
    page = client.get(PROFILE).content.decode()
    assert '<optgroup label="Tỉnh Thử nghiệm">' in page and "Xã Tân Hưng" in page
    assert "Xã Đã Sáp Nhập" not in page  # former communes are not offered
    data = _profile_form(
        user,
        full_name="Nguyễn Thị Hồng  Nhung",
        personal_id="001 190 099 999",
        date_of_birth="17/05/1990",
        address="Số 5 ngõ 3 phố Hiến",
        commune=str(communes[1].pk),
    )
    response = client.post(PROFILE, data)
    assert response.status_code == 302 and response["Location"] == PROFILE
    profile = CitizenProfile.objects.get(user=user)
    assert (profile.personal_id, profile.date_of_birth) == ("001190099999", date(1990, 5, 17))
    assert (profile.address, profile.commune) == ("Số 5 ngõ 3 phố Hiến", communes[1])
    event = AuditEvent.objects.filter(action="citizen.profile_updated").latest("seq")
    assert event.after is not None and "personal_id" in event.after["changed"]
    assert "001190099999" not in str(event.after)  # no personal data in the permanent log


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"personal_id": "00119001234"}, identity.PERSONAL_ID_FORMAT),
        ({"personal_id": "999190012345"}, identity.PERSONAL_ID_PROVINCE),
        ({"personal_id": "001190012345", "date_of_birth": "1991-05-17"}, identity.PERSONAL_ID_DOB),
        ({"personal_id": "001999012345"}, identity.PERSONAL_ID_YEAR),
        ({"date_of_birth": "2999-01-01"}, identity.DOB_FUTURE),
        ({"date_of_birth": "1899-12-31"}, identity.DOB_TOO_EARLY),
        ({"phone": "0212345678"}, identity.PHONE_FORMAT),
        ({"phone": "09123"}, identity.PHONE_FORMAT),
        ({"applicant_kind": "enterprise", "organisation_name": "Công ty A"}, "mã số doanh nghiệp"),
        (
            {
                "applicant_kind": "enterprise",
                "enterprise_code": "01012345",
                "organisation_name": "A",
            },
            identity.ENTERPRISE_CODE_FORMAT,
        ),
    ],
)
def test_profile_refuses_bad_values_and_saves_nothing(
    personas: Personas, changes: dict[str, str], expected: str
) -> None:
    user = personas.citizen
    before = (
        CitizenProfile.objects.filter(user=user).values().get(),
        User.objects.filter(pk=user.pk).values("full_name", "email", "phone").get(),
    )
    response = client_for(user).post(PROFILE, _profile_form(user, full_name="Tên mới", **changes))
    page = response.content.decode()
    assert response.status_code == 200
    assert expected in page
    assert 'class="error-summary"' in page
    after = (
        CitizenProfile.objects.filter(user=user).values().get(),
        User.objects.filter(pk=user.pk).values("full_name", "email", "phone").get(),
    )
    assert after == before
    assert not OutboxMessage.objects.exists()


def test_personal_id_of_another_account_is_refused(personas: Personas) -> None:
    other = CitizenProfile.objects.get(user=personas.citizen_b)
    data = _profile_form(
        personas.citizen,
        personal_id=other.personal_id,
        date_of_birth=other.date_of_birth.isoformat() if other.date_of_birth else "",
    )
    response = client_for(personas.citizen).post(PROFILE, data)
    assert "đã gắn với một tài khoản khác" in response.content.decode()


def test_an_enterprise_keeps_its_code_and_name(personas: Personas) -> None:
    user = personas.citizen
    data = _profile_form(
        user,
        applicant_kind="enterprise",
        enterprise_code="0101234567001",
        organisation_name="Công ty TNHH Thử nghiệm",
    )
    assert client_for(user).post(PROFILE, data).status_code == 302
    profile = CitizenProfile.objects.get(user=user)
    assert profile.enterprise_code == "0101234567-001"
    assert profile.organisation_name == "Công ty TNHH Thử nghiệm"


def test_a_new_email_applies_only_once_its_code_is_entered(personas: Personas) -> None:
    user = personas.citizen
    client = client_for(user)
    old = user.email
    response = client.post(PROFILE, _profile_form(user, email="nhung.moi@example.vn"))
    assert response.status_code == 302 and response["Location"] == VERIFY_CONTACT
    user.refresh_from_db()
    assert user.email == old  # still the proven address
    page = client.get(VERIFY_CONTACT).content.decode()
    assert "nhung.moi@example.vn" in page

    code = _code_sent_to("nhung.moi@example.vn")
    wrong = client.post(VERIFY_CONTACT, {"channel": "email", "email-code": _other_code(code)})
    assert "Mã xác thực không đúng" in wrong.content.decode()
    done = client.post(VERIFY_CONTACT, {"channel": "email", "email-code": code}, follow=True)
    assert done.redirect_chain[-1][0] == PROFILE
    user.refresh_from_db()
    assert user.email == "nhung.moi@example.vn"
    assert SIGNIN_FAILURE in _sign_in(Client(), old, DEMO_PASSWORD).content.decode()
    assert _sign_in(Client(), "nhung.moi@example.vn", DEMO_PASSWORD).status_code == 302

    replay = client.post(VERIFY_CONTACT, {"channel": "email", "email-code": code})
    assert replay.status_code == 302 and replay["Location"] == PROFILE  # nothing pending


def test_a_new_phone_needs_its_code_too(personas: Personas) -> None:
    user = personas.citizen
    client = client_for(user)
    client.post(PROFILE, _profile_form(user, phone="+84 977 000 111"))
    user.refresh_from_db()
    assert user.phone == "0912345678"
    client.post(VERIFY_CONTACT, {"channel": "phone", "phone-code": _code_sent_to("+84977000111")})
    user.refresh_from_db()
    assert user.phone == "0977000111"


def test_one_proven_contact_must_remain(personas: Personas) -> None:
    user = personas.citizen
    client = client_for(user)
    refused = client.post(PROFILE, _profile_form(user, email="", phone=""))
    assert "Cần giữ ít nhất một địa chỉ đã xác thực" in refused.content.decode()
    assert client.post(PROFILE, _profile_form(user, email="")).status_code == 302
    user.refresh_from_db()
    profile = CitizenProfile.objects.get(user=user)
    assert (user.email, profile.email_verified_at, user.phone) == ("", None, "0912345678")


# --- Message templates and the demo -------------------------------------------------------------


def test_the_code_messages_render_in_vietnamese_and_fit_one_sms() -> None:
    from chinhquyen.notifications.actions import render_message
    from chinhquyen.notifications.queries import active_template

    context = {"ho_ten": "Nguyễn Văn An", "ma_xac_thuc": "123456", "so_phut": 15}
    subject, body = render_message(
        active_template("account.verification", "email", on=date.today()), context
    )
    assert subject == "Mã xác thực tài khoản dịch vụ công"
    assert "Kính gửi Ông/Bà Nguyễn Văn An" in body and "123456" in body and "15 phút" in body
    _, sms = render_message(
        active_template("account.verification", "sms", on=date.today()), context
    )
    # Without diacritics the text stays in the GSM 7-bit alphabet: one 160-character SMS.
    assert "123456" in sms and len(sms) <= 160 and sms.isascii()


def test_demo_citizen_signs_in_with_the_demo_password() -> None:
    from chinhquyen.core.demo.loader import load_demo
    from chinhquyen.core.demo.personas import CITIZEN_PERSONAS

    load_demo()
    persona = CITIZEN_PERSONAS[0]
    user = User.objects.get(username=persona.username)
    profile = CitizenProfile.objects.get(user=user)
    assert profile.personal_id == persona.personal_id and profile.commune is not None
    assert profile.commune.valid_to is None and profile.commune.parent is not None
    assert profile.commune.parent.code == "33"
    for identifier in (persona.email, persona.phone):
        client = Client()
        assert _sign_in(client, identifier, persona.password).status_code == 302, identifier
