"""Staff pages of the org app: staff home, the agency tree, agency details and staff."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from chinhquyen.core.errors import DomainError
from chinhquyen.org.actions import do_change_agency_code, do_create_agency, do_update_agency
from chinhquyen.org.decorators import staff_view
from chinhquyen.org.forms import AgencyForm, NewAgencyForm, RecodeForm
from chinhquyen.org.permissions import (
    Capability,
    agencies_visible_to,
    capabilities_in,
    scope_filter,
)
from chinhquyen.org.queries import (
    access_agency_by_id,
    access_staff_member_by_id,
    children_of,
    roles_of,
    staff_of,
)


@staff_view("read")
def staff_home(request: HttpRequest) -> HttpResponse:
    assignments = list(roles_of(request.user))  # type: ignore[arg-type]
    return render(request, "org/staff_home.html", {"assignments": assignments})


@staff_view("read")
def agency_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    agencies = agencies_visible_to(request.user).filter(is_active=True)
    if query:
        agencies = agencies.filter(name__icontains=query) | agencies.filter(
            identifier_code__icontains=query.upper()
        )
    agencies = agencies.select_related("parent").order_by("path")[:500]
    return render(request, "org/agency_list.html", {"agencies": agencies, "q": query})


@staff_view("read")
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access_agency_by_id(request.user, agency_id)
    context = {
        "agency": agency,
        "children": children_of(agency),
        "staff": staff_of(agency),
        "codes": agency.code_history.order_by("valid_from"),
        "can_administer": Capability.ADMINISTER in capabilities_in(request.user, agency),
    }
    return render(request, "org/agency_detail.html", context)


def _show_error(form: AgencyForm | RecodeForm, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@staff_view("write")
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access_agency_by_id(request.user, agency_id, Capability.ADMINISTER)
    initial = {
        "name": agency.name,
        "short_name": agency.short_name,
        "abbreviation": agency.abbreviation,
    }
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_agency(agency, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "Đã lưu thông tin cơ quan.")
            return redirect("org:agency_detail", agency_id=agency.pk)
    return render(request, "org/agency_form.html", {"form": form, "agency": agency})


@staff_view("write")
@require_http_methods(["GET", "POST"])
def agency_create_child(request: HttpRequest, agency_id: int) -> HttpResponse:
    parent = access_agency_by_id(request.user, agency_id, Capability.ADMINISTER)
    form = NewAgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child = do_create_agency(
                acting_user=request.user,
                parent=parent,
                administrative_unit=parent.administrative_unit,
                **form.cleaned_data,
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "Đã tạo đơn vị trực thuộc.")
            return redirect("org:agency_detail", agency_id=child.pk)
    context = {"form": form, "agency": parent, "creating": True}
    return render(request, "org/agency_form.html", context)


@staff_view("write")
@require_http_methods(["GET", "POST"])
def agency_recode(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access_agency_by_id(request.user, agency_id, Capability.ADMINISTER)
    form = RecodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_agency_code(
                agency,
                form.cleaned_data["identifier_code"],
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "Đã đổi mã định danh; mã cũ được lưu trong lịch sử.")
            return redirect("org:agency_detail", agency_id=agency.pk)
    return render(request, "org/agency_recode.html", {"form": form, "agency": agency})


@staff_view("read")
def staff_member_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    member = access_staff_member_by_id(request.user, user_id)
    # Only the roles inside the viewer's own subtrees: the rest is not theirs to see.
    visible = roles_of(member).filter(scope_filter(request.user, "agency__path"))
    context = {"member": member, "assignments": visible}
    return render(request, "org/staff_member_detail.html", context)
