"""Checks on a citizen's attachment before it is stored: the type is read from the content (never
the file name), the size is capped, decompression bombs, macros and active PDF content are refused,
and the SHA-256 is recorded. Every refusal is a `DomainError` with a Vietnamese message."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Protocol

from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader

from chinhquyen.core.errors import DomainError

_MIB = 1024 * 1024
ALLOWED_KINDS = ("pdf", "jpeg", "png", "docx", "xlsx")
ALLOWED_LABEL = "PDF, JPEG, PNG, DOCX, XLSX"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {
    "pdf": ("pdf",),
    "jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "png": ("png",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
}
# Suffixes replaced (not kept in front of the right one) when the safe name is corrected.
_KNOWN_SUFFIXES = {ext for exts in EXTENSIONS.values() for ext in exts} | {
    "doc", "docm", "xls", "xlsm", "exe", "zip", "txt", "htm", "html", "gif", "bmp", "tif", "tiff",
}  # fmt: skip
MAX_NAME_CHARS = 120

MAX_IMAGE_PIXELS = 40_000_000  # ~ a 7,000 × 5,700 scan; larger is treated as a bomb
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_TOTAL = 100 * _MIB
MAX_ZIP_RATIO = 200  # per member, once it unpacks past ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = _MIB
MAX_CONTENT_TYPES_BYTES = _MIB
MAX_PDF_OBJECTS = 20_000  # indirect objects resolved while scanning for active content
MAX_PDF_NODES = 500_000  # direct values visited
MAX_PDF_DEPTH = 64
PDF_DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_ratio=1100, ratio_floor=_MIB, max_output_size=16 * _MIB),
    per_purpose=dict(DEFAULT_PURPOSE_LIMITS),
    document_budget=DocumentDecodeBudget(base_allowance=48 * _MIB, max_ratio=10),
)

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_EXECUTABLE_MAGICS = (
    b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe", b"\xd0\xcf\x11\xe0",  # the last: OLE (old .doc/.xls, .msi)
)  # fmt: skip
# An extra signal only: the object walk below is the real check (names may be #-escaped or sit
# inside compressed object streams, where no regex sees them).
_PDF_ACTIVE_RAW = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia"}
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/RichMediaExecute"}
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*\\/]')


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # one of ALLOWED_KINDS
    content_type: str
    sha256: str  # hex
    size: int
    safe_name: str  # for display and download; extension matches `kind`
    extension_mismatch: bool  # the given name's extension did not match the content
    page_count: int | None = None  # PDFs only, when the page tree says so


def check_upload(
    data: bytes | bytearray | memoryview | Readable, *, filename: str, max_bytes: int
) -> CheckedUpload:
    """Detect the type from the content, enforce `max_bytes`, refuse unsafe files."""
    display = safe_display_name(filename)
    content = _read_capped(data, display, max_bytes)
    try:
        kind, page_count = _inspect(content, display)
    except DomainError:
        raise
    except PdfDecodeLimitError:
        raise _refuse(display, "upload_bomb") from None
    except Exception:  # any parser failure on untrusted bytes is a corrupt file, nothing else
        raise _refuse(display, "upload_corrupt") from None
    mismatch = _extension(display) not in EXTENSIONS[kind]
    return CheckedUpload(
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        safe_name=_with_extension(display, kind) if mismatch else display,
        extension_mismatch=mismatch,
        page_count=page_count,
    )


def safe_display_name(filename: str) -> str:
    """The last path part, NFC, without control/format characters, capped in length."""
    name = unicodedata.normalize("NFC", str(filename)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    name = " ".join(_UNSAFE_NAME_CHARS.sub("_", name).split()).lstrip(". ")
    if len(name) > MAX_NAME_CHARS:
        _, dot, ext = name.rpartition(".")
        keep = f".{ext}" if dot and len(ext) <= 10 else ""
        name = name[: MAX_NAME_CHARS - len(keep)].rstrip() + keep
    return name or "tep_dinh_kem"


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _with_extension(name: str, kind: str) -> str:
    stem = name[: -len(_extension(name)) - 1] if _extension(name) in _KNOWN_SUFFIXES else name
    return f"{stem[: MAX_NAME_CHARS - 6]}.{EXTENSIONS[kind][0]}"


def _read_capped(data: Any, display: str, max_bytes: int) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        content = bytes(data)
    else:
        try:
            content = _read_at_most(data, max_bytes + 1)
        except Exception:
            raise _refuse(display, "upload_corrupt") from None
    if len(content) > max_bytes:
        raise _refuse(display, "upload_too_large", max_bytes=max_bytes)
    if not content:
        raise _refuse(display, "upload_empty")
    return content


def _read_at_most(stream: Readable, limit: int) -> bytes:
    chunks, total = [], 0
    while total < limit:
        chunk = stream.read(min(limit - total, _MIB))
        if not chunk:
            break
        chunks.append(bytes(chunk))
        total += len(chunk)
    return b"".join(chunks)


def _inspect(content: bytes, display: str) -> tuple[str, int | None]:
    if content.startswith(_EXECUTABLE_MAGICS):
        raise _refuse(display, "upload_type_not_allowed")
    if content.startswith(b"\xff\xd8\xff"):
        _check_image(content, display, "JPEG")
        return "jpeg", None
    if content.startswith(_PNG_MAGIC):
        _check_image(content, display, "PNG")
        return "png", None
    if content.startswith(b"PK\x03\x04"):
        return _check_office(content, display), None
    if b"%PDF-" in content[:1024]:
        return "pdf", _check_pdf(content, display)
    raise _refuse(display, "upload_type_not_allowed")


# Images ---------------------------------------------------------------------------------------


def _check_image(content: bytes, display: str, pillow_format: str) -> None:
    if pillow_format == "PNG" and len(content) >= 24:
        # IHDR is always first: refuse huge declared sizes before Pillow looks at anything.
        width, height = int.from_bytes(content[16:20]), int.from_bytes(content[20:24])
        if width * height > MAX_IMAGE_PIXELS:
            raise _refuse(display, "upload_bomb")
    try:
        with Image.open(BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _refuse(display, "upload_bomb")
            if image.format != pillow_format:
                raise _refuse(display, "upload_mismatch")
            image.verify()
    except Image.DecompressionBombError:
        raise _refuse(display, "upload_bomb") from None


# DOCX / XLSX ----------------------------------------------------------------------------------


def _check_office(content: bytes, display: str) -> str:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        members = archive.infolist()
        _check_zip_members(members, display)
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names:
            raise _refuse(display, "upload_type_not_allowed")
        if "word/document.xml" in names:
            kind = "docx"
        elif "xl/workbook.xml" in names:
            kind = "xlsx"
        else:
            raise _refuse(display, "upload_type_not_allowed")
        with archive.open("[Content_Types].xml") as member:
            types = member.read(MAX_CONTENT_TYPES_BYTES + 1)
    if len(types) > MAX_CONTENT_TYPES_BYTES:
        raise _refuse(display, "upload_bomb")
    lowered = types.lower()
    if b"macroenabled" in lowered or b"vbaproject" in lowered:
        raise _refuse(display, "upload_macro")
    main_type = b"wordprocessingml.document.main" if kind == "docx" else b"spreadsheetml.sheet.main"
    if main_type not in lowered:
        raise _refuse(display, "upload_mismatch")
    return kind


def _check_zip_members(members: list[zipfile.ZipInfo], display: str) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refuse(display, "upload_bomb")
    if sum(member.file_size for member in members) > MAX_ZIP_TOTAL:
        raise _refuse(display, "upload_bomb")
    for member in members:
        name = member.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or re.match(r"[A-Za-z]:", name):
            raise _refuse(display, "upload_corrupt")
        if name.lower().rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml"):
            raise _refuse(display, "upload_macro")
        if member.file_size > ZIP_RATIO_FLOOR and (
            member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1)
        ):
            raise _refuse(display, "upload_bomb")


# PDF ------------------------------------------------------------------------------------------


def _check_pdf(content: bytes, display: str) -> int | None:
    if _PDF_ACTIVE_RAW.search(content):
        raise _refuse(display, "upload_pdf_active_content")
    reader = PdfFileReader(BytesIO(content), strict=False, decode_limits=PDF_DECODE_LIMITS)
    if reader.encrypted:
        raise _refuse(display, "upload_pdf_encrypted")
    trailer = reader.trailer
    roots = [trailer.raw_get(key) for key in list(trailer.keys())]  # not iterable itself
    if _has_active_content(roots, display):
        raise _refuse(display, "upload_pdf_active_content")
    return _page_count(reader)


def _has_active_content(roots: list[Any], display: str) -> bool:
    """A bounded walk over everything reachable from the trailer's entries."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(root, 0) for root in roots]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_PDF_NODES or depth > MAX_PDF_DEPTH:
            raise _refuse(display, "upload_corrupt")
        if isinstance(value, generic.IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise _refuse(display, "upload_corrupt")
            stack.append((value.get_object(), depth + 1))
        elif isinstance(value, generic.DictionaryObject):
            if _is_active_dict(value):
                return True
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, generic.ArrayObject):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, generic.NameObject) and value in _PDF_ACTIVE_KEYS:
            return True
    return False


def _is_active_dict(value: generic.DictionaryObject) -> bool:
    if any(key in _PDF_ACTIVE_KEYS for key in value):
        return True
    return value.get("/S") in _PDF_ACTIVE_ACTIONS or value.get("/Type") == "/EmbeddedFile"


def _page_count(reader: PdfFileReader) -> int | None:
    try:
        count = reader.root["/Pages"]["/Count"]
    except Exception:
        return None
    return int(count) if isinstance(count, int) and 0 <= count < 1_000_000 else None


# Messages -------------------------------------------------------------------------------------


def _refuse(display: str, code: str, *, max_bytes: int = 0) -> DomainError:
    name = f"Tệp “{display}”"
    messages = {
        "upload_empty": f"{name} rỗng (0 byte). Vui lòng chọn lại tệp.",
        "upload_too_large": (
            f"{name} vượt quá dung lượng cho phép ({_megabytes(max_bytes)} MB). "
            "Vui lòng giảm dung lượng (ví dụ quét ở độ phân giải thấp hơn) rồi nộp lại."
        ),
        "upload_type_not_allowed": (
            f"{name} không thuộc định dạng được chấp nhận. Chỉ nhận tệp {ALLOWED_LABEL}."
        ),
        "upload_mismatch": (
            f"{name} có nội dung không khớp với định dạng khai báo bên trong tệp. "
            f"Vui lòng lưu lại tệp dưới dạng {ALLOWED_LABEL} rồi nộp lại."
        ),
        "upload_bomb": (
            f"{name} khi giải nén có kích thước bất thường (nghi “bom giải nén”) "
            "nên không được chấp nhận."
        ),
        "upload_pdf_active_content": (
            f"{name} chứa nội dung thực thi (JavaScript, lệnh khởi chạy chương trình hoặc tệp "
            "đính kèm bên trong) nên không được chấp nhận. Vui lòng in lại ra PDF thông thường "
            "rồi nộp lại."
        ),
        "upload_pdf_encrypted": (
            f"{name} đã được đặt mật khẩu hoặc mã hóa. Vui lòng nộp bản PDF không đặt mật khẩu."
        ),
        "upload_macro": (
            f"{name} chứa macro nên không được chấp nhận. Vui lòng lưu lại dưới dạng .docx hoặc "
            ".xlsx thông thường (không có macro) rồi nộp lại."
        ),
        "upload_corrupt": f"{name} bị hỏng hoặc không đọc được. Vui lòng kiểm tra và nộp lại.",
    }
    return DomainError(messages[code], code=code)


def _megabytes(size: int) -> str:
    text = f"{size / _MIB:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")  # Vietnamese decimal comma
