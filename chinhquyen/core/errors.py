"""Domain errors: raised by `check_*` and `do_*`, carrying a message a user can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A refused request. `message` is shown as is (Vietnamese); `code` is stable for the API."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class Conflict(DomainError):
    status = 409
