"""Shared builders for the citizen-side tests: a published online procedure taken from the demo
catalogue's birth registration (made province-level and handled by agency A), and a dossier
submitted through the real actions (draft → applicant → answers → files → declaration → submit).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from chinhquyen.dossiers import actions, drafts
from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.org.models import AdministrativeUnit, Agency, User
from chinhquyen.procedures.actions import do_create_version, do_publish_version, do_save_field
from chinhquyen.procedures.models import ProcedureVersion
from tests.core import upload_samples

CATALOGUE = Path(__file__).parents[1] / "chinhquyen/procedures/data/catalogue.json"
BIRTH_CODE = "1.001193.000.00.00.H33"
# A valid personal identification number (TT 59/2021: 001 Hà Nội, 0 = male born 1900s, 85).
PERSONAL_ID = "001085012345"
PHONE = "0912345678"


@cache
def _catalogue() -> dict[str, Any]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def procedure_entry(**changes: Any) -> dict[str, Any]:
    entry = next(p for p in _catalogue()["procedures"] if p["national_code"] == BIRTH_CODE)
    data = copy.deepcopy(entry)
    data.update(changes)
    return data


def publish_procedure(agency: Agency, **changes: Any) -> ProcedureVersion:
    """Birth registration, province-level, competent agency `agency` (received there too when the
    province has no service centre)."""
    do_save_field(code="HT", name="Hộ tịch", acting_user=None)
    data = procedure_entry(
        implementing_level="province", agencies=[agency.identifier_code], **changes
    )
    version = do_create_version(data["national_code"], acting_user=None, data=data)
    return do_publish_version(version, acting_user=None)


def commune_unit() -> AdministrativeUnit:
    """A current commune (the test database has no administrative units loaded)."""
    province, _ = AdministrativeUnit.objects.get_or_create(
        level=AdministrativeUnit.Level.PROVINCE,
        code="33",
        defaults={"name": "Tỉnh Hưng Yên", "division_type": "tỉnh"},
    )
    commune, _ = AdministrativeUnit.objects.get_or_create(
        level=AdministrativeUnit.Level.COMMUNE,
        code="12175",
        defaults={"name": "Phường Phố Hiến", "division_type": "phường", "parent": province},
    )
    return commune


def birth_answers(*, born: date | None = None) -> dict[str, Any]:
    born = born or timezone.localdate() - timedelta(days=10)
    commune_unit()
    return {
        "nguoi_yeu_cau": {
            "ho_ten": "Nguyễn Văn An",
            "so_dinh_danh": PERSONAL_ID,
            "dien_thoai": PHONE,
            "noi_cu_tru": "12175",
            "dia_chi": "Số 1, phố Hiến Nam",
            "quan_he": "cha",
        },
        "tre": [
            {
                "ho_ten": "Nguyễn Minh Khôi",
                "gioi_tinh": "nam",
                "ngay_sinh": born.isoformat(),
                "noi_sinh": "Bệnh viện Đa khoa tỉnh",
                "dan_toc": "Kinh",
                "quoc_tich": "Việt Nam",
            }
        ],
        "cha_me": {
            "ho_ten_me": "Trần Thị Bình",
            "so_dinh_danh_me": "001190012345",
            "co_thong_tin_cha": False,
        },
    }


APPLICANT = {
    "kind": "citizen",
    "full_name": "Nguyễn Văn An",
    "personal_id": PERSONAL_ID,
    "phone": PHONE,
    "email": "an.nguyen@example.vn",
    "address": "Số 1, phố Hiến Nam",
}


@dataclass
class Filled:
    draft: Draft
    version: ProcedureVersion


def filled_draft(
    citizen: User, version: ProcedureVersion, *, answers: dict[str, Any] | None = None
) -> Draft:
    """A draft ready to submit (every required document attached, declared)."""
    draft = drafts.do_create_draft(owner=citizen, version=version)
    assert drafts.do_save_applicant(draft, dict(APPLICANT), acting_user=citizen) == []
    for key, value in (answers or birth_answers()).items():
        drafts.do_save_group(draft, key, value, acting_user=citizen)
    agency = drafts.receiving_choices(version).first()
    assert agency is not None
    drafts.do_choose_reception(
        draft, acting_user=citizen, receiving_agency_id=agency.pk, delivery_option="online"
    )
    for document in version.documents.filter(required=True):
        drafts.do_attach_upload(
            draft, document.pk, upload_samples.pdf(), filename="giay-to.pdf", acting_user=citizen
        )
    drafts.do_declare(draft, acting_user=citizen, accepted=True)
    return draft


def submitted_dossier(citizen: User, version: ProcedureVersion) -> Dossier:
    return actions.do_submit_draft(filled_draft(citizen, version), acting_user=citizen)


# --- The back office, driven through its one action (handling.do_transition_dossier) ----------


def _staff(agency: Agency, role: str) -> User:
    """An officer holding `role` in `agency` (made once per agency and role)."""
    from chinhquyen.org.models import RoleAssignment
    from tests.factories import staff_with_role

    held = RoleAssignment.objects.filter(agency=agency, role=role).select_related("user").first()
    if held is not None:
        return held.user
    return staff_with_role(agency, role, username=f"{role}_{agency.pk}")


def back_office_act(dossier: Dossier, action: str, user: User, **data: Any) -> None:
    from chinhquyen.dossiers.handling import do_transition_dossier, last_seq

    do_transition_dossier(dossier, action, acting_user=user, expected_seq=last_seq(dossier), **data)


def request_supplement(dossier: Dossier, items: list[str]) -> Dossier:
    """The receiving one-stop office finds the online dossier incomplete (status 1 → 5)."""
    from chinhquyen.org.models import Role

    officer = _staff(dossier.receiving_agency, Role.ONE_STOP_OFFICER)
    back_office_act(dossier, "request_supplement", officer, items=items)
    return Dossier.objects.get(pk=dossier.pk)


def finish_with_result(dossier: Dossier, *, name: str = "Giấy khai sinh (bản điện tử)") -> Dossier:
    """Accept, forward, assign, propose, approve and record an electronic result (status 9),
    each step by an officer holding the role the default process asks for."""
    from chinhquyen.dossiers.handling import PaperDocument
    from chinhquyen.org.models import Role

    officer = _staff(dossier.receiving_agency, Role.ONE_STOP_OFFICER)
    head = dossier.handling_agency
    specialist = _staff(head, Role.SPECIALIST)
    back_office_act(dossier, "accept", officer)
    back_office_act(dossier, "forward", officer)
    back_office_act(dossier, "assign", _staff(head, Role.UNIT_LEADER), assignee=specialist)
    back_office_act(dossier, "propose", specialist)
    back_office_act(dossier, "approve", _staff(head, Role.AGENCY_LEADER))
    result = PaperDocument(name, upload_samples.pdf(), "ket-qua.pdf")
    back_office_act(dossier, "record_result", specialist, result=result)
    return Dossier.objects.get(pk=dossier.pk)


def request_payment(dossier: Dossier, *, money: int, content: str = "Lệ phí trước bạ") -> Dossier:
    """Accepted, forwarded, assigned, then the specialist asks the applicant to pay (status 6)."""
    from chinhquyen.org.models import Role

    officer = _staff(dossier.receiving_agency, Role.ONE_STOP_OFFICER)
    head = dossier.handling_agency
    specialist = _staff(head, Role.SPECIALIST)
    back_office_act(dossier, "accept", officer)
    back_office_act(dossier, "forward", officer)
    back_office_act(dossier, "assign", _staff(head, Role.UNIT_LEADER), assignee=specialist)
    back_office_act(dossier, "request_payment", specialist, money=money, content=content)
    return Dossier.objects.get(pk=dossier.pk)
