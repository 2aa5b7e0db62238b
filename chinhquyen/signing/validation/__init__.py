"""Validation of signed PDFs: integrity, what changed after each signature, the signer's chain
to a configured trust anchor, validity at the signing time, revocation (OCSP/CRL) and
time-stamps, reported in Vietnamese and as JSON (ADR 0005)."""
