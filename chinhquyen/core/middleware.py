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
    if "\x00" in request.path or (_query_may_have_nul(request) and _values_have_nul(request.GET)):
        return True
    form = request.content_type == "application/x-www-form-urlencoded"
    return form and request.method == "POST" and _values_have_nul(request.POST)


def _query_may_have_nul(request: HttpRequest) -> bool:
    """Only `%00` (or a raw NUL) decodes to NUL in a query string: any other escape or an invalid
    UTF-8 sequence decodes to another character. Checking the raw text first spares walking
    every parameter on each request (the public tracking page, issue #3 performance)."""
    query = str(request.META.get("QUERY_STRING", ""))
    return "%00" in query or "\x00" in query


def _values_have_nul(data: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)


SESSION_REFRESHED_KEY = "_refreshed_at"


class SessionIdleRefreshMiddleware:
    """Idle expiry without a database write on every request. The session's age restarts when
    it is used (a session unused for SESSION_COOKIE_AGE ends), but the new expiry is written at
    most once per `refresh_interval` (a tenth of the age, at most 5 minutes): a session then
    ends between AGE − interval and AGE after its last use. Saving on every request (Django's
    SESSION_SAVE_EVERY_REQUEST) cost each signed-in request a transaction of its own
    (docs/benchmarks.md). Sits just inside SessionMiddleware, which does the save."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def refresh_interval() -> int:
        from django.conf import settings

        return min(300, max(1, settings.SESSION_COOKIE_AGE // 10))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request already read (no extra query) and that holds something.
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        refreshed = session.get(SESSION_REFRESHED_KEY)
        if not isinstance(refreshed, int) or now - refreshed >= self.refresh_interval():
            session[SESSION_REFRESHED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response
