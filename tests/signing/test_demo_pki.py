from cryptography.x509.oid import NameOID

from chinhquyen.signing import demo_pki


def test_long_vietnamese_agency_names_fit_the_rfc5280_bounds() -> None:
    """Official names run past 64 UTF-8 bytes; the certificate gets a clipped name, no crash."""
    root = demo_pki.make_root("Gốc")
    name = "Trung tâm Phục vụ hành chính công tỉnh Hưng Yên — Chi nhánh số 2 phường Phố Hiến"
    issued = demo_pki.issue_signing_certificate(root, name, organisation=name)
    (common_name,) = issued.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = str(common_name.value)
    assert len(value.encode()) <= 64 and value.endswith("…")
    assert name.startswith(value[:-1])
