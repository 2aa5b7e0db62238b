import threading
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.codes import code_format_on, next_dossier_code
from chinhquyen.dossiers.models import DossierCodeCounter
from chinhquyen.org.actions import do_change_agency_code, do_close_agency
from chinhquyen.org.models import Agency
from tests.factories import AgencyFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2025, 10, 15, 9, 30, tzinfo=VN)


@pytest.fixture
def agency(db: None) -> Agency:
    return AgencyFactory.create(identifier_code="000.00.12.H29", name="Sở Tư pháp")


def test_format_and_padding(agency: Agency) -> None:
    codes = [next_dossier_code(agency, at=AT) for _ in range(7)]
    assert codes[0] == "000.00.12.H29-251015-0001"
    assert codes[-1] == "000.00.12.H29-251015-0007"  # the example of onestop.md §2.4


def test_each_agency_and_each_day_counts_from_one(agency: Agency) -> None:
    other = AgencyFactory.create(identifier_code="000.00.13.H29", name="Sở Xây dựng")
    next_dossier_code(agency, at=AT)
    assert next_dossier_code(agency, at=AT).endswith("-251015-0002")
    assert next_dossier_code(other, at=AT) == "000.00.13.H29-251015-0001"
    next_day = datetime(2025, 10, 16, 8, 0, tzinfo=VN)
    assert next_dossier_code(agency, at=next_day) == "000.00.12.H29-251016-0001"
    assert next_dossier_code(agency, at=AT).endswith("-251015-0003")


def test_the_day_is_the_vietnamese_day(agency: Agency) -> None:
    late = datetime(2025, 10, 15, 23, 59, tzinfo=VN)
    early = datetime(2025, 10, 16, 0, 1, tzinfo=VN)
    assert next_dossier_code(agency, at=late) == "000.00.12.H29-251015-0001"
    assert next_dossier_code(agency, at=early) == "000.00.12.H29-251016-0001"
    # 17:30 UTC on the 15th is 00:30 on the 16th in Vietnam: the second dossier of the 16th.
    utc_instant = datetime(2025, 10, 15, 17, 30, tzinfo=UTC)
    assert next_dossier_code(agency, at=utc_instant) == "000.00.12.H29-251016-0002"


def test_a_naive_instant_is_refused(agency: Agency) -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        next_dossier_code(agency, at=datetime(2025, 10, 15, 9, 30))


def test_a_closed_agency_cannot_receive(agency: Agency) -> None:
    do_close_agency(agency, acting_user=None, reason="Sắp xếp 2025")
    with pytest.raises(DomainError, match="ngừng hoạt động") as caught:
        next_dossier_code(agency, at=AT)
    assert caught.value.code == "agency_closed"
    assert not DossierCodeCounter.objects.exists()


def test_the_current_identifier_code_is_used_after_recoding(agency: Agency) -> None:
    stale = Agency.objects.get(pk=agency.pk)
    next_dossier_code(agency, at=AT)
    do_change_agency_code(agency, "000.00.14.H29", acting_user=None, reason="Sắp xếp 2025")
    assert next_dossier_code(stale, at=AT) == "000.00.14.H29-251015-0002"


def test_past_9999_the_number_widens_and_never_repeats(agency: Agency) -> None:
    DossierCodeCounter.objects.create(agency=agency, day=AT.date(), last_number=9998)
    assert next_dossier_code(agency, at=AT) == "000.00.12.H29-251015-9999"
    assert next_dossier_code(agency, at=AT) == "000.00.12.H29-251015-10000"
    assert next_dossier_code(agency, at=AT) == "000.00.12.H29-251015-10001"


def test_a_rolled_back_reception_gives_its_number_back(agency: Agency) -> None:
    next_dossier_code(agency, at=AT)
    with pytest.raises(RuntimeError), transaction.atomic():
        next_dossier_code(agency, at=AT)
        raise RuntimeError("dossier creation failed")
    assert next_dossier_code(agency, at=AT).endswith("-0002")


def test_format_registry_is_keyed_by_effective_date() -> None:
    assert code_format_on(date(2026, 7, 1)).min_digits == 4
    with pytest.raises(ValueError, match="Không có định dạng"):
        code_format_on(date(2017, 1, 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_receptions_get_distinct_gapless_numbers() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (the SQLite test database is in memory)")
    agency = AgencyFactory.create(identifier_code="000.00.12.H29", name="Sở Tư pháp")
    threads_count, per_thread = 16, 25
    barrier = threading.Barrier(threads_count)
    codes: list[str] = []
    errors: list[BaseException] = []

    def receive() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction.atomic():  # the caller's dossier-creation transaction
                    codes.append(next_dossier_code(agency, at=AT))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = threads_count * per_thread
    assert len(set(codes)) == len(codes) == total
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, total + 1))
    assert all(code.startswith("000.00.12.H29-251015-") for code in codes)
