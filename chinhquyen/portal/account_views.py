"""Citizen account pages under /tai-khoan/: sign-up and its code, sign-in with e-mail or phone
and password, sign-out, “Quên mật khẩu” (a code, then a new password), the profile with
re-verification of a changed contact, “Đổi mật khẩu”, and sign-in through the configured OpenID
Connect provider. Thin: parse, call one action, render."""

from __future__ import annotations

import contextlib
import hmac
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chinhquyen.core.errors import DomainError
from chinhquyen.core.middleware import client_address
from chinhquyen.integrations.oidc.client import Identity, OidcError, client_from_settings
from chinhquyen.org.citizens import (
    Channel,
    Contact,
    DecoyCode,
    ExternalClaims,
    ResetCode,
    check_citizen_password,
    check_decoy_code,
    do_change_citizen_password,
    do_complete_citizen_signin,
    do_record_external_refusal,
    do_request_password_reset,
    do_resend_code,
    do_resend_decoy_code,
    do_resend_password_reset,
    do_reset_password,
    do_sign_in_with_external_identity,
    do_sign_up,
    do_update_citizen_profile,
    do_verify_contact,
    pending_verification,
)
from chinhquyen.org.models import CitizenProfile, User
from chinhquyen.portal.account_forms import (
    ChangePasswordForm,
    CitizenSignInForm,
    CodeForm,
    NewPasswordForm,
    PasswordResetForm,
    ProfileForm,
    SignUpForm,
    add_domain_error,
)
from chinhquyen.portal.decorators import citizen_view, is_citizen

BACKEND = "django.contrib.auth.backends.ModelBackend"
VERIFY_KEY = "citizen_verify"  # the account waiting for its first code, before any sign-in
VERIFY_SECONDS = 3600
# A password reset under way: a ResetCode, of one shape with or without an account.
RESET_KEY = "citizen_reset"
OIDC_KEY = "citizen_oidc"  # state, nonce and PKCE verifier of a provider sign-in under way
OIDC_SECONDS = 600
OIDC_REFUSED = (
    "Không đăng nhập được bằng tài khoản định danh điện tử. Vui lòng thử lại, hoặc đăng nhập "
    "bằng thư điện tử/số điện thoại."
)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("accounts:profile")


def mask(channel: str, value: str) -> str:
    """`nguyenvana@example.vn` → `ng•••@example.vn`, `0912345678` → `091••••678`."""
    if channel == Channel.EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[:2]}•••@{domain}"
    return f"{value[:3]}••••{value[-3:]}"


# --- Sign-up and its code -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if is_citizen(request.user):
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = do_sign_up(
                full_name=data["full_name"],
                contact=data["contact"],
                password=data["password"],
                applicant_kind=data["applicant_kind"],
                source_address=client_address(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            # The same answer whether or not the contact already had an account (a decoy then).
            decoy = None if result.user else DecoyCode.start(result.contact, timezone.now())
            _await_code(request, result.user, result.contact.channel, decoy=decoy)
            return redirect("accounts:verify")
    return render(request, "portal/accounts/signup.html", {"form": form})


def _await_code(
    request: HttpRequest, user: User | None, channel: str, *, decoy: DecoyCode | None = None
) -> None:
    # A decoy keeps its state here, in place of an account id (none may reach the session).
    request.session[VERIFY_KEY] = {
        "user": user.pk if user else None,
        "decoy": decoy.to_session() if decoy else None,
        "channel": channel,
        "at": time.time(),
        "next": _safe_next(request),
    }


def _awaiting(request: HttpRequest) -> tuple[User | DecoyCode | None, dict[str, Any]]:
    state = request.session.get(VERIFY_KEY) or {}
    if not state or time.time() - float(state.get("at", 0)) > VERIFY_SECONDS:
        return None, {}
    if state.get("decoy"):
        return DecoyCode.from_session(state["decoy"]), state
    user = User.objects.filter(
        pk=int(state.get("user") or 0), kind=User.Kind.CITIZEN, is_active=True
    ).first()
    return user, state


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    awaiting, state = _awaiting(request)
    if awaiting is None:
        request.session.pop(VERIFY_KEY, None)
        messages.info(request, "Phiên xác thực đã hết. Đăng nhập để nhận mã mới.")
        return redirect("accounts:signin")
    if request.method == "POST":
        # A decoy's state changes in the session on every post: a real code's answer must carry
        # the same session cookie, or the headers would tell the two apart.
        request.session.modified = True
    if isinstance(awaiting, DecoyCode):
        return _verify_decoy(request, awaiting, state)
    user, channel = awaiting, state["channel"]
    pending = pending_verification(user, channel)
    verifying = request.POST.get("action") != "resend"
    form = CodeForm(request.POST if request.method == "POST" and verifying else None)
    if request.method == "POST" and not verifying:
        _resend(request, user, channel)
        return redirect("accounts:verify")
    if request.method == "POST" and form.is_valid():
        try:
            do_verify_contact(
                user, channel, form.cleaned_data["code"], source_address=client_address(request)
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(VERIFY_KEY, None)
            messages.success(request, "Đã xác thực tài khoản. Mời bạn đăng nhập.")
            return redirect(f"{reverse('accounts:signin')}?{_next_query(state)}")
    destination = mask(channel, pending.destination) if pending else ""
    return _render_verify(request, form, channel, destination)


def _verify_decoy(request: HttpRequest, decoy: DecoyCode, state: dict[str, Any]) -> HttpResponse:
    """The code page of a sign-up whose contact has an account: every code is refused and a
    resend is answered, with the messages and limits of a real code."""
    verifying = request.POST.get("action") != "resend"
    form = CodeForm(request.POST if request.method == "POST" and verifying else None)
    if request.method == "POST" and not verifying:
        try:
            do_resend_decoy_code(decoy, timezone.now())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Đã gửi mã xác thực mới.")
    elif request.method == "POST" and form.is_valid():
        try:
            check_decoy_code(decoy, timezone.now())
        except DomainError as exc:
            form.add_error("code", exc.message)
    if request.method == "POST":
        request.session[VERIFY_KEY] = {**state, "decoy": decoy.to_session()}
    if request.method == "POST" and not verifying:
        return redirect("accounts:verify")
    return _render_verify(request, form, decoy.channel, mask(decoy.channel, decoy.destination))


def _render_verify(
    request: HttpRequest, form: CodeForm, channel: str, destination: str
) -> HttpResponse:
    context = {"form": form, "channel": channel, "destination": destination}
    return render(request, "portal/accounts/verify.html", context)


def _next_query(state: dict[str, Any]) -> str:
    return urlencode({"next": state.get("next") or reverse("accounts:profile")})


def _resend(request: HttpRequest, user: User, channel: str) -> None:
    try:
        do_resend_code(user, channel, source_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã gửi mã xác thực mới.")


# --- Sign-in and sign-out -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    if is_citizen(request.user):
        return redirect(_safe_next(request))
    form = CitizenSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = client_address(request)
        try:
            step = check_citizen_password(
                form.cleaned_data["identifier"],
                form.cleaned_data["password"],
                source_address=source,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if not step.verified:
                return _ask_for_first_code(request, step.user, step.contact.channel)
            user = do_complete_citizen_signin(step.user, source_address=source)
            login(request, user, backend=BACKEND)
            return redirect(_safe_next(request))
    return _render_signin(request, form)


def _render_signin(
    request: HttpRequest, form: CitizenSignInForm, *, status: int = 200, refusal: str = ""
) -> HttpResponse:
    next_url = _safe_next(request)
    context = {
        "form": form,
        "refusal": refusal,
        "next": next_url,
        "next_query": urlencode({"next": next_url}),
        "oidc_enabled": bool(settings.OIDC_ISSUER),
    }
    return render(request, "portal/accounts/signin.html", context, status=status)


def _ask_for_first_code(request: HttpRequest, user: User, channel: str) -> HttpResponse:
    """The password was right but the account was never verified: send a code (if one may be
    sent now) and ask for it; the account signs in once it is entered."""
    # A code sent moments ago is still valid (resend refused): the page offers to resend.
    with contextlib.suppress(DomainError):
        do_resend_code(user, channel, source_address=client_address(request))
    _await_code(request, user, channel)
    messages.warning(request, "Tài khoản chưa được xác thực. Nhập mã xác thực đã gửi cho bạn.")
    return redirect("accounts:verify")


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "Bạn đã đăng xuất.")
    return redirect("core:home")


# --- Password reset -----------------------------------------------------------------------------


def _reset_state(request: HttpRequest) -> ResetCode | None:
    state = request.session.get(RESET_KEY) or {}
    if not state or time.time() - float(state.get("at", 0)) > VERIFY_SECONDS:
        return None
    return ResetCode.from_session(state.get("code"))


def _keep_reset(request: HttpRequest, reset: ResetCode) -> None:
    request.session[RESET_KEY] = {"code": reset.to_session(), "at": time.time()}


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reset = do_request_password_reset(
                form.cleaned_data["contact"],
                previous=_reset_state(request),
                source_address=client_address(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            # The same redirect whether or not the address has an account (ADR 0013).
            _keep_reset(request, reset)
            return redirect("accounts:password_reset_code")
    return render(request, "portal/accounts/password_reset.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_code(request: HttpRequest) -> HttpResponse:
    reset = _reset_state(request)
    if reset is None:
        request.session.pop(RESET_KEY, None)
        messages.info(request, "Phiên đặt lại mật khẩu đã hết. Vui lòng yêu cầu mã mới.")
        return redirect("accounts:password_reset")
    resending = request.method == "POST" and request.POST.get("action") == "resend"
    contact = Contact(reset.channel, reset.destination)
    posted = request.POST if request.method == "POST" and not resending else None
    form = NewPasswordForm(posted, contact=contact)
    if resending:
        _resend_reset(request, reset)
        return redirect("accounts:password_reset_code")
    if request.method == "POST" and form.is_valid():
        try:
            do_reset_password(
                reset,
                form.cleaned_data["code"],
                form.cleaned_data["password"],
                source_address=client_address(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            # Not signed in here: every session of the account has just ended, and signing in
            # with the new password goes through the one sign-in path (lock, audit).
            request.session.pop(RESET_KEY, None)
            messages.success(request, "Đã đặt mật khẩu mới. Mời bạn đăng nhập bằng mật khẩu mới.")
            return redirect("accounts:signin")
    if request.method == "POST":
        _keep_reset(request, reset)  # attempts counted on both paths alike
    context = {"form": form, "channel": reset.channel,
               "destination": mask(reset.channel, reset.destination)}  # fmt: skip
    return render(request, "portal/accounts/password_reset_code.html", context)


def _resend_reset(request: HttpRequest, reset: ResetCode) -> None:
    try:
        do_resend_password_reset(reset, source_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã gửi mã xác thực mới.")
    _keep_reset(request, reset)


# --- Profile ------------------------------------------------------------------------------------


def _profile_initial(user: User, profile: CitizenProfile) -> dict[str, Any]:
    return {
        "full_name": user.full_name,
        "applicant_kind": profile.applicant_kind,
        "personal_id": profile.personal_id,
        "date_of_birth": profile.date_of_birth,
        "address": profile.address,
        "commune": str(profile.commune_id or ""),
        "email": user.email,
        "phone": user.phone,
        "enterprise_code": profile.enterprise_code,
        "organisation_name": profile.organisation_name,
    }


@citizen_view
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    citizen, _ = CitizenProfile.objects.get_or_create(user=user)
    form = ProfileForm(request.POST or None, initial=_profile_initial(user, citizen))
    if request.method == "POST" and form.is_valid():
        try:
            sent = do_update_citizen_profile(
                user, form.profile_data(), acting_user=user, source_address=client_address(request)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if sent:
                messages.info(request, "Đã lưu hồ sơ. Nhập mã xác thực để dùng địa chỉ mới.")
                return redirect("accounts:verify_contact")
            messages.success(request, "Đã lưu hồ sơ.")
            return redirect("accounts:profile")
        user.refresh_from_db()
    context = {"form": form, "citizen": citizen, "pending": _pending(user)}
    return render(request, "portal/accounts/profile.html", context)


@citizen_view
@never_cache
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """“Đổi mật khẩu”. An account with no usable password (created through OIDC) gets no form:
    it sets one through “Quên mật khẩu”, whose code proves the contact, so an open session
    alone cannot add a password to the account (ADR 0013)."""
    user = request.user
    assert isinstance(user, User)
    has_password = user.has_usable_password()
    form = ChangePasswordForm(request.POST or None)
    if has_password and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_change_citizen_password(
                user,
                data["current_password"],
                data["password"],
                source_address=client_address(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)  # this session stays; every other one ends
            messages.success(request, "Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất.")
            return redirect("accounts:profile")
    context = {"form": form, "has_password": has_password}
    return render(request, "portal/accounts/change_password.html", context)


def _pending(user: User) -> list[dict[str, Any]]:
    """Codes of changed contacts still to be entered."""
    rows = []
    for channel in (Channel.EMAIL, Channel.PHONE):
        verification = pending_verification(user, channel)
        if verification is not None:
            rows.append({"channel": channel, "label": Channel(channel).label,
                         "destination": verification.destination})  # fmt: skip
    return rows


@citizen_view
@never_cache
@require_http_methods(["GET", "POST"])
def verify_contact(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    posted = request.POST.get("channel") if request.method == "POST" else None
    if posted in Channel.values and request.POST.get("action") == "resend":
        _resend(request, user, posted)
        return redirect("accounts:verify_contact")
    forms_by_channel = {}
    for row in _pending(user):
        bound = row["channel"] == posted
        form = CodeForm(request.POST if bound else None, prefix=row["channel"])
        forms_by_channel[row["channel"]] = (row, form)
        if bound and form.is_valid():
            try:
                do_verify_contact(user, row["channel"], form.cleaned_data["code"],
                                  source_address=client_address(request))  # fmt: skip
            except DomainError as exc:
                form.add_error("code", exc.message)
            else:
                messages.success(request, f"Đã xác thực {row['label'].lower()} mới.")
                return redirect("accounts:verify_contact")  # back to the profile once none is left
    if not forms_by_channel:
        return redirect("accounts:profile")
    context = {"pending": list(forms_by_channel.values())}
    return render(request, "portal/accounts/verify_contact.html", context)


# --- OpenID Connect provider --------------------------------------------------------------------


def _redirect_uri() -> str:
    # The exact address registered at the provider (SITE_URL, not the request's Host header).
    return settings.SITE_URL.rstrip("/") + reverse("accounts:oidc_callback")


@never_cache
@require_safe
def oidc_start(request: HttpRequest) -> HttpResponse:
    client = client_from_settings()
    if client is None:
        raise Http404("Chưa cấu hình đăng nhập bằng tài khoản định danh điện tử.")
    try:
        flow = client.authorization_request(_redirect_uri())
    except OidcError as exc:
        return _oidc_refused(request, str(exc))
    request.session[OIDC_KEY] = {
        "state": flow.state,
        "nonce": flow.nonce,
        "verifier": flow.code_verifier,
        "next": _safe_next(request),
        "at": time.time(),
    }
    return redirect(flow.url)


@never_cache
@require_safe
def oidc_callback(request: HttpRequest) -> HttpResponse:
    client = client_from_settings()
    if client is None:
        raise Http404("Chưa cấu hình đăng nhập bằng tài khoản định danh điện tử.")
    flow = request.session.pop(OIDC_KEY, None) or {}  # one use, whatever happens next
    problem = _callback_problem(request, flow)
    if problem:
        return _oidc_refused(request, problem)
    try:
        found = client.complete(
            code=request.GET["code"],
            redirect_uri=_redirect_uri(),
            code_verifier=flow["verifier"],
            nonce=flow["nonce"],
        )
    except OidcError as exc:
        return _oidc_refused(request, str(exc))
    try:
        user = do_sign_in_with_external_identity(
            _claims(found), source_address=client_address(request)
        )
    except DomainError:  # the action wrote the refusal to the audit log
        return _render_signin(request, CitizenSignInForm(), status=400, refusal=OIDC_REFUSED)
    login(request, user, backend=BACKEND)
    return redirect(flow.get("next") or "accounts:profile")


def _callback_problem(request: HttpRequest, flow: dict[str, Any]) -> str:
    if not flow or time.time() - float(flow.get("at", 0)) > OIDC_SECONDS:
        return "no sign-in under way in this session (or it expired)"
    if not hmac.compare_digest(request.GET.get("state", ""), str(flow.get("state", ""))):
        return "state does not match"
    if request.GET.get("error"):
        return f"provider error: {request.GET['error'][:100]}"
    if not request.GET.get("code"):
        return "no authorization code"
    return ""


def _oidc_refused(request: HttpRequest, reason: str) -> HttpResponse:
    issuer = str(settings.OIDC_ISSUER)
    do_record_external_refusal(reason, source_address=client_address(request), issuer=issuer)
    return _render_signin(request, CitizenSignInForm(), status=400, refusal=OIDC_REFUSED)


def _claims(found: Identity) -> ExternalClaims:
    claims = found.claims

    def text(name: str) -> str:
        value = claims.get(name)
        return value.strip() if isinstance(value, str) else ""

    parts = (text("family_name"), text("middle_name"), text("given_name"))
    return ExternalClaims(
        issuer=found.issuer,
        subject=found.subject,
        # Vietnamese order: family name, middle name, given name.
        full_name=text("name") or " ".join(p for p in parts if p),
        email=text("email"),
        email_verified=claims.get("email_verified") is True,
        phone=text("phone_number"),
        phone_verified=claims.get("phone_number_verified") is True,
        personal_id=text(settings.OIDC_PERSONAL_ID_CLAIM),
    )
