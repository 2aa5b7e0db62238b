"""Where an online dossier is received and who handles it (Decree 61/2018 Art. 16–18; onestop.md
§1.1: the provincial centre receives for the departments, a commune's one-stop office for its
commune; centres accept dossiers regardless of administrative boundary inside the province)."""

from __future__ import annotations

from django.db.models import QuerySet

from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import ProcedureVersion


def receiving_choices(version: ProcedureVersion) -> QuerySet[Agency]:
    """The agencies a citizen may file this procedure with."""
    if version.implementing_level == ProcedureVersion.ImplementingLevel.COMMUNE:
        return Agency.objects.filter(
            kind=Agency.Kind.COMMUNE_COMMITTEE, is_active=True
        ).select_related("administrative_unit")
    centres = Agency.objects.filter(kind=Agency.Kind.SERVICE_CENTRE, is_active=True)
    if centres.exists():
        return centres
    return version.agencies.filter(is_active=True)


def accepts_online(version: ProcedureVersion, agency: Agency) -> bool:
    """Whether `agency` is one of `receiving_choices(version)`. For a commune-level procedure
    (most online dossiers) the agency's own row answers, with no query."""
    if version.implementing_level == ProcedureVersion.ImplementingLevel.COMMUNE:
        return agency.kind == Agency.Kind.COMMUNE_COMMITTEE and agency.is_active
    return receiving_choices(version).filter(pk=agency.pk).exists()


def handling_agency_for(version: ProcedureVersion, receiving: Agency) -> Agency:
    """The competent agency: the commune itself, or the department named by the procedure."""
    if version.implementing_level == ProcedureVersion.ImplementingLevel.COMMUNE:
        return receiving
    competent = version.agencies.filter(is_active=True).order_by("path").first()
    return competent or receiving


def default_receiving_agency(version: ProcedureVersion) -> Agency | None:
    choices = receiving_choices(version)
    return choices.first() if choices.count() == 1 else None
