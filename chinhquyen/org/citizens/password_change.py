"""“Đổi mật khẩu” of a signed-in citizen: the current password, then a new one.

A wrong current password counts as a sign-in failure (the staff flow's counters in
org/signin.py: the per-account lock and the per-address throttle), so a session left open is
not an oracle for guessing the password. Success changes the session auth hash, so every other
session of the account ends; the view keeps its own (ADR 0013, “Password change”).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import DomainError
from chinhquyen.org.citizens.accounts import check_new_password
from chinhquyen.org.citizens.contacts import Channel, Contact
from chinhquyen.org.citizens.password_reset import tell_owner_password_changed
from chinhquyen.org.models import User
from chinhquyen.org.signin import address_is_throttled, do_record_signin_failure

PASSWORD_CHANGED = "citizen.password_changed"  # noqa: S105 - an audit action
WRONG_CURRENT = "Mật khẩu hiện tại không đúng."
TOO_MANY = "Đã nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau ít phút."
USE_RESET_FIRST = (
    "Tài khoản này chưa có mật khẩu (đăng nhập bằng tài khoản định danh điện tử). "
    "Hãy dùng “Quên mật khẩu” để đặt mật khẩu."
)


def check_current_password(user: User, current: str, *, source_address: str) -> None:
    """Refuse when locked or throttled (before checking, so guesses stop there); a wrong
    password is counted as a sign-in failure."""
    if not user.has_usable_password():
        raise DomainError(USE_RESET_FIRST, code="no_password")
    user.refresh_from_db(fields=["locked_until", "failed_signins"])
    if user.is_locked() or address_is_throttled(source_address):
        record_audit("signin.throttled", actor=user, obj=user, source_address=source_address)
        raise DomainError(TOO_MANY, code="throttled", field="current_password")
    if not user.check_password(current):
        do_record_signin_failure(user, reason="password_change", source_address=source_address)
        raise DomainError(WRONG_CURRENT, code="bad_credentials", field="current_password")


def do_change_citizen_password(user: User, current: str, new: str, *, source_address: str) -> User:
    """Check the current password and the new one; then in one transaction set it, audit the
    change (never the password) and tell the owner on every proven contact."""
    check_current_password(user, current, source_address=source_address)
    if new == current:
        raise DomainError(
            "Mật khẩu mới phải khác mật khẩu hiện tại.", code="same_password", field="password"
        )
    addresses = ((Channel.EMAIL, user.email), (Channel.PHONE, user.phone))
    contacts = [Contact(channel, value) for channel, value in addresses if value]
    check_new_password(new, full_name=user.full_name, contacts=contacts)
    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new)
        locked.failed_signins = 0
        locked.save(update_fields=["password", "failed_signins"])
        event = record_audit(
            PASSWORD_CHANGED, actor=locked, obj=locked, source_address=source_address
        )
        tell_owner_password_changed(locked, f"account:password_changed:change:{event.pk}", now)
    user.password, user.failed_signins = locked.password, 0
    return user
