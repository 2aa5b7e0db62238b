"""Public catalogue API: search the procedures in force, read one procedure as a citizen sees it
(documents, fees, time limit, delivery options, the e-form), list the fields. No sign-in: the
catalogue is public information (Decree 63/2010 Art. 15, 16; Decree 61/2018 Art. 13)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from chinhquyen.core.apiauth import ErrorOut
from chinhquyen.procedures.models import (
    DeliveryOption,
    OnlineLevel,
    ProcedureVersion,
    RequiredDocument,
)
from chinhquyen.procedures.models import Field as ProcedureField
from chinhquyen.procedures.search import MAX_QUERY_LENGTH, catalogue_version, search_catalogue
from chinhquyen.procedures.text import fold
from chinhquyen.workdays.calendar import DurationUnit

router = Router(tags=["catalogue"], auth=None)

MAX_PAGE_SIZE = 100
# Database ids fit a signed 64-bit integer; a larger number cannot name anything.
MAX_ID = 2**63 - 1


class FieldOut(Schema):
    code: str = Field(description="Mã lĩnh vực")
    name: str = Field(description="Tên lĩnh vực")


class FieldCountOut(FieldOut):
    procedure_count: int = Field(description="Số thủ tục đang có hiệu lực thuộc lĩnh vực")


class FacetOut(Schema):
    key: str = Field(description="Giá trị dùng để lọc")
    label: str = Field(description="Nhãn hiển thị")
    count: int = Field(description="Số thủ tục khớp khi chọn giá trị này")


class ProcedureSummaryOut(Schema):
    national_code: str = Field(description="Mã thủ tục trên Cơ sở dữ liệu quốc gia về TTHC")
    version: int = Field(description="Phiên bản đang có hiệu lực")
    name: str = Field(description="Tên thủ tục")
    field: FieldOut = Field(description="Lĩnh vực")
    implementing_level: str = Field(description="Cấp thực hiện: province (tỉnh), commune (xã)")
    online_level: str = Field(description="Mức độ trực tuyến: full, partial, none")


class CatalogueQuery(Schema):
    q: str = Field("", max_length=MAX_QUERY_LENGTH, description="Từ khóa (không phân biệt dấu)")
    field: str | None = Field(None, max_length=40, description="Mã lĩnh vực")
    level: ProcedureVersion.ImplementingLevel | None = Field(None, description="Cấp thực hiện")
    online_level: OnlineLevel | None = Field(None, description="Mức độ trực tuyến")
    agency: int | None = Field(None, ge=1, le=MAX_ID, description="Cơ quan có thẩm quyền (id)")
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Số thủ tục mỗi trang")
    offset: int = Field(0, ge=0, le=1_000_000, description="Bỏ qua bao nhiêu thủ tục đầu")


class CatalogueOut(Schema):
    query: str = Field(description="Từ khóa đã tìm")
    total: int = Field(description="Tổng số thủ tục khớp mọi bộ lọc")
    limit: int
    offset: int
    items: list[ProcedureSummaryOut] = Field(description="Các thủ tục của trang này")
    fields: list[FacetOut] = Field(description="Đếm theo lĩnh vực")
    implementing_levels: list[FacetOut] = Field(description="Đếm theo cấp thực hiện")
    online_levels: list[FacetOut] = Field(description="Đếm theo mức độ trực tuyến")


class ChoiceOut(Schema):
    key: str = Field(description="Giá trị")
    label: str = Field(description="Nhãn tiếng Việt")


class AgencyRefOut(Schema):
    id: int
    identifier_code: str = Field(description="Mã định danh điện tử của cơ quan")
    name: str = Field(description="Tên cơ quan")


class TimeLimitOut(Schema):
    value: Decimal = Field(description="Thời hạn giải quyết")
    unit: str = Field(description="Đơn vị: working_hours, working_days, days, months")
    unit_label: str = Field(description="Đơn vị bằng tiếng Việt")
    note: str = Field(description="Ghi chú về thời hạn")


class DocumentOut(Schema):
    id: int = Field(description="Dùng làm required_document_id khi đính kèm tệp")
    order: int
    name: str = Field(description="Tên giấy tờ")
    originals: int = Field(description="Số bản chính")
    copies: int = Field(description="Số bản sao")
    required: bool = Field(description="Bắt buộc")
    reusable: bool = Field(description="Có thể dùng lại từ kho dữ liệu cá nhân")
    template_name: str = Field(description="Mẫu đơn, tờ khai")
    note: str = Field(description="Ghi chú")


class FeeOut(Schema):
    kind: str = Field(description="fee (lệ phí) hoặc charge (phí)")
    name: str = Field(description="Tên khoản thu")
    amount: int = Field(description="Mức thu (đồng)")
    per: str | None = Field(description="Tính theo đơn vị (copy, page, sheet) nếu có")
    conditional: bool = Field(description="Chỉ thu khi thỏa điều kiện theo nội dung tờ khai")
    note: str = Field(description="Ghi chú")


class ProcedureOut(ProcedureSummaryOut):
    effective_from: date = Field(description="Hiệu lực từ ngày")
    effective_to: date | None = Field(description="Hết hiệu lực ngày")
    audiences: list[str] = Field(description="Đối tượng thực hiện")
    implementing_text: str = Field(description="Cơ quan thực hiện")
    agencies: list[AgencyRefOut] = Field(description="Cơ quan có thẩm quyền")
    time_limit: TimeLimitOut
    result: str = Field(description="Kết quả thực hiện")
    delivery_options: list[ChoiceOut] = Field(description="Hình thức nhận kết quả")
    steps_text: str = Field(description="Trình tự thực hiện")
    conditions_text: str = Field(description="Yêu cầu, điều kiện")
    legal_basis: list[str] = Field(description="Căn cứ pháp lý")
    documents: list[DocumentOut] = Field(description="Thành phần hồ sơ")
    fees: list[FeeOut] = Field(description="Phí, lệ phí")
    eform: dict[str, Any] = Field(description="Biểu mẫu điện tử (docs/catalogue-format.md)")
    can_file_online: bool = Field(description="Có thể nộp hồ sơ trực tuyến")


def summary_data(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "national_code": version.procedure.national_code,
        "version": version.version,
        "name": version.name,
        "field": {"code": version.field.code, "name": version.field.name},
        "implementing_level": version.implementing_level,
        "online_level": version.online_level,
    }


@router.get(
    "/procedures",
    response=CatalogueOut,
    summary="Tìm thủ tục hành chính đang có hiệu lực",
)
def search(request: HttpRequest, params: Query[CatalogueQuery]) -> dict[str, Any]:
    result = search_catalogue(
        params.q,
        field_code=params.field or None,
        implementing_level=params.level,
        online_level=params.online_level,
        agency_id=params.agency,
        limit=params.limit,
        offset=params.offset,
    )
    return {
        "query": result.query,
        "total": result.total,
        "limit": params.limit,
        "offset": params.offset,
        "items": [summary_data(version) for version in result.hits],
        "fields": result.fields,
        "implementing_levels": result.implementing_levels,
        "online_levels": result.online_levels,
    }


def _labelled(choices: Any, values: object) -> list[dict[str, str]]:
    labels = dict(choices.choices)
    items = values if isinstance(values, list) else []
    return [{"key": str(value), "label": str(labels.get(value, value))} for value in items]


def _unit_label(unit: str) -> str:
    return str(dict(DurationUnit.choices).get(unit, unit))


def _fee_data(version: ProcedureVersion) -> list[dict[str, Any]]:
    fees = []
    for fee in version.fees.order_by("pk"):
        rule = fee.rule if isinstance(fee.rule, dict) else {}
        fees.append(
            {
                "kind": fee.kind,
                "name": fee.name,
                "amount": int(fee.amount),
                "per": str(rule["per"]) if rule.get("per") else None,
                "conditional": "applies_if" in rule,
                "note": fee.note,
            }
        )
    return fees


def procedure_data(version: ProcedureVersion) -> dict[str, Any]:
    documents: list[RequiredDocument] = list(version.documents.order_by("order"))
    legal = version.legal_basis if isinstance(version.legal_basis, list) else []
    return {
        **summary_data(version),
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "audiences": [str(item) for item in version.audiences or []],
        "implementing_text": version.implementing_text,
        "agencies": list(version.agencies.order_by("name")),
        "time_limit": {
            "value": version.time_limit_value,
            "unit": version.time_limit_unit,
            "unit_label": _unit_label(version.time_limit_unit),
            "note": version.time_limit_note,
        },
        "result": version.result,
        "delivery_options": _labelled(DeliveryOption, version.delivery_options),
        "steps_text": version.steps_text,
        "conditions_text": version.conditions_text,
        "legal_basis": [str(item) for item in legal if item],
        "documents": documents,
        "fees": _fee_data(version),
        "eform": version.eform_schema or {},
        "can_file_online": version.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL),
    }


@router.get(
    "/procedures/{national_code}",
    response={200: ProcedureOut, 404: ErrorOut},
    summary="Một thủ tục theo mã, phiên bản đang có hiệu lực",
)
def procedure(request: HttpRequest, national_code: str) -> dict[str, Any]:
    version = catalogue_version(national_code.strip()[:40], timezone.localdate())
    if version is None:
        raise Http404("Không có thủ tục này trong danh mục đang có hiệu lực.")
    return procedure_data(version)


@router.get("/fields", response=list[FieldCountOut], summary="Các lĩnh vực thủ tục hành chính")
# In alphabetical order as a Vietnamese reader expects it (diacritics folded, "Đ" with "D").
def fields(request: HttpRequest) -> list[dict[str, Any]]:
    counts = {facet.key: facet.count for facet in search_catalogue("", limit=0).fields}
    every = sorted(ProcedureField.objects.all(), key=lambda field: fold(field.name))
    return [
        {"code": field.code, "name": field.name, "procedure_count": counts.get(field.code, 0)}
        for field in every
    ]
