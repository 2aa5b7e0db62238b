"""The validation engine on real signed PDFs: the acceptance cases of ISSUE 4 (one byte changed,
revoked, expired, untrusted) and honest "could not check" answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils.crypt import StandardSecurityHandler
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter, copy_into_new_writer

from chinhquyen.signing import demo_pki
from chinhquyen.signing.models import RevocationCheck
from chinhquyen.signing.trust import do_add_trust_anchor
from chinhquyen.signing.validation import chain, revocation
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import (
    ChainStatus,
    ChangeLevel,
    RevocationStatus,
    TimestampStatus,
    Verdict,
)
from tests.signing.conftest import TestPki as Pki
from tests.signing.pdfs import make_pdf
from tests.signing.validation_helpers import (
    RevocationServer,
    add_empty_signature_fields,
    change_page_content,
    revocation_server,
    sign,
    timestamper,
)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    chain.clear_cache()
    revocation.clear_cache()


@pytest.fixture
def anchors(db: None, pki: Pki) -> None:
    do_add_trust_anchor(pki.root.der, name="Gốc thử nghiệm", kind="root", acting_user=None)
    do_add_trust_anchor(
        pki.government_ca.der, name="CA Chính phủ thử nghiệm", kind="intermediate", acting_user=None
    )


@pytest.fixture
def server(pki: Pki) -> Iterator[RevocationServer]:
    with revocation_server(pki.government_ca, pki.ocsp_responder) as running:
        yield running


@pytest.fixture
def signed_pair(pki: Pki, server: RevocationServer) -> bytes:
    person = server.issue("Nguyen Van An", organisation="UBND tinh", key=pki.person.key)
    agency = server.issue("UBND tinh Hung Yen", key=pki.organisation.key)
    once = sign(make_pdf(5), person, [pki.government_ca], "NguoiKy")
    return sign(once, agency, [pki.government_ca], "CoQuan")


def test_person_then_organisation_both_valid(anchors: None, signed_pair: bytes) -> None:
    report = validate_pdf_bytes(signed_pair, fetch=True)
    assert report.verdict == Verdict.VALID, report.to_json()
    assert report.verdict_text == "Hợp lệ"
    person, agency = report.signatures
    assert person.signer.common_name == "Nguyen Van An"
    assert person.changes.level == ChangeLevel.FORM_FILLING and person.changes.allowed
    assert agency.changes.covers_whole_document
    for signature in report.signatures:
        assert signature.integrity.ok
        assert signature.chain.status == ChainStatus.TRUSTED
        assert signature.chain.anchor == "CA Chính phủ thử nghiệm"
        assert signature.revocation.status == RevocationStatus.GOOD
        assert signature.revocation.source == "ocsp"
        assert signature.pades_level == "PAdES B-B"


def test_revocation_answer_is_cached(
    anchors: None, signed_pair: bytes, server: RevocationServer
) -> None:
    validate_pdf_bytes(signed_pair, fetch=True)
    hits = len(server.hits)
    assert RevocationCheck.objects.filter(status="good").count() == 2
    revocation.clear_cache()  # the database row answers now
    assert validate_pdf_bytes(signed_pair, fetch=True).verdict == Verdict.VALID
    assert validate_pdf_bytes(signed_pair, fetch=False).verdict == Verdict.VALID
    assert len(server.hits) == hits


def test_one_byte_changed_in_signed_content_is_invalid(anchors: None, signed_pair: bytes) -> None:
    position = signed_pair.index(b"Noi dung dong 3 cua trang 2")
    tampered = bytearray(signed_pair)
    tampered[position] = ord("X")
    report = validate_pdf_bytes(bytes(tampered), fetch=True)
    assert report.verdict == Verdict.INVALID
    assert report.verdict_text == "Không hợp lệ"
    assert all(not s.integrity.ok for s in report.signatures)
    assert "giá trị băm không khớp" in report.signatures[0].reasons[0]


def test_later_update_changing_page_content(anchors: None, signed_pair: bytes) -> None:
    report = validate_pdf_bytes(change_page_content(signed_pair), fetch=True)
    assert report.verdict == Verdict.INVALID
    for signature in report.signatures:
        assert signature.integrity.ok  # the signed bytes are intact ...
        assert signature.changes.level == ChangeLevel.OTHER  # ... but the page was replaced
        assert "thay đổi sau khi ký" in signature.changes.message


def test_appended_junk_is_a_change(anchors: None, signed_pair: bytes) -> None:
    report = validate_pdf_bytes(signed_pair + b"\n% them vao sau khi ky\n", fetch=True)
    assert report.verdict == Verdict.INVALID
    assert "dữ liệu lạ" in report.signatures[-1].changes.message
    assert validate_pdf_bytes(signed_pair + b"\r\n", fetch=True).verdict == Verdict.VALID


@pytest.mark.parametrize("via", ["ocsp", "crl"])
def test_revoked_certificate(anchors: None, pki: Pki, server: RevocationServer, via: str) -> None:
    urls = server.urls() if via == "ocsp" else server.crl_only_urls()
    revoked = server.issue("Tran Thi Thu Hoi", urls=urls, key=pki.revoked.key)
    server.revoked[revoked.serial] = pki.revoked_at
    report = validate_pdf_bytes(sign(make_pdf(2), revoked, [pki.government_ca]), fetch=True)
    (signature,) = report.signatures
    assert report.verdict == Verdict.INVALID
    assert signature.revocation.status == RevocationStatus.REVOKED
    assert signature.revocation.source == via
    assert signature.revocation.revoked_at == pki.revoked_at.replace(microsecond=0)
    assert "đã bị thu hồi từ" in signature.revocation.message


def test_unreachable_revocation_is_not_valid(anchors: None, pki: Pki) -> None:
    nowhere = demo_pki.RevocationUrls(
        crl_url="http://127.0.0.1:9/crl", ocsp_url="http://127.0.0.1:9/ocsp"
    )
    person = demo_pki.issue_signing_certificate(
        pki.government_ca, "Nguyen Van An", urls=nowhere, key=pki.person.key
    )
    report = validate_pdf_bytes(sign(make_pdf(1), person, [pki.government_ca]), fetch=True)
    (signature,) = report.signatures
    assert signature.integrity.ok and signature.chain.status == ChainStatus.TRUSTED
    assert signature.revocation.status == RevocationStatus.UNKNOWN
    assert "không kết nối được" in signature.revocation.message
    assert report.verdict == Verdict.INDETERMINATE
    assert report.verdict_text == "Không xác định"


def test_certificate_without_revocation_urls_is_not_valid(anchors: None, pki: Pki) -> None:
    report = validate_pdf_bytes(sign(make_pdf(1), pki.person, [pki.government_ca]), fetch=True)
    assert report.signatures[0].revocation.status == RevocationStatus.UNKNOWN
    assert report.verdict == Verdict.INDETERMINATE


def test_no_fetch_reports_could_not_check(anchors: None, signed_pair: bytes) -> None:
    report = validate_pdf_bytes(signed_pair, fetch=False)
    assert report.verdict == Verdict.INDETERMINATE
    assert all(s.revocation.status == RevocationStatus.UNKNOWN for s in report.signatures)


def test_expired_certificate(anchors: None, pki: Pki) -> None:
    report = validate_pdf_bytes(sign(make_pdf(1), pki.expired, [pki.government_ca]), fetch=True)
    (signature,) = report.signatures
    assert signature.chain.status == ChainStatus.EXPIRED
    assert "hết hạn" in signature.chain.message
    assert report.verdict == Verdict.INVALID


def test_expired_since_signing_without_timestamp_is_indeterminate(
    anchors: None, signed_pair: bytes
) -> None:
    later = datetime.now(tz=UTC) + timedelta(days=4 * 365)
    report = validate_pdf_bytes(signed_pair, fetch=False, at=later)
    assert {s.chain.status for s in report.signatures} == {ChainStatus.EXPIRED_SINCE}
    assert report.verdict == Verdict.INDETERMINATE


def test_untrusted_root(anchors: None, pki: Pki) -> None:
    report = validate_pdf_bytes(sign(make_pdf(1), pki.untrusted, [pki.untrusted_root]), fetch=True)
    (signature,) = report.signatures
    assert signature.integrity.ok
    assert signature.chain.status == ChainStatus.UNTRUSTED
    assert signature.revocation.status == RevocationStatus.NOT_CHECKED
    assert report.verdict == Verdict.INDETERMINATE


def test_no_anchors_configured_nothing_is_trusted(db: None, signed_pair: bytes) -> None:
    report = validate_pdf_bytes(signed_pair, fetch=True)
    assert {s.chain.status for s in report.signatures} == {ChainStatus.UNTRUSTED}
    assert report.verdict != Verdict.VALID


def test_signature_timestamp_is_read(anchors: None, pki: Pki, server: RevocationServer) -> None:
    person = server.issue("Nguyen Van An", key=pki.person.key)
    tsa = timestamper(pki.tsa, [pki.government_ca])
    report = validate_pdf_bytes(sign(make_pdf(1), person, [pki.government_ca], tsa=tsa))
    (signature,) = report.signatures
    assert signature.pades_level == "PAdES B-T"
    assert signature.timestamp.present and signature.timestamp.tsa == "Demo TSA"
    # The demo TSA certificate names no OCSP/CRL: the time-stamp is not used as proof, honestly.
    assert signature.timestamp.status == TimestampStatus.UNKNOWN
    assert report.verdict == Verdict.VALID


def _encrypted_pdf() -> bytes:
    writer: PdfFileWriter = copy_into_new_writer(PdfFileReader(BytesIO(make_pdf(1))))
    writer.security_handler = StandardSecurityHandler.build_from_pw("mat-khau")
    writer._assign_security_handler(writer.security_handler)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "code"),
    [("not_pdf", "not_pdf"), ("empty", "empty"), ("truncated", "truncated")],
)
def test_bad_input_gives_a_report(db: None, signed: bytes, name: str, code: str) -> None:
    data = {"not_pdf": b"GIF89a not a pdf", "empty": b"", "truncated": signed[:-200]}
    report = validate_pdf_bytes(data[name], fetch=False)
    assert report.problem is not None and report.problem.code == code
    assert report.verdict == Verdict.INDETERMINATE
    assert report.to_json()["problem"]["message"]


@pytest.fixture
def signed(pki: Pki) -> bytes:
    return sign(make_pdf(2), pki.person, [pki.government_ca])


def test_encrypted_pdf(db: None) -> None:
    report = validate_pdf_bytes(_encrypted_pdf(), fetch=False)
    assert report.problem is not None and report.problem.code == "encrypted"


def test_oversize(db: None, settings: object, signed: bytes) -> None:
    settings.SIGNING_VALIDATION_MAX_BYTES = 1000  # type: ignore[attr-defined]
    report = validate_pdf_bytes(signed, fetch=False)
    assert report.problem is not None and report.problem.code == "too_large"


def test_three_hundred_empty_signature_fields(db: None) -> None:
    report = validate_pdf_bytes(add_empty_signature_fields(make_pdf(1), 300), fetch=False)
    assert report.problem is None
    assert report.empty_signature_fields == 300 and report.signatures == []
    assert report.summary == "Tệp không có chữ ký số nào."
    assert report.verdict == Verdict.INDETERMINATE


def test_json_keys_are_stable(anchors: None, signed_pair: bytes) -> None:
    data = validate_pdf_bytes(signed_pair, fetch=True).to_json()
    assert set(data) == {
        "verdict", "verdict_text", "summary", "problem", "sha256", "size", "checked_at",
        "signature_fields", "empty_signature_fields", "unchecked_signatures", "signatures",
    }  # fmt: skip
    assert set(data["signatures"][0]) == {
        "field_name", "kind", "verdict", "verdict_text", "signer", "claimed_signing_time",
        "integrity", "changes", "chain", "revocation", "timestamp", "pades_level", "reasons",
    }  # fmt: skip
