"""Reports API: the agency statistics of issue #5 §8 (Decision 766 indicator 2.1).

Not yet registered in `core.api`; the agency is loaded through `access_agency_by_id`, so only a
staff member holding a role over that agency (an inspector above it included) reads its numbers."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from chinhquyen.core.apiauth import ErrorOut, staff_session
from chinhquyen.core.errors import DomainError
from chinhquyen.org.queries import access_agency_by_id
from chinhquyen.reports.statistics import AgencyStatistics, agency_statistics

router = Router(tags=["reports"], auth=staff_session)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class StatisticsQuery(Schema):
    agency_id: int = Field(description="Cơ quan (tính cả các đơn vị trực thuộc)")
    start: date = Field(alias="from", description="Từ ngày (tính cả ngày này)")
    end: date = Field(alias="to", description="Đến ngày (không tính ngày này)")


class StatisticsOut(Schema):
    agency_id: int
    agency_name: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    received: int = Field(description="Tiếp nhận mới trong kỳ")
    carried_over: int = Field(description="Kỳ trước chuyển sang")
    resolved: int = Field(description="Đã giải quyết")
    resolved_early: int = Field(description="Đã giải quyết trước hạn")
    resolved_on_time: int = Field(description="Đã giải quyết đúng hạn")
    resolved_late: int = Field(description="Đã giải quyết quá hạn")
    in_progress: int = Field(description="Đang giải quyết")
    in_progress_on_time: int = Field(description="Đang giải quyết trong hạn")
    in_progress_overdue: int = Field(description="Đang giải quyết quá hạn")
    supplement_waiting: int = Field(description="Đang chờ bổ sung")
    refused: int = Field(description="Không được tiếp nhận")
    withdrawn: int = Field(description="Công dân rút hồ sơ")
    stopped: int = Field(description="Dừng xử lý")
    on_time_rate: float | None = Field(description="Tỷ lệ đúng hạn, % (QĐ 766, chỉ số 2.1)")


@router.get(
    "/statistics",
    response={200: StatisticsOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    by_alias=True,
)
def statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> dict[str, Any]:
    """Số liệu giải quyết hồ sơ của một cơ quan và các đơn vị trực thuộc trong kỳ [from, to)."""
    agency = access_agency_by_id(request.user, query.agency_id)
    if query.end <= query.start:
        raise DomainError(
            "Ngày kết thúc kỳ phải sau ngày bắt đầu.", code="invalid_period", field="to"
        )
    numbers: AgencyStatistics = agency_statistics(
        agency, _midnight(query.start), _midnight(query.end)
    )
    return {
        "agency_id": agency.pk,
        "agency_name": agency.name,
        "from": query.start,
        "to": query.end,
        **numbers.__dict__,
        "on_time_rate": numbers.on_time_rate,
    }


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VIETNAM)
