"""Signing: certificates and keys (software, PKCS#11 token, remote service), trust anchors,
PAdES signing with the Decree 30/2020 visible appearances, and validation of signed PDFs.

Private keys stored by the platform are encrypted at rest (`keys.py`) and never leave this app:
other apps call the `do_*` actions with a certificate and get signed bytes back."""
