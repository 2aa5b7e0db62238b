"""Every change to agencies, staff and roles. Each `do_*` runs in one transaction and writes its
audit row in that same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.org.codes import normalize_identifier_code, validate_identifier_code
from chinhquyen.org.models import AdministrativeUnit, Agency, AgencyCode, Role, RoleAssignment, User


def check_identifier_code(code: str) -> str:
    code = normalize_identifier_code(code)
    try:
        validate_identifier_code(code)
    except ValidationError as exc:
        failure = DomainError(exc.messages[0], code="identifier_code_invalid")
        failure.field = "identifier_code"
        raise failure from None
    return code


def _code_taken(code: str) -> Conflict:
    return Conflict(
        f"Mã định danh “{code}” đã được cấp cho một cơ quan khác (kể cả mã đã đóng).",
        code="identifier_code_taken",
        field="identifier_code",
    )


def _check_text(value: str, label: str, field: str, max_length: int) -> str:
    value = value.strip()
    if not value:
        raise DomainError(f"{label} không được để trống.", field=field)
    if len(value) > max_length:
        raise DomainError(f"{label} dài tối đa {max_length} ký tự.", field=field)
    return value


# Agency.path holds at most 255 characters; ids of up to 12 digits leave room for ~18 levels.
MAX_PATH_LENGTH = 255 - 14


def _locked(agency: Agency) -> Agency:
    """Re-read the agency under a row lock, so concurrent changes to it queue."""
    return Agency.objects.select_for_update().get(pk=agency.pk)


def do_create_agency(
    *,
    acting_user: Any,
    identifier_code: str,
    name: str,
    abbreviation: str,
    kind: str,
    parent: Agency | None = None,
    short_name: str = "",
    administrative_unit: AdministrativeUnit | None = None,
) -> Agency:
    code = check_identifier_code(identifier_code)
    if kind not in Agency.Kind.values:
        raise DomainError("Loại cơ quan không hợp lệ.", field="kind")
    if parent is not None and not parent.is_active:
        raise DomainError("Cơ quan cấp trên đã ngừng hoạt động.", field="parent")
    if parent is not None and len(parent.path) > MAX_PATH_LENGTH:
        raise DomainError("Cây tổ chức quá sâu: không thể thêm đơn vị ở cấp này.", field="parent")
    fields = {
        "name": _check_text(name, "Tên chính thức", "name", 300),
        "abbreviation": _check_text(abbreviation, "Chữ viết tắt", "abbreviation", 30),
        "short_name": short_name.strip()[:120],
    }
    try:
        with transaction.atomic():
            if parent is not None and not _locked(parent).is_active:
                raise DomainError("Cơ quan cấp trên đã ngừng hoạt động.", field="parent")
            if AgencyCode.objects.filter(code=code).exists():
                raise _code_taken(code)
            agency = Agency.objects.create(
                identifier_code=code,
                kind=kind,
                parent=parent,
                administrative_unit=administrative_unit,
                **fields,
            )
            agency.path = f"{parent.path if parent else '/'}{agency.pk}/"
            agency.save(update_fields=["path"])
            AgencyCode.objects.create(agency=agency, code=code, valid_from=timezone.now())
            record_audit("agency.create", actor=acting_user, obj=agency, after=_snapshot(agency))
    except IntegrityError:
        # Two concurrent creations with one code: the unique index decides, we explain.
        raise _code_taken(code) from None
    return agency


def do_update_agency(
    agency: Agency, *, acting_user: Any, name: str, abbreviation: str, short_name: str = ""
) -> Agency:
    before = _snapshot(agency)
    agency.name = _check_text(name, "Tên chính thức", "name", 300)
    agency.abbreviation = _check_text(abbreviation, "Chữ viết tắt", "abbreviation", 30)
    agency.short_name = short_name.strip()[:120]
    with transaction.atomic():
        agency.save(update_fields=["name", "abbreviation", "short_name"])
        record_audit(
            "agency.update", actor=acting_user, obj=agency, before=before, after=_snapshot(agency)
        )
    return agency


def do_change_agency_code(
    agency: Agency, new_code: str, *, acting_user: Any, reason: str = ""
) -> Agency:
    """Re-code an agency; the old code stays in history, closed, and is never reused."""
    code = check_identifier_code(new_code)
    if code == agency.identifier_code:
        raise DomainError("Mã mới trùng mã hiện tại.", field="identifier_code")
    now = timezone.now()
    before = _snapshot(agency)
    try:
        with transaction.atomic():
            if not _locked(agency).is_active:
                raise DomainError(
                    "Cơ quan đã ngừng hoạt động: không đổi mã.", field="identifier_code"
                )
            if AgencyCode.objects.filter(code=code).exists():
                raise _code_taken(code)
            AgencyCode.objects.filter(agency=agency, valid_to__isnull=True).update(valid_to=now)
            AgencyCode.objects.create(agency=agency, code=code, valid_from=now, reason=reason)
            agency.identifier_code = code
            agency.save(update_fields=["identifier_code"])
            record_audit(
                "agency.recode",
                actor=acting_user,
                obj=agency,
                before=before,
                after=_snapshot(agency),
            )
    except IntegrityError:
        raise _code_taken(code) from None
    return agency


def do_close_agency(agency: Agency, *, acting_user: Any, reason: str) -> Agency:
    now = timezone.now()
    with transaction.atomic():
        if not _locked(agency).is_active:
            raise DomainError("Cơ quan này đã ngừng hoạt động.")
        if agency.children.filter(is_active=True).exists():
            raise DomainError("Cần đóng hoặc chuyển các đơn vị trực thuộc trước.")
        agency.is_active = False
        agency.closed_at = now
        agency.save(update_fields=["is_active", "closed_at"])
        AgencyCode.objects.filter(agency=agency, valid_to__isnull=True).update(
            valid_to=now, reason=reason[:300]
        )
        record_audit("agency.close", actor=acting_user, obj=agency, after={"reason": reason})
    return agency


def do_create_staff_user(
    *,
    acting_user: Any,
    username: str,
    full_name: str,
    password: str,
    email: str = "",
    position: str = "",
    totp_secret: str = "",
    totp_confirmed: bool = False,
) -> User:
    """Create a staff account. `totp_confirmed` is for secrets provisioned out of band (the demo,
    or a token handed over in person); otherwise the person enrols at the first sign-in."""
    username = _check_text(username, "Tên đăng nhập", "username", 150)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict("Tên đăng nhập đã có người dùng.", field="username")
        user = User(
            username=username,
            full_name=full_name.strip(),
            email=email.strip(),
            position=position.strip(),
            kind=User.Kind.STAFF,
            totp_secret=totp_secret,
            totp_confirmed_at=timezone.now() if totp_secret and totp_confirmed else None,
        )
        user.set_password(password)
        user.save()
        record_audit("staff.create", actor=acting_user, obj=user, after={"username": username})
    return user


def do_grant_role(user: User, agency: Agency, role: str, *, acting_user: Any) -> RoleAssignment:
    if role not in Role.values:
        raise DomainError("Vai trò không hợp lệ.", field="role")
    if user.kind != User.Kind.STAFF:
        raise DomainError("Chỉ cán bộ mới được giao vai trò.", field="user")
    if role == Role.SYSTEM_ADMIN and agency.parent_id is not None:
        # The system administrator reaches the Django admin, which sees the whole province:
        # the role is only held at the root (the provincial People's Committee).
        raise DomainError(
            "Vai trò quản trị hệ thống chỉ giao tại cơ quan gốc (UBND tỉnh).", field="agency"
        )
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            agency=agency,
            role=role,
            defaults={"granted_by": acting_user if getattr(acting_user, "pk", None) else None},
        )
        if role == Role.SYSTEM_ADMIN and not (user.is_staff and user.is_superuser):
            # The Django admin (org, workdays, audit tables) is for system administrators only.
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        if created:
            record_audit(
                "role.grant",
                actor=acting_user,
                obj=user,
                after={"agency": agency.identifier_code, "role": role},
            )
    return assignment


def do_revoke_role(assignment: RoleAssignment, *, acting_user: Any) -> None:
    with transaction.atomic():
        user, role = assignment.user, assignment.role
        before = {"agency": assignment.agency.identifier_code, "role": role}
        assignment.delete()
        if role == Role.SYSTEM_ADMIN and not user.role_assignments.filter(role=role).exists():
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        record_audit("role.revoke", actor=acting_user, obj=user, before=before)


def _snapshot(agency: Agency) -> dict[str, object]:
    return {
        "identifier_code": agency.identifier_code,
        "name": agency.name,
        "short_name": agency.short_name,
        "abbreviation": agency.abbreviation,
        "kind": agency.kind,
        "parent": agency.parent_id,
        "is_active": agency.is_active,
    }
