"""API authentication and error shapes shared by every router.

Staff use the API with their signed-in session (both factors passed). Errors come back as
`{"code": ..., "message": ..., "field": ...}` with a 4xx status, never as a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
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


class ErrorOut(Schema):
    """The body of every refusal the handlers below produce; operations name it in `response=`
    for the statuses they document."""

    code: str = Field(description="Mã lỗi ổn định, dùng cho máy đọc")
    message: str = Field(description="Thông báo tiếng Việt cho người dùng")
    field: str | None = Field(description="Trường gây lỗi, nếu có")


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

    # django-ninja's own refusals (sign-in, CSRF, a body that is not JSON, input that does not
    # fit the declared types) in the same shape as ours, so a client reads one error format.
    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _NINJA_ERRORS.get(exc.status_code, ("error", str(exc)))
        return _reply(request, exc.status_code, code, message)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _location(error.get("loc", ())), "message": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        first = errors[0]["field"] if errors else None
        message = f"Dữ liệu gửi lên không hợp lệ ({first})." if first else "Dữ liệu không hợp lệ."
        body = {"code": "invalid", "message": message, "field": first, "errors": errors}
        return api.create_response(request, body, status=422)


_NINJA_ERRORS = {
    400: ("malformed", "Không đọc được nội dung yêu cầu (JSON hoặc biểu mẫu không hợp lệ)."),
    401: ("unauthenticated", "Vui lòng đăng nhập."),
    403: (
        "csrf_failed",
        "Yêu cầu thiếu mã chống giả mạo (CSRF): gửi kèm cookie và tiêu đề X-CSRFToken.",
    ),
}


def _location(loc: Any) -> str:
    """`("body", "payload", "tre", 0, "ngay_sinh")` → `tre[0].ngay_sinh` (without the request
    part and the parameter name that django-ninja puts in front)."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "form", "file", "header", "cookie"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in ("payload", "params", "page"):
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
