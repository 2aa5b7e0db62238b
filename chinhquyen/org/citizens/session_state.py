"""A small dataclass kept in the session as a plain dict (the session serializer is JSON)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Self


class SessionState:
    """Mixin for a `@dataclass` stored with `to_session()` and read back with
    `from_session()`; a value of another shape (an older release's, a tampered one) reads as
    None, the same as nothing stored."""

    @classmethod
    def from_session(cls, data: Any) -> Self | None:
        try:
            return cls(**data)
        except TypeError:
            return None

    def to_session(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]
