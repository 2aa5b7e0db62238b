"""The request and response shapes of the dossier API (`dossiers.api`), with the Vietnamese
descriptions that the OpenAPI document shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ninja import Field, Schema

from chinhquyen.core.apiauth import ErrorOut

MAX_ID = 2**63 - 1  # database ids fit a signed 64-bit integer
MAX_PAGE_SIZE = 100
# What `Dossier.paid_amount` adds up: fees paid online at submission and every status-6 payment
# recorded, online or at the counter (`handling._record_payment`).
PAID_AMOUNT = (
    "Số tiền người nộp đã nộp (đồng): phí, lệ phí thanh toán trực tuyến khi nộp hồ sơ, cộng các"
    " khoản nghĩa vụ tài chính (trạng thái 6) đã nộp trực tuyến hoặc tại Bộ phận Một cửa"
)


class FieldErrorOut(Schema):
    field: str = Field(description="Trường (đường dẫn trong tờ khai, ví dụ tre[0].ngay_sinh)")
    message: str = Field(description="Thông báo lỗi tiếng Việt")


class InvalidOut(ErrorOut):
    errors: list[FieldErrorOut] = Field([], description="Mọi lỗi của dữ liệu gửi lên")


class ProcedureRefOut(Schema):
    national_code: str = Field(description="Mã thủ tục")
    version: int = Field(description="Phiên bản thủ tục hồ sơ được lập theo")
    name: str = Field(description="Tên thủ tục")


class AgencyRefOut(Schema):
    id: int
    identifier_code: str = Field(description="Mã định danh điện tử của cơ quan")
    name: str = Field(description="Tên cơ quan")


class ChoiceOut(Schema):
    key: str = Field(description="Giá trị gửi lên")
    label: str = Field(description="Nhãn tiếng Việt")


class AgencyChoiceOut(Schema):
    id: int = Field(description="Giá trị receiving_agency_id")
    label: str = Field(description="Tên nơi nộp hồ sơ")


class ReceptionOut(Schema):
    receiving_agency: AgencyRefOut | None = Field(description="Nơi nộp hồ sơ đã chọn")
    delivery_option: str = Field(description="Hình thức nhận kết quả đã chọn")
    delivery_address: str = Field(description="Địa chỉ nhận kết quả qua bưu chính")
    agency_choices: list[AgencyChoiceOut] = Field(description="Các nơi có thể nộp")
    delivery_choices: list[ChoiceOut] = Field(description="Các hình thức nhận kết quả")


class AttachmentOut(Schema):
    id: int = Field(description="Mã tệp đính kèm (dùng để gỡ)")
    required_document_id: int = Field(description="Thành phần hồ sơ tệp này thuộc về")
    name: str = Field(description="Tên tệp")
    content_type: str = Field(description="Kiểu nội dung, nhận biết từ nội dung tệp")
    size: int = Field(description="Dung lượng (byte)")
    sha256: str = Field(description="Mã băm SHA-256 của tệp")
    page_count: int | None = Field(description="Số trang (PDF)")
    reused: bool = Field(description="Lấy lại từ kho dữ liệu cá nhân")
    added_at: datetime = Field(description="Thời điểm đính kèm")


class DocumentNeedOut(Schema):
    id: int = Field(description="required_document_id")
    name: str = Field(description="Tên giấy tờ")
    required: bool = Field(description="Bắt buộc")
    attached: int = Field(description="Số tệp đã đính kèm")


class ProblemOut(Schema):
    where: str = Field(description="Phần còn thiếu: nguoi_nop, noi_nop, giay_to hoặc mã nhóm")
    message: str = Field(description="Điều cần bổ sung trước khi nộp")


class FeeLineOut(Schema):
    kind: str = Field(description="fee (lệ phí) hoặc charge (phí)")
    name: str = Field(description="Tên khoản thu")
    unit_amount: int = Field(description="Mức thu (đồng)")
    quantity: int = Field(description="Số lượng")
    amount: int = Field(description="Thành tiền (đồng)")
    estimated: bool = Field(description="Số lượng ước tính, sẽ được kiểm tra khi tiếp nhận")


class FeeQuoteOut(Schema):
    total: int = Field(description="Tổng phí, lệ phí (đồng)")
    estimated: bool = Field(description="Số tiền còn có thể thay đổi khi tờ khai hoàn thiện")
    lines: list[FeeLineOut]


class DraftSummaryOut(Schema):
    id: uuid.UUID = Field(description="Mã hồ sơ nháp")
    state: str = Field(description="open (đang soạn), submitted (đã nộp), discarded (đã hủy)")
    procedure: ProcedureRefOut
    created_at: datetime
    updated_at: datetime


class DraftListOut(Schema):
    total: int
    items: list[DraftSummaryOut]


class DraftOut(DraftSummaryOut):
    applicant: dict[str, Any] = Field(description="Thông tin người nộp")
    answers: dict[str, Any] = Field(description="Nội dung tờ khai theo từng nhóm")
    reception: ReceptionOut
    documents: list[DocumentNeedOut] = Field(description="Thành phần hồ sơ cần đính kèm")
    attachments: list[AttachmentOut]
    problems: list[ProblemOut] = Field(description="Những gì còn thiếu; rỗng khi nộp được")
    fees: FeeQuoteOut
    declared_at: datetime | None = Field(description="Thời điểm xác nhận lời cam đoan")
    dossier_code: str | None = Field(description="Mã hồ sơ khi đã nộp")


class DraftIn(Schema):
    national_code: str = Field(max_length=40, description="Mã thủ tục cần nộp hồ sơ")


class ApplicantIn(Schema):
    kind: str | None = Field(
        None, max_length=30, description="citizen, household_business, enterprise"
    )
    full_name: str | None = Field(None, max_length=300, description="Họ và tên người nộp")
    personal_id: str | None = Field(None, max_length=40, description="Số định danh cá nhân")
    enterprise_code: str | None = Field(None, max_length=40, description="Mã số doanh nghiệp")
    organisation_name: str | None = Field(None, max_length=400, description="Tên tổ chức")
    phone: str | None = Field(None, max_length=40, description="Số điện thoại")
    email: str | None = Field(None, max_length=300, description="Thư điện tử")
    commune: str | None = Field(None, max_length=20, description="Mã xã, phường hiện hành")
    address: str | None = Field(None, max_length=400, description="Địa chỉ")


class GroupIn(Schema):
    value: dict[str, Any] | list[dict[str, Any]] = Field(
        description="Câu trả lời của nhóm: một đối tượng, hoặc danh sách khi nhóm lặp lại"
    )


class ReceptionIn(Schema):
    receiving_agency_id: int = Field(ge=1, le=MAX_ID, description="Nơi nộp hồ sơ")
    delivery_option: str = Field(max_length=20, description="counter, post hoặc online")
    delivery_address: str = Field("", max_length=500, description="Địa chỉ nhận qua bưu chính")


class SubmitIn(Schema):
    declaration: bool = Field(description="Cam đoan những thông tin đã khai là đúng sự thật")


class PaymentIn(Schema):
    return_url: str = Field(
        "",
        max_length=500,
        description="Trang của cổng để quay lại sau khi thanh toán (mặc định: trang kiểm tra)",
    )


class PaymentStartOut(Schema):
    payment_id: uuid.UUID = Field(description="Mã giao dịch (GET /api/v1/payments/{payment_id})")
    amount: int = Field(description="Số tiền (đồng)")
    redirect_url: str = Field(description="Địa chỉ cổng thanh toán để chuyển trình duyệt tới")


class ObligationPaymentIn(Schema):
    return_url: str = Field(
        "",
        max_length=500,
        description="Trang của cổng để quay lại sau khi thanh toán (mặc định: trang hồ sơ)",
    )


class ObligationOut(Schema):
    amount: int = Field(description="Số tiền phải nộp (đồng)")
    content: str = Field(description="Nội dung khoản phải nộp (phí, lệ phí, thuế…)")
    requested_at: datetime = Field(description="Thời điểm cơ quan yêu cầu")


class DossierSummaryOut(Schema):
    code: str = Field(description="Mã số hồ sơ")
    procedure: ProcedureRefOut
    status: int = Field(description="Mã trạng thái (TrangThaiHoSo)")
    status_label: str = Field(description="Trạng thái")
    handling_agency: str = Field(description="Cơ quan giải quyết")
    submitted_at: datetime
    due_at: datetime | None = Field(description="Ngày hẹn trả kết quả")


class SubmittedOut(DossierSummaryOut):
    """What a submission answers: the code and where to follow it. The whole dossier (documents,
    history) is at `GET /api/v1/dossiers/{code}`."""

    fee_total: int = Field(description="Tổng phí, lệ phí (đồng)")
    paid_amount: int = Field(description=PAID_AMOUNT)
    tracking_url: str = Field(description="Trang tra cứu hồ sơ (cũng là đích của mã QR)")


class DossierListOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[DossierSummaryOut]


class DossierDocumentOut(Schema):
    id: int
    role: str = Field(description="submitted, supplement hoặc result")
    name: str = Field(description="Tên giấy tờ")
    file_name: str = Field(description="Tên tệp")
    content_type: str
    size: int
    sha256: str
    added_at: datetime


class StepOut(Schema):
    seq: int = Field(description="Thứ tự bước")
    at: datetime = Field(description="Thời điểm")
    action: str = Field(description="Thao tác")
    label: str = Field(description="Thao tác bằng tiếng Việt")
    status: int = Field(description="Trạng thái sau bước này")
    status_label: str
    agency: str = Field(description="Cơ quan thực hiện")
    note: str = Field(description="Thông báo cho người nộp")


class PostalShipmentOut(Schema):
    waybill: str = Field(description="Mã vận đơn của bưu chính (rỗng: đang chờ bưu chính cấp)")
    status: str = Field(description="pending, booked, picked_up, delivered, returned, failed")
    status_label: str
    receiver_address: str = Field(description="Địa chỉ nhận kết quả")
    handed_over_at: datetime = Field(description="Giao cho bưu chính lúc")
    delivered_at: datetime | None = Field(description="Phát thành công lúc")


class DossierOut(DossierSummaryOut):
    channel: int = Field(description="Kênh nộp (KenhThucHien)")
    receiving_agency: str = Field(description="Nơi tiếp nhận")
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    answers: dict[str, Any] = Field(description="Nội dung tờ khai đã nộp")
    delivery_option: str
    delivery_address: str
    fee_total: int = Field(description="Tổng phí, lệ phí (đồng)")
    paid_amount: int = Field(description=PAID_AMOUNT)
    received_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    can_withdraw: bool = Field(description="Còn rút được hồ sơ")
    obligation: ObligationOut | None = Field(
        description="Nghĩa vụ tài chính đang chờ thực hiện (trạng thái 6; null khi không có): "
        "thanh toán qua POST /api/v1/dossiers/{code}/obligation-payment"
    )
    documents: list[DossierDocumentOut]
    history: list[StepOut] = Field(description="Quá trình xử lý")
    shipments: list[PostalShipmentOut] = Field(description="Kết quả gửi qua bưu chính")


class WithdrawIn(Schema):
    reason: str = Field(max_length=1000, description="Lý do rút hồ sơ")


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Số mục mỗi trang")
    offset: int = Field(0, ge=0, le=1_000_000, description="Bỏ qua bao nhiêu mục đầu")


class TrackingStepOut(Schema):
    at: datetime
    label: str = Field(description="Bước xử lý")
    agency: str = Field(description="Cơ quan")


class TrackingOut(Schema):
    code: str = Field(description="Mã số hồ sơ")
    procedure: str = Field(description="Tên thủ tục")
    status: int = Field(description="Mã trạng thái (TrangThaiHoSo)")
    status_label: str = Field(description="Trạng thái")
    handling_agency: str = Field(description="Cơ quan giải quyết")
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None = Field(description="Ngày hẹn trả kết quả")
    finished_at: datetime | None
    steps: list[TrackingStepOut]
