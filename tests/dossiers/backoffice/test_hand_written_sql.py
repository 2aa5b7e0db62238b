"""core.sql's hand-written statements on the back office's hot path (ADR 0018, performance):
each must give what the ORM gives — same values, same types, same conversions — on SQLite and
PostgreSQL, or the engine would quietly work on a different dossier than the page shows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model

from chinhquyen.audit.actions import record_audit
from chinhquyen.audit.models import AuditChainHead
from chinhquyen.audit.queries import find_first_break
from chinhquyen.core.sql import (
    first_where,
    from_db_value,
    get_with_related,
    insert_returning_pk,
    update_columns,
)
from chinhquyen.dossiers.models import Dossier, DossierTransition
from chinhquyen.notifications.actions import do_enqueue_notification
from chinhquyen.notifications.models import MessageTemplate, OutboxMessage
from tests.dossiers.backoffice.conftest import World, act, at, receive

pytestmark = pytest.mark.django_db(transaction=False)

WHEN = at("2026-03-02 09:00")


def _values(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_locked_dossier_equals_the_orm_read_with_its_related_rows(world: World) -> None:
    dossier = receive(world, WHEN)
    act(dossier, "forward", world.officer, WHEN, unit=world.province.unit_a)
    expected = Dossier.objects.select_related(
        "procedure_version", "receiving_agency", "handling_agency", "current_agency"
    ).get(pk=dossier.pk)
    related = ("procedure_version", "receiving_agency", "handling_agency", "current_agency")

    got = get_with_related(Dossier, dossier.pk, related=related, lock=True)

    assert _values(got) == _values(expected)
    for name in related:
        assert _values(getattr(got, name)) == _values(getattr(expected, name))
    assert got.current_agency == world.province.unit_a
    assert got._state.adding is False


def test_an_empty_link_is_none_and_a_missing_row_raises_does_not_exist(world: World) -> None:
    dossier = receive(world, WHEN)
    Dossier.objects.filter(pk=dossier.pk).update(current_agency=None)

    got = get_with_related(Dossier, dossier.pk, related=("current_agency",))

    assert got.current_agency is None
    with pytest.raises(Dossier.DoesNotExist):
        get_with_related(Dossier, 987_654_321, related=("current_agency",))


def test_update_columns_writes_only_the_named_columns(world: World) -> None:
    dossier = receive(world, WHEN)
    stale = Dossier.objects.get(pk=dossier.pk)
    stale.applicant_name = "Tên không được ghi"
    stale.step = "tham_dinh"
    stale.step_due_at = at("2026-03-05 17:00")

    update_columns(stale, ["step", "step_due_at", "step"])

    now = Dossier.objects.get(pk=dossier.pk)
    assert (now.step, now.step_due_at) == ("tham_dinh", at("2026-03-05 17:00"))
    assert now.applicant_name == dossier.applicant_name


def test_insert_returning_pk_writes_json_and_dates_as_the_orm_reads_them(world: World) -> None:
    dossier = receive(world, WHEN)
    row = DossierTransition(
        dossier=dossier, seq=99, action="forward", from_status=2, to_status=2,
        agency=world.province.agency_a, at=WHEN, data={"ghi_chú": "Phố Hiến", "n": [1, 2]},
    )  # fmt: skip

    pk = insert_returning_pk(row)

    assert pk == row.pk and row._state.adding is False
    read = DossierTransition.objects.get(pk=pk)
    assert read.data == {"ghi_chú": "Phố Hiến", "n": [1, 2]} and read.at == WHEN


def test_a_conflict_on_the_unique_key_writes_nothing_and_returns_none(world: World) -> None:
    dossier = receive(world, WHEN)
    key = f"dossier:{dossier.code}:test:email"
    context = {
        "ho_ten": "Lê Văn Cường",
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": "Thử",
        "co_quan": "Sở Tư pháp",
        "ngay_nop": WHEN,
        "duong_dan_tra_cuu": "https://example.vn/tra-cuu",
    }

    def enqueue() -> OutboxMessage:
        return do_enqueue_notification(
            "dossier.submitted", "email", "a@example.vn", context, dedupe_key=key
        )

    first, again = enqueue(), enqueue()

    assert again.pk == first.pk
    assert OutboxMessage.objects.filter(dedupe_key=key).count() == 1
    copy = OutboxMessage.objects.get(pk=first.pk)
    copy.pk = None
    assert insert_returning_pk(copy, conflict_on="dedupe_key") is None


def test_first_where_takes_the_template_in_force(db: None) -> None:
    MessageTemplate.objects.filter(code="t.test").delete()
    for version, since in ((1, date(2026, 1, 1)), (2, date(2026, 6, 1)), (3, date(2027, 1, 1))):
        MessageTemplate.objects.create(
            code="t.test", channel="sms", version=version, effective_from=since,
            name="Thử", subject="", body=f"v{version}",
        )  # fmt: skip

    def in_force(on: date) -> MessageTemplate | None:
        return first_where(
            MessageTemplate,
            "t0.code = %s AND t0.channel = %s AND t0.effective_from <= %s",
            ["t.test", "sms", on],
            order_by="t0.effective_from DESC, t0.version DESC",
        )

    assert in_force(date(2025, 12, 31)) is None
    found = in_force(date(2026, 11, 24))
    assert found is not None and found.body == "v2" and found.effective_from == date(2026, 6, 1)


def test_the_audit_chain_stays_whole_with_row_and_head_in_one_statement(world: World) -> None:
    dossier = receive(world, WHEN)
    rows = [record_audit("test.event", obj=dossier, after={"n": n}) for n in range(3)]
    assert rows[1].prev_hash == rows[0].row_hash and rows[2].prev_hash == rows[1].row_hash
    assert AuditChainHead.objects.get(pk=1).last_hash == rows[2].row_hash
    assert find_first_break() is None


def test_hand_read_dates_are_converted_like_the_orm(world: World) -> None:
    dossier = receive(world, WHEN)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT at FROM {DossierTransition._meta.db_table} WHERE dossier_id = %s",  # noqa: S608
            [dossier.pk],
        )
        raw = cursor.fetchone()[0]
    assert from_db_value(DossierTransition, "at", raw) == WHEN
