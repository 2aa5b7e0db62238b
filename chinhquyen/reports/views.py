"""The staff statistics page (issue #5 §8, Decision 766/QĐ-TTg indicator 2.1): an agency's numbers
for a period with one row per direct child, each number a link to the dossiers behind it, and the
table as XLSX. Thin: the agency through `access_agency_by_id` (404 outside the viewer's subtrees,
so an inspector reaches theirs and an officer only their own agency's), the period through
`period.read_period`, the numbers from `statistics`."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from chinhquyen.core.display import moment
from chinhquyen.core.errors import DomainError
from chinhquyen.org.decorators import staff_view
from chinhquyen.org.models import Agency
from chinhquyen.org.permissions import agencies_visible_to
from chinhquyen.org.queries import access_agency_by_id, roles_of
from chinhquyen.reports import export
from chinhquyen.reports.period import PRESETS, Period, read_period
from chinhquyen.reports.statistics import (
    MEASURES,
    AgencyStatistics,
    DossiersBehind,
    TableRow,
    statistics_table,
)

PAGE_SIZE = 25
MAX_AGENCY_CHOICES = 500
# The columns of the table, in the order of the Decision 766 report (Phụ lục, chỉ số 2.1).
COLUMNS = (
    ("received", "Tiếp nhận mới"),
    ("carried_over", "Kỳ trước chuyển sang"),
    ("resolved", "Đã giải quyết"),
    ("resolved_early", "Trước hạn"),
    ("resolved_on_time", "Đúng hạn"),
    ("resolved_late", "Quá hạn"),
    ("in_progress", "Đang giải quyết"),
    ("in_progress_on_time", "Trong hạn"),
    ("in_progress_overdue", "Quá hạn"),
    ("supplement_waiting", "Chờ bổ sung"),
    ("refused", "Không tiếp nhận"),
    ("withdrawn", "Rút hồ sơ"),
    ("stopped", "Dừng xử lý"),
)
LABELS = dict(COLUMNS)  # every measure of `AgencyStatistics` (tests/reports/test_page.py)


def _agency(request: HttpRequest, raw: str | None) -> Agency:
    """The agency asked for (`co_quan`), else the highest one the viewer holds a role in."""
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            raise Http404("Không tìm thấy cơ quan, đơn vị.")
        return access_agency_by_id(request.user, int(raw))
    first = roles_of(request.user).first()  # type: ignore[arg-type]
    if first is None:
        raise Http404("Không tìm thấy cơ quan, đơn vị.")
    return access_agency_by_id(request.user, first.agency_id)


def _period(request: HttpRequest) -> tuple[Period | None, str]:
    try:
        return read_period(request.GET, timezone.localdate()), ""
    except DomainError as error:
        return None, error.message


@staff_view("read")
def statistics_page(request: HttpRequest) -> HttpResponse:
    agency = _agency(request, request.GET.get("co_quan"))
    period, error = _period(request)
    context: dict[str, Any] = {
        "agency": agency,
        "period": period,
        "error": error,
        "presets": PRESETS.items(),
        "columns": COLUMNS,
        "choices": agencies_visible_to(request.user)
        .filter(is_active=True)
        .order_by("path")[:MAX_AGENCY_CHOICES],
        # The form shows what was typed when it was refused, else the period shown.
        "tu": period.first if period else request.GET.get("tu", "")[:20],
        "den": period.last if period else request.GET.get("den", "")[:20],
    }
    if period is not None:
        total, rows = statistics_table(agency, period.start, period.end)
        context["total"] = _row(agency, total, period, subtree=True, label=agency.name)
        context["rows"] = [
            _row(row.agency, row.numbers, period, subtree=row.subtree, label=_label(row))
            for row in rows
            if row.subtree or any(getattr(row.numbers, m) for m in MEASURES)
        ]
        context["xlsx"] = (
            reverse("reports:staff_statistics_xlsx", args=[agency.pk]) + "?" + period.query()
        )
    response = render(request, "reports/statistics.html", context, status=400 if error else 200)
    response["Cache-Control"] = "no-store"
    return response


def _label(row: TableRow) -> str:
    if row.subtree:
        return str(row.agency.name)
    return f"Trực tiếp tại {row.agency.short_name or row.agency.name} (không kể đơn vị trực thuộc)"


def _row(
    agency: Agency, numbers: AgencyStatistics, period: Period, *, subtree: bool, label: str
) -> dict[str, Any]:
    suffix = "?" + period.query() + ("" if subtree else "&rieng=1")
    return {
        "agency": agency,
        "label": label,
        "subtree": subtree,
        "rate": numbers.on_time_rate,
        # A screen reader's list of links reads each number with what and whose it is.
        "cells": [
            (getattr(numbers, key), _link(agency, key) + suffix, f"{title}: {label}")
            for key, title in COLUMNS
        ],
    }


def _link(agency: Agency, measure: str) -> str:
    return reverse("reports:staff_statistics_dossiers", args=[agency.pk, measure])


@staff_view("read")
def dossiers_behind(request: HttpRequest, agency_id: int, measure: str) -> HttpResponse:
    """The dossiers counted in one number of the table, paged, with their verdict."""
    agency = access_agency_by_id(request.user, agency_id)
    if measure not in LABELS:
        raise Http404("Không có chỉ tiêu thống kê này.")
    period, error = _period(request)
    subtree = request.GET.get("rieng") != "1"
    context: dict[str, Any] = {
        "agency": agency,
        "period": period,
        "error": error,
        "measure": LABELS[measure],
        "subtree": subtree,
    }
    if period is not None:
        dossiers = DossiersBehind(agency, period.start, period.end, measure, subtree=subtree)
        page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
        context["page"] = page
        context["rows"] = [
            {"d": d, "due": moment(d.due_at), "verdict": getattr(d, "verdict", "")}
            for d in page.object_list
        ]
        context["back"] = (
            reverse("reports:staff_statistics") + f"?co_quan={agency.pk}&" + period.query()
        )
        context["query"] = period.query() + ("" if subtree else "&rieng=1")
    response = render(request, "reports/dossiers.html", context, status=400 if error else 200)
    response["Cache-Control"] = "no-store"
    return response


@staff_view("read")
def statistics_xlsx(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access_agency_by_id(request.user, agency_id)
    period, error = _period(request)
    if period is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    total, rows = statistics_table(agency, period.start, period.end)
    lines = [(_label(row), row.numbers) for row in rows]
    content = export.statistics_xlsx(agency, period, COLUMNS, (agency.name, total), lines)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"thong-ke-{agency.identifier_code}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
