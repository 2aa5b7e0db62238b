"""Reception from every channel: the online queue (accept / refuse), the counter (channel 1),
the post (channel 3, filed when the hand-over record is signed), the national portal (designed,
not connected); the receiving office and the competent agency may differ."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.handling import (
    NationalPortalDossier,
    PaperDocument,
    available_actions,
    do_receive_by_post,
    do_receive_from_national_portal,
)
from chinhquyen.dossiers.models import Channel, DocumentRole, Dossier, Status
from chinhquyen.dossiers.process import acceptance_due_at
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.models import Agency, Role
from tests.core import upload_samples
from tests.dossier_helpers import BIRTH_CODE, submitted_dossier
from tests.dossiers.backoffice.conftest import APPLICANT, World, act, at, fresh, receive
from tests.factories import AgencyFactory, staff_with_role


def test_online_dossier_accepted_within_the_working_day(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    assert available_actions(dossier, world.officer) == [
        "accept", "refuse", "request_supplement", "stop", "withdraw",
    ]  # fmt: skip
    assert available_actions(dossier, world.people.officer_b) == []
    now = timezone.now()
    act(dossier, "accept", world.officer, now)
    dossier = fresh(dossier)
    row = dossier.transitions.get(action="accept")
    assert row.step_due_at == acceptance_due_at(
        dossier.submitted_at, agency=dossier.receiving_agency
    )
    assert row.data["verdict"] in {"truoc_han", "dung_han"}
    assert dossier.step == "tiep_nhan" and dossier.current_agency == world.province.agency_a
    sent = OutboxMessage.objects.filter(template_code="dossier.accepted")
    assert sent.filter(recipient="an.nguyen@example.vn").exists()


def test_counter_reception_scans_the_papers_and_accepts(world: World) -> None:
    papers = [
        PaperDocument("Tờ khai đăng ký khai sinh", upload_samples.pdf(), "to-khai.pdf"),
        PaperDocument("Giấy chứng sinh", upload_samples.pdf(), "chung-sinh.pdf"),
    ]
    dossier = receive(world, at("2026-03-02 09:15"), documents=papers)
    assert dossier.code == "000.00.01.H99-260302-0001"
    assert dossier.channel == Channel.COUNTER and dossier.status == Status.ACCEPTED
    assert dossier.submitted_at == dossier.received_at == at("2026-03-02 09:15")
    assert dossier.documents.filter(role=DocumentRole.SUBMITTED).count() == 2
    first = dossier.transitions.get()
    assert (first.seq, first.action, first.from_status, first.to_status) == (1, "receive", None, 2)
    assert first.actor == world.officer and first.data["files"] == 2
    assert OutboxMessage.objects.filter(template_code="dossier.accepted").count() == 2


def test_postal_dossier_is_filed_when_the_hand_over_record_is_signed(world: World) -> None:
    signed = at("2026-02-13 16:20")  # Friday before Tết, after the 15:00 cut-off
    dossier = do_receive_by_post(
        world.version,
        acting_user=world.officer,
        receiving_agency=world.province.agency_a,
        applicant=APPLICANT,
        handed_over_at=signed,
        delivery_option="post",
        delivery_address="Số 5 phố Hiến Nam",
        now=at("2026-02-23 08:00"),  # entered after Tết
    )
    assert dossier.channel == Channel.POST
    assert dossier.code.endswith("-260213-0001")
    assert dossier.submitted_at == dossier.received_at == signed
    assert dossier.due_at == at("2026-02-25 16:20")  # 3 working days, Tết 16–20/02 skipped
    assert dossier.step_due_at == at("2026-02-23 17:00")  # transferred the next working day
    row = dossier.transitions.get()
    assert row.at == signed and row.data["recorded_at"] == at("2026-02-23 08:00").isoformat()


def test_postal_hand_over_in_the_future_is_refused(world: World) -> None:
    with pytest.raises(DomainError, match="không được ở tương lai"):
        do_receive_by_post(world.version, acting_user=world.officer,
                           receiving_agency=world.province.agency_a, applicant=APPLICANT,
                           handed_over_at=timezone.now() + timedelta(hours=1),
                           delivery_option="post")  # fmt: skip
    assert not Dossier.objects.exists()


def test_only_a_one_stop_officer_of_that_office_receives(world: World) -> None:
    with pytest.raises(DomainError, match="không có vai trò cán bộ một cửa tại Sở Tư pháp"):
        receive(world, at("2026-03-02 09:00"), acting_user=world.people.officer_b)
    with pytest.raises(DomainError, match="Hình thức nhận kết quả"):
        receive(world, at("2026-03-02 09:00"), delivery_option="drone")
    with pytest.raises(DomainError, match="Số định danh"):
        receive(world, at("2026-03-02 09:00"), applicant=APPLICANT.__class__("Lê Văn C", "12ab"))
    assert not Dossier.objects.exists()


def test_a_service_centre_receives_and_routes_to_the_competent_agency(world: World) -> None:
    centre = AgencyFactory.create(
        identifier_code="000.00.20.H99",
        name="Trung tâm PVHCC tỉnh",
        kind=Agency.Kind.SERVICE_CENTRE,
        parent=world.province.root,
    )
    officer = staff_with_role(centre, Role.ONE_STOP_OFFICER, username="motcua_tt")
    dossier = receive(world, at("2026-03-02 09:00"), acting_user=officer, receiving_agency=centre)
    assert dossier.code.startswith("000.00.20.H99-260302-")
    assert dossier.receiving_agency == centre
    assert dossier.handling_agency == world.province.agency_a
    act(dossier, "forward", officer, at("2026-03-02 14:00"))
    assert fresh(dossier).current_agency == world.province.agency_a
    assert available_actions(fresh(dossier), world.people.leader_a) == [
        "assign",
        "coordinate",
        "extend_due",
    ]


def test_national_portal_dossier_joins_the_online_queue(world: World) -> None:
    submitted = timezone.now() - timedelta(minutes=5)
    payload = NationalPortalDossier(
        ma_ho_so="G22.99-260302-000123",
        ma_tthc=BIRTH_CODE,
        ngay_nop=submitted,
        chu_ho_so=APPLICANT,
        hinh_thuc_nhan_ket_qua="online",
        thanh_phan_ho_so=(PaperDocument("Tờ khai", upload_samples.pdf(), "to-khai.pdf"),),
    )
    dossier = do_receive_from_national_portal(payload, receiving_agency=world.province.agency_a)
    assert dossier.code == "G22.99-260302-000123"  # the code follows the dossier
    assert (dossier.status, dossier.channel) == (Status.SUBMITTED, Channel.ONLINE)
    assert dossier.transitions.get().data == {"source": "dvcqg"}
    again = do_receive_from_national_portal(payload, receiving_agency=world.province.agency_a)
    assert again.pk == dossier.pk and Dossier.objects.count() == 1
    act(dossier, "accept", world.officer, timezone.now())
    assert fresh(dossier).status == Status.ACCEPTED
