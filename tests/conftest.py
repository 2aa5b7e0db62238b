"""Personas: an officer of agency A, an officer of agency B (who must be denied A's things),
leaders, a clerk, administrators, an inspector over the province, two citizens (B must be
denied A's things)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.org.models import Agency, CitizenProfile, Role, User
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
    citizen_b: User


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
        citizen=citizen_with_profile(
            "congdan",
            full_name="Nguyễn Thị Hồng Nhung",
            email="nhung.nguyen@example.vn",
            phone="0912345678",
            personal_id="001190012345",  # Hà Nội, female, born 1990
            date_of_birth=date(1990, 5, 17),
        ),
        citizen_b=citizen_with_profile(
            "congdan_b",
            full_name="Trần Văn Bình",
            email="binh.tran@example.vn",
            phone="0987654321",
            personal_id="033085001234",  # Hưng Yên, male, born 1985
            date_of_birth=date(1985, 11, 2),
        ),
    )


def citizen_with_profile(
    username: str, *, email: str, phone: str, personal_id: str, date_of_birth: date, **fields: Any
) -> User:
    """A signed-up citizen, e-mail and phone verified; the password is factories.DEMO_PASSWORD."""
    user = UserFactory.create(
        username=username,
        kind=User.Kind.CITIZEN,
        email=email,
        phone=phone,
        totp_secret="",
        totp_confirmed_at=None,
        **fields,
    )
    now = timezone.now()
    CitizenProfile.objects.create(
        user=user,
        personal_id=personal_id,
        date_of_birth=date_of_birth,
        address="Số 1 đường Thử nghiệm",
        email_verified_at=now,
        phone_verified_at=now,
    )
    return user


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
