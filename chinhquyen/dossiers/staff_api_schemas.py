"""The request and response shapes of the officers' back-office API (`dossiers.staff_api`), with
the Vietnamese descriptions that the OpenAPI document shows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from chinhquyen.dossiers.api_schemas import MAX_ID, PAID_AMOUNT, ProcedureRefOut

MAX_LINES = 50  # reasons of a refusal, items of a supplement request (as the forms allow)
Line = Annotated[str, Field(max_length=500)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class WorklistOut(Schema):
    key: str = Field(description="Giá trị tham số ds")
    title: str = Field(description="Tên danh sách")
    explanation: str = Field(description="Danh sách gồm những hồ sơ nào")


class RefOut(Schema):
    id: int
    name: str


class StaffDossierSummaryOut(Schema):
    code: str = Field(description="Mã số hồ sơ")
    procedure: ProcedureRefOut
    status: int = Field(description="Mã trạng thái (TrangThaiHoSo)")
    status_label: str = Field(description="Trạng thái")
    step: str = Field(description="Mã bước xử lý hiện tại (rỗng: chưa tiếp nhận hoặc đã kết thúc)")
    applicant_name: str = Field(description="Người nộp")
    current_agency: RefOut | None = Field(description="Cơ quan, đơn vị đang giữ hồ sơ")
    assignee: RefOut | None = Field(description="Chuyên viên được phân công")
    submitted_at: datetime = Field(description="Ngày nộp")
    received_at: datetime | None = Field(description="Ngày tiếp nhận")
    due_at: datetime | None = Field(description="Ngày hẹn trả kết quả")
    step_due_at: datetime | None = Field(description="Hạn của bước hiện tại")


class StaffDossierListOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[StaffDossierSummaryOut]


class HistoryRowOut(Schema):
    seq: int = Field(description="Thứ tự bước (expected_seq của thao tác tiếp theo là seq cuối)")
    at: datetime = Field(description="Thời điểm")
    action: str = Field(description="Thao tác")
    label: str = Field(description="Thao tác bằng tiếng Việt")
    from_status: int | None = Field(description="Trạng thái trước bước này")
    status: int = Field(description="Trạng thái sau bước này")
    status_label: str
    actor: RefOut | None = Field(description="Người thực hiện (không có: hệ thống, công dân)")
    agency: RefOut = Field(description="Cơ quan, đơn vị thực hiện")
    step: str = Field(description="Bước xử lý khi thực hiện")
    step_due_at: datetime | None = Field(description="Hạn của bước đó")
    verdict: str = Field(description="Kết quả bước: truoc_han, dung_han, qua_han (Mẫu 05)")
    note: str = Field(description="Ghi chú nội bộ của cán bộ")
    public_note: str = Field(description="Thông báo cho người nộp")


class StaffDocumentOut(Schema):
    id: int
    role: str = Field(
        description="submitted, supplement, result hoặc result_draft (dự thảo kết quả, chỉ cơ"
        " quan giải quyết thấy)"
    )
    name: str = Field(description="Tên giấy tờ")
    file_name: str = Field(description="Tên tệp")
    content_type: str
    size: int
    sha256: str
    added_at: datetime
    accepted: bool = Field(description="Đã được chấp nhận")


class TaskOut(Schema):
    id: int = Field(description="Giá trị task_id khi trả lời")
    kind: str = Field(description="opinion (xin ý kiến) hoặc coordination (liên thông)")
    agency: RefOut = Field(description="Cơ quan, đơn vị được giao")
    order: int = Field(description="Thứ tự thực hiện (cùng thứ tự: song song)")
    content: str = Field(description="Nội dung, nhiệm vụ")
    requested_at: datetime
    started_at: datetime | None = Field(description="Bắt đầu (chưa có: chờ cơ quan trước)")
    due_at: datetime | None = Field(description="Hạn của phần việc")
    done_at: datetime | None = Field(description="Hoàn thành lúc (chưa có: đang chờ)")
    answer: str = Field(description="Ý kiến, kết quả thực hiện")


class ActionOut(Schema):
    name: str = Field(description="Tên thao tác trong đường dẫn …/actions/{action}")
    label: str = Field(description="Thao tác bằng tiếng Việt")


class StaffDossierOut(StaffDossierSummaryOut):
    channel: int = Field(description="Kênh nộp (KenhThucHien)")
    receiving_agency: RefOut = Field(description="Nơi tiếp nhận")
    handling_agency: RefOut = Field(description="Cơ quan giải quyết")
    applicant_id_number: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    organisation_name: str
    answers: dict[str, Any] = Field(description="Nội dung tờ khai")
    delivery_option: str
    delivery_address: str
    fee_total: int = Field(description="Tổng phí, lệ phí (đồng)")
    paid_amount: int = Field(description=PAID_AMOUNT)
    finished_at: datetime | None
    returned_at: datetime | None
    history: list[HistoryRowOut] = Field(description="Toàn bộ quá trình xử lý (Mẫu 05)")
    documents: list[StaffDocumentOut] = Field(description="Giấy tờ, kết quả (không kèm nội dung)")
    tasks: list[TaskOut] = Field(description="Xin ý kiến, phần việc liên thông")
    available_actions: list[ActionOut] = Field(description="Thao tác bạn được làm lúc này")
    assignable: list[RefOut] = Field(description="Cán bộ có thể phân công (khi được phân công)")
    expected_seq: int = Field(description="Gửi kèm thao tác tiếp theo (seq của bước cuối)")


class CoordinationTaskIn(Schema):
    agency_id: Id = Field(description="Cơ quan phối hợp")
    content: str = Field(max_length=2000, description="Nội dung, nhiệm vụ")
    amount: Decimal = Field(gt=0, le=1000, max_digits=6, decimal_places=2)
    order: int = Field(1, ge=1, le=20, description="Thứ tự thực hiện (cùng thứ tự: song song)")


# A JSON body is read whole, within DATA_UPLOAD_MAX_MEMORY_SIZE (5 MiB): base64 of a PDF up to
# about 3.7 MB leaves room for the rest of the body. A larger draft goes through the page upload.
MAX_PDF_BASE64 = 5 * 1024 * 1024 - 64 * 1024


class PdfIn(Schema):
    name: str = Field("", max_length=200, description="Tên tệp")
    content_base64: str = Field(
        max_length=MAX_PDF_BASE64, description="Nội dung PDF (base64), tệp đến khoảng 3,7 MB"
    )


class ActionIn(Schema):
    """One body for every action; each action reads the fields it needs (see the operation)."""

    expected_seq: int = Field(
        ge=0, le=2**31 - 1, description="seq của bước cuối cùng bạn đã xem (expected_seq)"
    )
    note: str = Field("", max_length=4000, description="Ghi chú nội bộ; lý do khi trả lại")
    reasons: list[Line] = Field(
        [], max_length=MAX_LINES, description="refuse, refuse_after_appraisal: lý do"
    )
    items: list[Line] = Field([], max_length=MAX_LINES, description="request_supplement")
    agency_id: Id | None = Field(
        None, description="forward: đơn vị nhận; request_opinion, coordinate: đơn vị phối hợp"
    )
    assignee_id: Id | None = Field(None, description="assign: cán bộ được phân công")
    content: str = Field(
        "", max_length=2000, description="request_opinion, coordinate; request_payment: khoản nộp"
    )
    amount: Decimal | None = Field(
        None, gt=0, le=1000, max_digits=6, decimal_places=2, description="Thời hạn (ngày làm việc)"
    )
    tasks: list[CoordinationTaskIn] = Field(
        [], max_length=20, description="coordinate: nhiều cơ quan (thay cho agency_id, content…)"
    )
    task_id: Id | None = Field(None, description="answer_opinion, complete_task: phần việc")
    answer: str = Field("", max_length=10_000, description="answer_opinion, complete_task")
    collected_by: str = Field("", max_length=200, description="return_result: người nhận")
    method: Literal["counter", "post"] = Field(
        "counter",
        description="return_result: counter (tại Bộ phận Một cửa) hoặc post (qua bưu chính"
        " công ích; chỉ khi người nộp đăng ký nhận qua bưu chính và có địa chỉ)",
    )
    cod_amount: int = Field(
        0, ge=0, le=10**12, description="return_result qua bưu chính: số tiền bưu tá thu hộ (đồng)"
    )
    reason: str = Field("", max_length=1000, description="extend_due, stop, withdraw: lý do")
    new_due_at: datetime | None = Field(
        None, description="extend_due: ngày hẹn mới, ISO 8601 (không có múi giờ: giờ Việt Nam)"
    )
    result_draft: PdfIn | None = Field(
        None, description="propose: dự thảo kết quả; approve: thay dự thảo (PDF)"
    )
    certificate_id: Id | None = Field(
        None,
        description="approve: chứng thư cá nhân của lãnh đạo để ký số dự thảo; record_result:"
        " chứng thư của cơ quan giải quyết để phát hành kết quả điện tử",
    )
    second_factor_code: str = Field(
        "", max_length=12, description="Mã xác thực (OTP) mới, bắt buộc khi ký số"
    )
    money: int | None = Field(
        None,
        ge=1,
        lt=10**12,
        description="request_payment: số tiền phải nộp; record_payment: số tiền đã nộp (đồng)",
    )
    receipt: str = Field("", max_length=100, description="record_payment: số biên lai, chứng từ")


class ShipmentEventOut(Schema):
    kind: str = Field(description="handed_over, attempt_failed, failed, booked, picked_up, "
                      "delivered, returned")  # fmt: skip
    label: str
    at: datetime = Field(description="Thời điểm xảy ra")
    note: str


class ShipmentOut(Schema):
    reference: str = Field(description="Mã đơn gửi (khóa chống trùng khi gửi lại đơn)")
    waybill: str = Field(description="Mã vận đơn của bưu chính (rỗng: chưa có)")
    status: str = Field(description="pending, booked, picked_up, delivered, returned, failed")
    status_label: str
    receiver_name: str
    receiver_address: str
    cod_amount: int = Field(description="Số tiền thu hộ (đồng)")
    created_at: datetime = Field(description="Bàn giao cho bưu chính lúc")
    booked_at: datetime | None
    delivered_at: datetime | None
    last_error: str = Field(description="Lỗi gần nhất khi gửi đơn")
    events: list[ShipmentEventOut]
