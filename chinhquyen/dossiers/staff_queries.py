"""What officers see of dossiers: the worklists of the one-stop office and of the units, and the
`access_*` helper for one dossier, all scoped by agency (a role reaches its agency's subtree).

A dossier is visible to an officer whose role reaches its receiving office, its competent agency,
the unit holding it now, or a unit asked to take part (an opinion or a liên thông task). Anything
else answers 404, as if it did not exist.

Worklists read the back office's position columns (`current_agency`, `assignee`, `step_due_at`,
indexed with the status) so a unit's list stays an index range scan among a million dossiers
(issue #5: p95 ≤ 100 ms with 20,000 dossiers in the officer's agency)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from chinhquyen.dossiers.models import DocumentRole, Dossier, DossierDocument, DossierTask, Status
from chinhquyen.org.models import Agency
from chinhquyen.org.permissions import Capability, agencies_visible_to, user_scopes

NOT_FOUND = "Không tìm thấy hồ sơ, hoặc hồ sơ không thuộc phạm vi cơ quan, đơn vị của bạn."

# Statuses of a dossier still on somebody's desk (TrangThaiHoSo, onestop.md §6.1).
OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.PAYMENT_REQUESTED,
    Status.DONE,  # the result waits at the one-stop office to be returned
)
DUE_SOON = timedelta(days=2)  # "sắp đến hạn": due within two calendar days


@dataclass(frozen=True)
class Worklist:
    key: str  # the ?ds= value
    title: str
    explanation: str


WORKLISTS = (
    Worklist("cua-toi", "Hồ sơ của tôi", "Hồ sơ đang phân công cho bạn xử lý."),
    Worklist("moi-dang-ky", "Mới đăng ký", "Hồ sơ nộp trực tuyến chờ tiếp nhận hoặc từ chối."),
    Worklist("don-vi", "Của đơn vị", "Hồ sơ đang ở cơ quan, đơn vị của bạn."),
    Worklist("sap-den-han", "Sắp đến hạn", "Hồ sơ của đơn vị đến hạn trong 2 ngày tới."),
    Worklist("qua-han", "Quá hạn", "Hồ sơ của đơn vị đã quá hạn trả kết quả hoặc hạn của bước."),
    Worklist("cho-bo-sung", "Chờ bổ sung", "Hồ sơ đang chờ người nộp bổ sung, hoàn thiện."),
    Worklist(
        "cho-co-quan-khac",
        "Chờ cơ quan khác",
        "Hồ sơ đang chờ ý kiến hoặc phần việc liên thông của cơ quan, đơn vị khác.",
    ),
    Worklist("tra-ket-qua", "Chờ trả kết quả", "Hồ sơ đã có kết quả, chờ trả cho người nộp."),
)
WORKLIST_KEYS = {worklist.key: worklist for worklist in WORKLISTS}


def may_change(user: Any) -> bool:
    """Whether any of the officer's roles may change anything (inspectors only read)."""
    return any(Capability.CHANGE in caps for _, caps in user_scopes(user))


def visible_agency_ids(user: Any) -> list[int]:
    """Every agency in the subtrees the officer's roles reach (cached on the user object)."""
    cached = getattr(user, "_visible_agency_ids", None)
    if cached is None:
        cached = list(agencies_visible_to(user).values_list("pk", flat=True))
        user._visible_agency_ids = cached
    return list(cached)


def _visibility(user: Any) -> Q:
    ids = visible_agency_ids(user)
    tasks = DossierTask.objects.filter(dossier=OuterRef("pk"), agency_id__in=ids)
    return (
        Q(receiving_agency_id__in=ids)
        | Q(handling_agency_id__in=ids)
        | Q(current_agency_id__in=ids)
        | Q(Exists(tasks))
    )


def access_dossier_for_staff(user: Any, code: str) -> Dossier:
    """One dossier by its code, for an officer whose scope reaches it; 404 otherwise."""
    if not user_scopes(user) or not code or len(code) > 80:
        raise Http404(NOT_FOUND)
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "handling_agency",
            "current_agency",
            "assignee",
        )
        .filter(_visibility(user), code=code.strip().upper())
        .first()
    )
    if dossier is None:
        raise Http404(NOT_FOUND)
    return dossier


def worklist(user: Any, key: str, *, now: datetime | None = None) -> QuerySet[Dossier]:
    """The dossiers of one worklist (`WORKLIST_KEYS`), most urgent first."""
    now = now or timezone.now()
    ids = visible_agency_ids(user)
    mine_here = Q(current_agency_id__in=ids, status__in=OPEN_STATUSES)
    filters: dict[str, Q] = {
        "cua-toi": Q(assignee_id=getattr(user, "pk", None), status__in=OPEN_STATUSES),
        "moi-dang-ky": Q(receiving_agency_id__in=ids, status=Status.SUBMITTED),
        "don-vi": mine_here,
        "sap-den-han": mine_here & Q(due_at__gte=now, due_at__lt=now + DUE_SOON),
        "qua-han": mine_here & (Q(due_at__lt=now) | Q(step_due_at__lt=now)),
        "cho-bo-sung": Q(current_agency_id__in=ids, status=Status.SUPPLEMENT_REQUESTED),
        "cho-co-quan-khac": mine_here
        & Q(Exists(DossierTask.objects.filter(dossier=OuterRef("pk"), done_at__isnull=True))),
        "tra-ket-qua": Q(current_agency_id__in=ids, status=Status.DONE),
    }
    if key not in filters:
        raise Http404("Không có danh sách hồ sơ này.")
    return (
        Dossier.objects.filter(filters[key])
        .select_related("procedure_version", "current_agency", "assignee")
        .order_by("due_at", "submitted_at", "pk")
    )


def search_dossiers(user: Any, text: str) -> QuerySet[Dossier]:
    """Dossiers in the officer's scope by code (whole or its end), identification number, or the
    applicant's name ignoring case and diacritics ("nguyen van an" finds "Nguyễn Văn An")."""
    from chinhquyen.procedures.text import fold

    text = " ".join(text.split())[:100]
    if not text:
        return Dossier.objects.none()
    matches = Q(code__iexact=text) | Q(code__endswith=text.upper()) | Q(applicant_id_number=text)
    folded = fold(text)
    if folded:
        matches |= Q(search_name__contains=folded)
    return (
        Dossier.objects.filter(_visibility(user))
        .filter(matches)
        .select_related("procedure_version", "current_agency", "assignee")
        .order_by("-submitted_at", "-pk")
    )


def assignable_staff(agency: Agency) -> QuerySet[Any]:
    """Specialists a leader of `agency` may assign: staff holding a role in that unit itself."""
    from chinhquyen.org.models import RoleAssignment, User

    users = RoleAssignment.objects.filter(agency=agency, agency__is_active=True).values("user_id")
    return User.objects.filter(pk__in=users, is_active=True).order_by("full_name", "username")


def other_agencies(holder: Agency) -> QuerySet[Agency]:
    """Agencies a dossier can be sent to, asked for an opinion or brought into a liên thông."""
    return Agency.objects.filter(is_active=True).exclude(pk=holder.pk).order_by("path")


def may_see_drafts(user: Any, dossier: Dossier) -> bool:
    """The draft result is the competent agency's internal paper (Decree 61/2018 Art. 19): only
    officers whose roles reach the competent agency or one of its units see it, not a unit of
    another agency asked for an opinion nor a receiving office elsewhere."""
    handling = dossier.handling_agency
    if not handling.path:  # never saved in the tree: a prefix of "" would match every agency
        return False
    ids = visible_agency_ids(user)
    return Agency.objects.filter(pk__in=ids, path__startswith=handling.path).exists()


def staff_documents(user: Any, dossier: Dossier) -> QuerySet[DossierDocument]:
    documents = dossier.documents.select_related("file").order_by("added_at", "pk")
    if may_see_drafts(user, dossier):
        return documents
    return documents.exclude(role=DocumentRole.RESULT_DRAFT)


def access_staff_document(user: Any, code: str, document_id: int) -> DossierDocument:
    """One file of a dossier in the officer's scope (drafts only for the competent agency)."""
    dossier = access_dossier_for_staff(user, code)
    document = staff_documents(user, dossier).filter(pk=document_id).first()
    if document is None:
        raise Http404("Không tìm thấy giấy tờ, hoặc bạn không được xem giấy tờ này.")
    return document
