"""A small catalogue for the portal tests: published, draft and agency-bound versions; the
citizen's submitted dossier and their signed-in browser, shared by the dossier pages' tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from chinhquyen.dossiers.models import Dossier
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import Fee, ProcedureVersion, RequiredDocument
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.factories import AgencyFactory
from tests.portal import catalogue as catalogue_data
from tests.portal.catalogue import field


@dataclass
class Catalogue:
    birth: ProcedureVersion
    permit: ProcedureVersion
    marriage: ProcedureVersion
    draft: ProcedureVersion
    agency: Agency


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    civil, construction = field("HT", "Hộ tịch"), field("XD", "Xây dựng")
    agency = AgencyFactory.create(name="Sở Xây dựng tỉnh Thử nghiệm")
    birth = catalogue_data.version(
        "Đăng ký khai sinh",
        field_of=civil,
        national_code="1.001193.000.00.00.H38",
        time_limit_value=Decimal(0),
        time_limit_note="Ngay trong ngày làm việc; sau 15 giờ thì trả vào ngày làm việc sau",
        legacy_level=4,
        delivery_options=["counter", "post", "online"],
        steps_text="Bước 1: Nộp tờ khai\nBước 2: Nhận kết quả",
        legal_basis=["Luật Hộ tịch số 60/2014/QH13"],
    )
    RequiredDocument.objects.create(
        version=birth, order=1, name="Tờ khai đăng ký khai sinh", originals=1
    )
    RequiredDocument.objects.create(
        version=birth, order=2, name="Giấy chứng sinh", originals=1, copies=2, reusable=True
    )
    Fee.objects.create(version=birth, kind=Fee.Kind.FEE, name="Lệ phí đăng ký", amount=0)
    permit = catalogue_data.version(
        "Cấp giấy phép xây dựng",
        field_of=construction,
        national_code="1.009999.000.00.00.H38",
        online_level="partial",
        implementing_level="province",
        implementing_text="Sở Xây dựng",
        time_limit_value=Decimal(15),
    )
    permit.agencies.add(agency)
    Fee.objects.create(version=permit, kind=Fee.Kind.FEE, name="Lệ phí cấp phép", amount=50000)
    Fee.objects.create(
        version=permit,
        kind=Fee.Kind.CHARGE,
        name="Phí thẩm định",
        amount=1500000,
        rule={"per": "copy", "min": "100000"},
    )
    marriage = catalogue_data.version("Đăng ký kết hôn", field_of=civil, online_level="none")
    draft = catalogue_data.version(
        "Thủ tục bí mật đang soạn",
        field_of=civil,
        national_code="1.000000.000.00.00.H38",
        status=ProcedureVersion.Status.DRAFT,
    )
    return Catalogue(birth=birth, permit=permit, marriage=marriage, draft=draft, agency=agency)


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    """A published procedure of agency A, with the notification templates loaded."""
    load_default_templates()
    return h.publish_procedure(province.agency_a)


@pytest.fixture
def dossier(version: ProcedureVersion, personas: Personas) -> Dossier:
    """The citizen's online dossier, submitted and waiting for reception."""
    return h.submitted_dossier(personas.citizen, version)


@pytest.fixture
def citizen(personas: Personas) -> Client:
    """The citizen who filed `dossier`, signed in."""
    return client_for(personas.citizen)
