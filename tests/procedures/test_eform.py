from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinhquyen.org import identity
from chinhquyen.org.models import AdministrativeUnit
from chinhquyen.procedures.eform import check_schema, validate_answers

TODAY = date(2026, 3, 10)


def one_field(**spec: Any) -> dict[str, Any]:
    field = {"key": "x", "label": "X", **spec}
    return {"groups": [{"key": "g", "title": "G", "repeat": None, "fields": [field]}]}


def clean_one(spec: dict[str, Any], value: Any) -> tuple[Any, list[tuple[str, str]]]:
    result = validate_answers(one_field(**spec), {"g": {"x": value}}, today=TODAY)
    return result.cleaned.get("g", {}).get("x"), result.errors


CHOICES = [["a", "A"], ["b", "B"], ["c", "C"]]


@pytest.mark.parametrize(
    ("spec", "value", "cleaned"),
    [
        ({"type": "text"}, "  Nguyễn Văn A ", "Nguyễn Văn A"),
        ({"type": "text", "min_length": 2, "max_length": 3}, "abc", "abc"),
        ({"type": "text", "pattern": "[A-Z]{2}[0-9]+"}, "AB12", "AB12"),
        ({"type": "textarea"}, "dòng 1\ndòng 2", "dòng 1\ndòng 2"),
        ({"type": "integer"}, 5, 5),
        ({"type": "integer"}, "12", 12),
        ({"type": "integer", "min": 1, "max": 10}, 10, 10),
        ({"type": "decimal"}, "1,5", "1.5"),
        ({"type": "decimal"}, 2.25, "2.25"),
        ({"type": "decimal", "min": "0.5"}, "0.50", "0.5"),
        ({"type": "money"}, "100.000", "100000"),
        ({"type": "money"}, 250000, "250000"),
        ({"type": "date"}, "2026-03-10", "2026-03-10"),
        ({"type": "date"}, "09/03/2026", "2026-03-09"),
        ({"type": "date", "max": "today"}, "2026-03-10", "2026-03-10"),
        ({"type": "date", "min": "2026-01-01"}, "2026-01-01", "2026-01-01"),
        ({"type": "choice", "choices": CHOICES}, "b", "b"),
        ({"type": "multichoice", "choices": CHOICES}, ["c", "a"], ["a", "c"]),
        ({"type": "boolean"}, False, False),
        ({"type": "boolean", "required": True}, True, True),
        ({"type": "email"}, " a.b@example.vn ", "a.b@example.vn"),
        ({"type": "phone"}, "0912 345 678", "0912345678"),
        ({"type": "phone"}, "+84912345678", "0912345678"),
        ({"type": "phone"}, "091.234.5678", "0912345678"),
        ({"type": "personal_id"}, "001090012345", "001090012345"),
        ({"type": "personal_id"}, "079305012345", "079305012345"),
        ({"type": "tax_code"}, "0101234567", "0101234567"),
        ({"type": "tax_code"}, "0101234567-001", "0101234567-001"),
        ({"type": "tax_code"}, "0101234567001", "0101234567-001"),
    ],
)
def test_valid_values_are_cleaned(spec: dict[str, Any], value: Any, cleaned: Any) -> None:
    assert clean_one(spec, value) == (cleaned, [])


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        ({"type": "text"}, 12, "Phải là văn bản."),
        ({"type": "text"}, "a\nb", "Chỉ nhập trên một dòng."),
        ({"type": "text", "min_length": 2}, "a", "Cần ít nhất 2 ký tự."),
        ({"type": "text", "max_length": 3}, "abcd", "Không quá 3 ký tự."),
        ({"type": "text", "pattern": "[0-9]+"}, "12a", "Không đúng định dạng."),
        (
            {"type": "text", "pattern": "[0-9]+", "pattern_message": "Chỉ nhập chữ số."},
            "x",
            "Chỉ nhập chữ số.",
        ),
        ({"type": "integer"}, "1.5", "Phải là số nguyên."),
        ({"type": "integer"}, True, "Phải là một số."),
        ({"type": "integer"}, "mười", "Phải là một số."),
        ({"type": "integer", "min": 1}, 0, "Không được nhỏ hơn 1."),
        ({"type": "integer", "max": 10}, 11, "Không được lớn hơn 10."),
        ({"type": "decimal"}, "NaN", "Phải là một số."),
        ({"type": "money"}, -5, "Số tiền không được âm."),
        ({"type": "money"}, "10.5", "Phải là số nguyên."),
        ({"type": "date"}, "2026-02-30", "Ngày không hợp lệ (dd/mm/yyyy)."),
        ({"type": "date"}, 20260101, "Ngày không hợp lệ (dd/mm/yyyy)."),
        ({"type": "date", "max": "today"}, "2026-03-11", "Không được lớn hơn 10/03/2026."),
        ({"type": "date", "min": "2026-01-01"}, "2025-12-31", "Không được nhỏ hơn 01/01/2026."),
        ({"type": "choice", "choices": CHOICES}, "z", "Lựa chọn không có trong danh sách."),
        ({"type": "choice", "choices": CHOICES}, ["a"], "Lựa chọn không có trong danh sách."),
        ({"type": "multichoice", "choices": CHOICES}, "a", "Phải là một danh sách lựa chọn."),
        (
            {"type": "multichoice", "choices": CHOICES},
            ["a", "z"],
            "Lựa chọn không có trong danh sách.",
        ),
        ({"type": "boolean"}, "true", "Phải là có hoặc không."),
        ({"type": "boolean", "required": True}, False, "Vui lòng đánh dấu mục này."),
        ({"type": "email"}, "a@", "Địa chỉ thư điện tử không hợp lệ."),
        ({"type": "phone"}, "912345678", "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84)."),
        (
            {"type": "phone"},
            "00912345678",
            "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).",
        ),
        ({"type": "personal_id"}, "00109001234", "Số định danh cá nhân gồm đúng 12 chữ số."),
        ({"type": "personal_id"}, "00109001234a", "Số định danh cá nhân gồm đúng 12 chữ số."),
        ({"type": "personal_id"}, 1090012345, "Số định danh cá nhân gồm đúng 12 chữ số."),
        # 003 is not a province code (Hà Giang 002, Cao Bằng 004); 097+ are not used.
        (
            {"type": "personal_id"},
            "003090012345",
            identity.PERSONAL_ID_PROVINCE,
        ),
        (
            {"type": "personal_id"},
            "097090012345",
            identity.PERSONAL_ID_PROVINCE,
        ),
        # 4th digit 3 = a woman born in the 2000s; "27" → 2027, after today.
        (
            {"type": "personal_id"},
            "001327012345",
            identity.PERSONAL_ID_YEAR,
        ),
        (
            {"type": "personal_id"},
            "001400012345",
            identity.PERSONAL_ID_YEAR,
        ),
        (
            {"type": "tax_code"},
            "010123456",
            "Mã số thuế gồm 10 chữ số hoặc 13 chữ số (dạng 0123456789-001).",
        ),
        (
            {"type": "tax_code"},
            "0101234567-01",
            "Mã số thuế gồm 10 chữ số hoặc 13 chữ số (dạng 0123456789-001).",
        ),
    ],
)
def test_invalid_values_are_reported(spec: dict[str, Any], value: Any, message: str) -> None:
    assert clean_one(spec, value) == (None, [("g.x", message)])


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_required_and_optional_empty_values(empty: Any) -> None:
    assert clean_one({"type": "text", "required": True}, empty) == (
        None,
        [("g.x", "Vui lòng nhập thông tin này.")],
    )
    assert clean_one({"type": "text"}, empty) == (None, [])


@pytest.mark.django_db
def test_admin_unit_must_be_a_current_province_or_commune() -> None:
    province = AdministrativeUnit.objects.create(
        code="33", name="Tỉnh Thử", division_type="Tỉnh", level="province"
    )
    AdministrativeUnit.objects.create(
        code="12345", name="Xã Mới", division_type="Xã", level="commune", parent=province
    )
    AdministrativeUnit.objects.create(
        code="00400", name="Huyện Cũ", division_type="Huyện", level="district"
    )
    AdministrativeUnit.objects.create(
        code="99999",
        name="Xã Cũ",
        division_type="Xã",
        level="commune",
        valid_to=date(2025, 6, 30),
    )
    spec = {"type": "admin_unit"}
    assert clean_one(spec, "12345") == ("12345", [])
    assert clean_one(spec, "33") == ("33", [])
    wrong = [("g.x", "Không phải mã tỉnh hoặc xã hiện hành.")]
    assert clean_one(spec, "99999") == (None, wrong)
    assert clean_one(spec, "00400") == (None, wrong)
    assert clean_one(spec, 12345) == (None, wrong)


BIRTH: dict[str, Any] = {
    "groups": [
        {
            "key": "nguoi_yeu_cau",
            "title": "Người yêu cầu",
            "repeat": None,
            "fields": [
                {"key": "ho_ten", "label": "Họ tên", "type": "text", "required": True},
                {
                    "key": "so_dinh_danh",
                    "label": "Số định danh cá nhân",
                    "type": "personal_id",
                    "required": True,
                },
                {
                    "key": "quan_he",
                    "label": "Quan hệ",
                    "type": "choice",
                    "required": True,
                    "choices": [["cha", "Cha"], ["me", "Mẹ"], ["khac", "Người khác"]],
                },
                {
                    "key": "quan_he_khac",
                    "label": "Ghi rõ",
                    "type": "text",
                    "required": True,
                    "show_if": {"field": "quan_he", "equals": "khac"},
                },
                {
                    "key": "ghi_chu_them",
                    "label": "Ghi chú",
                    "type": "text",
                    "show_if": {"field": "quan_he_khac", "truthy": True},
                },
            ],
        },
        {
            "key": "tre",
            "title": "Trẻ",
            "repeat": {"min": 1, "max": 2},
            "fields": [
                {"key": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True,
                 "max": "today"},
                {"key": "giay_chung_sinh", "label": "Số giấy chứng sinh", "type": "text",
                 "required": True,
                 "show_if": {"field": "nguoi_yeu_cau.quan_he", "in": ["cha", "me"]}},
            ],
        },
    ]
}  # fmt: skip


def test_schema_of_the_format_document_is_well_formed() -> None:
    assert check_schema(BIRTH) == []


def test_hidden_fields_are_neither_required_nor_kept_and_unknown_keys_dropped() -> None:
    answers = {
        "nguoi_yeu_cau": {
            "ho_ten": "Trần Thị B",
            "so_dinh_danh": "001190012345",
            "quan_he": "me",
            "quan_he_khac": "bỏ qua",
            "ghi_chu_them": "ẩn vì trường điều kiện bị ẩn",
            "la": "không có trong biểu mẫu",
        },
        "tre": [{"ngay_sinh": "01/03/2026", "giay_chung_sinh": "CS-1"}],
        "nhom_la": {"x": 1},
    }
    result = validate_answers(BIRTH, answers, today=TODAY)
    assert result.errors == []
    assert result.cleaned == {
        "nguoi_yeu_cau": {"ho_ten": "Trần Thị B", "so_dinh_danh": "001190012345", "quan_he": "me"},
        "tre": [{"ngay_sinh": "2026-03-01", "giay_chung_sinh": "CS-1"}],
    }


def test_shown_fields_are_required_and_cross_group_conditions_apply() -> None:
    answers: dict[str, Any] = {
        "nguoi_yeu_cau": {"ho_ten": "A", "so_dinh_danh": "001190012345", "quan_he": "khac"},
        "tre": [{"ngay_sinh": "2026-03-01", "giay_chung_sinh": "CS-1"}],
    }
    result = validate_answers(BIRTH, answers, today=TODAY)
    assert result.errors == [("nguoi_yeu_cau.quan_he_khac", "Vui lòng nhập thông tin này.")]
    assert result.cleaned == {}
    answers["nguoi_yeu_cau"]["quan_he_khac"] = "Bà nội"
    result = validate_answers(BIRTH, answers, today=TODAY)
    assert result.ok
    assert result.cleaned["nguoi_yeu_cau"]["quan_he_khac"] == "Bà nội"
    assert result.cleaned["tre"] == [{"ngay_sinh": "2026-03-01"}]  # not a parent: hidden


def test_repeatable_group_bounds_and_item_paths() -> None:
    person = {"ho_ten": "A", "so_dinh_danh": "001190012345", "quan_he": "cha"}
    none = validate_answers(BIRTH, {"nguoi_yeu_cau": person, "tre": []}, today=TODAY)
    assert none.errors == [("tre", "Cần ít nhất 1 mục.")]
    three = [{"ngay_sinh": "2026-03-01", "giay_chung_sinh": "1"}] * 3
    many = validate_answers(BIRTH, {"nguoi_yeu_cau": person, "tre": three}, today=TODAY)
    assert many.errors == [("tre", "Nhiều nhất 2 mục.")]
    items = [{"ngay_sinh": "2026-03-01", "giay_chung_sinh": "1"}, {"ngay_sinh": "2027-01-01"}]
    bad = validate_answers(BIRTH, {"nguoi_yeu_cau": person, "tre": items}, today=TODAY)
    assert bad.errors == [
        ("tre[1].ngay_sinh", "Không được lớn hơn 10/03/2026."),
        ("tre[1].giay_chung_sinh", "Vui lòng nhập thông tin này."),
    ]
    wrong_shape = validate_answers(BIRTH, {"nguoi_yeu_cau": [], "tre": {}}, today=TODAY)
    assert ("nguoi_yeu_cau", "Phải là một đối tượng.") in wrong_shape.errors
    assert ("tre", "Phải là một danh sách.") in wrong_shape.errors


def test_every_error_is_reported_with_its_path() -> None:
    result = validate_answers(BIRTH, {}, today=TODAY)
    assert result.errors == [
        ("nguoi_yeu_cau.ho_ten", "Vui lòng nhập thông tin này."),
        ("nguoi_yeu_cau.so_dinh_danh", "Vui lòng nhập thông tin này."),
        ("nguoi_yeu_cau.quan_he", "Vui lòng nhập thông tin này."),
        ("tre", "Cần ít nhất 1 mục."),
    ]


def test_a_malformed_schema_gives_an_error_not_an_exception() -> None:
    assert validate_answers({"groups": "x"}, {}).errors == [
        ("", "Biểu mẫu của thủ tục không hợp lệ.")
    ]


def group(*fields: dict[str, Any], key: str = "g", repeat: Any = None) -> dict[str, Any]:
    return {"key": key, "title": "T", "repeat": repeat, "fields": list(fields)}


TEXT = {"key": "a", "label": "A", "type": "text"}


@pytest.mark.parametrize(
    ("schema", "path", "fragment"),
    [
        ([], "", "đối tượng JSON"),
        ({"groups": [], "x": 1}, "", "Khóa không hợp lệ: x"),
        ({"groups": [group(TEXT), group(TEXT)]}, "groups[1].key", "bị trùng"),
        ({"groups": [group(TEXT, TEXT)]}, "groups[0].fields[1].key", "bị trùng"),
        ({"groups": [group(key="Nhóm 1")]}, "groups[0].key", "chữ thường"),
        ({"groups": [group()]}, "groups[0].fields", "ít nhất một trường"),
        ({"groups": [group({**TEXT, "type": "file"})]}, "groups[0].fields[0].type", "file"),
        ({"groups": [group({**TEXT, "requried": True})]}, "groups[0].fields[0]", "requried"),
        ({"groups": [group({**TEXT, "type": "choice"})]}, "groups[0].fields[0].choices", ""),
        (
            {"groups": [group({**TEXT, "type": "choice", "choices": [["a", "A"], ["a", "B"]]})]},
            "groups[0].fields[0].choices",
            "trùng",
        ),
        ({"groups": [group({**TEXT, "choices": [["a", "A"]]})]}, "groups[0].fields[0].choices", ""),
        (
            {"groups": [group({**TEXT, "pattern": "[a-"})]},
            "groups[0].fields[0].pattern",
            "chính quy",
        ),
        (
            {"groups": [group({**TEXT, "min_length": 5, "max_length": 2})]},
            "groups[0].fields[0].min_length",
            "",
        ),
        (
            {"groups": [group({**TEXT, "type": "integer", "min": 5, "max": 2})]},
            "groups[0].fields[0].min",
            "",
        ),
        (
            {"groups": [group({**TEXT, "type": "integer", "min": "năm"})]},
            "groups[0].fields[0].min",
            "một số",
        ),
        (
            {"groups": [group({**TEXT, "type": "date", "min": "today", "max": "2020-01-01"})]},
            "groups[0].fields[0].min",
            "",
        ),
        (
            {"groups": [group({**TEXT, "type": "date", "max": "hôm nay"})]},
            "groups[0].fields[0].max",
            "today",
        ),
        ({"groups": [group({**TEXT, "min": 1})]}, "groups[0].fields[0].min", "số và ngày"),
        ({"groups": [group(TEXT, repeat={"min": 3, "max": 2})]}, "groups[0].repeat", ""),
        ({"groups": [group(TEXT, repeat={"min": 1})]}, "groups[0].repeat", ""),
        (
            {"groups": [group({**TEXT, "show_if": {"field": "zz", "equals": 1}})]},
            "groups[0].fields[0].show_if.field",
            "zz",
        ),
        (
            {"groups": [group({**TEXT, "show_if": {"field": "a", "truthy": True}})]},
            "groups[0].fields[0].show_if.field",
            "",
        ),
        (
            {"groups": [group({**TEXT, "show_if": {"field": "b"}}, {**TEXT, "key": "b"})]},
            "groups[0].fields[0].show_if",
            "đúng một điều kiện",
        ),
        (
            {
                "groups": [
                    group({**TEXT, "show_if": {"field": "later.a", "truthy": True}}),
                    group(TEXT, key="later"),
                ]
            },
            "groups[0].fields[0].show_if.field",
            "đứng trước",
        ),
        (
            {
                "groups": [
                    group(TEXT, key="r", repeat={"min": 0, "max": 2}),
                    group({**TEXT, "show_if": {"field": "r.a", "truthy": True}}, key="s"),
                ]
            },
            "groups[1].fields[0].show_if.field",
            "lặp lại",
        ),
        (
            {
                "groups": [
                    group(
                        {**TEXT, "show_if": {"field": "b", "truthy": True}},
                        {**TEXT, "key": "b", "show_if": {"field": "a", "truthy": True}},
                    )
                ]
            },
            "groups[0].fields",
            "vòng",
        ),
    ],
)
def test_schema_problems(schema: Any, path: str, fragment: str) -> None:
    problems = check_schema(schema)
    assert any(p.path == path and fragment in p.message for p in problems), problems


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(["nguoi_yeu_cau", "tre", "x"])
FIELD_KEYS = st.sampled_from(["ho_ten", "so_dinh_danh", "quan_he", "quan_he_khac", "ngay_sinh"])
ANSWERS = JSON | st.dictionaries(
    KEYS,
    st.dictionaries(FIELD_KEYS, JSON) | st.lists(st.dictionaries(FIELD_KEYS, JSON), max_size=3),
)
ALL_TYPES = {
    "groups": [
        group(
            *(
                {"key": f"f_{kind}", "label": kind, "type": kind, "required": index % 2 == 0}
                | ({"choices": CHOICES} if "choice" in kind else {})
                for index, kind in enumerate(
                    ["text", "textarea", "integer", "decimal", "money", "date", "choice",
                     "multichoice", "boolean", "email", "phone", "personal_id", "tax_code"]
                )
            )
        )
    ]
}  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(answers=ANSWERS)
def test_arbitrary_answers_never_crash_the_validator(answers: Any) -> None:
    for schema in (BIRTH, ALL_TYPES):
        result = validate_answers(schema, answers, today=TODAY)
        assert result.ok or result.cleaned == {}


@settings(max_examples=100, deadline=None)
@given(value=JSON)
def test_arbitrary_values_of_every_type_never_crash(value: Any) -> None:
    answers = {"g": {f["key"]: value for f in ALL_TYPES["groups"][0]["fields"]}}
    validate_answers(ALL_TYPES, answers, today=TODAY)


@settings(max_examples=150, deadline=None)
@given(schema=JSON)
def test_arbitrary_schemas_never_crash_the_checker(schema: Any) -> None:
    check_schema(schema)
    check_schema({"groups": [schema]})
    check_schema({"groups": [group(schema)] if isinstance(schema, dict) else []})
