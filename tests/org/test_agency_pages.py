import pytest

from chinhquyen.audit.models import AuditEvent
from chinhquyen.org.models import Agency
from tests.conftest import Personas, Province, client_for

pytestmark = pytest.mark.django_db


def test_staff_home_shows_agency_and_roles(personas: Personas) -> None:
    page = client_for(personas.officer_a).get("/can-bo/").content.decode()
    assert "Sở Tư pháp" in page and "Cán bộ một cửa" in page


def test_agency_list_is_scoped(personas: Personas) -> None:
    page = client_for(personas.officer_b).get("/can-bo/co-quan/").content.decode()
    assert "Sở Xây dựng" in page and "Sở Tư pháp" not in page
    everything = client_for(personas.inspector).get("/can-bo/co-quan/").content.decode()
    assert "Sở Xây dựng" in everything and "Sở Tư pháp" in everything


def test_agency_admin_edits_and_it_is_audited(personas: Personas, province: Province) -> None:
    url = f"/can-bo/co-quan/{province.agency_a.pk}/sua/"
    response = client_for(personas.admin_a).post(
        url, {"name": "Sở Tư pháp tỉnh Thử nghiệm", "short_name": "STP", "abbreviation": "STP"}
    )
    assert response.status_code == 302
    province.agency_a.refresh_from_db()
    assert province.agency_a.name == "Sở Tư pháp tỉnh Thử nghiệm"
    event = AuditEvent.objects.get(action="agency.update")
    assert event.before is not None and event.before["name"] == "Sở Tư pháp"
    assert event.actor == personas.admin_a


def test_officer_cannot_administer_own_agency(personas: Personas, province: Province) -> None:
    url = f"/can-bo/co-quan/{province.agency_a.pk}/sua/"
    assert client_for(personas.officer_a).get(url).status_code == 403


def test_malformed_code_in_the_form_shows_a_message(personas: Personas, province: Province) -> None:
    url = f"/can-bo/co-quan/{province.agency_a.pk}/don-vi-moi/"
    data = {"name": "Phòng mới", "abbreviation": "PM", "identifier_code": "abc", "kind": "unit"}
    response = client_for(personas.admin_a).post(url, data)
    assert response.status_code == 200
    assert "chữ in hoa" in response.content.decode()
    assert not Agency.objects.filter(name="Phòng mới").exists()


def test_admin_creates_a_child_unit(personas: Personas, province: Province) -> None:
    url = f"/can-bo/co-quan/{province.agency_a.pk}/don-vi-moi/"
    data = {"name": "Phòng mới", "abbreviation": "PM", "identifier_code": "000.02.01.H99"}
    response = client_for(personas.admin_a).post(url, {**data, "kind": "unit"})
    assert response.status_code == 302
    child = Agency.objects.get(name="Phòng mới")
    assert child.parent == province.agency_a and child.is_within(province.agency_a)


def test_api_scoping_and_structured_errors(personas: Personas, province: Province) -> None:
    client = client_for(personas.admin_a)
    url = f"/api/v1/org/agencies/{province.agency_a.pk}"
    assert client.get(url).json()["identifier_code"] == "000.00.01.H99"
    bad = client.put(url, {"name": " ", "abbreviation": "X"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json() == {"code": "invalid", "message": bad.json()["message"], "field": "name"}
    other = client.get(f"/api/v1/org/agencies/{province.agency_b.pk}")
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    me = client.get("/api/v1/org/me").json()
    assert me["roles"][0]["role"] == "agency_admin"


def test_system_admin_revokes_a_role_in_the_admin(personas: Personas) -> None:
    from chinhquyen.org.models import RoleAssignment

    assignment = RoleAssignment.objects.get(user=personas.officer_b)
    client = client_for(personas.sysadmin)
    url = f"/quan-tri/org/roleassignment/{assignment.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1
    assert client_for(personas.officer_b).get("/can-bo/").status_code == 403


def test_system_admin_role_only_at_the_root(personas: Personas, province: Province) -> None:
    from chinhquyen.core.errors import DomainError
    from chinhquyen.org.actions import do_grant_role

    with pytest.raises(DomainError, match="cơ quan gốc"):
        do_grant_role(personas.officer_b, province.agency_b, "system_admin", acting_user=None)
    personas.officer_b.refresh_from_db()
    assert not personas.officer_b.is_superuser


def test_admin_refuses_a_code_from_history_with_a_form_error(
    personas: Personas, province: Province
) -> None:
    from chinhquyen.org.actions import do_change_agency_code

    do_change_agency_code(province.unit_a, "000.09.09.H99", acting_user=None)
    client = client_for(personas.sysadmin)
    url = f"/quan-tri/org/agency/{province.agency_b.pk}/change/"
    data = {
        "identifier_code": "000.01.01.H99",  # unit_a's former code, closed but reserved
        "name": province.agency_b.name,
        "abbreviation": "SXD",
        "kind": "department",
        "code_history-TOTAL_FORMS": "0",
        "code_history-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "đã được cấp" in response.content.decode()
    province.agency_b.refresh_from_db()
    assert province.agency_b.identifier_code == "000.00.02.H99"


def test_admin_password_change_is_audited(personas: Personas) -> None:
    client = client_for(personas.sysadmin)
    url = f"/quan-tri/org/user/{personas.officer_a.pk}/password/"
    data = {"password1": "Mat-khau-moi-2026!", "password2": "Mat-khau-moi-2026!"}
    response = client.post(url, {**data, "usable_password": "true"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="user.admin_change", object_id=str(personas.officer_a.pk)
    ).exists()


def test_staff_page_shows_only_roles_in_my_subtrees(personas: Personas, province: Province) -> None:
    from chinhquyen.org.actions import do_grant_role

    do_grant_role(personas.officer_b, province.agency_a, "specialist", acting_user=None)
    page = client_for(personas.admin_a).get(f"/can-bo/nhan-su/{personas.officer_b.pk}/")
    assert page.status_code == 200
    assert "Sở Tư pháp" in page.content.decode()
    assert "Sở Xây dựng" not in page.content.decode()


def test_closed_agencies_take_no_children_and_no_new_code(province: Province) -> None:
    from chinhquyen.core.errors import DomainError
    from chinhquyen.org.actions import do_change_agency_code, do_close_agency, do_create_agency

    do_close_agency(province.unit_a, acting_user=None, reason="Sáp nhập")
    with pytest.raises(DomainError):
        do_create_agency(
            acting_user=None,
            identifier_code="001.01.01.H99",
            name="Tổ mới",
            abbreviation="TM",
            kind="unit",
            parent=province.unit_a,
        )
    with pytest.raises(DomainError):
        do_change_agency_code(province.unit_a, "000.08.08.H99", acting_user=None)
