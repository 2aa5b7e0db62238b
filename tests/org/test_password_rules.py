"""Every password refusal and rule is in Vietnamese (the sign-up and reset pages show them as
they are): Django 5.2's catalogue left the minimum-length message in English."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils import translation

from chinhquyen.org.models import User

ENGLISH = ("password", "must", "characters", "too ")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1-xyz", "password_too_short"),
        ("password123", "password_too_common"),
        ("83920174625591", "password_entirely_numeric"),
        ("nguyen.van.an", "password_too_similar"),
    ],
)
def test_each_refusal_is_in_vietnamese(password: str, code: str) -> None:
    user = User(username="an", email="nguyen.van.an@example.vn", full_name="Nguyễn Văn An")
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    errors = {error.code: " ".join(error.messages) for error in refused.value.error_list}
    assert code in errors
    for message in errors.values():
        assert not any(word in message.lower() for word in ENGLISH), message
    if code == "password_too_short":
        assert errors[code] == "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."


def test_the_rules_are_in_vietnamese() -> None:
    with translation.override("vi"):
        texts = password_validators_help_texts()
    assert "Mật khẩu cần ít nhất 10 ký tự." in texts
    for text in texts:
        assert not any(word in text.lower() for word in ENGLISH), text
