"""Sign-up with a code, and password sign-in of citizen accounts (no second factor).

A sign-up with an e-mail address or phone that already has an account answers exactly like a
new one (the same pages, the same Argon2 work) while nothing is created: the owner gets a notice
instead of a code, and the code page refuses every code (`DecoyCode`). Decree 13/2023/NĐ-CP:
whether a person has an account is not disclosed to whoever types their address.

Sign-in failures share the staff flow's counters (org/signin.py): the same per-account lock,
the same per-address throttle counted from the audit log, the same constant-time refusal of
unknown accounts; only the lookup differs (an e-mail address or a mobile number, citizen
accounts only) and there is no TOTP step."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    CODE_EXHAUSTED,
    CODE_REFUSED,
    CODE_VALID_MINUTES,
    MAX_CODE_ATTEMPTS,
    Channel,
    Contact,
    check_send_times,
    find_citizen,
    holder_of,
    is_contact_verified,
    parse_contact,
    send_code,
    send_existing_contact_notice,
)
from chinhquyen.org.citizens.session_state import SessionState
from chinhquyen.org.models import CitizenProfile, User
from chinhquyen.org.signin import (
    _DUMMY_HASH,
    _record_unknown,
    address_is_throttled,
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


def check_new_password(password: str, *, full_name: str, contacts: Sequence[Contact] = ()) -> None:
    """Django's password validators, against the name and the account's addresses."""
    probe = User(full_name=full_name, kind=User.Kind.CITIZEN)
    for contact in contacts:
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


SIGNED_UP = "citizen.signed_up"
SIGNUP_EXISTING_CONTACT = "citizen.signup_existing_contact"


def recent_from_address(actions: list[str], source_address: str, now: datetime) -> int:
    """How many of these audited actions came from the address in the last hour."""
    return AuditEvent.objects.filter(
        action__in=actions, source_address=source_address, at__gte=now - timedelta(hours=1)
    ).count()


def _check_signup_rate(source_address: str, now: datetime) -> None:
    # Both outcomes count, or the limit itself would tell new addresses from taken ones.
    if not source_address:
        return
    recent = recent_from_address([SIGNED_UP, SIGNUP_EXISTING_CONTACT], source_address, now)
    if recent >= MAX_SIGNUPS_PER_ADDRESS_PER_HOUR:
        raise DomainError(
            "Có quá nhiều tài khoản được đăng ký từ địa chỉ mạng này. Vui lòng thử lại sau.",
            code="signup_throttled",
        )


@dataclass(frozen=True)
class SignUp:
    contact: Contact  # as given, for the code page
    user: User | None  # None: the contact has an account, nothing was created (a decoy)


def do_sign_up(
    *,
    full_name: str,
    contact: str,
    password: str,
    applicant_kind: str = ApplicantKind.CITIZEN,
    source_address: str = "",
) -> SignUp:
    """A citizen account, not yet usable: a code goes to the e-mail address or phone given, and
    the account signs in only once that code is entered (`do_verify_contact`). When the contact
    belongs to an account (verified, or unverified within UNVERIFIED_HOLD), nothing is created
    and its owner is told instead; the answer is the same."""
    now = timezone.now()
    name = check_full_name(full_name)
    parsed = parse_contact(contact)
    if applicant_kind not in ApplicantKind.values:
        raise DomainError("Đối tượng không hợp lệ.", code="invalid", field="applicant_kind")
    check_new_password(password, full_name=name, contacts=(parsed,))
    _check_signup_rate(source_address, now)
    with transaction.atomic():
        holder = holder_of(parsed, user=None, now=now)
        user = None if holder else _create_account(name, parsed, password, applicant_kind)
        if user is None:  # taken, or taken by a concurrent sign-up in the meantime
            _answer_existing(holder or find_citizen(parsed), parsed, password, now, source_address)
            return SignUp(parsed, None)
        record_audit(
            SIGNED_UP,
            actor=user,
            obj=user,
            after={"channel": parsed.channel},
            source_address=source_address,
        )
        send_code(user, parsed, now)
    return SignUp(parsed, user)


def _create_account(name: str, contact: Contact, password: str, applicant_kind: str) -> User | None:
    user = User(username=new_username(), kind=User.Kind.CITIZEN, full_name=name)
    setattr(user, "email" if contact.channel == Channel.EMAIL else "phone", contact.value)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return None
    CitizenProfile.objects.create(user=user, applicant_kind=applicant_kind)
    return user


def _answer_existing(
    holder: User | None, contact: Contact, password: str, now: datetime, source_address: str
) -> None:
    # The same Argon2 work as a real sign-up, so the time taken does not tell either.
    User(kind=User.Kind.CITIZEN).set_password(password)
    notified = holder is not None and send_existing_contact_notice(holder, contact.channel, now)
    record_audit(  # never the password nor the address typed: the log is permanent
        SIGNUP_EXISTING_CONTACT,
        obj=holder,
        after={"channel": contact.channel, "notified": notified},
        source_address=source_address,
    )


# --- The code page of a sign-up that created nothing -------------------------------------------


@dataclass
class DecoyCode(SessionState):
    """Stands for the code of a sign-up whose contact already has an account. It lives in the
    visitor's session only (no row, no account id) and answers every code, and every request
    for a new one, with the messages and limits of a real code (contacts.py)."""

    channel: str
    destination: str
    sent_at: list[float] = field(default_factory=list)  # epoch seconds, newest last
    attempts: int = 0

    @classmethod
    def start(cls, contact: Contact, now: datetime) -> DecoyCode:
        return cls(contact.channel, contact.value, [now.timestamp()])


def check_decoy_code(decoy: DecoyCode, now: datetime) -> None:
    """Refuse the code as `do_verify_contact` refuses a wrong one; always raises."""
    expires = datetime.fromtimestamp(decoy.sent_at[-1], tz=now.tzinfo) + timedelta(
        minutes=CODE_VALID_MINUTES
    )
    if expires <= now:
        raise DomainError(CODE_REFUSED + " Hãy yêu cầu gửi mã mới.", code="code_refused")
    if decoy.attempts >= MAX_CODE_ATTEMPTS:
        raise DomainError(CODE_EXHAUSTED, code="code_exhausted")
    left = MAX_CODE_ATTEMPTS - decoy.attempts - 1
    decoy.attempts += 1
    hint = f" Còn {left} lần thử." if left > 0 else " Hãy yêu cầu gửi mã mới."
    raise DomainError(CODE_REFUSED + hint, code="code_refused")


def do_resend_decoy_code(decoy: DecoyCode, now: datetime) -> None:
    """“Gửi lại mã” under the limits of a real resend; the owner is told again only if the last
    notice is older than EXISTING_CONTACT_NOTICE_INTERVAL."""
    check_send_times([datetime.fromtimestamp(at, tz=now.tzinfo) for at in decoy.sent_at], now)
    with transaction.atomic():
        holder = holder_of(Contact(decoy.channel, decoy.destination), user=None, now=now)
        if holder is not None:
            send_existing_contact_notice(holder, decoy.channel, now)
    hour_ago = (now - timedelta(hours=1)).timestamp()
    decoy.sent_at = [at for at in decoy.sent_at if at > hour_ago] + [now.timestamp()]
    decoy.attempts = 0


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
    if address_is_throttled(source_address):
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
