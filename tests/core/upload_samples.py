"""Small attachments made in code for the upload checks: valid ones and hostile ones."""

from __future__ import annotations

import zipfile
import zlib
from io import BytesIO

from openpyxl import Workbook
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter

from tests.signing.pdfs import make_pdf

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "</Types>"
)
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Đơn đề nghị cấp giấy phép</w:t></w:r></w:p></w:body></w:document>"
)


def pdf() -> bytes:
    return make_pdf(pages=2)


def pdf_with_javascript() -> bytes:
    """An OpenAction running JavaScript, kept inside a compressed object stream so that only the
    object walk (not a regex over the raw bytes) can see it."""
    return _pdf_with_open_action({"/S": "/JavaScript", "/JS": "app.alert('x')"})


def pdf_with_launch() -> bytes:
    return _pdf_with_open_action({"/S": "/Launch", "/F": "a.exe"})


def pdf_with_embedded_file() -> bytes:
    """An /EmbeddedFiles name tree in the catalog's /Names, again in an object stream."""
    writer = PdfFileWriter()
    hidden = writer.prepare_object_stream()
    tree = generic.DictionaryObject(
        {generic.NameObject("/Names"): generic.ArrayObject([generic.TextStringObject("a.exe")])}
    )
    names = generic.DictionaryObject(
        {generic.NameObject("/EmbeddedFiles"): writer.add_object(tree, obj_stream=hidden)}
    )
    writer.root[generic.NameObject("/Names")] = writer.add_object(names, obj_stream=hidden)
    return _written(writer)


def _pdf_with_open_action(entries: dict[str, str]) -> bytes:
    writer = PdfFileWriter()
    action = generic.DictionaryObject(
        {
            generic.NameObject(key): (
                generic.NameObject(value)
                if value.startswith("/")
                else generic.TextStringObject(value)
            )
            for key, value in entries.items()
        }
    )
    hidden = writer.prepare_object_stream()
    writer.root[generic.NameObject("/OpenAction")] = writer.add_object(action, obj_stream=hidden)
    return _written(writer)


def _written(writer: PdfFileWriter) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_encrypted() -> bytes:
    writer = PdfFileWriter()
    writer.encrypt("chu-so-huu", "nguoi-dung")
    return _written(writer)


def jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 24), (30, 30, 200)).save(out, format="PNG")
    return out.getvalue()


def png_bomb() -> bytes:
    """A PNG declaring 100,000 × 100,000 pixels (its data would be gigabytes once decoded)."""
    ihdr = (100_000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    idat = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data).to_bytes(4, "big")
    return len(data).to_bytes(4, "big") + kind + data + crc


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _CONTENT_TYPES.format(main=_DOCX_MAIN),
            "_rels/.rels": _RELS,
            "word/document.xml": _DOCUMENT,
        }
    )


def docx_bomb() -> bytes:
    """A docx whose one extra part unpacks to 60 MB of zeros (about 1000:1)."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(main=_DOCX_MAIN))
        archive.writestr("word/document.xml", _DOCUMENT)
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            for _ in range(60):
                member.write(b"\x00" * 1024 * 1024)
    return out.getvalue()


def docx_with_traversal() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _CONTENT_TYPES.format(main=_DOCX_MAIN),
            "word/document.xml": _DOCUMENT,
            "../../evil.txt": "x",
        }
    )


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Họ và tên"
    workbook.active["B1"] = "Nguyễn Văn An"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsm_with_macro() -> bytes:
    """An xlsx repackaged with a VBA project, as Excel saves an .xlsm."""
    source = zipfile.ZipFile(BytesIO(xlsx()))
    parts: dict[str, bytes | str] = {name: source.read(name) for name in source.namelist()}
    types = parts["[Content_Types].xml"]
    assert isinstance(types, bytes)
    parts["[Content_Types].xml"] = types.replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
    )
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"\x00" * 512
    return _zip(parts)


def exe() -> bytes:
    """The start of a Windows executable (MZ header, DOS stub) — with a %PDF- marker after it."""
    return b"MZ\x90\x00\x03" + b"\x00" * 59 + b"This program cannot be run in DOS mode.%PDF-1.7\n"


def plain_zip() -> bytes:
    return _zip({"readme.txt": "xin chào", "data.csv": "a,b\n1,2\n"})


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def ole_doc() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def jpeg_bomb() -> bytes:
    """A small JPEG whose frame header is patched to claim 65,000 × 65,000 pixels."""
    data = bytearray(jpeg())
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = (65_000).to_bytes(2, "big") * 2
    return bytes(data)
