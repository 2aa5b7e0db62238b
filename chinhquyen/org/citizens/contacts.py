"""E-mail addresses and mobile numbers of citizen accounts, and the one-time codes that prove
them: 6 digits, a keyed hash stored, valid 15 minutes, 5 attempts, resends limited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.notifications.actions import do_enqueue_notification
from chinhquyen.org import identity
from chinhquyen.org.models import CitizenProfile, ContactVerification, User

Channel = ContactVerification.Channel

VERIFICATION_TEMPLATE = "account.verification"
CODE_VALID_MINUTES = 15
MAX_CODE_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)
MAX_CODES_PER_HOUR = 5  # per account and channel: each code is an e-mail or a paid SMS
# An account never verified holds its e-mail or phone this long, then a new sign-up may take it
# (so nobody can block someone else's address by signing up with it and never verifying).
UNVERIFIED_HOLD = timedelta(hours=24)

CODE_REFUSED = "Mã xác thực không đúng, đã dùng hoặc đã hết hạn."
CODE_EXHAUSTED = "Mã xác thực đã bị nhập sai quá số lần cho phép. Hãy yêu cầu gửi mã mới."


@dataclass(frozen=True)
class Contact:
    channel: str  # a ContactVerification.Channel
    value: str  # normalised: e-mail with its domain lower-cased, phone as 0xxxxxxxxx


def parse_contact(text: str, *, field: str = "contact") -> Contact:
    """An e-mail address (anything with “@”) or a Vietnamese mobile number."""
    text = (text or "").strip()
    if "@" in text:
        return Contact(Channel.EMAIL, check_email(text, field=field))
    try:
        return Contact(Channel.PHONE, identity.normalise_phone(text))
    except ValidationError:
        raise DomainError(
            "Nhập địa chỉ thư điện tử hoặc số điện thoại di động (10 chữ số, bắt đầu bằng 0).",
            code="invalid_contact",
            field=field,
        ) from None


def check_email(text: str, *, field: str = "email") -> str:
    address = (text or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError(
            "Địa chỉ thư điện tử không hợp lệ.", code="invalid_email", field=field
        ) from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def find_citizen(contact: Contact) -> User | None:
    citizens = User.objects.filter(kind=User.Kind.CITIZEN)
    if contact.channel == Channel.EMAIL:
        return citizens.filter(email__iexact=contact.value).first()
    return citizens.filter(phone=contact.value).first()


def _contact_value(user: User, channel: str) -> str:
    return user.email if channel == Channel.EMAIL else user.phone


def is_contact_verified(user: User, channel: str) -> bool:
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is None:
        return False
    verified_at = (
        profile.email_verified_at if channel == Channel.EMAIL else profile.phone_verified_at
    )
    return verified_at is not None and bool(_contact_value(user, channel))


def contact_taken(contact: Contact, field: str) -> Conflict:
    what = "Địa chỉ thư điện tử" if contact.channel == Channel.EMAIL else "Số điện thoại"
    return Conflict(
        f"{what} này đã được dùng cho một tài khoản khác. Nếu đó là tài khoản của bạn, hãy đăng "
        "nhập.",
        code="contact_taken",
        field=field,
    )


def _release_if_abandoned(holder: User, now: datetime) -> bool:
    """Free the e-mail/phone of a never-verified account older than UNVERIFIED_HOLD."""
    profile = CitizenProfile.objects.filter(user=holder).first()
    if (profile is not None and profile.is_verified) or holder.date_joined > now - UNVERIFIED_HOLD:
        return False
    User.objects.filter(pk=holder.pk).update(email="", phone="", is_active=False)
    record_audit("citizen.unverified_released", obj=holder, after={"reason": "never verified"})
    return True


def check_contact_free(contact: Contact, *, user: User | None, field: str, now: datetime) -> None:
    holder = find_citizen(contact)
    if holder is None or (user is not None and holder.pk == user.pk):
        return
    if not _release_if_abandoned(holder, now):
        raise contact_taken(contact, field)


# --- One-time codes -----------------------------------------------------------------------------


def _code_hash(salt: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone cannot be searched for the 10^6 codes.
    return salted_hmac(
        "chinhquyen.org.citizens.verification", f"{salt}:{code}", algorithm="sha256"
    ).hexdigest()


def _latest_code(user: User, channel: str) -> ContactVerification | None:
    return (
        ContactVerification.objects.filter(user=user, channel=channel)
        .order_by("-created_at", "-pk")
        .first()
    )


def _check_send_allowed(user: User, channel: str, now: datetime) -> None:
    recent = ContactVerification.objects.filter(
        user=user, channel=channel, created_at__gt=now - timedelta(hours=1)
    )
    latest = recent.order_by("-created_at").first()
    if latest is not None and latest.created_at > now - RESEND_INTERVAL:
        wait = int((latest.created_at + RESEND_INTERVAL - now).total_seconds()) + 1
        raise DomainError(
            f"Mã vừa được gửi. Vui lòng chờ {wait} giây rồi yêu cầu gửi lại.",
            code="resend_too_soon",
        )
    if recent.count() >= MAX_CODES_PER_HOUR:
        raise DomainError(
            "Đã gửi mã quá số lần cho phép trong một giờ. Vui lòng thử lại sau.",
            code="resend_limit",
        )


def send_code(user: User, contact: Contact, now: datetime) -> ContactVerification:
    """Write a new code (superseding earlier ones of the channel) and its message, in the
    caller's transaction; the message goes out once that transaction commits."""
    _check_send_allowed(user, contact.channel, now)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    verification = ContactVerification.objects.create(
        user=user,
        channel=contact.channel,
        destination=contact.value,
        salt=salt,
        code_hash=_code_hash(salt, code),
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_VALID_MINUTES),
    )
    do_enqueue_notification(
        VERIFICATION_TEMPLATE,
        "email" if contact.channel == Channel.EMAIL else "sms",
        contact.value,
        {
            "ho_ten": user.full_name or "chủ tài khoản",
            "ma_xac_thuc": code,
            "so_phut": CODE_VALID_MINUTES,
        },
        dedupe_key=f"account:verification:{verification.pk}",
        now=now,
    )
    return verification


def pending_verification(user: User, channel: str) -> ContactVerification | None:
    """The latest code of the channel if it has not been used (it may have expired)."""
    latest = _latest_code(user, channel)
    return latest if latest is not None and latest.used_at is None else None


def do_resend_code(user: User, channel: str, *, source_address: str = "") -> ContactVerification:
    now = timezone.now()
    with transaction.atomic():
        latest = _latest_code(user, channel)
        if latest is None or latest.used_at is not None:
            raise DomainError("Không có địa chỉ nào đang chờ xác thực.", code="nothing_pending")
        verification = send_code(user, Contact(channel, latest.destination), now)
        record_audit(
            "citizen.code_resent",
            actor=user,
            obj=user,
            after={"channel": channel},
            source_address=source_address,
        )
    return verification


def _count_attempt(verification: ContactVerification, now: datetime) -> None:
    """Refuse a code that cannot be right any more; otherwise count one attempt, committed even
    if the code then turns out wrong (the count must survive the refusal)."""
    if verification.used_at is not None or verification.expires_at <= now:
        raise DomainError(CODE_REFUSED + " Hãy yêu cầu gửi mã mới.", code="code_refused")
    counted = ContactVerification.objects.filter(
        pk=verification.pk, used_at__isnull=True, attempts__lt=MAX_CODE_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise DomainError(CODE_EXHAUSTED, code="code_exhausted")


def do_verify_contact(
    user: User, channel: str, code: str, *, source_address: str = ""
) -> CitizenProfile:
    """Check a code; on success the destination becomes the account's e-mail/phone, proven."""
    now = timezone.now()
    code = "".join((code or "").split())
    verification = _latest_code(user, channel)
    if verification is None:
        raise DomainError(CODE_REFUSED, code="code_refused")
    _count_attempt(verification, now)
    if not (
        code.isdigit()
        and constant_time_compare(_code_hash(verification.salt, code), verification.code_hash)
    ):
        record_audit(
            "citizen.code_refused",
            actor=user,
            obj=user,
            after={"channel": channel},
            source_address=source_address,
        )
        left = MAX_CODE_ATTEMPTS - verification.attempts - 1
        hint = f" Còn {left} lần thử." if left > 0 else " Hãy yêu cầu gửi mã mới."
        raise DomainError(CODE_REFUSED + hint, code="code_refused")
    with transaction.atomic():
        # One use only: of two requests with the same code, one claims the row.
        if not ContactVerification.objects.filter(pk=verification.pk, used_at=None).update(
            used_at=now
        ):
            raise DomainError(CODE_REFUSED, code="code_refused")
        return _apply_verified(
            user, Contact(channel, verification.destination), now, source_address
        )


def _apply_verified(user: User, contact: Contact, now: datetime, source: str) -> CitizenProfile:
    check_contact_free(contact, user=user, field="code", now=now)
    profile, _ = CitizenProfile.objects.select_for_update().get_or_create(user=user)
    field = "email" if contact.channel == Channel.EMAIL else "phone"
    try:
        with transaction.atomic():  # only this field: the caller's `user` may be stale
            User.objects.filter(pk=user.pk).update(**{field: contact.value})
    except IntegrityError:  # taken by a concurrent sign-up in the meantime
        raise contact_taken(contact, "code") from None
    setattr(user, field, contact.value)
    setattr(profile, f"{field}_verified_at", now)
    profile.save(update_fields=[f"{field}_verified_at", "updated_at"])
    record_audit(
        "citizen.contact_verified",
        actor=user,
        obj=user,
        after={"channel": contact.channel},
        source_address=source,
    )
    return profile
