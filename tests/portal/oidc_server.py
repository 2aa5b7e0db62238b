"""A real OpenID Connect provider on 127.0.0.1 (threaded `http.server`, port 0), standing in for
the national e-identification account:

- ``GET /.well-known/openid-configuration``: discovery;
- ``GET /authorize``: checks client, redirect URI, ``response_type=code`` and an S256 PKCE
  challenge, then approves the configured user at once and redirects with ``code`` and ``state``;
- ``POST /token``: HTTP Basic client authentication, single-use code, the PKCE verifier
  against the challenge, the same redirect URI; answers an RS256 ID token and an access token;
- ``GET /jwks``: the public key; ``GET /userinfo``: the user's claims for the access token.

Tests spoil the ID token through `OidcProvider.id_token_changes` (wrong nonce, audience, expired)
`tamper_signature` or `published_key`, and read what reached the token endpoint in `token_requests`.
Use with `from tests.portal.oidc_server import oidc_provider  # noqa: F401`."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "chinhquyen-test"
CLIENT_SECRET = "bi-mat-cua-ung-dung"
KEY_ID = "test-key-1"


@dataclass
class OidcProvider:
    redirect_uri: str
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    published_key: rsa.RSAPrivateKey | None = None  # what /jwks shows, when not the signing key
    issuer: str = ""
    user: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "vneid-000123456789",
            "name": "Lê Văn Cường",
            "email": "cuong.le@example.vn",
            "email_verified": True,
            "phone_number": "+84 903 456 789",
            "phone_number_verified": True,
            "personal_id": "001095006789",
        }
    )
    id_token_changes: dict[str, Any] = field(default_factory=dict)
    tamper_signature: bool = False
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- endpoints ---------------------------------------------------------------------------

    def discovery(self, query: dict[str, str], body: bytes, headers: Any) -> Answer:
        return Answer.json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    def authorize(self, query: dict[str, str], body: bytes, headers: Any) -> Answer:
        problems = [
            query.get("client_id") != CLIENT_ID and "client_id",
            query.get("redirect_uri") != self.redirect_uri and "redirect_uri",
            query.get("response_type") != "code" and "response_type",
            query.get("code_challenge_method") != "S256" and "code_challenge_method",
            not query.get("code_challenge") and "code_challenge",
            "openid" not in query.get("scope", "").split() and "scope",
        ]
        if any(problems):
            return Answer.json({"error": "invalid_request", "fields": [p for p in problems if p]})
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "challenge": query["code_challenge"],
                "redirect_uri": query["redirect_uri"],
                "nonce": query.get("nonce", ""),
            }
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return Answer(302, "text/plain", b"", {"Location": target})

    def token(self, query: dict[str, str], body: bytes, headers: Any) -> Answer:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.token_requests.append(form)
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return Answer.json({"error": "invalid_client"}, status=401)
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or form.get("grant_type") != "authorization_code":
            return Answer.json({"error": "invalid_grant"}, status=400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["challenge"]:
            return Answer.json({"error": "invalid_grant", "detail": "PKCE"}, status=400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return Answer.json({"error": "invalid_grant", "detail": "redirect_uri"}, status=400)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = dict(self.user)
        return Answer.json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant["nonce"]),
            }
        )

    def jwks(self, query: dict[str, str], body: bytes, headers: Any) -> Answer:
        key = self.published_key or self.key
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        public.update(kid=KEY_ID, use="sig", alg="RS256")
        return Answer.json({"keys": [public]})

    def userinfo(self, query: dict[str, str], body: bytes, headers: Any) -> Answer:
        token = (headers.get("Authorization") or "").removeprefix("Bearer ")
        claims = self.access_tokens.get(token)
        if claims is None:
            return Answer.json({"error": "invalid_token"}, status=401)
        return Answer.json(claims)

    # --- tokens ------------------------------------------------------------------------------

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.user["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": self.user.get("name"),
        }
        claims.update(self.id_token_changes)
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})
        if self.tamper_signature:
            head, payload, signature = token.split(".")
            changed = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            changed["sub"] = "someone-else"
            payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
            token = f"{head}.{payload}.{signature}"
        return token


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Answer:
        return cls(status, "application/json", json.dumps(data, ensure_ascii=False).encode())


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    routes = {
        ("GET", "/.well-known/openid-configuration"): provider.discovery,
        ("GET", "/authorize"): provider.authorize,
        ("POST", "/token"): provider.token,
        ("GET", "/jwks"): provider.jwks,
        ("GET", "/userinfo"): provider.userinfo,
    }

    class Handler(BaseHTTPRequestHandler):
        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            route = routes.get((method, parts.path))
            answer = route(query, body, self.headers) if route else Answer(404, "text/plain", b"")
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def oidc_provider(settings: Any) -> Iterator[OidcProvider]:
    """The provider, running, and the settings that make the site use it."""
    settings.SITE_URL = "http://testserver"
    provider = OidcProvider(redirect_uri="http://testserver/tai-khoan/dinh-danh/ket-qua/")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    host, port = httpd.server_address[:2]
    provider.issuer = f"http://{host!s}:{port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_SCOPES = "openid profile email phone"
    settings.OIDC_PERSONAL_ID_CLAIM = "personal_id"
    try:
        yield provider
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
