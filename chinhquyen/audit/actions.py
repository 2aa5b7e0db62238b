"""Writing to the audit log. `record_audit` is called inside the caller's transaction."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from chinhquyen.audit.models import AuditChainHead, AuditEvent
from chinhquyen.core.sql import execute_one, insert_returning_pk


def canonical_payload(event: AuditEvent) -> bytes:
    """The bytes that the row hash covers: every field but the hash itself."""
    at: datetime = event.at
    data = {
        "seq": event.seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "source_address": event.source_address,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()


def _chain_key() -> bytes:
    """The HMAC key of the chain, kept outside the database: someone who can write the table
    cannot recompute valid hashes after editing a row."""
    configured = settings.AUDIT_CHAIN_KEY
    if configured:
        return configured.encode()
    return hashlib.sha256(b"chinhquyen-audit-chain:" + settings.SECRET_KEY.encode()).digest()


def compute_row_hash(event: AuditEvent) -> str:
    return hmac.new(_chain_key(), canonical_payload(event), hashlib.sha256).hexdigest()


_ADVANCE_HEAD_SQL = (
    f"UPDATE {AuditChainHead._meta.db_table} SET seq = seq + 1"  # noqa: S608 (the model's table)
    " WHERE id = 1 RETURNING seq, last_hash"
)


_SET_HEAD_HASH_SQL = f"UPDATE {AuditChainHead._meta.db_table} SET last_hash = %s WHERE id = 1"  # noqa: S608


def _lock_head() -> AuditChainHead:
    """Advance the chain head and read it in one statement (UPDATE … RETURNING): the row stays
    locked until the transaction ends, so chain rows are numbered and linked one at a time."""
    row = execute_one(_ADVANCE_HEAD_SQL, [])  # prepared: every audited change runs it
    if row is None:  # a database that never had an audited change
        AuditChainHead.objects.get_or_create(pk=1)
        return _lock_head()
    return AuditChainHead(pk=1, seq=row[0], last_hash=row[1])


def _json_safe(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def record_audit(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    source_address: str = "",
) -> AuditEvent:
    """Append one row to the chain. Runs in (or opens) a transaction with the business change."""
    # No savepoint of its own: inside the caller's transaction a failure here fails it all.
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:300]
        is_user = actor is not None and getattr(actor, "pk", None) is not None
        event = AuditEvent(
            seq=head.seq,
            at=timezone.now(),
            actor=actor if is_user else None,
            actor_label=(str(actor) if actor is not None else "")[:200],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=_json_safe(before),
            after=_json_safe(after),
            source_address=source_address,
            prev_hash=head.last_hash,
        )
        event.row_hash = compute_row_hash(event)
        # The row and the head's new hash in one round trip (on PostgreSQL).
        insert_returning_pk(event, then=(_SET_HEAD_HASH_SQL, [event.row_hash]))
        return event
