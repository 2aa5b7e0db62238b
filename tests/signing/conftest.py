"""A demo PKI for the signing tests: root → government CA → people and agencies, plus a
revoked, an expired and an untrusted certificate, a TSA and an OCSP responder.

Keys are made once per test session (RSA key generation is the slow part)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from chinhquyen.signing import demo_pki
from chinhquyen.signing.demo_pki import IssuedKey
from tests.signing.pdfs import make_pdf


@dataclass(frozen=True)
class TestPki:
    root: IssuedKey
    government_ca: IssuedKey
    person: IssuedKey
    organisation: IssuedKey
    revoked: IssuedKey
    expired: IssuedKey
    untrusted_root: IssuedKey
    untrusted: IssuedKey
    tsa: IssuedKey
    ocsp_responder: IssuedKey
    revoked_at: datetime


@pytest.fixture(scope="session")
def pki() -> TestPki:
    root = demo_pki.make_root("Demo Root CA (thu nghiem)", organisation="chinhquyen test")
    ca = demo_pki.make_intermediate(root, "Demo Government CA", organisation="chinhquyen test")
    expired_start = datetime.now(tz=UTC) - timedelta(days=400)
    untrusted_root = demo_pki.make_root("Untrusted Root")
    return TestPki(
        root=root,
        government_ca=ca,
        person=demo_pki.issue_signing_certificate(ca, "Nguyen Van An", organisation="UBND tinh"),
        organisation=demo_pki.issue_signing_certificate(ca, "UBND tinh Hung Yen"),
        revoked=demo_pki.issue_signing_certificate(ca, "Tran Thi Thu Hoi"),
        expired=demo_pki.issue_signing_certificate(
            ca,
            "Le Van Het Han",
            not_before=expired_start,
            not_after=expired_start + timedelta(days=30),
        ),
        untrusted_root=untrusted_root,
        untrusted=demo_pki.issue_signing_certificate(untrusted_root, "Khong Tin Cay"),
        tsa=demo_pki.issue_tsa_certificate(ca),
        ocsp_responder=demo_pki.issue_ocsp_responder(ca),
        revoked_at=datetime.now(tz=UTC) - timedelta(days=2),
    )


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    return make_pdf(pages=5)
