"""The online submission's hand-written statements (core.sql; ADR 0018, "Speed of a
submission"): each must give what the ORM read or write it replaces gives — same rows, values,
types and related objects — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model, Prefetch
from django.http import Http404
from django.utils import timezone

from chinhquyen.core.sql import all_where, execute_one, insert_many, update_statement
from chinhquyen.dossiers import actions, drafts
from chinhquyen.dossiers.models import DocumentRole, DossierDocument, Draft, DraftAttachment
from chinhquyen.dossiers.queries import access_draft_by_id
from chinhquyen.dossiers.routing import accepts_online, receiving_choices
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.org.models import AdministrativeUnit, Agency
from chinhquyen.procedures.eform import validate_answers
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


def _values(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_locked_draft_and_its_attachments_equal_the_orm_reads(
    version: ProcedureVersion, personas: Personas, django_assert_num_queries: Any
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    expected = (
        Draft.objects.select_related("procedure_version__procedure", "receiving_agency")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=DraftAttachment.objects.select_related("required_document"),
            )
        )
        .get(pk=draft.pk)
    )
    expected_attachments = list(expected.attachments.all())
    assert expected_attachments

    locked, attachments = actions._lock_draft(draft)

    with django_assert_num_queries(0):  # everything the submission reads came with the rows
        assert _values(locked) == _values(expected)
        assert _values(locked.procedure_version) == _values(expected.procedure_version)
        procedure = locked.procedure_version.procedure
        assert _values(procedure) == _values(expected.procedure_version.procedure)
        assert locked.receiving_agency is not None and expected.receiving_agency is not None
        assert _values(locked.receiving_agency) == _values(expected.receiving_agency)
        assert [_values(a) for a in attachments] == [_values(a) for a in expected_attachments]
        assert [_values(a.required_document) for a in attachments] == [
            _values(a.required_document) for a in expected_attachments
        ]
    assert locked._state.adding is False and locked._state.db == connection.alias


def test_access_draft_by_id_is_the_owners_draft_with_its_version_and_agency(
    version: ProcedureVersion, personas: Personas, django_assert_num_queries: Any
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    expected = Draft.objects.select_related("procedure_version", "receiving_agency").get(
        pk=draft.pk
    )

    found = access_draft_by_id(personas.citizen, str(draft.pk))

    with django_assert_num_queries(0):
        assert _values(found) == _values(expected)
        assert _values(found.procedure_version) == _values(expected.procedure_version)
        assert found.receiving_agency == expected.receiving_agency
    for user, draft_id in ((personas.citizen_b, draft.pk), (personas.citizen, "không-phải-id")):
        with pytest.raises(Http404):
            access_draft_by_id(user, draft_id)


def test_insert_many_writes_every_row_and_sets_the_keys(
    version: ProcedureVersion, personas: Personas
) -> None:
    dossier = h.submitted_dossier(personas.citizen, version)
    first = dossier.documents.order_by("pk").first()
    assert first is not None
    now = timezone.now()
    rows = [
        DossierDocument(
            dossier=dossier, role=DocumentRole.SUPPLEMENT, name=f"Bản {n} — Phố Hiến",
            file_id=first.file_id, added_by=personas.citizen, added_at=now,
        )
        for n in range(3)
    ]  # fmt: skip

    insert_many(rows)
    insert_many([])  # nothing to write is no statement at all

    assert all(row.pk is not None and row._state.adding is False for row in rows)
    read = DossierDocument.objects.filter(role=DocumentRole.SUPPLEMENT).order_by("pk")
    assert [_values(row) for row in read] == [_values(row) for row in rows]


def test_update_statement_is_the_save_with_update_fields_auto_now_included(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    earlier = timezone.now() - timedelta(days=1)
    Draft.objects.filter(pk=draft.pk).update(updated_at=earlier)
    draft.delivery_address = "Không được ghi"
    draft.state = Draft.State.DISCARDED

    execute_one(*update_statement(draft, ["state", "updated_at"]))

    read = Draft.objects.get(pk=draft.pk)
    assert read.state == Draft.State.DISCARDED and read.delivery_address == ""
    assert read.updated_at == draft.updated_at and read.updated_at > earlier


def test_all_where_follows_links_like_select_related(
    version: ProcedureVersion, personas: Personas
) -> None:
    h.filled_draft(personas.citizen, version)
    h.filled_draft(personas.citizen, version)
    expected = list(
        Draft.objects.select_related("procedure_version__procedure")
        .filter(owner=personas.citizen)
        .order_by("created_at", "pk")
    )

    got = all_where(
        Draft,
        "t0.owner_id = %s",
        [personas.citizen.pk],
        related=("procedure_version", "procedure_version__procedure"),
        order_by="t0.created_at, t0.id",
    )

    assert [_values(d) for d in got] == [_values(d) for d in expected]
    assert [_values(d.procedure_version.procedure) for d in got] == [
        _values(d.procedure_version.procedure) for d in expected
    ]


@pytest.mark.parametrize("with_centre", [False, True])
def test_accepts_online_agrees_with_the_receiving_choices(
    version: ProcedureVersion, with_centre: bool
) -> None:
    commune = AgencyFactory.create(kind=Agency.Kind.COMMUNE_COMMITTEE)
    closed = AgencyFactory.create(kind=Agency.Kind.COMMUNE_COMMITTEE)
    Agency.objects.filter(pk=closed.pk).update(is_active=False)
    if with_centre:
        AgencyFactory.create(kind=Agency.Kind.SERVICE_CENTRE)
    commune_level = ProcedureVersion.objects.get(pk=version.pk)
    commune_level.implementing_level = ProcedureVersion.ImplementingLevel.COMMUNE
    for level in (version, commune_level):
        for agency in Agency.objects.all():
            listed = receiving_choices(level).filter(pk=agency.pk).exists()
            assert accepts_online(level, agency) == listed, (level.implementing_level, agency)
    assert accepts_online(commune_level, commune)


def test_the_current_unit_check_agrees_with_the_orm(db: None) -> None:
    commune = h.commune_unit()
    assert commune.parent is not None
    AdministrativeUnit.objects.create(
        level=AdministrativeUnit.Level.COMMUNE, code="12176", name="Xã cũ",
        division_type="xã", parent=commune.parent, valid_to=timezone.localdate(),
    )  # fmt: skip
    AdministrativeUnit.objects.create(
        level=AdministrativeUnit.Level.DISTRICT, code="323", name="Huyện cũ",
        division_type="huyện", parent=commune.parent,
    )  # fmt: skip
    schema = {
        "groups": [
            {
                "key": "g",
                "title": "Nơi cư trú",
                "fields": [{"key": "xa", "label": "Xã", "type": "admin_unit", "required": True}],
            }
        ]
    }
    for code in ("12175", "33", "12176", "323", "99999", ""):
        current = AdministrativeUnit.objects.filter(
            code=code,
            valid_to__isnull=True,
            level__in=[AdministrativeUnit.Level.PROVINCE, AdministrativeUnit.Level.COMMUNE],
        ).exists()
        assert validate_answers(schema, {"g": {"xa": code}}).ok == current, code


def test_the_applicants_commune_is_recorded_on_the_dossier(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    applicant = dict(h.APPLICANT, commune="12175")
    assert drafts.do_save_applicant(draft, applicant, acting_user=personas.citizen) == []

    dossier = actions.do_submit_draft(draft, acting_user=personas.citizen)

    assert dossier.applicant_unit == h.commune_unit()
    assert h.submitted_dossier(personas.citizen, version).applicant_unit is None


def test_the_message_templates_are_read_before_the_code_counter_is_locked(
    version: ProcedureVersion, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chinhquyen.dossiers import codes
    from chinhquyen.notifications import queries

    order: list[str] = []

    def recorded(name: str, call: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            order.append(name)
            return call(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(queries, "first_where", recorded("template", queries.first_where))
    monkeypatch.setattr(codes, "execute_one", recorded("counter", codes.execute_one))
    draft = h.filled_draft(personas.citizen, version)
    order.clear()

    dossier = actions.do_submit_draft(draft, acting_user=personas.citizen)

    assert order[:3] == ["template", "template", "counter"]  # e-mail and SMS, then the number
    assert dossier.code.endswith("-0001")


def test_a_template_of_another_event_is_refused(
    version: ProcedureVersion, personas: Personas
) -> None:
    from django.db import transaction

    from chinhquyen.notifications.actions import do_enqueue_notification
    from chinhquyen.notifications.queries import active_template

    other = active_template("dossier.submitted", "sms", on=timezone.localdate())
    with transaction.atomic(), pytest.raises(ValueError, match="is not"):
        do_enqueue_notification(
            "dossier.submitted", "email", "a@example.vn", {}, dedupe_key="k", template=other
        )
