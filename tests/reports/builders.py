"""Dossiers with hand-written or generated histories, stored as the actions store them: a
`Dossier` row and its `DossierTransition` rows (bulk-inserted, so the PostgreSQL trigger sees
multi-row statements like the benchmark generator's COPY)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

from chinhquyen.dossiers.models import Dossier, DossierTransition
from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_codes = count(1)


def vn(day: str, clock: str = "08:00") -> datetime:
    """An instant in Vietnam time: vn("2026-11-02", "08:00")."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=VIETNAM)


@dataclass(frozen=True)
class Step:
    action: str
    from_status: int | None
    to_status: int
    at: datetime


def procedure_version() -> ProcedureVersion:
    field, _ = Field.objects.get_or_create(code="TK", defaults={"name": "Thống kê"})
    procedure, _ = Procedure.objects.get_or_create(national_code="9.999999.000.00.00.H99")
    version, _ = ProcedureVersion.objects.get_or_create(
        procedure=procedure,
        version=1,
        defaults={
            "status": ProcedureVersion.Status.PUBLISHED,
            "effective_from": date(2025, 1, 1),
            "name": "Thủ tục thử nghiệm thống kê",
            "field": field,
            "implementing_level": ProcedureVersion.ImplementingLevel.COMMUNE,
            "implementing_text": "UBND cấp xã",
            "time_limit_value": 5,
            "time_limit_unit": "working_days",
            "result": "Giấy xác nhận",
        },
    )
    return version


def store(
    version: ProcedureVersion, agency: Agency, steps: list[Step], due_at: datetime | None
) -> Dossier:
    """One dossier handled (and received) by `agency` with exactly these steps."""
    dossier = Dossier.objects.create(
        code=f"{agency.identifier_code}-TK-{next(_codes):06d}",
        procedure_version=version,
        receiving_agency=agency,
        handling_agency=agency,
        channel=2 if steps[0].action == "submit" else 1,
        status=steps[-1].to_status,
        applicant_name="Nguyễn Văn Thống",
        applicant_id_number="001085012345",
        delivery_option="counter",
        fee_total=0,
        submitted_at=steps[0].at,
        due_at=due_at,
    )
    DossierTransition.objects.bulk_create(
        DossierTransition(
            dossier=dossier,
            seq=seq,
            action=step.action,
            from_status=step.from_status,
            to_status=step.to_status,
            agency=agency,
            at=step.at,
        )
        for seq, step in enumerate(steps, start=1)
    )
    return dossier
