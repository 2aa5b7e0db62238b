"""The one-stop dossier (hồ sơ TTHC), its history as rows, its documents, and the citizen's drafts.

`Dossier.status` is the national status code (TrangThaiHoSo, onestop.md §6.1) kept for fast
reads; the history is `DossierTransition` rows, appended only by the `do_*` actions, and every
figure (on time, online share) is computed from those rows, never from the mutable fields.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chinhquyen.core.models import StoredFile
from chinhquyen.org.models import AdministrativeUnit, Agency
from chinhquyen.procedures.models import DeliveryOption, ProcedureVersion, RequiredDocument
from chinhquyen.procedures.text import fold


class DossierCodeCounter(models.Model):
    """The last sequence number issued by a receiving agency on one day (Vietnam time).

    Decree 61/2018 Art. 26(b), TT 01/2018/TT-VPCP Art. 19: the dossier code ends with the
    reception date and the dossier's number within that day at that agency. One row per
    (agency, day); its row lock serialises concurrent receptions (ADR 0009)."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossier_code_counters",
    )
    day = models.DateField(_("ngày tiếp nhận"))
    last_number = models.PositiveIntegerField(_("số thứ tự cuối cùng"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã số hồ sơ")
        verbose_name_plural = _("bộ đếm mã số hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%Y-%m-%d}: {self.last_number}"


class Status(models.IntegerChoices):
    """TrangThaiHoSo, the status codes the national portal synchronises (onestop.md §6.1)."""

    SUBMITTED = 1, _("Mới đăng ký")
    ACCEPTED = 2, _("Được tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung giấy tờ")
    PAYMENT_REQUESTED = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    DONE = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


# Decision 766 indicator 2.1 end states (onestop.md §6.1).
CLOSED_STATUSES = frozenset(
    {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.DONE, Status.RETURNED}
)


class Channel(models.IntegerChoices):
    """KenhThucHien (Decree 61/2018 Art. 16; onestop.md §1.2)."""

    COUNTER = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Qua dịch vụ bưu chính công ích")


class ApplicantKind(models.IntegerChoices):
    """LoaiDoiTuong (onestop.md §6.2)."""

    CITIZEN = 0, _("Công dân")
    ENTERPRISE = 1, _("Doanh nghiệp, tổ chức")
    HOUSEHOLD_BUSINESS = 2, _("Hộ kinh doanh")


class OnlinePayment(models.IntegerChoices):
    """DuocThanhToanTrucTuyen (onestop.md §6.4): 1 paid on DVCQG, 2 through the local gateway."""

    NATIONAL = 1, _("Thanh toán trên Cổng DVCQG")
    LOCAL_GATEWAY = 2, _("Thanh toán qua cổng thanh toán của tỉnh")


class Dossier(models.Model):
    code = models.CharField(_("mã số hồ sơ"), max_length=80, unique=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("thủ tục (phiên bản)"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_agency = models.ForeignKey(
        Agency, verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    handling_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
    )
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    # The applicant as declared on this dossier (kept even if the profile changes later).
    applicant_kind = models.PositiveSmallIntegerField(
        _("loại đối tượng"), choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    applicant_name = models.CharField(_("người nộp"), max_length=200)
    applicant_id_number = models.CharField(
        _("số định danh cá nhân / mã số doanh nghiệp"), max_length=20, db_index=True
    )
    organisation_name = models.CharField(_("tên tổ chức"), max_length=300, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField(_("nội dung tờ khai"), default=dict)
    delivery_option = models.CharField(
        _("hình thức nhận kết quả"), max_length=20, choices=DeliveryOption.choices
    )
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)
    fee_total = models.DecimalField(_("tổng phí, lệ phí"), max_digits=14, decimal_places=0)
    paid_online = models.PositiveSmallIntegerField(
        _("thanh toán trực tuyến"), choices=OnlinePayment.choices, null=True, blank=True
    )
    paid_amount = models.DecimalField(
        _("số tiền đã thanh toán"), max_digits=14, decimal_places=0, default=0
    )
    submitted_at = models.DateTimeField(_("ngày nộp"))  # NgayNopHoSo
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ngày kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    # Where the dossier stands in its procedure's internal process (dossiers.process): the code of
    # the current step, its due instant, the unit holding it and the specialist assigned. Kept
    # for worklists and the deadline sweep; the history is still the transition rows.
    step = models.CharField(_("bước xử lý hiện tại"), max_length=40, blank=True, default="")
    step_due_at = models.DateTimeField(_("hạn của bước hiện tại"), null=True, blank=True)
    current_agency = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị đang giữ hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chuyên viên được phân công"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    # The applicant's (and organisation's) name folded for search: case, diacritics and "đ"
    # ignored (procedures.text.fold), so an officer finds "Nguyễn Văn An" by "nguyen van an".
    search_name = models.CharField(_("tên tìm kiếm"), max_length=520, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["applicant", "-submitted_at"], name="dossier_applicant_recent"),
            models.Index(fields=["handling_agency", "status"], name="dossier_agency_status"),
            models.Index(fields=["receiving_agency", "status"], name="dossier_reception_status"),
            models.Index(fields=["current_agency", "status"], name="dossier_holder_status"),
            models.Index(fields=["assignee", "status"], name="dossier_assignee_status"),
            # The deadline sweep reads only steps still running (healthchecks' partial index).
            models.Index(
                fields=["step_due_at"],
                condition=Q(step_due_at__isnull=False),
                name="dossier_step_due",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_search_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "applicant_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def fill_search_name(self) -> None:
        """The folded name that search matches (also set by hand-written inserts)."""
        self.search_name = fold(f"{self.applicant_name} {self.organisation_name}")[:520]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class DossierTransition(models.Model):
    """One step in a dossier's life, appended by an action and never changed (Art. 26 61/2018:
    every step is logged in real time and the history kept)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="transitions")
    seq = models.PositiveIntegerField(_("thứ tự"))
    action = models.CharField(_("thao tác"), max_length=40)
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("thời điểm"))
    note = models.TextField(_("nội dung"), blank=True)
    public_note = models.CharField(_("thông báo cho người nộp"), max_length=1000, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_transition_seq")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"


class DossierTask(models.Model):
    """A piece of work the dossier's lead unit hands to another unit or agency, with its own
    deadline: an opinion (lấy ý kiến, Decree 61/2018 Art. 19(5)) or an agency's part of an
    inter-agency dossier (liên thông, Art. 19(6)–(7)). Coordination tasks with the same `order` run
    in parallel; a higher order starts when every lower one is done (in sequence)."""

    class Kind(models.TextChoices):
        OPINION = "opinion", _("Lấy ý kiến")
        COORDINATION = "coordination", _("Liên thông")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("đơn vị thực hiện"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    content = models.TextField(_("nội dung, nhiệm vụ"))
    budget_value = models.DecimalField(_("thời hạn"), max_digits=8, decimal_places=2)
    budget_unit = models.CharField(_("đơn vị thời hạn"), max_length=20)  # workdays.DurationUnit
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("gửi lúc"))
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn"), null=True, blank=True)
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("kết quả, ý kiến"), blank=True)

    class Meta:
        verbose_name = _("phần việc phối hợp")
        verbose_name_plural = _("phần việc phối hợp")
        ordering = ["dossier", "order", "pk"]
        indexes = [
            # "Waiting for other agencies" worklists: the open tasks of one agency.
            models.Index(
                fields=["agency", "due_at"], condition=Q(done_at__isnull=True), name="task_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} → {self.agency_id}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None


class DocumentRole(models.TextChoices):
    SUBMITTED = "submitted", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Bổ sung")
    RESULT = "result", _("Kết quả")
    # Decree 61/2018 Art. 19(1): the specialist's draft submitted for approval (and the leader's
    # signed copy); internal to the competent agency, never shown to the applicant.
    RESULT_DRAFT = "result_draft", _("Dự thảo kết quả")


class DossierDocument(models.Model):
    """A file of the dossier: a required document as submitted or supplemented, or a result.
    `reused_from` marks a document taken from the personal data store (DuocLayTuKho, NĐ 45/2020
    Art. 16: no need to submit again)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    role = models.CharField(_("loại"), max_length=20, choices=DocumentRole.choices)
    required_document = models.ForeignKey(
        RequiredDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("thêm lúc"))
    accepted = models.BooleanField(_("đã được chấp nhận"), default=False)

    class Meta:
        verbose_name = _("giấy tờ của hồ sơ")
        verbose_name_plural = _("giấy tờ của hồ sơ")
        ordering = ["dossier", "added_at", "pk"]

    def __str__(self) -> str:
        return self.name


class DossierRating(models.Model):
    """The citizen's rating after the result (Decree 61/2018 Art. 29; onestop.md §6.6)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    score = models.PositiveSmallIntegerField(_("mức độ hài lòng"))
    comment = models.CharField(_("ý kiến"), max_length=1000, blank=True)
    rated_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}"


class Draft(models.Model):
    """A citizen's online application before submission; resumable from any device."""

    class State(models.TextChoices):
        OPEN = "open", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã nộp")
        DISCARDED = "discarded", _("Đã hủy")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafts"
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="drafts"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    applicant = models.JSONField(_("người nộp"), default=dict)
    answers = models.JSONField(_("nội dung tờ khai"), default=dict)
    receiving_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivery_option = models.CharField(_("hình thức nhận kết quả"), max_length=20, blank=True)
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("cam đoan lúc"), null=True, blank=True)
    dossier = models.OneToOneField(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return str(self.id)


class DraftAttachment(models.Model):
    """A file attached to a draft for one required document: uploaded now, or reused from the
    citizen's personal data store (an accepted document or result of an earlier dossier)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="attachments")
    required_document = models.ForeignKey(
        RequiredDocument, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    reused_from = models.ForeignKey(
        DossierDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm hồ sơ nháp")
        verbose_name_plural = _("tệp đính kèm hồ sơ nháp")
        ordering = ["draft", "added_at", "pk"]

    def __str__(self) -> str:
        return self.file.display_name


class LookupFailureWindow(models.Model):
    """Failed public lookups (tra cứu hồ sơ) from one client address in one fixed time window.

    Guessing a code and its four check digits is refused once an address has failed
    TRACKING_MAX_FAILURES_PER_ADDRESS times in the window. The count lives in the database so
    every web process sees it; only failures write, a successful lookup only reads its row."""

    address = models.CharField(_("địa chỉ nguồn"), max_length=64)
    window_start = models.DateTimeField(_("đầu khoảng thời gian"))
    failures = models.PositiveIntegerField(_("số lần tra cứu sai"), default=0)

    class Meta:
        verbose_name = _("lượt tra cứu sai theo địa chỉ")
        verbose_name_plural = _("lượt tra cứu sai theo địa chỉ")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "window_start"], name="lookup_failure_window_unique"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="lookup_failure_window_start")]

    def __str__(self) -> str:
        return f"{self.address} {self.window_start:%Y-%m-%d %H:%M}: {self.failures}"


class DeadlineAlert(models.Model):
    """One finding of the deadline sweep (`dossiers.deadlines`), recorded once: a step, the whole
    dossier or a task due soon or overdue, or the apology (Mẫu 04) the head of the agency must
    issue. `key` names the finding with the due instant it was judged against, so a sweep run
    twice records and sends nothing new, and a due instant that moves (apology, supplement)
    is a new finding."""

    class Subject(models.TextChoices):
        STEP = "step", _("Bước xử lý")
        DOSSIER = "dossier", _("Hạn trả kết quả của hồ sơ")
        TASK = "task", _("Phần việc phối hợp")
        APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả (Mẫu 04)")

    class Level(models.TextChoices):
        DUE_SOON = "due_soon", _("Sắp đến hạn")
        OVERDUE = "overdue", _("Quá hạn")

    key = models.CharField(_("khóa"), max_length=200, unique=True)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="deadline_alerts")
    task = models.ForeignKey(
        DossierTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("đối tượng"), max_length=20, choices=Subject.choices)
    level = models.CharField(_("mức"), max_length=20, choices=Level.choices)
    step = models.CharField(_("bước"), max_length=40, blank=True, default="")
    due_at = models.DateTimeField(_("hạn"))
    found_at = models.DateTimeField(_("phát hiện lúc"))
    recipients = models.JSONField(_("người được báo"), default=list, blank=True)

    class Meta:
        verbose_name = _("cảnh báo thời hạn")
        verbose_name_plural = _("cảnh báo thời hạn")
        ordering = ["-found_at"]
        indexes = [
            # The sweep skips dossiers already reported overdue for the same due instant.
            models.Index(
                fields=["dossier", "subject", "level", "due_at"], name="deadline_alert_seen"
            )
        ]

    def __str__(self) -> str:
        return self.key


class Shipment(models.Model):
    """A result sent to the applicant by post (Decision 45/2016/QĐ-TTg; ADR 0020): written in the
    transaction that returns the dossier, then ordered from the postal operator after commit.
    `reference` is our order number and the operator's idempotency key, so an order sent twice
    (a retry after a lost answer) yields one waybill. `status` is kept for fast reads; the
    history is `ShipmentEvent` rows."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi đơn cho bưu chính")
        BOOKED = "booked", _("Đã có mã vận đơn")
        PICKED_UP = "picked_up", _("Bưu tá đã nhận bưu gửi")
        DELIVERED = "delivered", _("Đã phát thành công")
        RETURNED = "returned", _("Bưu gửi bị chuyển hoàn")
        FAILED = "failed", _("Không gửi được đơn cho bưu chính")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="shipments")
    reference = models.CharField(_("mã đơn gửi"), max_length=100, unique=True)
    sender_agency = models.ForeignKey(
        Agency, verbose_name=_("nơi gửi"), on_delete=models.PROTECT, related_name="+"
    )
    receiver_name = models.CharField(_("người nhận"), max_length=200)
    receiver_phone = models.CharField(_("điện thoại người nhận"), max_length=20, blank=True)
    receiver_address = models.CharField(_("địa chỉ nhận"), max_length=500)
    contents = models.CharField(_("nội dung bưu gửi"), max_length=300)
    cod_amount = models.DecimalField(
        _("số tiền thu hộ"), max_digits=14, decimal_places=0, default=0
    )
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    waybill = models.CharField(_("mã vận đơn"), max_length=40, blank=True, default="")
    attempts = models.PositiveIntegerField(_("số lần gửi đơn"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("bàn giao lúc"))
    booked_at = models.DateTimeField(_("có mã vận đơn lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("phát thành công lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("bưu gửi kết quả")
        verbose_name_plural = _("bưu gửi kết quả")
        ordering = ["dossier", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["waybill"], condition=~Q(waybill=""), name="shipment_waybill_unique"
            )
        ]
        indexes = [
            # The sweep reads only orders still waiting for the operator.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="shipment_pending_due",
            )
        ]

    def __str__(self) -> str:
        return self.waybill or self.reference


class ShipmentEvent(models.Model):
    """One thing that happened to a shipment, appended and never changed: handed over, order
    refused or retried, booked (the waybill), and the operator's signed callbacks.
    `operator_event_id` makes a repeated callback a no-op."""

    class Kind(models.TextChoices):
        HANDED_OVER = "handed_over", _("Bàn giao cho bưu chính")
        ATTEMPT_FAILED = "attempt_failed", _("Gửi đơn không thành công, sẽ gửi lại")
        FAILED = "failed", _("Không gửi được đơn")
        REORDERED = "reordered", _("Bộ phận Một cửa gửi lại đơn")
        BOOKED = "booked", _("Có mã vận đơn")
        PICKED_UP = "picked_up", _("Bưu tá đã nhận bưu gửi")
        DELIVERED = "delivered", _("Đã phát thành công")
        RETURNED = "returned", _("Chuyển hoàn")

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("sự kiện"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("thời điểm"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    operator_event_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sự kiện bưu gửi")
        verbose_name_plural = _("sự kiện bưu gửi")
        ordering = ["shipment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind}"
