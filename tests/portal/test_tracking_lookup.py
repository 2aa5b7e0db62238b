"""The public lookup (tra cứu hồ sơ): state without personal data, one answer for every miss,
and a per-address limit on misses that refuses without showing anything of the dossier."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chinhquyen.dossiers import actions, queries
from chinhquyen.dossiers.lookup_throttle import (
    address_key,
    do_record_lookup_failure,
    lookup_retry_after,
)
from chinhquyen.dossiers.models import Dossier, LookupFailureWindow, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.portal.tracking_forms import LookupForm
from chinhquyen.portal.tracking_views import LOOKUP_FAILED
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province

URL = "/tra-cuu-ho-so/"
PERSONAL_DATA = [
    h.APPLICANT["full_name"],
    h.PERSONAL_ID,
    h.PHONE,
    h.APPLICANT["email"],
    h.APPLICANT["address"],
    "Nguyễn Minh Khôi",  # the child, from the answers
    "Trần Thị Bình",  # the mother
    "001190012345",  # the mother's identification number
    "Bệnh viện Đa khoa tỉnh",
    "giay-to.pdf",  # the attached file's name
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TRACKING_MAX_FAILURES_PER_ADDRESS = 3
    settings.TRACKING_FAILURE_WINDOW_MINUTES = 15


@pytest.fixture
def dossier(province: Province, personas: Personas) -> Dossier:
    load_default_templates()
    version: ProcedureVersion = h.publish_procedure(province.agency_a)
    return h.submitted_dossier(personas.citizen, version)


def lookup(code: str, check: str, *, address: str = "203.0.113.7") -> Any:
    return Client(REMOTE_ADDR=address).get(URL, {"ma": code, "kiem_tra": check})


def test_qr_link_prefills_the_code_without_a_query(dossier: Dossier) -> None:
    link = actions.tracking_url(dossier.code)
    assert link.endswith(f"{URL}?ma={dossier.code}")
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(f"{URL}?ma={dossier.code}")
    assert response.status_code == 200 and len(queries) == 0
    assert f'value="{dossier.code}"' in response.content.decode()


def test_found_by_the_phone_shows_the_state_and_no_personal_data(dossier: Dossier) -> None:
    h.request_supplement(dossier, ["Giấy chứng sinh"])
    response = lookup(dossier.code.lower(), h.PHONE[-4:])
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert dossier.code in html and dossier.procedure_version.name in html
    assert "Yêu cầu bổ sung giấy tờ" in html and "Sở Tư pháp" in html
    assert "Nộp hồ sơ trực tuyến" in html and "Yêu cầu bổ sung hồ sơ" in html  # the steps
    submitted = timezone.localtime(dossier.submitted_at)
    assert submitted.strftime("%d/%m/%Y %H:%M") in html  # Vietnam time, dd/mm/yyyy HH:MM
    for value in PERSONAL_DATA:
        assert value not in html, value
    assert f'value="{h.PHONE[-4:]}"' not in html  # the check digits are not echoed back


def test_found_by_the_identification_number(dossier: Dossier) -> None:
    html = lookup(dossier.code, h.PERSONAL_ID[-4:]).content.decode()
    assert "Mới đăng ký" in html and LOOKUP_FAILED not in html


def test_wrong_check_and_unknown_code_give_the_same_answer(dossier: Dossier) -> None:
    wrong_check = lookup(dossier.code, "0000", address="203.0.113.8")
    unknown = lookup(dossier.code[:-4] + "9999", h.PHONE[-4:], address="203.0.113.9")
    assert wrong_check.status_code == unknown.status_code == 200
    for response in (wrong_check, unknown):
        html = response.content.decode()
        assert LOOKUP_FAILED in html and "Mới đăng ký" not in html
    assert LookupFailureWindow.objects.count() == 2


def test_malformed_check_is_explained_and_not_counted(dossier: Dossier) -> None:
    html = lookup(dossier.code, "12a").content.decode()
    assert "Vui lòng nhập đúng 4 chữ số." in html
    assert LookupFailureWindow.objects.count() == 0


def test_success_is_cheap_and_writes_nothing(dossier: Dossier) -> None:
    client = Client(REMOTE_ADDR="198.51.100.1")
    client.get(URL, {"ma": dossier.code, "kiem_tra": "0000"})  # a failure first: its row exists
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"ma": dossier.code, "kiem_tra": h.PHONE[-4:]})
    assert response.status_code == 200 and "Mới đăng ký" in response.content.decode()
    statements = [query["sql"].lstrip().split()[0].upper() for query in captured]
    # One statement: the address's failure count and the dossier with its steps together
    # (`queries.track_public`; on PostgreSQL it is prepared and not in Django's query log).
    assert statements == ["SELECT"] * len(statements) and len(statements) <= 1


def test_too_many_failures_are_refused_and_show_nothing_of_the_dossier(dossier: Dossier) -> None:
    for _ in range(3):
        assert LOOKUP_FAILED in lookup(dossier.code, "0000").content.decode()
    refused = lookup(dossier.code, h.PHONE[-4:])  # even the right answer
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert refused["Cache-Control"] == "no-store"
    page = refused.content.decode()
    assert "quá nhiều lần tra cứu không thành công" in page
    # The count and the dossier are read in one statement; a refusal shows none of it.
    assert dossier.procedure_version.name not in page
    assert "timeline" not in page
    assert LookupFailureWindow.objects.get().failures == 3  # refusals are not counted
    other_address = lookup(dossier.code, h.PHONE[-4:], address="203.0.113.200")
    assert other_address.status_code == 200


def test_the_window_ends(db: None) -> None:
    now = timezone.now()
    for _ in range(3):
        do_record_lookup_failure("192.0.2.1", now=now)
    assert lookup_retry_after("192.0.2.1", now=now) is not None
    later = now + timedelta(minutes=15)
    assert lookup_retry_after("192.0.2.1", now=later) is None
    do_record_lookup_failure("192.0.2.1", now=later)  # a new window: the old rows are dropped
    assert list(LookupFailureWindow.objects.values_list("failures", flat=True)) == [1]


def test_ipv6_is_counted_per_64_block(db: None) -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:192.0.2.5") == "192.0.2.5"
    assert address_key("") == "unknown"


def test_a_lost_race_to_create_the_row_still_counts(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes miss at once: the slower one's insert hits the unique constraint and
    becomes an increment."""
    now = timezone.now()
    do_record_lookup_failure("192.0.2.2", now=now)
    from django.db.models import QuerySet

    real_update = QuerySet.update
    calls: list[int] = []

    def first_update_sees_nothing(self: QuerySet[Any], **kwargs: Any) -> int:
        calls.append(1)
        return 0 if len(calls) == 1 else real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", first_update_sees_nothing)
    do_record_lookup_failure("192.0.2.2", now=now)
    monkeypatch.undo()
    assert LookupFailureWindow.objects.get().failures == 2


def test_closed_dossier_shows_its_end(dossier: Dossier, personas: Personas) -> None:
    actions.do_withdraw_dossier(dossier, acting_user=personas.citizen, reason="Nộp nhầm")
    html = lookup(dossier.code, h.PHONE[-4:]).content.decode()
    assert str(Status.WITHDRAWN.label) in html and "Rút hồ sơ" in html
    assert "Ngày kết thúc xử lý" in html
    assert "Nộp nhầm" not in html  # the reason is the applicant's, not public


def test_the_written_out_form_under_a_result_is_the_forms_own_markup(dossier: Dossier) -> None:
    """The found-dossier page writes the lookup form out by hand (cost); it must stay the same
    markup as LookupForm rendered through _field.html (labels, hints, limits, accessibility)."""
    from django.template.loader import render_to_string
    from django.test.html import parse_html

    from chinhquyen.portal.tracking_forms import LookupForm

    html = lookup(dossier.code, h.PHONE[-4:]).content.decode()
    written = html[html.index('<form method="get"') :]
    written = written[: written.index("</form>") + len("</form>")]
    form = LookupForm(initial={"ma": dossier.code})
    fields = "".join(
        render_to_string("portal/tracking/_field.html", {"field": form[name]})
        for name in ("ma", "kiem_tra")
    )
    expected = (
        f'<form method="get" action="{URL}" class="lookup-form" role="search"'
        f' aria-label="Tra cứu hồ sơ" novalidate>{fields}'
        '<p><button type="submit" class="primary">Tra cứu</button></p></form>'
    )
    assert parse_html(written) == parse_html(expected)


def test_one_statement_reads_the_count_and_the_dossier(dossier: Dossier) -> None:
    """`track_public` on both databases: the count of the address's window and the dossier in
    one statement, aware UTC times, the same answer as the lookup alone."""
    now = timezone.now()
    answer = queries.track_public("192.0.2.9", f" {dossier.code.lower()} ", h.PHONE[-4:], now=now)
    assert answer.retry_after is None and answer.found is not None
    assert answer.found == queries.public_lookup(dossier.code, h.PHONE[-4:])
    assert answer.found.submitted_at == dossier.submitted_at
    assert answer.found.submitted_at.utcoffset() == timedelta(0)
    assert [step.label for step in answer.found.steps] == ["Nộp hồ sơ trực tuyến"]
    unknown = queries.track_public("192.0.2.9", dossier.code + "9", h.PHONE[-4:], now=now)
    assert unknown == queries.TrackingAnswer(retry_after=None, found=None)
    for _ in range(3):
        do_record_lookup_failure("192.0.2.9", now=now)
    for code, check in ((dossier.code, h.PHONE[-4:]), ("", "12"), ("X" * 81, "1234")):
        refused = queries.track_public("192.0.2.9", code, check, now=now)
        assert refused.found is None and refused.retry_after is not None
        assert 0 < refused.retry_after <= 15 * 60


_AWKWARD = st.text(alphabet=st.sampled_from("0123456789٣ ab-.\t\n\x00Đđ"), max_size=90)


_CHECKS = st.one_of(_AWKWARD, st.none(), st.from_regex(r"\s*[0-9٣]{3,5}\s*", fullmatch=True))


@hypothesis_settings(max_examples=400, deadline=None)
@given(code=st.one_of(_AWKWARD, st.none()), check=_CHECKS)
@example(code=" 000.00.12.h29-251015 - 0007 ", check=" 0123\n")
@example(code="X" * 80, check="٣٣٣٣")
@example(code="X" * 81, check="1234")
@example(code="  ", check="1234")
def test_the_pages_quick_check_accepts_exactly_what_the_form_accepts(
    code: str | None, check: str | None
) -> None:
    query = QueryDict(mutable=True)
    for name, value in (("ma", code), ("kiem_tra", check)):
        if value is not None:
            query[name] = value
    form = LookupForm(query)
    expected = (form.cleaned_data["ma"], form.cleaned_data["kiem_tra"]) if form.is_valid() else None
    assert LookupForm.valid_values(query) == expected
