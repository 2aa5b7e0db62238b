"""Reading the catalogue. The catalogue is public, so there are no `access_*` helpers here; a
dossier pins the version it was filed under and reads that version, never `version_in_force`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion

FORMAT = "chinhquyen.procedures/1"


def _in_force_on(on_date: date) -> Q:
    return Q(status=ProcedureVersion.Status.PUBLISHED, effective_from__lte=on_date) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on_date)
    )


def version_in_force(procedure: Procedure, on_date: date | None = None) -> ProcedureVersion | None:
    """The published version whose effective period covers `on_date` (today by default)."""
    on_date = on_date or timezone.localdate()
    return procedure.versions.filter(_in_force_on(on_date)).order_by("-effective_from").first()


def published_catalogue(on_date: date | None = None) -> QuerySet[ProcedureVersion]:
    """Every version in force on `on_date`, one per procedure (periods never overlap)."""
    on_date = on_date or timezone.localdate()
    return (
        ProcedureVersion.objects.filter(_in_force_on(on_date))
        .select_related("procedure", "field")
        .order_by("field__name", "name")
    )


def latest_version(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.order_by("-version").first()


def decimal_text(value: Decimal) -> str:
    """`Decimal("0.50")` → `"0.5"`, `Decimal("1E+2")` → `"100"`: the format's decimal strings."""
    return format(value.normalize(), "f") if value else "0"


def field_as_data(field: Field) -> dict[str, Any]:
    return {"code": field.code, "name": field.name}


def version_as_data(version: ProcedureVersion) -> dict[str, Any]:
    """One entry of `procedures` in the exchange format (docs/catalogue-format.md)."""
    return {
        "national_code": version.procedure.national_code,
        "version": version.version,
        "status": version.status,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "name": version.name,
        "field": version.field.code,
        "audiences": list(version.audiences),
        "online_level": version.online_level,
        "legacy_level": version.legacy_level,
        "implementing_level": version.implementing_level,
        "implementing_text": version.implementing_text,
        "agencies": sorted(version.agencies.values_list("identifier_code", flat=True)),
        "time_limit": {
            "value": decimal_text(version.time_limit_value),
            "unit": version.time_limit_unit,
            "note": version.time_limit_note,
        },
        "result": version.result,
        "delivery_options": list(version.delivery_options),
        "steps_text": version.steps_text,
        "conditions_text": version.conditions_text,
        "legal_basis": list(version.legal_basis),
        "documents": [
            {
                "name": doc.name,
                "originals": doc.originals,
                "copies": doc.copies,
                "required": doc.required,
                "reusable": doc.reusable,
                "template_name": doc.template_name,
                "note": doc.note,
            }
            for doc in version.documents.order_by("order")
        ],
        "fees": [
            {
                "kind": fee.kind,
                "name": fee.name,
                "amount": decimal_text(fee.amount),
                "rule": fee.rule,
                "note": fee.note,
            }
            for fee in version.fees.order_by("pk")
        ],
        "eform": version.eform_schema,
        "process": version.process,
    }


def catalogue_as_data() -> dict[str, Any]:
    """The whole catalogue, drafts included, in the exchange format."""
    versions = ProcedureVersion.objects.select_related("procedure", "field").order_by(
        "procedure__national_code", "version"
    )
    return {
        "format": FORMAT,
        "fields": [field_as_data(field) for field in Field.objects.order_by("code")],
        "procedures": [version_as_data(version) for version in versions],
    }
