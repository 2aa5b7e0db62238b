"""Load the demo province through the org actions. Idempotent: every agency is looked up by its
identifier code and every persona by username before anything is created, so a second run
creates nothing and writes no audit row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from chinhquyen.core.demo import agencies as data
from chinhquyen.core.demo.personas import CITIZEN_PERSONAS, PERSONAS, CitizenPersona, Persona
from chinhquyen.org.actions import (
    do_close_agency,
    do_create_agency,
    do_create_staff_user,
    do_grant_role,
)
from chinhquyen.org.adminunits import (
    FORMER_VALID_TO,
    load_administrative_units,
    province_code,
)
from chinhquyen.org.citizens import do_create_verified_citizen
from chinhquyen.org.models import AdministrativeUnit, Agency, User


@dataclass
class DemoResult:
    agencies_created: int = 0
    users_created: int = 0
    procedures_created: int = 0
    warnings: list[str] = field(default_factory=list)


class _Tree:
    """Agencies by code, loaded once; creates through do_create_agency only when missing."""

    def __init__(self, result: DemoResult) -> None:
        self.by_code = {a.identifier_code: a for a in Agency.objects.all()}
        self.result = result

    def ensure(
        self,
        code: str,
        name: str,
        abbreviation: str,
        kind: str,
        parent: Agency | None,
        *,
        short_name: str = "",
        unit: AdministrativeUnit | None = None,
    ) -> Agency:
        agency = self.by_code.get(code)
        if agency is None:
            agency = do_create_agency(
                acting_user=None,
                identifier_code=code,
                name=name,
                abbreviation=abbreviation,
                kind=kind,
                parent=parent,
                short_name=short_name,
                administrative_unit=unit,
            )
            self.by_code[code] = agency
            self.result.agencies_created += 1
        return agency


def load_demo(*, sample_dossiers: bool = True) -> DemoResult:
    """Load (or complete) the demo province. The caller checks that DEBUG is on.
    `sample_dossiers`: also put three dossiers on the officers' desks (`_load_sample_dossiers`);
    off where a test needs a province without any dossier."""
    result = DemoResult()
    with transaction.atomic():
        load_administrative_units([data.PROVINCE_CODE])
        tree = _Tree(result)
        province = _load_province(tree)
        _load_departments(tree, province)
        _load_communes(tree, province)
        _load_former_thai_binh(tree)
        for persona in PERSONAS:
            _load_persona(persona, tree.by_code[persona.agency_code], result)
        for citizen in CITIZEN_PERSONAS:
            _load_citizen(citizen, tree.by_code[citizen.commune_agency_code], result)
    _load_calendars(result)
    _load_catalogue(result)
    _load_message_templates()
    if sample_dossiers:
        _load_sample_dossiers(tree, result)
    return result


def _province_unit() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(
        level=AdministrativeUnit.Level.PROVINCE,
        code=province_code(data.PROVINCE_CODE),
        valid_to__isnull=True,
    )


def _load_province(tree: _Tree) -> Agency:
    name, short_name, abbreviation = data.PROVINCE_PC
    return tree.ensure(
        f"000.00.00.{data.LEVEL1}",
        name,
        abbreviation,
        Agency.Kind.PEOPLES_COMMITTEE,
        None,
        short_name=short_name,
        unit=_province_unit(),
    )


def _load_departments(tree: _Tree, province: Agency) -> None:
    for department in data.DEPARTMENTS:
        parent = tree.ensure(
            department.code,
            department.name,
            department.abbreviation,
            Agency.Kind.DEPARTMENT,
            province,
        )
        for number, unit in enumerate(department.units, start=1):
            agency = tree.ensure(
                data.unit_code(department.number, number),
                unit.name,
                unit.abbreviation,
                unit.kind,
                parent,
            )
            if unit.kind == Agency.Kind.SERVICE_CENTRE:
                _load_service_points(tree, agency)


def _load_service_points(tree: _Tree, centre: Agency) -> None:
    for number, name, abbreviation, kind, parent_number in data.SERVICE_POINTS:
        parent = tree.by_code[data.service_point_code(parent_number)] if parent_number else centre
        tree.ensure(data.service_point_code(number), name, abbreviation, kind, parent)


def _load_communes(tree: _Tree, province: Agency) -> None:
    communes = AdministrativeUnit.objects.filter(
        level=AdministrativeUnit.Level.COMMUNE, parent=province.administrative_unit, valid_to=None
    )
    # Ordinals follow the ascending GSO code (codes are zero-padded, so text order is numeric).
    for ordinal, commune in enumerate(communes.order_by("code")):
        place = commune.name[0].lower() + commune.name[1:]  # "Phường Phố Hiến" → "phường Phố Hiến"
        tree.ensure(
            data.commune_code(ordinal),
            f"Ủy ban nhân dân {place}",
            "UBND",
            Agency.Kind.COMMUNE_COMMITTEE,
            province,
            short_name=f"UBND {place}",
            unit=commune,
        )


def _load_former_thai_binh(tree: _Tree) -> None:
    """The merged province's PC keeps its row and code history, closed (QĐ 09/2025)."""
    name, short_name, abbreviation = data.FORMER_THAI_BINH_PC
    unit = AdministrativeUnit.objects.get(
        level=AdministrativeUnit.Level.PROVINCE,
        code=province_code(data.FORMER_THAI_BINH_GSO),
        valid_to=FORMER_VALID_TO,
    )
    agency = tree.ensure(
        data.FORMER_THAI_BINH_CODE,
        name,
        abbreviation,
        Agency.Kind.PEOPLES_COMMITTEE,
        None,
        short_name=short_name,
        unit=unit,
    )
    if agency.is_active:
        do_close_agency(
            agency,
            acting_user=None,
            reason="Hợp nhất vào tỉnh Hưng Yên từ 01/07/2025 (NQ 202/2025/QH15); "
            "mã định danh đóng theo QĐ 09/2025/QĐ-TTg.",
        )


def _load_persona(persona: Persona, agency: Agency, result: DemoResult) -> None:
    user = User.objects.filter(username=persona.username).first()
    if user is None:
        user = do_create_staff_user(
            acting_user=None,
            username=persona.username,
            full_name=persona.full_name,
            password=persona.password,
            position=persona.position,
            totp_secret=persona.totp_secret,
            # The demo secret is published in personas.py, so enrolment is taken as done; a
            # real account confirms its secret with a first code at sign-in.
            totp_confirmed=True,
        )
        result.users_created += 1
    do_grant_role(user, agency, persona.role, acting_user=None)


def _load_citizen(persona: CitizenPersona, commune_pc: Agency, result: DemoResult) -> None:
    if User.objects.filter(username=persona.username).exists():
        return
    do_create_verified_citizen(
        acting_user=None,
        username=persona.username,
        full_name=persona.full_name,
        password=persona.password,
        email=persona.email,
        phone=persona.phone,
        personal_id=persona.personal_id,
        date_of_birth=persona.date_of_birth,
        address=persona.address,
        commune=commune_pc.administrative_unit,
    )
    result.users_created += 1


def _load_calendars(result: DemoResult) -> None:
    from chinhquyen.workdays.actions import load_official_schedules

    load_official_schedules(acting_user=None)


def _load_catalogue(result: DemoResult) -> None:
    """The demo procedure catalogue (data/catalogue.json); idempotent like the rest."""
    from chinhquyen.procedures.exchange import load_demo_catalogue

    report = load_demo_catalogue(acting_user=None)
    if report is not None:
        result.procedures_created = len(report.created)


def _load_message_templates() -> None:
    """The Vietnamese notification templates (e-mail and SMS); idempotent."""
    from chinhquyen.notifications.defaults import load_default_templates

    load_default_templates()


# --- A few dossiers on the officers' desks -------------------------------------------------------

_SAMPLE_APPLICANTS = (
    ("Trần Văn Khoa", "033085004321", "0912000111"),
    ("Lê Thị Mai Anh", "033190005678", "0987000222"),
    ("Phạm Đức Thịnh", "033092001234", "0903000333"),
)


def _load_sample_dossiers(tree: _Tree, result: DemoResult) -> None:
    """Three dossiers received at the counters through the back office engine, so the demo's
    worklists are not empty: one at the commune's one-stop office (`motcua.xa`), and two at the
    provincial service centre for Sở Tư pháp — one forwarded to its unit, waiting for
    `truongphong` to assign it, one assigned to `chuyenvien`. Only on a database with no dossier."""
    from chinhquyen.core.demo.personas import COMMUNE_PC, JUSTICE_UNIT, SERVICE_CENTRE
    from chinhquyen.core.errors import DomainError
    from chinhquyen.dossiers.handling import Applicant, do_receive_at_counter, do_transition_dossier
    from chinhquyen.dossiers.models import Dossier

    if Dossier.objects.exists():
        return
    people = {user.username: user for user in User.objects.filter(kind=User.Kind.STAFF)}
    try:
        with transaction.atomic():
            commune = tree.by_code[COMMUNE_PC]
            birth = _published("1.001193.000.00.00.H33")
            name, id_number, phone = _SAMPLE_APPLICANTS[0]
            do_receive_at_counter(
                birth, acting_user=people["motcua.xa"], receiving_agency=commune,
                applicant=Applicant(name, id_number, phone=phone), delivery_option="counter",
            )  # fmt: skip
            justice = _published_for(tree.by_code[JUSTICE_UNIT].parent_id)
            if justice is None:
                return
            for index, (name, id_number, phone) in enumerate(_SAMPLE_APPLICANTS[1:]):
                dossier = do_receive_at_counter(
                    justice, acting_user=people["motcua"],
                    receiving_agency=tree.by_code[SERVICE_CENTRE],
                    applicant=Applicant(name, id_number, phone=phone), delivery_option="counter",
                )  # fmt: skip
                do_transition_dossier(
                    dossier, "forward", acting_user=people["motcua"],
                    unit=tree.by_code[JUSTICE_UNIT],
                )  # fmt: skip
                if index:
                    do_transition_dossier(
                        dossier, "assign", acting_user=people["truongphong"],
                        assignee=people["chuyenvien"],
                    )  # fmt: skip
    except DomainError as error:  # a catalogue edited away from the demo's: no sample, say why
        result.warnings.append(f"Không tạo được hồ sơ mẫu: {error.message}")


def _published(national_code: str) -> Any:
    from chinhquyen.procedures.models import ProcedureVersion

    return (
        ProcedureVersion.objects.filter(
            procedure__national_code=national_code, status=ProcedureVersion.Status.PUBLISHED
        )
        .order_by("-version")
        .first()
    )


def _published_for(agency_id: int | None) -> Any:
    """A published province-level procedure that this agency handles."""
    from chinhquyen.procedures.models import ProcedureVersion

    return (
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED,
            agencies=agency_id,
            implementing_level=ProcedureVersion.ImplementingLevel.PROVINCE,
        )
        .order_by("pk")
        .first()
    )
