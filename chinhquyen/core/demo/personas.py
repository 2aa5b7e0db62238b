"""Demo sign-ins as data, so tests and the benchmark harness can import usernames and secrets.

The TOTP secrets are fixed (not random) so a reload, a test run and an authenticator app that
scanned them once all agree. They are public: never use them outside the demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chinhquyen.org.models import Role

DEMO_PASSWORD = "ChinhQuyen@2026"  # noqa: S105 (public demo password, DEBUG only)

# Agencies the personas sit in (codes from chinhquyen.core.demo.agencies).
PROVINCE_PC = "000.00.00.H33"
SERVICE_CENTRE = "000.04.01.H33"
JUSTICE_DEPARTMENT = "000.00.03.H33"
JUSTICE_UNIT = "000.02.03.H33"  # Phòng Hành chính tư pháp, Sở Tư pháp
COMMUNE_PC = "000.01.70.H33"  # UBND phường Phố Hiến (first commune in GSO order)


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    position: str
    role: str
    agency_code: str
    totp_secret: str
    password: str = DEMO_PASSWORD


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "motcua",
        "Nguyễn Thị Thu Hà",
        "Công chức tiếp nhận và trả kết quả",
        Role.ONE_STOP_OFFICER,
        SERVICE_CENTRE,
        "PXI6K6JXLCAGPC3FDMNCVFNRGCV6EIW5",
    ),
    Persona(
        "chuyenvien",
        "Trần Văn Minh",
        "Chuyên viên",
        Role.SPECIALIST,
        JUSTICE_UNIT,
        "O5MN5N2DLLCRLMCITLTLAOEW5WRPBDFE",
    ),
    Persona(
        "truongphong",
        "Lê Thị Hồng Nhung",
        "Trưởng phòng Hành chính tư pháp",
        Role.UNIT_LEADER,
        JUSTICE_UNIT,
        "463DR3LIJAPSAVUPQSMAPA35YL7S3U45",
    ),
    Persona(
        "giamdoc",
        "Phạm Quốc Hùng",
        "Giám đốc Sở Tư pháp",
        Role.AGENCY_LEADER,
        JUSTICE_DEPARTMENT,
        "2OEHVPMEHWEXSITCEHHBUNL4DMYDJTDH",
    ),
    Persona(
        "vanthu",
        "Đỗ Thị Lan",
        "Văn thư",
        Role.CLERK,
        JUSTICE_DEPARTMENT,
        "XQY4YJB7INSHAYW474OLF573W2KG2GDC",
    ),
    Persona(
        "quantri",
        "Vũ Đức Anh",
        "Chuyên viên quản trị hệ thống của Sở",
        Role.AGENCY_ADMIN,
        JUSTICE_DEPARTMENT,
        "ZPGWXIUTZMW4FT37HEMUNDVTA7RV534C",
    ),
    Persona(
        "quantrihethong",
        "Hoàng Minh Tuấn",
        "Quản trị hệ thống, Văn phòng UBND tỉnh",
        Role.SYSTEM_ADMIN,
        PROVINCE_PC,
        "P3QGH7CBWICFG6T6ARABRNMX5WBF4GK3",
    ),
    Persona(
        "thanhtra",
        "Bùi Thị Mai",
        "Thanh tra viên",
        Role.INSPECTOR,
        PROVINCE_PC,
        "4D5DM6BBOW45MU5VQ7TVG7ETCRMGUP3D",
    ),
    Persona(
        "motcua.xa",
        "Ngô Văn Thắng",
        "Công chức Văn phòng - Thống kê, bộ phận một cửa",
        Role.ONE_STOP_OFFICER,
        COMMUNE_PC,
        "6C7YK3WZVWLSZSMYNCPT25JFFBK2X6BV",
    ),
    Persona(
        "chuyenvien.xa",
        "Đặng Thị Thanh Huyền",
        "Công chức Tư pháp - Hộ tịch",
        Role.SPECIALIST,
        COMMUNE_PC,
        "ACGBNPABH6PBU4MULY5CJLLIGGRQSA5E",
    ),
)


@dataclass(frozen=True)
class CitizenPersona:
    """A citizen account, e-mail and phone verified; signs in at /tai-khoan/dang-nhap/ with its
    e-mail or phone and the demo password (no second factor)."""

    username: str
    full_name: str
    email: str
    phone: str
    personal_id: str
    date_of_birth: date
    address: str
    commune_agency_code: str = COMMUNE_PC  # lives in the commune this People's Committee governs
    password: str = DEMO_PASSWORD


CITIZEN_PERSONAS: tuple[CitizenPersona, ...] = (
    CitizenPersona(
        "congdan",
        "Phạm Thị Thu Trang",
        "congdan@dichvucong.example",
        "0961234567",
        "033190004521",  # born in Hưng Yên (033), female 1900s (1), 1990 (90)
        date(1990, 9, 14),
        "Số 12 đường Nguyễn Văn Linh",
    ),
)


def persona_by_username(username: str) -> Persona | None:
    return next((p for p in PERSONAS if p.username == username), None)
