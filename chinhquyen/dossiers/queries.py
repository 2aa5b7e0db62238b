"""Reading dossiers. A citizen loads only their own drafts, dossiers and files through the
`access_*` helpers, which raise 404 for anything else (the object's existence is not revealed).
The public lookup shows no personal data (TT 01/2018 Art. 17: without login, the code and the
state only)."""

from __future__ import annotations

import hmac
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from chinhquyen.core.sql import all_where, fetch_prepared
from chinhquyen.dossiers import lookup_throttle
from chinhquyen.dossiers.models import (
    DocumentRole,
    Dossier,
    DossierDocument,
    Draft,
    LookupFailureWindow,
    Status,
)

NOT_FOUND = "Không tìm thấy hồ sơ."


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404(NOT_FOUND) from None


def access_draft_by_id(user: Any, draft_id: Any) -> Draft:
    # Prepared (core.sql): every step of the online form loads the draft this way.
    found = all_where(
        Draft,
        "t0.id = %s AND t0.owner_id = %s",
        [Draft._meta.pk.get_db_prep_value(_uuid(draft_id), connection), getattr(user, "pk", None)],
        related=("procedure_version", "receiving_agency"),
    )
    if not found:
        raise Http404(NOT_FOUND)
    return found[0]


def access_dossier_by_code(user: Any, code: str) -> Dossier:
    """The citizen's own dossier (404 for everybody else's)."""
    dossier = (
        Dossier.objects.select_related("procedure_version", "receiving_agency", "handling_agency")
        .filter(code=code, applicant_id=getattr(user, "pk", None))
        .first()
    )
    if dossier is None:
        raise Http404(NOT_FOUND)
    return dossier


def access_dossier_document_by_id(user: Any, code: str, document_id: Any) -> DossierDocument:
    dossier = access_dossier_by_code(user, code)
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    document = citizen_documents(dossier).filter(pk=pk).first()
    if document is None:
        raise Http404(NOT_FOUND)
    return document


def citizen_documents(dossier: Dossier) -> QuerySet[DossierDocument]:
    """What the applicant sees of a dossier's files: everything but the agency's internal draft
    result (Decree 61/2018 Art. 19: the result is issued only once approved and signed)."""
    return (
        dossier.documents.exclude(role=DocumentRole.RESULT_DRAFT)
        .select_related("file")
        .order_by("added_at", "pk")
    )


def citizen_dossiers(user: Any) -> QuerySet[Dossier]:
    return Dossier.objects.filter(applicant_id=user.pk).select_related(
        "procedure_version", "handling_agency"
    )


def open_drafts(user: Any) -> QuerySet[Draft]:
    return Draft.objects.filter(owner_id=user.pk, state=Draft.State.OPEN).select_related(
        "procedure_version"
    )


def personal_store(user: Any) -> QuerySet[DossierDocument]:
    """The citizen's personal data store (Decree 45/2020 Art. 16; onestop.md §5.2): documents of
    their dossiers that the agency accepted, and the results issued to them."""
    results = Q(role=DocumentRole.RESULT, dossier__status__in=(Status.DONE, Status.RETURNED))
    return (
        DossierDocument.objects.filter(dossier__applicant_id=user.pk)
        .filter(results | Q(accepted=True))
        .select_related("file", "dossier")
        .order_by("-added_at")
    )


# --- Public lookup -----------------------------------------------------------------------------

PUBLIC_ACTIONS = {
    "submit": "Nộp hồ sơ trực tuyến",
    "receive": "Tiếp nhận hồ sơ",
    "accept": "Tiếp nhận hồ sơ",
    "refuse": "Từ chối tiếp nhận",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "submit_supplement": "Bổ sung hồ sơ",
    "withdraw": "Rút hồ sơ",
    "stop": "Dừng xử lý",
    "record_result": "Có kết quả giải quyết",
    "return_result": "Trả kết quả",
    # The back office's own steps (dossiers.process.ACTIONS).
    "forward": "Chuyển cơ quan giải quyết",
    "assign": "Phân công xử lý",
    "request_opinion": "Xin ý kiến đơn vị khác",
    "answer_opinion": "Trả lời xin ý kiến",
    "coordinate": "Chuyển liên thông",
    "complete_task": "Gửi kết quả liên thông",
    "propose": "Trình phê duyệt",
    "approve": "Phê duyệt",
    "send_back": "Trả lại để xử lý lại",
    "extend_due": "Xin lỗi và hẹn lại ngày trả kết quả",
    "refuse_after_appraisal": "Từ chối giải quyết",
    "request_payment": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "record_payment": "Đã thực hiện nghĩa vụ tài chính",
}


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    label: str
    agency: str


@dataclass(frozen=True)
class PublicStatus:
    code: str
    procedure: str
    status: int
    status_label: str
    handling_agency: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    steps: tuple[PublicStep, ...]
    # Ended with a refusal after appraisal (status 9 with a refusal result, Decree 61/2018
    # Art. 19(8)): the national status alone reads "Đã xử lý xong".
    resolution_refused: bool = False


CHECK_DIGITS = 4
REFUSAL_AFTER_APPRAISAL = "refuse_after_appraisal"
RESOLVED = (Status.DONE, Status.RETURNED)
MAX_CODE_LENGTH = 80  # Dossier.code


_NOT_DIGITS = re.compile(r"\D")


def _check_values(row: Mapping[str, Any]) -> list[str]:
    values = []
    for field in ("applicant_phone", "applicant_id_number"):
        digits = str(row[field] or "")
        if not digits.isdigit():  # stored as typed ("0912 345 678", "+84…")
            digits = _NOT_DIGITS.sub("", digits)
        if len(digits) >= CHECK_DIGITS:
            values.append(digits[-CHECK_DIGITS:])
    return values


@lru_cache(maxsize=64)
def _status_label(status: int, language: str | None) -> str:
    """The status' name in the request's language (a lazy translation turned into text was a
    tenth of a lookup's CPU; the names change only with the language)."""
    return str(Status(status).label)


@lru_cache(maxsize=256)
def _step_label(action: str, to_status: int, language: str | None) -> str:
    # The status' label only for an action without a public name.
    return PUBLIC_ACTIONS.get(action) or _status_label(to_status, language)


# The lookup is the busiest public read (every QR code printed on a receipt leads here), so it is
# one hand-written statement: the dossier, its procedure and agency, and every step, in a single
# round trip. Through the ORM it was two queries, and building their SQL cost more CPU than the
# database spent answering them (ADR 0015; docs/benchmarks.md, "Citizens at scale"). Plain SQL
# that SQLite and PostgreSQL both run; the columns are the models' own. The procedure and agency
# are LEFT JOINed (never missing: both keys are NOT NULL) so the same joins serve `_TRACK_SQL`.
# (Sending the dossier's four times on the first row only, with a window MIN(seq), saved Python
# decoding but measured slower over HTTP on a million dossiers: the window costs the server more.)
_DOSSIER_COLUMNS = """d.id, d.code, d.status,
       d.submitted_at, d.received_at, d.due_at, d.finished_at,
       d.applicant_phone, d.applicant_id_number, v.name, h.name,
       t.at, t.action, t.to_status, a.name"""
_DOSSIER_JOINS = """
LEFT JOIN procedures_procedureversion v ON v.id = d.procedure_version_id
LEFT JOIN org_agency h ON h.id = d.handling_agency_id
LEFT JOIN dossiers_dossiertransition t ON t.dossier_id = d.id
LEFT JOIN org_agency a ON a.id = t.agency_id"""
_LOOKUP_SQL = f"""
SELECT {_DOSSIER_COLUMNS}
FROM dossiers_dossier d {_DOSSIER_JOINS}
WHERE d.code = %s
ORDER BY t.seq
"""  # noqa: S608 (constant text)
# With the failure count of the address (always one row: the window's count, NULL dossier
# columns when no dossier has the code). The throttle's read was a round trip of its own.
_TRACK_SQL = f"""
SELECT w.failures, {_DOSSIER_COLUMNS}
FROM (SELECT 1 AS one) q
LEFT JOIN {LookupFailureWindow._meta.db_table} w ON w.address = %s AND w.window_start = %s
LEFT JOIN dossiers_dossier d ON d.code = %s {_DOSSIER_JOINS}
ORDER BY t.seq
"""  # noqa: S608 (constant text)


def _utc(value: datetime | str) -> datetime:
    """SQLite hands a raw cursor naive UTC datetimes (USE_TZ stores UTC), and text for a
    computed column (the lookup's CASE has no declared type); PostgreSQL aware datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _utc_or_none(value: datetime | str | None) -> datetime | None:
    return None if value is None else _utc(value)


def public_lookup(code: str, check: str) -> PublicStatus | None:
    """The dossier's public status when `check` is the last four digits of the applicant's phone
    number or identification number; None otherwise (a wrong code and a wrong check are
    indistinguishable)."""
    code, check = code.strip().upper(), check.strip()
    if not _well_formed(code, check):
        return None
    return _public_status(fetch_prepared(_LOOKUP_SQL, [code], binary=True), check)


@dataclass(frozen=True)
class TrackingAnswer:
    """A public lookup from one client address: refused for `retry_after` seconds (the address
    failed too often, `lookup_throttle`), or `found` (None: no dossier with that code and check)."""

    retry_after: int | None
    found: PublicStatus | None


def track_public(
    address: str, code: str, check: str, *, now: datetime | None = None
) -> TrackingAnswer:
    """The tracking page's and API's lookup: the address's failures in the current window and
    the dossier read in one round trip (ADR 0015). A refused address learns nothing of the
    dossier; a failure is recorded by the caller (`do_record_lookup_failure`)."""
    now = now or timezone.now()
    code, check = code.strip().upper(), check.strip()
    if not _well_formed(code, check):  # nothing to look up: the throttle's count alone
        return TrackingAnswer(lookup_throttle.lookup_retry_after(address, now=now), None)
    start = lookup_throttle.window_start(now)
    params = [
        lookup_throttle.address_key(address),
        lookup_throttle.stored_window_start(start),
        code,
    ]
    rows = fetch_prepared(_TRACK_SQL, params, binary=True)
    retry_after = lookup_throttle.retry_after_for(rows[0][0] or 0, start, now)
    if retry_after is not None:
        return TrackingAnswer(retry_after, None)
    dossier_rows = [row[1:] for row in rows] if rows[0][1] is not None else []
    return TrackingAnswer(None, _public_status(dossier_rows, check))


def _well_formed(code: str, check: str) -> bool:
    return bool(code) and len(code) <= MAX_CODE_LENGTH and _is_check(check)


def _is_check(check: str) -> bool:
    return len(check) == CHECK_DIGITS and check.isdigit()


def _public_status(rows: list[tuple[Any, ...]], check: str) -> PublicStatus | None:
    """The public status from the lookup's rows (one per step, the dossier's columns first),
    when `check` matches."""
    if not rows:
        return None
    _, found, status, submitted, received, due, finished, phone, id_number, procedure, agency = (
        rows[0][:11]
    )
    known = {"applicant_phone": phone, "applicant_id_number": id_number}
    if not any(hmac.compare_digest(check, value) for value in _check_values(known)):
        return None
    language = get_language()
    return PublicStatus(
        code=found,
        procedure=procedure,
        status=status,
        status_label=_status_label(status, language),
        handling_agency=agency,
        submitted_at=_utc(submitted),
        received_at=_utc_or_none(received),
        due_at=_utc_or_none(due),
        finished_at=_utc_or_none(finished),
        steps=tuple(
            PublicStep(
                at=_utc(at), label=_step_label(action, to_status, language), agency=step_agency
            )
            for *_, at, action, to_status, step_agency in rows
            if action is not None  # a dossier without any step yet (LEFT JOIN)
        ),
        resolution_refused=status in RESOLVED
        and any(row[12] == REFUSAL_AFTER_APPRAISAL for row in rows),
    )
