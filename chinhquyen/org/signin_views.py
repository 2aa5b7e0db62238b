"""Sign-in pages: password, then the second factor (with enrolment when none is set up yet)."""

from __future__ import annotations

import time

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chinhquyen.core.errors import DomainError
from chinhquyen.core.middleware import client_address
from chinhquyen.org.forms import SecondFactorForm, SignInForm
from chinhquyen.org.models import User
from chinhquyen.org.signin import (
    check_password_step,
    do_verify_second_factor,
    new_totp_secret,
    provisioning_uri,
)

PENDING_KEY = "signin_pending"
PENDING_SECONDS = 300  # the password step is valid for five minutes


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("org:staff_home")


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step = check_password_step(
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                source_address=client_address(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "user": step.user.pk,
                "at": time.time(),
                "next": _safe_next(request),
                "enrol": new_totp_secret() if step.needs_enrolment else "",
            }
            return redirect("org:signin_second_factor")
    return render(request, "org/signin.html", {"form": form, "next": _safe_next(request)})


def _pending_user(request: HttpRequest) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None, {}
    user_id = int(pending.get("user") or 0)
    return User.objects.filter(pk=user_id, is_active=True).first(), pending


@never_cache
@require_http_methods(["GET", "POST"])
def signin_second_factor(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("org:signin")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_verify_second_factor(
                user,
                form.cleaned_data["code"],
                source_address=client_address(request),
                enrolment_secret=pending.get("enrol", ""),
            )
        except DomainError as exc:
            if exc.code == "locked":
                request.session.pop(PENDING_KEY, None)
            form.add_error("code", exc.message)
        else:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(pending.get("next") or "org:staff_home")
    context = {"form": form, "enrol_secret": pending.get("enrol", ""), "pending_user": user}
    if context["enrol_secret"]:
        context["enrol_uri"] = provisioning_uri(user, pending["enrol"])
    return render(request, "org/signin_second_factor.html", context)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("org:signin")
