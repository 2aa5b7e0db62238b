"""The electronic result's world: the back office of agency A (tests/dossiers/backoffice) with an
issue step taken by the clerk (văn thư), the demo PKI's personal certificate of the agency leader
and organisation certificate of agency A (tests/signing), and a citizen who chose to receive the
result online."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from chinhquyen.dossiers.handling import Applicant, PaperDocument
from chinhquyen.dossiers.models import Dossier
from chinhquyen.signing.models import SigningCertificate
from chinhquyen.signing.validation import chain, revocation
from tests.dossiers.backoffice.conftest import (
    APPLICANT,
    World,
    _calendar_and_templates,
    act,
    fresh,
    receive,
    world,
)
from tests.signing.conftest import pki, sample_pdf
from tests.signing.pdfs import make_pdf
from tests.signing.servers import SigningWorld, fresh_code, signing_world

__all__ = ["_calendar_and_templates", "pki", "sample_pdf", "signing_world", "world"]

# Decree 61/2018 Art. 19: appraisal, the unit's check, the head's approval, then the clerk issues
# the result (văn thư phát hành) before the one-stop office returns it.
PROCESS_WITH_ISSUE = [
    {"code": "tiep_nhan", "name": "Tiếp nhận, chuyển hồ sơ", "role": "one_stop_officer",
     "budget": {"value": "0.5", "unit": "working_days"}},
    {"code": "tham_dinh", "name": "Thẩm định, đề xuất", "role": "specialist",
     "budget": {"value": "0.5", "unit": "working_days"}},
    {"code": "kiem_tra", "name": "Lãnh đạo phòng kiểm tra", "role": "unit_leader",
     "budget": {"value": "4", "unit": "working_hours"}},
    {"code": "phe_duyet", "name": "Lãnh đạo Sở phê duyệt, ký số", "role": "agency_leader",
     "budget": {"value": "3.5", "unit": "working_hours"}},
    {"code": "phat_hanh", "name": "Văn thư ký số cơ quan, phát hành", "role": "clerk",
     "budget": {"value": "2", "unit": "working_hours"}},
    {"code": "tra_ket_qua", "name": "Trả kết quả", "role": "one_stop_officer",
     "budget": {"value": "0.5", "unit": "working_days"}},
]  # fmt: skip


@dataclass
class EWorld:
    world: World
    keys: SigningWorld

    @property
    def people(self) -> Any:
        return self.world.people

    @property
    def person_certificate(self) -> SigningCertificate:
        return self.keys.person_certificate

    @property
    def organisation_certificate(self) -> SigningCertificate:
        return self.keys.organisation_certificate


@pytest.fixture
def eworld(world: World, signing_world: SigningWorld, settings: Any) -> EWorld:
    settings.SIGNING_FETCH_REVOCATION = False  # the demo certificates name no OCSP/CRL source
    settings.SIGNING_TSA_URL = None
    chain.clear_cache()
    revocation.clear_cache()
    world.version.process = PROCESS_WITH_ISSUE
    world.version.save(update_fields=["process"])
    return EWorld(world, signing_world)


def draft_pdf(title: str = "Giay khai sinh") -> PaperDocument:
    return PaperDocument("Dự thảo kết quả", make_pdf(pages=1), f"{title}.pdf")


def online_dossier(ew: EWorld, **changes: Any) -> Dossier:
    """Received at agency A's counter for the citizen persona, who chose online delivery."""
    applicant = Applicant(**{**APPLICANT.__dict__, "account": ew.people.citizen})
    options: dict[str, Any] = {"applicant": applicant, "delivery_option": "online"}
    return receive(ew.world, timezone.now(), **{**options, **changes})


def to_approval(ew: EWorld, dossier: Dossier, *, draft: PaperDocument | None = None) -> Dossier:
    """Forwarded, assigned, proposed with the draft, checked by the unit leader: the agency
    leader's final approval is next."""
    w, now = ew.world, timezone.now()
    act(dossier, "forward", w.officer, now, unit=w.province.unit_a)
    act(dossier, "assign", w.unit_leader_a, now, assignee=w.people.specialist_a)
    act(dossier, "propose", w.people.specialist_a, now, result_draft=draft or draft_pdf())
    act(dossier, "approve", w.unit_leader_a, now)
    return fresh(dossier)


__all__ += ["EWorld", "draft_pdf", "fresh_code", "online_dossier", "to_approval"]
