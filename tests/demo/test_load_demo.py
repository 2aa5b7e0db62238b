"""The demo province: loaded through the org actions, idempotent, DEBUG only."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pyotp
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.demo.loader import load_demo
from chinhquyen.core.demo.personas import PERSONAS
from chinhquyen.org.codes import validate_identifier_code
from chinhquyen.org.models import AdministrativeUnit, Agency, AgencyCode, Role, RoleAssignment, User
from chinhquyen.org.signin import check_password_step, do_verify_second_factor


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Agency, AgencyCode, User, RoleAssignment, AuditEvent, AdministrativeUnit)
    )


@pytest.fixture
def demo() -> None:
    load_demo()


@pytest.fixture
def debug_on(settings: Any) -> None:
    settings.DEBUG = True  # The test runner forces DEBUG off; the demo commands need it on.


@pytest.mark.django_db
def test_every_commune_of_hung_yen_has_its_peoples_committee(demo: None) -> None:
    communes = AdministrativeUnit.objects.filter(
        level=AdministrativeUnit.Level.COMMUNE, parent__code="33", valid_to=None
    )
    committees = Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE)

    assert communes.count() == 104
    assert committees.count() == 104
    assert set(committees.values_list("administrative_unit", flat=True)) == set(
        communes.values_list("pk", flat=True)
    )
    province = Agency.objects.get(identifier_code="000.00.00.H33")
    assert all(c.parent_id == province.pk for c in committees)


@pytest.mark.django_db
def test_every_agency_code_is_valid_and_in_the_tree(demo: None) -> None:
    agencies = list(Agency.objects.all())

    for agency in agencies:
        validate_identifier_code(agency.identifier_code)
    assert len({a.identifier_code for a in agencies}) == len(agencies)
    assert Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).count() >= 15
    assert Agency.objects.filter(kind=Agency.Kind.SERVICE_CENTRE).count() == 1


@pytest.mark.django_db
def test_former_thai_binh_committee_is_closed_with_its_code(demo: None) -> None:
    agency = Agency.objects.get(identifier_code="000.00.00.H54")

    assert not agency.is_active
    assert agency.administrative_unit is not None
    assert agency.administrative_unit.valid_to is not None
    assert agency.code_history.get().valid_to is not None


@pytest.mark.django_db
def test_second_load_changes_nothing(demo: None) -> None:
    before = _counts()

    result = load_demo()

    assert (result.agencies_created, result.users_created) == (0, 0)
    assert _counts() == before


@pytest.mark.django_db
def test_every_persona_signs_in_with_password_and_totp(demo: None) -> None:
    assert {p.role for p in PERSONAS} == set(Role.values)
    for persona in PERSONAS:
        user = authenticate(username=persona.username, password=persona.password)
        assert user is not None, persona.username
        assert isinstance(user, User)
        assert user.totp_secret == persona.totp_secret
        assert user.totp_confirmed_at is not None
        assert pyotp.TOTP(user.totp_secret).verify(pyotp.TOTP(persona.totp_secret).now())
        assert user.role_assignments.filter(
            role=persona.role, agency__identifier_code=persona.agency_code
        ).exists()


@pytest.mark.django_db
def test_every_persona_passes_the_two_factor_sign_in(demo: None) -> None:
    for persona in PERSONAS:
        step = check_password_step(persona.username, persona.password, source_address="127.0.0.1")
        assert not step.needs_enrolment
        code = pyotp.TOTP(persona.totp_secret).now()
        do_verify_second_factor(step.user, code, source_address="127.0.0.1")


@pytest.mark.django_db
@pytest.mark.usefixtures("debug_on")
def test_command_prints_the_sign_ins() -> None:
    out = StringIO()

    call_command("load_demo", stdout=out, stderr=StringIO())

    for persona in PERSONAS:
        assert persona.username in out.getvalue()
        assert persona.totp_secret in out.getvalue()


@pytest.mark.django_db
def test_refused_when_debug_is_off(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "motcua", stdout=StringIO())
    assert not Agency.objects.exists()


@pytest.mark.usefixtures("debug_on")
def test_demo_totp_prints_the_current_code() -> None:
    out = StringIO()

    call_command("demo_totp", "motcua", stdout=out, stderr=StringIO())

    assert pyotp.TOTP(PERSONAS[0].totp_secret).verify(out.getvalue().strip(), valid_window=1)


@pytest.mark.django_db
def test_the_officers_find_sample_dossiers_on_their_desks(demo: None) -> None:
    """Received through the back office engine: one at the commune's counter, two at the service
    centre for Sở Tư pháp (forwarded; one assigned to `chuyenvien`); a second load adds none."""
    from chinhquyen.dossiers.models import Dossier, Status

    dossiers = Dossier.objects.order_by("code")
    assert dossiers.count() == 3
    assert {d.status for d in dossiers} == {Status.ACCEPTED, Status.PROCESSING}
    assert [d.assignee.username for d in dossiers if d.assignee] == ["chuyenvien"]
    for dossier in dossiers:
        first = dossier.transitions.order_by("seq").first()
        assert first is not None and first.action == "receive"
    load_demo()
    assert Dossier.objects.count() == 3
