"""Sign-up and a profile change do not tell whether an e-mail address or phone has an account
(Decree 13/2023/NĐ-CP, ADR 0013): the same pages as for a free address, nothing created, the
owner told instead (once an hour at most), every code refused, an audit row."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.test import Client
from django.utils import timezone

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.notifications.actions import render_message
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.notifications.queries import active_template
from chinhquyen.org.citizens import DecoyCode, check_decoy_code, do_sign_up, parse_contact
from chinhquyen.org.citizens import accounts as citizen_accounts
from chinhquyen.org.models import CitizenProfile, ContactVerification, User
from chinhquyen.portal.account_views import VERIFY_KEY, mask
from tests.conftest import Personas, client_for
from tests.portal.test_accounts import (
    PASSWORD,
    PROFILE,
    VERIFY,
    VERIFY_CONTACT,
    _age_codes,
    _profile_form,
    _sign_up,
)

pytestmark = pytest.mark.django_db

NOTICE = "account.existing_contact"
NEW_EMAIL = "moi.dang.ky@example.vn"
ADDRESS = "203.0.113.40"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    load_default_templates()


def _page(response: Any, destination: str) -> str:
    """The HTML without its CSRF tokens and with the masked destination named generically."""
    html = _CSRF.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    return html.replace(destination, "[nơi nhận]")


def _rows() -> tuple[int, int, int]:
    return (
        User.objects.count(),
        CitizenProfile.objects.count(),
        ContactVerification.objects.count(),
    )


def _notices(recipient: str) -> int:
    return OutboxMessage.objects.filter(template_code=NOTICE, recipient=recipient).count()


def _decoy_state(client: Client) -> dict[str, Any]:
    state = client.session[VERIFY_KEY]
    assert isinstance(state, dict)
    return state


def _age_decoy(client: Client, minutes: int) -> None:
    session = client.session
    state = session[VERIFY_KEY]
    state["decoy"]["sent_at"] = [at - minutes * 60 for at in state["decoy"]["sent_at"]]
    session[VERIFY_KEY] = state
    session.save()


@pytest.mark.parametrize(
    ("channel", "new", "recipient"),
    [("email", NEW_EMAIL, None), ("phone", "0988 777 666", "+84912345678")],
)
def test_an_existing_address_gets_the_same_answer_as_a_new_one(
    personas: Personas, channel: str, new: str, recipient: str | None
) -> None:
    owner = personas.citizen
    taken = owner.email if channel == "email" else owner.phone
    recipient = recipient or owner.email
    before = _rows()
    attacker = Client(REMOTE_ADDR=ADDRESS)
    answered = _sign_up(attacker, contact=taken.upper())
    assert _rows() == before  # no user, profile or code for whoever typed the address
    visitor = Client()
    created = _sign_up(visitor, contact=new)
    assert _rows() != before

    assert (answered.status_code, answered["Location"]) == (created.status_code, VERIFY)
    assert answered.content == created.content
    assert sorted(answered.headers) == sorted(created.headers)
    assert sorted(answered.cookies) == sorted(created.cookies)
    page, real = attacker.get(VERIFY), visitor.get(VERIFY)
    taken_mask = mask(channel, parse_contact(taken.upper()).value)
    new_mask = mask(channel, parse_contact(new).value)
    assert taken_mask in page.content.decode() and new_mask in real.content.decode()
    assert _page(page, taken_mask) == _page(real, new_mask)

    # The owner is told, no code is sent to them, and no id of theirs reaches the session.
    assert _notices(recipient) == 1
    assert not OutboxMessage.objects.filter(
        template_code="account.verification", recipient=recipient
    ).exists()
    state = _decoy_state(attacker)
    assert state["user"] is None and set(state) == set(_decoy_state(visitor))
    assert set(state["decoy"]) == {"channel", "destination", "sent_at", "attempts"}
    assert owner.pk not in state["decoy"].values()
    event = AuditEvent.objects.get(action="citizen.signup_existing_contact")
    assert event.source_address == ADDRESS and event.object_id == str(owner.pk)
    assert event.after == {"channel": channel, "notified": True}
    assert PASSWORD not in str(event.__dict__)


def test_the_same_argon2_work_is_done_either_way(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []

    def counting(password: str | None, *args: Any, **kwargs: Any) -> str:
        hashed.append(str(password))
        return make_password(password, *args, **kwargs)

    monkeypatch.setattr("django.contrib.auth.base_user.make_password", counting)
    _sign_up(Client(), contact=personas.citizen.email)
    assert hashed == [PASSWORD]
    _sign_up(Client(), contact=NEW_EMAIL)
    assert hashed == [PASSWORD, PASSWORD]


def test_the_owner_is_told_at_most_once_an_hour(personas: Personas) -> None:
    owner = personas.citizen
    for _ in range(3):
        assert _sign_up(Client(), contact=owner.email).status_code == 302
    assert _notices(owner.email) == 1
    assert AuditEvent.objects.filter(action="citizen.signup_existing_contact").count() == 3
    OutboxMessage.objects.filter(template_code=NOTICE).update(
        created_at=F("created_at") - timedelta(minutes=61)
    )
    _sign_up(Client(), contact=owner.email)
    assert _notices(owner.email) == 2


def test_the_notice_reads_in_vietnamese_and_fits_one_sms() -> None:
    context = {
        "ho_ten": "Nguyễn Văn An",
        "duong_dan_dang_nhap": "https://dvc.example.vn/x/",
        "duong_dan_quen_mat_khau": "https://dichvucong.example.gov.vn/tai-khoan/quen-mat-khau/",
    }
    subject, body = render_message(active_template(NOTICE, "email", on=date.today()), context)
    assert "đăng ký tài khoản" in subject
    assert "Có người vừa dùng địa chỉ này để đăng ký tài khoản" in body
    assert "quên mật khẩu" in body and "bỏ qua thư này" in body
    assert "https://dvc.example.vn/x/" in body
    assert context["duong_dan_quen_mat_khau"] in body
    _, sms = render_message(active_template(NOTICE, "sms", on=date.today()), context)
    assert len(sms) <= 160 and sms.isascii()
    assert context["duong_dan_quen_mat_khau"] in sms


def test_the_notice_sent_points_to_the_reset_page(personas: Personas) -> None:
    _sign_up(Client(), contact=personas.citizen.email)
    _sign_up(Client(), contact=personas.citizen.phone)
    for message in OutboxMessage.objects.filter(template_code=NOTICE):
        assert message.template_version == 2
        assert "/tai-khoan/quen-mat-khau/" in message.body


def test_an_unverified_account_still_held_gets_the_same_answer() -> None:
    first = do_sign_up(full_name="Nguyễn Văn An", contact=NEW_EMAIL, password=PASSWORD).user
    assert first is not None
    again = _sign_up(Client(), contact=NEW_EMAIL)  # within UNVERIFIED_HOLD
    assert again.status_code == 302 and again["Location"] == VERIFY
    assert list(User.objects.filter(email=NEW_EMAIL)) == [first]
    assert _notices(NEW_EMAIL) == 1
    codes = OutboxMessage.objects.filter(template_code="account.verification")
    assert codes.count() == 1  # the first sign-up's only


def test_sign_ups_with_taken_addresses_count_towards_the_limit(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(citizen_accounts, "MAX_SIGNUPS_PER_ADDRESS_PER_HOUR", 2)
    client = Client(REMOTE_ADDR=ADDRESS)
    assert _sign_up(client, contact=personas.citizen.email).status_code == 302
    assert _sign_up(client, contact=NEW_EMAIL).status_code == 302
    refused = _sign_up(client, contact=personas.citizen_b.email)
    assert "quá nhiều tài khoản" in refused.content.decode()
    assert _notices(personas.citizen_b.email) == 0


# --- The code page of a decoy -------------------------------------------------------------------


def _both(personas: Personas) -> tuple[Client, Client, str, str]:
    decoy, real = Client(), Client()
    _sign_up(decoy, contact=personas.citizen.email)
    _sign_up(real, contact=NEW_EMAIL)
    return decoy, real, mask("email", personas.citizen.email), mask("email", NEW_EMAIL)


def test_every_code_is_refused_with_the_messages_of_a_wrong_code(personas: Personas) -> None:
    decoy, real, decoy_mask, real_mask = _both(personas)
    for number in range(7):  # four "tries left", the fifth, then too many
        code = f"{number:06d}"
        answered, expected = decoy.post(VERIFY, {"code": code}), real.post(VERIFY, {"code": code})
        assert answered.status_code == expected.status_code == 200
        assert sorted(answered.headers) == sorted(expected.headers)
        assert sorted(answered.cookies) == sorted(expected.cookies)
        assert _page(answered, decoy_mask) == _page(expected, real_mask), number
    assert "quá số lần" in answered.content.decode()
    assert not ContactVerification.objects.filter(user=personas.citizen).exists()


def test_a_decoy_code_expires_like_a_real_one() -> None:
    now = timezone.now()
    decoy = DecoyCode(channel="email", destination=NEW_EMAIL, sent_at=[now.timestamp()])
    with pytest.raises(DomainError, match="Còn 4 lần thử"):
        check_decoy_code(decoy, now)
    with pytest.raises(DomainError, match=r"hết hạn\. Hãy yêu cầu gửi mã mới"):
        check_decoy_code(decoy, now + timedelta(minutes=15))


def test_resending_a_decoy_code_behaves_as_for_a_real_one(personas: Personas) -> None:
    decoy, real, decoy_mask, real_mask = _both(personas)
    answered = decoy.post(VERIFY, {"action": "resend"}, follow=True)
    expected = real.post(VERIFY, {"action": "resend"}, follow=True)
    assert "Vui lòng chờ" in answered.content.decode()
    digits = re.compile(r"chờ \d+ giây")
    assert digits.sub("", _page(answered, decoy_mask)) == digits.sub("", _page(expected, real_mask))

    _age_decoy(decoy, minutes=2)
    _age_codes(User.objects.get(email=NEW_EMAIL))
    answered = decoy.post(VERIFY, {"action": "resend"}, follow=True)
    expected = real.post(VERIFY, {"action": "resend"}, follow=True)
    assert "Đã gửi mã xác thực mới" in answered.content.decode()
    assert _page(answered, decoy_mask) == _page(expected, real_mask)
    assert _notices(personas.citizen.email) == 1  # within the hour: not told again
    assert _decoy_state(decoy)["decoy"]["attempts"] == 0

    for _ in range(3):  # five "codes" in the hour, as for a real account
        _age_decoy(decoy, minutes=2)
        decoy.post(VERIFY, {"action": "resend"})
    _age_decoy(decoy, minutes=2)
    limited = decoy.post(VERIFY, {"action": "resend"}, follow=True)
    assert "quá số lần cho phép trong một giờ" in limited.content.decode()


# --- The profile: changing to an address another account holds --------------------------------


def test_a_profile_change_to_a_taken_phone_looks_like_a_free_one(personas: Personas) -> None:
    user, owner = personas.citizen, personas.citizen_b
    client = client_for(user)
    response = client.post(PROFILE, _profile_form(user, phone=owner.phone))
    assert response.status_code == 302 and response["Location"] == VERIFY_CONTACT
    page = client.get(VERIFY_CONTACT).content.decode()
    assert owner.phone in page
    # Not a code but the notice goes to the owner; the citizen's codes are all refused.
    assert not OutboxMessage.objects.filter(template_code="account.verification").exists()
    assert _notices(f"+84{owner.phone[1:]}") == 1
    for number in range(3):
        wrong = client.post(VERIFY_CONTACT, {"channel": "phone", "phone-code": f"{number:06d}"})
        assert "Mã xác thực không đúng" in wrong.content.decode()
    user.refresh_from_db()
    assert user.phone == "0912345678"
    event = AuditEvent.objects.get(action="citizen.contact_change_existing_contact")
    assert event.object_id == str(owner.pk) and event.after == {
        "channel": "phone",
        "notified": True,
    }
    # A resend is limited like a real one and does not tell the owner again within the hour.
    _age_codes(user)
    client.post(VERIFY_CONTACT, {"channel": "phone", "action": "resend"})
    assert ContactVerification.objects.filter(user=user).count() == 2
    assert _notices(f"+84{owner.phone[1:]}") == 1
