"""What the submission pages show around the e-form: the steps of a draft and their state, the
receiving agencies grouped for a long list, the required documents with their files and the
matching documents of the personal data store, the fee lines; and the upload handler that keeps
at most `UPLOAD_MAX_BYTES` + 1 bytes of an attachment in memory (the rest of an oversized file is
read and dropped, so `core.uploads.check_upload` refuses it with its own message, and nothing
oversized is written to a temporary file)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from chinhquyen.dossiers.drafts import receiving_agency_label
from chinhquyen.dossiers.models import DossierDocument, Draft, DraftAttachment
from chinhquyen.org.models import Agency
from chinhquyen.portal import formatting
from chinhquyen.portal.eform_render import Option, OptionGroup
from chinhquyen.procedures.fees import FeeQuote
from chinhquyen.procedures.models import Fee, RequiredDocument
from chinhquyen.procedures.text import fold

UPLOAD_FIELD = "tep"


class CappedUploadHandler(FileUploadHandler):
    """Keeps the first `limit` + 1 bytes of the one file field `tep` in memory and drops the rest
    (and every other file part), so an upload can be refused for its size without being stored."""

    def __init__(self, limit: int, request: Any = None) -> None:
        super().__init__(request)
        self.limit = limit
        self.buffer: io.BytesIO | None = None
        self.kept = False
        self.taking = False

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.taking = field_name == UPLOAD_FIELD and not self.kept
        self.buffer = io.BytesIO() if self.taking else None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.buffer is not None:
            room = self.limit + 1 - self.buffer.tell()
            if room > 0:
                self.buffer.write(raw_data[:room])
        return None  # no other handler sees the bytes

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.buffer is None or not self.taking:
            return None
        self.kept = True
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.buffer.getbuffer().nbytes,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


# --- Steps ---------------------------------------------------------------------------------------

APPLICANT_STEP, DOCUMENTS_STEP, RECEPTION_STEP, CHECK_STEP = (
    "nguoi_nop",
    "giay_to",
    "noi_nop",
    "kiem_tra",
)
STATE_LABELS = {"done": "Đã xong", "problem": "Cần bổ sung", "todo": "Chưa điền"}


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    url: str
    state: str = "todo"
    problems: tuple[str, ...] = ()

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def draft_steps(draft: Draft, problems: Sequence[tuple[str, str]] | None = None) -> list[Step]:
    """The pages of a draft in order; with `problems` (actions.check_draft_complete), each step's
    state: an e-form group never saved is still to fill in, one with problems needs work."""
    pk = draft.pk
    groups = (draft.procedure_version.eform_schema or {}).get("groups", [])
    rows = [(APPLICANT_STEP, "Người nộp", reverse("submission:applicant", args=[pk]))]
    rows += [
        (g["key"], g.get("title", g["key"]), reverse("submission:group", args=[pk, n]))
        for n, g in enumerate(groups, start=1)
    ]
    rows += [
        (DOCUMENTS_STEP, "Giấy tờ", reverse("submission:documents", args=[pk])),
        (RECEPTION_STEP, "Nơi nộp và nhận kết quả", reverse("submission:reception", args=[pk])),
        (CHECK_STEP, "Kiểm tra và nộp", reverse("submission:check", args=[pk])),
    ]
    steps = []
    for number, (key, title, url) in enumerate(rows, start=1):
        found = tuple(message for where, message in problems or () if where == key)
        state = "todo"
        if problems is not None and key != CHECK_STEP:
            unsaved = key in {g["key"] for g in groups} and key not in (draft.answers or {})
            state = "todo" if unsaved else "problem" if found else "done"
        steps.append(Step(number, key, title, url, state, found if state == "problem" else ()))
    return steps


def step_for(steps: Iterable[Step], key: str) -> Step:
    return next(step for step in steps if step.key == key)


def next_url(steps: Sequence[Step], key: str) -> str:
    keys = [step.key for step in steps]
    return steps[min(keys.index(key) + 1, len(steps) - 1)].url


def problem_url(steps: Sequence[Step], where: str, fallback: str) -> str:
    return next((step.url for step in steps if step.key == where), fallback)


# --- Reception -----------------------------------------------------------------------------------

RADIO_LIMIT = 5


def reception_options(
    agencies: Iterable[Agency], *, selected: int | None, home_unit_codes: set[str]
) -> list[OptionGroup]:
    """Agencies for a `<select>`: the one(s) where the applicant lives first, then grouped by
    province when they span several, else by kind of commune (phường, xã, đặc khu)."""
    agencies = list(agencies)
    units = [agency.administrative_unit for agency in agencies]
    provinces = {unit.parent_id for unit in units if unit is not None}
    home: list[Option] = []
    groups: dict[str, list[Option]] = {}
    for agency in sorted(agencies, key=lambda a: fold(receiving_agency_label(a))):
        option = Option(str(agency.pk), receiving_agency_label(agency), agency.pk == selected)
        unit = agency.administrative_unit
        if unit is not None and unit.code in home_unit_codes:
            home.append(option)
            continue
        groups.setdefault(_group_label(unit, several=len(provinces) > 1), []).append(option)
    result = [OptionGroup("Nơi bạn cư trú", home)] if home else []
    ordered = sorted(groups.items(), key=lambda item: fold(item[0]))
    return result + [OptionGroup(label, options) for label, options in ordered]


def _group_label(unit: Any, *, several: bool) -> str:
    if unit is None:
        return "Cơ quan tiếp nhận"
    if several and unit.parent is not None:
        return str(unit.parent.name)
    kind = str(unit.division_type or "").strip()
    return kind[:1].upper() + kind[1:] if kind else "Cơ quan tiếp nhận"


def uses_radios(groups: Sequence[OptionGroup]) -> bool:
    return sum(len(group.options) for group in groups) <= RADIO_LIMIT


# --- Documents -----------------------------------------------------------------------------------


@dataclass
class DocumentBlock:
    document: RequiredDocument
    attachments: list[DraftAttachment] = field(default_factory=list)
    reusable: list[DossierDocument] = field(default_factory=list)
    error: str = ""

    @property
    def anchor(self) -> str:
        return f"giay-to-{self.document.pk}"

    @property
    def quantity(self) -> str:
        parts = []
        if self.document.originals:
            parts.append(f"{self.document.originals} bản chính")
        if self.document.copies:
            parts.append(f"{self.document.copies} bản sao")
        return ", ".join(parts)


def _same_name(name: str) -> str:
    return " ".join(name.casefold().split())


def document_blocks(
    draft: Draft, store: Iterable[DossierDocument], errors: dict[int, str] | None = None
) -> list[DocumentBlock]:
    """Each required document with its files and, when the catalogue marks it reusable, the
    documents of the personal data store with the same name not yet attached to it."""
    attachments = list(draft.attachments.select_related("file", "reused_from"))
    by_name: dict[str, list[DossierDocument]] = {}
    for source in store:
        by_name.setdefault(_same_name(source.name), []).append(source)
    blocks = []
    for document in draft.procedure_version.documents.all():
        mine = [a for a in attachments if a.required_document_id == document.pk]
        files = {a.file_id for a in mine}
        candidates = by_name.get(_same_name(document.name), []) if document.reusable else []
        reusable = [source for source in candidates if source.file_id not in files]
        error = (errors or {}).get(document.pk, "")
        blocks.append(DocumentBlock(document, mine, reusable, error))
    return blocks


# --- Fees ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeRow:
    kind: str
    name: str
    unit_amount: str
    quantity: int
    amount: str
    estimated: bool
    note: str


def fee_rows(quote: FeeQuote) -> list[FeeRow]:
    kinds = dict(Fee.Kind.choices)
    return [
        FeeRow(
            str(kinds.get(line.kind, line.kind)),
            line.name,
            formatting.money(line.unit_amount),
            line.quantity,
            formatting.money(line.amount),
            line.estimated,
            line.note,
        )
        for line in quote.lines
    ]
