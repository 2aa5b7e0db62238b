"""Read helpers. `access_*` is the only way a view loads an org object: it raises 404 when the
object lies outside the user's agency subtrees and 403 when it is visible but the capability is
missing, so agency scoping cannot be forgotten."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from chinhquyen.org.models import Agency, RoleAssignment, User
from chinhquyen.org.permissions import Capability, agencies_visible_to, has_capability


def access_agency_by_id(
    user: Any, agency_id: int, capability: Capability = Capability.VIEW
) -> Agency:
    agency = agencies_visible_to(user).filter(pk=agency_id).select_related("parent").first()
    if agency is None:
        raise Http404("Không tìm thấy cơ quan, đơn vị.")
    if not has_capability(user, agency, capability):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với cơ quan, đơn vị này.")
    return agency


def access_staff_member_by_id(
    user: Any, member_id: int, capability: Capability = Capability.VIEW
) -> User:
    """A staff member is reachable when one of their roles sits in the user's subtrees."""
    member = User.objects.filter(pk=member_id, kind=User.Kind.STAFF).first()
    if member is None:
        raise Http404("Không tìm thấy cán bộ.")
    agencies = Agency.objects.filter(role_assignments__user=member).distinct()
    visible = [agency for agency in agencies if has_capability(user, agency, Capability.VIEW)]
    if not visible:
        raise Http404("Không tìm thấy cán bộ.")
    if not any(has_capability(user, agency, capability) for agency in visible):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với cán bộ này.")
    return member


def roles_of(user: User) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(user=user).select_related("agency").order_by("agency__path")
    )


def children_of(agency: Agency) -> QuerySet[Agency]:
    return agency.children.order_by("name")


def staff_of(agency: Agency) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(agency=agency)
        .select_related("user")
        .order_by("user__full_name", "role")
    )
