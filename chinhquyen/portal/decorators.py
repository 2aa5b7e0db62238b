"""`citizen_view` guards the pages of a signed-in citizen (or organisation) account.

Anonymous visitors are sent to the citizen sign-in page; staff accounts are refused, because a
citizen's pages show only that citizen's own objects (loaded with `access_*_by_*` helpers that
raise 404 for anybody else's). The view is tagged so the permission matrix test can find it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]
CITIZEN_SIGNIN_URL = "/tai-khoan/dang-nhap/"


def is_citizen(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.kind == "citizen"


def citizen_view(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.get_full_path(), getattr(settings, "CITIZEN_LOGIN_URL", CITIZEN_SIGNIN_URL)
            )
        if not is_citizen(request.user):
            raise PermissionDenied("Trang này dành cho tài khoản công dân, tổ chức.")
        return view(request, *args, **kwargs)

    wrapper.citizen_view = True  # type: ignore[attr-defined]
    return wrapper
