"""Org API: who am I, agencies in my subtrees. Loads go through the same `access_*` helpers as
the pages, so the API is scoped exactly like the screens."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from chinhquyen.core.apiauth import staff_session
from chinhquyen.org.actions import do_update_agency
from chinhquyen.org.models import Agency
from chinhquyen.org.permissions import Capability
from chinhquyen.org.queries import access_agency_by_id, children_of, roles_of

router = Router(tags=["org"], auth=staff_session)


class RoleOut(Schema):
    agency_id: int
    agency_name: str
    identifier_code: str
    role: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[RoleOut]


class AgencyOut(Schema):
    id: int
    identifier_code: str
    name: str
    short_name: str
    abbreviation: str
    kind: str
    parent_id: int | None
    is_active: bool


class AgencyPatch(Schema):
    name: str
    short_name: str = ""
    abbreviation: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    roles = [
        RoleOut(
            agency_id=a.agency_id,
            agency_name=a.agency.name,
            identifier_code=a.agency.identifier_code,
            role=a.role,
        )
        for a in roles_of(user)  # type: ignore[arg-type]
    ]
    return {"username": user.get_username(), "full_name": str(user), "roles": roles}


@router.get("/agencies/{agency_id}", response=AgencyOut)
def get_agency(request: HttpRequest, agency_id: int) -> Agency:
    return access_agency_by_id(request.user, agency_id)


@router.get("/agencies/{agency_id}/children", response=list[AgencyOut])
def list_children(request: HttpRequest, agency_id: int) -> list[Agency]:
    return list(children_of(access_agency_by_id(request.user, agency_id)))


@router.put("/agencies/{agency_id}", response=AgencyOut)
def update_agency(request: HttpRequest, agency_id: int, payload: AgencyPatch) -> Agency:
    agency = access_agency_by_id(request.user, agency_id, Capability.ADMINISTER)
    return do_update_agency(agency, acting_user=request.user, **payload.dict())
