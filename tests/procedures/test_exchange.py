from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from chinhquyen.audit.models import AuditEvent
from chinhquyen.procedures import exchange
from chinhquyen.procedures.exchange import (
    export_catalogue_json,
    export_catalogue_xlsx,
    import_catalogue,
    load_demo_catalogue,
)
from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion
from tests.procedures.test_actions import CODE, entry

pytestmark = pytest.mark.django_db


def catalogue() -> dict[str, Any]:
    """Two fields, a procedure with a closed and a current version, and a draft of another."""
    return {
        "format": "chinhquyen.procedures/1",
        "fields": [{"code": "CT", "name": "Chứng thực"}, {"code": "HT", "name": "Hộ tịch"}],
        "procedures": [
            entry(effective_to="2025-12-31"),
            entry(version=2, effective_from="2026-01-01", result="Giấy khai sinh điện tử"),
            entry(
                national_code="2.000815.000.00.00.H38",
                status="draft",
                field="CT",
                name="Chứng thực bản sao từ bản chính",
                online_level="none",
                legacy_level=None,
                eform={},
                delivery_options=["counter"],
            ),
        ],
    }


def clear_catalogue() -> None:
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()


def test_json_round_trip_is_identical() -> None:
    report = import_catalogue(catalogue(), acting_user=None)
    assert report.ok, report.problems
    assert len(report.created) == 3 and len(report.published) == 2
    assert export_catalogue_json() == catalogue()


def test_xlsx_round_trip_is_identical() -> None:
    assert import_catalogue(catalogue(), acting_user=None).ok
    content = export_catalogue_xlsx()
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["fields", "procedures", "documents", "fees"]
    assert book["procedures"].max_row == 4  # header + one row per version
    clear_catalogue()
    report = import_catalogue(content, acting_user=None)
    assert report.ok, report.problems
    assert export_catalogue_json() == catalogue()


def test_importing_the_same_content_twice_changes_nothing() -> None:
    assert import_catalogue(catalogue(), acting_user=None).changed
    events = AuditEvent.objects.count()
    again = import_catalogue(json.dumps(catalogue()).encode(), acting_user=None)
    assert again.ok and not again.changed
    assert len(again.unchanged) == 3
    assert AuditEvent.objects.count() == events


def test_errors_are_reported_with_paths_and_nothing_is_saved() -> None:
    data = catalogue()
    data["procedures"][0]["documents"][1]["originals"] = "một"
    data["procedures"][1]["fees"][0]["kind"] = "tax"
    data["procedures"][2]["eform"] = {"groups": [{"key": "g"}]}
    data["fields"].append({"code": "HT", "name": "Trùng"})
    report = import_catalogue(data, acting_user=None)
    paths = {p.path for p in report.problems}
    assert {
        "procedures[0].documents[1].originals",
        "procedures[1].fees[0].kind",
        "procedures[2].eform.groups[0].title",
        "fields[2].code",
    } <= paths
    assert not report.created
    assert not Field.objects.exists() and not ProcedureVersion.objects.exists()


def test_overlapping_published_versions_in_a_document_are_refused() -> None:
    data = catalogue()
    data["procedures"][0]["effective_to"] = None
    report = import_catalogue(data, acting_user=None)
    assert [p.path for p in report.problems] == ["procedures[1].effective_from"]
    assert not ProcedureVersion.objects.exists()


def test_a_conflict_found_while_writing_rolls_everything_back() -> None:
    first = catalogue()
    first["procedures"] = first["procedures"][1:2]  # v2 from 2026-01-01, open
    assert import_catalogue(first, acting_user=None).ok
    later = catalogue()
    later["procedures"] = [entry(version=3, effective_from="2025-10-01")]
    later["fields"].append({"code": "DD", "name": "Đất đai"})
    report = import_catalogue(later, acting_user=None)
    assert [p.path for p in report.problems] == ["procedures[0].effective_from"]
    assert "trùng với phiên bản 2" in report.problems[0].message
    assert not Field.objects.filter(code="DD").exists()
    assert not ProcedureVersion.objects.filter(version=3).exists()


def test_changed_content_of_a_published_version_is_refused_drafts_are_updated() -> None:
    assert import_catalogue(catalogue(), acting_user=None).ok
    data = catalogue()
    data["procedures"][2]["name"] = "Chứng thực bản sao (sửa)"
    data["procedures"][1]["name"] = "Đăng ký khai sinh (sửa)"
    report = import_catalogue(data, acting_user=None)
    assert [p.path for p in report.problems] == ["procedures[1]"]
    assert "phiên bản mới" in report.problems[0].message
    del data["procedures"][1]
    report = import_catalogue(data, acting_user=None)
    assert report.ok and report.updated == ["2.000815.000.00.00.H38 v1"]


def test_publishing_a_new_version_by_import_closes_the_open_one() -> None:
    data = catalogue()
    data["procedures"] = [entry()]
    assert import_catalogue(data, acting_user=None).ok
    data["procedures"] = [entry(version=2, effective_from="2026-01-01")]
    assert import_catalogue(data, acting_user=None).ok
    assert str(ProcedureVersion.objects.get(version=1).effective_to) == "2025-12-31"


@pytest.mark.parametrize(
    "source",
    [b"not json", b"PK\x03\x04broken", [], {"format": "other/9"}, '{"format": 1}'],
)
def test_unreadable_documents_are_reported(source: Any) -> None:
    assert not import_catalogue(source, acting_user=None).ok


def _workbook_with(edit: Any) -> bytes:
    assert import_catalogue(catalogue(), acting_user=None).ok
    book = load_workbook(io.BytesIO(export_catalogue_xlsx()))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    clear_catalogue()
    return out.getvalue()


def test_xlsx_problems_name_the_sheet_and_row() -> None:
    def edit(book: Any) -> None:
        book["documents"]["D3"] = "hai"  # originals of the second document row
        book["procedures"]["V4"] = "{không phải JSON"  # eform of the third version

    report = import_catalogue(_workbook_with(edit), acting_user=None)
    messages = [f"{p.path}: {p.message}" for p in report.problems]
    assert any(m.startswith("procedures, dòng 4, cột eform") for m in messages), messages
    assert not ProcedureVersion.objects.exists()

    def edit_document(book: Any) -> None:
        book["documents"]["D3"] = "hai"

    report = import_catalogue(_workbook_with(edit_document), acting_user=None)
    assert [p.path for p in report.problems] == [
        "documents, dòng 3 — procedures[0].documents[1].originals"
    ]


def test_xlsx_needs_its_sheets_and_headers() -> None:
    def edit(book: Any) -> None:
        del book["fees"]
        book["fields"]["A1"] = "ma"

    paths = [p.path for p in import_catalogue(_workbook_with(edit), acting_user=None).problems]
    assert paths == ["fields, dòng 1", "fees"]


def test_command_imports_and_exports(tmp_path: Path, capsys: Any) -> None:
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(catalogue(), ensure_ascii=False), encoding="utf-8")
    call_command("procedures", "import", str(source))
    assert "tạo mới: 3" in capsys.readouterr().out
    call_command("procedures", "import", str(source))
    assert "Không có thay đổi." in capsys.readouterr().out
    json_out, xlsx_out = tmp_path / "out.json", tmp_path / "out.xlsx"
    call_command("procedures", "export", "--format", "json", "-o", str(json_out))
    assert json.loads(json_out.read_text(encoding="utf-8")) == catalogue()
    call_command("procedures", "export", "--format", "xlsx", "-o", str(xlsx_out))
    clear_catalogue()
    call_command("procedures", "import", str(xlsx_out))
    assert export_catalogue_json() == catalogue()


def test_command_fails_with_a_non_zero_exit(tmp_path: Path, capsys: Any) -> None:
    with pytest.raises(CommandError, match="Không đọc được tệp") as missing:
        call_command("procedures", "import", str(tmp_path / "none.json"))
    assert missing.value.returncode == 1
    bad = tmp_path / "bad.json"
    data = catalogue()
    data["procedures"][0]["documents"][1]["originals"] = -1
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="1 lỗi") as refused:
        call_command("procedures", "import", str(bad))
    assert refused.value.returncode == 1
    assert "procedures[0].documents[1].originals" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("procedures", "import", str(bad), "--user", "khong_co")


def test_demo_catalogue_is_loaded_when_present(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(exchange, "DEMO_CATALOGUE", tmp_path / "catalogue.json")
    assert load_demo_catalogue() is None
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue()), encoding="utf-8")
    report = load_demo_catalogue()
    assert report is not None and len(report.created) == 3
    broken = copy.deepcopy(catalogue())
    broken["format"] = "x"
    (tmp_path / "catalogue.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(exchange.CatalogueProblems):
        load_demo_catalogue()


def test_export_of_an_empty_catalogue() -> None:
    assert export_catalogue_json() == {
        "format": "chinhquyen.procedures/1",
        "fields": [],
        "procedures": [],
    }
    assert CODE  # the sample's code is the format document's example
