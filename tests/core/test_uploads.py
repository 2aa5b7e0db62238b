"""check_upload: the type comes from the content, unsafe files are refused with a Vietnamese
message, and nothing but a DomainError ever comes out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhquyen.core.errors import DomainError
from chinhquyen.core.uploads import check_upload, safe_display_name
from tests.core import upload_samples as samples

LIMIT = 10 * 1024 * 1024

VALID: list[tuple[Callable[[], bytes], str, str, int | None]] = [
    (samples.pdf, "don-de-nghi.pdf", "pdf", 2),
    (samples.jpeg, "anh-the.jpg", "jpeg", None),
    (samples.png, "so-do.png", "png", None),
    (samples.docx, "to-khai.docx", "docx", None),
    (samples.xlsx, "danh-sach.xlsx", "xlsx", None),
]

REFUSED: list[tuple[Callable[[], bytes], str, str]] = [
    (samples.pdf_with_javascript, "ho-so.pdf", "upload_pdf_active_content"),
    (samples.pdf_with_launch, "ho-so.pdf", "upload_pdf_active_content"),
    (samples.pdf_with_embedded_file, "ho-so.pdf", "upload_pdf_active_content"),
    (samples.pdf_encrypted, "ho-so.pdf", "upload_pdf_encrypted"),
    (samples.png_bomb, "anh.png", "upload_bomb"),
    (samples.jpeg_bomb, "anh.jpg", "upload_bomb"),
    (samples.docx_bomb, "to-khai.docx", "upload_bomb"),
    (samples.docx_with_traversal, "to-khai.docx", "upload_corrupt"),
    (samples.xlsm_with_macro, "bang-tinh.xlsx", "upload_macro"),
    (samples.exe, "giay-to.pdf", "upload_type_not_allowed"),
    (samples.plain_zip, "ho-so.docx", "upload_type_not_allowed"),
    (samples.html, "trang.pdf", "upload_type_not_allowed"),
    (samples.ole_doc, "don.doc", "upload_type_not_allowed"),
]


@pytest.mark.parametrize(("build", "filename", "kind", "pages"), VALID)
def test_valid_samples_are_accepted_by_content(build, filename, kind, pages):
    data = build()
    checked = check_upload(data, filename=filename, max_bytes=LIMIT)
    assert checked.kind == kind
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.size == len(data)
    assert checked.safe_name == filename
    assert not checked.extension_mismatch
    assert checked.page_count == pages


@pytest.mark.parametrize(("build", "filename", "kind", "pages"), VALID)
def test_wrong_extension_is_accepted_but_reported(build, filename, kind, pages):
    checked = check_upload(BytesIO(build()), filename="C:\\Users\\dan\\tệp.exe", max_bytes=LIMIT)
    assert checked.kind == kind
    assert checked.extension_mismatch
    assert checked.safe_name.startswith("tệp.")
    assert checked.safe_name.rsplit(".", 1)[1] in {"pdf", "jpg", "png", "docx", "xlsx"}


@pytest.mark.parametrize(("build", "filename", "code"), REFUSED)
def test_unsafe_samples_are_refused_naming_the_file(build, filename, code):
    with pytest.raises(DomainError) as refused:
        check_upload(build(), filename=filename, max_bytes=LIMIT)
    assert refused.value.code == code
    assert f"“{filename}”" in refused.value.message


def test_allowed_types_are_listed_when_refused():
    with pytest.raises(DomainError) as refused:
        check_upload(samples.exe(), filename="giay-to.pdf", max_bytes=LIMIT)
    assert "PDF, JPEG, PNG, DOCX, XLSX" in refused.value.message


def test_raw_active_content_in_a_damaged_pdf_is_still_refused():
    data = samples.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch >>")
    with pytest.raises(DomainError) as refused:
        check_upload(data, filename="ho-so.pdf", max_bytes=LIMIT)
    assert refused.value.code == "upload_pdf_active_content"


def test_oversize_is_refused_after_reading_one_byte_past_the_limit():
    class Counting(BytesIO):
        consumed = 0

        def read(self, size: int | None = -1, /) -> bytes:
            chunk = super().read(size)
            self.consumed += len(chunk)
            return chunk

    stream = Counting(b"%PDF-" + b"x" * 5 * 1024 * 1024)
    with pytest.raises(DomainError) as refused:
        check_upload(stream, filename="lon.pdf", max_bytes=2 * 1024 * 1024)
    assert refused.value.code == "upload_too_large"
    assert "2 MB" in refused.value.message
    assert stream.consumed == 2 * 1024 * 1024 + 1


def test_empty_file_is_refused():
    with pytest.raises(DomainError) as refused:
        check_upload(BytesIO(b""), filename="rong.pdf", max_bytes=LIMIT)
    assert refused.value.code == "upload_empty"


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\hồ sơ đất đai.pdf", "hồ sơ đất đai.pdf"),
        ("bao\x00cao\u202egpj.exe", "baocaogpj.exe"),
        ("  ..ẩn.pdf", "ẩn.pdf"),
        ("", "tep_dinh_kem"),
        ("a<b>:c?.pdf", "a_b__c_.pdf"),
    ],
)
def test_safe_display_name(given_name, expected):
    assert safe_display_name(given_name) == expected


def test_long_names_are_capped_keeping_the_extension():
    name = safe_display_name("Đ" * 500 + ".docx")
    assert len(name) == 120
    assert name.endswith(".docx")


def _never_anything_but_domain_error(data: bytes) -> None:
    try:
        check_upload(data, filename="x.pdf", max_bytes=LIMIT)
    except DomainError as error:
        assert error.message.startswith("Tệp “x.pdf”")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_only_ever_raise_domain_error(data):
    _never_anything_but_domain_error(data)


_SEEDS = [build() for build, *_ in VALID] + [
    samples.pdf_with_javascript(),
    samples.xlsm_with_macro(),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_SEEDS),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8)), max_size=6),
    cut=st.none() | st.floats(0.0, 1.0),  # where to truncate, if at all
)
def test_mutated_samples_only_ever_raise_domain_error(seed, edits, cut):
    data = bytearray(seed)
    for where, patch in edits:
        at = int(where * len(data))
        data[at : at + len(patch)] = patch
    end = None if cut is None else max(1, int(cut * len(data)))
    _never_anything_but_domain_error(bytes(data[:end]))
