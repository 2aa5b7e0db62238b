"""Kill the web process in the middle of a back-office action (issue #5, bad input): a crash
leaves either the whole transition with its side effects scheduled, or nothing.

A real gunicorn serves the app on the test database; the one-stop officer of agency A accepts a
dossier submitted online through `/api/v1/back-office/` (`do_transition_dossier` writes, in one
transaction: the dossier's row lock, the transition row, the dossier's status, step and due
dates, the applicant's e-mail and SMS in the outbox, the audit row last). The test holds a lock
the action needs, waits until the worker is blocked on it, and SIGKILLs the worker:

- on the dossier's row lock (nothing written yet), on the outbox's unique key of the SMS (the
  transition, the dossier and the e-mail written), on the audit chain's head (all but the audit
  row written): nothing is left, the audit chain verifies, and accepting again succeeds whole;
- after the commit, on the broker's file while the delivery is being dispatched: everything is
  there with both messages pending, nothing reached the broker, and the outbox sweep dispatches
  them (ADR 0008); taking the action again is refused as already handled;
- in a unit leader's bulk assignment on the pages (`/can-bo/ho-so/phan-cong/`, one transaction
  per dossier), on the second dossier's lock: the first stays assigned whole, the second and
  third are untouched, and sending the form again for them assigns both.

PostgreSQL only: a second process cannot share the SQLite in-memory test database.
"""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from chinhquyen.audit.models import AuditChainHead, AuditEvent
from chinhquyen.audit.queries import find_first_break
from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import Dossier, DossierTransition, Status
from chinhquyen.notifications.actions import do_sweep_outbox
from chinhquyen.notifications.models import OutboxMessage
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import World, act, receive
from tests.web_process import (
    Answer,
    Session,
    WebProcess,
    flock_waiters,
    kill_while_blocked,
    wait_for_lock_waiter,
    web_process,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ACCEPTED = "dossier.accepted"  # the applicant's notification of the acceptance
# What an action may change on the dossier (handling._POSITION_FIELDS and accept's fields).
POSITION = ("status", "step", "step_due_at", "due_at", "received_at", "current_agency_id")


@pytest.fixture
def web(tmp_path: Path, settings: Any) -> Iterator[WebProcess]:
    if connection.vendor != "postgresql":
        pytest.skip("a web process cannot share SQLite's in-memory test database")
    with web_process(tmp_path, settings) as server:
        server.start()
        yield server


class Officer:
    """The one-stop officer's browser on the real server."""

    def __init__(self, web: WebProcess, world: World, dossier: Dossier) -> None:
        self.session = Session(world.officer)
        self.actions = f"{web.base}/api/v1/back-office/dossiers/{dossier.code}/actions"

    def act(self, action: str, seen: int, **body: Any) -> Answer:
        payload = json.dumps({"expected_seq": seen, **body}).encode()
        return self.session.request("POST", f"{self.actions}/{action}", payload)


def _snapshot(dossier: Dossier) -> dict[str, Any]:
    """Everything the accept writes, to compare before and after a killed attempt."""
    row = Dossier.objects.values(*POSITION).get(pk=dossier.pk)
    return {
        **row,
        "transitions": list(dossier.transitions.values_list("seq", "action")),
        "outbox": list(OutboxMessage.objects.order_by("pk").values_list("dedupe_key", flat=True)),
        "audit": AuditEvent.objects.count(),
    }


def _assert_nothing(dossier: Dossier, before: dict[str, Any], answers: list[Answer]) -> None:
    assert [status for status, _ in answers] == [0], "the client had no answer from the dead worker"
    assert _snapshot(dossier) == before
    assert find_first_break() is None


def _assert_accepted_whole(dossier: Dossier, seq: int) -> list[OutboxMessage]:
    """The transition row, the dossier's new position and dates, both messages pending, the
    audit row in a chain that verifies. Returns the messages."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    row = dossier.transitions.get(seq=seq)
    assert (row.action, row.to_status) == ("accept", Status.ACCEPTED)
    assert dossier.transitions.count() == seq, "one row for the accept"
    assert (dossier.status, dossier.step) == (Status.ACCEPTED, "tiep_nhan")
    assert dossier.received_at == row.at and dossier.due_at is not None
    assert datetime.fromisoformat(row.data["due_at"]) == dossier.due_at
    assert datetime.fromisoformat(row.data["next_step_due_at"]) == dossier.step_due_at
    assert dossier.current_agency_id == dossier.receiving_agency_id
    messages = list(OutboxMessage.objects.filter(template_code=ACCEPTED).order_by("channel"))
    assert [(m.channel, m.status) for m in messages] == [("email", "pending"), ("sms", "pending")]
    assert all(m.dedupe_key == f"dossier:{dossier.code}:{seq}:{ACCEPTED}:{m.channel}"
               for m in messages)  # fmt: skip
    audit = AuditEvent.objects.filter(action="dossiers.accept", object_id=str(dossier.pk))
    assert [event.after for event in audit] == [
        {"seq": seq, "status": Status.ACCEPTED, "step": "tiep_nhan"}
    ]
    assert find_first_break() is None
    return messages


# --- Where the worker is killed ------------------------------------------------------------------


@contextmanager
def _dossier_locked(dossier: Dossier) -> Iterator[None]:
    """The worker waits in `lock_dossier`, before anything is written."""
    Dossier.objects.select_for_update().get(pk=dossier.pk)
    yield


@contextmanager
def _sms_key_taken(dossier: Dossier, seq: int) -> Iterator[None]:
    """An uncommitted outbox row holds the SMS's dedupe key: the worker's insert waits on the
    unique index after writing the transition, the dossier and the e-mail."""
    OutboxMessage.objects.create(
        channel="sms", recipient="+84912345678", body="giữ khóa", template_code=ACCEPTED,
        template_version=1, dedupe_key=f"dossier:{dossier.code}:{seq}:{ACCEPTED}:sms",
        created_at=timezone.now(),
    )  # fmt: skip
    yield


@contextmanager
def _audit_head_locked() -> Iterator[None]:
    """The worker waits on the audit chain's head: everything but the audit row is written."""
    AuditChainHead.objects.select_for_update().get(pk=1)
    yield


# The dossier's lock as core.sql writes it (`get_with_related`: the dossier's columns first, as
# t0, then its related rows', … FROM "dossiers_dossier" t0 … FOR UPDATE OF t0); pg_stat_activity
# keeps the statement's first kilobyte, so its start is what identifies it.
DOSSIER_LOCK = 'SELECT t0."id", t0."code", t0."procedure_version_id"'


def _kill_inside(
    web: WebProcess, send: Callable[[], Answer], holding: AbstractContextManager[Any]
) -> tuple[list[Answer], str]:
    return kill_while_blocked(web.kill_worker, send, holding, wait_for_lock_waiter)


def test_killed_inside_the_accept_leaves_nothing_then_accepts_whole(
    web: WebProcess, world: World
) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    seq = last_seq(dossier)
    officer = Officer(web, world, dossier)
    before = _snapshot(dossier)
    assert before["status"] == Status.SUBMITTED and before["received_at"] is None

    points = [
        (_dossier_locked(dossier), DOSSIER_LOCK),
        (_sms_key_taken(dossier, seq + 1), 'INSERT INTO "notifications_outboxmessage"'),
        (_audit_head_locked(), "UPDATE audit_auditchainhead"),
    ]
    for holding, statement in points:
        answers, where = _kill_inside(web, lambda: officer.act("accept", seq), holding)
        assert where.startswith(statement), f"killed at {where[:200]!r}"
        _assert_nothing(dossier, before, answers)

    status, body = officer.act("accept", seq)
    assert status == 200, body
    assert json.loads(body)["status"] == Status.ACCEPTED
    _assert_accepted_whole(dossier, seq + 1)


# --- Killed after the commit, while the delivery is handed to the broker -------------------------


@contextmanager
def _broker_exchange_locked(web: WebProcess) -> Iterator[None]:
    """The file-system broker's exchange table, locked: the first publish of the worker (the
    on-commit dispatch of the outbox messages) waits for it, after the commit."""
    control = web.broker_dir / "control"
    control.mkdir(parents=True, exist_ok=True)
    table = control / "celery.exchange"
    table.write_text("[]")
    with table.open("rb+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _committed_and_dispatching(web: WebProcess, dossier: Dossier) -> Callable[..., str]:
    worker = web.worker_pid()

    def reached(answers: list[Answer], timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            committed = DossierTransition.objects.filter(dossier=dossier, action="accept")
            if worker in flock_waiters() and committed.exists():
                return "broker"
            if answers:
                raise AssertionError(f"the request ended without waiting: {answers[0]!r}")
            time.sleep(0.02)
        raise AssertionError("the worker never waited on the broker after the commit")

    return reached


def test_killed_after_the_commit_leaves_everything_and_the_sweep_sends_it(
    web: WebProcess, world: World
) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    seq = last_seq(dossier)
    officer = Officer(web, world, dossier)

    answers, _ = kill_while_blocked(
        web.kill_worker,
        lambda: officer.act("accept", seq),
        _broker_exchange_locked(web),
        _committed_and_dispatching(web, dossier),
    )
    assert [status for status, _ in answers] == [0], "the client had no answer"
    messages = _assert_accepted_whole(dossier, seq + 1)
    assert not list(web.broker_dir.glob("*.msg")), "the dead worker dispatched nothing"

    # ADR 0008: the sweep (every minute) dispatches what was committed but never handed over.
    report = do_sweep_outbox()
    assert {m.pk for m in messages} <= set(report.dispatched)

    # The officer, who saw no answer, tries again: already handled, nothing written twice.
    status, body = officer.act("accept", seq)
    assert status == 409 and json.loads(body)["code"] == "already_handled", body
    # (The sweep's dispatch may already have delivered them, when an earlier test of the run
    # left this process's Celery eager: count them, their status is the sweep's business.)
    assert dossier.transitions.count() == seq + 1
    again = OutboxMessage.objects.filter(template_code=ACCEPTED).order_by("channel")
    assert [m.pk for m in again] == [m.pk for m in messages]


# --- Killed in the middle of a bulk assignment (one transaction per dossier) ---------------------


def _assignment(dossier: Dossier) -> dict[str, Any]:
    """What an assignment writes on one dossier."""
    row = Dossier.objects.values("status", "step", "assignee_id", "current_agency_id")
    return {
        **row.get(pk=dossier.pk),
        "transitions": list(dossier.transitions.values_list("seq", "action")),
        "audit": AuditEvent.objects.filter(object_id=str(dossier.pk)).count(),
    }


def test_killed_in_a_bulk_assignment_keeps_each_finished_dossier_whole(
    web: WebProcess, world: World
) -> None:
    now = timezone.now()
    dossiers = [receive(world, now) for _ in range(3)]
    for dossier in dossiers:
        act(dossier, "forward", world.officer, now, unit=world.province.unit_a)
    before = [_assignment(dossier) for dossier in dossiers]
    specialist = world.people.specialist_a
    leader = Session(world.unit_leader_a)
    url = f"{web.base}{reverse('dossiers:staff_bulk_assign')}"

    def assign(chosen: list[Dossier]) -> Answer:
        form = "&".join([f"ma={d.code}" for d in chosen] + [f"can_bo={specialist.pk}"])
        return leader.request("POST", url, form.encode(), "application/x-www-form-urlencoded")

    answers, where = _kill_inside(web, lambda: assign(dossiers), _dossier_locked(dossiers[1]))
    assert where.startswith(DOSSIER_LOCK) and [a[0] for a in answers] == [0]
    first = _assignment(dossiers[0])
    assert first["assignee_id"] == specialist.pk and first["transitions"][-1][1] == "assign"
    assert first["audit"] == before[0]["audit"] + 1, "the first dossier's action is whole"
    assert [_assignment(d) for d in dossiers[1:]] == before[1:], "the others have nothing"
    assert find_first_break() is None

    status, _ = assign(dossiers[1:])
    assert status == 200  # the worklist, after the redirect
    assert [Dossier.objects.get(pk=d.pk).assignee_id for d in dossiers] == [specialist.pk] * 3
    assert [_assignment(d)["transitions"][-1][1] for d in dossiers] == ["assign"] * 3
    assert _assignment(dossiers[0]) == first, "sent again only for the two left"
    assert find_first_break() is None
