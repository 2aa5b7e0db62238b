"""API authentication and error shapes shared by every router.

Staff use the API with their signed-in session (both factors passed). Errors come back as
`{"code": ..., "message": ..., "field": ...}` with a 4xx status, never as a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import SessionAuth

from chinhquyen.core.errors import DomainError
from chinhquyen.org.permissions import is_staff_with_roles


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not is_staff_with_roles(user):
            raise PermissionDenied("API này dành cho cán bộ được phân quyền.")
        return user


staff_session = StaffSessionAuth()


class CitizenSessionAuth(SessionAuth):
    """A signed-in citizen or organisation account (its own dossiers, drafts and payments)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if getattr(user, "kind", None) != "citizen":
            raise PermissionDenied("API này dành cho tài khoản công dân, tổ chức.")
        return user


citizen_session = CitizenSessionAuth()


def install_error_handlers(api: NinjaAPI) -> None:
    def _reply(request: HttpRequest, status: int, code: str, message: str, field: Any = None):
        body = {"code": code, "message": message, "field": field}
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _reply(request, exc.status, exc.code, exc.message, exc.field)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _reply(request, 403, "forbidden", str(exc) or "Không có quyền.")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _reply(request, 404, "not_found", str(exc) or "Không tìm thấy.")
