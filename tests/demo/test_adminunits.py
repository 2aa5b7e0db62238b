"""Administrative units from vietnam-provinces, with the former districts kept as history."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from chinhquyen.audit.models import AuditEvent
from chinhquyen.org.adminunits import FORMER_UNITS_PATH, load_administrative_units
from chinhquyen.org.models import AdministrativeUnit

Level = AdministrativeUnit.Level
HISTORY_END = date(2025, 6, 30)


def _current(level: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level=level, code=code, valid_to__isnull=True)


@pytest.mark.django_db
def test_hung_yen_province_and_its_104_communes() -> None:
    load_administrative_units([33])

    province = _current(Level.PROVINCE, "33")
    assert province.name == "Hưng Yên"
    assert province.valid_from == date(2025, 7, 1)
    assert province.source.startswith("vietnam-provinces 2025.10.1 (data ")
    communes = AdministrativeUnit.objects.filter(level=Level.COMMUNE, valid_to__isnull=True)
    assert communes.count() == 104
    assert set(communes.values_list("parent", flat=True)) == {province.pk}
    assert communes.filter(code="11953").get().name == "Phường Phố Hiến"
    assert not AdministrativeUnit.objects.filter(level=Level.PROVINCE, code="01").exists()


@pytest.mark.django_db
def test_former_districts_of_hung_yen_and_thai_binh_are_history() -> None:
    load_administrative_units([33])

    hung_yen = _current(Level.PROVINCE, "33")  # Name and code survive: the same row continues.
    thai_binh = AdministrativeUnit.objects.get(level=Level.PROVINCE, code="34")
    assert thai_binh.valid_to == HISTORY_END
    assert thai_binh.name == "Tỉnh Thái Bình"
    districts = AdministrativeUnit.objects.filter(level=Level.DISTRICT)
    assert set(districts.values_list("valid_to", flat=True)) == {HISTORY_END}
    assert districts.filter(parent=hung_yen).count() == 10
    assert districts.filter(parent=thai_binh).count() == 8
    assert districts.get(code="336").name == "Thành phố Thái Bình"
    assert districts.get(code="323").name == "Thành phố Hưng Yên"


@pytest.mark.django_db
def test_second_load_changes_nothing() -> None:
    load_administrative_units([33])
    rows, audits = AdministrativeUnit.objects.count(), AuditEvent.objects.count()

    result = load_administrative_units([33])

    assert not result.changed
    assert (AdministrativeUnit.objects.count(), AuditEvent.objects.count()) == (rows, audits)


@pytest.mark.django_db
def test_national_load_keeps_all_63_former_provinces() -> None:
    load_administrative_units()

    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    assert current.filter(level=Level.PROVINCE).count() == 34
    assert current.filter(level=Level.COMMUNE).count() == 3321
    closed = AdministrativeUnit.objects.filter(level=Level.PROVINCE, valid_to=HISTORY_END)
    # 27 provinces continue under their own code and name; the other 36 are closed rows.
    assert closed.count() == 36
    assert AdministrativeUnit.objects.filter(level=Level.DISTRICT).count() == 696
    # Yên Bái (15) closed; Lào Cai took code 15 as a new current row.
    assert closed.get(code="15").name == "Tỉnh Yên Bái"
    assert _current(Level.PROVINCE, "15").name == "Lào Cai"


@pytest.mark.django_db
def test_command_loads_one_province() -> None:
    call_command("load_admin_units", "--province", "33", stdout=StringIO())

    assert AdministrativeUnit.objects.filter(level=Level.PROVINCE, valid_to=None).count() == 1


def test_former_units_file_records_its_source() -> None:
    data = json.loads(FORMER_UNITS_PATH.read_text(encoding="utf-8"))

    assert (data["package"], data["version"]) == ("vietnam-provinces", "0.6.0")
    assert len(data["provinces"]) == 63
    thai_binh = next(p for p in data["provinces"] if p["code"] == 34)
    assert thai_binh["successor_code"] == 33
