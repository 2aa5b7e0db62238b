"""Password reset of citizen accounts (“Quên mật khẩu”): a one-time code sent to the proven
e-mail address or phone, then a new password.

Decree 13/2023/NĐ-CP: whether an address has an account is personal data, so every answer is
the same whether or not it has one (ADR 0013, “Password reset”). The session holds a `ResetCode`
of the same shape on both paths; its `handle` is the salt of the code row when a code was sent,
and a random value no row has otherwise, so the code page refuses every code there. The limits a
visitor can see (resend interval, codes an hour, attempts) are counted in that session on both
paths; the per-account limit that protects the owner's inbox and SMS bill is applied silently.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import DomainError
from chinhquyen.notifications.actions import do_enqueue_notification, render_message
from chinhquyen.notifications.queries import active_template
from chinhquyen.org.citizens.accounts import (
    MAX_SIGNUPS_PER_ADDRESS_PER_HOUR,
    check_new_password,
    recent_from_address,
)
from chinhquyen.org.citizens.contacts import (
    CODE_EXHAUSTED,
    CODE_REFUSED,
    CODE_VALID_MINUTES,
    MAX_CODE_ATTEMPTS,
    RESEND_INTERVAL,
    Channel,
    Contact,
    Purpose,
    check_send_times,
    code_hash,
    count_attempt,
    find_citizen,
    is_contact_verified,
    message_key,
    page_url,
    parse_contact,
)
from chinhquyen.org.citizens.session_state import SessionState
from chinhquyen.org.models import ContactVerification, User

RESET_TEMPLATE = "account.password_reset"
PASSWORD_CHANGED_TEMPLATE = "account.password_changed"  # noqa: S105 - a template code
RESET_REQUESTED = "citizen.password_reset_requested"
RESET_CODE_REFUSED = "citizen.password_reset_code_refused"
PASSWORD_RESET = "citizen.password_reset"  # noqa: S105 - an audit action


@dataclass
class ResetCode(SessionState):
    """The session's side of a reset code, alike whether or not a code was sent."""

    channel: str
    destination: str
    handle: str  # the code row's salt, or a random value matching no row
    sent_at: list[float] = field(default_factory=list)  # epoch seconds, newest last
    attempts: int = 0


def _medium(channel: str) -> str:
    return "email" if channel == Channel.EMAIL else "sms"


def _check_request_rate(source_address: str, now: datetime) -> None:
    # The sign-up limit per source address; both outcomes count, or it would tell them apart.
    if source_address and (
        recent_from_address([RESET_REQUESTED], source_address, now)
        >= MAX_SIGNUPS_PER_ADDRESS_PER_HOUR
    ):
        raise DomainError(
            "Có quá nhiều yêu cầu đặt lại mật khẩu từ địa chỉ mạng này. Vui lòng thử lại sau.",
            code="reset_throttled",
        )


def _reset_holder(contact: Contact) -> User | None:
    """The account a code may be sent for: an active citizen whose contact is proven (a code to
    an address never proven would hand the account to whoever typed it at sign-up)."""
    user = find_citizen(contact)
    if user is None or not user.is_active or not is_contact_verified(user, contact.channel):
        return None
    return user


def _reset_codes(user: User, channel: str) -> QuerySet[ContactVerification]:
    return ContactVerification.objects.filter(
        user=user, channel=channel, purpose=Purpose.PASSWORD_RESET
    )


def _send(user: User, contact: Contact, now: datetime) -> tuple[str, bool]:
    """A code row and its message; past the account's limit a row no code matches and no
    message (the visitor's page says “sent” either way). Returns the handle and whether sent."""
    earlier = _reset_codes(user, contact.channel).filter(created_at__gt=now - timedelta(hours=1))
    try:
        check_send_times(
            list(earlier.exclude(code_hash="").values_list("created_at", flat=True)), now
        )
    except DomainError:
        allowed = False
    else:
        allowed = True
    salt, code = secrets.token_hex(16), f"{secrets.randbelow(10**6):06d}"
    row = ContactVerification.objects.create(
        user=user,
        channel=contact.channel,
        purpose=Purpose.PASSWORD_RESET,
        destination=contact.value,
        salt=salt,
        code_hash=code_hash(salt, code) if allowed else "",  # "": never matches
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_VALID_MINUTES),
    )
    if allowed:
        # The message key of every code: the hourly sweep blanks it once the code is spent.
        do_enqueue_notification(
            RESET_TEMPLATE,
            _medium(contact.channel),
            _proven(user, contact.channel),  # not as typed: the e-mail's case may differ
            {
                "ho_ten": user.full_name or "chủ tài khoản",
                "ma_xac_thuc": code,
                "so_phut": CODE_VALID_MINUTES,
            },
            dedupe_key=message_key(row.pk),
            now=now,
        )
    return salt, allowed


def _proven(user: User, channel: str) -> str:
    return user.email if channel == Channel.EMAIL else user.phone


def _no_account_work(contact: Contact, now: datetime) -> str:
    """The CPU work of `_send` without a row or a message (a code, its keyed hash, the rendered
    text), so the time taken says less; returns a handle no row has."""
    salt, code = secrets.token_hex(16), f"{secrets.randbelow(10**6):06d}"
    code_hash(salt, code)
    template = active_template(RESET_TEMPLATE, _medium(contact.channel), on=timezone.localdate(now))
    render_message(
        template, {"ho_ten": "chủ tài khoản", "ma_xac_thuc": code, "so_phut": CODE_VALID_MINUTES}
    )
    return salt


def _issue(contact: Contact, now: datetime, source_address: str, *, resend: bool) -> str:
    with transaction.atomic():
        holder = _reset_holder(contact)
        sent = False
        if holder is None:
            handle = _no_account_work(contact, now)
        else:
            handle, sent = _send(holder, contact, now)
        record_audit(  # never the address typed: the log is permanent
            RESET_REQUESTED,
            obj=holder,
            after={"channel": contact.channel, "sent": sent, "resend": resend},
            source_address=source_address,
        )
    return handle


def do_request_password_reset(
    contact: str, *, previous: ResetCode | None = None, source_address: str = ""
) -> ResetCode:
    """Send a reset code if the contact is the proven e-mail/phone of an account; the answer is
    the same when it is not. A repeat within RESEND_INTERVAL in the same session (a double
    click, the back button) keeps the code already sent."""
    now = timezone.now()
    parsed = parse_contact(contact)
    if (
        previous is not None
        and (previous.channel, previous.destination) == (parsed.channel, parsed.value)
        and previous.sent_at
        and previous.sent_at[-1] > (now - RESEND_INTERVAL).timestamp()
    ):
        return previous
    _check_request_rate(source_address, now)
    handle = _issue(parsed, now, source_address, resend=False)
    return ResetCode(parsed.channel, parsed.value, handle, [now.timestamp()])


def do_resend_password_reset(reset: ResetCode, *, source_address: str = "") -> None:
    """“Gửi lại mã” under the limits of a sign-up code, counted in the session on both paths."""
    now = timezone.now()
    check_send_times([datetime.fromtimestamp(at, tz=now.tzinfo) for at in reset.sent_at], now)
    _check_request_rate(source_address, now)
    reset.handle = _issue(
        Contact(reset.channel, reset.destination), now, source_address, resend=True
    )
    hour_ago = (now - timedelta(hours=1)).timestamp()
    reset.sent_at = [at for at in reset.sent_at if at > hour_ago] + [now.timestamp()]
    reset.attempts = 0


# --- The code and the new password --------------------------------------------------------------


def _count_session_attempt(reset: ResetCode, now: datetime) -> int:
    """The messages and limits of a real code (contacts.py), from the session: expired,
    exhausted, or one more attempt counted. Returns the attempts left after this one."""
    if not reset.sent_at or reset.sent_at[-1] + CODE_VALID_MINUTES * 60 <= now.timestamp():
        raise DomainError(
            CODE_REFUSED + " Hãy yêu cầu gửi mã mới.", code="code_refused", field="code"
        )
    if reset.attempts >= MAX_CODE_ATTEMPTS:
        raise DomainError(CODE_EXHAUSTED, code="code_exhausted", field="code")
    reset.attempts += 1
    return MAX_CODE_ATTEMPTS - reset.attempts


def _matching_code(reset: ResetCode, code: str, now: datetime) -> ContactVerification | None:
    """The session's code row if `code` is its code (the attempt counted on the row too)."""
    row = (
        ContactVerification.objects.select_related("user")
        .filter(
            purpose=Purpose.PASSWORD_RESET,
            salt=reset.handle,
            channel=reset.channel,
            destination=reset.destination,
        )
        .first()
    )
    if row is None:
        return None
    count_attempt(row, now)  # committed even when the code then turns out wrong
    if code.isdigit() and constant_time_compare(code_hash(row.salt, code), row.code_hash):
        return row
    return None


def _refuse_code(reset: ResetCode, row: ContactVerification | None, left: int, source: str) -> None:
    record_audit(
        RESET_CODE_REFUSED,
        obj=row.user if row is not None else None,
        after={"channel": reset.channel},
        source_address=source,
    )
    hint = f" Còn {left} lần thử." if left > 0 else " Hãy yêu cầu gửi mã mới."
    raise DomainError(CODE_REFUSED + hint, code="code_refused", field="code")


def do_reset_password(
    reset: ResetCode, code: str, password: str, *, source_address: str = ""
) -> User:
    """Check the code; if right and the password is acceptable, in one transaction: the code
    is spent (with every other reset code of the account), the password set (which changes the
    session auth hash, so every session of the account ends), the sign-in lock lifted, the
    change audited and the owner told on every proven contact. A refused password leaves the
    code unspent and the account unchanged. `reset.attempts` changes: the caller saves it."""
    now = timezone.now()
    left = _count_session_attempt(reset, now)
    try:
        row = _matching_code(reset, "".join((code or "").split()), now)
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, field="code") from None
    if row is None:
        _refuse_code(reset, row, left, source_address)
    assert row is not None
    user = row.user
    check_new_password(
        password, full_name=user.full_name, contacts=(Contact(reset.channel, reset.destination),)
    )
    with transaction.atomic():
        # One use only: of two requests with the same code, one claims the row.
        if not ContactVerification.objects.filter(pk=row.pk, used_at=None).update(used_at=now):
            raise DomainError(CODE_REFUSED, code="code_refused", field="code")
        user = User.objects.select_for_update().get(pk=user.pk)
        # Still the account's proven contact (not changed, deactivated or released since).
        holder = _reset_holder(Contact(reset.channel, reset.destination))
        if holder is None or holder.pk != user.pk:
            raise DomainError(CODE_REFUSED, code="code_refused", field="code")
        _set_password(user, password, now, row, source_address)
    return user


def _set_password(
    user: User, password: str, now: datetime, row: ContactVerification, source: str
) -> None:
    had_password = user.has_usable_password()  # False: created through OIDC (ADR 0013)
    user.set_password(password)
    user.failed_signins, user.locked_until = 0, None
    user.save(update_fields=["password", "failed_signins", "locked_until"])
    ContactVerification.objects.filter(
        user=user, purpose=Purpose.PASSWORD_RESET, used_at=None
    ).update(used_at=now)
    record_audit(
        PASSWORD_RESET,
        actor=user,
        obj=user,
        after={"channel": row.channel, "had_password": had_password},
        source_address=source,
    )
    tell_owner_password_changed(user, f"account:password_changed:{row.pk}", now)


def tell_owner_password_changed(user: User, dedupe_key: str, now: datetime) -> None:
    """On every proven contact, not only the one a reset code went to: someone holding the
    phone alone should not change the password unseen by the owner of the e-mail address.
    Used by the reset and by “Đổi mật khẩu”."""
    for channel in (Channel.EMAIL, Channel.PHONE):
        if not is_contact_verified(user, channel):
            continue
        do_enqueue_notification(
            PASSWORD_CHANGED_TEMPLATE,
            _medium(channel),
            _proven(user, channel),
            {
                "ho_ten": user.full_name or "chủ tài khoản",
                "thoi_diem": timezone.localtime(now),
                "duong_dan_quen_mat_khau": page_url("accounts:password_reset"),
            },
            dedupe_key=f"{dedupe_key}:{channel}",
            now=now,
        )
