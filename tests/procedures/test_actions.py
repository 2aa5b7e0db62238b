from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.procedures.actions import (
    CatalogueProblems,
    do_create_version,
    do_publish_version,
    do_save_field,
    do_update_draft,
)
from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion
from chinhquyen.procedures.queries import published_catalogue, version_as_data, version_in_force
from chinhquyen.procedures.text import fold

CODE = "1.001193.000.00.00.H38"

EFORM: dict[str, Any] = {
    "groups": [
        {
            "key": "nguoi_yeu_cau",
            "title": "Người yêu cầu",
            "repeat": None,
            "fields": [
                {"key": "ho_ten", "label": "Họ, chữ đệm, tên", "type": "text", "required": True,
                 "max_length": 100, "prefill": "profile.full_name"},
                {"key": "so_dinh_danh", "label": "Số định danh cá nhân", "type": "personal_id",
                 "required": True},
            ],
        }
    ]
}  # fmt: skip


def entry(**changes: Any) -> dict[str, Any]:
    """One `procedures` entry of the exchange format, canonical (as the export writes it)."""
    data = {
        "national_code": CODE,
        "version": 1,
        "status": "published",
        "effective_from": "2025-07-01",
        "effective_to": None,
        "name": "Đăng ký khai sinh",
        "field": "HT",
        "audiences": ["citizen"],
        "online_level": "full",
        "legacy_level": 4,
        "implementing_level": "commune",
        "implementing_text": "Ủy ban nhân dân cấp xã",
        "agencies": [],
        "time_limit": {"value": "0", "unit": "working_days", "note": "Ngay trong ngày"},
        "result": "Giấy khai sinh (bản chính)",
        "delivery_options": ["counter", "post", "online"],
        "steps_text": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        "conditions_text": "",
        "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
        "documents": [
            {"name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0,
             "required": True, "reusable": False, "template_name": "Tờ khai", "note": ""},
            {"name": "Giấy chứng sinh", "originals": 1, "copies": 0, "required": True,
             "reusable": True, "template_name": "", "note": "Hoặc văn bản thay thế"},
        ],
        "fees": [
            {"kind": "fee", "name": "Lệ phí đăng ký khai sinh", "amount": "0", "rule": {},
             "note": "Miễn lệ phí khi đăng ký đúng hạn"},
            {"kind": "charge", "name": "Phí cấp bản sao", "amount": "8000",
             "rule": {"per": "copy", "min": "8000", "max": "80000"}, "note": ""},
        ],
        "eform": copy.deepcopy(EFORM),
        "process": [
            {"code": "tiep_nhan", "name": "Tiếp nhận, kiểm tra hồ sơ",
             "role": "one_stop_officer", "budget": {"value": "0.5", "unit": "working_days"}},
            {"code": "ky_duyet", "name": "Ký duyệt", "role": "agency_leader",
             "budget": {"value": "1", "unit": "working_hours"}},
        ],
    }  # fmt: skip
    return {**data, **changes}


def content(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("national_code", "version", "status")}


@pytest.fixture
def field(db: None) -> Field:
    return do_save_field(code="HT", name="Hộ tịch", acting_user=None)


def published(data: dict[str, Any], **kwargs: Any) -> ProcedureVersion:
    version = do_create_version(CODE, data=data, acting_user=None, **kwargs)
    return do_publish_version(version, acting_user=None)


def test_save_field_keeps_search_text_and_writes_audit_only_on_change(field: Field) -> None:
    assert field.search_text == "ht ho tich"
    count = AuditEvent.objects.count()
    do_save_field(code="HT", name="Hộ tịch", acting_user=None)
    assert AuditEvent.objects.count() == count
    renamed = do_save_field(code="HT", name="Hộ tịch, chứng thực", acting_user=None)
    assert renamed.search_text == "ht ho tich, chung thuc"
    assert AuditEvent.objects.filter(action="procedures.field.save").count() == 2


def test_create_version_from_data_round_trips_and_folds_search_text(field: Field) -> None:
    version = do_create_version(CODE, data=entry(), acting_user=None)
    assert (version.version, version.status) == (1, ProcedureVersion.Status.DRAFT)
    assert content(version_as_data(version)) == content(entry())
    assert version.search_text == fold(
        "Đăng ký khai sinh Hộ tịch 1.001193.000.00.00.H38 Ủy ban nhân dân cấp xã "
        "Tờ khai đăng ký khai sinh Giấy chứng sinh Giấy khai sinh (bản chính)"
    )
    assert AuditEvent.objects.filter(
        action="procedures.version.create", object_id=str(version.pk)
    ).exists()


def test_renaming_a_field_refreshes_the_search_text_of_its_versions(field: Field) -> None:
    version = do_create_version(CODE, data=entry(), acting_user=None)
    do_save_field(code="HT", name="Hộ tịch điện tử", acting_user=None)
    assert "ho tich dien tu" in ProcedureVersion.objects.get(pk=version.pk).search_text


def test_create_version_refuses_bad_data_with_paths(field: Field) -> None:
    bad = entry(
        audiences=[],
        field="XX",
        documents=[{"name": "A", "originals": -1}],
        time_limit={"value": "abc", "unit": "weeks"},
    )
    with pytest.raises(CatalogueProblems) as caught:
        do_create_version(CODE, data=bad, acting_user=None)
    paths = {p.path for p in caught.value.problems}
    assert {
        "audiences",
        "field",
        "documents[0].originals",
        "time_limit.value",
        "time_limit.unit",
    } <= paths
    assert not ProcedureVersion.objects.exists()


def test_new_version_without_data_copies_the_latest(field: Field) -> None:
    first = published(entry())
    draft = do_create_version(first.procedure, acting_user=None)
    assert draft.version == 2
    assert draft.status == ProcedureVersion.Status.DRAFT
    assert draft.effective_from > first.effective_from
    expected = content(version_as_data(first))
    expected["effective_from"] = draft.effective_from.isoformat()
    assert content(version_as_data(draft)) == expected


def test_update_draft_changes_content_and_search_text(field: Field) -> None:
    draft = do_create_version(CODE, data=entry(), acting_user=None)
    updated = do_update_draft(draft, {"name": "Đăng ký khai sinh lưu động"}, acting_user=None)
    assert updated.name == "Đăng ký khai sinh lưu động"
    assert "luu dong" in ProcedureVersion.objects.get(pk=draft.pk).search_text
    assert updated.documents.count() == 2
    count = AuditEvent.objects.count()
    do_update_draft(updated, {"name": "Đăng ký khai sinh lưu động"}, acting_user=None)
    assert AuditEvent.objects.count() == count


def test_published_versions_are_never_edited(field: Field) -> None:
    version = published(entry())
    with pytest.raises(DomainError, match="tạo phiên bản mới"):
        do_update_draft(version, {"name": "Khác"}, acting_user=None)
    with pytest.raises(DomainError, match="tạo phiên bản mới"):
        do_publish_version(version, acting_user=None)


def test_publish_checks_completeness(field: Field) -> None:
    draft = do_create_version(
        CODE, data=entry(eform={}, process=[], delivery_options=["counter"]), acting_user=None
    )
    with pytest.raises(CatalogueProblems) as caught:
        do_publish_version(draft, acting_user=None)
    assert {p.path for p in caught.value.problems} == {"eform", "process", "delivery_options"}
    draft.refresh_from_db()
    assert draft.status == ProcedureVersion.Status.DRAFT


def test_publish_closes_the_previous_version_and_pins_dates(field: Field) -> None:
    first = published(entry())
    second = published(entry(effective_from="2026-01-01", name="Đăng ký khai sinh (mới)"))
    first.refresh_from_db()
    assert first.effective_to == date(2025, 12, 31)
    assert second.effective_to is None
    procedure = Procedure.objects.get(national_code=CODE)
    assert version_in_force(procedure, date(2025, 6, 30)) is None
    assert version_in_force(procedure, date(2025, 12, 31)) == first
    assert version_in_force(procedure, date(2026, 1, 1)) == second
    assert list(published_catalogue(date(2025, 8, 1))) == [first]
    assert list(published_catalogue(date(2026, 8, 1))) == [second]
    actions = AuditEvent.objects.filter(object_id=str(first.pk)).values_list("action", flat=True)
    assert "procedures.version.close" in actions


def test_publish_refuses_overlapping_periods(field: Field) -> None:
    published(entry(effective_from="2026-01-01"))
    earlier = do_create_version(
        CODE, data=entry(effective_from="2025-07-01", effective_to="2026-01-01"), acting_user=None
    )
    with pytest.raises(DomainError, match="trùng với phiên bản 1"):
        do_publish_version(earlier, acting_user=None)
    do_update_draft(earlier, {"effective_to": "2025-12-31"}, acting_user=None)
    do_publish_version(earlier, acting_user=None)
    assert version_in_force(earlier.procedure, date(2025, 12, 31)) == earlier


def test_drafts_are_not_in_force(field: Field) -> None:
    draft = do_create_version(CODE, data=entry(), acting_user=None)
    assert version_in_force(draft.procedure, date(2026, 1, 1)) is None


def test_a_process_step_may_carry_a_supplement_limit(field: Field) -> None:
    """Decree 61/2018 Art. 19(4): sector law may set another period than 3 working days for the
    competent agency's supplement request; the catalogue keeps it canonical, a bad one is named."""
    steps = entry()["process"]
    steps.insert(1, {"code": "tham_dinh", "name": "Thẩm định", "role": "specialist",
                     "budget": {"value": "1", "unit": "working_hours"},
                     "supplement_limit": {"value": 5, "unit": "working_days"}})  # fmt: skip
    version = do_create_version(CODE, data=entry(process=steps), acting_user=None)
    assert version.process[1]["supplement_limit"] == {"value": "5", "unit": "working_days"}
    bad = copy.deepcopy(steps)
    bad[1]["supplement_limit"] = {"value": "-1", "unit": "weeks"}
    with pytest.raises(CatalogueProblems) as caught:
        do_create_version(CODE, data=entry(process=bad, version=2), acting_user=None)
    paths = {p.path for p in caught.value.problems}
    assert paths == {"process[1].supplement_limit.value", "process[1].supplement_limit.unit"}
    bad[1]["supplement_limit"] = "5"
    with pytest.raises(CatalogueProblems) as caught:
        do_create_version(CODE, data=entry(process=bad, version=2), acting_user=None)
    assert {p.path for p in caught.value.problems} == {"process[1].supplement_limit"}
