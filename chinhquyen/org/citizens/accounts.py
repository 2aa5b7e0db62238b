"""Sign-up with a code, and password sign-in of citizen accounts (no second factor).

Sign-in failures share the staff flow's counters (org/signin.py): the same per-account lock,
the same per-address throttle counted from the audit log, the same constant-time refusal of
unknown accounts; only the lookup differs (an e-mail address or a mobile number, citizen
accounts only) and there is no TOTP step."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.org.citizens.contacts import (
    Channel,
    Contact,
    check_contact_free,
    contact_taken,
    find_citizen,
    is_contact_verified,
    parse_contact,
    send_code,
)
from chinhquyen.org.models import CitizenProfile, User
from chinhquyen.org.signin import (
    _DUMMY_HASH,
    _address_is_throttled,
    _record_unknown,
    do_record_signin_failure,
)

MAX_SIGNUPS_PER_ADDRESS_PER_HOUR = 10
SIGNIN_FAILURE = (
    "Thư điện tử/số điện thoại hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa do đăng "
    "nhập sai nhiều lần. Kiểm tra lại hoặc thử lại sau ít phút."
)

ApplicantKind = CitizenProfile.ApplicantKind


# --- Sign-up ------------------------------------------------------------------------------------


def new_username() -> str:
    # Citizens sign in with e-mail or phone; the username is only an internal handle.
    return f"cd.{secrets.token_hex(8)}"


def check_new_password(password: str, *, full_name: str, contact: Contact | None) -> None:
    probe = User(full_name=full_name, kind=User.Kind.CITIZEN)
    if contact is not None:
        setattr(probe, "email" if contact.channel == Channel.EMAIL else "phone", contact.value)
    try:
        validate_password(password, user=probe)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password", field="password") from None


def check_full_name(full_name: str) -> str:
    name = " ".join((full_name or "").split())
    if not name:
        raise DomainError("Họ và tên không được để trống.", code="required", field="full_name")
    if len(name) > 200:
        raise DomainError("Họ và tên dài tối đa 200 ký tự.", code="too_long", field="full_name")
    return name


def _check_signup_rate(source_address: str, now: datetime) -> None:
    if not source_address:
        return
    recent = AuditEvent.objects.filter(
        action="citizen.signed_up", source_address=source_address, at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= MAX_SIGNUPS_PER_ADDRESS_PER_HOUR:
        raise DomainError(
            "Có quá nhiều tài khoản được đăng ký từ địa chỉ mạng này. Vui lòng thử lại sau.",
            code="signup_throttled",
        )


def do_sign_up(
    *,
    full_name: str,
    contact: str,
    password: str,
    applicant_kind: str = ApplicantKind.CITIZEN,
    source_address: str = "",
) -> User:
    """A citizen account, not yet usable: a code goes to the e-mail address or phone given, and
    the account signs in only once that code is entered (`do_verify_contact`)."""
    now = timezone.now()
    name = check_full_name(full_name)
    parsed = parse_contact(contact)
    if applicant_kind not in ApplicantKind.values:
        raise DomainError("Đối tượng không hợp lệ.", code="invalid", field="applicant_kind")
    check_new_password(password, full_name=name, contact=parsed)
    _check_signup_rate(source_address, now)
    with transaction.atomic():
        check_contact_free(parsed, user=None, field="contact", now=now)
        user = User(username=new_username(), kind=User.Kind.CITIZEN, full_name=name)
        setattr(user, "email" if parsed.channel == Channel.EMAIL else "phone", parsed.value)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise contact_taken(parsed, "contact") from None
        CitizenProfile.objects.create(user=user, applicant_kind=applicant_kind)
        record_audit(
            "citizen.signed_up",
            actor=user,
            obj=user,
            after={"channel": parsed.channel},
            source_address=source_address,
        )
        send_code(user, parsed, now)
    return user


# --- Sign-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenPasswordStep:
    user: User
    contact: Contact
    verified: bool  # False: the password is right but the contact was never proven


def check_citizen_password(
    identifier: str, password: str, *, source_address: str
) -> CitizenPasswordStep:
    """Raises DomainError with one message for every failure (unknown contact, staff account,
    wrong password, lock, throttle), so the form reveals neither which accounts exist nor a lock."""
    if _address_is_throttled(source_address):
        record_audit("signin.throttled", source_address=source_address)
        raise DomainError(SIGNIN_FAILURE, code="throttled")
    try:
        contact: Contact | None = parse_contact(identifier)
    except DomainError:
        contact = None
    user = find_citizen(contact) if contact is not None else None
    if user is None or contact is None or not user.is_active:
        check_password(password, _DUMMY_HASH)  # same cost as a real check
        _record_unknown(identifier, source_address)
        raise DomainError(SIGNIN_FAILURE, code="bad_credentials")
    password_ok = user.check_password(password)
    user.refresh_from_db(fields=["locked_until", "failed_signins"])
    if user.is_locked():
        record_audit("signin.refused_locked", actor=user, obj=user, source_address=source_address)
        raise DomainError(SIGNIN_FAILURE, code="locked")
    if not password_ok:
        do_record_signin_failure(user, reason="password", source_address=source_address)
        raise DomainError(SIGNIN_FAILURE, code="bad_credentials")
    return CitizenPasswordStep(user, contact, is_contact_verified(user, contact.channel))


def do_complete_citizen_signin(user: User, *, source_address: str, via: str = "password") -> User:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_signins=0, locked_until=None)
        user.refresh_from_db(fields=["failed_signins", "locked_until"])
        record_audit(
            "signin.success",
            actor=user,
            obj=user,
            after={"via": via},
            source_address=source_address,
        )
    return user
