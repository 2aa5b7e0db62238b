"""Forms of the citizen account pages. They parse and check each field with the validators of
`chinhquyen.org.identity`, so every mistake is shown at once beside its field; the actions in
`chinhquyen.org.citizens` check again before saving."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chinhquyen.core.errors import DomainError
from chinhquyen.org import identity
from chinhquyen.org.citizens import Contact, ProfileData, parse_contact
from chinhquyen.org.citizens.accounts import check_new_password
from chinhquyen.org.models import AdministrativeUnit, Agency, CitizenProfile

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

PASSWORD_HELP = _("Ít nhất 10 ký tự, không quá giống họ tên hay địa chỉ, không chỉ gồm chữ số.")


def _new_password(label: StrOrPromise, *, help_text: StrOrPromise = "") -> forms.CharField:
    """A field for a password being chosen (the browser may offer to generate one)."""
    return forms.CharField(
        label=label,
        max_length=200,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


CODE_FIELD = forms.RegexField(
    label=_("Mã xác thực (6 chữ số)"),
    regex=r"^\s*\d{3}\s?\d{3}\s*$",
    error_messages={"invalid": _("Mã xác thực gồm 6 chữ số.")},
    widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 7}
    ),
)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show an action's refusal beside its field when the form has that field."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class _PasswordTwice(forms.Form):
    """A form where a new password is typed twice (`password`, `password_again`)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Hai lần nhập mật khẩu không giống nhau."))
        return data


class SignUpForm(_PasswordTwice):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại di động"),
        max_length=254,
        help_text=_("Mã xác thực sẽ được gửi đến địa chỉ này; dùng nó để đăng nhập."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    applicant_kind = forms.ChoiceField(
        label=_("Đăng ký cho"), choices=CitizenProfile.ApplicantKind.choices
    )
    password = _new_password(_("Mật khẩu"), help_text=PASSWORD_HELP)
    password_again = _new_password(_("Nhập lại mật khẩu"))

    def clean_contact(self) -> str:
        try:
            return parse_contact(self.cleaned_data["contact"]).value
        except DomainError as exc:
            raise ValidationError(exc.message) from None


class CitizenSignInForm(forms.Form):
    identifier = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại di động"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = CODE_FIELD


class PasswordResetForm(forms.Form):
    contact = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại di động"),
        max_length=254,
        help_text=_("Địa chỉ Ông/Bà dùng để đăng nhập; mã đặt lại mật khẩu sẽ được gửi đến đó."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )

    def clean_contact(self) -> str:
        try:
            return parse_contact(self.cleaned_data["contact"]).value
        except DomainError as exc:
            raise ValidationError(exc.message) from None


class NewPasswordForm(_PasswordTwice):
    code = CODE_FIELD
    password = _new_password(_("Mật khẩu mới"), help_text=PASSWORD_HELP)
    password_again = _new_password(_("Nhập lại mật khẩu mới"))

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact

    def clean_password(self) -> str:
        # Checked against the address only, before the code: the same answer with or without
        # an account; the action checks it again against the account's name once the code is right.
        password = self.cleaned_data["password"]
        try:
            check_new_password(
                password, full_name="", contacts=(self.contact,) if self.contact else ()
            )
        except DomainError as exc:
            raise ValidationError(exc.message) from None
        return str(password)


class ChangePasswordForm(_PasswordTwice):
    # The action checks the current password, then the new one with Django's validators.
    current_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = _new_password(_("Mật khẩu mới"), help_text=PASSWORD_HELP)
    password_again = _new_password(_("Nhập lại mật khẩu mới"))


def commune_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Current communes grouped by province: the provinces the installation's top agencies
    govern, or every current province when no agency names one yet."""
    communes = AdministrativeUnit.objects.filter(
        level=AdministrativeUnit.Level.COMMUNE, valid_to__isnull=True
    ).select_related("parent")
    provinces = Agency.objects.filter(
        parent=None, is_active=True, administrative_unit__level=AdministrativeUnit.Level.PROVINCE
    ).values("administrative_unit")
    if provinces.exists():
        communes = communes.filter(parent__in=provinces)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for commune in communes.order_by("parent__name", "name"):
        groups[commune.parent.name if commune.parent else ""].append(
            (str(commune.pk), commune.name)
        )
    return list(groups.items())


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    applicant_kind = forms.ChoiceField(
        label=_("Đối tượng"), choices=CitizenProfile.ApplicantKind.choices
    )
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        required=False,
        help_text=_("12 chữ số in trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Nhập ngày sinh dạng ngày/tháng/năm, ví dụ 17/05/1990.")},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "autocomplete": "bday"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ (số nhà, đường, thôn, tổ dân phố)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    commune = forms.ChoiceField(label=_("Xã, phường"), required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        help_text=_("Đổi địa chỉ cần nhập mã xác thực gửi đến địa chỉ mới."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        required=False,
        help_text=_("Đổi số cần nhập mã xác thực gửi đến số mới."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    enterprise_code = forms.CharField(
        label=_("Mã số doanh nghiệp"),
        max_length=20,
        required=False,
        help_text=_("Với doanh nghiệp: 10 chữ số, chi nhánh thêm “-” và 3 chữ số."),
    )
    organisation_name = forms.CharField(
        label=_("Tên doanh nghiệp, hộ kinh doanh"), max_length=300, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commune"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "— Chọn xã, phường —"), *commune_choices()]

    def clean_personal_id(self) -> str:
        value = "".join(self.cleaned_data["personal_id"].split())
        if value:
            identity.validate_personal_id(value)
        return value

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data["date_of_birth"]
        if value is not None:
            identity.validate_date_of_birth(value)
        return value

    def clean_commune(self) -> AdministrativeUnit | None:
        value = self.cleaned_data["commune"]
        if not value:
            return None
        return AdministrativeUnit.objects.filter(
            pk=value, level=AdministrativeUnit.Level.COMMUNE, valid_to__isnull=True
        ).first()

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        return identity.normalise_phone(value) if value else ""

    def clean_enterprise_code(self) -> str:
        value = identity.normalise_enterprise_code(self.cleaned_data["enterprise_code"])
        if value:
            identity.validate_enterprise_code(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        personal_id, born = data.get("personal_id"), data.get("date_of_birth")
        if personal_id and born:
            try:
                identity.validate_personal_id(personal_id, date_of_birth=born)
            except ValidationError as exc:
                self.add_error("personal_id", exc)
        return data

    def profile_data(self) -> ProfileData:
        data = self.cleaned_data
        return ProfileData(**{name: data[name] for name in self.fields})
