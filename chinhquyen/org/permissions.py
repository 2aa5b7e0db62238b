"""Who may do what, scoped by agency subtree.

A role held in agency X reaches X and every agency below it. Inspectors read and never change.
The capabilities here are coarse on purpose; domain apps refine them by role in their actions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from chinhquyen.org.models import Agency, Role, RoleAssignment


class Capability(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    ADMINISTER = "administer"


_WORK = frozenset({Capability.VIEW, Capability.CHANGE})
_ALL = frozenset(Capability)
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ONE_STOP_OFFICER: _WORK,
    Role.SPECIALIST: _WORK,
    Role.UNIT_LEADER: _WORK,
    Role.AGENCY_LEADER: _WORK,
    Role.CLERK: _WORK,
    Role.AGENCY_ADMIN: _ALL,
    Role.SYSTEM_ADMIN: _ALL,
    Role.INSPECTOR: frozenset({Capability.VIEW}),
}


def user_scopes(user: Any) -> list[tuple[str, frozenset[Capability]]]:
    """(agency path, capabilities) for each role the user holds; cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if getattr(user, "kind", None) != "staff":
        return []
    cached = getattr(user, "_agency_scopes", None)
    if cached is None:
        rows = RoleAssignment.objects.filter(user=user, agency__is_active=True).values_list(
            "agency__path", "role"
        )
        cached = [(path, ROLE_CAPABILITIES[role]) for path, role in rows]
        user._agency_scopes = cached
    return list(cached)


def capabilities_in(user: Any, agency: Agency) -> frozenset[Capability]:
    granted: set[Capability] = set()
    for path, caps in user_scopes(user):
        if agency.path.startswith(path):
            granted |= caps
    return frozenset(granted)


def has_capability(user: Any, agency: Agency, capability: Capability) -> bool:
    return capability in capabilities_in(user, agency)


def scope_filter(user: Any, field: str = "path", capability: Capability | None = None) -> Q:
    """A Q that keeps rows whose agency path lies in one of the user's subtrees."""
    query = Q(pk__in=[])
    for path, caps in user_scopes(user):
        if capability is None or capability in caps:
            query |= Q(**{f"{field}__startswith": path})
    return query


def agencies_visible_to(user: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(scope_filter(user))


def is_staff_with_roles(user: Any) -> bool:
    return bool(user_scopes(user))
