"""The Django admin is for system administrators; its sign-in goes through the staff sign-in with
the second factor instead of Django's password-only form."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


def _signin_with_second_factor(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    if request.user.is_authenticated:
        # Signed in, but not a system administrator: no second sign-in would change that.
        raise PermissionDenied("Trang quản trị chỉ dành cho quản trị hệ thống.")
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target)


admin.site.login = _signin_with_second_factor  # type: ignore[method-assign]
admin.site.site_header = "Quản trị chinhquyen"
admin.site.site_title = "Quản trị chinhquyen"
admin.site.index_title = "Danh mục quản trị"
