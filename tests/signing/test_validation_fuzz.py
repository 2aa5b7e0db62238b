"""Byte-level mutations of a signed PDF never crash the validator, and a signature whose signed
bytes changed is never reported valid."""

from __future__ import annotations

from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader

from chinhquyen.signing.trust import do_add_trust_anchor
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import Verdict
from tests.signing.conftest import TestPki as Pki
from tests.signing.pdfs import make_pdf
from tests.signing.validation_helpers import revocation_server, sign


def _signed_bytes(data: bytes, byte_range: list[int]) -> bytes:
    start1, length1, start2, length2 = byte_range
    return data[start1 : start1 + length1] + data[start2 : start2 + length2]


def _mutate(data: bytes, operation: str, position: int, value: int) -> bytes:
    position %= len(data)
    if operation == "flip":
        return data[:position] + bytes([data[position] ^ value]) + data[position + 1 :]
    if operation == "delete":
        return data[:position] + data[position + 1 :]
    return data[:position] + bytes([value]) + data[position:]


@pytest.mark.django_db
@pytest.mark.slow
def test_mutations_never_crash_and_never_validate_changed_bytes(pki: Pki) -> None:
    do_add_trust_anchor(pki.government_ca.der, name="CA", kind="intermediate", acting_user=None)
    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        person = server.issue("Nguyen Van An", key=pki.person.key)
        agency = server.issue("UBND tinh", key=pki.organisation.key)
        signed = sign(sign(make_pdf(2), person, [], "A"), agency, [], "B")
        assert validate_pdf_bytes(signed, fetch=True).verdict == Verdict.VALID  # cache warm
    ranges = {
        s.field_name: list(s.byte_range)
        for s in PdfFileReader(BytesIO(signed), strict=False).embedded_signatures
    }

    @given(
        operation=st.sampled_from(["flip", "delete", "insert"]),
        position=st.integers(min_value=0, max_value=len(signed) - 1),
        value=st.integers(min_value=1, max_value=255),
    )
    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(operation: str, position: int, value: int) -> None:
        mutated = _mutate(signed, operation, position, value)
        report = validate_pdf_bytes(mutated, fetch=False)  # must not raise
        verdicts = {s.field_name: s.verdict for s in report.signatures}
        for name, byte_range in ranges.items():
            if _signed_bytes(mutated, byte_range) != _signed_bytes(signed, byte_range):
                assert verdicts.get(name) != Verdict.VALID, (operation, position, value)
                assert report.verdict != Verdict.VALID

    check()
