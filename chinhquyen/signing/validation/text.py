"""The report as plain Vietnamese text (the command line)."""

from __future__ import annotations

from chinhquyen.signing.validation.report import DocumentReport, SignatureReport


def _signature_lines(number: int, signature: SignatureReport) -> list[str]:
    kind = "Dấu thời gian tài liệu" if signature.kind == "document_timestamp" else "Chữ ký"
    lines = [
        f"{kind} {number} (trường “{signature.field_name}”): {signature.verdict_text.upper()}",
        f"  Người ký: {signature.signer.common_name or '?'}"
        + (f" — {signature.signer.organisation}" if signature.signer.organisation else ""),
        f"  Cấp bởi: {signature.signer.issuer or '?'}",
    ]
    if signature.claimed_signing_time:
        lines.append(f"  Thời điểm ký (người ký ghi): {signature.claimed_signing_time.isoformat()}")
    lines += [
        f"  Toàn vẹn: {signature.integrity.message}",
        f"  Thay đổi sau khi ký: {signature.changes.message or '-'}",
        f"  Chuỗi chứng thư: {signature.chain.message or '-'}",
        f"  Thu hồi: {signature.revocation.message or '-'}",
        f"  Dấu thời gian: {signature.timestamp.message or '-'}",
    ]
    if signature.pades_level:
        lines.append(f"  Định dạng: {signature.pades_level}")
    lines += [f"  ! {reason}" for reason in signature.reasons]
    return lines


def render_text(report: DocumentReport, filename: str = "") -> str:
    lines = [f"Tệp: {filename}"] if filename else []
    lines += [f"Kết luận: {report.verdict_text.upper()}", report.summary]
    if report.empty_signature_fields:
        lines.append(f"Số ô chữ ký còn trống: {report.empty_signature_fields}")
    for number, signature in enumerate(report.signatures, start=1):
        lines.append("")
        lines += _signature_lines(number, signature)
    return "\n".join(lines) + "\n"
