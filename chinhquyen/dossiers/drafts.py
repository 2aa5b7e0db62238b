"""The citizen's draft application: created from the procedure in force, prefilled from the
profile, filled one group per page, files attached per required document (or reused from the
personal data store), declared, then submitted by `actions.do_submit_draft`.

Decree 45/2020 Art. 9 (e-forms, electronic documents) and Art. 16 (the personal data store: a
document already accepted is not asked for again); Decree 224/2026 Art. 15(d): data supplied once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.files import do_store_file
from chinhquyen.core.uploads import check_upload
from chinhquyen.dossiers.models import DossierDocument, Draft, DraftAttachment
from chinhquyen.dossiers.routing import default_receiving_agency, receiving_choices
from chinhquyen.org.models import Agency
from chinhquyen.procedures.eform import validate_answers
from chinhquyen.procedures.models import DeliveryOption, ProcedureVersion, RequiredDocument

APPLICANT_GROUP = "nguoi_nop"
# The applicant as one more group of the e-form, so the same validator and the same page template
# serve it. Kinds follow LoaiDoiTuong (onestop.md §6.2).
APPLICANT_SCHEMA: dict[str, Any] = {
    "groups": [
        {
            "key": APPLICANT_GROUP,
            "title": "Thông tin người nộp hồ sơ",
            "repeat": None,
            "fields": [
                {
                    "key": "kind",
                    "label": "Người nộp là",
                    "type": "choice",
                    "required": True,
                    "choices": [
                        ["citizen", "Công dân"],
                        ["household_business", "Hộ kinh doanh"],
                        ["enterprise", "Doanh nghiệp, tổ chức"],
                    ],
                },
                {"key": "full_name", "label": "Họ và tên người nộp", "type": "text",
                 "required": True, "max_length": 200},
                {"key": "personal_id", "label": "Số định danh cá nhân", "type": "personal_id",
                 "required": True,
                 "show_if": {"field": "kind", "in": ["citizen", "household_business"]}},
                {"key": "enterprise_code", "label": "Mã số doanh nghiệp (mã số thuế)",
                 "type": "tax_code", "required": True,
                 "show_if": {"field": "kind", "equals": "enterprise"}},
                {"key": "organisation_name", "label": "Tên tổ chức, hộ kinh doanh",
                 "type": "text", "required": True, "max_length": 300,
                 "show_if": {"field": "kind", "in": ["enterprise", "household_business"]}},
                {"key": "phone", "label": "Số điện thoại", "type": "phone", "required": True},
                {"key": "email", "label": "Thư điện tử", "type": "email", "required": False},
                {"key": "commune", "label": "Xã, phường", "type": "admin_unit",
                 "required": False},
                {"key": "address", "label": "Địa chỉ (số nhà, thôn, tổ dân phố)",
                 "type": "text", "required": True, "max_length": 300},
            ],
        }
    ]
}  # fmt: skip


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def _profile_values(user: Any) -> dict[str, Any]:
    """What the account already knows, keyed by the `profile.<name>` prefill names."""
    profile = getattr(user, "citizen_profile", None)
    values: dict[str, Any] = {
        "full_name": user.full_name or user.get_full_name(),
        "phone": user.phone,
        "email": user.email,
    }
    if profile is not None:
        commune = getattr(profile, "commune", None)
        values.update(
            {
                "kind": getattr(profile, "applicant_kind", "") or "citizen",
                "personal_id": getattr(profile, "personal_id", "") or "",
                "enterprise_code": getattr(profile, "enterprise_code", "") or "",
                "organisation_name": getattr(profile, "organisation_name", "") or "",
                "address": getattr(profile, "address", "") or "",
                "commune": commune.code if commune is not None else "",
                "date_of_birth": str(getattr(profile, "date_of_birth", "") or ""),
            }
        )
    return {key: value for key, value in values.items() if value}


def _prefilled_answers(version: ProcedureVersion, known: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for group in (version.eform_schema or {}).get("groups", []):
        instance = {}
        for spec in group.get("fields", []):
            source = str(spec.get("prefill", ""))
            if source.startswith("profile.") and source[8:] in known:
                instance[spec["key"]] = known[source[8:]]
        if instance:
            answers[group["key"]] = [instance] if group.get("repeat") else instance
    return answers


def check_can_file_online(version: ProcedureVersion) -> None:
    if version.online_level not in ("full", "partial"):
        raise DomainError(
            "Thủ tục này chưa được cung cấp trực tuyến; vui lòng nộp hồ sơ tại Bộ phận Một cửa.",
            code="not_online",
        )


def do_create_draft(*, owner: Any, version: ProcedureVersion) -> Draft:
    check_can_file_online(version)
    known = _profile_values(owner)
    applicant = {
        key: known[key]
        for key in ("kind", "full_name", "personal_id", "enterprise_code", "organisation_name",
                    "phone", "email", "commune", "address")
        if key in known
    }  # fmt: skip
    applicant.setdefault("kind", "citizen")
    with transaction.atomic():
        draft = Draft.objects.create(
            owner=owner,
            procedure_version=version,
            applicant=applicant,
            answers=_prefilled_answers(version, known),
            receiving_agency=default_receiving_agency(version),
            delivery_option=_only_option(version),
        )
        record_audit("dossiers.draft.create", actor=owner, obj=draft)
    return draft


def _only_option(version: ProcedureVersion) -> str:
    options = list(version.delivery_options or [])
    return options[0] if len(options) == 1 else ""


def check_open(draft: Draft) -> None:
    if draft.state != Draft.State.OPEN:
        raise Conflict(
            "Hồ sơ này đã được nộp hoặc đã hủy, không sửa được nữa.", code="draft_closed"
        )


def _locked(draft: Draft) -> Draft:
    locked = Draft.objects.select_for_update().get(pk=draft.pk)
    check_open(locked)
    return locked


def do_save_applicant(
    draft: Draft, values: dict[str, Any], *, acting_user: Any
) -> list[tuple[str, str]]:
    """Save the applicant page. Returns the errors (nothing saved) or [] once saved."""
    result = validate_answers(APPLICANT_SCHEMA, {APPLICANT_GROUP: values})
    if not result.ok:
        return [(path.partition(".")[2], message) for path, message in result.errors]
    with transaction.atomic():
        locked = _locked(draft)
        locked.applicant = result.cleaned[APPLICANT_GROUP]
        locked.save(update_fields=["applicant", "updated_at"])
    draft.applicant = locked.applicant
    return []


def do_save_group(draft: Draft, group_key: str, value: Any, *, acting_user: Any) -> None:
    """Keep one group's raw answers (validated as a whole at the check page and at submit, so a
    citizen can leave a half-filled page and resume on another device)."""
    keys = [g["key"] for g in (draft.procedure_version.eform_schema or {}).get("groups", [])]
    if group_key not in keys:
        raise DomainError("Nhóm thông tin không có trong tờ khai.", code="unknown_group")
    with transaction.atomic():
        locked = _locked(draft)
        answers = dict(locked.answers)
        answers[group_key] = value
        locked.answers = answers
        locked.save(update_fields=["answers", "updated_at"])
    draft.answers = locked.answers


def do_choose_reception(
    draft: Draft,
    *,
    acting_user: Any,
    receiving_agency_id: int | None,
    delivery_option: str,
    delivery_address: str = "",
) -> None:
    version = draft.procedure_version
    agency = receiving_choices(version).filter(pk=receiving_agency_id or 0).first()
    if agency is None:
        raise DomainError("Vui lòng chọn nơi nộp hồ sơ.", field="receiving_agency")
    if delivery_option not in (version.delivery_options or []):
        raise DomainError("Vui lòng chọn hình thức nhận kết quả.", field="delivery_option")
    address = delivery_address.strip()[:500]
    if delivery_option == DeliveryOption.POST and not address:
        raise DomainError(
            "Vui lòng nhập địa chỉ nhận kết quả qua bưu chính.", field="delivery_address"
        )
    with transaction.atomic():
        locked = _locked(draft)
        locked.receiving_agency = agency
        locked.delivery_option = delivery_option
        locked.delivery_address = address if delivery_option == DeliveryOption.POST else ""
        locked.save(
            update_fields=["receiving_agency", "delivery_option", "delivery_address", "updated_at"]
        )
    draft.receiving_agency = agency
    draft.delivery_option = locked.delivery_option
    draft.delivery_address = locked.delivery_address


def _document_of(draft: Draft, required_document_id: int) -> RequiredDocument:
    document = draft.procedure_version.documents.filter(pk=required_document_id).first()
    if document is None:
        raise DomainError("Thành phần hồ sơ không thuộc thủ tục này.", code="unknown_document")
    return document


MAX_FILES_PER_DOCUMENT = 10


def do_attach_upload(
    draft: Draft, required_document_id: int, data: Any, *, filename: str, acting_user: Any
) -> DraftAttachment:
    """Check the file (type from the content, size, active content; core.uploads), store it and
    link it in one transaction: a refusal or a crash leaves no link (the sweep removes bytes)."""
    document = _document_of(draft, required_document_id)
    content = data if isinstance(data, bytes) else bytes(data.read(max_upload_bytes() + 1))
    checked = check_upload(content, filename=filename, max_bytes=max_upload_bytes())
    with transaction.atomic():
        locked = _locked(draft)
        count = locked.attachments.filter(required_document=document).count()
        if count >= MAX_FILES_PER_DOCUMENT:
            raise DomainError(
                f"Mỗi thành phần hồ sơ đính kèm tối đa {MAX_FILES_PER_DOCUMENT} tệp.",
                code="too_many_files",
            )
        stored = do_store_file(content, checked, uploaded_by=acting_user)
        attachment = DraftAttachment.objects.create(
            draft=locked, required_document=document, file=stored
        )
        locked.save(update_fields=["updated_at"])
        record_audit(
            "dossiers.draft.attach",
            actor=acting_user,
            obj=locked,
            after={"file": str(stored.pk), "sha256": stored.sha256, "document": document.pk},
        )
    return attachment


def do_reuse_document(
    draft: Draft, required_document_id: int, source: DossierDocument, *, acting_user: Any
) -> DraftAttachment:
    """Attach a document from the personal data store (NĐ 45/2020 Art. 16). `source` must come
    from `queries.personal_store(acting_user)`; the file is shared, not copied."""
    document = _document_of(draft, required_document_id)
    with transaction.atomic():
        locked = _locked(draft)
        if locked.attachments.filter(required_document=document, file=source.file).exists():
            raise Conflict("Giấy tờ này đã được đính kèm.", code="already_attached")
        attachment = DraftAttachment.objects.create(
            draft=locked, required_document=document, file=source.file, reused_from=source
        )
        locked.save(update_fields=["updated_at"])
        record_audit(
            "dossiers.draft.reuse", actor=acting_user, obj=locked, after={"source": source.pk}
        )
    return attachment


def do_remove_attachment(draft: Draft, attachment_id: int, *, acting_user: Any) -> None:
    with transaction.atomic():
        locked = _locked(draft)
        deleted, _ = locked.attachments.filter(pk=attachment_id).delete()
        if not deleted:
            raise DomainError("Không tìm thấy tệp đính kèm.", code="not_found")
        locked.save(update_fields=["updated_at"])
        # The bytes stay until the stray-file sweep finds nothing refers to them any more.


def do_declare(draft: Draft, *, acting_user: Any, accepted: bool) -> None:
    """The applicant's declaration that the information is true (the "cam đoan" of the forms)."""
    if not accepted:
        raise DomainError(
            "Vui lòng xác nhận lời cam đoan trước khi nộp hồ sơ.", field="declaration"
        )
    with transaction.atomic():
        locked = _locked(draft)
        locked.declared_at = timezone.now()
        locked.save(update_fields=["declared_at", "updated_at"])
    draft.declared_at = locked.declared_at


def do_discard_draft(draft: Draft, *, acting_user: Any) -> None:
    with transaction.atomic():
        locked = _locked(draft)
        locked.state = Draft.State.DISCARDED
        locked.save(update_fields=["state", "updated_at"])
        record_audit("dossiers.draft.discard", actor=acting_user, obj=locked)


def receiving_agency_label(agency: Agency) -> str:
    """The agency's name, with its commune or province when the name does not already say it
    ("Ủy ban nhân dân phường Phố Hiến" needs no "(Phường Phố Hiến)")."""
    unit = agency.administrative_unit
    if unit is None or unit.name.casefold() in agency.name.casefold():
        return agency.name
    return f"{agency.name} ({unit.name})"
