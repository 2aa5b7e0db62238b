"""Administrative units, agencies with identifier codes, users and roles held per agency."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyen.core.fields import EncryptedCharField
from chinhquyen.org.codes import MAX_LENGTH, validate_identifier_code
from chinhquyen.org.identity import (
    validate_date_of_birth,
    validate_enterprise_code,
    validate_personal_id,
)


class AdministrativeUnit(models.Model):
    """A province or commune; the districts removed by the 2025 reform (and the provinces merged
    on 01/07/2025) stay as rows with `valid_to` set, so old records still resolve."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        DISTRICT = "district", _("Cấp huyện (đã bãi bỏ)")
        COMMUNE = "commune", _("Cấp xã")

    code = models.CharField(_("mã đơn vị hành chính"), max_length=10)
    name = models.CharField(_("tên"), max_length=200)
    division_type = models.CharField(_("loại"), max_length=40)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    codename = models.CharField(max_length=120, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    source = models.CharField(_("nguồn dữ liệu"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_to__isnull=True),
                name="adminunit_current_code_unique",
            ),
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"], name="adminunit_code_period_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to > timezone.localdate()


class Agency(models.Model):
    """An agency or unit (cơ quan, đơn vị) in the province's tree.

    `path` is the materialised path of primary keys (`/1/5/12/`), so a subtree is one indexed
    prefix query on every database; it is maintained only by the `do_*` actions."""

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", _("UBND tỉnh")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        UNIT = "unit", _("Phòng, đơn vị trực thuộc")
        COMMUNE_COMMITTEE = "commune_committee", _("UBND xã, phường")
        SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
        CENTRE_BRANCH = "centre_branch", _("Chi nhánh Trung tâm PVHCC")
        RECEPTION_POINT = "reception_point", _("Điểm tiếp nhận")
        OTHER = "other", _("Khác")

    identifier_code = models.CharField(
        _("mã định danh"),
        max_length=MAX_LENGTH,
        unique=True,
        validators=[validate_identifier_code],
        help_text=_("QCVN 102:2016 / QĐ 20/2020: chữ in hoa, chữ số và dấu chấm."),
    )
    name = models.CharField(_("tên chính thức"), max_length=300)
    short_name = models.CharField(_("tên viết gọn"), max_length=120, blank=True)
    abbreviation = models.CharField(
        _("chữ viết tắt"),
        max_length=30,
        help_text=_("Dùng trong ký hiệu văn bản (NĐ 30/2020, Phụ lục I), ví dụ UBND, SNV."),
    )
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    administrative_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    closed_at = models.DateTimeField(_("ngừng hoạt động lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: Agency) -> bool:
        return self.path.startswith(other.path)


class AgencyCode(models.Model):
    """Every identifier code an agency has held. A code is never given to a second agency, even
    after it was closed (QĐ 09/2025: codes of merged provinces are closed, not reused)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="code_history")
    code = models.CharField(_("mã định danh"), max_length=MAX_LENGTH, unique=True)
    valid_from = models.DateTimeField(_("hiệu lực từ"))
    valid_to = models.DateTimeField(_("hết hiệu lực"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("lịch sử mã định danh")
        verbose_name_plural = _("lịch sử mã định danh")
        ordering = ["agency", "valid_from"]

    def __str__(self) -> str:
        return self.code


class User(AbstractUser):
    """Staff and citizens in one table, so a person has one account. A citizen signs in with an
    e-mail address or a mobile number, so those are unique among citizen accounts."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Cán bộ, công chức")
        CITIZEN = "citizen", _("Công dân, tổ chức")

    kind = models.CharField(_("loại tài khoản"), max_length=10, choices=Kind.choices)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    # Encrypted at rest (DATA_ENCRYPTION_KEY): a database copy alone must not yield the codes.
    totp_secret = EncryptedCharField(max_length=255, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_totp_step = models.BigIntegerField(default=0, editable=False)
    failed_signins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(_("khóa đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(kind="citizen") & ~Q(email=""),
                name="citizen_email_unique",
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(kind="citizen") & ~Q(phone=""),
                name="citizen_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class Role(models.TextChoices):
    ONE_STOP_OFFICER = "one_stop_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo phòng")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    CLERK = "clerk", _("Văn thư")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")
    INSPECTOR = "inspector", _("Thanh tra, giám sát")


class RoleAssignment(models.Model):
    """A role held in one agency; it reaches that agency's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="role_once_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.agency}"


class CitizenProfile(models.Model):
    """What a citizen or organisation account declares about itself. Contact details live on
    the User (email, phone); here is only when each was proven by a code."""

    class ApplicantKind(models.TextChoices):
        # The applicant types of the national portal's data set (LoaiDoiTuong 0, 1, 2).
        CITIZEN = "citizen", _("Công dân")
        ENTERPRISE = "enterprise", _("Doanh nghiệp")
        HOUSEHOLD_BUSINESS = "household_business", _("Hộ kinh doanh")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen_profile")
    applicant_kind = models.CharField(
        _("đối tượng"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    personal_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        blank=True,
        validators=[validate_personal_id],
        help_text=_("12 chữ số, in trên thẻ căn cước (căn cước công dân)."),
    )
    date_of_birth = models.DateField(
        _("ngày sinh"), null=True, blank=True, validators=[validate_date_of_birth]
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": AdministrativeUnit.Level.COMMUNE, "valid_to__isnull": True},
    )
    enterprise_code = models.CharField(
        _("mã số doanh nghiệp"),
        max_length=14,
        blank=True,
        validators=[validate_enterprise_code],
    )
    organisation_name = models.CharField(_("tên tổ chức"), max_length=300, blank=True)
    email_verified_at = models.DateTimeField(_("xác thực thư điện tử lúc"), null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("xác thực số điện thoại lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ công dân, tổ chức")
        verbose_name_plural = _("hồ sơ công dân, tổ chức")
        constraints = [
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=~Q(personal_id=""),
                name="citizen_personal_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if self.personal_id and self.date_of_birth:
            validate_personal_id(self.personal_id, date_of_birth=self.date_of_birth)

    @property
    def is_verified(self) -> bool:
        """At least one contact proven: such an account may sign in with a password."""
        return bool(self.email_verified_at or self.phone_verified_at)


class ExternalIdentity(models.Model):
    """An account at an OpenID Connect provider (the national e-identification account) that
    signs in as this user; the pair (issuer, subject) names one person at one provider."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("nhà cung cấp định danh"), max_length=300)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_signin_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản định danh liên kết")
        verbose_name_plural = _("tài khoản định danh liên kết")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} / {self.subject}"


class ContactVerification(models.Model):
    """A one-time code sent to prove an e-mail address or a phone number. Only a keyed hash of
    the code is stored; the destination is applied to the account once the code is entered, so
    an address being changed stays as it was until the new one is proven."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        PHONE = "phone", _("Số điện thoại")

    class Purpose(models.TextChoices):
        # A reset code must never prove a contact, nor a contact's code reset a password.
        CONTACT = "contact", _("Xác thực địa chỉ liên lạc")
        PASSWORD_RESET = "password_reset", _("Đặt lại mật khẩu")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_verifications")
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(
        _("mục đích"), max_length=20, choices=Purpose.choices, default=Purpose.CONTACT
    )
    destination = models.CharField(_("địa chỉ nhận mã"), max_length=254)
    salt = models.CharField(max_length=32, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác thực liên lạc")
        verbose_name_plural = _("mã xác thực liên lạc")
        indexes = [
            models.Index(fields=["user", "channel", "-created_at"], name="verification_latest")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} — {self.user}"
