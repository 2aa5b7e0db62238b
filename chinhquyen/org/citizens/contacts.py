"""E-mail addresses and mobile numbers of citizen accounts, and the one-time codes that prove
them: 6 digits, a keyed hash stored, valid 15 minutes, 5 attempts, resends limited; the notice
to the owner of an address someone else tries to register; the sweep that removes spent codes.

Decree 13/2023/NĐ-CP (personal data protection): whether a person has an account is their
personal data, so no page tells a visitor or another citizen that an address is taken (ADR 0013).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.notifications.actions import do_enqueue_notification
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org import identity
from chinhquyen.org.models import CitizenProfile, ContactVerification, User

Channel = ContactVerification.Channel
Purpose = ContactVerification.Purpose

VERIFICATION_TEMPLATE = "account.verification"
EXISTING_CONTACT_TEMPLATE = "account.existing_contact"
# Repeating a sign-up with someone's address must not flood them: one notice an hour at most.
EXISTING_CONTACT_NOTICE_INTERVAL = timedelta(hours=1)
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


def holder_of(contact: Contact, *, user: User | None, now: datetime) -> User | None:
    """The other account that holds the contact, or None when `user` (None: an account about to
    be created) may take it; an account never verified past UNVERIFIED_HOLD is released first."""
    holder = find_citizen(contact)
    if holder is None or (user is not None and holder.pk == user.pk):
        return None
    return None if _release_if_abandoned(holder, now) else holder


def check_contact_free(contact: Contact, *, user: User | None, field: str, now: datetime) -> None:
    """For staff-facing flows and for the holder of a proven code only: the Conflict names the
    contact as taken, which a public page must not say (see `send_existing_contact_notice`)."""
    if holder_of(contact, user=user, now=now) is not None:
        raise contact_taken(contact, field)


def page_url(name: str) -> str:
    """The full address of a citizen page, for a message (SITE_URL, not a request's Host)."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name)}"


def send_existing_contact_notice(holder: User, channel: str, now: datetime) -> bool:
    """Tell the owner of an address that someone tried to register it (a sign-up, or another
    account's profile) instead of telling the one who tried. At most one notice per account and
    channel every EXISTING_CONTACT_NOTICE_INTERVAL; returns whether one was written. Runs in the
    caller's transaction."""
    value = _contact_value(holder, channel)
    prefix = f"account:existing_contact:{holder.pk}:{channel}:"
    last = (
        OutboxMessage.objects.filter(dedupe_key__startswith=prefix)
        .order_by("-created_at", "-pk")
        .values_list("pk", "created_at")
        .first()
    )
    if not value or (last is not None and last[1] > now - EXISTING_CONTACT_NOTICE_INTERVAL):
        return False
    # Keyed by the notice it follows: of two concurrent attempts, one writes the next notice.
    do_enqueue_notification(
        EXISTING_CONTACT_TEMPLATE,
        "email" if channel == Channel.EMAIL else "sms",
        value,
        {
            "ho_ten": holder.full_name or "chủ tài khoản",
            "duong_dan_dang_nhap": page_url("accounts:signin"),
            # Version 2 of the notice points to the reset page (version 1 only named it).
            "duong_dan_quen_mat_khau": page_url("accounts:password_reset"),
        },
        dedupe_key=f"{prefix}after:{last[0] if last else 0}",
        now=now,
    )
    return True


# --- One-time codes -----------------------------------------------------------------------------


def code_hash(salt: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone cannot be searched for the 10^6 codes.
    return salted_hmac(
        "chinhquyen.org.citizens.verification", f"{salt}:{code}", algorithm="sha256"
    ).hexdigest()


def _latest_code(user: User, channel: str) -> ContactVerification | None:
    return (
        ContactVerification.objects.filter(user=user, channel=channel, purpose=Purpose.CONTACT)
        .order_by("-created_at", "-pk")
        .first()
    )


def check_send_times(sent: Sequence[datetime], now: datetime) -> None:
    """Refuse a new code too soon after the last one or past MAX_CODES_PER_HOUR (`sent`: when
    the earlier codes of the account and channel were sent)."""
    recent = [at for at in sent if at > now - timedelta(hours=1)]
    latest = max(recent, default=None)
    if latest is not None and latest > now - RESEND_INTERVAL:
        wait = int((latest + RESEND_INTERVAL - now).total_seconds()) + 1
        raise DomainError(
            f"Mã vừa được gửi. Vui lòng chờ {wait} giây rồi yêu cầu gửi lại.",
            code="resend_too_soon",
        )
    if len(recent) >= MAX_CODES_PER_HOUR:
        raise DomainError(
            "Đã gửi mã quá số lần cho phép trong một giờ. Vui lòng thử lại sau.",
            code="resend_limit",
        )


def _check_send_allowed(user: User, channel: str, now: datetime) -> None:
    sent = ContactVerification.objects.filter(
        user=user, channel=channel, purpose=Purpose.CONTACT, created_at__gt=now - timedelta(hours=1)
    ).values_list("created_at", flat=True)
    check_send_times(list(sent), now)


def message_key(verification_pk: int) -> str:
    return f"account:verification:{verification_pk}"


def send_code(user: User, contact: Contact, now: datetime) -> ContactVerification:
    """Write a new code (superseding earlier ones of the channel) and its message, in the
    caller's transaction; the message goes out once that transaction commits.

    A destination another account holds (a profile changed to someone else's address) gets a
    row no code can match and its owner gets the notice instead, so the citizen's pages behave
    as for a free address (Decree 13/2023/NĐ-CP: not disclosing whether a person has an
    account)."""
    _check_send_allowed(user, contact.channel, now)
    holder = holder_of(contact, user=user, now=now)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    verification = ContactVerification.objects.create(
        user=user,
        channel=contact.channel,
        destination=contact.value,
        salt=salt,
        code_hash="" if holder is not None else code_hash(salt, code),  # "": never matches
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_VALID_MINUTES),
    )
    if holder is not None:
        notified = send_existing_contact_notice(holder, contact.channel, now)
        record_audit(
            "citizen.contact_change_existing_contact",
            actor=user,
            obj=holder,
            after={"channel": contact.channel, "notified": notified},
        )
        return verification
    do_enqueue_notification(
        VERIFICATION_TEMPLATE,
        "email" if contact.channel == Channel.EMAIL else "sms",
        contact.value,
        {
            "ho_ten": user.full_name or "chủ tài khoản",
            "ma_xac_thuc": code,
            "so_phut": CODE_VALID_MINUTES,
        },
        dedupe_key=message_key(verification.pk),
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


def count_attempt(verification: ContactVerification, now: datetime) -> None:
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
    count_attempt(verification, now)
    if not (
        code.isdigit()
        and constant_time_compare(code_hash(verification.salt, code), verification.code_hash)
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


# --- Spent codes do not linger ------------------------------------------------------------------

SPENT_CODE_RETENTION = timedelta(hours=24)
CODE_MASK = "••••••"
_SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")
_FINAL = [OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED, OutboxMessage.Status.DEAD]
_IN_FLIGHT = [OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]


@dataclass
class CodeSweepReport:
    blanked: int = 0  # outbox messages whose code was replaced by CODE_MASK
    deleted: int = 0  # verification rows


def _blank_code(text: str, verification: ContactVerification) -> str:
    """`text` with the verification's code replaced by CODE_MASK. A message keeps only its
    rendered text, so each 6-digit number in it is checked against the code's keyed hash:
    nothing else (a number in a name, a later template's wording) is touched."""

    def blank(found: re.Match[str]) -> str:
        digits = found.group(0)
        right = constant_time_compare(code_hash(verification.salt, digits), verification.code_hash)
        return CODE_MASK if right else digits

    return _SIX_DIGITS.sub(blank, text)


def _blank_messages(spent: list[ContactVerification]) -> int:
    by_key = {message_key(v.pk): v for v in spent}
    messages = OutboxMessage.objects.filter(dedupe_key__in=by_key, status__in=_FINAL).exclude(
        body__contains=CODE_MASK
    )
    blanked = 0
    for message in messages.only("pk", "dedupe_key", "subject", "body"):
        verification = by_key[message.dedupe_key]
        subject, body = (
            _blank_code(message.subject, verification),
            _blank_code(message.body, verification),
        )
        # Still final: a message put back to pending ("Gửi lại") in the meantime is left alone.
        blanked += OutboxMessage.objects.filter(pk=message.pk, status__in=_FINAL).update(
            subject=subject, body=body
        )
    return blanked


def _delete_spent(spent: list[ContactVerification], cutoff: datetime) -> int:
    old = {message_key(v.pk): v.pk for v in spent if (v.used_at or v.expires_at) < cutoff}
    # A message still being delivered keeps its row, so its code is blanked once it is final.
    in_flight = OutboxMessage.objects.filter(dedupe_key__in=old, status__in=_IN_FLIGHT)
    keep = {old[key] for key in in_flight.values_list("dedupe_key", flat=True)}
    doomed = [pk for pk in old.values() if pk not in keep]
    deleted, _ = ContactVerification.objects.filter(pk__in=doomed).delete()
    return deleted


def do_sweep_spent_codes(*, now: datetime | None = None, batch: int = 500) -> CodeSweepReport:
    """Codes do not linger: the plain code in a delivered (or finally failed) message is
    replaced by CODE_MASK once the code is used or expired (the row stays, as delivery
    history), and a verification row is deleted SPENT_CODE_RETENTION after its code was used or
    expired. A code still valid is not touched. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - SPENT_CODE_RETENTION
    report = CodeSweepReport()
    spent = ContactVerification.objects.filter(Q(used_at__isnull=False) | Q(expires_at__lte=now))
    spent = spent.only("pk", "salt", "code_hash", "used_at", "expires_at").order_by("pk")
    last = 0
    while chunk := list(spent.filter(pk__gt=last)[:batch]):
        last = chunk[-1].pk
        with transaction.atomic():
            report.blanked += _blank_messages(chunk)
            report.deleted += _delete_spent(chunk, cutoff)
    return report
