"""Importing and exporting the whole catalogue: the JSON document of docs/catalogue-format.md, and
an XLSX workbook with the same content (sheets `fields`, `procedures` — one row per version —,
`documents`, `fees`; row 1 holds the format's keys). Import is all-or-nothing and idempotent."""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from chinhquyen.core.errors import DomainError
from chinhquyen.procedures.actions import (
    CatalogueProblems,
    check_version_data,
    do_create_version,
    do_publish_version,
    do_save_field,
    do_update_draft,
)
from chinhquyen.procedures.eform import Problem
from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion
from chinhquyen.procedures.queries import FORMAT, catalogue_as_data, version_as_data

DEMO_CATALOGUE = Path(__file__).parent / "data" / "catalogue.json"
Published = ProcedureVersion.Status.PUBLISHED


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    fields_saved: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> bool:
        return bool(self.fields_saved or self.created or self.updated or self.published)


# --- Export -------------------------------------------------------------------------------------


def export_catalogue_json() -> dict[str, Any]:
    return catalogue_as_data()


PROCEDURE_COLUMNS = (
    "national_code", "version", "status", "effective_from", "effective_to", "name", "field",
    "audiences", "online_level", "legacy_level", "implementing_level", "implementing_text",
    "agencies", "time_limit.value", "time_limit.unit", "time_limit.note", "result",
    "delivery_options", "steps_text", "conditions_text", "legal_basis", "eform", "process",
)  # fmt: skip
JSON_COLUMNS = {
    "audiences": list,
    "agencies": list,
    "delivery_options": list,
    "legal_basis": list,
    "eform": dict,
    "process": list,
    "rule": dict,
}
DOCUMENT_COLUMNS = (
    "national_code", "version", "name", "originals", "copies", "required", "reusable",
    "template_name", "note",
)  # fmt: skip
FEE_COLUMNS = ("national_code", "version", "kind", "name", "amount", "rule", "note")
SHEETS = {
    "fields": ("code", "name"),
    "procedures": PROCEDURE_COLUMNS,
    "documents": DOCUMENT_COLUMNS,
    "fees": FEE_COLUMNS,
}


def _flat(entry: Mapping[str, Any]) -> dict[str, Any]:
    row = {key: value for key, value in entry.items() if key != "time_limit"}
    for key, value in entry.get("time_limit", {}).items():
        row[f"time_limit.{key}"] = value
    return row


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _append(sheet: Worksheet, columns: tuple[str, ...], row: Mapping[str, Any]) -> None:
    sheet.append([_cell(row.get(column)) for column in columns])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # text, never a formula


def export_catalogue_xlsx() -> bytes:
    data = catalogue_as_data()
    book = Workbook()
    sheets = {}
    for index, (title, columns) in enumerate(SHEETS.items()):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append(list(columns))
        sheet.freeze_panes = "A2"
        sheets[title] = sheet
    for row in data["fields"]:
        _append(sheets["fields"], SHEETS["fields"], row)
    for entry in data["procedures"]:
        _append(sheets["procedures"], PROCEDURE_COLUMNS, _flat(entry))
        identity = {"national_code": entry["national_code"], "version": entry["version"]}
        for doc in entry["documents"]:
            _append(sheets["documents"], DOCUMENT_COLUMNS, {**identity, **doc})
        for fee in entry["fees"]:
            _append(sheets["fees"], FEE_COLUMNS, {**identity, **fee})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Reading a workbook into the JSON document ---------------------------------------------------


@dataclass
class _Workbook:
    data: dict[str, Any]
    locations: dict[str, str]  # JSON path → "sheet, dòng n"
    problems: list[Problem]


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _integer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _boolean(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "version": _integer,
    "legacy_level": _integer,
    "originals": _integer,
    "copies": _integer,
    "required": _boolean,
    "reusable": _boolean,
}
_NULLABLE = {"effective_to", "legacy_level"}


def _convert(column: str, value: Any, where: str, problems: list[Problem]) -> Any:
    if column in JSON_COLUMNS:
        if value is None or value == "":
            return JSON_COLUMNS[column]()
        try:
            return json.loads(value) if isinstance(value, str) else value
        except ValueError:
            problems.append(Problem(f"{where}, cột {column}", "JSON không hợp lệ."))
            return JSON_COLUMNS[column]()
    if value is None:
        return None if column in _NULLABLE else ""
    return _CONVERT.get(column, _text)(value)


def _rows(book: Any, title: str, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    if title not in book.sheetnames:
        problems.append(Problem(title, f"Thiếu trang tính “{title}”."))
        return []
    rows = book[title].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    expected = SHEETS[title]
    if set(header) != set(expected) or len(header) != len(expected):
        problems.append(Problem(f"{title}, dòng 1", f"Tiêu đề cột phải là: {', '.join(expected)}."))
        return []
    found = []
    for number, values in enumerate(rows, start=2):
        cells = dict(zip(header, values, strict=False))
        if all(v is None or v == "" for v in cells.values()):
            continue
        where = f"{title}, dòng {number}"
        found.append((number, {c: _convert(c, cells.get(c), where, problems) for c in header}))
    return found


def _unflatten(row: dict[str, Any]) -> dict[str, Any]:
    entry = {k: v for k, v in row.items() if not k.startswith("time_limit.")}
    entry["time_limit"] = {k.split(".", 1)[1]: v for k, v in row.items() if "." in k}
    entry["documents"], entry["fees"] = [], []
    return entry


def read_workbook(content: bytes) -> _Workbook:
    problems: list[Problem] = []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        return _Workbook({}, {}, [Problem("", f"Không đọc được tệp XLSX: {exc}")])
    data: dict[str, Any] = {"format": FORMAT, "fields": [], "procedures": []}
    locations: dict[str, str] = {}
    for number, row in _rows(book, "fields", problems):
        locations[f"fields[{len(data['fields'])}]"] = f"fields, dòng {number}"
        data["fields"].append(row)
    by_identity: dict[tuple[Any, Any], int] = {}
    for number, row in _rows(book, "procedures", problems):
        index = len(data["procedures"])
        locations[f"procedures[{index}]"] = f"procedures, dòng {number}"
        by_identity.setdefault((row["national_code"], row["version"]), index)
        data["procedures"].append(_unflatten(row))
    for title in ("documents", "fees"):
        for number, row in _rows(book, title, problems):
            index_of = by_identity.get((row.pop("national_code"), row.pop("version")))
            if index_of is None:
                problems.append(
                    Problem(f"{title}, dòng {number}", "Không có phiên bản thủ tục tương ứng.")
                )
                continue
            items = data["procedures"][index_of][title]
            locations[f"procedures[{index_of}].{title}[{len(items)}]"] = f"{title}, dòng {number}"
            items.append(row)
    book.close()
    return _Workbook(data, locations, problems)


def _locate(problems: list[Problem], locations: Mapping[str, str]) -> list[Problem]:
    """Prefix each JSON path with the sheet and row it came from."""
    located = []
    for problem in problems:
        best = max(
            (
                p
                for p in locations
                if problem.path == p or problem.path.startswith((p + ".", p + "["))
            ),
            key=len,
            default=None,
        )
        where = f"{locations[best]} — " if best is not None else ""
        located.append(Problem(f"{where}{problem.path}", problem.message))
    return located


# --- Import --------------------------------------------------------------------------------------


@dataclass
class _Plan:
    fields: list[dict[str, str]]
    versions: list[tuple[int, dict[str, Any], dict[str, Any]]]  # index, identity, clean content


def import_catalogue(source: Mapping[str, Any] | bytes | str, *, acting_user: Any) -> ImportReport:
    """Import a catalogue document (a dict, JSON text or bytes, or XLSX bytes): everything or
    nothing, every problem reported with its path (and sheet and row for XLSX)."""
    locations: dict[str, str] = {}
    if isinstance(source, bytes) and source.startswith(b"PK"):
        book = read_workbook(source)
        if book.problems:
            return ImportReport(problems=book.problems)
        data: Any = book.data
        locations = book.locations
    elif isinstance(source, bytes | str):
        try:
            data = json.loads(source)
        except ValueError as exc:
            return ImportReport(problems=[Problem("", f"Không phải JSON hợp lệ: {exc}")])
    else:
        data = source
    plan, problems = _check_document(data)
    report = ImportReport(problems=_locate(problems, locations))
    if problems:
        return report
    try:
        with transaction.atomic():
            _apply(plan, report, acting_user)
            if report.problems:
                raise _RollBack
    except _RollBack:
        report.problems = _locate(report.problems, locations)
        report.fields_saved, report.created, report.updated, report.published = [], [], [], []
    return report


class _RollBack(Exception):
    pass


def _check_document(data: Any) -> tuple[_Plan, list[Problem]]:
    plan = _Plan([], [])
    if not isinstance(data, Mapping):
        return plan, [Problem("", "Tài liệu phải là một đối tượng JSON.")]
    problems = []
    if data.get("format") != FORMAT:
        problems.append(Problem("format", f"Phải là “{FORMAT}”."))
    if set(data) - {"format", "fields", "procedures"}:
        problems.append(Problem("", "Chỉ gồm các khóa format, fields, procedures."))
    plan.fields, field_problems = _check_fields(data.get("fields", []))
    problems += field_problems
    known = {f["code"] for f in plan.fields} | set(Field.objects.values_list("code", flat=True))
    entries = data.get("procedures", [])
    if not isinstance(entries, list):
        return plan, [*problems, Problem("procedures", "Phải là một danh sách.")]
    seen: dict[tuple[str, int], int] = {}
    for index, entry in enumerate(entries):
        path = f"procedures[{index}]"
        identity, identity_problems = _check_identity(entry, path)
        problems += identity_problems
        if identity_problems:
            continue
        key = (identity["national_code"], identity["version"])
        if key in seen:
            problems.append(Problem(path, f"Trùng phiên bản với procedures[{seen[key]}]."))
        seen[key] = index
        publish = identity["status"] == Published
        clean, entry_problems = check_version_data(
            entry, path=path, known_fields=known, for_publish=publish
        )
        problems += entry_problems or _check_against_database(identity, clean, path)
        plan.versions.append((index, identity, clean))
    return plan, problems + _check_overlaps(plan)


def _check_fields(fields: Any) -> tuple[list[dict[str, str]], list[Problem]]:
    if not isinstance(fields, list):
        return [], [Problem("fields", "Phải là một danh sách.")]
    clean, problems, codes = [], [], set()
    for index, item in enumerate(fields):
        path = f"fields[{index}]"
        ok = isinstance(item, Mapping) and set(item) == {"code", "name"}
        ok = ok and all(isinstance(item[k], str) and item[k].strip() for k in ("code", "name"))
        if not ok:
            problems.append(Problem(path, 'Cần {"code": "…", "name": "…"} khác rỗng.'))
        elif len(item["code"]) > 40 or len(item["name"]) > 200:
            problems.append(Problem(path, "Mã tối đa 40 ký tự, tên tối đa 200 ký tự."))
        elif item["code"] in codes:
            problems.append(Problem(f"{path}.code", f"Mã lĩnh vực “{item['code']}” bị trùng."))
        else:
            codes.add(item["code"])
            clean.append({"code": item["code"], "name": item["name"]})
    return clean, problems


def _check_identity(entry: Any, path: str) -> tuple[dict[str, Any], list[Problem]]:
    if not isinstance(entry, Mapping):
        return {}, [Problem(path, "Phải là một đối tượng JSON.")]
    problems = []
    code, number, status = (entry.get(k) for k in ("national_code", "version", "status"))
    if not isinstance(code, str) or not code.strip() or len(code) > 40 or code != code.strip():
        problems.append(Problem(f"{path}.national_code", "Mã thủ tục (tối đa 40 ký tự)."))
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number < 10_000:
        problems.append(Problem(f"{path}.version", "Số phiên bản là số nguyên dương."))
    if status not in ProcedureVersion.Status.values:
        problems.append(Problem(f"{path}.status", "Phải là draft hoặc published."))
    return {"national_code": code, "version": number, "status": status}, problems


def _existing(identity: Mapping[str, Any]) -> ProcedureVersion | None:
    return (
        ProcedureVersion.objects.filter(
            procedure__national_code=identity["national_code"], version=identity["version"]
        )
        .select_related("procedure", "field")
        .first()
    )


def _content_of(version: ProcedureVersion) -> dict[str, Any]:
    data = version_as_data(version)
    return {k: v for k, v in data.items() if k not in ("national_code", "version", "status")}


def _check_against_database(
    identity: Mapping[str, Any], clean: Mapping[str, Any], path: str
) -> list[Problem]:
    existing = _existing(identity)
    if existing is None or existing.status != Published:
        return []
    if identity["status"] != Published:
        return [Problem(f"{path}.status", "Phiên bản này đã công bố, không trở lại bản nháp.")]
    if _content_of(existing) != clean:
        return [
            Problem(path, "Phiên bản đã công bố có nội dung khác; hãy nhập thành phiên bản mới.")
        ]
    return []


def _check_overlaps(plan: _Plan) -> list[Problem]:
    """Published versions of one procedure in the document must not overlap in time."""
    problems = []
    by_code: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, identity, clean in plan.versions:
        if identity["status"] == Published and clean.get("effective_from"):
            by_code.setdefault(identity["national_code"], []).append((index, clean))
    for periods in by_code.values():
        periods.sort(key=lambda item: item[1]["effective_from"])
        for (before, first), (index, second) in itertools.pairwise(periods):
            if first["effective_to"] is None or first["effective_to"] >= second["effective_from"]:
                problems.append(
                    Problem(
                        f"procedures[{index}].effective_from",
                        f"Thời gian hiệu lực trùng với procedures[{before}].",
                    )
                )
    return problems


def _apply(plan: _Plan, report: ImportReport, acting_user: Any) -> None:
    for item in plan.fields:
        current = Field.objects.filter(code=item["code"]).first()
        if current is None or current.name != item["name"]:
            do_save_field(code=item["code"], name=item["name"], acting_user=acting_user)
            report.fields_saved.append(item["code"])
    ordered = sorted(plan.versions, key=lambda v: (v[1]["national_code"], v[1]["version"]))
    for index, identity, clean in ordered:
        try:
            _apply_version(identity, clean, report, acting_user)
        except DomainError as exc:
            problems = exc.problems if isinstance(exc, CatalogueProblems) else []
            path = f"procedures[{index}]"
            report.problems += [Problem(f"{path}.{p.path}", p.message) for p in problems] or [
                Problem(f"{path}.{exc.field}" if exc.field else path, exc.message)
            ]


def _apply_version(
    identity: Mapping[str, Any], clean: dict[str, Any], report: ImportReport, acting_user: Any
) -> None:
    label = f"{identity['national_code']} v{identity['version']}"
    existing = _existing(identity)
    if existing is None:
        procedure = Procedure.objects.filter(national_code=identity["national_code"]).first()
        existing = do_create_version(
            procedure or identity["national_code"],
            data=clean,
            number=identity["version"],
            acting_user=acting_user,
        )
        report.created.append(label)
    elif existing.status != Published and _content_of(existing) != clean:
        existing = do_update_draft(existing, clean, acting_user=acting_user)
        report.updated.append(label)
    if identity["status"] == Published and existing.status != Published:
        do_publish_version(existing, acting_user=acting_user)
        report.published.append(label)
    elif label not in report.created + report.updated:
        report.unchanged.append(label)


def load_demo_catalogue(acting_user: Any = None) -> ImportReport | None:
    """Import `procedures/data/catalogue.json` when it exists (None when it does not). Raises
    `CatalogueProblems` when the file is refused, so a broken demo is noticed."""
    if not DEMO_CATALOGUE.exists():
        return None
    report = import_catalogue(DEMO_CATALOGUE.read_bytes(), acting_user=acting_user)
    if not report.ok:
        raise CatalogueProblems(report.problems)
    return report
