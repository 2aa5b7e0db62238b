"""How the API reads a request: JSON as the standard defines it, and nothing a database refuses.

Python's JSON parser accepts `NaN`, `Infinity` and numbers like `1e400` (which become infinite),
and any string may carry a NUL character, in the body, a form field, a query value or a path
segment; PostgreSQL refuses both (text cannot hold NUL, jsonb has no infinities), so such input
would fail deep inside a lookup or an action with a 500. It is refused here, for every operation
of every router, as a 400: `malformed` for the address and the body, `invalid_value` for a form
field."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from chinhquyen.core.errors import DomainError

# Deeper than any form or payload of this project; far below Python's recursion limit.
MAX_DEPTH = 32


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def check_storable(value: Any) -> None:
    """Raise ValueError on a NUL character anywhere (keys included) or nesting past MAX_DEPTH."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested too deeply")
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("NUL character")
        elif isinstance(item, dict):
            pending.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list):
            pending.extend((part, depth + 1) for part in item)


class StrictParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        # A ValueError here becomes django-ninja's 400 "cannot parse the body".
        data = json.loads(request.body, parse_constant=_no_constant, parse_float=_finite)
        check_storable(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            texts = [key, *(value for value in values if isinstance(value, str))]
            if any("\x00" in text for text in texts):
                raise DomainError(
                    "Dữ liệu gửi lên chứa ký tự NUL, không hợp lệ.", code="invalid_value", field=key
                )
        return super().parse_querydict(data, list_fields, request)


def refuse_nul_address(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Operation decorator (`api.add_decorator(..., mode="view")`): runs before the parameters
    are read, so no path or query value with a NUL reaches a view."""

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = "Địa chỉ yêu cầu chứa ký tự NUL, không hợp lệ."
            return JsonResponse(
                {"code": "malformed", "message": message, "field": None}, status=400
            )
        return run(request, *args, **kwargs)

    return checked
