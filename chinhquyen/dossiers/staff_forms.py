"""What an officer types for each back-office action, turned into the `data` that
`handling.do_transition_dossier` takes. One small reader per action; every message Vietnamese."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.http import QueryDict

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.handling import PaperDocument
from chinhquyen.dossiers.models import Dossier, DossierTask
from chinhquyen.org.models import Agency, User
from chinhquyen.signing.models import SigningCertificate
from chinhquyen.workdays.calendar import DurationUnit

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_LINES = 50


def lines(post: QueryDict, name: str) -> list[str]:
    """One item per line of a textarea (blank lines dropped)."""
    text = post.get(name, "")
    return [line.strip()[:500] for line in text.splitlines() if line.strip()][:MAX_LINES]


def _int(post: QueryDict, name: str, message: str) -> int:
    try:
        return int(post.get(name, ""))
    except ValueError:
        raise DomainError(message, field=name) from None


def _agency(post: QueryDict, name: str) -> Agency:
    pk = _int(post, name, "Chọn cơ quan, đơn vị.")
    agency = Agency.objects.filter(pk=pk, is_active=True).first()
    if agency is None:
        raise DomainError("Cơ quan, đơn vị đã chọn không còn hoạt động.", field=name)
    return agency


def _budget(post: QueryDict) -> dict[str, Any]:
    try:
        amount = Decimal(post.get("thoi_han", "").replace(",", "."))
    except InvalidOperation:
        raise DomainError("Nhập thời hạn bằng số ngày làm việc.", field="thoi_han") from None
    return {"amount": amount, "unit": DurationUnit.WORKING_DAYS}


def local_datetime(text: str, field: str) -> datetime:
    """`2026-12-01T16:30` from an <input type="datetime-local">, read as Vietnam time."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DomainError("Nhập ngày giờ theo dạng ngày/tháng/năm giờ:phút.", field=field) from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=VIETNAM)


def _task(dossier: Dossier, post: QueryDict, agencies: list[int]) -> DossierTask:
    pk = _int(post, "phan_viec", "Chọn phần việc cần trả lời.")
    task = dossier.tasks.filter(pk=pk, agency_id__in=agencies, done_at__isnull=True).first()
    if task is None:
        raise DomainError("Phần việc này không còn chờ đơn vị của bạn.", field="phan_viec")
    return task


def read_action_data(
    action: str, dossier: Dossier, post: QueryDict, files: Any, agencies: list[int]
) -> dict[str, Any]:
    """The `data` of one action from the posted form (`agencies`: the officer's visible ones)."""
    readers: dict[str, Callable[[], dict[str, Any]]] = {
        "refuse": lambda: {"reasons": lines(post, "ly_do")},
        "request_supplement": lambda: {"items": lines(post, "noi_dung")},
        "refuse_after_appraisal": lambda: {"reasons": lines(post, "ly_do")},
        "request_payment": lambda: {
            "money": post.get("so_tien", ""),
            "content": post.get("noi_dung", ""),
        },
        "record_payment": lambda: {
            "money": post.get("so_tien", ""),
            "receipt": post.get("so_bien_lai", ""),
        },
        "forward": lambda: {"unit": _agency(post, "don_vi")},
        "assign": lambda: {"assignee": _assignee(post)},
        "request_opinion": lambda: {
            "agency": _agency(post, "don_vi"),
            "content": post.get("noi_dung", ""),
            **_budget(post),
        },
        "coordinate": lambda: {
            "tasks": [
                {
                    "agency": _agency(post, "don_vi"),
                    "content": post.get("noi_dung", ""),
                    "order": 1,
                    **_budget(post),
                }
            ]
        },
        "answer_opinion": lambda: _task_answer(dossier, post, agencies),
        "complete_task": lambda: _task_answer(dossier, post, agencies),
        "propose": lambda: {"result_draft": _draft_file(files)},
        "approve": lambda: {"result_draft": _draft_file(files)},
        "record_result": lambda: {"result": _result_file(files)},
        "return_result": lambda: {
            "method": "post" if post.get("hinh_thuc") == "buu_chinh" else "counter",
            "collected_by": post.get("nguoi_nhan", "").strip(),
            "cod_amount": post.get("thu_ho", "").strip(),
        },
        "extend_due": lambda: {
            "reason": post.get("ly_do", ""),
            "new_due_at": local_datetime(post.get("ngay_hen_moi", ""), "ngay_hen_moi"),
        },
        "stop": lambda: {"reason": post.get("ly_do", "")},
        "withdraw": lambda: {"reason": post.get("ly_do", "")},
    }
    reader = readers.get(action)
    return reader() if reader else {}


def _assignee(post: QueryDict) -> User:
    pk = _int(post, "can_bo", "Chọn cán bộ được phân công.")
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise DomainError("Cán bộ đã chọn không còn hoạt động.", field="can_bo")
    return user


def _task_answer(dossier: Dossier, post: QueryDict, agencies: list[int]) -> dict[str, Any]:
    return {"task": _task(dossier, post, agencies), "answer": post.get("y_kien", "")}


def _draft_file(files: Any) -> PaperDocument | None:
    """The draft result (Decree 61/2018 Art. 19(1)): a PDF, so the leader can sign it."""
    upload = files.get("du_thao") if files else None
    if upload is None:
        return None
    if upload.size > 25 * 1024 * 1024:
        raise DomainError("Tệp dự thảo quá lớn (tối đa 25 MB).", field="du_thao")
    content = upload.read()
    if not content.startswith(b"%PDF-"):
        raise DomainError("Dự thảo kết quả phải là tệp PDF.", field="du_thao")
    return PaperDocument(name="Dự thảo kết quả", content=content, filename=upload.name)


@dataclass(frozen=True)
class SignRequest:
    """The sign form: which certificate, and a fresh code from the authenticator app."""

    certificate: SigningCertificate
    code: str


def read_sign_request(post: QueryDict) -> SignRequest | None:
    """None when the officer did not ask to sign (no certificate chosen)."""
    if not post.get("chung_thu", "").strip():
        return None
    pk = _int(post, "chung_thu", "Chọn chứng thư số để ký.")
    certificate = SigningCertificate.objects.filter(pk=pk).first()
    if certificate is None:
        raise DomainError("Chứng thư số đã chọn không tồn tại.", field="chung_thu")
    code = post.get("ma_xac_thuc", "").strip()[:12]
    if not code:
        raise DomainError("Nhập mã xác thực (OTP) để ký số.", field="ma_xac_thuc")
    return SignRequest(certificate, code)


def _result_file(files: Any) -> PaperDocument | None:
    upload = files.get("ket_qua") if files else None
    if upload is None:
        return None
    if upload.size > 25 * 1024 * 1024:
        raise DomainError("Tệp kết quả quá lớn (tối đa 25 MB).", field="ket_qua")
    return PaperDocument(name="Kết quả giải quyết", content=upload.read(), filename=upload.name)
