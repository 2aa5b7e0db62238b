"""The benchmark data generator (bench/generate_dossiers.py) on the test database: 2,000 dossiers
on the demo province, checked the way the application reads them, so the generator cannot rot
silently while the models move on. PostgreSQL only: the generator writes with COPY."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from bench.dossier_lifecycle import MAX_STEPS
from bench.generate_dossiers import Stats, generate
from chinhquyen.core.demo.loader import load_demo
from chinhquyen.dossiers.codes import next_dossier_code
from chinhquyen.dossiers.models import (
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierTransition,
    Status,
)
from chinhquyen.dossiers.routing import handling_agency_for, receiving_choices
from chinhquyen.org.identity import validate_enterprise_code, validate_personal_id, validate_phone
from chinhquyen.org.models import Agency

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = date(2026, 11, 20)
COUNT = 2_000
CODE = re.compile(r"(?P<agency>[0-9A-Z.]+)-(?P<day>\d{6})-(?P<number>\d{4,})")
CLOSED = {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.DONE, Status.RETURNED}


@pytest.mark.django_db
def test_generated_dossiers_read_like_real_ones() -> None:
    """One generation (the demo province takes seconds to load), every property checked on it."""
    if connection.vendor != "postgresql":
        pytest.skip("the generator writes with PostgreSQL COPY")
    load_demo(sample_dossiers=False)  # every dossier here is the generator's
    centre = Agency.objects.get(kind=Agency.Kind.SERVICE_CENTRE)
    # A real submission already took number 1 of a generated day: the generator continues after.
    taken = next_dossier_code(centre, at=datetime(2026, 11, 18, 9, 0, tzinfo=VIETNAM))
    stats = generate(COUNT, seed=7, until=UNTIL, days=120, batch_size=700)
    check_counts_channels_and_places(stats)
    check_codes_and_counters(taken)
    check_transitions_follow_the_status()
    check_applicant_identifiers()


def check_counts_channels_and_places(stats: Stats) -> None:
    assert Dossier.objects.count() == stats.dossiers == COUNT
    assert DossierTransition.objects.count() == stats.transitions
    online = Dossier.objects.filter(channel=Channel.ONLINE).count() / COUNT
    counter = Dossier.objects.filter(channel=Channel.COUNTER).count() / COUNT
    assert 0.33 < online < 0.47 and 0.43 < counter < 0.57
    for dossier in Dossier.objects.select_related(
        "procedure_version", "receiving_agency", "handling_agency"
    ):
        version = dossier.procedure_version
        assert version.effective_from <= dossier.submitted_at.astimezone(VIETNAM).date()
        # Where the application itself would receive and route it (dossiers.routing).
        assert dossier.receiving_agency in receiving_choices(version)
        assert dossier.handling_agency == handling_agency_for(version, dossier.receiving_agency)
        if version.implementing_level == "commune":
            assert dossier.receiving_agency.kind == Agency.Kind.COMMUNE_COMMITTEE
        else:
            assert dossier.receiving_agency.kind == Agency.Kind.SERVICE_CENTRE
        if dossier.channel == Channel.ONLINE:
            assert version.online_level in ("full", "partial")


def check_codes_and_counters(taken: str) -> None:
    numbers: dict[tuple[int, date], list[int]] = defaultdict(list)
    for code, agency_id, agency_code, submitted_at in Dossier.objects.values_list(
        "code", "receiving_agency_id", "receiving_agency__identifier_code", "submitted_at"
    ):
        match = CODE.fullmatch(code)
        assert match, code
        day = submitted_at.astimezone(VIETNAM).date()
        assert match["agency"] == agency_code
        assert match["day"] == f"{day:%y%m%d}"
        numbers[(agency_id, day)].append(int(match["number"]))
    assert sum(len(n) for n in numbers.values()) == COUNT  # codes unique: the index holds too
    counters = {(c.agency_id, c.day): c.last_number for c in DossierCodeCounter.objects.all()}
    for key, used in numbers.items():
        first = 2 if taken.endswith(f"-{key[1]:%y%m%d}-0001") and key[0] == _centre_id() else 1
        assert sorted(used) == list(range(first, counters[key] + 1)), key
    # The next real submission continues after the generated numbers.
    centre, day = Agency.objects.get(pk=_centre_id()), date(2026, 11, 18)
    after = next_dossier_code(centre, at=datetime(2026, 11, 18, 16, 0, tzinfo=VIETNAM))
    assert int(after.rsplit("-", 1)[1]) == counters[(centre.pk, day)] + 1
    assert not Dossier.objects.filter(code=after).exists()


def _centre_id() -> int:
    return Agency.objects.get(kind=Agency.Kind.SERVICE_CENTRE).pk


def check_transitions_follow_the_status() -> None:
    steps: dict[int, list[DossierTransition]] = defaultdict(list)
    for transition in DossierTransition.objects.order_by("dossier_id", "seq"):
        steps[transition.dossier_id].append(transition)
    for dossier in Dossier.objects.all():
        history = steps[dossier.pk]
        assert 1 <= len(history) <= MAX_STEPS
        assert [t.seq for t in history] == list(range(1, len(history) + 1))
        assert history[0].from_status is None
        assert history[0].action == ("submit" if dossier.channel == Channel.ONLINE else "receive")
        for before, after in pairwise(history):
            assert after.from_status == before.to_status and after.at >= before.at
        assert history[-1].to_status == dossier.status
        if len(history) == 1:  # only just submitted or received at the end of the period
            assert dossier.status in (Status.SUBMITTED, Status.ACCEPTED)
        received = any(t.action in ("receive", "accept") for t in history)
        assert (dossier.received_at is not None) == received
        assert (dossier.due_at is not None) == received
        assert (dossier.finished_at is not None) == (dossier.status in CLOSED)
        assert (dossier.returned_at is not None) == (dossier.status == Status.RETURNED)
        assert history[0].at == dossier.submitted_at


def check_applicant_identifiers() -> None:
    for kind, id_number, phone, name in Dossier.objects.values_list(
        "applicant_kind", "applicant_id_number", "applicant_phone", "applicant_name"
    ):
        if kind == 1:
            validate_enterprise_code(id_number)
        else:
            validate_personal_id(id_number, today=UNTIL)
        validate_phone(phone)
        assert len(name.split()) >= 3
