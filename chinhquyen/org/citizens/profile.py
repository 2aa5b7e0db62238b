"""The profile a citizen or organisation keeps: identity, address, contacts (a changed contact
applies once its code is entered), and accounts the platform creates already verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.org import identity
from chinhquyen.org.citizens.accounts import check_full_name
from chinhquyen.org.citizens.contacts import (
    Channel,
    Contact,
    check_contact_free,
    check_email,
    send_code,
)
from chinhquyen.org.models import AdministrativeUnit, CitizenProfile, User

ApplicantKind = CitizenProfile.ApplicantKind


@dataclass(frozen=True)
class ProfileData:
    full_name: str
    applicant_kind: str
    personal_id: str
    date_of_birth: date | None
    address: str
    commune: AdministrativeUnit | None
    email: str
    phone: str
    enterprise_code: str = ""
    organisation_name: str = ""


def _validation(exc: ValidationError, field: str) -> DomainError:
    return DomainError(exc.messages[0], code=exc.error_list[0].code or "invalid", field=field)


def check_profile(data: ProfileData, *, profile: CitizenProfile) -> ProfileData:
    """The data normalised, or a DomainError naming the field. Rules: identity.py validators;
    an enterprise gives its code and name; a household business its name."""
    full_name = check_full_name(data.full_name)
    if data.applicant_kind not in ApplicantKind.values:
        raise DomainError("Đối tượng không hợp lệ.", field="applicant_kind")
    try:
        if data.date_of_birth is not None:
            identity.validate_date_of_birth(data.date_of_birth)
    except ValidationError as exc:
        raise _validation(exc, "date_of_birth") from None
    personal_id = "".join(data.personal_id.split())
    try:
        if personal_id:
            identity.validate_personal_id(personal_id, date_of_birth=data.date_of_birth)
    except ValidationError as exc:
        raise _validation(exc, "personal_id") from None
    if (
        personal_id
        and CitizenProfile.objects.filter(personal_id=personal_id).exclude(pk=profile.pk).exists()
    ):
        raise Conflict(
            "Số định danh cá nhân này đã gắn với một tài khoản khác. Liên hệ bộ phận một cửa "
            "nếu đây là số của bạn.",
            code="personal_id_taken",
            field="personal_id",
        )
    commune = data.commune
    if commune is not None and not (
        commune.level == AdministrativeUnit.Level.COMMUNE and commune.valid_to is None
    ):
        raise DomainError("Chọn một xã, phường hiện hành.", field="commune")
    organisation = _check_organisation(data)
    return ProfileData(
        full_name=full_name,
        applicant_kind=data.applicant_kind,
        personal_id=personal_id,
        date_of_birth=data.date_of_birth,
        address=" ".join(data.address.split())[:300],
        commune=commune,
        email=data.email.strip(),
        phone=data.phone.strip(),
        **organisation,
    )


def _check_organisation(data: ProfileData) -> dict[str, str]:
    if data.applicant_kind == ApplicantKind.CITIZEN:
        return {"enterprise_code": "", "organisation_name": ""}
    code = identity.normalise_enterprise_code(data.enterprise_code)
    name = " ".join(data.organisation_name.split())
    if data.applicant_kind == ApplicantKind.ENTERPRISE and not code:
        raise DomainError("Doanh nghiệp cần nhập mã số doanh nghiệp.", field="enterprise_code")
    if code:
        try:
            identity.validate_enterprise_code(code)
        except ValidationError as exc:
            raise _validation(exc, "enterprise_code") from None
    if not name:
        raise DomainError("Nhập tên doanh nghiệp, hộ kinh doanh.", field="organisation_name")
    return {"enterprise_code": code, "organisation_name": name[:300]}


def _contact_changes(user: User, profile: CitizenProfile, data: ProfileData) -> list[Contact]:
    """Contacts to prove (new or changed values), after applying removals. At least one proven
    contact must remain, or the account could no longer sign in with a password."""
    email = check_email(data.email) if data.email else ""
    phone = _phone_or_error(data.phone) if data.phone else ""
    to_prove = []
    if email.lower() != user.email.lower():
        to_prove += [Contact(Channel.EMAIL, email)] if email else []
    if phone != user.phone:
        to_prove += [Contact(Channel.PHONE, phone)] if phone else []
    keeps_email = (
        bool(email)
        and profile.email_verified_at is not None
        and email.lower() == (user.email.lower())
    )
    keeps_phone = bool(phone) and profile.phone_verified_at is not None and phone == user.phone
    if not email and user.email and not keeps_phone:
        raise DomainError("Cần giữ ít nhất một địa chỉ đã xác thực.", field="email")
    if not phone and user.phone and not keeps_email:
        raise DomainError("Cần giữ ít nhất một địa chỉ đã xác thực.", field="phone")
    if not email:
        user.email, profile.email_verified_at = "", None
    if not phone:
        user.phone, profile.phone_verified_at = "", None
    return to_prove


_PROFILE_FIELDS = (
    "applicant_kind",
    "personal_id",
    "date_of_birth",
    "address",
    "commune",
    "enterprise_code",
    "organisation_name",
)


def do_update_citizen_profile(
    user: User, data: ProfileData, *, acting_user: User, source_address: str = ""
) -> list[str]:
    """Save the profile; a new e-mail or phone is not applied until its code is entered
    (`do_verify_contact`). Returns the channels a code was sent to (or, for a contact another
    account holds, said to be sent: see `send_code`)."""
    now = timezone.now()
    with transaction.atomic():
        profile, _ = CitizenProfile.objects.select_for_update().get_or_create(user=user)
        clean = check_profile(data, profile=profile)
        # A contact another account holds is not refused here: `send_code` tells that account's
        # owner instead of sending a code, and the citizen sees the same pages as for a free one.
        to_prove = _contact_changes(user, profile, clean)
        changed = [f for f in _PROFILE_FIELDS if getattr(profile, f) != getattr(clean, f)]
        changed += ["full_name"] if user.full_name != clean.full_name else []
        for name in _PROFILE_FIELDS:
            setattr(profile, name, getattr(clean, name))
        user.full_name = clean.full_name
        user.save(update_fields=["full_name", "email", "phone"])
        profile.save()
        # Field names only: the audit log is permanent and must not copy personal data.
        record_audit(
            "citizen.profile_updated",
            actor=acting_user,
            obj=user,
            after={"changed": changed, "to_verify": [c.channel for c in to_prove]},
            source_address=source_address,
        )
        for contact in to_prove:
            send_code(user, contact, now)
    return [contact.channel for contact in to_prove]


# --- Accounts created by the platform (demo, one-stop counter) ----------------------------------


def do_create_verified_citizen(
    *,
    acting_user: User | None,
    username: str,
    full_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    personal_id: str = "",
    date_of_birth: date | None = None,
    address: str = "",
    commune: AdministrativeUnit | None = None,
) -> User:
    """A citizen account whose contacts are taken as proven (the demo's persona; later the
    one-stop officer who creates an account for someone at the counter, onestop.md §5.6)."""
    now = timezone.now()
    with transaction.atomic():
        profile = CitizenProfile()
        data = ProfileData(
            full_name=full_name,
            applicant_kind=ApplicantKind.CITIZEN,
            personal_id=personal_id,
            date_of_birth=date_of_birth,
            address=address,
            commune=commune,
            email=email,
            phone=phone,
        )
        clean = check_profile(data, profile=profile)
        user = User(username=username, kind=User.Kind.CITIZEN, full_name=clean.full_name)
        user.email = check_email(email) if email else ""
        user.phone = _phone_or_error(phone) if phone else ""
        for contact in _contacts_of(user):
            check_contact_free(contact, user=None, field=contact.channel, now=now)
        user.set_password(password)
        user.save()
        for name in _PROFILE_FIELDS:
            setattr(profile, name, getattr(clean, name))
        profile.user = user
        profile.email_verified_at = now if user.email else None
        profile.phone_verified_at = now if user.phone else None
        profile.save()
        record_audit("citizen.created", actor=acting_user, obj=user)
    return user


def _phone_or_error(text: str) -> str:
    try:
        return identity.normalise_phone(text)
    except ValidationError as exc:
        raise _validation(exc, "phone") from None


def _contacts_of(user: User) -> list[Contact]:
    contacts = [Contact(Channel.EMAIL, user.email)] if user.email else []
    return contacts + ([Contact(Channel.PHONE, user.phone)] if user.phone else [])
