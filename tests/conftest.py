"""Personas: an officer of agency A, an officer of agency B (who must be denied A's things),
leaders, a clerk, administrators, an inspector over the province, a citizen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from chinhquyen.org.models import Agency, Role, User
from tests.factories import AgencyFactory, UserFactory, staff_with_role


@dataclass
class Province:
    root: Agency
    agency_a: Agency
    unit_a: Agency
    agency_b: Agency


@dataclass
class Personas:
    officer_a: User
    specialist_a: User
    leader_a: User
    clerk_a: User
    admin_a: User
    officer_b: User
    admin_b: User
    inspector: User
    sysadmin: User
    citizen: User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests of the hasher itself restore it explicitly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(db: None) -> Province:
    root = AgencyFactory.create(
        identifier_code="000.00.00.H99",
        name="UBND tỉnh Thử nghiệm",
        abbreviation="UBND",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
    )
    agency_a = AgencyFactory.create(identifier_code="000.00.01.H99", name="Sở Tư pháp", parent=root)
    unit_a = AgencyFactory.create(
        identifier_code="000.01.01.H99",
        name="Phòng Hành chính tư pháp",
        kind=Agency.Kind.UNIT,
        parent=agency_a,
    )
    agency_b = AgencyFactory.create(
        identifier_code="000.00.02.H99", name="Sở Xây dựng", parent=root
    )
    return Province(root=root, agency_a=agency_a, unit_a=unit_a, agency_b=agency_b)


@pytest.fixture
def personas(province: Province) -> Personas:
    return Personas(
        officer_a=staff_with_role(province.agency_a, Role.ONE_STOP_OFFICER, username="motcua_a"),
        specialist_a=staff_with_role(province.unit_a, Role.SPECIALIST, username="chuyenvien_a"),
        leader_a=staff_with_role(province.agency_a, Role.AGENCY_LEADER, username="lanhdao_a"),
        clerk_a=staff_with_role(province.agency_a, Role.CLERK, username="vanthu_a"),
        admin_a=staff_with_role(province.agency_a, Role.AGENCY_ADMIN, username="quantri_a"),
        officer_b=staff_with_role(province.agency_b, Role.ONE_STOP_OFFICER, username="motcua_b"),
        admin_b=staff_with_role(province.agency_b, Role.AGENCY_ADMIN, username="quantri_b"),
        inspector=staff_with_role(province.root, Role.INSPECTOR, username="thanhtra"),
        sysadmin=staff_with_role(province.root, Role.SYSTEM_ADMIN, username="quantrihethong"),
        citizen=UserFactory.create(username="congdan", kind=User.Kind.CITIZEN),
    )


def client_for(user: User) -> Client:
    """A client signed in as `user` (both factors: `login()` only ever runs after the second)."""
    client = Client()
    client.force_login(user)
    return client


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many browser tests really ran, so CI's output shows it (not only a skip count)."""
    passed = [
        report
        for report in terminalreporter.stats.get("passed", [])
        if report.when == "call" and "browser" in report.keywords
    ]
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "browser" in report.keywords
    ]
    terminalreporter.write_line(
        f"browser tests (Chromium): {len(passed)} passed, {len(skipped)} skipped"
    )
