"""Request logging with a request id that is echoed back to the client."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

logger = logging.getLogger("chinhquyen.request")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-Id"] = request_id
        if not request.path.startswith(("/static/", "/healthz")):
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response


def client_address(request: HttpRequest) -> str:
    """The source address recorded in the audit log (REMOTE_ADDR; proxies set it via gunicorn)."""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


NUL_MESSAGE = (
    "Yêu cầu chứa ký tự không hợp lệ (ký tự NUL); vui lòng kiểm tra lại địa chỉ hoặc nội dung."
)


class RefuseNulMiddleware:
    """A NUL character has no legitimate use in an address, a query or a form field, and
    PostgreSQL refuses it in text and JSON (a 500 otherwise). Pages answer 400 with a message;
    the API has its own JSON refusal (`core.apiparser`). Multipart bodies are left to the views
    (their upload handlers must run first; Django's form fields refuse NUL themselves)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _has_nul(request):
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _values_have_nul(request.GET):
        return True
    form = request.content_type == "application/x-www-form-urlencoded"
    return form and request.method == "POST" and _values_have_nul(request.POST)


def _values_have_nul(data: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)
