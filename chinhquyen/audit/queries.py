"""Reading the audit log: checking the chain."""

from __future__ import annotations

from dataclasses import dataclass

from chinhquyen.audit.actions import compute_row_hash
from chinhquyen.audit.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def find_first_break() -> ChainBreak | None:
    """Walk the chain in order; return the first row that was altered, removed or inserted."""
    expected_prev = "0" * 64
    expected_seq = 1
    rows = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    for row in rows:
        if row.seq != expected_seq:
            return ChainBreak(expected_seq, f"dòng #{expected_seq} đã bị xóa (gặp #{row.seq})")
        if row.prev_hash != expected_prev:
            return ChainBreak(row.seq, f"dòng #{row.seq} không nối với dòng trước (bị xóa/chèn)")
        if compute_row_hash(row) != row.row_hash:
            return ChainBreak(row.seq, f"dòng #{row.seq} đã bị sửa sau khi ghi")
        expected_prev = row.row_hash
        expected_seq += 1
    return _check_head(expected_seq - 1, expected_prev)


def _check_head(last_seq: int, last_hash: str) -> ChainBreak | None:
    """The head row must name the last row: this catches rows cut from the end, and a table
    emptied whole. (Deleting rows *and* rewinding the head needs the HMAC key to go unseen only
    if the head is also anchored outside the database: see ADR 0001.)"""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if last_seq:
            return ChainBreak(1, "đầu chuỗi nhật ký bị xóa")
        return None
    if head.seq > last_seq:
        return ChainBreak(last_seq + 1, f"dòng #{last_seq + 1} trở về sau đã bị xóa")
    if head.seq != last_seq or head.last_hash != last_hash:
        return ChainBreak(last_seq, "đầu chuỗi nhật ký không khớp với dòng cuối")
    return None
