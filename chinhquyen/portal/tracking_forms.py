"""Forms of the tracking pages: the public lookup, and the citizen's supplement, withdrawal and
rating of one dossier. Labels and messages in Vietnamese; the rules themselves are checked again
by the actions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from chinhquyen.dossiers.actions import SupplementFile
from chinhquyen.dossiers.drafts import max_upload_bytes
from chinhquyen.dossiers.queries import CHECK_DIGITS

ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"
EXTRA_SUPPLEMENT_ROWS = 2  # room for a document the request did not name
MAX_SUPPLEMENT_ROWS = 12


class LookupForm(forms.Form):
    ma = forms.CharField(
        label="Mã số hồ sơ",
        max_length=80,
        help_text="In trên giấy tiếp nhận, ví dụ 000.00.12.H29-251015-0007.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": "Vui lòng nhập mã số hồ sơ."},
    )
    kiem_tra = forms.CharField(
        label="4 số cuối số điện thoại hoặc số định danh (CCCD) của người nộp",
        min_length=CHECK_DIGITS,
        max_length=CHECK_DIGITS,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}
        ),
        error_messages={
            "required": "Vui lòng nhập 4 số kiểm tra.",
            "min_length": "Vui lòng nhập đúng 4 chữ số.",
            "max_length": "Vui lòng nhập đúng 4 chữ số.",
        },
    )

    def clean_ma(self) -> str:
        return "".join(self.cleaned_data["ma"].split()).upper()

    def clean_kiem_tra(self) -> str:
        value = self.cleaned_data["kiem_tra"].strip()
        if not value.isdigit():
            raise forms.ValidationError("Vui lòng nhập đúng 4 chữ số.")
        return value

    @classmethod
    def valid_values(cls, data: Any) -> tuple[str, str] | None:
        """The cleaned (code, check) when `data` is a lookup this form accepts, without building
        the form; None when it is not (the form then explains why). Building and validating the
        form was a tenth of the busiest page's CPU (issue #3). Mirrors the fields' rules:
        CharField strips, then required, the length limits, then the clean_* methods;
        tests/portal/test_tracking_lookup.py compares the two on awkward input."""
        raw_code, raw_check = data.get("ma"), data.get("kiem_tra")
        if not isinstance(raw_code, str) or not isinstance(raw_check, str):
            return None
        code, check = raw_code.strip(), raw_check.strip()
        if "\x00" in code or "\x00" in check:  # the fields' ProhibitNullCharactersValidator
            return None
        if not code or len(code) > cls.base_fields["ma"].max_length:  # type: ignore[attr-defined]
            return None
        if len(check) != CHECK_DIGITS or not check.isdigit():
            return None
        return "".join(code.split()).upper(), check


@dataclass(frozen=True)
class SupplementRow:
    number: int
    requested: str
    name: forms.BoundField
    file: forms.BoundField


class SupplementForm(forms.Form):
    """One row (a name and a file) per requested item, and a few spare rows. A row without a
    file is skipped; a file without a name takes the requested item's name."""

    ghi_chu = forms.CharField(
        label="Ghi chú cho cơ quan giải quyết (nếu có)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, items: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.items = items
        count = min(len(items) + EXTRA_SUPPLEMENT_ROWS, MAX_SUPPLEMENT_ROWS)
        for index in range(count):
            requested = items[index] if index < len(items) else ""
            self.fields[f"ten_{index}"] = forms.CharField(
                label="Tên giấy tờ", required=False, max_length=500, initial=requested
            )
            self.fields[f"tep_{index}"] = forms.FileField(
                label="Tệp",
                required=False,
                allow_empty_file=True,  # the upload check says so, in its own words
                widget=forms.FileInput(attrs={"accept": ACCEPT}),
            )
        self.row_count = count

    def rows(self) -> Iterator[SupplementRow]:
        for index in range(self.row_count):
            yield SupplementRow(
                number=index + 1,
                requested=self.items[index] if index < len(self.items) else "",
                name=self[f"ten_{index}"],
                file=self[f"tep_{index}"],
            )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(f"tep_{index}") for index in range(self.row_count)):
            raise forms.ValidationError(
                "Vui lòng chọn ít nhất một tệp giấy tờ bổ sung.", code="no_files"
            )
        return cleaned

    def supplement_files(self) -> list[SupplementFile]:
        """The chosen files, each read up to one byte past the limit (so a huge upload is refused
        by the upload check without being held in memory)."""
        limit = max_upload_bytes() + 1
        chosen = []
        for index in range(self.row_count):
            upload: UploadedFile | None = self.cleaned_data.get(f"tep_{index}")
            if not upload:
                continue
            name = self.cleaned_data.get(f"ten_{index}", "").strip()
            requested = self.items[index] if index < len(self.items) else ""
            upload.seek(0)
            chosen.append(
                SupplementFile(
                    name=name or requested,
                    content=upload.read(limit),
                    filename=upload.name or "tep_dinh_kem",
                )
            )
        return chosen


class WithdrawForm(forms.Form):
    ly_do = forms.CharField(
        label="Lý do rút hồ sơ",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Vui lòng nêu lý do rút hồ sơ."},
    )
    xac_nhan = forms.BooleanField(
        label=(
            "Tôi hiểu rằng hồ sơ đã rút sẽ không được tiếp tục giải quyết; muốn giải quyết lại "
            "phải nộp hồ sơ mới."
        ),
        error_messages={"required": "Vui lòng đánh dấu xác nhận trước khi rút hồ sơ."},
    )

    def clean_ly_do(self) -> str:
        reason = self.cleaned_data["ly_do"].strip()
        if not reason:
            raise forms.ValidationError("Vui lòng nêu lý do rút hồ sơ.")
        return reason


SCORES = [
    ("5", "Rất hài lòng"),
    ("4", "Hài lòng"),
    ("3", "Bình thường"),
    ("2", "Không hài lòng"),
    ("1", "Rất không hài lòng"),
]


class RatingForm(forms.Form):
    diem = forms.TypedChoiceField(
        label="Mức độ hài lòng của bạn",
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Vui lòng chọn một mức đánh giá.",
            "invalid_choice": "Vui lòng chọn một mức đánh giá từ 1 đến 5.",
        },
    )
    y_kien = forms.CharField(
        label="Ý kiến góp ý (nếu có)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
