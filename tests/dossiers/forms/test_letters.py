"""Mẫu 02 (supplement request), 03 (refusal) and 04 (apology and new date), read back from the
PDFs: the back office's inputs printed in full, the stored dates, A5, the tracking QR link."""

from __future__ import annotations

from datetime import datetime

import pytest

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers import forms
from chinhquyen.dossiers.actions import tracking_url
from chinhquyen.dossiers.models import Dossier
from chinhquyen.workdays.calendar import add_working_days
from tests import dossier_helpers as h
from tests.conftest import Personas

from . import pdf_text
from .conftest import VN

MISSING = [
    "Bản sao Giấy chứng nhận kết hôn của cha, mẹ",
    "Tờ khai ghi thiếu nơi sinh của trẻ; đề nghị ghi đầy đủ",
    "Văn bản ủy quyền có chứng thực",
]
AT = datetime(2026, 2, 13, 14, 5, tzinfo=VN)


def test_supplement_request_lists_everything_missing(accepted: Dossier) -> None:
    pdf = forms.supplement_request_pdf(
        accepted,
        missing_items=[*MISSING, "  "],
        reason="Hồ sơ chưa đủ thành phần theo quy định",
        officer_name="Lê Thị Hướng",
        contact_phone="02213 888 999",
        at=AT,
    )
    text = pdf_text.text_of(pdf)

    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Hồ sơ của: Nguyễn Văn An" in text and accepted.code in text
    assert all(item in text for item in MISSING)
    assert "Lý do: Hồ sơ chưa đủ thành phần theo quy định" in text
    assert "Lê Thị Hướng, số điện thoại 02213 888 999" in text
    assert "ngày 13 tháng 02 năm 2026" in text
    assert "Số: ……/PBS" in text
    assert pdf_text.page_sizes_mm(pdf) == [pdf_text.A5]
    assert pdf_text.link_uris(pdf) == {tracking_url(accepted.code)}


def test_supplement_request_without_items_is_refused(accepted: Dossier) -> None:
    with pytest.raises(DomainError, match="cần bổ sung") as refused:
        forms.supplement_request_pdf(
            accepted, missing_items=[" ", ""], reason="x", officer_name="Lê Thị Hướng"
        )
    assert refused.value.field == "items"


def test_refusal_prints_each_reason(version: object, personas: Personas) -> None:
    dossier = h.submitted_dossier(personas.citizen, version)  # type: ignore[arg-type]
    reasons = [
        "Thủ tục không thuộc thẩm quyền giải quyết của Sở Tư pháp",
        "Người yêu cầu không có quyền đăng ký khai sinh cho trẻ",
    ]
    pdf = forms.refusal_pdf(dossier, reasons=reasons, officer_name="Phạm Văn Tiếp", at=AT)
    text = pdf_text.text_of(pdf)

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert f"Mã hồ sơ: {dossier.code}" in text and "Ông/Bà: Nguyễn Văn An" in text
    assert f"Số định danh cá nhân/tổ chức: {h.PERSONAL_ID}" in text
    assert "Địa chỉ: Số 1, phố Hiến Nam" in text and "an.nguyen@example.vn" in text
    assert all(reason in text for reason in reasons)
    assert "Phạm Văn Tiếp" in text
    assert pdf_text.page_sizes_mm(pdf) == [pdf_text.A5]
    with pytest.raises(DomainError, match="lý do từ chối"):
        forms.refusal_pdf(dossier, reasons=[])


def test_apology_prints_the_old_and_new_dates_the_reason_and_the_head(accepted: Dossier) -> None:
    assert accepted.due_at is not None
    new_due = add_working_days(accepted.due_at, 3)  # 26/02 → 03/03/2026
    pdf = forms.apology_pdf(
        accepted,
        reason="Cần xác minh thông tin nơi sinh tại Ủy ban nhân dân xã",
        new_due_at=new_due,
        head_name="Trần Quốc Trưởng",
        head_title="Giám đốc",
        at=AT,
    )
    text = pdf_text.text_of(pdf)

    # Received 12/02/2026, under TT 03/2025: Mẫu 04 renamed (the 2018 title: test_editions).
    assert "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "đề nghị gia hạn thời gian giải quyết hồ sơ" in text
    assert "Mẫu 04 ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in text
    assert "Kính gửi: Nguyễn Văn An" in text
    assert (
        "Ngày 12/02/2026, Sở Tư pháp tiếp nhận giải quyết hồ sơ đề nghị Đăng ký khai sinh" in text
    )
    assert f"Mã số hồ sơ: {accepted.code}" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 09 giờ 30 phút, ngày 26/02/2026" in text
    assert "Lý do: Cần xác minh thông tin nơi sinh tại Ủy ban nhân dân xã" in text
    assert f"{new_due:%H} giờ {new_due:%M} phút, ngày 03/03/2026" in text
    assert "GIÁM ĐỐC" in text and "Trần Quốc Trưởng" in text
    assert pdf_text.page_sizes_mm(pdf) == [pdf_text.A5]
    assert pdf_text.link_uris(pdf) == {tracking_url(accepted.code)}


def test_apology_after_the_new_date_was_stored_needs_the_old_one(accepted: Dossier) -> None:
    assert accepted.due_at is not None
    old, new = accepted.due_at, add_working_days(accepted.due_at, 3)
    accepted.due_at = new
    with pytest.raises(DomainError, match="ngày hẹn trả cũ") as refused:
        forms.apology_pdf(accepted, reason="Chậm", new_due_at=new, head_name="Trần Quốc Trưởng")
    assert refused.value.field == "new_due_at"

    pdf = forms.apology_pdf(
        accepted, reason="Chậm", new_due_at=new, head_name="Trần Quốc Trưởng", original_due_at=old
    )
    assert "ngày 26/02/2026" in pdf_text.text_of(pdf)


def test_apology_needs_a_reason_and_the_head(accepted: Dossier) -> None:
    assert accepted.due_at is not None
    later = add_working_days(accepted.due_at, 1)
    with pytest.raises(DomainError, match="lý do"):
        forms.apology_pdf(accepted, reason=" ", new_due_at=later, head_name="Trần Quốc Trưởng")
    with pytest.raises(DomainError, match="thủ trưởng"):
        forms.apology_pdf(accepted, reason="Chậm", new_due_at=later, head_name="")
