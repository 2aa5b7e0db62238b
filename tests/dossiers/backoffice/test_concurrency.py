"""Two officers act on the same dossier at the same moment, each on their own PostgreSQL
connection (the SQLite test database is one in-memory connection, so it cannot race): exactly one
transition is recorded and the other officer is told the dossier was already handled."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import Conflict
from chinhquyen.dossiers import handling
from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.org.models import Role
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import World, fresh
from tests.factories import staff_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (the SQLite test database is in memory)")


def _at_once(calls: list[tuple[Any, str, dict[str, Any]]], dossier: Dossier) -> list[Any]:
    """Run each (user, action, data) in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    seen = handling.last_seq(dossier)
    outcomes: list[Any] = []

    def run(user: Any, action: str, data: dict[str, Any]) -> None:
        try:
            barrier.wait()
            outcomes.append(
                handling.do_transition_dossier(
                    dossier, action, acting_user=user, expected_seq=seen, **data
                )
            )
        except BaseException as error:  # the Conflict, or anything unexpected
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def slow_action(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the row lock a while inside the action, so the second officer really waits on it."""
    checked = handling.process_for

    def slow(version: Any) -> Any:
        time.sleep(0.3)
        return checked(version)

    monkeypatch.setattr(handling, "process_for", slow)


def test_two_officers_accept_the_same_dossier(
    on_postgres: None, world: World, slow_action: None
) -> None:
    second = staff_with_role(world.province.agency_a, Role.ONE_STOP_OFFICER, username="motcua_a2")
    dossier = submitted_dossier(world.people.citizen, world.version)
    audits = AuditEvent.objects.count()
    outcomes = _at_once([(world.officer, "accept", {}), (second, "accept", {})], dossier)
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1, outcomes
    assert conflicts[0].code == "already_handled"
    assert conflicts[0].message.startswith("Hồ sơ đã được xử lý bởi người khác (Tiếp nhận hồ sơ")
    dossier = fresh(dossier)
    assert list(dossier.transitions.values_list("action", flat=True)) == ["submit", "accept"]
    assert dossier.status == Status.ACCEPTED
    assert AuditEvent.objects.count() == audits + 1


def test_one_accepts_while_the_other_refuses(
    on_postgres: None, world: World, slow_action: None
) -> None:
    second = staff_with_role(world.province.agency_a, Role.ONE_STOP_OFFICER, username="motcua_a2")
    dossier = submitted_dossier(world.people.citizen, world.version)
    outcomes = _at_once(
        [(world.officer, "accept", {}), (second, "refuse", {"reasons": ["Sai thẩm quyền"]})],
        dossier,
    )
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    dossier = fresh(dossier)
    assert dossier.transitions.count() == 2
    assert dossier.status in (Status.ACCEPTED, Status.REFUSED)
