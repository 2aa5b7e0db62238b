"""Folding Vietnamese text for search: case and diacritics ignored, "đ" included.

"Cấp GIẤY PHÉP xây dựng" and "cap giay phep xay dung" fold to the same string. Stored folded
columns are compared with LIKE on every database, so no database extension is needed."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# "đ" is a letter of its own, not d + a combining mark: NFD leaves it alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.casefold()).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a query, without duplicates, in order."""
    seen: list[str] = []
    for word in fold(query).split(" "):
        if word and word not in seen:
            seen.append(word)
    return seen
