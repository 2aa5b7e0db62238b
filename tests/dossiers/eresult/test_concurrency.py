"""Two clerks issue the same electronic result at the same moment, each on their own PostgreSQL
connection: both may sign (each signature is audited), but exactly one result is recorded and
delivered, and the other clerk is told the dossier was already handled."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from chinhquyen.core.errors import Conflict
from chinhquyen.dossiers import eresult
from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import DocumentRole, Status
from chinhquyen.org.models import Role
from tests.dossiers.backoffice.conftest import fresh
from tests.dossiers.eresult.conftest import EWorld, fresh_code, online_dossier, to_approval
from tests.factories import staff_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (the SQLite test database is in memory)")


def test_two_clerks_issue_the_same_result(on_postgres: None, eworld: EWorld) -> None:
    ew = eworld
    second = staff_with_role(ew.world.province.agency_a, Role.CLERK, username="vanthu_a2")
    dossier = to_approval(ew, online_dossier(ew))
    leader = ew.people.leader_a
    eresult.do_approve_and_sign(
        dossier, acting_user=leader, expected_seq=last_seq(dossier),
        certificate=ew.person_certificate, second_factor_code=fresh_code(leader),
    )  # fmt: skip
    dossier = fresh(dossier)
    seen = last_seq(dossier)
    codes = {clerk.pk: fresh_code(clerk) for clerk in (ew.people.clerk_a, second)}
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def issue(clerk: Any) -> None:
        try:
            barrier.wait()
            outcomes.append(
                eresult.do_issue_electronic_result(
                    dossier,
                    acting_user=clerk,
                    expected_seq=seen,
                    certificate=ew.organisation_certificate,
                    second_factor_code=codes[clerk.pk],
                )
            )
        except BaseException as error:  # the Conflict, or anything unexpected
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(c,)) for c in (ew.people.clerk_a, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1, outcomes
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED
    assert dossier.documents.filter(role=DocumentRole.RESULT).count() == 1
    actions = list(dossier.transitions.filter(seq__gt=seen).values_list("action", flat=True))
    assert actions == ["record_result", "return_result"]
