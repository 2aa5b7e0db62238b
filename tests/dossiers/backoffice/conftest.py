"""The back office's world: agency A (Sở Tư pháp) with two units, its one-stop officer, unit
leaders and specialists; agency B (Sở Xây dựng) and agency C asked for opinions or for their part
of a liên thông dossier; a commune whose one-stop office receives province procedures. The 2025
and 2026 holiday tables are loaded, so Tết 2026 is the real one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chinhquyen.dossiers import handling
from chinhquyen.dossiers.handling import Applicant
from chinhquyen.dossiers.models import Dossier, DossierTransition
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.org.models import Agency, Role, User
from chinhquyen.procedures.models import ProcedureVersion
from chinhquyen.workdays.actions import load_official_schedules
from tests.conftest import Personas, Province
from tests.dossier_helpers import publish_procedure
from tests.factories import AgencyFactory, staff_with_role

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# Five steps, as the provinces publish them (TT 01/2018 Art. 8): 3 working days in all.
PROCESS = [
    {"code": "tiep_nhan", "name": "Tiếp nhận, chuyển hồ sơ", "role": "one_stop_officer",
     "budget": {"value": "0.5", "unit": "working_days"}},
    {"code": "tham_dinh", "name": "Thẩm định, đề xuất", "role": "specialist",
     "budget": {"value": "1", "unit": "working_days"}},
    {"code": "kiem_tra", "name": "Lãnh đạo phòng kiểm tra", "role": "unit_leader",
     "budget": {"value": "4", "unit": "working_hours"}},
    {"code": "phe_duyet", "name": "Lãnh đạo Sở phê duyệt", "role": "agency_leader",
     "budget": {"value": "3.5", "unit": "working_hours"}},
    {"code": "tra_ket_qua", "name": "Trả kết quả", "role": "one_stop_officer",
     "budget": {"value": "0.5", "unit": "working_days"}},
]  # fmt: skip
THREE_DAYS = {"value": "3", "unit": "working_days", "note": ""}


def at(text: str) -> datetime:
    """`"2026-02-13 16:00"` in Vietnam time."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@dataclass
class World:
    province: Province
    people: Personas
    version: ProcedureVersion
    unit_b: Agency  # a second unit of agency A
    agency_c: Agency
    commune: Agency
    unit_leader_a: User
    specialist_a2: User  # a specialist of unit B of agency A: outside unit A
    specialist_b: User
    leader_b: User
    specialist_c: User
    commune_officer: User

    @property
    def officer(self) -> User:
        return self.people.officer_a


@pytest.fixture(autouse=True)
def _calendar_and_templates(db: None) -> None:
    load_official_schedules()
    load_default_templates()


@pytest.fixture
def world(province: Province, personas: Personas) -> World:
    root, agency_a = province.root, province.agency_a
    unit_b = AgencyFactory.create(identifier_code="000.02.01.H99", name="Phòng Bổ trợ tư pháp",
                                  kind=Agency.Kind.UNIT, parent=agency_a)  # fmt: skip
    agency_c = AgencyFactory.create(identifier_code="000.00.03.H99", name="Sở Tài chính",
                                    parent=root)  # fmt: skip
    commune = AgencyFactory.create(identifier_code="000.00.31.H99", name="UBND phường Phố Hiến",
                                   kind=Agency.Kind.COMMUNE_COMMITTEE, parent=root)  # fmt: skip
    version = publish_procedure(agency_a, process=PROCESS, time_limit=THREE_DAYS)
    return World(
        province=province,
        people=personas,
        version=version,
        unit_b=unit_b,
        agency_c=agency_c,
        commune=commune,
        unit_leader_a=staff_with_role(province.unit_a, Role.UNIT_LEADER, username="truongphong_a"),
        specialist_a2=staff_with_role(unit_b, Role.SPECIALIST, username="chuyenvien_a2"),
        specialist_b=staff_with_role(province.agency_b, Role.SPECIALIST, username="chuyenvien_b"),
        leader_b=staff_with_role(province.agency_b, Role.AGENCY_LEADER, username="lanhdao_b"),
        specialist_c=staff_with_role(agency_c, Role.SPECIALIST, username="chuyenvien_c"),
        commune_officer=staff_with_role(commune, Role.ONE_STOP_OFFICER, username="motcua_xa"),
    )


APPLICANT = Applicant(
    name="Lê Văn Cường",
    id_number="001085012345",
    phone="0912345678",
    email="cuong.le@example.vn",
    address="Số 5 phố Hiến Nam",
)


def receive(world: World, when: datetime, **changes: Any) -> Dossier:
    """A dossier entered at agency A's counter at `when`."""
    options: dict[str, Any] = {
        "acting_user": world.officer,
        "receiving_agency": world.province.agency_a,
        "applicant": APPLICANT,
        "delivery_option": "counter",
        "now": when,
    }
    options.update(changes)
    return handling.do_receive_at_counter(world.version, **options)


def act(
    dossier: Dossier, action: str, user: User, when: datetime, **data: Any
) -> DossierTransition:
    """Take `action` as an officer would: with the seq of the page they were looking at."""
    return handling.do_transition_dossier(
        dossier,
        action,
        acting_user=user,
        expected_seq=handling.last_seq(dossier),
        now=when,
        **data,
    )


def to_processing(world: World, when: datetime) -> Dossier:
    """Received at the counter, forwarded to unit A, assigned to its specialist."""
    dossier = receive(world, when)
    act(dossier, "forward", world.officer, when, unit=world.province.unit_a)
    act(dossier, "assign", world.unit_leader_a, when, assignee=world.people.specialist_a)
    return fresh(dossier)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def actions_of(dossier: Dossier) -> list[str]:
    return list(dossier.transitions.order_by("seq").values_list("action", flat=True))
