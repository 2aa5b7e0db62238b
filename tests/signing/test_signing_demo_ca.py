"""`manage.py demo_ca`: refused without DEBUG; idempotent; certificates and images for the demo
leaders and agencies, chaining to the demo trust anchors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

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
