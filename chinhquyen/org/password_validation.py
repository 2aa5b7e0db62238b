"""Password rules in Vietnamese.

Django 5.2 rewrote the message of `MinimumLengthValidator` ("…at least %d characters") and its
Vietnamese catalogue still translates the old text ("%(min_length)d"), so the sign-up and
password-reset pages showed that one refusal in English beside the others in Vietnamese. The
rule is Django's; only the words are ours."""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự."

    def get_help_text(self) -> str:
        return f"Mật khẩu cần ít nhất {self.min_length} ký tự."
