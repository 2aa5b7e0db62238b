"""PostgreSQL keeps the facts table in the transaction of each transition (trigger), follows a
moved due date or handling agency, and equals the rows folded afresh."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection

from chinhquyen.dossiers.models import DossierTransition
from chinhquyen.reports.facts import instant
from chinhquyen.reports.models import DossierFacts
from chinhquyen.reports.statistics import agency_statistics
from tests.reports.builders import Step, store, vn
from tests.reports.conftest import Province

pytestmark = pytest.mark.postgres
MONTH = (vn("2026-11-01", "00:00"), vn("2026-12-01", "00:00"))
NOW = vn("2026-12-15")


def microseconds(moment: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {instant('postgresql', '%s')}", [moment])
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_each_transition_and_due_date_move_updates_the_facts(stats_province: Province) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the facts table is kept by PostgreSQL triggers")
    received = [
        Step("receive", None, 2, vn("2026-11-02")),
        Step("forward", 2, 4, vn("2026-11-02", "09:00")),
    ]
    dossier = store(
        stats_province.version, stats_province.commune_a, received, vn("2026-11-05", "17:00")
    )
    facts = DossierFacts.objects.get(dossier=dossier)
    assert facts.received_at == microseconds(vn("2026-11-02")) and facts.done_at is None
    assert agency_statistics(stats_province.commune_a, *MONTH, now=NOW).in_progress_overdue == 1

    DossierTransition.objects.create(
        dossier=dossier, seq=3, action="record_result", from_status=4, to_status=9,
        agency=stats_province.commune_a, at=vn("2026-11-06"),
    )  # fmt: skip
    assert DossierFacts.objects.get(dossier=dossier).done_at == microseconds(vn("2026-11-06"))
    assert agency_statistics(stats_province.commune_a, *MONTH, now=NOW).resolved_late == 1

    dossier.due_at = vn("2026-11-05", "17:00") + timedelta(days=3)  # the apology's new date
    dossier.save()
    assert agency_statistics(stats_province.commune_a, *MONTH, now=NOW).resolved_early == 1

    dossier.handling_agency = stats_province.commune_b
    dossier.save()
    assert agency_statistics(stats_province.commune_a, *MONTH, now=NOW).resolved == 0
    assert agency_statistics(stats_province.commune_b, *MONTH, now=NOW).resolved == 1
    assert (
        agency_statistics(stats_province.commune_b, *MONTH, now=NOW, from_rows=True).resolved == 1
    )
