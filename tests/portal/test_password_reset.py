"""“Quên mật khẩu” (/tai-khoan/quen-mat-khau/): a code sent through the outbox to the proven
e-mail or phone, then a new password; the same answers whether or not the address has an
account (Decree 13/2023/NĐ-CP, ADR 0013); every session of the account ends."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db.models import F
from django.test import Client
from django.utils import timezone

from chinhquyen.audit.models import AuditEvent
from chinhquyen.notifications.actions import do_deliver, render_message
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.citizens import (
    ExternalClaims,
    do_sign_in_with_external_identity,
    do_sweep_spent_codes,
    do_verify_contact,
    pending_verification,
)
from chinhquyen.org.citizens import password_reset as reset_actions
from chinhquyen.org.models import ContactVerification, User
from chinhquyen.portal.account_views import RESET_KEY, mask
from tests.conftest import Personas, client_for
from tests.factories import DEMO_PASSWORD
from tests.portal.test_account_privacy import _page
from tests.portal.test_accounts import PROFILE, SIGNIN, _new_citizen, _sign_in, _signed_in

pytestmark = pytest.mark.django_db

RESET = "/tai-khoan/quen-mat-khau/"
CODE = "/tai-khoan/quen-mat-khau/ma/"
NEW_PASSWORD = "Mat-khau-moi-cua-toi-2027"
UNKNOWN = "khong.co.ai@example.vn"
RESET_TEMPLATE = "account.password_reset"
CHANGED_TEMPLATE = "account.password_changed"


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    load_default_templates()


def _ask(client: Client, contact: str) -> Any:
    return client.post(RESET, {"contact": contact})


def _reset(client: Client, code: str, password: str = NEW_PASSWORD, **extra: str) -> Any:
    data = {"code": code, "password": password, "password_again": password, **extra}
    return client.post(CODE, data)


def _codes_sent(recipient: str) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(template_code=RESET_TEMPLATE, recipient=recipient).order_by(
            "pk"
        )
    )


def _code_in(message: OutboxMessage) -> str:
    found = re.findall(r"(?<!\d)\d{6}(?!\d)", message.body)
    assert found, message.body
    return found[-1]


def _age(client: Client, minutes: int) -> None:
    """Move the session's code and every reset code row back in time."""
    session = client.session
    state = session[RESET_KEY]
    state["code"]["sent_at"] = [at - minutes * 60 for at in state["code"]["sent_at"]]
    session[RESET_KEY] = state
    session.save()
    ContactVerification.objects.filter(purpose="password_reset").update(
        created_at=F("created_at") - timedelta(minutes=minutes),
        expires_at=F("expires_at") - timedelta(minutes=minutes),
    )


# --- The whole flow -----------------------------------------------------------------------------


def test_reset_by_email_changes_the_password_and_ends_every_session(personas: Personas) -> None:
    citizen = personas.citizen
    elsewhere = client_for(citizen)  # signed in on another device
    assert elsewhere.get(PROFILE).status_code == 200
    client = Client()
    assert 'href="/tai-khoan/quen-mat-khau/"' in client.get(SIGNIN).content.decode()
    assert client.get(RESET).status_code == 200

    asked = _ask(client, "  NHUNG.NGUYEN@example.VN ")
    assert asked.status_code == 302 and asked["Location"] == CODE
    assert "NH•••@example.vn" in client.get(CODE).content.decode()  # as typed
    # The code travels as an e-mail through the outbox, like the sign-up code.
    [message] = _codes_sent(citizen.email)
    assert message.channel == "email" and "Mã đặt lại mật khẩu" in message.subject
    do_deliver(message.pk)
    assert mail.outbox[-1].to == [citizen.email]
    code = _code_in(message)
    assert code in str(mail.outbox[-1].body)

    done = _reset(client, code)
    assert done.status_code == 302 and done["Location"] == SIGNIN
    page = client.get(SIGNIN).content.decode()
    assert "Đã đặt mật khẩu mới. Mời bạn đăng nhập bằng mật khẩu mới." in page
    assert RESET_KEY not in client.session and not _signed_in(client)

    # The other device is signed out (the session auth hash changed with the password).
    gone = elsewhere.get(PROFILE)
    assert gone.status_code == 302 and SIGNIN in gone["Location"]
    assert "_auth_user_id" not in elsewhere.session
    # The old password no longer works, the new one does.
    old = Client()
    assert _sign_in(old, citizen.email, DEMO_PASSWORD).status_code == 200 and not _signed_in(old)
    fresh = Client()
    assert _sign_in(fresh, citizen.phone, NEW_PASSWORD).status_code == 302 and _signed_in(fresh)

    # The code is spent, the change audited, the owner told on both proven contacts.
    row = ContactVerification.objects.get(user=citizen, purpose="password_reset")
    assert row.used_at is not None
    event = AuditEvent.objects.get(action="citizen.password_reset")
    assert event.object_id == str(citizen.pk) and event.actor_id == citizen.pk
    assert event.after == {"channel": "email", "had_password": True}
    assert NEW_PASSWORD not in str(event.__dict__)
    told = OutboxMessage.objects.filter(template_code=CHANGED_TEMPLATE)
    assert sorted(told.values_list("recipient", flat=True)) == ["+84912345678", citizen.email]
    notice = told.get(channel="email")
    assert "đã được đặt lại" in notice.body and "/tai-khoan/quen-mat-khau/" in notice.body
    assert all(len(m.body) <= 160 and m.body.isascii() for m in told.filter(channel="sms"))


def test_reset_by_phone_sends_an_sms_and_stores_argon2(personas: Personas, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["chinhquyen.core.hashers.Argon2idHasher"]
    client = Client()
    assert _ask(client, "0912 345 678")["Location"] == CODE
    [message] = _codes_sent("+84912345678")
    assert message.channel == "sms" and len(message.body) <= 160 and message.body.isascii()
    assert _reset(client, _code_in(message)).status_code == 302
    personas.citizen.refresh_from_db()
    assert personas.citizen.password.startswith("argon2")
    assert personas.citizen.check_password(NEW_PASSWORD)


# --- Nobody learns whether an address has an account --------------------------------------------


@pytest.mark.parametrize("channel", ["email", "phone"])
def test_an_unknown_address_gets_the_same_answer_as_a_known_one(
    personas: Personas, channel: str
) -> None:
    known = personas.citizen.email if channel == "email" else personas.citizen.phone
    unknown = UNKNOWN if channel == "email" else "0977000111"
    real, decoy = Client(), Client()
    answered, expected = _ask(decoy, unknown), _ask(real, known)
    assert (answered.status_code, answered["Location"]) == (expected.status_code, CODE)
    assert answered.content == expected.content
    assert sorted(answered.headers) == sorted(expected.headers)
    assert sorted(answered.cookies) == sorted(expected.cookies)
    decoy_mask, real_mask = (
        mask(channel, decoy.session[RESET_KEY]["code"]["destination"]),
        mask(channel, real.session[RESET_KEY]["code"]["destination"]),
    )
    assert _page(decoy.get(CODE), decoy_mask) == _page(real.get(CODE), real_mask)
    # The same session state, with no id of an account in it.
    state, other = decoy.session[RESET_KEY], real.session[RESET_KEY]
    assert set(state) == set(other) and set(state["code"]) == set(other["code"])
    assert personas.citizen.pk not in other["code"].values()
    # Only the known address got a code; both requests are audited.
    assert OutboxMessage.objects.filter(template_code=RESET_TEMPLATE).count() == 1
    events = AuditEvent.objects.filter(action="citizen.password_reset_requested").order_by("seq")
    assert [e.object_id for e in events] == ["", str(personas.citizen.pk)]
    assert [(e.after or {})["sent"] for e in events] == [False, True]


def test_every_code_is_refused_alike_with_and_without_an_account(personas: Personas) -> None:
    real, decoy = Client(), Client()
    _ask(real, personas.citizen.email)
    _ask(decoy, UNKNOWN)
    code = _code_in(_codes_sent(personas.citizen.email)[0])
    real_mask, decoy_mask = mask("email", personas.citizen.email), mask("email", UNKNOWN)
    wrongs = [f"{n:06d}" for n in range(8) if f"{n:06d}" != code][:7]
    for number, wrong in enumerate(wrongs):  # four "tries left", the fifth, then too many
        answered, expected = _reset(decoy, wrong), _reset(real, wrong)
        assert answered.status_code == expected.status_code == 200
        assert sorted(answered.cookies) == sorted(expected.cookies)
        assert _page(answered, decoy_mask) == _page(expected, real_mask), number
        if number == 0:
            assert "Mã xác thực không đúng, đã dùng hoặc đã hết hạn. Còn 4 lần thử." in (
                expected.content.decode()
            )
    assert "quá số lần cho phép" in expected.content.decode()
    # Exhausted: even the right code is refused now, and nothing changed.
    assert "quá số lần cho phép" in _reset(real, code).content.decode()
    personas.citizen.refresh_from_db()
    assert personas.citizen.check_password(DEMO_PASSWORD)
    refused = AuditEvent.objects.filter(action="citizen.password_reset_code_refused")
    assert refused.count() == 10  # 5 counted attempts on each path


def test_the_same_message_work_is_done_either_way(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []

    def counting(template: Any, context: dict[str, Any]) -> tuple[str, str]:
        rendered.append(template.code)
        return render_message(template, context)

    monkeypatch.setattr(reset_actions, "render_message", counting)
    monkeypatch.setattr("chinhquyen.notifications.actions.render_message", counting)
    _ask(Client(), UNKNOWN)
    _ask(Client(), personas.citizen.email)
    assert rendered == [RESET_TEMPLATE, RESET_TEMPLATE]


def test_a_code_is_refused_once_the_address_left_the_account(personas: Personas) -> None:
    client, citizen = Client(), personas.citizen
    _ask(client, citizen.email)
    code = _code_in(_codes_sent(citizen.email)[0])
    User.objects.filter(pk=citizen.pk).update(email="dia.chi.moi@example.vn")
    assert "Mã xác thực không đúng" in _reset(client, code).content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(DEMO_PASSWORD)
    assert ContactVerification.objects.get(user=citizen).used_at is None


@pytest.mark.parametrize("holder", ["unverified", "staff", "inactive"])
def test_no_code_for_an_account_that_may_not_reset(personas: Personas, holder: str) -> None:
    if holder == "unverified":
        contact = _new_citizen("chua.xac.thuc@example.vn").email
    elif holder == "staff":
        contact = personas.officer_a.email = "motcua.a@example.vn"
        personas.officer_a.save()
    else:
        User.objects.filter(pk=personas.citizen.pk).update(is_active=False)
        contact = personas.citizen.email
    client = Client()
    assert _ask(client, contact)["Location"] == CODE
    assert not OutboxMessage.objects.filter(template_code=RESET_TEMPLATE).exists()
    assert "Còn 4 lần thử" in _reset(client, "123456").content.decode()


# --- Refusals leave nothing half-done ---------------------------------------------------------


def test_an_expired_code_is_refused(personas: Personas) -> None:
    client = Client()
    _ask(client, personas.citizen.email)
    code = _code_in(_codes_sent(personas.citizen.email)[0])
    _age(client, minutes=16)
    refused = _reset(client, code).content.decode()
    assert "Mã xác thực không đúng, đã dùng hoặc đã hết hạn. Hãy yêu cầu gửi mã mới." in refused
    personas.citizen.refresh_from_db()
    assert personas.citizen.check_password(DEMO_PASSWORD)


def test_a_weak_password_changes_nothing_and_keeps_the_code(personas: Personas) -> None:
    client, citizen = Client(), personas.citizen
    elsewhere = client_for(citizen)
    _ask(client, citizen.email)
    code = _code_in(_codes_sent(citizen.email)[0])
    for weak in ("12345678901", "ngan", "nhung.nguyen@example.vn"):
        page = _reset(client, code, weak)
        assert page.status_code == 200 and "Cần sửa thông tin" in page.content.decode()
    mismatch = _reset(client, code, password_again="Khac-hoan-toan-2027")
    assert "Hai lần nhập mật khẩu không giống nhau" in mismatch.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(DEMO_PASSWORD)
    assert ContactVerification.objects.get(user=citizen).used_at is None
    assert not AuditEvent.objects.filter(action="citizen.password_reset").exists()
    assert not OutboxMessage.objects.filter(template_code=CHANGED_TEMPLATE).exists()
    assert elsewhere.get(PROFILE).status_code == 200
    # The code still works with an acceptable password.
    assert _reset(client, code)["Location"] == SIGNIN


def test_a_code_works_once_and_the_lock_is_lifted(personas: Personas) -> None:
    citizen = personas.citizen
    User.objects.filter(pk=citizen.pk).update(
        failed_signins=5, locked_until=timezone.now() + timedelta(minutes=15)
    )
    client = Client()
    _ask(client, citizen.email)
    code = _code_in(_codes_sent(citizen.email)[0])
    assert _reset(client, code)["Location"] == SIGNIN
    citizen.refresh_from_db()
    assert (citizen.failed_signins, citizen.locked_until) == (0, None)
    # The same session again (state gone) is sent back to ask for a new code.
    again = _reset(client, code, "Mot-mat-khau-khac-2028")
    assert again.status_code == 302 and again["Location"] == RESET


# --- Sending limits -----------------------------------------------------------------------------


def test_resend_limits_are_those_of_a_sign_up_code(personas: Personas) -> None:
    client, email = Client(), personas.citizen.email
    _ask(client, email)
    _ask(client, email)  # a double click keeps the code already sent
    assert len(_codes_sent(email)) == 1
    too_soon = client.post(CODE, {"action": "resend"}, follow=True).content.decode()
    assert "Vui lòng chờ" in too_soon
    _age(client, minutes=2)
    sent = client.post(CODE, {"action": "resend"}, follow=True).content.decode()
    assert "Đã gửi mã xác thực mới" in sent
    first, second = _codes_sent(email)
    # The session follows the newest code: the first no longer works here.
    assert "Còn 4 lần thử" in _reset(client, _code_in(first)).content.decode()
    assert _reset(client, _code_in(second))["Location"] == SIGNIN


def test_the_owner_gets_no_more_codes_than_the_limit_allows(personas: Personas) -> None:
    email = personas.citizen.email
    _ask(Client(), email)
    other = Client()  # another session, within a minute: a page alike, no second message
    assert _ask(other, email)["Location"] == CODE
    assert len(_codes_sent(email)) == 1
    assert "Còn 4 lần thử" in _reset(other, _code_in(_codes_sent(email)[0])).content.decode()
    events = AuditEvent.objects.filter(action="citizen.password_reset_requested").order_by("seq")
    assert [(e.after or {})["sent"] for e in events] == [True, False]


def test_requests_from_one_address_are_limited(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reset_actions, "MAX_SIGNUPS_PER_ADDRESS_PER_HOUR", 2)
    client = Client(REMOTE_ADDR="203.0.113.41")
    assert _ask(client, personas.citizen.email).status_code == 302
    assert _ask(client, UNKNOWN).status_code == 302
    refused = _ask(client, personas.citizen_b.email)
    assert refused.status_code == 200 and "quá nhiều yêu cầu" in refused.content.decode()
    assert not _codes_sent(personas.citizen_b.email)


# --- Codes of one purpose only ------------------------------------------------------------------


def test_a_reset_code_does_not_prove_a_contact(personas: Personas) -> None:
    citizen = personas.citizen
    _ask(Client(), citizen.email)
    assert pending_verification(citizen, "email") is None
    code = _code_in(_codes_sent(citizen.email)[0])
    with pytest.raises(Exception, match="Mã xác thực không đúng"):
        do_verify_contact(citizen, "email", code)


def test_a_spent_reset_code_is_blanked_by_the_sweep(personas: Personas) -> None:
    client = Client()
    _ask(client, personas.citizen.email)
    message = _codes_sent(personas.citizen.email)[0]
    do_deliver(message.pk)
    code = _code_in(message)
    _reset(client, code)
    assert do_sweep_spent_codes().blanked == 1
    message.refresh_from_db()
    assert code not in message.body and "••••••" in message.body


# --- Accounts created through OpenID Connect ----------------------------------------------------


def oidc_only_citizen() -> User:
    """An account the identity provider made (no usable password), e-mail cuong.le@example.vn."""
    claims = ExternalClaims(
        issuer="https://id.example.vn",
        subject="sub-1",
        full_name="Lê Văn Cường",
        email="cuong.le@example.vn",
        email_verified=True,
    )
    return do_sign_in_with_external_identity(claims, source_address="")


def test_an_account_made_by_the_identity_provider_may_set_a_password() -> None:
    user = oidc_only_citizen()
    assert not user.has_usable_password()
    client = Client()
    _ask(client, "cuong.le@example.vn")
    assert _reset(client, _code_in(_codes_sent("cuong.le@example.vn")[0]))["Location"] == SIGNIN
    signed = Client()
    assert _sign_in(signed, "cuong.le@example.vn", NEW_PASSWORD).status_code == 302
    assert _signed_in(signed)
    event = AuditEvent.objects.get(action="citizen.password_reset")
    assert event.after == {"channel": "email", "had_password": False}
