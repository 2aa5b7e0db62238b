"""The citizen account an outside identity provider's person signs in as (OpenID Connect)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import DomainError
from chinhquyen.org import identity
from chinhquyen.org.citizens.accounts import do_complete_citizen_signin, new_username
from chinhquyen.org.citizens.contacts import Channel, Contact, check_email, find_citizen
from chinhquyen.org.models import CitizenProfile, ExternalIdentity, User


@dataclass(frozen=True)
class ExternalClaims:
    """What the identity provider asserted about the person (already verified upstream)."""

    issuer: str
    subject: str
    full_name: str = ""
    email: str = ""
    email_verified: bool = False
    phone: str = ""
    phone_verified: bool = False
    personal_id: str = ""


def do_sign_in_with_external_identity(claims: ExternalClaims, *, source_address: str) -> User:
    """The citizen account linked to (issuer, subject), created on the first sign-in. Existing
    accounts are never linked by e-mail, phone or personal ID: those may be self-declared, and
    linking on them would hand someone else's account to whoever holds the identity."""
    with transaction.atomic():
        link = _link_for(claims, source_address)
        user = link.user
        usable = user.is_active and user.kind == User.Kind.CITIZEN
        if usable:
            ExternalIdentity.objects.filter(pk=link.pk).update(last_signin_at=timezone.now())
            do_complete_citizen_signin(user, source_address=source_address, via="oidc")
    if not usable:  # recorded outside the transaction, so the refusal stays in the log
        record_audit(
            "signin.refused_external",
            actor=user,
            obj=user,
            after={"issuer": claims.issuer, "reason": "inactive or not a citizen"},
            source_address=source_address,
        )
        raise DomainError("Tài khoản này không đăng nhập được tại đây.", code="refused")
    return user


def _link_for(claims: ExternalClaims, source_address: str) -> ExternalIdentity:
    link = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return _create_from_claims(claims, source_address)
    except IntegrityError:  # a concurrent first sign-in of the same person won
        return ExternalIdentity.objects.select_related("user").get(
            issuer=claims.issuer, subject=claims.subject
        )


def _create_from_claims(claims: ExternalClaims, source_address: str) -> ExternalIdentity:
    now = timezone.now()
    user = User(username=new_username(), kind=User.Kind.CITIZEN)
    user.full_name = " ".join(claims.full_name.split())[:200]
    user.set_unusable_password()  # signs in through the provider only, until a password is set
    profile = CitizenProfile(user=user)
    ignored = _take_contacts(claims, user, profile, now)
    personal_id = "".join(claims.personal_id.split())
    if personal_id:
        try:
            identity.validate_personal_id(personal_id)
        except ValidationError:
            ignored.append("personal_id:invalid")
        else:
            if CitizenProfile.objects.filter(personal_id=personal_id).exists():
                ignored.append("personal_id:taken")
            else:
                profile.personal_id = personal_id
    user.save()
    profile.user = user
    profile.save()
    link = ExternalIdentity.objects.create(user=user, issuer=claims.issuer, subject=claims.subject)
    record_audit(
        "citizen.signed_up",
        actor=user,
        obj=user,
        after={"via": "oidc", "issuer": claims.issuer, "ignored": ignored},
        source_address=source_address,
    )
    return link


def _take_contacts(
    claims: ExternalClaims, user: User, profile: CitizenProfile, now: datetime
) -> list[str]:
    """Contacts the provider says it verified and no other account holds; the rest is skipped
    (and listed in the audit row) rather than failing the sign-in."""
    ignored = []
    email, phone = _usable_email(claims), _usable_phone(claims)
    if email:
        user.email, profile.email_verified_at = email, now
    elif claims.email:
        ignored.append("email")
    if phone:
        user.phone, profile.phone_verified_at = phone, now
    elif claims.phone:
        ignored.append("phone")
    return ignored


def _usable_email(claims: ExternalClaims) -> str:
    if not (claims.email and claims.email_verified):
        return ""
    try:
        email = check_email(claims.email)
    except DomainError:
        return ""
    return "" if find_citizen(Contact(Channel.EMAIL, email)) else email


def _usable_phone(claims: ExternalClaims) -> str:
    if not (claims.phone and claims.phone_verified):
        return ""
    try:
        phone = identity.normalise_phone(claims.phone)
    except ValidationError:
        return ""
    return "" if find_citizen(Contact(Channel.PHONE, phone)) else phone


def do_record_external_refusal(reason: str, *, source_address: str, issuer: str = "") -> None:
    """A failed provider sign-in (bad state, token that does not verify, ...), for monitoring."""
    record_audit(
        "signin.refused_external",
        object_type="org.externalidentity",
        after={"issuer": issuer, "reason": reason[:300]},
        source_address=source_address,
    )
