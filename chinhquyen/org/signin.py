"""Staff sign-in: password (argon2), then a mandatory TOTP second factor (RFC 6238).

Django's `login()` runs only after the second factor, so "authenticated" always means both
factors passed. Repeated failures lock the account for SIGNIN_LOCK_MINUTES; every success,
failure and lock is written to the audit log.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from chinhquyen.audit.actions import record_audit
from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.org.models import User

TOTP_PERIOD = 30
GENERIC_FAILURE = (
    "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa do đăng nhập sai "
    "nhiều lần. Kiểm tra lại hoặc thử lại sau ít phút."
)
# A fixed argon2 hash checked for unknown usernames so both paths cost the same time.
_DUMMY_HASH = make_password("chinhquyen-timing-equaliser")


@dataclass(frozen=True)
class PasswordStep:
    user: User
    needs_enrolment: bool


def _lock_message(user: User) -> str:
    assert user.locked_until is not None
    until = date_format(timezone.localtime(user.locked_until), "H:i d/m/Y")
    return f"Tài khoản tạm khóa do đăng nhập sai nhiều lần, thử lại sau {until}."


def do_record_signin_failure(user: User, *, reason: str, source_address: str) -> User:
    """Count one failure; at the threshold, lock and say so in the audit log."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_signins=F("failed_signins") + 1)
        user.refresh_from_db(fields=["failed_signins", "locked_until"])
        record_audit(
            "signin.failure",
            actor=user,
            obj=user,
            after={"reason": reason, "failures": user.failed_signins},
            source_address=source_address,
        )
        if user.failed_signins >= settings.SIGNIN_MAX_FAILURES:
            user.locked_until = timezone.now() + timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)
            user.failed_signins = 0
            user.save(update_fields=["locked_until", "failed_signins"])
            record_audit(
                "signin.locked",
                actor=user,
                obj=user,
                after={"locked_until": user.locked_until.isoformat()},
                source_address=source_address,
            )
    return user


def check_password_step(username: str, password: str, *, source_address: str) -> PasswordStep:
    """First factor. Raises DomainError with one message for every failure (unknown name, wrong
    password, locked account), so the form reveals neither which names exist nor a lock."""
    if address_is_throttled(source_address):
        # Many failures from one address across accounts (password spraying): refuse before
        # any password check, with the same message, and leave a trace.
        record_audit("signin.throttled", source_address=source_address)
        raise DomainError(GENERIC_FAILURE, code="throttled")
    user = User.objects.filter(username=username.strip(), kind=User.Kind.STAFF).first()
    if user is None or not user.is_active:
        check_password(password, _DUMMY_HASH)  # same cost as a real check
        _record_unknown(username, source_address)
        raise DomainError(GENERIC_FAILURE, code="bad_credentials")
    password_ok = user.check_password(password)
    # A lock may have started while argon2 was running (parallel guesses): read it again.
    user.refresh_from_db(fields=["locked_until", "failed_signins"])
    if user.is_locked():
        record_audit("signin.refused_locked", actor=user, obj=user, source_address=source_address)
        raise DomainError(GENERIC_FAILURE, code="locked")
    if not password_ok:
        do_record_signin_failure(user, reason="password", source_address=source_address)
        raise DomainError(GENERIC_FAILURE, code="bad_credentials")
    return PasswordStep(user=user, needs_enrolment=not user.totp_confirmed_at)


def address_is_throttled(source_address: str) -> bool:
    """Failures from one address in the last lock period, counted from the audit log itself."""
    if not source_address:
        return False
    since = timezone.now() - timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)
    failures = AuditEvent.objects.filter(
        action="signin.failure", source_address=source_address, at__gte=since
    ).count()
    return failures >= settings.SIGNIN_MAX_FAILURES_PER_ADDRESS


def _record_unknown(username: str, source_address: str) -> None:
    # The audit log is permanent: never store what was typed (it may be a password typed into
    # the wrong box); a digest still lets an operator group repeated attempts.
    digest = hashlib.sha256(username.strip().encode()).hexdigest()[:16]
    record_audit(
        "signin.failure",
        object_type="org.user",
        object_repr=f"(không có tài khoản) #{digest}",
        after={"reason": "unknown_user", "typed_length": len(username)},
        source_address=source_address,
    )


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The 30-second step the code belongs to (±1 step of clock drift), or None."""
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
    current = int(now // TOTP_PERIOD)
    for step in (current, current - 1, current + 1):
        if pyotp.utils.strings_equal(totp.at(step * TOTP_PERIOD), code):
            return step
    return None


def _claim_step(user: User, step: int, **fields: object) -> bool:
    """Record `step` as used, atomically: two requests with one code cannot both succeed."""
    updated = User.objects.filter(pk=user.pk, last_totp_step__lt=step).update(
        last_totp_step=step, failed_signins=0, **fields
    )
    return updated == 1


def _refuse_code(user: User, *, reason: str, source_address: str, message: str, code: str) -> None:
    do_record_signin_failure(user, reason=reason, source_address=source_address)
    user.refresh_from_db()
    if user.is_locked():
        raise DomainError(_lock_message(user), code="locked")
    raise DomainError(message, code=code)


def do_verify_second_factor(
    user: User, code: str, *, source_address: str, enrolment_secret: str = ""
) -> User:
    """Second factor. A code is accepted once (no replay within its window); an enrolment never
    replaces a secret that is already confirmed."""
    code = "".join(code.split())
    secret = enrolment_secret or user.totp_secret
    if user.is_locked():
        raise DomainError(_lock_message(user), code="locked")
    step = _matching_step(secret, code, time.time()) if code.isdigit() and secret else None
    now = timezone.now()
    accepted = False
    if step is not None:
        with transaction.atomic():
            current = User.objects.select_for_update().get(pk=user.pk)
            if enrolment_secret and current.totp_confirmed_at:
                raise DomainError(
                    "Tài khoản đã có mã xác thực. Hãy đăng nhập lại.", code="already_enrolled"
                )
            fields: dict[str, object] = {"locked_until": None, "last_login": now}
            if enrolment_secret:
                fields.update(totp_secret=enrolment_secret, totp_confirmed_at=now)
            accepted = _claim_step(user, step, **fields)
            if accepted:
                user.refresh_from_db()
                record_audit("signin.success", actor=user, obj=user, source_address=source_address)
    if not accepted:
        _refuse_code(
            user,
            reason="totp",
            source_address=source_address,
            message="Mã xác thực không đúng hoặc đã dùng. Nhập mã mới.",
            code="bad_totp",
        )
    return user


def do_confirm_second_factor(
    user: User, code: str, *, purpose: str, source_address: str = ""
) -> None:
    """Re-ask the second factor before a sensitive act (signing a document, ...). Uses the same
    replay protection and failure counter as sign-in; raises DomainError when refused."""
    code = "".join(str(code or "").split())
    user.refresh_from_db(fields=["locked_until", "last_totp_step", "failed_signins"])
    if user.is_locked():
        raise DomainError(_lock_message(user), code="locked")
    step = None
    if code.isdigit() and user.totp_secret and user.totp_confirmed_at:
        step = _matching_step(user.totp_secret, code, time.time())
    with transaction.atomic():
        accepted = step is not None and _claim_step(user, step)
        if accepted:
            user.refresh_from_db(fields=["last_totp_step", "failed_signins"])
            record_audit(
                "second_factor.confirm",
                actor=user,
                obj=user,
                after={"purpose": purpose},
                source_address=source_address,
            )
    if not accepted:
        _refuse_code(
            user,
            reason=f"totp:{purpose}",
            source_address=source_address,
            message="Mã xác thực không đúng hoặc đã dùng; cần nhập mã mới để xác nhận.",
            code="second_factor_required",
        )


def new_totp_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, interval=TOTP_PERIOD).provisioning_uri(
        name=user.username, issuer_name="chinhquyen"
    )
