"""`manage.py demo_ca`: refused without DEBUG; idempotent; certificates and images for the demo
leaders and agencies, chaining to the demo trust anchors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from chinhquyen.core.demo.personas import JUSTICE_DEPARTMENT, PROVINCE_PC
from chinhquyen.org.models import Agency, Role
from chinhquyen.signing.models import SignatureImage, SigningCertificate, TrustAnchor
from tests.factories import AgencyFactory, staff_with_role


@pytest.fixture
def demo_settings(settings: Any, tmp_path: Path) -> Any:
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    return settings


def test_signing_demo_ca_refused_without_debug(db: None, settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_ca")
    assert not TrustAnchor.objects.exists()


def test_signing_demo_ca_needs_demo_province(db: None, demo_settings: Any) -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_ca")


def test_signing_demo_ca_issues_once(db: None, demo_settings: Any, capsys: Any) -> None:
    province = AgencyFactory.create(
        identifier_code=PROVINCE_PC, kind=Agency.Kind.PEOPLES_COMMITTEE, name="UBND tỉnh Hưng Yên"
    )
    justice = AgencyFactory.create(
        identifier_code=JUSTICE_DEPARTMENT, parent=province, name="Sở Tư pháp"
    )
    director = staff_with_role(justice, Role.AGENCY_LEADER, username="giamdoc")
    staff_with_role(justice, Role.CLERK, username="vanthu")
    call_command("demo_ca")
    call_command("demo_ca")
    assert TrustAnchor.objects.filter(kind="root").count() == 1
    assert TrustAnchor.objects.filter(kind="intermediate").count() == 1
    personal = SigningCertificate.objects.get(purpose="personal")
    assert personal.owner_user == director and personal.key_store == "software"
    assert set(
        SigningCertificate.objects.filter(purpose="organisation").values_list(
            "owner_agency", flat=True
        )
    ) == {province.pk, justice.pk}
    assert SignatureImage.objects.filter(kind="signature").count() == 1
    assert SignatureImage.objects.filter(kind="seal").count() == 2
    assert len(personal.chain_der) == 1
    output = capsys.readouterr().out
    assert "chứng thư cá nhân mới: 0" in output  # the second run added nothing


def test_demo_crl_lists_withdrawn_certificates_and_demo_signatures_validate(
    transactional_db: None, demo_settings: Any, live_server: Any
) -> None:
    """The demo certificates name the site's own CRL: a demo document checks out end to end, and
    a certificate withdrawn afterwards shows on the CRL from the moment it was withdrawn."""
    import pyotp
    from cryptography import x509

    from chinhquyen.signing.actions import do_deactivate_certificate, do_sign_document
    from chinhquyen.signing.appearance import BlockPlacement
    from chinhquyen.signing.validation.engine import validate_pdf_bytes
    from tests.signing.pdfs import SIGNATURE_BLOCK, make_pdf

    demo_settings.SITE_URL = live_server.url
    demo_settings.SIGNING_FETCH_REVOCATION = True
    province = AgencyFactory.create(
        identifier_code=PROVINCE_PC, kind=Agency.Kind.PEOPLES_COMMITTEE, name="UBND tỉnh Hưng Yên"
    )
    justice = AgencyFactory.create(
        identifier_code=JUSTICE_DEPARTMENT, parent=province, name="Sở Tư pháp"
    )
    director = staff_with_role(justice, Role.AGENCY_LEADER, username="giamdoc")
    call_command("demo_ca")
    certificate = SigningCertificate.objects.get(owner_user=director)
    block = SIGNATURE_BLOCK
    signed = do_sign_document(
        make_pdf(1),
        certificate=certificate,
        acting_user=director,
        second_factor_code=pyotp.TOTP(director.totp_secret).now(),
        placement=BlockPlacement(block.centre_x, block.title_baseline_y, block.name_baseline_y),
        level="B-B",
    )
    assert validate_pdf_bytes(signed, fetch=True).to_json()["verdict"] == "valid"

    do_deactivate_certificate(certificate, acting_user=None)
    response = Client().get("/demo-ca/chinhquyen-demo.crl")
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    serial = x509.load_der_x509_certificate(bytes(certificate.certificate_der)).serial_number
    assert crl.get_revoked_certificate_by_serial_number(serial) is not None


def test_demo_crl_is_not_served_without_debug(db: None, settings: Any) -> None:
    settings.DEBUG = False
    assert Client().get("/demo-ca/chinhquyen-demo.crl").status_code == 404
