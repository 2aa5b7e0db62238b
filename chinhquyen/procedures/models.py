"""The catalogue. `Procedure` is the identity (national code); `ProcedureVersion` holds everything
that changes with the law, with effective dates. Published versions are never edited: a change is a
new version (ARCHITECTURE: rules that change with the law are data with an effective date)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Field(models.Model):
    """Lĩnh vực: the domain a procedure belongs to (Hộ tịch, Xây dựng, Đất đai, ...)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)
    search_text = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """A procedure as the national database knows it, e.g. `1.001193.000.00.00.H38`."""

    national_code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["national_code"]

    def __str__(self) -> str:
        return self.national_code


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    HOUSEHOLD_BUSINESS = "household_business", _("Hộ kinh doanh")


class OnlineLevel(models.TextChoices):
    """Decree 42/2022 Art. 11 (and Decree 224/2026): two levels of online public service; the
    legacy levels of Decree 43/2011 are kept beside them for display (onestop.md §3)."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Chưa trực tuyến (chỉ cung cấp thông tin)")


class DeliveryOption(models.TextChoices):
    COUNTER = "counter", _("Nhận tại Bộ phận Một cửa")
    POST = "post", _("Nhận qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Nhận bản điện tử trực tuyến")


class ProcedureVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đã công bố")

    class ImplementingLevel(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        COMMUNE = "commune", _("Cấp xã")

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT)
    audiences = models.JSONField(_("đối tượng thực hiện"), default=list)
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=20, choices=OnlineLevel.choices
    )
    legacy_level = models.PositiveSmallIntegerField(
        _("mức độ cũ (NĐ 43/2011)"), null=True, blank=True
    )
    implementing_level = models.CharField(
        _("cấp thực hiện"), max_length=20, choices=ImplementingLevel.choices
    )
    implementing_text = models.CharField(_("cơ quan thực hiện"), max_length=500)
    agencies = models.ManyToManyField(
        "org.Agency", verbose_name=_("cơ quan có thẩm quyền"), blank=True, related_name="+"
    )
    time_limit_value = models.DecimalField(_("thời hạn giải quyết"), max_digits=8, decimal_places=2)
    time_limit_unit = models.CharField(_("đơn vị thời hạn"), max_length=20)  # workdays.DurationUnit
    time_limit_note = models.CharField(_("ghi chú thời hạn"), max_length=500, blank=True)
    result = models.CharField(_("kết quả thực hiện"), max_length=500)
    delivery_options = models.JSONField(_("hình thức nhận kết quả"), default=list)
    steps_text = models.TextField(_("trình tự thực hiện"), blank=True)
    conditions_text = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list)
    eform_schema = models.JSONField(_("biểu mẫu điện tử"), default=dict)
    process = models.JSONField(_("quy trình nội bộ"), default=list)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="procedure_version_once"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="procedure_version_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_from"], name="procver_status_from")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class RequiredDocument(models.Model):
    """Thành phần hồ sơ: a document the applicant provides."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="documents"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    reusable = models.BooleanField(
        _("dùng lại từ kho dữ liệu cá nhân"),
        default=False,
        help_text=_("NĐ 45/2020: không yêu cầu nộp lại giấy tờ đã có trong kho dữ liệu."),
    )
    template_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)
    note = models.CharField(_("ghi chú"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="required_document_order")
        ]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """A fee (lệ phí) or charge (phí) — kept apart, as the Law on Fees and Charges 2015 does."""

    class Kind(models.TextChoices):
        FEE = "fee", _("Lệ phí")
        CHARGE = "charge", _("Phí")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=300)
    amount = models.DecimalField(_("mức thu (đồng)"), max_digits=14, decimal_places=0)
    rule = models.JSONField(_("cách tính"), default=dict, blank=True)
    note = models.CharField(_("ghi chú"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"
