import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from chinhquyen.audit.actions import record_audit
from chinhquyen.audit.models import AuditEvent
from chinhquyen.audit.queries import find_first_break

pytestmark = pytest.mark.django_db


def _write_rows(count: int) -> list[AuditEvent]:
    return [
        record_audit(f"test.action{i}", object_type="x", object_id=str(i), after={"i": i})
        for i in range(count)
    ]


def test_rows_chain_on_the_previous_hash() -> None:
    first, second, third = _write_rows(3)
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.row_hash
    assert third.prev_hash == second.row_hash
    assert find_first_break() is None
    call_command("verify_audit")


def test_rows_cannot_be_changed_through_the_model() -> None:
    (row,) = _write_rows(1)
    row.action = "other"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()


def test_verify_reports_a_row_edited_in_the_database() -> None:
    rows = _write_rows(5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["sửa lén", rows[2].seq]
        )
    broken = find_first_break()
    assert broken is not None and broken.seq == rows[2].seq
    with pytest.raises(CommandError, match=f"#{rows[2].seq} đã bị sửa"):
        call_command("verify_audit")


def test_verify_reports_a_removed_row() -> None:
    rows = _write_rows(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [rows[1].seq])
    with pytest.raises(CommandError, match=f"#{rows[1].seq}"):
        call_command("verify_audit")


def test_verify_reports_the_last_rows_removed() -> None:
    rows = _write_rows(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [rows[-1].seq])
    broken = find_first_break()
    assert broken is not None and broken.seq == rows[-1].seq


def test_verify_reports_a_recomputed_forgery() -> None:
    """Rewriting a row and its own hash still breaks the link from the next row."""
    from chinhquyen.audit.actions import compute_row_hash

    rows = _write_rows(3)
    forged = AuditEvent.objects.get(seq=rows[1].seq)
    forged.object_repr = "giả mạo"
    new_hash = compute_row_hash(forged)
    AuditEvent.objects.filter(pk=forged.pk).update(object_repr="giả mạo", row_hash=new_hash)
    broken = find_first_break()
    assert broken is not None and broken.seq == rows[2].seq


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain() -> None:
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    barrier = threading.Barrier(6)

    def writer(i: int) -> None:
        barrier.wait()
        try:
            for j in range(5):
                record_audit("test.concurrent", object_id=f"{i}-{j}")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditEvent.objects.count() == 30
    assert find_first_break() is None


def test_verify_reports_rows_cut_from_the_end_with_the_head_rewound() -> None:
    from chinhquyen.audit.models import AuditChainHead

    rows = _write_rows(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [rows[-1].seq])
    # Rewinding the head's counter alone is not enough: its hash still names the removed row.
    AuditChainHead.objects.filter(pk=1).update(seq=rows[-2].seq)
    assert find_first_break() is not None


def test_verify_reports_an_emptied_log() -> None:
    _write_rows(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert find_first_break() is not None


def test_a_rewrite_without_the_key_is_detected() -> None:
    """Editing a row and recomputing plain SHA-256 hashes for it and every later row fails:
    the chain is an HMAC with a key outside the database."""
    import hashlib

    from chinhquyen.audit.actions import canonical_payload

    rows = _write_rows(3)
    prev = rows[0].row_hash
    for row in AuditEvent.objects.filter(seq__gte=rows[1].seq).order_by("seq"):
        row.prev_hash = prev
        if row.seq == rows[1].seq:
            row.object_repr = "giả mạo"
        row.row_hash = hashlib.sha256(canonical_payload(row)).hexdigest()
        AuditEvent.objects.filter(pk=row.pk).update(
            object_repr=row.object_repr, prev_hash=row.prev_hash, row_hash=row.row_hash
        )
        prev = row.row_hash
    from chinhquyen.audit.models import AuditChainHead

    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    broken = find_first_break()
    assert broken is not None and broken.seq == rows[1].seq
