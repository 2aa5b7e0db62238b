import threading

import pytest
from django.db import IntegrityError, connection, transaction

from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.org.actions import do_change_agency_code, do_close_agency, do_create_agency
from chinhquyen.org.codes import validate_identifier_code
from chinhquyen.org.models import Agency, AgencyCode


@pytest.mark.parametrize(
    "code", ["000.00.00.H33", "000.00.01.H33", "123.45.67.G22", "H37.DN.001", "G22", "K33.01"]
)
def test_well_formed_codes_pass(code: str) -> None:
    validate_identifier_code(code)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("000.00.00.h33", "chữ in hoa"),
        ("000-00-00-H33", "chữ in hoa"),
        ("00.00.00.H33", "không đúng định dạng"),
        ("000.00.00.33H", "không đúng định dạng"),
        ("H33..01", "không đúng định dạng"),
        ("H33." + "1" * 40, "tối đa 35"),
        ("", "để trống"),
    ],
)
def test_malformed_codes_are_refused_with_a_clear_message(code: str, fragment: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        validate_identifier_code(code)
    assert fragment in caught.value.messages[0]


@pytest.mark.django_db
def test_create_refuses_malformed_code_and_saves_nothing() -> None:
    with pytest.raises(DomainError) as caught:
        do_create_agency(
            acting_user=None,
            identifier_code="abc",
            name="Sở X",
            abbreviation="SX",
            kind="department",
        )
    assert caught.value.field == "identifier_code"
    assert not Agency.objects.exists() and not AgencyCode.objects.exists()


def _create(code: str, name: str = "Sở Y") -> Agency:
    return do_create_agency(
        acting_user=None, identifier_code=code, name=name, abbreviation="SY", kind="department"
    )


@pytest.mark.django_db
def test_two_agencies_cannot_share_a_code() -> None:
    _create("000.00.05.H33")
    with pytest.raises(Conflict, match="đã được cấp"):
        _create("000.00.05.H33", name="Sở Z")
    assert Agency.objects.count() == 1


@pytest.mark.django_db
def test_database_constraint_holds_without_the_action() -> None:
    _create("000.00.05.H33")
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(
            identifier_code="000.00.05.H33", name="Z", abbreviation="Z", kind="department"
        )


@pytest.mark.django_db
def test_recoding_keeps_history_and_closed_codes_are_never_reused() -> None:
    agency = _create("000.00.05.H33")
    do_change_agency_code(agency, "000.00.06.H33", acting_user=None, reason="Sắp xếp 2025")
    history = list(agency.code_history.order_by("valid_from").values_list("code", "valid_to"))
    assert history[0][0] == "000.00.05.H33" and history[0][1] is not None
    assert history[1] == ("000.00.06.H33", None)
    with pytest.raises(Conflict):
        _create("000.00.05.H33", name="Sở khác")


@pytest.mark.django_db
def test_closing_keeps_the_code_reserved() -> None:
    agency = _create("000.00.00.H54", name="UBND tỉnh Thái Bình")
    do_close_agency(agency, acting_user=None, reason="Hợp nhất vào tỉnh Hưng Yên (2025)")
    agency.refresh_from_db()
    assert not agency.is_active
    with pytest.raises(Conflict):
        _create("000.00.00.H54", name="Cơ quan mới")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_of_one_code_yield_one_agency() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            _create("000.00.09.H33", name=f"Sở {i}")
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["created"]
    assert Agency.objects.filter(identifier_code="000.00.09.H33").count() == 1
