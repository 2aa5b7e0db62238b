"""Test doubles as real HTTP servers on 127.0.0.1 (threaded `http.server`, port 0):

- `tsa_server`: an RFC 3161 time-stamping authority signing with `pki.tsa`;
- `remote_signing_server`: the remote-signing service (client.py's protocol) holding keys, with
  `/approve` and `/reject` endpoints the tests call in place of the signer's phone;
- `revocation_server`: a CRL and OCSP responder for certificates of `pki.government_ca`.

Import the fixtures into a test module: `from tests.signing.servers import tsa_server  # noqa`."""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from chinhquyen.signing import demo_pki
from chinhquyen.signing.demo_pki import IssuedKey

Route = Callable[[BaseHTTPRequestHandler, bytes], tuple[int, str, bytes]]


class _Handler(BaseHTTPRequestHandler):
    routes: dict[tuple[str, str], Route] = {}

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        for (route_method, prefix), route in self.routes.items():
            if route_method == method and (path == prefix or path.startswith(prefix + "/")):
                status, content_type, payload = route(self, body)
                break
        else:
            status, content_type, payload = 404, "text/plain", b"not found"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with its own route table."""

    def __init__(self, routes: dict[tuple[str, str], Route]) -> None:
        handler = type("Handler", (_Handler,), {"routes": routes})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _asn1_key(key: rsa.RSAPrivateKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


# --- RFC 3161 time-stamping authority ---------------------------------------------------------


@dataclass
class TsaServer:
    url: str
    requests: list[bytes] = field(default_factory=list)


def _tsa_route(stamper: DummyTimeStamper, record: list[bytes]) -> Route:
    def answer(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        if handler.headers.get("Content-Type") != "application/timestamp-query":
            return 415, "text/plain", b"expected application/timestamp-query"
        record.append(body)
        request = tsp.TimeStampReq.load(body)
        response = stamper.request_tsa_response(request)
        return 200, "application/timestamp-reply", response.dump()

    return answer


@pytest.fixture
def tsa_server(pki: Any) -> Iterator[TsaServer]:
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa.der),
        tsa_key=_asn1_key(pki.tsa.key),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(pki.government_ca.der)]
        ),
    )
    record: list[bytes] = []
    with LocalServer({("POST", "/tsa"): _tsa_route(stamper, record)}) as server:
        yield TsaServer(url=server.base_url + "/tsa", requests=record)


# --- Remote-signing service -------------------------------------------------------------------


_DIGESTS: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


@dataclass
class RemoteSigningServer:
    """Holds keys by credential id; requests wait until the test approves or rejects them."""

    keys: dict[str, rsa.RSAPrivateKey]
    url: str = ""
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Any = field(default_factory=lambda: itertools.count(1))

    def pending(self) -> list[str]:
        with self.lock:
            return [rid for rid, r in self.requests.items() if r["status"] == "pending"]

    def approve(self, request_id: str) -> None:
        with self.lock:
            request = self.requests[request_id]
            key = self.keys[request["credential_id"]]
            algorithm = _DIGESTS[request["digest_algorithm"]]
            signature = key.sign(
                base64.b64decode(request["digest_b64"]),
                padding.PKCS1v15(),
                utils.Prehashed(algorithm),
            )
            request.update(status="approved", signature_b64=base64.b64encode(signature).decode())

    def reject(self, request_id: str) -> None:
        with self.lock:
            self.requests[request_id]["status"] = "rejected"

    def create(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        data = json.loads(body)
        if data.get("credential_id") not in self.keys:
            return 404, "application/json", b'{"error": "unknown credential"}'
        with self.lock:
            request_id = f"req-{next(self.counter)}"
            self.requests[request_id] = {**data, "status": "pending"}
        answer = {"request_id": request_id, "status": "pending"}
        return 201, "application/json", json.dumps(answer).encode()

    def status(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        request_id = handler.path.rstrip("/").rsplit("/", 1)[-1]
        with self.lock:
            request = self.requests.get(request_id)
            if request is None:
                return 404, "application/json", b'{"error": "unknown request"}'
            answer = {k: v for k, v in request.items() if k in ("status", "signature_b64")}
        return 200, "application/json", json.dumps(answer).encode()

    def decide(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        request_id, verb = handler.path.rstrip("/").split("/")[-2:]
        (self.approve if verb == "approve" else self.reject)(request_id)
        return 200, "application/json", b"{}"


@pytest.fixture
def remote_signing_server(pki: Any) -> Iterator[RemoteSigningServer]:
    service = RemoteSigningServer(
        keys={"person": pki.person.key, "organisation": pki.organisation.key}
    )
    routes: dict[tuple[str, str], Route] = {
        ("POST", "/v1/signatures"): _decide_or_create(service),
        ("GET", "/v1/signatures"): service.status,
    }
    with LocalServer(routes) as server:
        service.url = server.base_url
        yield service


def _decide_or_create(service: RemoteSigningServer) -> Route:
    def route(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        if handler.path.rstrip("/").endswith(("/approve", "/reject")):
            return service.decide(handler, body)
        return service.create(handler, body)

    return route


# --- CRL and OCSP for the government CA -------------------------------------------------------


@dataclass
class RevocationServer:
    issuer: IssuedKey
    responder: IssuedKey
    crl_url: str = ""
    ocsp_url: str = ""
    certificates: dict[int, x509.Certificate] = field(default_factory=dict)
    revoked: dict[int, datetime] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def revoke(self, serial: int, when: datetime) -> None:
        self.revoked[serial] = when

    def issue(self, common_name: str, **kwargs: Any) -> IssuedKey:
        """A signing certificate from the government CA that points at this server."""
        urls = demo_pki.RevocationUrls(crl_url=self.crl_url, ocsp_url=self.ocsp_url)
        issued = demo_pki.issue_signing_certificate(self.issuer, common_name, urls=urls, **kwargs)
        self.certificates[issued.serial] = issued.certificate
        return issued

    def crl(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        self.hits.append("crl")
        crl = demo_pki.build_crl(self.issuer, self.revoked.items())
        return 200, "application/pkix-crl", crl.public_bytes(serialization.Encoding.DER)

    def ocsp(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        self.hits.append("ocsp")
        answer = demo_pki.build_ocsp_response(
            body, self.issuer, self.responder, self.certificates.get, self.revoked.get
        )
        return 200, "application/ocsp-response", answer


@pytest.fixture
def revocation_server(pki: Any) -> Iterator[RevocationServer]:
    service = RevocationServer(issuer=pki.government_ca, responder=pki.ocsp_responder)
    routes: dict[tuple[str, str], Route] = {
        ("GET", "/crl"): service.crl,
        ("POST", "/ocsp"): service.ocsp,
    }
    with LocalServer(routes) as server:
        service.crl_url = server.base_url + "/crl/government-ca.crl"
        service.ocsp_url = server.base_url + "/ocsp"
        yield service


# --- Certificates, images and sign-ins shared by the signing tests ----------------------------


def fresh_code(user: Any) -> str:
    """A valid TOTP code the user has not used yet (tests sign several times a minute)."""
    import pyotp

    type(user).objects.filter(pk=user.pk).update(last_totp_step=0)
    user.last_totp_step = 0
    return str(pyotp.TOTP(user.totp_secret, interval=30).now())


def pkcs12_of(issued: IssuedKey, chain: list[IssuedKey], password: bytes = b"p12-pass") -> bytes:
    from cryptography.hazmat.primitives.serialization import pkcs12

    return pkcs12.serialize_key_and_certificates(
        b"test",
        issued.key,
        issued.certificate,
        [item.certificate for item in chain],
        serialization.BestAvailableEncryption(password),
    )


@dataclass
class SigningWorld:
    province: Any
    personas: Any
    person_certificate: Any
    organisation_certificate: Any
    encryption_key: str


@pytest.fixture
def signing_world(pki: Any, province: Any, personas: Any, settings: Any) -> SigningWorld:
    from cryptography.fernet import Fernet

    from chinhquyen.signing import images
    from chinhquyen.signing.actions import do_import_pkcs12
    from chinhquyen.signing.models import SignatureImage, TrustAnchor
    from chinhquyen.signing.signers import signer_cache

    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    signer_cache.clear()
    for anchor, kind in ((pki.root, "root"), (pki.government_ca, "intermediate")):
        facts_der = anchor.der
        TrustAnchor.objects.create(
            name=anchor.certificate.subject.rfc4514_string(),
            kind=kind,
            certificate_der=facts_der,
            fingerprint_sha256=__import__("hashlib").sha256(facts_der).hexdigest(),
            subject=anchor.certificate.subject.rfc4514_string(),
            not_after=anchor.certificate.not_valid_after_utc,
        )
    person = do_import_pkcs12(
        pkcs12_of(pki.person, [pki.government_ca]),
        "p12-pass",
        purpose="personal",
        owner_user=personas.leader_a,
        label="Chữ ký lãnh đạo",
        acting_user=None,
    )
    organisation = do_import_pkcs12(
        pkcs12_of(pki.organisation, [pki.government_ca]),
        "p12-pass",
        purpose="organisation",
        owner_agency=province.agency_a,
        label="Con dấu Sở Tư pháp",
        acting_user=None,
    )
    signature = images.signature_image(personas.leader_a.full_name)
    seal = images.seal_image(province.agency_a.name)
    SignatureImage.objects.create(
        kind="signature",
        owner_user=personas.leader_a,
        png=signature.png,
        width_mm=signature.width_mm,
        height_mm=signature.height_mm,
    )
    SignatureImage.objects.create(
        kind="seal",
        owner_agency=province.agency_a,
        png=seal.png,
        width_mm=seal.width_mm,
        height_mm=seal.height_mm,
    )
    return SigningWorld(
        province, personas, person, organisation, settings.SIGNING_KEY_ENCRYPTION_KEY
    )
