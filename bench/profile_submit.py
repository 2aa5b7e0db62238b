"""CPU and statements per online submission, in-process (docs/benchmarks.md, issue #3).

`POST /api/v1/drafts/{id}/submit` through Django's test Client against a PostgreSQL database
holding the demo (and, optionally, generated dossiers). Drafts are prepared first the way
`bench/citizens.py` `prepare_draft` does (applicant, each group of the birth-registration form,
place of reception, a 200 KB PDF per required document), then submitted; printed:

- the least `time.process_time()` per submit over REPS batches of BATCH submits;
- the statements per submit sent to PostgreSQL, counted on psycopg's cursors (so the prepared
  statements of `core.sql`, which Django's query log never sees, are counted too), and the
  transaction commands (BEGIN, COMMIT, SAVEPOINT…) apart; `SHOW=1` lists one submit's statements;
- with `PROF=1`, a cProfile of PROFILED submits (CPU time, sorted by SORT).

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=x DATABASE_URL=postgres://…/db \\
        .venv/bin/python bench/profile_submit.py

Every submission files with the same ward (one counter row), as the HTTP benchmark does."""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.citizens import BIRTH_REGISTRATION, Person, Reception, birth_answers  # noqa: E402
from bench.sample_pdf import make_pdf  # noqa: E402

BATCH = int(os.environ.get("BATCH", "20"))
REPS = int(os.environ.get("REPS", "8"))
WARM = 10
PROFILED = 40


@dataclass
class Statements:
    """Statements sent to PostgreSQL while `counting`, by kind."""

    counting: bool = False
    texts: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


SEEN = Statements()


def _count_statements() -> None:
    """Wrap psycopg's cursor execution and its transaction commands (BEGIN, COMMIT…): every
    round trip the web process makes, whether Django's cursor or core.sql's sends it."""
    from psycopg._connection_base import BaseConnection

    execute = psycopg.Cursor.execute
    command = BaseConnection._exec_command

    def counted_execute(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        if SEEN.counting:
            SEEN.texts.append(str(query)[:160])
        return execute(self, query, params, **kwargs)

    def counted_command(self: Any, cmd: Any, *args: Any, **kwargs: Any) -> Any:
        if SEEN.counting:
            SEEN.commands.append(str(cmd)[:60])
        return command(self, cmd, *args, **kwargs)

    psycopg.Cursor.execute = counted_execute  # type: ignore[method-assign]
    BaseConnection._exec_command = counted_command  # type: ignore[method-assign,assignment]


class Filer:
    """One citizen, signed in on a test Client, preparing drafts through the API."""

    def __init__(self, person: Person, reception: Reception, pdf: bytes) -> None:
        from chinhquyen.org.models import User

        self.person, self.reception, self.pdf = person, reception, pdf
        self.client = Client()
        self.client.force_login(User.objects.get(pk=person.user_id))

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = getattr(self.client, method)(path, **kwargs)
        if answer.status_code not in (200, 201):
            raise SystemExit(f"{method} {path}: {answer.status_code} {answer.content[:300]!r}")
        return answer.json()

    def prepare(self) -> str:
        """`bench.citizens.prepare_draft` over the test Client; returns the draft id."""
        json = "application/json"
        draft = self._send(
            "post",
            "/api/v1/drafts",
            data={"national_code": BIRTH_REGISTRATION},
            content_type=json,
        )
        base = f"/api/v1/drafts/{draft['id']}"
        applicant = {
            "kind": "citizen",
            "full_name": self.person.full_name,
            "personal_id": self.person.personal_id,
            "phone": self.person.phone,
            "address": "Số 1, phố Hiến Nam",
        }
        self._send("put", f"{base}/applicant", data=applicant, content_type=json)
        today = timezone.localdate()
        for group, value in birth_answers(self.reception.commune_code, self.person, today).items():
            self._send("put", f"{base}/answers/{group}", data={"value": value}, content_type=json)
        choice = {"receiving_agency_id": self.reception.agency_id, "delivery_option": "online"}
        self._send("put", f"{base}/reception", data=choice, content_type=json)
        for need in draft["documents"]:
            if need["required"]:
                upload = SimpleUploadedFile("giay-to.pdf", self.pdf, "application/pdf")
                self._send(
                    "post",
                    f"{base}/attachments",
                    data={"required_document_id": str(need["id"]), "file": upload},
                )
        return str(draft["id"])

    def submit(self, draft_id: str) -> str:
        path = f"/api/v1/drafts/{draft_id}/submit"
        answer = self._send(
            "post", path, data={"declaration": True}, content_type="application/json"
        )
        return str(answer["code"])


def make_filer() -> Filer:
    """A verified citizen (no password: signed in with force_login) filing with the first ward,
    as `bench_citizens._communes(1)` chooses it."""
    from chinhquyen.org.models import Agency, CitizenProfile, User

    agency = (
        Agency.objects.filter(
            kind=Agency.Kind.COMMUNE_COMMITTEE, is_active=True, administrative_unit__isnull=False
        )
        .select_related("administrative_unit")
        .order_by("identifier_code")
        .first()
    )
    if agency is None or agency.administrative_unit is None:
        raise SystemExit("no commune People's Committee in the demo data")
    stamp = time.time_ns() % 10**6
    user = User(
        username=f"bench.submit.{time.time_ns()}",
        kind=User.Kind.CITIZEN,
        full_name="Nguyễn Văn Nộp",
        phone=f"0901{stamp:06d}",
    )
    user.set_unusable_password()
    user.save()
    personal_id = f"0331{stamp:08d}"
    CitizenProfile.objects.create(
        user=user, personal_id=personal_id, phone_verified_at=timezone.now()
    )
    person = Person(user.pk, user.phone, user.full_name, personal_id)
    return Filer(person, Reception(agency.pk, agency.administrative_unit.code), make_pdf())


def submit_all(filer: Filer, drafts: Iterator[str], n: int) -> None:
    for _ in range(n):
        filer.submit(next(drafts))


@contextmanager
def counting() -> Iterator[Statements]:
    SEEN.texts.clear()
    SEEN.commands.clear()
    SEEN.counting = True
    try:
        yield SEEN
    finally:
        SEEN.counting = False


def timed(run: Callable[[], None]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    _count_statements()
    filer = make_filer()
    profiling = os.environ.get("PROF") == "1"
    total = WARM + REPS * BATCH + BATCH + (PROFILED if profiling else 0)
    started = time.perf_counter()
    drafts = iter([filer.prepare() for _ in range(total)])
    print(f"{total} drafts prepared in {time.perf_counter() - started:.1f} s")
    submit_all(filer, drafts, WARM)  # warm: prepared statements, templates, caches
    if profiling:
        profile = cProfile.Profile(time.process_time)
        profile.runcall(submit_all, filer, drafts, PROFILED)
        stats = pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("LINES", "70")))
    best = min(timed(lambda: submit_all(filer, drafts, BATCH)) for _ in range(REPS))
    with counting() as seen:
        submit_all(filer, drafts, BATCH)
    per_submit = len(seen.texts) / BATCH
    commands = len(seen.commands) / BATCH
    if os.environ.get("SHOW") == "1":
        step = len(seen.texts) // BATCH
        print("\n".join(seen.texts[:step]), "\n", seen.commands[: len(seen.commands) // BATCH])
    print(
        f"submit: {best / BATCH * 1000:.2f} ms CPU/submit (least of {REPS} batches of {BATCH}),"
        f" {per_submit:.1f} statements + {commands:.1f} transaction commands per submit"
    )


if __name__ == "__main__":
    main()
