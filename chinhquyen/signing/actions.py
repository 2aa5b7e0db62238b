"""Signing actions: registering certificates (PKCS#12 import, PKCS#11 token, remote service)
and signing a document with the Decree 30/2020 appearances, each written to the audit log.

Key material never reaches the audit log or any log: rows record fingerprints and hashes only."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.org.models import Agency, Role, RoleAssignment, User
from chinhquyen.org.permissions import Capability, has_capability
from chinhquyen.org.signin import do_confirm_second_factor
from chinhquyen.signing import appearance, keys, pades
from chinhquyen.signing.certs import certificate_facts, load_certificate
from chinhquyen.signing.models import SignatureImage, SigningCertificate
from chinhquyen.signing.signers import open_signer, signer_cache
from chinhquyen.signing.validation.report import (
    ChainStatus,
    ChangeLevel,
    RevocationStatus,
    SignatureReport,
    TimestampStatus,
    Verdict,
)

Placement = appearance.BlockPlacement | appearance.TextStampPlacement | None


@dataclass(frozen=True)
class Owner:
    purpose: str
    user: User | None = None
    agency: Agency | None = None


def _owner(purpose: str, owner_user: User | None, owner_agency: Agency | None) -> Owner:
    personal = purpose == SigningCertificate.Purpose.PERSONAL
    if personal and (owner_user is None or owner_agency is not None):
        raise DomainError("Chữ ký cá nhân phải gắn với một người ký.", code="bad_owner")
    if not personal and (owner_agency is None or owner_user is not None):
        raise DomainError("Chữ ký cơ quan phải gắn với một cơ quan.", code="bad_owner")
    return Owner(purpose, owner_user, owner_agency)


def check_may_manage_certificate(acting_user: User | None, owner: Owner) -> None:
    """Commands (acting_user None), the person themself, or an administrator of the agency."""
    if acting_user is None or (owner.user is not None and owner.user.pk == acting_user.pk):
        return
    if owner.agency is not None and has_capability(
        acting_user, owner.agency, Capability.ADMINISTER
    ):
        return
    raise DomainError("Bạn không có quyền đăng ký chứng thư này.", code="forbidden")


def _chain_b64(chain: Iterable[x509.Certificate]) -> list[str]:
    return [
        base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
        for c in chain
        if c.subject != c.issuer  # roots come from the trust anchors, not from the signature
    ]


def _check_usable(certificate: x509.Certificate) -> None:
    now = timezone.now()
    if certificate.not_valid_after_utc < now:
        raise DomainError("Chứng thư số đã hết hạn, không đăng ký được.", code="expired")
    if certificate.not_valid_before_utc > now:
        raise DomainError("Chứng thư số chưa đến ngày có hiệu lực.", code="not_yet_valid")


def _create_certificate(
    certificate: x509.Certificate,
    chain: Iterable[x509.Certificate],
    *,
    owner: Owner,
    label: str,
    key_store: str,
    acting_user: User | None,
    **fields: Any,
) -> SigningCertificate:
    _check_usable(certificate)
    facts = certificate_facts(certificate)
    try:
        with transaction.atomic():
            row = SigningCertificate.objects.create(
                purpose=owner.purpose,
                owner_user=owner.user,
                owner_agency=owner.agency,
                label=label,
                certificate_der=facts.der,
                chain_der=_chain_b64(chain),
                fingerprint_sha256=facts.fingerprint_sha256,
                subject_common_name=facts.common_name,
                serial_hex=facts.serial_hex,
                not_before=facts.not_before,
                not_after=facts.not_after,
                key_store=key_store,
                **fields,
            )
            record_audit(
                "signing.certificate_register",
                actor=acting_user,
                obj=row,
                after={
                    "fingerprint_sha256": facts.fingerprint_sha256,
                    "subject": facts.subject,
                    "key_store": key_store,
                    "purpose": owner.purpose,
                },
            )
    except IntegrityError:
        raise Conflict("Chứng thư số này đã được đăng ký.", code="duplicate") from None
    return row


@sensitive_variables("password", "data")
def _load_pkcs12(data: bytes, password: str) -> pkcs12.PKCS12KeyAndCertificates:
    try:
        asn1_pkcs12.Pfx.load(data)["auth_safe"]["content_type"].native  # noqa: B018 - parse check
    except (ValueError, TypeError, KeyError):
        raise DomainError(
            "Tệp không phải PKCS#12 (.p12/.pfx) hợp lệ.", code="not_pkcs12", field="file"
        ) from None
    try:
        return pkcs12.load_pkcs12(data, password.encode() if password else None)
    except ValueError:
        raise DomainError(
            "Mật khẩu của tệp PKCS#12 không đúng.", code="bad_password", field="password"
        ) from None


def do_import_pkcs12(
    data: bytes,
    password: str,
    *,
    purpose: str,
    label: str,
    acting_user: User | None,
    owner_user: User | None = None,
    owner_agency: Agency | None = None,
) -> SigningCertificate:
    """Import a certificate with its private key; the key is stored encrypted (keys.py)."""
    owner = _owner(purpose, owner_user, owner_agency)
    check_may_manage_certificate(acting_user, owner)
    bundle = _load_pkcs12(data, password)
    if bundle.key is None:
        raise DomainError("Tệp PKCS#12 không chứa khóa bí mật.", code="no_private_key")
    if bundle.cert is None:
        raise DomainError("Tệp PKCS#12 không chứa chứng thư số.", code="no_certificate")
    certificate = bundle.cert.certificate
    if certificate.public_key() != bundle.key.public_key():
        raise DomainError("Khóa bí mật không khớp với chứng thư số.", code="key_mismatch")
    _check_usable(certificate)
    return _create_certificate(
        certificate,
        [c.certificate for c in bundle.additional_certs],
        owner=owner,
        label=label,
        key_store=SigningCertificate.KeyStore.SOFTWARE,
        acting_user=acting_user,
        encrypted_private_key=keys.encrypt_private_key(bundle.key),
    )


def do_register_pkcs11_certificate(
    certificate_data: bytes,
    *,
    purpose: str,
    label: str,
    token_label: str,
    key_label: str,
    acting_user: User | None,
    chain: Iterable[bytes] = (),
    owner_user: User | None = None,
    owner_agency: Agency | None = None,
) -> SigningCertificate:
    """A certificate whose key stays on a USB token/HSM; the PIN is asked at each signing."""
    owner = _owner(purpose, owner_user, owner_agency)
    check_may_manage_certificate(acting_user, owner)
    return _create_certificate(
        load_certificate(certificate_data),
        [load_certificate(item) for item in chain],
        owner=owner,
        label=label,
        key_store=SigningCertificate.KeyStore.PKCS11,
        acting_user=acting_user,
        pkcs11_token_label=token_label,
        pkcs11_key_label=key_label,
    )


def do_register_remote_certificate(
    certificate_data: bytes,
    *,
    purpose: str,
    label: str,
    credential_id: str,
    acting_user: User | None,
    chain: Iterable[bytes] = (),
    owner_user: User | None = None,
    owner_agency: Agency | None = None,
) -> SigningCertificate:
    """A certificate whose key the remote-signing service holds (credential_id there)."""
    owner = _owner(purpose, owner_user, owner_agency)
    check_may_manage_certificate(acting_user, owner)
    return _create_certificate(
        load_certificate(certificate_data),
        [load_certificate(item) for item in chain],
        owner=owner,
        label=label,
        key_store=SigningCertificate.KeyStore.REMOTE,
        acting_user=acting_user,
        remote_credential_id=credential_id,
    )


def do_deactivate_certificate(
    certificate: SigningCertificate, *, acting_user: User | None
) -> SigningCertificate:
    owner = Owner(certificate.purpose, certificate.owner_user, certificate.owner_agency)
    check_may_manage_certificate(acting_user, owner)
    with transaction.atomic():
        certificate.is_active = False
        certificate.save(update_fields=["is_active"])
        record_audit("signing.certificate_deactivate", actor=acting_user, obj=certificate)
    signer_cache.discard(certificate.fingerprint_sha256)
    return certificate


# --- Signing ----------------------------------------------------------------------------------


def check_may_sign_with(user: User, certificate: SigningCertificate) -> None:
    """Personal key: only its owner. Organisation key: only a clerk of that agency (a role held
    in the agency or above it reaches it) — Decree 30/2020 Art. 32–33, Circular 41/2017."""
    if certificate.purpose == SigningCertificate.Purpose.PERSONAL:
        if certificate.owner_user_id != user.pk:
            raise DomainError("Chỉ người được cấp chứng thư mới được ký bằng nó.", code="forbidden")
        return
    agency = certificate.owner_agency
    assert agency is not None
    is_clerk = RoleAssignment.objects.filter(
        user=user, role=Role.CLERK, agency_id__in=agency.ancestor_ids(), agency__is_active=True
    ).exists()
    if not is_clerk:
        raise DomainError(
            "Chỉ văn thư của cơ quan mới được ký số bằng chữ ký của cơ quan.", code="forbidden"
        )


def check_certificate_current(certificate: SigningCertificate) -> None:
    now = timezone.now()
    if not certificate.is_active:
        raise DomainError("Chứng thư số đã ngừng sử dụng.", code="inactive")
    if certificate.not_after < now:
        raise DomainError("Chứng thư số đã hết hạn.", code="expired")
    if certificate.not_before > now:
        raise DomainError("Chứng thư số chưa đến ngày có hiệu lực.", code="not_yet_valid")


def _image(kind: str, **owner: Any) -> appearance.ImageSpec:
    row = SignatureImage.objects.filter(kind=kind, **owner).first()
    if row is None:
        what = "hình chữ ký" if kind == SignatureImage.Kind.SIGNATURE else "hình con dấu"
        raise DomainError(f"Chưa có {what} để hiển thị chữ ký.", code="no_image")
    return appearance.ImageSpec(bytes(row.png), row.width_mm, row.height_mm)


def _acceptable_earlier_signature(signature: SignatureReport) -> bool:
    """The rule (ADR 0004): an earlier signature counts when it is valid, or indeterminate only
    because its revocation status could not be checked (no OCSP/CRL source, source unreachable,
    fetching off). Anything proven bad (integrity, changes after signing, broken chain, revoked,
    expired) or not provable (untrusted root, expired since without a time-stamp, difference
    analysis failed) does not: the seal must not vouch for a signature nobody can rely on."""
    if signature.kind != "signature":
        return False
    if signature.verdict == Verdict.VALID:
        return True
    return (
        signature.verdict == Verdict.INDETERMINATE
        and signature.integrity.ok
        and signature.changes.allowed
        and signature.changes.level != ChangeLevel.UNKNOWN
        and signature.chain.status == ChainStatus.TRUSTED
        and signature.revocation.status == RevocationStatus.UNKNOWN
        and signature.timestamp.status != TimestampStatus.INVALID
    )


def check_organisation_may_follow(pdf: bytes, placement: Placement) -> None:
    """Decree 30/2020 Art. 32–33: the organisation signs only documents already signed by the
    competent person; text stamps on attachments and electronic copies stand alone.

    "Signed" means a signature that checks out (`validate_pdf_bytes`, fetching revocation per
    settings), not merely a signature field with bytes in it: refused when there is none, or
    when any earlier signature is invalid; accepted when at least one is valid or indeterminate
    only because revocation could not be checked (`_acceptable_earlier_signature`)."""
    if isinstance(placement, appearance.TextStampPlacement):
        return
    if pades.existing_signature_count(pdf) == 0:
        raise DomainError(
            "Văn bản chưa có chữ ký của người có thẩm quyền; văn thư chưa được ký số cơ quan.",
            code="person_signature_missing",
        )
    from chinhquyen.signing.validation.engine import validate_pdf_bytes

    report = validate_pdf_bytes(pdf, fetch=settings.SIGNING_FETCH_REVOCATION)
    signatures = [s for s in report.signatures if s.kind == "signature"]
    broken = [s for s in report.signatures if s.verdict == Verdict.INVALID]
    if (
        report.problem is not None
        or broken
        or not any(_acceptable_earlier_signature(s) for s in signatures)
    ):
        reasons = (
            " ".join(dict.fromkeys(r for s in (broken or signatures) for r in s.reasons))
            or report.summary
        )
        raise DomainError(
            "Chữ ký của người có thẩm quyền trên văn bản không hợp lệ hoặc không xác minh được; "
            f"văn thư chưa được ký số cơ quan. {reasons}".strip(),
            code="person_signature_invalid",
        )


def _nominal_signature_box(placement: appearance.BlockPlacement) -> appearance.Box:
    return appearance.signature_box(placement, appearance.ImageSpec(b"", 45, 22))


def appearance_for(
    pdf: bytes, certificate: SigningCertificate, placement: Placement
) -> appearance.Appearance | None:
    if placement is None:
        return None
    if isinstance(placement, appearance.TextStampPlacement):
        return appearance.text_stamp_appearance(placement)
    if certificate.purpose == SigningCertificate.Purpose.PERSONAL:
        image = _image(SignatureImage.Kind.SIGNATURE, owner_user=certificate.owner_user)
        return appearance.person_appearance(placement, image)
    seal = _image(SignatureImage.Kind.SEAL, owner_agency=certificate.owner_agency)
    # Over the person's signature widget when there is one (App. I, box 8).
    boxes = pades.signature_widget_boxes(pdf)
    target = boxes[-1] if boxes else _nominal_signature_box(placement)
    return appearance.seal_appearance(placement.page, target, seal)


def _field_name(pdf: bytes, certificate: SigningCertificate) -> str:
    prefix = "Person" if certificate.purpose == SigningCertificate.Purpose.PERSONAL else "Org"
    return f"Sig{prefix}{pades.existing_signature_count(pdf) + 1}"


def _reason(certificate: SigningCertificate) -> str:
    if certificate.purpose == SigningCertificate.Purpose.PERSONAL:
        return "Người có thẩm quyền ký"
    return "Văn thư ký số của cơ quan"


def do_sign_document(
    pdf: bytes,
    *,
    certificate: SigningCertificate,
    acting_user: User,
    second_factor_code: str,
    placement: Placement,
    level: pades.Level,
    source_address: str = "",
    pin: str | None = None,
    field_name: str = "",
    document_name: str = "",
) -> bytes:
    """Sign `pdf` with `certificate` after a fresh second-factor confirmation; returns the signed
    bytes and writes `signing.sign` with the document's SHA-256 before and after."""
    check_may_sign_with(acting_user, certificate)
    if certificate.purpose == SigningCertificate.Purpose.ORGANISATION:
        check_organisation_may_follow(pdf, placement)
    # TT 15/2025: the software validates the certificate, then signs. The second factor is
    # confirmed outside the signing transaction so a failure is counted even when we refuse.
    do_confirm_second_factor(
        acting_user, second_factor_code, purpose="signing", source_address=source_address
    )
    check_certificate_current(certificate)
    field_name = field_name or _field_name(pdf, certificate)
    look = appearance_for(pdf, certificate, placement)
    context = (
        pades.trust_context(fetch=settings.SIGNING_FETCH_REVOCATION) if level == "B-LT" else None
    )
    with open_signer(certificate, pin=pin, document_name=document_name) as signer:
        signed = pades.sign_pdf(
            pdf,
            signer,
            level=level,
            field_name=field_name,
            appearance=look,
            reason=_reason(certificate),
            tsa_url=settings.SIGNING_TSA_URL,
            validation_context=context,
        )
    record_audit(
        "signing.sign",
        actor=acting_user,
        obj=certificate,
        after={
            "sha256_before": hashlib.sha256(pdf).hexdigest(),
            "sha256_after": hashlib.sha256(signed).hexdigest(),
            "certificate_fingerprint": certificate.fingerprint_sha256,
            "purpose": certificate.purpose,
            "key_store": certificate.key_store,
            "level": level,
            "field_name": field_name,
        },
        source_address=source_address,
    )
    return signed


@dataclass(frozen=True)
class SigningStep:
    certificate: SigningCertificate
    acting_user: User
    second_factor_code: str
    pin: str | None = None


def do_sign_person_then_organisation(
    pdf: bytes,
    *,
    person: SigningStep,
    organisation: SigningStep,
    placement: appearance.BlockPlacement,
    level: pades.Level,
    source_address: str = "",
) -> bytes:
    """Decree 30/2020 App. I: the competent person signs first, then the clerk applies the
    organisation's signature over it; the second is an incremental update, the first stays."""
    if person.certificate.purpose != SigningCertificate.Purpose.PERSONAL:
        raise DomainError("Bước đầu phải là chữ ký cá nhân.", code="bad_order")
    if organisation.certificate.purpose != SigningCertificate.Purpose.ORGANISATION:
        raise DomainError("Bước sau phải là chữ ký của cơ quan.", code="bad_order")
    for step in (person, organisation):
        pdf = do_sign_document(
            pdf,
            certificate=step.certificate,
            acting_user=step.acting_user,
            second_factor_code=step.second_factor_code,
            placement=placement,
            level=level,
            source_address=source_address,
            pin=step.pin,
        )
    return pdf
