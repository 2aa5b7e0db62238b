"""Checking one signature: integrity (always recomputed), what changed after it, the signer's
chain to a trust anchor, validity at the signing time, revocation and the time-stamp.

Which moment counts (ADR 0005): a trusted time-stamp proves when the signature existed. Without
one, the signer's own claim (signingTime) is believed only against the signer: a certificate
outside its validity at the claimed time is "expired at signing"; a certificate valid then but
expired or revoked now cannot be proven to have signed in time, so the answer is "Không xác
định"."""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.general import find_unique_cms_attribute
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import (
    extract_certs_for_validation,
    extract_tst_data_iter,
    validate_sig_integrity,
)
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from chinhquyen.signing.trust import TrustStore
from chinhquyen.signing.validation import chain as chains
from chinhquyen.signing.validation.report import (
    Chain,
    ChainStatus,
    ChangeLevel,
    Changes,
    Integrity,
    Revocation,
    RevocationStatus,
    SignatureReport,
    Signer,
    Timestamp,
    TimestampStatus,
    Verdict,
    worst,
)
from chinhquyen.signing.validation.revocation import EmbeddedData, revocation_of


@dataclass(frozen=True)
class Context:
    store: TrustStore
    now: datetime
    fetch: bool
    embedded: EmbeddedData
    extra_certs: Sequence[x509.Certificate]  # from the document's DSS


def _crypto(cert: object) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())  # type: ignore[attr-defined]


def _fmt(moment: datetime | None) -> str:
    if moment is None:
        return "?"
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%H:%M:%S ngày %d/%m/%Y")


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def describe_signer(cert: x509.Certificate) -> Signer:
    return Signer(
        common_name=_name_part(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string(),
        subject=cert.subject.rfc4514_string(),
        organisation=_name_part(cert.subject, NameOID.ORGANIZATION_NAME),
        issuer=_name_part(cert.issuer, NameOID.COMMON_NAME) or cert.issuer.rfc4514_string(),
        serial_hex=format(cert.serial_number, "x"),
        fingerprint_sha256=chains.fingerprint(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


# --- integrity and changes ----------------------------------------------------------------


def check_integrity(embedded: EmbeddedPdfSignature, content_type: str, digest: bytes) -> Integrity:
    try:
        intact, valid = validate_sig_integrity(
            embedded.signer_info, embedded.signer_cert, content_type, digest
        )
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        return Integrity(False, f"Cấu trúc chữ ký số không hợp lệ ({exc}).")
    if not intact:
        return Integrity(False, "Nội dung được ký đã bị thay đổi: giá trị băm không khớp.")
    if not valid:
        return Integrity(False, "Chữ ký số không khớp với khóa công khai của người ký.")
    return Integrity(True, "Nội dung được ký còn nguyên vẹn; chữ ký số khớp với chứng thư.")


_LEVELS = {
    ModificationLevel.NONE: ChangeLevel.NONE,
    ModificationLevel.LTA_UPDATES: ChangeLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING: ChangeLevel.FORM_FILLING,
    ModificationLevel.ANNOTATIONS: ChangeLevel.ANNOTATIONS,
    ModificationLevel.OTHER: ChangeLevel.OTHER,
}

_CHANGE_MESSAGES = {
    ChangeLevel.NONE: "Không có thay đổi nào sau khi ký.",
    ChangeLevel.LTA_UPDATES: (
        "Sau khi ký chỉ bổ sung dữ liệu kiểm tra dài hạn (chứng thư, thông tin thu hồi, "
        "dấu thời gian)."
    ),
    ChangeLevel.FORM_FILLING: "Sau khi ký chỉ thêm chữ ký số khác hoặc điền biểu mẫu.",
    ChangeLevel.ANNOTATIONS: "Sau khi ký có thêm ghi chú (annotation); nội dung văn bản không đổi.",
    ChangeLevel.OTHER: "Nội dung văn bản đã bị thay đổi sau khi ký.",
}


_HEX_TOKEN = re.compile(rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]*>")
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


@dataclass(frozen=True)
class ByteRange:
    """What the /ByteRange says: `problem` (Vietnamese) when it is malformed, else whether the
    two signed parts reach the end of the file."""

    problem: str = ""
    whole_file: bool = False


def _file_bytes(embedded: EmbeddedPdfSignature) -> bytes:
    stream = embedded.reader.stream
    getvalue = getattr(stream, "getvalue", None)
    if getvalue is not None:
        return bytes(getvalue())
    position = stream.tell()
    try:
        stream.seek(0)
        return bytes(stream.read())
    finally:
        stream.seek(position)


def check_byte_range(embedded: EmbeddedPdfSignature) -> ByteRange:
    """pyHanko's coverage check adds up the lengths without checking that the hole is where the
    signature value is, so a /ByteRange with unsigned bytes between the parts passed as
    "entire file". Here: exactly `[0 a b c]`, non-negative integers, the hole `a..b` is exactly
    the /Contents hex string, and `b + c` is within the file."""
    bad = "Chữ ký số không hợp lệ: vùng dữ liệu được ký (/ByteRange) bị sai cấu trúc"
    try:
        # Direct objects only: an indirect one could be redefined by a later update.
        array = embedded.sig_object.raw_get("/ByteRange")
        values = [array.raw_get(i) for i in range(len(array))]
    except Exception:
        values = None
    if values is None:
        return ByteRange(f"{bad} (không đọc được).")
    if len(values) != 4 or not all(type(v) is generic.NumberObject for v in values):
        return ByteRange(f"{bad} (phải gồm đúng bốn số nguyên).")
    start, first, second, length = (int(v) for v in values)
    if start != 0 or min(first, second, length) < 0:
        return ByteRange(f"{bad} (phải bắt đầu từ 0 và không có số âm).")
    data = _file_bytes(embedded)
    if second + length > len(data) or first >= len(data):
        return ByteRange(f"{bad} (vượt quá độ dài tệp).")
    token = _HEX_TOKEN.match(data, first)
    if token is None or token.end() != second:
        return ByteRange(
            f"{bad}: phần không được ký không đúng bằng giá trị chữ ký (/Contents), "
            "nên có nội dung nằm ngoài chữ ký có thể bị sửa mà không bị phát hiện."
        )
    digits = token.group()[1:-1].translate(None, _PDF_WHITESPACE)
    if len(digits) % 2:
        digits += b"0"
    try:
        same = binascii.unhexlify(digits) == bytes(embedded.sig_object["/Contents"])
    except Exception:
        same = False
    if not same:
        return ByteRange(
            f"{bad}: phần không được ký không phải là giá trị chữ ký (/Contents) của chữ ký này."
        )
    return ByteRange(whole_file=second + length == len(data))


def check_changes(embedded: EmbeddedPdfSignature, byte_range: ByteRange) -> Changes:
    try:
        embedded.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
        status = embedded.summarise_integrity_info()
    except Exception as exc:  # pyHanko's difference analysis on a hostile file
        return Changes(
            ChangeLevel.UNKNOWN, message=f"Không phân tích được các thay đổi sau khi ký ({exc})."
        )
    coverage = status["coverage"]
    # pyHanko's ENTIRE_FILE only adds lengths up; check_byte_range checked where the hole is.
    whole = coverage == SignatureCoverageLevel.ENTIRE_FILE and byte_range.whole_file
    if coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return Changes(
            ChangeLevel.OTHER,
            message="Phần được ký không bao trùm trọn một phiên bản của tệp; "
            "có nội dung nằm ngoài chữ ký.",
        )
    result = status["diff_result"]
    if not isinstance(result, DiffResult):
        return Changes(ChangeLevel.OTHER, whole, False, message=_CHANGE_MESSAGES[ChangeLevel.OTHER])
    level = _LEVELS.get(result.modification_level, ChangeLevel.OTHER)
    fields = sorted(result.changed_form_fields)
    message = _CHANGE_MESSAGES[level]
    if whole:
        message = "Chữ ký bao trùm toàn bộ tệp; không có thay đổi nào sau khi ký."
    elif fields and level == ChangeLevel.FORM_FILLING:
        message = f"{message[:-1]}: {', '.join(fields)}."
    return Changes(level, whole, bool(status["docmdp_ok"]), fields, message)


# --- chain, time and revocation -----------------------------------------------------------


@dataclass(frozen=True)
class TrustFindings:
    chain: Chain
    revocation: Revocation
    verdicts: list[Verdict]
    reasons: list[str]


def _chain_report(path: chains.Path) -> Chain:
    names = [c.subject.rfc4514_string() for c in path.certificates]
    if path.problem:
        return Chain(ChainStatus.BAD_CHAIN, path.anchor_name, names, path.problem)
    if not path.anchor_name:
        return Chain(
            ChainStatus.UNTRUSTED,
            "",
            names,
            "Chứng thư số không dẫn tới chứng thư gốc nào được cấu hình tin cậy.",
        )
    return Chain(
        ChainStatus.TRUSTED,
        path.anchor_name,
        names,
        f"Chuỗi chứng thư hợp lệ tới chứng thư tin cậy “{path.anchor_name}”.",
    )


def _period(
    path: chains.Path,
    proven: datetime | None,
    claimed: datetime | None,
    now: datetime,
    *,
    tsa: bool = False,
) -> tuple[ChainStatus, str] | None:
    at_signing = proven or claimed or now
    problem = chains.outside_validity(path, at_signing)
    if problem is not None:
        if problem.expired:
            return ChainStatus.EXPIRED, (
                f"Chứng thư số đã hết hạn vào {_fmt(problem.bound)}, trước thời điểm ký "
                f"{_fmt(at_signing)} ({problem.subject})."
            )
        return ChainStatus.NOT_YET_VALID, (
            f"Chứng thư số chỉ có hiệu lực từ {_fmt(problem.bound)}, sau thời điểm ký "
            f"{_fmt(at_signing)} ({problem.subject})."
        )
    if proven is None:
        problem = chains.outside_validity(path, now)
        if problem is not None:
            if tsa:
                return ChainStatus.EXPIRED_SINCE, (
                    f"Chứng thư của đơn vị cấp dấu thời gian đã hết hạn vào {_fmt(problem.bound)} "
                    f"({problem.subject}); dấu thời gian do đơn vị này cấp không còn là bằng "
                    "chứng thời điểm ký."
                )
            return ChainStatus.EXPIRED_SINCE, (
                f"Chứng thư số đã hết hạn vào {_fmt(problem.bound)}; không có dấu thời gian "
                "tin cậy chứng minh văn bản được ký trước thời điểm đó."
            )
    return None


def _revocation(
    path: chains.Path,
    ctx: Context,
    proven: datetime | None,
    claimed: datetime | None,
    *,
    tsa: bool = False,
) -> tuple[Revocation, Verdict]:
    """Every certificate below the anchor; the worst answer wins."""
    moment = proven or ctx.now
    checked: list[tuple[Revocation, Verdict]] = []
    for cert, issuer in zip(path.certificates, path.certificates[1:], strict=False):
        answer = revocation_of(
            cert, issuer, moment=moment, now=ctx.now, fetch=ctx.fetch, embedded=ctx.embedded
        )
        checked.append(_judge(answer, cert, proven, claimed, tsa=tsa))
    if not checked:  # the signer's certificate is itself an anchor
        return Revocation(
            RevocationStatus.GOOD, message="Chứng thư được cấu hình tin cậy trực tiếp."
        ), Verdict.VALID
    order = {Verdict.INVALID: 0, Verdict.INDETERMINATE: 1, Verdict.VALID: 2}
    return min(checked, key=lambda item: order[item[1]])


_SOURCES = {
    "ocsp": "OCSP",
    "crl": "CRL",
    "embedded_ocsp": "OCSP lưu trong văn bản",
    "embedded_crl": "CRL lưu trong văn bản",
}


def _judge(
    answer: object,
    cert: x509.Certificate,
    proven: datetime | None,
    claimed: datetime | None,
    *,
    tsa: bool = False,
) -> tuple[Revocation, Verdict]:
    from chinhquyen.signing.validation.revocation import Answer

    assert isinstance(answer, Answer)
    who = _name_part(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string()
    source = _SOURCES.get(answer.source, answer.source)
    report = Revocation(answer.status, answer.source, answer.revoked_at, answer.checked_at)
    if answer.status == RevocationStatus.GOOD:
        report.message = (
            f"Chứng thư “{who}” chưa bị thu hồi (theo {source}, {_fmt(answer.checked_at)})."
        )
        return report, Verdict.VALID
    if answer.status == RevocationStatus.UNKNOWN:
        report.message = (
            f"Không kiểm tra được tình trạng thu hồi của chứng thư “{who}”: {answer.detail}."
        )
        return report, Verdict.INDETERMINATE
    revoked_at = answer.revoked_at
    base = f"Chứng thư “{who}” đã bị thu hồi từ {_fmt(revoked_at)} (theo {source})."
    if revoked_at is not None and proven is not None and proven < revoked_at:
        report.message = f"{base} Dấu thời gian chứng minh văn bản được ký trước đó."
        return report, Verdict.VALID
    if tsa and revoked_at is not None and claimed is not None and claimed < revoked_at:
        report.message = (
            f"{base} Dấu thời gian ghi {_fmt(claimed)}, nhưng chứng thư của đơn vị cấp dấu thời "
            "gian nay đã bị thu hồi nên dấu thời gian không còn là bằng chứng thời điểm ký."
        )
        return report, Verdict.INDETERMINATE
    if tsa:
        report.message = f"{base} Dấu thời gian được cấp sau khi chứng thư bị thu hồi."
        return report, Verdict.INVALID
    if revoked_at is not None and proven is None and claimed is not None and claimed < revoked_at:
        report.message = (
            f"{base} Thời điểm ký người ký ghi là {_fmt(claimed)} nhưng không có dấu thời gian "
            "chứng minh."
        )
        return report, Verdict.INDETERMINATE
    report.message = f"{base} Chữ ký được tạo sau khi chứng thư bị thu hồi."
    return report, Verdict.INVALID


_CHAIN_VERDICTS = {
    ChainStatus.TRUSTED: Verdict.VALID,
    ChainStatus.UNTRUSTED: Verdict.INDETERMINATE,
    ChainStatus.EXPIRED_SINCE: Verdict.INDETERMINATE,
    ChainStatus.BAD_CHAIN: Verdict.INVALID,
    ChainStatus.EXPIRED: Verdict.INVALID,
    ChainStatus.NOT_YET_VALID: Verdict.INVALID,
}


def check_trust(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    ctx: Context,
    *,
    purpose: chains.Purpose,
    proven: datetime | None,
    claimed: datetime | None,
) -> TrustFindings:
    tsa = purpose == chains.Purpose.TIMESTAMPING
    path = chains.find_path(leaf, [*pool, *ctx.extra_certs], ctx.store, purpose)
    chain = _chain_report(path)
    if chain.status == ChainStatus.TRUSTED:
        period = _period(path, proven, claimed, ctx.now, tsa=tsa)
        if period is not None:
            chain.status, chain.message = period
    verdicts = [_CHAIN_VERDICTS[chain.status]]
    reasons = [chain.message] if verdicts[0] != Verdict.VALID else []
    if not path.trusted:
        # The URLs in an unknown certificate are chosen by whoever made it: never follow them.
        revocation = Revocation(
            RevocationStatus.NOT_CHECKED,
            message="Không kiểm tra thu hồi vì chứng thư không thuộc chuỗi tin cậy.",
        )
        return TrustFindings(chain, revocation, verdicts, reasons)
    revocation, verdict = _revocation(path, ctx, proven, claimed, tsa=tsa)
    verdicts.append(verdict)
    if verdict != Verdict.VALID:
        reasons.append(revocation.message)
    return TrustFindings(chain, revocation, verdicts, reasons)


# --- time-stamps --------------------------------------------------------------------------


def _digest(data: bytes, algorithm: str) -> bytes:
    return hashlib.new(
        algorithm.replace("_", "-") if algorithm.startswith("sha3") else algorithm, data
    ).digest()


def check_token(
    token: cms.SignedData, expected_imprint: Callable[[str], bytes], ctx: Context
) -> tuple[Timestamp, TrustFindings | None]:
    """An RFC 3161 token: its own integrity, that it stamps what it claims, and its TSA."""
    try:
        tst_info = token["encap_content_info"]["content"].parsed
        gen_time: datetime = tst_info["gen_time"].native
        certs = extract_certs_for_validation(token)
        signer_info = token["signer_infos"][0]
        algorithm = signer_info["digest_algorithm"]["algorithm"].native
        content = token["encap_content_info"]["content"].contents
        intact, valid = validate_sig_integrity(
            signer_info, certs.signer_cert, "tst_info", _digest(content, algorithm)
        )
        imprint = tst_info["message_imprint"]
        imprint_ok = imprint["hashed_message"].native == expected_imprint(
            imprint["hash_algorithm"]["algorithm"].native
        )
        tsa = _crypto(certs.signer_cert)
        pool = [_crypto(c) for c in certs.other_certs]
    except Exception as exc:  # a malformed token, whatever the parser raises
        return Timestamp(
            TimestampStatus.INVALID, message=f"Dấu thời gian không đọc được ({exc})."
        ), None
    tsa_name = describe_signer(tsa).common_name
    if not (intact and valid and imprint_ok):
        return Timestamp(
            TimestampStatus.INVALID, gen_time, tsa_name, "Dấu thời gian không khớp với chữ ký."
        ), None
    # The TSA's certificate is judged now, not at the gen_time the token itself asserts (ADR
    # 0005): a TSA key that is revoked or expired today may have signed a back-dated token, so
    # such a token proves nothing. gen_time is only the TSA's claim, believed against it: a
    # certificate outside its validity, or revoked, before gen_time makes the token invalid.
    findings = check_trust(
        tsa, pool, ctx, purpose=chains.Purpose.TIMESTAMPING, proven=None, claimed=gen_time
    )
    verdict = worst(findings.verdicts)
    if verdict == Verdict.VALID:
        return Timestamp(
            TimestampStatus.VALID, gen_time, tsa_name, f"Dấu thời gian hợp lệ: {_fmt(gen_time)}."
        ), findings
    status = TimestampStatus.INVALID if verdict == Verdict.INVALID else TimestampStatus.UNKNOWN
    message = "Dấu thời gian chưa được xác minh đầy đủ nên không dùng làm bằng chứng thời điểm ký: "
    return Timestamp(status, gen_time, tsa_name, message + " ".join(findings.reasons)), findings


def signature_timestamp(embedded: EmbeddedPdfSignature, ctx: Context) -> Timestamp:
    signature_value = embedded.signer_info["signature"].native

    def imprint(algorithm: str) -> bytes:
        return _digest(signature_value, algorithm)

    try:
        tokens = list(extract_tst_data_iter(embedded.signer_info, signed=False))
    except Exception:
        tokens = []
    if not tokens:
        return Timestamp(TimestampStatus.ABSENT, message="Chữ ký không có dấu thời gian.")
    timestamp, _ = check_token(tokens[0], imprint, ctx)
    return timestamp


def embedded_revocation(embedded: EmbeddedPdfSignature) -> EmbeddedData:
    """Adobe-style revocation values in the signed attributes (adbe-revocationInfoArchival)."""
    try:
        archival = find_unique_cms_attribute(
            embedded.signer_info["signed_attrs"], "adobe_revocation_info_archival"
        )
        return EmbeddedData(
            ocsp_responses=[o.dump() for o in archival["ocsp"] or []],
            crls=[c.dump() for c in archival["crl"] or []],
        )
    except Exception:
        return EmbeddedData()


# --- one signature ------------------------------------------------------------------------


def _claimed_time(embedded: EmbeddedPdfSignature) -> datetime | None:
    try:
        return embedded.self_reported_timestamp
    except Exception:
        return None


def _pades_level(embedded: EmbeddedPdfSignature, timestamp: Timestamp, has_ltv: bool) -> str:
    subfilter = str(embedded.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return "PKCS#7 (không theo PAdES)"
    if not timestamp.present:
        return "PAdES B-B"
    return "PAdES B-LT" if has_ltv else "PAdES B-T"


def _finish(report: SignatureReport, verdicts: list[Verdict]) -> SignatureReport:
    report.verdict = worst(verdicts)
    return report


def _change_verdict(changes: Changes) -> Verdict:
    if changes.level == ChangeLevel.UNKNOWN:
        return Verdict.INDETERMINATE
    return Verdict.VALID if changes.allowed else Verdict.INVALID


def validate_signature(embedded: EmbeddedPdfSignature, ctx: Context) -> SignatureReport:
    report = SignatureReport(field_name=str(embedded.field_name))
    try:
        leaf = _crypto(embedded.signer_cert)
        pool = [_crypto(c) for c in embedded.other_embedded_certs]
        digest = embedded.compute_digest()
    except Exception as exc:
        report.integrity = Integrity(False, f"Không đọc được chữ ký số hoặc chứng thư ({exc}).")
        report.reasons.append(report.integrity.message)
        return _finish(report, [Verdict.INVALID])
    report.signer = describe_signer(leaf)
    report.claimed_signing_time = _claimed_time(embedded)
    byte_range = check_byte_range(embedded)
    if byte_range.problem:
        report.integrity = Integrity(False, byte_range.problem)
    else:
        report.integrity = check_integrity(embedded, "data", digest)
    if not report.integrity.ok:
        report.reasons.append(report.integrity.message)
        return _finish(report, [Verdict.INVALID])
    report.changes = check_changes(embedded, byte_range)
    verdicts = [_change_verdict(report.changes)]
    if verdicts[0] != Verdict.VALID:
        report.reasons.append(report.changes.message)
    own = embedded_revocation(embedded)
    local = Context(
        ctx.store,
        ctx.now,
        ctx.fetch,
        EmbeddedData(
            [*ctx.embedded.ocsp_responses, *own.ocsp_responses], [*ctx.embedded.crls, *own.crls]
        ),
        ctx.extra_certs,
    )
    report.timestamp = signature_timestamp(embedded, local)
    if report.timestamp.status == TimestampStatus.INVALID:
        verdicts.append(Verdict.INVALID)
        report.reasons.append(report.timestamp.message)
    proven = report.timestamp.time if report.timestamp.status == TimestampStatus.VALID else None
    findings = check_trust(
        leaf,
        pool,
        local,
        purpose=chains.Purpose.SIGNING,
        proven=proven,
        claimed=report.claimed_signing_time,
    )
    report.chain, report.revocation = findings.chain, findings.revocation
    report.reasons += findings.reasons
    has_ltv = bool(local.embedded.ocsp_responses or local.embedded.crls)
    report.pades_level = _pades_level(embedded, report.timestamp, has_ltv)
    return _finish(report, verdicts + findings.verdicts)


def validate_document_timestamp(embedded: EmbeddedPdfSignature, ctx: Context) -> SignatureReport:
    """A /DocTimeStamp (PAdES B-LTA): the token's imprint is the digest of the signed bytes."""
    report = SignatureReport(field_name=str(embedded.field_name), kind="document_timestamp")
    report.pades_level = "Dấu thời gian tài liệu (PAdES B-LTA)"

    def imprint(algorithm: str) -> bytes:
        return embedded.compute_digest(algorithm)

    byte_range = check_byte_range(embedded)
    if byte_range.problem:
        report.integrity = Integrity(False, byte_range.problem)
        report.reasons.append(byte_range.problem)
        return _finish(report, [Verdict.INVALID])
    timestamp, findings = check_token(embedded.signed_data, imprint, ctx)
    report.timestamp = timestamp
    report.claimed_signing_time = timestamp.time
    if findings is None:
        report.integrity = Integrity(False, timestamp.message)
        report.reasons.append(timestamp.message)
        return _finish(report, [Verdict.INVALID])
    report.integrity = Integrity(True, "Dấu thời gian khớp với nội dung được đóng dấu.")
    report.signer = describe_signer(_crypto(embedded.signer_cert))
    report.chain, report.revocation = findings.chain, findings.revocation
    report.changes = check_changes(embedded, byte_range)
    verdicts = [_change_verdict(report.changes), *findings.verdicts]
    if verdicts[0] != Verdict.VALID:
        report.reasons.append(report.changes.message)
    report.reasons += findings.reasons
    return _finish(report, verdicts)
