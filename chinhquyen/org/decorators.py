"""`staff_view` guards every staff page: signed in (both factors), a staff account holding at
least one role. It tags the view as "read" or "write" so the permission matrix test knows what
an inspector may do there; the object-level check stays in the `access_*` helpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from chinhquyen.org.permissions import is_staff_with_roles

AccessKind = Literal["read", "write"]
View = Callable[..., HttpResponse]
SAFE_METHODS = frozenset({"GET", "HEAD"})


def staff_view(access: AccessKind) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_with_roles(request.user):
                raise PermissionDenied("Trang này dành cho cán bộ được phân quyền.")
            if access == "read" and request.method not in SAFE_METHODS:
                return HttpResponseNotAllowed(sorted(SAFE_METHODS))
            return view(request, *args, **kwargs)

        wrapper.access_kind = access  # type: ignore[attr-defined]
        return wrapper

    return decorate
