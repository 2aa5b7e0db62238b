"""Public catalogue pages: no sign-in, GET only. Filters that do not parse are ignored rather
than refused, so a hand-edited address still shows a useful page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from chinhquyen.portal import formatting
from chinhquyen.procedures.models import (
    Audience,
    DeliveryOption,
    Fee,
    Field,
    OnlineLevel,
    ProcedureVersion,
)
from chinhquyen.procedures.search import (
    MAX_QUERY_LENGTH,
    FacetCount,
    SearchResult,
    catalogue_agencies,
    catalogue_version,
    search_catalogue,
)

PAGE_SIZE = 20
ONLINE_LEVELS = {OnlineLevel.FULL, OnlineLevel.PARTIAL}


@dataclass(frozen=True)
class Filters:
    query: str = ""
    field_code: str | None = None
    implementing_level: str | None = None
    online_level: str | None = None
    agency_id: int | None = None

    @classmethod
    def from_query(cls, params: QueryDict) -> Filters:
        def choice(name: str, choices: type[Any]) -> str | None:
            value = params.get(name, "")
            return value if value in choices.values else None

        agency = params.get("co_quan", "")
        return cls(
            query=params.get("q", "")[:MAX_QUERY_LENGTH],
            field_code=params.get("linh_vuc", "")[:40] or None,
            implementing_level=choice("cap", ProcedureVersion.ImplementingLevel),
            online_level=choice("muc_do", OnlineLevel),
            agency_id=int(agency) if agency.isdigit() and len(agency) < 12 else None,
        )

    @property
    def any_filter(self) -> bool:
        return any((self.field_code, self.implementing_level, self.online_level, self.agency_id))


@require_safe
def catalogue_home(request: HttpRequest) -> HttpResponse:
    everything = search_catalogue("", limit=0)
    return render(
        request,
        "portal/catalogue_home.html",
        {
            "fields": everything.fields,
            "online_levels": everything.online_levels,
            "total": everything.total,
        },
    )


@require_safe
def catalogue_search(request: HttpRequest) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    page = _page_number(request.GET.get("trang", ""))
    result = _search(filters, page)
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    if page > pages:
        page = pages
        result = _search(filters, page)
    return render(
        request,
        "portal/search.html",
        {
            "filters": filters,
            "result": result,
            "field_options": _with_selected(result.fields, filters.field_code),
            "level_options": _with_selected(result.implementing_levels, filters.implementing_level),
            "online_options": _with_selected(result.online_levels, filters.online_level),
            "agencies": catalogue_agencies(),
            "page": page,
            "pages": pages,
            "previous_url": _page_url(request.GET, page - 1) if page > 1 else None,
            "next_url": _page_url(request.GET, page + 1) if page < pages else None,
        },
    )


def _search(filters: Filters, page: int) -> SearchResult:
    return search_catalogue(
        filters.query,
        field_code=filters.field_code,
        implementing_level=filters.implementing_level,
        online_level=filters.online_level,
        agency_id=filters.agency_id,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 6 and int(raw) > 0 else 1


def _page_url(params: QueryDict, page: int) -> str:
    query = params.copy()
    query["trang"] = str(page)
    return "?" + query.urlencode()


def _with_selected(options: list[FacetCount], selected: str | None) -> list[FacetCount]:
    """A chosen filter stays in its list even when nothing matches it any more."""
    if selected and all(option.key != selected for option in options):
        return [*options, FacetCount(key=selected, label=selected, count=0)]
    return options


@require_safe
def field_detail(request: HttpRequest, code: str) -> HttpResponse:
    field = get_object_or_404(Field, code=code)
    # Every procedure of the field on one page: each online service stays two clicks away
    # from the catalogue home (and three from the site's home page).
    result = search_catalogue("", field_code=field.code, limit=None)
    return render(request, "portal/field.html", {"field": field, "result": result})


@require_safe
def procedure_detail(request: HttpRequest, national_code: str) -> HttpResponse:
    version = catalogue_version(national_code, timezone.localdate())
    if version is None:
        raise Http404("Không có thủ tục này trong danh mục đang có hiệu lực.")
    return render(request, "portal/procedure.html", _procedure_context(version))


def _procedure_context(version: ProcedureVersion) -> dict[str, Any]:
    fees = list(version.fees.all())
    return {
        "version": version,
        "audiences": _labels(Audience, version.audiences),
        "delivery_options": _labels(DeliveryOption, version.delivery_options),
        "agencies": list(version.agencies.order_by("name")),
        "time_limit": formatting.time_limit(version.time_limit_value, version.time_limit_unit),
        "documents": list(version.documents.all()),
        "fees": [_fee_row(fee) for fee in fees if fee.kind == Fee.Kind.FEE],
        "charges": [_fee_row(fee) for fee in fees if fee.kind == Fee.Kind.CHARGE],
        "steps": _lines(version.steps_text),
        "conditions": _lines(version.conditions_text),
        "legal_basis": [str(item) for item in version.legal_basis if item]
        if isinstance(version.legal_basis, list)
        else [],
        "online": version.online_level in ONLINE_LEVELS,
    }


def _fee_row(fee: Fee) -> dict[str, str]:
    return {"name": fee.name, "amount": formatting.fee_amount(fee), "note": fee.note}


def _labels(choices: type[Any], values: object) -> list[str]:
    known = dict(choices.choices)
    return [str(known.get(value, value)) for value in values] if isinstance(values, list) else []


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
