"""The identity validators (org/identity.py): personal identification number (Circular
59/2021/TT-BCA Art. 7), date of birth, enterprise code, Vietnamese mobile number. Property tests
generate valid values from the rules and check that every mutation of them is refused."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from chinhquyen.org import identity

TODAY = date(2026, 2, 17)
PROVINCES = sorted(identity.PROVINCE_CODES_OF_BIRTH)
NOT_PROVINCES = sorted({f"{n:03d}" for n in range(1000)} - identity.PROVINCE_CODES_OF_BIRTH)
SERIAL = st.text(alphabet="0123456789", min_size=6, max_size=6)


def personal_id_for(province: str, born: date, female: bool, serial: str) -> str:
    century = (born.year - 1900) // 100
    return f"{province}{2 * century + int(female)}{born.year % 100:02d}{serial}"


def message(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.messages[0]


BIRTH_DATES = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(st.sampled_from(PROVINCES), BIRTH_DATES, st.booleans(), SERIAL)
def test_every_well_formed_number_is_accepted_with_its_birth_date(
    province: str, born: date, female: bool, serial: str
) -> None:
    number = personal_id_for(province, born, female, serial)
    identity.validate_personal_id(number, date_of_birth=born, today=TODAY)
    assert identity.birth_year_of_personal_id(number) == born.year


@given(st.sampled_from(NOT_PROVINCES), BIRTH_DATES, SERIAL)
def test_a_number_from_no_province_is_refused(province: str, born: date, serial: str) -> None:
    number = personal_id_for(province, born, False, serial)
    text = message(identity.validate_personal_id, number, today=TODAY)
    assert text == identity.PERSONAL_ID_PROVINCE


@given(st.text(max_size=20).filter(lambda t: not (len(t) == 12 and t.isascii() and t.isdigit())))
def test_anything_but_twelve_digits_is_refused(text: str) -> None:
    assert message(identity.validate_personal_id, text) == identity.PERSONAL_ID_FORMAT


@given(
    st.sampled_from(PROVINCES),
    st.dates(min_value=TODAY + timedelta(days=366), max_value=date(2399, 12, 31)),
    SERIAL,
)
def test_a_birth_year_after_this_year_is_refused(province: str, born: date, serial: str) -> None:
    number = personal_id_for(province, born, True, serial)
    text = message(identity.validate_personal_id, number, today=TODAY)
    assert text == identity.PERSONAL_ID_YEAR


@given(st.sampled_from(PROVINCES), BIRTH_DATES, BIRTH_DATES, SERIAL)
def test_a_number_must_agree_with_the_birth_date(
    province: str, encoded: date, declared: date, serial: str
) -> None:
    assume(encoded.year != declared.year)
    number = personal_id_for(province, encoded, False, serial)
    text = message(identity.validate_personal_id, number, date_of_birth=declared, today=TODAY)
    assert text == identity.PERSONAL_ID_DOB


def test_examples_of_the_century_digit() -> None:
    assert identity.birth_year_of_personal_id("001090012345") == 1990  # 0: male, 1900s
    assert identity.birth_year_of_personal_id("001190012345") == 1990  # 1: female, 1900s
    assert identity.birth_year_of_personal_id("079205012345") == 2005  # 2: male, 2000s
    assert identity.birth_year_of_personal_id("079305012345") == 2005  # 3: female, 2000s
    assert identity.birth_year_of_personal_id("079400012345") == 2100  # 4: male, 2100s


@given(st.dates(min_value=TODAY + timedelta(days=1)))
def test_a_birth_date_in_the_future_is_refused(born: date) -> None:
    assert message(identity.validate_date_of_birth, born, today=TODAY) == identity.DOB_FUTURE


@given(st.dates(max_value=date(1899, 12, 31)))
def test_a_birth_date_before_1900_is_refused(born: date) -> None:
    assert message(identity.validate_date_of_birth, born, today=TODAY) == identity.DOB_TOO_EARLY


@given(BIRTH_DATES)
def test_birth_dates_from_1900_to_today_are_accepted(born: date) -> None:
    identity.validate_date_of_birth(born, today=TODAY)


BRANCH = st.text(alphabet="0123456789", min_size=3, max_size=3)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.none() | BRANCH)
def test_enterprise_codes_of_ten_digits_or_a_branch(main: str, branch: str | None) -> None:
    """Circular 105/2020/TT-BTC Art. 5: ten digits; a dependent unit adds “-” and three."""
    code = main if branch is None else f"{main}-{branch}"
    identity.validate_enterprise_code(code)
    assert identity.normalise_enterprise_code(code.replace("-", "")) == code


@given(st.text(max_size=20))
def test_other_enterprise_codes_are_refused(text: str) -> None:
    assume(not re.fullmatch(r"[0-9]{10}(-[0-9]{3})?", text))
    found = message(identity.validate_enterprise_code, text)
    assert found == identity.ENTERPRISE_CODE_FORMAT


MOBILE_PREFIX = st.sampled_from("35789")
EIGHT_DIGITS = st.text(alphabet="0123456789", min_size=8, max_size=8)
WRITTEN_AS = st.sampled_from(["0{}", "+84{}", "84{}", "+84 {}", "0{} "])


@given(MOBILE_PREFIX, EIGHT_DIGITS, WRITTEN_AS, st.sampled_from(["", " ", ".", "-"]))
def test_mobile_numbers_in_any_usual_writing_are_normalised(
    prefix: str, rest: str, written_as: str, separator: str
) -> None:
    digits = prefix + rest
    grouped = separator.join([digits[:2], digits[2:5], digits[5:]])
    number = identity.normalise_phone(written_as.format(grouped))
    assert number == "0" + digits
    identity.validate_phone(number)


@given(st.sampled_from("01246"), EIGHT_DIGITS)
def test_numbers_without_a_mobile_prefix_are_refused(prefix: str, rest: str) -> None:
    assert message(identity.normalise_phone, f"0{prefix}{rest}") == identity.PHONE_FORMAT


@given(MOBILE_PREFIX, st.text(alphabet="0123456789", max_size=12).filter(lambda t: len(t) != 8))
def test_numbers_of_the_wrong_length_are_refused(prefix: str, rest: str) -> None:
    assert message(identity.normalise_phone, f"0{prefix}{rest}") == identity.PHONE_FORMAT


def test_stored_phone_must_be_in_the_national_form() -> None:
    identity.validate_phone("0912345678")
    assert message(identity.validate_phone, "+84912345678") == identity.PHONE_FORMAT
