from django import forms
from django.utils.translation import gettext_lazy as _

from chinhquyen.org.models import Agency


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput, max_length=200)


class SecondFactorForm(forms.Form):
    code = forms.RegexField(
        label=_("Mã xác thực (6 chữ số)"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Mã xác thực gồm 6 chữ số.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 7}
        ),
    )


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Tên chính thức"), max_length=300)
    short_name = forms.CharField(label=_("Tên viết gọn"), max_length=120, required=False)
    abbreviation = forms.CharField(label=_("Chữ viết tắt"), max_length=30)


class NewAgencyForm(AgencyForm):
    identifier_code = forms.CharField(label=_("Mã định danh"), max_length=35)
    kind = forms.ChoiceField(label=_("Loại"), choices=Agency.Kind.choices)


class RecodeForm(forms.Form):
    identifier_code = forms.CharField(label=_("Mã định danh mới"), max_length=35)
    reason = forms.CharField(label=_("Lý do"), max_length=300)
