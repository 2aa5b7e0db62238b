"""What a validation found, as plain data: one `SignatureReport` per signature and a
`DocumentReport` over them, with the verdicts and messages in Vietnamese (TT 15/2025) and a JSON
form with stable English keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    INDETERMINATE = "indeterminate"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS = {
    Verdict.VALID: "Hợp lệ",
    Verdict.INVALID: "Không hợp lệ",
    Verdict.INDETERMINATE: "Không xác định",
}


def worst(verdicts: list[Verdict]) -> Verdict:
    """Invalid beats indeterminate beats valid; nothing checked is not valid."""
    if not verdicts:
        return Verdict.INDETERMINATE
    if Verdict.INVALID in verdicts:
        return Verdict.INVALID
    if Verdict.INDETERMINATE in verdicts:
        return Verdict.INDETERMINATE
    return Verdict.VALID


class ChainStatus(StrEnum):
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"  # no path to a configured trust anchor
    BAD_CHAIN = "bad_chain"  # a path exists but breaks a rule (CA flag, key usage, ...)
    EXPIRED = "expired"  # at the signing time
    NOT_YET_VALID = "not_yet_valid"  # at the signing time
    EXPIRED_SINCE = "expired_since"  # valid at the claimed time, expired now, no time-stamp


class RevocationStatus(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    NOT_CHECKED = "not_checked"  # the chain is not trusted, so its URLs are not followed


class ChangeLevel(StrEnum):
    NONE = "none"
    LTA_UPDATES = "lta_updates"
    FORM_FILLING = "form_filling"
    ANNOTATIONS = "annotations"
    OTHER = "other"
    UNKNOWN = "unknown"


class TimestampStatus(StrEnum):
    ABSENT = "absent"
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class Signer:
    common_name: str = ""
    subject: str = ""
    organisation: str = ""
    issuer: str = ""
    serial_hex: str = ""
    fingerprint_sha256: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "common_name": self.common_name,
            "subject": self.subject,
            "organisation": self.organisation,
            "issuer": self.issuer,
            "serial_hex": self.serial_hex,
            "fingerprint_sha256": self.fingerprint_sha256,
            "not_before": _iso(self.not_before),
            "not_after": _iso(self.not_after),
        }


@dataclass
class Integrity:
    ok: bool = False
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message}


@dataclass
class Changes:
    level: ChangeLevel = ChangeLevel.UNKNOWN
    covers_whole_document: bool = False
    allowed: bool = False
    changed_fields: list[str] = field(default_factory=list)
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "level": str(self.level),
            "covers_whole_document": self.covers_whole_document,
            "allowed": self.allowed,
            "changed_fields": sorted(self.changed_fields),
            "message": self.message,
        }


@dataclass
class Chain:
    status: ChainStatus = ChainStatus.UNTRUSTED
    anchor: str = ""
    path: list[str] = field(default_factory=list)
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "anchor": self.anchor,
            "path": self.path,
            "message": self.message,
        }


@dataclass
class Revocation:
    status: RevocationStatus = RevocationStatus.NOT_CHECKED
    source: str = ""  # ocsp, crl, embedded_ocsp, embedded_crl
    revoked_at: datetime | None = None
    checked_at: datetime | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "source": self.source,
            "revoked_at": _iso(self.revoked_at),
            "checked_at": _iso(self.checked_at),
            "message": self.message,
        }


@dataclass
class Timestamp:
    status: TimestampStatus = TimestampStatus.ABSENT
    time: datetime | None = None
    tsa: str = ""
    message: str = ""

    @property
    def present(self) -> bool:
        return self.status != TimestampStatus.ABSENT

    def to_json(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "status": str(self.status),
            "time": _iso(self.time),
            "tsa": self.tsa,
            "message": self.message,
        }


@dataclass
class SignatureReport:
    field_name: str
    kind: str = "signature"  # or "document_timestamp"
    verdict: Verdict = Verdict.INDETERMINATE
    signer: Signer = field(default_factory=Signer)
    claimed_signing_time: datetime | None = None
    integrity: Integrity = field(default_factory=Integrity)
    changes: Changes = field(default_factory=Changes)
    chain: Chain = field(default_factory=Chain)
    revocation: Revocation = field(default_factory=Revocation)
    timestamp: Timestamp = field(default_factory=Timestamp)
    pades_level: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def verdict_text(self) -> str:
        return self.verdict.label

    def to_json(self) -> dict[str, Any]:
        return {
            "field_name": self.field_name,
            "kind": self.kind,
            "verdict": str(self.verdict),
            "verdict_text": self.verdict_text,
            "signer": self.signer.to_json(),
            "claimed_signing_time": _iso(self.claimed_signing_time),
            "integrity": self.integrity.to_json(),
            "changes": self.changes.to_json(),
            "chain": self.chain.to_json(),
            "revocation": self.revocation.to_json(),
            "timestamp": self.timestamp.to_json(),
            "pades_level": self.pades_level,
            "reasons": self.reasons,
        }


@dataclass
class Problem:
    """Why a file could not be checked at all (not a PDF, encrypted, too large, ...)."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class DocumentReport:
    verdict: Verdict
    summary: str
    signatures: list[SignatureReport] = field(default_factory=list)
    problem: Problem | None = None
    signature_fields: int = 0
    empty_signature_fields: int = 0
    unchecked_signatures: int = 0
    sha256: str = ""
    size: int = 0
    checked_at: datetime | None = None

    @property
    def verdict_text(self) -> str:
        return self.verdict.label

    @property
    def readable(self) -> bool:
        return self.problem is None

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": str(self.verdict),
            "verdict_text": self.verdict_text,
            "summary": self.summary,
            "problem": self.problem.to_json() if self.problem else None,
            "sha256": self.sha256,
            "size": self.size,
            "checked_at": _iso(self.checked_at),
            "signature_fields": self.signature_fields,
            "empty_signature_fields": self.empty_signature_fields,
            "unchecked_signatures": self.unchecked_signatures,
            "signatures": [s.to_json() for s in self.signatures],
        }
