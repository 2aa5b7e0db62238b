"""OpenID Connect client: the authorization code flow with PKCE (RFC 7636, S256).

1. `authorization_request(redirect_uri)` reads the provider's metadata from
   ``<issuer>/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0) and returns the
   URL to send the browser to, with a fresh `state`, `nonce` and PKCE verifier that the caller
   keeps in the session.
2. `complete(code=..., ...)` exchanges the code at the token endpoint (client_secret_basic),
   verifies the ID token (RS256 signature by a key of the provider's JWKS; `iss`, `aud`, `azp`,
   `exp`/`iat` with a small leeway; `nonce`) and, when the provider has a userinfo endpoint,
   adds its claims (only if they are about the same `sub`).

Every failure — an unreachable provider, a malformed answer, a token that does not verify —
raises `OidcError` whose text says what went wrong, for the audit log; users see one generic
Vietnamese message. HTTP goes through the standard library, as the other adapters do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import jwt

MAX_ANSWER_BYTES = 1024 * 1024
ALGORITHMS = ["RS256"]


class OidcError(Exception):
    """The provider's answer cannot be trusted or used; `str()` says why (not for end users)."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    claims: dict[str, Any] = field(default_factory=dict)


def _check_url(url: str, what: str) -> str:
    """HTTPS only, except on the loopback interface (a provider run for development or tests)."""
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return url
    raise OidcError(f"{what}: {url!r} is not an https URL")


def _pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class OidcClient:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid profile email"
    timeout: float = 10.0
    leeway: int = 60  # seconds of clock difference allowed on exp/iat

    # --- Step 1 ------------------------------------------------------------------------------

    def metadata(self) -> ProviderMetadata:
        url = _check_url(self.issuer, "issuer").rstrip("/") + "/.well-known/openid-configuration"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        answer = self._json(request)
        # Discovery §4.3: the document must name exactly the issuer it was fetched for.
        if answer.get("issuer") != self.issuer:
            raise OidcError(f"discovery names issuer {answer.get('issuer')!r}, not {self.issuer!r}")
        try:
            return ProviderMetadata(
                issuer=self.issuer,
                authorization_endpoint=_check_url(answer["authorization_endpoint"], "authorize"),
                token_endpoint=_check_url(answer["token_endpoint"], "token"),
                jwks_uri=_check_url(answer["jwks_uri"], "jwks_uri"),
                userinfo_endpoint=(
                    _check_url(answer["userinfo_endpoint"], "userinfo")
                    if answer.get("userinfo_endpoint")
                    else ""
                ),
            )
        except (KeyError, TypeError):
            raise OidcError("discovery document lacks a required endpoint") from None

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        meta = self.metadata()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 §4.1 asks 43–128
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": self.scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": _pkce_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in meta.authorization_endpoint else "?"
        url = f"{meta.authorization_endpoint}{separator}{query}"
        return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)

    # --- Step 2 ------------------------------------------------------------------------------

    def complete(self, *, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> Identity:
        meta = self.metadata()
        tokens = self._token(meta, code, redirect_uri, code_verifier)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("token answer has no id_token")
        claims = self.verify_id_token(meta, id_token, nonce)
        access_token = tokens.get("access_token")
        if meta.userinfo_endpoint and isinstance(access_token, str):
            info = self._userinfo(meta, access_token)
            # OpenID Connect Core §5.3.2: userinfo about another subject must not be used.
            if info.get("sub") != claims["sub"]:
                raise OidcError("userinfo is about another subject")
            claims = {**info, **claims}
        return Identity(issuer=self.issuer, subject=str(claims["sub"]), claims=claims)

    def verify_id_token(self, meta: ProviderMetadata, id_token: str, nonce: str) -> dict[str, Any]:
        key = self._signing_key(meta, id_token)
        try:
            claims = jwt.decode(
                id_token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise OidcError(f"id_token refused: {exc}") from None
        # Core §3.1.3.7: several audiences need an authorised party, and it must be us.
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise OidcError("id_token has several audiences and azp is not this client")
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OidcError("id_token nonce does not match this sign-in")
        if not isinstance(claims["sub"], str) or not claims["sub"] or len(claims["sub"]) > 255:
            raise OidcError("id_token sub is not a usable identifier")
        return claims

    # --- HTTP --------------------------------------------------------------------------------

    def _signing_key(self, meta: ProviderMetadata, id_token: str) -> Any:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise OidcError(f"id_token is not a JWT: {exc}") from None
        if header.get("alg") not in ALGORITHMS:
            raise OidcError(f"id_token algorithm {header.get('alg')!r} is not accepted")
        jwks = self._json(urllib.request.Request(meta.jwks_uri))  # noqa: S310 - checked URL
        try:
            keys = jwt.PyJWKSet.from_dict(jwks).keys
        except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
            raise OidcError(f"JWKS unusable: {exc}") from None
        kid = header.get("kid")
        usable = [k for k in keys if k.key_type == "RSA" and (kid is None or k.key_id == kid)]
        if len(usable) != 1:
            raise OidcError(f"no single RSA key in the JWKS for kid {kid!r}")
        return usable[0].key

    def _token(
        self, meta: ProviderMetadata, code: str, redirect_uri: str, verifier: str
    ) -> dict[str, Any]:
        # RFC 6749 §2.3.1: client_secret_basic, both parts form-encoded before base64.
        pair = f"{urllib.parse.quote(self.client_id, safe='')}:"
        pair += urllib.parse.quote(self.client_secret, safe="")
        body = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - every endpoint passed _check_url
            meta.token_endpoint,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii"),
            },
        )
        return self._json(request)

    def _userinfo(self, meta: ProviderMetadata, access_token: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - every endpoint passed _check_url
            meta.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        return self._json(request)

    def _json(self, request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode("utf-8", "replace").strip()
            raise OidcError(f"{request.full_url} answered HTTP {error.code}: {detail}") from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise OidcError(f"{request.full_url} unreachable ({type(error).__name__})") from None
        if len(raw) > MAX_ANSWER_BYTES:
            raise OidcError(f"{request.full_url} answered more than {MAX_ANSWER_BYTES} bytes")
        try:
            answer = json.loads(raw)
        except ValueError:
            raise OidcError(f"{request.full_url} did not answer JSON") from None
        if not isinstance(answer, dict):
            raise OidcError(f"{request.full_url} did not answer a JSON object")
        return answer


def client_from_settings() -> OidcClient | None:
    """The configured provider, or None when OIDC_ISSUER is empty (sign-in button hidden)."""
    from django.conf import settings

    if not getattr(settings, "OIDC_ISSUER", ""):
        return None
    return OidcClient(
        issuer=settings.OIDC_ISSUER,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        scopes=settings.OIDC_SCOPES,
    )
