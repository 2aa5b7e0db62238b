"""Sign-in through an OpenID Connect provider (the national e-identification account): the
whole round trip over HTTP against tests/portal/oidc_server.py, and every way a provider's answer
can be wrong — each refused with no account created."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from chinhquyen.audit.models import AuditEvent
from chinhquyen.integrations.oidc.client import OidcClient, OidcError
from chinhquyen.org.models import CitizenProfile, ExternalIdentity, User
from tests.conftest import Personas
from tests.portal.oidc_server import CLIENT_ID, CLIENT_SECRET, OidcProvider, oidc_provider

__all__ = ["oidc_provider"]

pytestmark = pytest.mark.django_db

START = "/tai-khoan/dinh-danh/"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _approve_at_provider(authorize_url: str) -> str:
    """The browser's visit to the provider, which approves at once: the callback path + query."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(authorize_url, timeout=5)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.read()
        location = answer.headers["Location"]
    else:
        raise AssertionError("the provider did not redirect back")
    parts = urlsplit(location)
    assert parts.netloc == "testserver"
    return f"{parts.path}?{parts.query}"


def _sign_in(client: Client, next_url: str = "") -> Any:
    start = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    return client.get(_approve_at_provider(start["Location"]))


def _refused(response: Any) -> None:
    assert response.status_code == 400
    assert "Không đăng nhập được bằng tài khoản định danh điện tử" in response.content.decode()
    assert not ExternalIdentity.objects.exists()
    assert not User.objects.filter(kind=User.Kind.CITIZEN).exists()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_first_sign_in_creates_a_verified_citizen_and_later_ones_find_it(
    oidc_provider: OidcProvider,
) -> None:
    client = Client()
    response = _sign_in(client, next_url="/dich-vu-cong/")
    assert response.status_code == 302 and response["Location"] == "/dich-vu-cong/"

    link = ExternalIdentity.objects.select_related("user").get()
    user = link.user
    assert (link.issuer, link.subject) == (oidc_provider.issuer, "vneid-000123456789")
    assert user.kind == User.Kind.CITIZEN and not user.has_usable_password()
    assert (user.full_name, user.email, user.phone) == (
        "Lê Văn Cường",
        "cuong.le@example.vn",
        "0903456789",
    )
    profile = CitizenProfile.objects.get(user=user)
    assert profile.personal_id == "001095006789"
    assert profile.email_verified_at is not None and profile.phone_verified_at is not None
    assert client.get("/tai-khoan/ho-so/").status_code == 200

    # What reached the token endpoint: PKCE verifier and the registered redirect URI.
    request = oidc_provider.token_requests[-1]
    assert request["redirect_uri"] == oidc_provider.redirect_uri
    assert len(request["code_verifier"]) >= 43

    again = Client()
    assert _sign_in(again).status_code == 302
    assert (
        ExternalIdentity.objects.count() == 1 and User.objects.filter(kind="citizen").count() == 1
    )
    assert AuditEvent.objects.filter(action="signin.success", actor=user).count() == 2


def test_authorization_request_carries_state_nonce_and_s256_challenge(
    oidc_provider: OidcProvider,
) -> None:
    start = Client().get(START)
    query = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/tai-khoan/dinh-danh/ket-qua/"


def test_bad_state_is_refused(oidc_provider: OidcProvider) -> None:
    client = Client()
    start = client.get(START)
    callback = _approve_at_provider(start["Location"])
    path, query = callback.split("?", 1)
    params = {k: v[0] for k, v in parse_qs(query).items()}
    _refused(client.get(path, {"code": params["code"], "state": "gia-mao"}))
    assert oidc_provider.token_requests == []  # refused before the code was ever exchanged
    assert AuditEvent.objects.filter(action="signin.refused_external").exists()


def test_callback_without_a_flow_in_the_session_is_refused(oidc_provider: OidcProvider) -> None:
    client = Client()
    start = client.get(START)
    callback = _approve_at_provider(start["Location"])
    _refused(Client().get(callback))  # another browser (login CSRF)


def test_a_callback_cannot_be_replayed(oidc_provider: OidcProvider) -> None:
    client = Client()
    start = client.get(START)
    callback = _approve_at_provider(start["Location"])
    assert client.get(callback).status_code == 302
    client.logout()
    replay = client.get(callback)
    assert replay.status_code == 400
    assert ExternalIdentity.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"nonce": "nonce-cua-lan-khac"}, id="wrong-nonce"),
        pytest.param({"aud": "ung-dung-khac"}, id="wrong-audience"),
        pytest.param({"aud": [CLIENT_ID, "ung-dung-khac"]}, id="several-audiences-no-azp"),
        pytest.param({"iss": "https://gia-mao.example"}, id="wrong-issuer"),
        pytest.param(
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, id="expired"
        ),
        pytest.param({"iat": int(time.time()) + 3600}, id="issued-in-the-future"),
    ],
)
def test_id_token_that_does_not_verify_is_refused(
    oidc_provider: OidcProvider, changes: dict[str, Any]
) -> None:
    oidc_provider.id_token_changes = changes
    _refused(_sign_in(Client()))


def test_tampered_signature_is_refused(oidc_provider: OidcProvider) -> None:
    oidc_provider.tamper_signature = True
    _refused(_sign_in(Client()))


def test_token_signed_by_another_key_is_refused(oidc_provider: OidcProvider) -> None:
    oidc_provider.published_key = oidc_provider.key
    oidc_provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(_sign_in(Client()))


def test_provider_error_answer_is_refused(oidc_provider: OidcProvider) -> None:
    client = Client()
    start = client.get(START)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    _refused(
        client.get("/tai-khoan/dinh-danh/ket-qua/", {"error": "access_denied", "state": state})
    )


def test_wrong_client_secret_is_refused(oidc_provider: OidcProvider, settings: Any) -> None:
    settings.OIDC_CLIENT_SECRET = "sai-bi-mat"
    _refused(_sign_in(Client()))


def test_unreachable_provider_gives_a_message_not_an_error(settings: Any) -> None:
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.OIDC_CLIENT_ID = CLIENT_ID
    response = Client().get(START)
    assert response.status_code == 400
    assert "Không đăng nhập được" in response.content.decode()


def test_invalid_or_taken_claims_are_skipped_not_fatal(
    oidc_provider: OidcProvider, personas: Personas
) -> None:
    oidc_provider.user.update(
        personal_id="999095006789",  # 999 is no province code
        email=personas.citizen.email,  # someone else's verified address
        phone_number_verified=False,
    )
    assert _sign_in(Client()).status_code == 302
    user = ExternalIdentity.objects.get().user
    profile = CitizenProfile.objects.get(user=user)
    assert (user.email, user.phone, profile.personal_id) == ("", "", "")
    event = AuditEvent.objects.get(action="citizen.signed_up", actor=user)
    assert event.after is not None
    assert set(event.after["ignored"]) == {"email", "phone", "personal_id:invalid"}


def test_identity_linked_to_a_staff_account_is_refused(
    oidc_provider: OidcProvider, personas: Personas
) -> None:
    ExternalIdentity.objects.create(
        user=personas.officer_a, issuer=oidc_provider.issuer, subject=oidc_provider.user["sub"]
    )
    response = _sign_in(Client())
    assert response.status_code == 400
    assert "_auth_user_id" not in response.wsgi_request.session
    refusal = AuditEvent.objects.get(action="signin.refused_external")
    assert refusal.actor == personas.officer_a
    assert not AuditEvent.objects.filter(action="signin.success").exists()


def test_button_and_addresses_hidden_when_not_configured(settings: Any) -> None:
    settings.OIDC_ISSUER = ""
    client = Client()
    assert "định danh điện tử" not in client.get("/tai-khoan/dang-nhap/").content.decode()
    assert client.get(START).status_code == 404
    assert client.get("/tai-khoan/dinh-danh/ket-qua/?code=x&state=y").status_code == 404


def test_button_shown_when_configured(oidc_provider: OidcProvider) -> None:
    page = Client().get("/tai-khoan/dang-nhap/?next=/dich-vu-cong/").content.decode()
    assert "Đăng nhập bằng tài khoản định danh điện tử" in page
    assert "/tai-khoan/dinh-danh/?next=%2Fdich-vu-cong%2F" in page


def test_discovery_naming_another_issuer_is_refused(oidc_provider: OidcProvider) -> None:
    client = OidcClient(
        issuer=oidc_provider.issuer + "/", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    with pytest.raises(OidcError, match="issuer"):
        client.metadata()


def test_plain_http_provider_off_loopback_is_refused() -> None:
    client = OidcClient(issuer="http://id.example.vn", client_id="x", client_secret="y")
    with pytest.raises(OidcError, match="https"):
        client.metadata()
